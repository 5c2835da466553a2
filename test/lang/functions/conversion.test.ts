import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { evaluateResidual } from "../../../src/lang/residual.js";
import type { ResidualEnv } from "../../../src/lang/residual.js";
import type { Residual } from "../../../src/program/types.js";

function compiled(expr: string, lets: string) {
  return compile([{ path: "main.lxm", text: `domain d {\n${lets}  let x = ${expr}\n  export x\n}\n` }]);
}
/** The exported value of `x`, or the diagnostics. */
function value(expr: string, lets = ""): unknown {
  const r = compiled(expr, lets);
  if (r.diagnostics.length > 0) return r.diagnostics.map((d) => `${d.code} ${d.message}`);
  return (r.program!.domains["d"]!.exports["x"] as { value: unknown }).value;
}
/** The residual and its flag when `x` is known only at apply. */
function deferred(expr: string, lets = ""): { expr: Residual; sensitive: boolean } {
  const r = compiled(expr, lets);
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  const ex = r.program!.domains["d"]!.exports["x"] as { kind: string; value: { expr: Residual; sensitive: boolean } };
  expect(ex.kind).toBe("deferred");
  return ex.value;
}
const env = (secrets: Record<string, string>): ResidualEnv => ({ ref: () => undefined, res: () => undefined, secret: (n) => secrets[n] });
const FOO = '  let foo = { bar = "baz" }\n';

describe("can and try (Terraform's examples)", () => {
  it("can tells whether an expression evaluates without an error", () => {
    expect(value("can(foo.bar)", FOO)).toBe(true);
    expect(value("can(foo.boop)", FOO)).toBe(false);
    expect(value('can(regex("^ami-", "ami-123"))')).toBe(true);
    expect(value('can(regex("^ami-", "img-123"))')).toBe(false);
    // Only errors of evaluation are caught: an undeclared name is an error of the program.
    expect(value("can(nonexist)")).toEqual(["LXM2003 unknown name `nonexist`"]);
  });
  it("try gives the first argument that succeeds and evaluates no further", () => {
    expect(value('try(foo.boop, "fallback")', FOO)).toBe("fallback");
    expect(value('try(foo.bar, "fallback")', FOO)).toBe("baz");
    const raw = '  let raw_value = yamldecode("name: web\\n")\n';
    expect(value("{ name = tostring(try(raw_value.name, null)), groups = try(raw_value.groups, []) }", raw)).toEqual({ name: "web", groups: [] });
    expect(value('try(tostring(example), tolist(example))', '  let example = ["a"]\n')).toEqual(["a"]);
    expect(value('try(foo.bar, range(-1))', FOO)).toBe("baz");
  });
  it("reports every argument's own error when none succeeds", () => {
    expect(value("try(foo.a, foo.b)", FOO)).toEqual(["LXM2035 no attribute `a` here", "LXM2035 no attribute `b` here"]);
  });
  it("keeps an error in a declaration the argument refers to", () => {
    const r = compiled("try(bad, 1)", '  let bad = 1 + "a"\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2030"]);
  });
  it("leaves the decision to apply time when an argument is known only then", () => {
    const t = deferred('try(jsondecode(secret("CFG")).port, 8080)');
    expect(t.sensitive).toBe(true);
    expect(evaluateResidual(t.expr, env({ CFG: '{"port": 9000}' }))).toEqual({ value: 9000 });
    expect(evaluateResidual(t.expr, env({ CFG: "{}" }))).toEqual({ value: 8080 });
    const c = deferred('can(jsondecode(secret("CFG")))');
    expect(evaluateResidual(c.expr, env({ CFG: "[1]" }))).toEqual({ value: true });
    expect(evaluateResidual(c.expr, env({ CFG: "{" }))).toEqual({ value: false });
    const all = deferred('try(jsondecode(secret("CFG")), jsondecode(secret("CFG2")))');
    const out = evaluateResidual(all.expr, env({ CFG: "{", CFG2: "[" })) as { error: string };
    expect(out.error).toMatch(/^`jsondecode` failed on a sensitive string \(from secret\("CFG2"\)\); the value and the details are not shown$/);
    const plain = deferred('try(tonumber(upper(secret("N")) == "" ? "x" : "y"), "z")');
    expect(evaluateResidual(plain.expr, env({ N: "a" }))).toEqual({ value: "z" });
  });
  it("is what it is with an expanded list (every element is already a value)", () => {
    expect(value("try([3, 4]...)")).toBe(3);
  });
});

describe("type", () => {
  it("describes a value in Terraform's notation", () => {
    expect(value('type("a")')).toBe("string");
    expect(value("type(1.5)")).toBe("number");
    expect(value("type(true)")).toBe("bool");
    expect(value("type(null)")).toBe("dynamic");
    expect(value('type(["a", 1])')).toBe("tuple([string, number])");
    expect(value('type({ b = [true], a = "x", "my key" = {} })')).toBe('object({a: string, b: tuple([bool]), "my key": object({})})');
  });
});

describe("sensitive, nonsensitive, issensitive", () => {
  it("marks a value so that it is deferred and shown as (sensitive)", () => {
    for (const lit of ["1", '"hello"', "[]"]) {
      const t = deferred(`sensitive(${lit})`);
      expect(t.sensitive).toBe(true);
      const taint = { sensitive: false };
      expect(evaluateResidual(t.expr, env({}), taint)).toEqual({ value: JSON.parse(lit) });
      expect(taint.sensitive).toBe(true);
    }
  });
  it("issensitive (Terraform's examples)", () => {
    expect(value('issensitive(sensitive("secret"))')).toBe(true);
    expect(value('issensitive("hello")')).toBe(false);
    expect(value('issensitive(secret("TOKEN"))')).toBe(true);
    expect(value('issensitive(upper(secret("TOKEN")))')).toBe(true);
  });
  it("nonsensitive takes off the marking of sensitive(), and a plain value stays as it is", () => {
    expect(value('nonsensitive(sensitive("x"))')).toBe("x");
    expect(value('nonsensitive("x")')).toBe("x");
    expect(value('nonsensitive(sensitive({ a = 1 }))')).toEqual({ a: 1 });
  });
  it("refuses to uncover a value computed from a secret, at compile time and at apply time", () => {
    expect(value('nonsensitive(sha256(secret("PW")))')).toEqual([
      "LXM2202 `nonsensitive` cannot uncover a value computed from a `secret()`: a secret never appears in clear",
    ]);
    const ok = { ref: () => "v", res: () => ({}), secret: () => undefined, sensitive: () => true };
    const expr: Residual = { op: "call", fn: "nonsensitive", args: [{ op: "ref", address: "d/sim.object.o", attr: "password" }] };
    const out = evaluateResidual(expr, ok) as { error: string };
    expect(out.error).toContain("cannot uncover a value computed from d/sim.object.o.password");
    expect(out.error).not.toContain('"v"');
    const marked: Residual = { op: "call", fn: "nonsensitive", args: [{ op: "call", fn: "sensitive", args: [{ op: "ref", address: "d/sim.object.o", attr: "name" }] }] };
    const taint = { sensitive: true };
    expect(evaluateResidual(marked, { ...ok, sensitive: () => false }, taint)).toEqual({ value: "v" });
    expect(taint.sensitive).toBe(false);
  });
});
