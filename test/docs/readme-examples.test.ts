import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { environmentOf, parseProjectSettings } from "../../src/lang/project.js";

// The README's `lxm` examples are what a user copies first: each compiles as it stands.
const root = join(import.meta.dirname, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```lxm\n([\s\S]*?)```/g)].map((m) => m[1]!);
// The environments example reads the inputs of the lexum.yaml shown with it.
const envYaml = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((y) => y.startsWith("inputs:"))!;

describe("README examples", () => {
  it("has the language tour and the PostgreSQL example", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks.some((b) => b.includes("provider postgres"))).toBe(true);
  });
  for (const [i, text] of blocks.entries()) {
    it(`example ${i + 1} compiles without a diagnostic`, () => {
      const settings = parseProjectSettings(envYaml);
      expect(settings.diagnostics).toEqual([]);
      const inputs = text.includes("input(") ? environmentOf(settings.settings, "production").inputs : {};
      const r = compile([{ path: "README.lxm", text }], { inputs });
      expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(r.program).not.toBeNull();
    });
  }
});
