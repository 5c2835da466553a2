import { describe, expect, it } from "vitest";
import { runPlan } from "../../src/runtime/index.js";
import { addr, build, eq, FakeWorld, input, lit, ref } from "./fixtures.js";

/** The assertions' source as a compile's span table would give it: `key.expr`, `key.operand.K`. */
function source(texts: Record<string, string>): (key: string) => string | undefined {
  return (key) => texts[key];
}

describe("assert events: the expression and its operands' values", () => {
  const x = addr("a", "x");
  const goals = [
    {
      name: "g",
      asserts: [
        { expr: eq(ref(x, "generation"), lit(2)), message: "x updated twice", checkedAtPlan: false },
        { expr: { op: "binary" as const, o: ">", l: ref(x, "generation"), r: ref(x, "nope") }, message: null, checkedAtPlan: false },
        { expr: eq(ref(x, "secret"), lit("guess")), message: null, checkedAtPlan: false },
        { expr: ref(x, "flag"), message: null, checkedAtPlan: false },
        { expr: lit(true), message: null, checkedAtPlan: true },
      ],
    },
  ];
  const texts = source({
    "a#goal.g[0].expr": "x.generation ==\n      2",
    "a#goal.g[0].operand.0": "x.generation",
    "a#goal.g[0].operand.1": "2",
    "a#goal.g[1].expr": "x.generation > x.nope",
    "a#goal.g[1].operand.0": "x.generation",
    "a#goal.g[1].operand.1": "x.nope",
    "a#goal.g[2].expr": 'x.secret == "guess"',
    "a#goal.g[2].operand.0": "x.secret",
    "a#goal.g[2].operand.1": '"guess"',
    "a#goal.g[3].expr": "x.flag",
    "a#goal.g[4].expr": "1 < 2",
    "a#goal.g[4].operand.0": "1",
    "a#goal.g[4].operand.1": "2",
  });

  it("records expr on one line and each non-literal operand with its value; sensitive masked, unevaluable null", async () => {
    const w = new FakeWorld();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", spec: { v: 1 } }], goals }]);
    // The secret and the flag reach the read-back record the way a provider would return them.
    const inst = w.instance();
    const provider = { ...inst, create: async (t: string, attrs: Record<string, never>, ctx: never) => ({ ...(await inst.create(t, attrs, ctx))!, secret: "hunter2", flag: false }) };
    const r = await runPlan({ ...input(w, b), providers: () => provider, sourceText: texts });
    const asserts = r.trace.filter((e) => e.phase === "assert");
    expect(asserts.map((e) => [e.index, e.ok, e.expr, e.operands])).toEqual([
      [0, false, "x.generation == 2", [{ text: "x.generation", value: 1 }]],
      [1, false, "x.generation > x.nope", [{ text: "x.generation", value: 1 }, { text: "x.nope", value: null }]],
      [2, false, 'x.secret == "guess"', [{ text: "x.secret", value: "(sensitive)" }]],
      [3, false, "x.flag", [{ text: "x.flag", value: false }]],
      // Settled at compile time: nothing to show beyond the expression.
      [4, true, "1 < 2", []],
    ]);
    expect(JSON.stringify(r.trace)).not.toContain("hunter2");
  });

  it("without the source, assert events are as before (no expr, no operands)", async () => {
    const w = new FakeWorld();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x" }], goals }]);
    const r = await runPlan(input(w, b));
    for (const e of r.trace.filter((e) => e.phase === "assert")) {
      expect(e.expr).toBeUndefined();
      expect(e.operands).toBeUndefined();
    }
  });
});
