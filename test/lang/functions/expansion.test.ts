import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { formatSource } from "../../../src/lang/format.js";
import { evaluateResidual } from "../../../src/lang/residual.js";
import type { Residual } from "../../../src/program/types.js";

/** The exported value of `x`, or the diagnostics. */
function value(expr: string, lets = ""): unknown {
  const r = compile([{ path: "main.lxm", text: `domain d {\n${lets}  let x = ${expr}\n  export x\n}\n` }]);
  if (r.diagnostics.length > 0) return r.diagnostics.map((d) => `${d.code} ${d.message}`);
  return (r.program!.domains["d"]!.exports["x"] as { value: unknown }).value;
}

describe("argument expansion f(list...)", () => {
  it("expands the last argument's list into arguments (Terraform's examples)", () => {
    expect(value("max([12, 54, 3]...)")).toBe(54);
    expect(value("min([12, 54, 3]...)")).toBe(3);
    expect(value('concat(["a"], [["b"], ["c"]]...)')).toEqual(["a", "b", "c"]);
    expect(value("max(xs...)", "  let xs = [1, 9, 4]\n")).toBe(9);
    expect(value('join("-", ["a", "b"]...)')).toEqual([`LXM2009 \`join\` takes 2 arguments, got 3`]);
  });
  it("counts the arguments once the list is known", () => {
    expect(value("max([]...)")).toEqual(["LXM2009 `max` takes at least 1 argument, got 0"]);
    expect(value('upper(["a", "b"]...)')).toEqual(["LXM2009 `upper` takes 1 argument, got 2"]);
    expect(value('upper(["a"]...)')).toBe("A");
  });
  it("refuses `...` on a value that is not a list, and anywhere but after the last argument", () => {
    expect(value("max(5...)")).toEqual(["LXM2180 `...` expands a list into arguments, and this is a number"]);
    expect(value('max({a = 1}...)')).toEqual(["LXM2180 `...` expands a list into arguments, and this is an object"]);
    expect(value("max([1]..., 2)")).toEqual(["LXM1050 `...` may only follow a call's last argument"]);
  });
  it("keeps the call for apply when the list is known only then, and finishes it there", () => {
    const r = compile([{ path: "main.lxm", text: `domain d {\n  let xs = jsondecode(secret("NUMS"))\n  let x = max(xs...)\n  export x\n}\n` }]);
    expect(r.diagnostics).toEqual([]);
    const ex = r.program!.domains["d"]!.exports["x"] as { kind: string; value: { expr: Residual; sensitive: boolean } };
    expect(ex.kind).toBe("deferred");
    expect(ex.value.sensitive).toBe(true);
    const expr = ex.value.expr;
    expect(expr).toMatchObject({ op: "call", fn: "max", expand: true });
    const env = { ref: () => undefined, res: () => undefined, secret: () => "[3, 8, 1]" };
    expect(evaluateResidual(expr, env)).toEqual({ value: 8 });
    expect(evaluateResidual(expr, { ...env, secret: () => "7" })).toMatchObject({ error: expect.anything() });
  });
  it("is kept by lxm fmt, on one line and across lines", () => {
    expect(formatSource("m.lxm", "domain d {\n  let x = max( [1, 2]... )\n}\n").text).toBe("domain d {\n  let x = max([1, 2]...)\n}\n");
    const multi = "domain d {\n  let x = concat(\n    [1],\n    [[2], [3]]...,\n  )\n}\n";
    const f = formatSource("m.lxm", multi);
    expect(f.diagnostics).toEqual([]);
    expect(f.text).toBe(multi);
  });
});
