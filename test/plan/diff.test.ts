import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonEqual } from "../../src/plan/diff.js";
import { canonicalize } from "../../src/program/canonical.js";
import type { Json } from "../../src/program/types.js";

describe("jsonEqual", () => {
  it("is true exactly when the canonical JSON texts are equal (key order, undefined members and items, -0)", () => {
    const key = fc.constantFrom("a", "b", "c", "1", "10", "__proto__", "toString");
    const leaf = fc.oneof(fc.constantFrom<unknown>(null, true, false, 0, -0, 1, "", "a", "1", undefined), fc.integer({ min: -2, max: 2 }));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(key, tie("node"), { maxKeys: 3 })),
    })).node;
    // Pairs that are often equal: a value against a key-shuffled copy of itself or of a near value.
    const reorder = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(reorder);
      if (v === null || typeof v !== "object") return v;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).reverse()) Object.defineProperty(out, k, { value: reorder((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
      return out;
    };
    // A copy with one more member: unequal, unless that member is undefined.
    const extend = (v: unknown, extra: unknown): unknown => (v !== null && typeof v === "object" && !Array.isArray(v) ? { ...(reorder(v) as object), zz: extra } : v);
    fc.assert(
      fc.property(tree, tree, fc.constantFrom("other", "reordered", "extended"), leaf, (x, y, mode, extra) => {
        const a = x as Json;
        const b = (mode === "other" ? y : mode === "reordered" ? reorder(x) : extend(x, extra)) as Json;
        if (a === undefined || b === undefined) return;
        expect(jsonEqual(a, b)).toBe(canonicalize(a) === canonicalize(b));
      }),
      { numRuns: 2000 },
    );
  });

  it("undefined equals only undefined", () => {
    expect(jsonEqual(undefined, undefined)).toBe(true);
    expect(jsonEqual(undefined, null)).toBe(false);
    expect(jsonEqual({}, undefined)).toBe(false);
  });
});
