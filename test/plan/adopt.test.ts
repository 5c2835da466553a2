import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { formatSource } from "../../src/lang/format.js";
import { buildPlan, hasChanges, renderPlanJson, renderPlanMarkdown, renderPlanText } from "../../src/plan/index.js";
import type { Plan, Reality } from "../../src/plan/index.js";
import { loadTypeCatalog } from "../../src/program/schemas.js";

const src = (meta: string) => `domain web {
  provider fs { root = "out" }
  resource fs.file motd { path = "motd", content = "hi\\n"${meta} }
  resource fs.file news { path = "news", content = "n" }
}
`;

function compiled(text: string) {
  const r = compile([{ path: "web.lxm", text }]);
  return r;
}

function plan(text: string, existing?: Reality): Plan {
  const c = compiled(text);
  expect(c.diagnostics).toEqual([]);
  const r = buildPlan({ program: c.program!, programHash: c.hash!, catalog: loadTypeCatalog(), prior: { snapshot: null, resources: {} }, spans: c.spans, ...(existing ? { existing } : {}) });
  expect(r.diagnostics).toEqual([]);
  return r.plan!;
}

const MOTD = "web/fs.file.motd";

describe("the import meta-attribute", () => {
  it("is written `import = true` or `meta import = true`, and only an import = true resource carries it in the program", () => {
    for (const meta of [", import = true", ", meta import = true"]) {
      const r = compiled(src(meta));
      expect(r.diagnostics).toEqual([]);
      expect(r.program!.domains["web"]!.resources[MOTD]!.import).toBe(true);
      expect("import" in r.program!.domains["web"]!.resources["web/fs.file.news"]!).toBe(false);
    }
    // Absent and `import = false` leave the program (and its hash) as it was.
    expect(compiled(src(", import = false")).hash).toBe(compiled(src("")).hash);
    expect(compiled(src(", meta protect = false")).hash).toBe(compiled(src("")).hash);
  });

  it("takes a bool known at compile time; `meta` marks only meta-attributes", () => {
    const bad = compiled(src(', import = "yes"'));
    expect(bad.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["LXM2088 `import` must be a bool known at compile time"]);
    const prefix = compiled(src(', meta content2 = "x"'));
    expect(prefix.diagnostics.map((d) => d.code)).toContain("LXM2093");
    const inProvider = compiled(src("").replace('provider fs { root = "out" }', 'provider fs { root = "out", import = true }'));
    expect(inProvider.diagnostics.map((d) => d.code)).toEqual(["LXM2092"]);
  });

  it("keeps the `meta` prefix when formatted, and the domain-level import still parses", () => {
    const text = `domain web {\n  import base.data\n  provider fs { root = "out" }\n  resource fs.file motd {\n    path = "motd"\n    meta   import = true\n  }\n}\n`;
    const f = formatSource("web.lxm", text);
    expect(f.diagnostics).toEqual([]);
    expect(f.text).toContain("    path        = \"motd\"\n    meta import = true\n");
    expect(f.text).toContain("  import base.data\n");
  });
});

describe("planning an adoption", () => {
  it("plans adopt, with the changes from what was read to the goal, when the object exists", () => {
    const p = plan(src(", import = true"), { [MOTD]: { path: "motd", content: "old\n", mode: "0600", size: 4 } });
    const motd = p.steps[0]!.domains[0]!.actions.find((a) => a.address === MOTD)!;
    expect(motd.action).toBe("adopt");
    expect(motd.reason).toBe("exists outside Lexum; adopted (import = true)");
    expect(motd.before).toEqual({ content: "old\n", mode: "0600", path: "motd", size: 4 });
    expect(motd.changes.map((c) => [c.attr, c.before, c.after])).toEqual([
      ["content", "old\n", "hi\n"],
      ["mode", "0600", "0644"],
    ]);
    expect(p.summary).toEqual({ adopt: 1, create: 1, delete: 0, noop: 0, replace: 0, update: 0 });
    expect(hasChanges(p)).toBe(true);
    const text = renderPlanText(p);
    expect(text).toContain("  <= fs.file.motd  # exists outside Lexum; adopted (import = true)\n      ~ content = \"old\\n\" -> \"hi\\n\"\n");
    expect(text).toContain("Plan: 1 to adopt, 1 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(renderPlanMarkdown(p)).toContain("<= fs.file.motd  # exists outside Lexum; adopted (import = true)");
    expect(JSON.parse(renderPlanJson(p)).summary.adopt).toBe(1);
  });

  it("adopts an object equal to the goal as a change with no attribute to change", () => {
    const p = plan(src(", import = true"), { [MOTD]: { path: "motd", content: "hi\n", mode: "0644", size: 3 } });
    const motd = p.steps[0]!.domains[0]!.actions.find((a) => a.address === MOTD)!;
    expect(motd.action).toBe("adopt");
    expect(motd.changes).toEqual([]);
  });

  it("plans create when nothing exists, and keeps the bytes of a plan without adoption", () => {
    const absent = plan(src(", import = true"), { [MOTD]: null });
    const motd = absent.steps[0]!.domains[0]!.actions.find((a) => a.address === MOTD)!;
    expect(motd.action).toBe("create");
    expect("adopt" in absent.summary).toBe(false);
    expect(renderPlanText(absent)).toContain("Plan: 2 to create, 0 to update");
    // No `existing` at all: the same plan as one read to find nothing.
    expect(plan(src(", import = true")).hash).toBe(absent.hash);
  });

  it("has no effect once the resource is recorded", () => {
    const c = compiled(src(", import = true"));
    const rec = { address: MOTD, domain: "web", type: "fs.file", provider: { alias: "fs", type: "fs", config: { root: "out" } }, identity: c.program!.domains["web"]!.resources[MOTD]!.identity, attrs: { path: "motd", content: "hi\n", mode: "0644", size: 3 }, sensitive: {}, dependsOn: [], protect: false };
    const r = buildPlan({ program: c.program!, programHash: c.hash!, catalog: loadTypeCatalog(), prior: { snapshot: "sha256:" + "1".repeat(64), resources: { [MOTD]: rec } }, existing: { [MOTD]: { path: "motd", content: "other", mode: "0644", size: 5 } } });
    expect(r.plan!.steps[0]!.domains[0]!.actions.find((a) => a.address === MOTD)!.action).toBe("noop");
  });
});
