import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { buildPlan, renderPlanJson, renderPlanText } from "../../src/plan/index.js";
import { loadTypeCatalog } from "../../src/program/schemas.js";
import type { Plan, PriorState, RecordedResource } from "../../src/plan/index.js";
import type { JsonObject, Program } from "../../src/program/types.js";

/** Plans from real .lxm text through compile(). */

const STORAGE = `
domain storage {
  provider fs { root = "out" }
  resource fs.dir data { path = "data" }
  resource fs.file settings {
    path    = "\${data.path}/settings.json"
    content = jsonencode({ port = 8080 })
    mode    = MODE
  }
  resource fs.symlink current {
    path   = "current"
    target = TARGET
  }
  export settings
}
`;
const WEB = `
domain web {
  provider fs { root = "out" }
  import storage.settings
  let pages = PAGES
  resource fs.file page for name in pages {
    path    = "site/\${name}.html"
    content = "<h1>\${upper(name)}</h1> size \${settings.size}"
  }
}
`;

function source(mode = "0644", target = "data/settings.json", pages = '["index", "about"]', protect = false): { path: string; text: string }[] {
  const storage = STORAGE.replace("MODE", JSON.stringify(mode))
    .replace("TARGET", JSON.stringify(target))
    .replace('resource fs.symlink current {', protect ? "resource fs.symlink current {\n    protect = true" : "resource fs.symlink current {");
  return [
    { path: "storage.lxm", text: storage },
    { path: "web/web.lxm", text: WEB.replace("PAGES", pages) },
  ];
}

function compiled(files: { path: string; text: string }[]): { program: Program; hash: string; spans: Record<string, { file: string; start: number; end: number }> } {
  const r = compile(files);
  expect(r.diagnostics).toEqual([]);
  return { program: r.program!, hash: r.hash!, spans: r.spans };
}

/** What a snapshot would hold after applying the program (computed attributes filled in as a provider would). */
function appliedState(program: Program, settingsSize: number): PriorState {
  const resources: { [a: string]: RecordedResource } = {};
  const settled: { [a: string]: JsonObject } = {};
  for (const d of Object.keys(program.domains).sort()) {
    for (const [address, r] of Object.entries(program.domains[d]!.resources)) {
      const attrs: JsonObject = { ...r.attrs };
      if (r.type === "fs.file") attrs["size"] = address.endsWith("settings") ? settingsSize : 10;
      settled[address] = attrs;
      resources[address] = {
        address,
        domain: r.domain,
        type: r.type,
        provider: { alias: r.provider, type: "fs", config: { root: "out" } },
        identity: r.identity,
        attrs,
        sensitive: {},
        dependsOn: r.dependsOn,
        protect: r.protect,
      };
    }
  }
  // Deferred attributes as the runtime would have recorded them.
  for (const rec of Object.values(resources)) {
    const r = program.domains[rec.domain]!.resources[rec.address]!;
    for (const attr of Object.keys(r.deferred)) {
      (rec.attrs as JsonObject)[attr] = attr === "content" ? `<h1>${String(r.key).toUpperCase()}</h1> size ${settingsSize}` : null;
    }
  }
  return { snapshot: "sha256:" + "11".repeat(32), resources };
}

function plan(files: { path: string; text: string }[], prior: PriorState): Plan {
  const c = compiled(files);
  const r = buildPlan({ program: c.program, programHash: c.hash, catalog: loadTypeCatalog(), prior, spans: c.spans });
  expect(r.diagnostics).toEqual([]);
  return r.plan!;
}

const kinds = (p: Plan) => p.steps.flatMap((s) => s.domains.flatMap((d) => d.actions.map((a) => `${a.action} ${a.address}`)));

describe("planning compiled programs", () => {
  const v1 = compiled(source());
  const state = appliedState(v1.program, 14);

  it("first run: creates in step and dependency order, page content known after apply", () => {
    const p = plan(source(), { snapshot: null, resources: {} });
    expect(kinds(p)).toEqual([
      "create storage/fs.dir.data",
      "create storage/fs.file.settings",
      "create storage/fs.symlink.current",
      'create web/fs.file.page["about"]',
      'create web/fs.file.page["index"]',
    ]);
    expect(p.program).toBe(v1.hash);
    expect(renderPlanText(p)).toContain("content = (known after apply)");
  });

  it("after apply, the same code plans no changes (deferred content evaluates against the record)", () => {
    const p = plan(source(), state);
    expect(p.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(renderPlanText(p)).toContain(`No changes. The goal matches the last snapshot ${state.snapshot}; reality was not read (--refresh reads it).`);
  });

  it("a second commit: update, replace and delete, with dependents known after apply", () => {
    const p = plan(source("0600", "data/other.json", '["index"]'), state);
    // The teardown first, web's (it imports from storage) before storage's replace half; then the build.
    expect(kinds(p)).toEqual([
      'delete web/fs.file.page["about"]',
      "replace storage/fs.symlink.current",
      "noop storage/fs.dir.data",
      "update storage/fs.file.settings",
      "replace storage/fs.symlink.current",
      'update web/fs.file.page["index"]',
    ]);
    expect(p.steps.map((s) => [s.step, s.phase ?? "build", s.domains.map((d) => d.domain).join()])).toEqual([
      [1, "teardown", "web"],
      [2, "teardown", "storage"],
      [3, "build", "storage"],
      [4, "build", "web"],
    ]);
    expect(p.summary).toMatchObject({ replace: 1, delete: 1, update: 2 });
  });

  it("file split and declaration order do not change the plan bytes", () => {
    const files = source("0600");
    const merged = [{ path: "all.lxm", text: files[1]!.text + "\n" + files[0]!.text }];
    expect(renderPlanJson(plan(merged, state))).toBe(renderPlanJson(plan(files, state)));
  });

  it("protect = true refuses the replace, pointing at the resource", () => {
    const protectedState = appliedState(compiled(source("0644", "data/settings.json", '["index", "about"]', true)).program, 14);
    const c = compiled(source("0644", "data/elsewhere", '["index", "about"]', true));
    const r = buildPlan({ program: c.program, programHash: c.hash, catalog: loadTypeCatalog(), prior: protectedState, spans: c.spans });
    expect(r.plan).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM3001"]);
    expect(r.diagnostics[0]!.span?.file).toBe("storage.lxm");
  });
});
