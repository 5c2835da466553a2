import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";

// The README's `lxm` examples are what a user copies first: each compiles as it stands.
const root = join(import.meta.dirname, "../..");
const blocks = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/```lxm\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("README examples", () => {
  it("has the language tour and the PostgreSQL example", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks.some((b) => b.includes("provider postgres"))).toBe(true);
  });
  for (const [i, text] of blocks.entries()) {
    it(`example ${i + 1} compiles without a diagnostic`, () => {
      const r = compile([{ path: "README.lxm", text }]);
      expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(r.program).not.toBeNull();
    });
  }
});
