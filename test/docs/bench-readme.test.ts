import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** bench/README.md says what each bench measures, how to run it and its targets, then one table of current figures. */

const root = resolve(import.meta.dirname, "../..");
const readme = readFileSync(resolve(root, "bench/README.md"), "utf8");
// The benches bench/run.ts knows, in its order.
const names = [...readFileSync(resolve(root, "bench/run.ts"), "utf8").matchAll(/^\s*"?([\w-]+)"?: \(\) => import\("\.\/([\w-]+)\.js"\)/gm)].map((m) => m[1]!);

describe("bench/README.md", () => {
  it("has a section per bench with what it measures and its targets", () => {
    expect(names).toEqual(["compile", "plan", "hashing", "snapshot-commit", "apply", "bad-input", "action", "sync", "sync-replicas", "functions-fuzz"]);
    for (const name of names) {
      const start = readme.indexOf(`### ${name} (\`bench/${name}.ts\`)`);
      expect(start, name).toBeGreaterThanOrEqual(0);
      const end = readme.indexOf("\n#", start + 1);
      expect(readme.slice(start, end), name).toMatch(/\nTargets?: /);
    }
  });

  it("says how to run all of them and one", () => {
    expect(readme).toMatch(/^npm run bench\s+#/m);
    expect(readme).toContain("npm run bench -- apply");
  });

  it("ends with one table of current figures, dated, covering every bench", () => {
    const at = readme.indexOf("## Current figures");
    expect(at).toBeGreaterThanOrEqual(0);
    const figures = readme.slice(at);
    expect(figures).toMatch(/Measured on \d{4}-\d{2}-\d{2}/);
    const rows = figures.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| bench |"));
    for (const name of names) expect(rows.some((r) => r.startsWith(`| ${name} |`)), name).toBe(true);
    // One table in the whole file: the figures are not a log of runs.
    expect(readme.split("\n").filter((l) => /^\|[-| ]+\|$/.test(l))).toHaveLength(1);
    expect(readme).not.toMatch(/[Ss]ession/);
  });
});
