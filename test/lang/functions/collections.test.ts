import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Json } from "../../../src/program/types.js";
import { call, problem } from "./call.js";


describe("collection functions (Terraform's reference examples)", () => {
  it("alltrue, anytrue", () => {
    expect(call("alltrue", ["true", true])).toBe(true);
    expect(call("alltrue", [true, false])).toBe(false);
    expect(call("alltrue", [])).toBe(true);
    expect(call("anytrue", ["true"])).toBe(true);
    expect(call("anytrue", [true, false])).toBe(true);
    expect(call("anytrue", [])).toBe(false);
  });
  it("chunklist, coalesce, coalescelist, compact, distinct", () => {
    expect(call("chunklist", ["a", "b", "c", "d", "e"], 2)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(call("chunklist", ["a", "b", "c", "d", "e"], 1)).toEqual([["a"], ["b"], ["c"], ["d"], ["e"]]);
    expect(call("coalesce", "a", "b")).toBe("a");
    expect(call("coalesce", "", "b")).toBe("b");
    expect(call("coalesce", 1, 2)).toBe(1);
    expect(problem("coalesce", "", null)).toContain("no argument is non-null");
    expect(call("coalescelist", ["a", "b"], ["c", "d"])).toEqual(["a", "b"]);
    expect(call("coalescelist", [], ["c", "d"])).toEqual(["c", "d"]);
    expect(call("compact", ["a", "", "b", null, "c"])).toEqual(["a", "b", "c"]);
    expect(call("distinct", ["a", "b", "a", "c", "d", "b"])).toEqual(["a", "b", "c", "d"]);
  });
  it("element, flatten, index, lookup, matchkeys, one", () => {
    expect(call("element", ["a", "b", "c"], 1)).toBe("b");
    expect(call("element", ["a", "b", "c"], 3)).toBe("a");
    expect(call("flatten", [["a", "b"], [], ["c"]])).toEqual(["a", "b", "c"]);
    expect(call("flatten", [[["a", "b"], []], ["c"]])).toEqual(["a", "b", "c"]);
    expect(call("index", ["a", "b", "c"], "b")).toBe(1);
    expect(problem("index", ["a"], "z")).toContain("not in the list");
    expect(call("lookup", { a: "ay", b: "bee" }, "a", "what?")).toBe("ay");
    expect(call("lookup", { a: "ay", b: "bee" }, "c", "what?")).toBe("what?");
    expect(problem("lookup", { a: 1 }, "c")).toContain('the key "c" is not in the map');
    expect(call("matchkeys", ["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])).toEqual(["i-abc", "i-def"]);
    expect(call("one", [])).toBeNull();
    expect(call("one", ["hello"])).toBe("hello");
    expect(problem("one", ["hello", "goodbye"])).toContain("at most one");
  });
  it("reverse, slice, sort, transpose, zipmap", () => {
    expect(call("reverse", [1, 2, 3])).toEqual([3, 2, 1]);
    expect(call("slice", ["a", "b", "c", "d"], 1, 3)).toEqual(["b", "c"]);
    expect(problem("slice", ["a"], 0, 2)).toContain("the end 2 is outside");
    expect(call("sort", ["e", "d", "a", "x"])).toEqual(["a", "d", "e", "x"]);
    expect(call("transpose", { a: ["1", "2"], b: ["2", "3"] })).toEqual({ "1": ["a"], "2": ["a", "b"], "3": ["b"] });
    expect(call("zipmap", ["a", "b"], [1, 2])).toEqual({ a: 1, b: 2 });
    expect(problem("zipmap", ["a"], [1, 2])).toContain("different lengths");
    // A key named __proto__ is a key like any other.
    expect(Object.keys(call("zipmap", ["__proto__", "b"], [1, 2]) as object)).toEqual(["__proto__", "b"]);
    expect(Object.keys(call("transpose", { a: ["__proto__"] }) as object)).toEqual(["__proto__"]);
  });
  it("sets are lists without duplicates in canonical order", () => {
    expect(call("setintersection", ["a", "b"], ["b", "c"], ["b", "d"])).toEqual(["b"]);
    expect(call("setsubtract", ["a", "b", "c"], ["a", "c"])).toEqual(["b"]);
    expect(call("setunion", ["a", "b"], ["b", "c"], ["d"])).toEqual(["a", "b", "c", "d"]);
    expect(call("setproduct", ["development", "staging", "production"], ["app1", "app2"])).toEqual([
      ["development", "app1"], ["development", "app2"], ["staging", "app1"], ["staging", "app2"], ["production", "app1"], ["production", "app2"],
    ]);
    expect(call("setproduct", ["a"], [])).toEqual([]);
    expect(call("toset", ["c", "b", "b"])).toEqual(["b", "c"]);
    expect(problem("setproduct", Array.from({ length: 1001 }, (_, i) => i), Array.from({ length: 1001 }, (_, i) => i))).toContain("1000000");
  });
  it("tobool, tolist, tomap", () => {
    expect(call("tobool", true)).toBe(true);
    expect(call("tobool", "false")).toBe(false);
    expect(call("tobool", null)).toBeNull();
    expect(problem("tobool", "no")).toContain("a bool");
    expect(call("tolist", ["a", "b"])).toEqual(["a", "b"]);
    expect(call("tomap", { a: 1 })).toEqual({ a: 1 });
  });
});

describe("algebraic properties (fast-check)", () => {
  const json: fc.Arbitrary<Json> = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -50, max: 50 }), fc.boolean(), fc.constant(null));
  const items = fc.array(json, { maxLength: 12 });
  it("setunion is commutative and idempotent; setintersection is commutative", () => {
    fc.assert(fc.property(items, items, (a, b) => {
      expect(call("setunion", a, b)).toEqual(call("setunion", b, a));
      expect(call("setunion", a, a)).toEqual(call("toset", a));
      expect(call("setintersection", a, b)).toEqual(call("setintersection", b, a));
    }), { seed: 42, numRuns: 300 });
  });
  it("flatten is idempotent; reverse is an involution; distinct is idempotent", () => {
    const nested = fc.array(fc.oneof(json, fc.array(fc.oneof(json, fc.array(json, { maxLength: 3 })), { maxLength: 3 })), { maxLength: 8 });
    fc.assert(fc.property(nested, (xs) => {
      const f = call("flatten", xs as Json[]);
      expect(call("flatten", f)).toEqual(f);
      expect(call("reverse", call("reverse", xs as Json[]))).toEqual(xs);
      const d = call("distinct", xs as Json[]);
      expect(call("distinct", d)).toEqual(d);
    }), { seed: 7, numRuns: 300 });
  });
  it("chunklist then flatten gives the list back; zipmap(keys(m), values(m)) is m", () => {
    fc.assert(fc.property(items, fc.integer({ min: 1, max: 5 }), (xs, n) => {
      expect(call("flatten", call("chunklist", xs, n))).toEqual(xs);
    }), { seed: 3, numRuns: 200 });
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 3 }), json, { maxKeys: 6 }), (m) => {
      expect(call("zipmap", call("keys", m), call("values", m))).toEqual(m);
    }), { seed: 5, numRuns: 200 });
  });
});
