import { describe, expect, test } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { evaluateResidual } from "../../src/lang/residual.js";
import { binaryOp, deepEqual, EvalFailure, hasPoison, indexOf, interpolationText, isKnown, KNOWN, POISON, POISONED, Unknown, UNKNOWN, valueState } from "../../src/lang/values.js";
import type { Value } from "../../src/lang/values.js";
import { canonicalize } from "../../src/program/canonical.js";
import type { Residual } from "../../src/program/types.js";

const letValue = (expr: string): unknown => {
  const r = compile([{ path: "m.lxm", text: `domain d {\n export v = ${expr}\n}` }]);
  if (!r.program) return r.diagnostics.map((d) => d.code);
  const ex = r.program.domains["d"]!.exports["v"]!;
  return ex.kind === "value" ? ex.value : ex;
};

describe("operators", () => {
  test("arithmetic, strings, comparison, deep equality", () => {
    expect(binaryOp("+", "a", "b")).toBe("ab");
    expect(binaryOp("%", 7, 3)).toBe(1);
    expect(binaryOp("<", "a", "b")).toBe(true);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(() => binaryOp("*", 2 ** 52, 4)).toThrow(EvalFailure);
    expect(() => binaryOp("/", 1, 0)).toThrow(EvalFailure);
    expect(() => indexOf([1], 1)).toThrow(EvalFailure);
  });
});

describe("value helpers", () => {
  test("valueState agrees with hasPoison and isKnown", () => {
    const u = new Unknown({ op: "secret", name: "s" }, true);
    const values: Value[] = [null, 1, "s", true, [], {}, u, POISON, [1, u], [u, POISON], { a: { b: [u] } }, { a: 1, b: { c: POISON }, d: u }, [[[1]]]];
    for (const v of values) {
      const want = hasPoison(v) ? POISONED : isKnown(v) ? KNOWN : UNKNOWN;
      expect(valueState(v)).toBe(want);
    }
  });
  test("interpolationText writes numbers and bools in canonical form", () => {
    for (const v of [0, -0, 1.5, -2, 1e21, 1e-7, 123456789012345, 0.1 + 0.2, true, false]) expect(interpolationText(v)).toBe(canonicalize(v));
  });
});

describe("compile-time evaluation", () => {
  test("expressions fold to JSON", () => {
    expect(letValue(`1 + 2 * 3`)).toBe(7);
    expect(letValue(`[for x in [1, 2, 3]: x * 2 if x != 2]`)).toEqual([2, 6]);
    expect(letValue(`{for k, v in { a = 1, b = 2 }: upper(k) => v}`)).toEqual({ A: 1, B: 2 });
    expect(letValue(`true ? "y" : "n"`)).toBe("y");
    expect(letValue(`false && nope_is_not_evaluated == 1`)).toEqual(["LXM2003"]);
    expect(letValue(`2m + 500ms`)).toBe(120500);
    // A literal interpolated directly renders as its value, exactly as through a name.
    expect(letValue(`"\${30s}|\${1.50}|\${2e3}"`)).toBe("30000|1.5|2000");
    expect(letValue(`"\${30s}"`)).toBe(letValue(`"\${[30s][0]}"`));
    expect(letValue(`"""\n    a\n      b\n    """`)).toBe("a\n  b");
  });
  test("let order does not matter", () => {
    const r = compile([{ path: "m.lxm", text: `domain d {\n export z = y + 1\n let y = x * 2\n let x = 3\n}` }]);
    expect(r.program!.domains["d"]!.exports["z"]).toEqual({ kind: "value", value: 7 });
  });
  test("unknowns flow through comprehensions as residuals, evaluated later by the runtime", () => {
    const r = compile([
      {
        path: "m.lxm",
        text: `domain d {\n provider fs { root = "o" }\n resource fs.file f {\n path = "f"\n }\n export v = [for x in [1, 2]: f.size + x]\n export s = "\${secret("K")}!"\n}`,
      },
    ]);
    const v = r.program!.domains["d"]!.exports["v"]!;
    expect(v.kind).toBe("deferred");
    const expr = (v as { value: { expr: Residual } }).value.expr;
    const env = { ref: (a: string, attr: string) => (a === "d/fs.file.f" && attr === "size" ? 10 : undefined), res: () => undefined, secret: (n: string) => (n === "K" ? "sh" : undefined) };
    expect(evaluateResidual(expr, env)).toEqual({ value: [11, 12] });
    const s = r.program!.domains["d"]!.exports["s"]!;
    expect(s).toEqual({ kind: "deferred", value: { expr: { op: "interp", parts: [{ op: "secret", name: "K" }, { op: "lit", value: "!" }] }, sensitive: true } });
    expect(evaluateResidual((s as { value: { expr: Residual } }).value.expr, env)).toEqual({ value: "sh!" });
  });
});

describe("evaluateResidual", () => {
  const env = { ref: () => undefined, res: () => ({ a: 1 }), secret: () => undefined };
  test("shares built-ins and operators; reports errors as text", () => {
    expect(evaluateResidual({ op: "call", fn: "upper", args: [{ op: "lit", value: "x" }] }, env)).toEqual({ value: "X" });
    expect(evaluateResidual({ op: "binary", o: "/", l: { op: "lit", value: 1 }, r: { op: "lit", value: 0 } }, env)).toEqual({ error: "division by zero in `/`" });
    expect(evaluateResidual({ op: "member", x: { op: "res", address: "d/x.y" }, name: "a" }, env)).toEqual({ value: 1 });
    expect(evaluateResidual({ op: "ref", address: "d/x.y", attr: "z" }, env)).toEqual({ error: "d/x.y.z is not available" });
    expect(evaluateResidual({ op: "secret", name: "S" }, env)).toEqual({ error: 'secret "S" is not available' });
    expect(evaluateResidual({ op: "call", fn: "file", args: [{ op: "lit", value: "x" }] }, env)).toHaveProperty("error");
    expect(
      evaluateResidual(
        { op: "objcomp", vars: ["k", "v"], src: { op: "lit", value: { a: 1, b: 2 } }, key: { op: "var", name: "k" }, value: { op: "binary", o: "*", l: { op: "var", name: "v" }, r: { op: "lit", value: 10 } }, cond: null },
        env,
      ),
    ).toEqual({ value: { a: 10, b: 20 } });
  });
});
