import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalize, canonicalizeSlow, hashValue, prettyCanonical, sha256 } from "../../src/program/canonical.js";

describe("canonicalize (RFC 8785)", () => {
  it("sorts keys by UTF-16 code units, not by locale or numeric order", () => {
    expect(canonicalize({ b: 1, a: 2, "10": 3, "9": 4, é: 5, Z: 6 })).toBe('{"10":3,"9":4,"Z":6,"a":2,"b":1,"é":5}');
  });
  it("prints numbers in ECMAScript shortest form, -0 as 0", () => {
    expect(canonicalize([1e21, 1.5, -0, 0.1, 100, 1e-7])).toBe("[1e+21,1.5,0,0.1,100,1e-7]");
  });
  it("matches the RFC 8785 example object", () => {
    const input = { numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001], string: "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"\/", literals: [null, true, false] };
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });
  it("refuses non-finite numbers (a bug, never silently written)", () => {
    expect(() => canonicalize({ x: Infinity })).toThrow(/non-finite/);
  });
  it("hashes as sha256: + hex of the canonical bytes", () => {
    expect(sha256("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashValue({ b: [1], a: "x" })).toBe(sha256('{"a":"x","b":[1]}'));
  });
  it("is independent of key insertion order, and pretty form round-trips to the same bytes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalize(v);
        const shuffled = JSON.parse(JSON.stringify(v), (_k, x) =>
          x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x,
        );
        expect(canonicalize(shuffled)).toBe(c);
        expect(canonicalize(JSON.parse(prettyCanonical(v)))).toBe(c);
      }),
      { numRuns: 300 },
    );
  });
  it("fast paths give exactly the general writer's bytes (integer-like keys, unsorted, sorted, nested)", () => {
    const key = fc.oneof(fc.string(), fc.constantFrom("0", "1", "10", "9", "01", "-1", "a", "B", "é", "\u{1F600}"));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(key, tie("node"), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(tree, (v) => {
        expect(canonicalize(v)).toBe(canonicalizeSlow(v));
        const sortedInput = JSON.parse(canonicalize(v));
        expect(canonicalize(sortedInput)).toBe(canonicalizeSlow(v));
      }),
      { numRuns: 500 },
    );
    expect(canonicalize({ "10": 1, "9": 2, a: { "2": 0, "10": 1 } })).toBe('{"10":1,"9":2,"a":{"10":1,"2":0}}');
  });
});

describe("sortStrings and sha256Canonical", () => {
  it("sortStrings orders exactly as Array.prototype.sort with no comparator (short and long lists)", async () => {
    const { sortStrings } = await import("../../src/program/canonical.js");
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom("10", "9", "a", "B", "é", "\u{1F600}", "")), { maxLength: 40 }), (xs) => {
        expect(sortStrings([...xs])).toEqual([...xs].sort());
      }),
      { numRuns: 300 },
    );
  });
  it("sha256Canonical(v, depth) equals sha256(canonicalize(v)) at every depth, integer-like keys and undefined values included", async () => {
    const { sha256Canonical } = await import("../../src/program/canonical.js");
    const key = fc.oneof(fc.string(), fc.constantFrom("0", "1", "10", "9", "a", "z"));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined), fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(key, tie("node"), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 4 }), fc.integer({ min: 0, max: 4 }), (v, depth) => {
        expect(sha256Canonical(v, depth)).toBe(sha256(canonicalize(v)));
      }),
      { numRuns: 300 },
    );
    const big = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, { v: "x".repeat(50), i }]));
    expect(sha256Canonical(big, 2)).toBe(sha256(canonicalize(big)));
  });
});
