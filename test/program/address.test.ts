import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareNatural } from "../../src/program/address.js";

describe("compareNatural", () => {
  it("orders instance keys by number, not by text", () => {
    const addrs = ["a/sim.object.node[10]", "a/sim.object.node[2]", "a/sim.object.node[1]", "a/sim.object.node", "a/sim.object.nod[3]"];
    expect([...addrs].sort(compareNatural)).toEqual([
      "a/sim.object.nod[3]",
      "a/sim.object.node",
      "a/sim.object.node[1]",
      "a/sim.object.node[2]",
      "a/sim.object.node[10]",
    ]);
    expect(["w10", "w9", "w100", "v200"].sort(compareNatural)).toEqual(["v200", "w9", "w10", "w100"]);
  });

  it("compares digit runs beyond 2^53 exactly", () => {
    expect(compareNatural("k[9007199254740993]", "k[9007199254740992]")).toBe(1);
    expect(compareNatural("k[18446744073709551616]", "k[9]")).toBe(1);
  });

  it("is a total order: zero only for equal strings, antisymmetric, transitive", () => {
    const s = fc.string({ unit: fc.constantFrom("a", "b", "0", "1", "9", "[", "]"), maxLength: 8 });
    fc.assert(
      fc.property(s, s, s, (x, y, z) => {
        expect(compareNatural(x, y) === 0).toBe(x === y);
        expect(Math.sign(compareNatural(x, y)) + Math.sign(compareNatural(y, x))).toBe(0);
        if (compareNatural(x, y) <= 0 && compareNatural(y, z) <= 0) expect(compareNatural(x, z)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 3000 },
    );
  });
});
