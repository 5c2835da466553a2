import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildPlan, renderGraph, renderPlanJson, renderPlanMarkdown, renderPlanText, summaryLine } from "../../src/plan/index.js";
import type { BuildPlanInput, Plan } from "../../src/plan/index.js";
import { CATALOG } from "./helpers.js";

/**
 * Golden renders: each fixtures/plans/<case>/input.json is planned and rendered; the renders
 * sit beside it. `LXM_UPDATE=1 npx vitest run test/plan` rewrites them (review the diff).
 */
const ROOT = fileURLToPath(new URL("../../fixtures/plans/", import.meta.url));
const UPDATE = process.env["LXM_UPDATE"] === "1";

function golden(file: string, actual: string): void {
  if (UPDATE || !existsSync(file)) {
    mkdirSync(ROOT, { recursive: true });
    writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`golden ${file} was missing and has been written: review it and re-run`);
    return;
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

type CaseInput = Omit<BuildPlanInput, "catalog"> & { secret?: string };

function load(name: string): { input: CaseInput; plan: Plan } {
  const input = JSON.parse(readFileSync(`${ROOT}${name}/input.json`, "utf8")) as CaseInput;
  const r = buildPlan({ ...input, catalog: CATALOG });
  expect(r.diagnostics).toEqual([]);
  return { input, plan: r.plan! };
}

const expected: { [c: string]: { summary: string; counts: Plan["summary"] } } = {
  "first-apply": { summary: "Plan: 5 to create, 0 to update, 0 to replace, 0 to delete.", counts: { create: 5, update: 0, replace: 0, delete: 0, noop: 0 } },
  // page["index"] reads settings' computed size: settings changes, so it is (known after apply).
  mixed: { summary: "Plan: 1 to create, 2 to update, 1 to replace, 2 to delete.", counts: { create: 1, update: 2, replace: 1, delete: 2, noop: 1 } },
  "no-changes": { summary: `No changes. The goal matches the last snapshot sha256:${"5eed".repeat(16)}; reality was not read (--refresh reads it).`, counts: { create: 0, update: 0, replace: 0, delete: 0, noop: 5 } },
  drift: { summary: "Plan: 1 to create, 2 to update, 0 to replace, 0 to delete.", counts: { create: 1, update: 2, replace: 0, delete: 0, noop: 2 } },
  sensitive: { summary: "Plan: 1 to create, 2 to update, 0 to replace, 0 to delete.", counts: { create: 1, update: 2, replace: 0, delete: 0, noop: 0 } },
};

describe("golden plan renders", () => {
  const cases = readdirSync(ROOT).filter((n) => existsSync(`${ROOT}${n}/input.json`)).sort();

  it("covers every required case", () => {
    expect(cases).toEqual(Object.keys(expected).sort());
  });

  for (const name of cases) {
    it(name, () => {
      const { input, plan } = load(name);
      expect(plan.summary).toEqual(expected[name]!.counts);
      expect(summaryLine(plan)).toBe(expected[name]!.summary);
      const text = renderPlanText(plan);
      const md = renderPlanMarkdown(plan);
      const json = renderPlanJson(plan);
      expect(text.trimEnd().endsWith(expected[name]!.summary)).toBe(true);
      expect(md.startsWith(`**${expected[name]!.summary}**`)).toBe(true);
      golden(`${ROOT}${name}/plan.txt`, text);
      golden(`${ROOT}${name}/plan.md`, md);
      golden(`${ROOT}${name}/plan.json`, json + "\n");
      if (name === "mixed") golden(`${ROOT}${name}/plan.color.txt`, renderPlanText(plan, { color: true }));
      if (name === "first-apply") {
        golden(`${ROOT}${name}/graph.dot`, renderGraph(input.program, "dot"));
        golden(`${ROOT}${name}/graph.mmd`, renderGraph(input.program, "mermaid"));
      }
      if (input.secret) {
        for (const out of [text, md, json, renderPlanText(plan, { color: true })]) expect(out).not.toContain(input.secret);
      }
    });
  }
});

describe("render details", () => {
  it("text: markers, forces replacement, reasons and hidden noops", () => {
    const { plan } = load("mixed");
    const text = renderPlanText(plan);
    // The teardown first: web's delete before storage's (web depends on storage), then the build.
    expect(text).toContain("── step 1 · teardown · domain web\n  - fs.file.page[\"about\"]  # left the code");
    expect(text).toContain("── step 2 · teardown · domain storage\n  - fs.file.old  # left the code\n  - fs.symlink.current  (replace: deleted here, created in a later step)");
    expect(text).toContain("── step 3 · domain storage");
    expect(text).toContain("  -/+ fs.symlink.current  # `target` forces replacement");
    expect(text).toContain('~ target = "data/settings.json" -> "data/settings.v2.json"  # forces replacement');
    expect(text).toContain('      ~ mode = "0644" -> "0600"');
    expect(text).toContain("  - fs.file.old  # left the code");
    expect(text).toContain('  + fs.file.page["contact"]');
    // the data dir is a noop: hidden; index reads settings' size, which will change
    expect(text).not.toContain("fs.dir.data");
    expect(text).toContain('  ~ fs.file.page["index"]\n      ~ content = "<h1>INDEX</h1><!-- settings: 26 bytes -->" -> (known after apply)');
    // deletes come before the others
    expect(text.indexOf("- fs.file.old")).toBeLessThan(text.indexOf("~ fs.file.settings"));
    expect(text.indexOf('- fs.file.page["about"]')).toBeLessThan(text.indexOf("- fs.file.old"));
    expect(text).not.toContain("\x1b[");
    const color = renderPlanText(plan, { color: true });
    expect(color).toContain("\x1b[32m+\x1b[0m fs.file.page");
    expect(color).toContain("\x1b[31m-\x1b[0m fs.file.old");
    expect(color).toContain("\x1b[33m~\x1b[0m fs.file.settings");
  });

  it("text: drift and unknown values", () => {
    const drift = renderPlanText(load("drift").plan);
    expect(drift).toContain("  ~ fs.file.settings  # drift: changed outside Lexum");
    expect(drift).toContain('  + fs.file.page["about"]  # drift: changed outside Lexum');
    const first = renderPlanText(load("first-apply").plan);
    expect(first).toMatch(/content = \(known after apply\)/);
  });

  it("markdown: table, folded diff per domain, mermaid graph, escaping", () => {
    const md = renderPlanMarkdown(load("mixed").plan);
    expect(md).toContain("| 1 · teardown | web | 0 | 0 | 0 | 1 |\n| 2 · teardown | storage | 0 | 0 | 1 | 1 |\n| 3 | storage | 0 | 1 | 1 | 0 |");
    expect(md).toContain("### Step 2 · teardown · storage\n\n<details><summary>1 to replace, 1 to delete</summary>");
    expect(md).toContain("- fs.symlink.current  (replace: deleted here, created in a later step)");
    expect(md).toContain("```diff\n- fs.file.old  # left the code");
    expect(md).toContain('-     mode = "0644"\n+     mode = "0600"');
    expect(md).toContain("```mermaid\nflowchart LR");
    expect(md).toContain('subgraph d0["storage"]');
    const none = renderPlanMarkdown(load("no-changes").plan);
    expect(none.split("\n")[0]).toBe(`**${expected["no-changes"]!.summary}**`);
    expect(none).not.toContain("<details>");
  });
});

describe("markdown: hostile values and large plans", () => {
  it("a value with backticks cannot close its fence, and labels are escaped", async () => {
    const { dom, prior, prog, res, PROGRAM_HASH } = await import("./helpers.js");
    const r = res("w", "fs.file", "page", { path: "p", content: "```\n</details><script>x</script> | *y*" }, { key: 'a"<b>`' });
    const p = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program: prog(dom("w", [r])), prior: prior([], null) }).plan!;
    const md = renderPlanMarkdown(p);
    expect(md).toContain("````diff\n");
    expect(md).not.toContain("<script>x</script>\n");
    // the raw value stays on one line (JSON-escaped) inside the fence
    expect(md).toContain('"```\\n</details><script>x</script> | *y*"');
    expect(md).toContain('["+ fs.file.page[#34;a\\#34;#60;b#62;#96;#34;]"]');
  });

  it("a large plan keeps its summary first and leaves the graph out", async () => {
    const { dom, prior, prog, res, PROGRAM_HASH } = await import("./helpers.js");
    const rs = Array.from({ length: 80 }, (_, i) => res("w", "fs.file", "f", { path: `f${i}` }, { key: i }));
    const p = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program: prog(dom("w", rs)), prior: prior([], null) }).plan!;
    const md = renderPlanMarkdown(p);
    expect(md.split("\n")[0]).toBe("**Plan: 80 to create, 0 to update, 0 to replace, 0 to delete.**");
    expect(md).not.toContain("```mermaid");
    expect(md).toContain("too large to draw");
    expect(md).toContain("<details><summary>80 to create</summary>");
  });
});
