import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { formatSource } from "../../../src/lang/format.js";
import { evaluateResidual } from "../../../src/lang/residual.js";
import type { Residual } from "../../../src/program/types.js";

function compiled(expr: string, lets = "") {
  return compile([{ path: "main.lxm", text: `domain d {\n${lets}  let x = ${expr}\n  export x\n}\n` }]);
}
/** The exported value of `x`, or the diagnostics. */
function value(expr: string, lets = ""): unknown {
  const r = compiled(expr, lets);
  if (r.diagnostics.length > 0) return r.diagnostics.map((d) => `${d.code} ${d.message}`);
  return (r.program!.domains["d"]!.exports["x"] as { value: unknown }).value;
}
function atApply(expr: string, secret: string, lets = ""): unknown {
  const r = compiled(expr, lets);
  expect(r.diagnostics).toEqual([]);
  const ex = r.program!.domains["d"]!.exports["x"] as { kind: string; value: { expr: Residual } };
  expect(ex.kind).toBe("deferred");
  return evaluateResidual(ex.value.expr, { ref: () => undefined, res: () => undefined, secret: () => secret });
}

const USERS = '  let users = [{ name = "ana", role = "admin" }, { name = "bob", role = "user" }, { name = "cy", role = "admin" }]\n';
const LIST = '  let list = [{ id = "a", interfaces = [{ name = "eth0" }, { name = "eth1" }] }, { id = "b", interfaces = [{ name = "en0" }] }]\n';

describe("the for forms Terraform users write", () => {
  it("[for … : … if …]", () => {
    expect(value('[for s in ["a", "", "b"] : upper(s) if s != ""]')).toEqual(["A", "B"]);
  });
  it("{for … : k => v...} groups the values of equal keys (Terraform's example)", () => {
    expect(value("{for u in users : u.role => u.name...}", USERS)).toEqual({ admin: ["ana", "cy"], user: ["bob"] });
    expect(value('{for u in users : u.role => u.name... if u.name != "cy"}', USERS)).toEqual({ admin: ["ana"], user: ["bob"] });
    // Without `...` equal keys are an error, as in Terraform.
    expect(value("{for u in users : u.role => u.name}", USERS)).toEqual(['LXM2046 duplicate key "admin" in object']);
    expect(atApply('{for p in split(",", secret("S")) : substr(p, 0, 1) => p...}', "ab,ac,b")).toEqual({ value: { a: ["ab", "ac"], b: ["b"] } });
  });
  it("splat: list[*].attr and list[*].attr[0].name (Terraform's examples)", () => {
    expect(value("list[*].id", LIST)).toEqual(["a", "b"]);
    expect(value("list[*].interfaces[0].name", LIST)).toEqual(["eth0", "en0"]);
    expect(value("[for o in list : o.interfaces[0].name]", LIST)).toEqual(["eth0", "en0"]);
    expect(value("list[*]", LIST)).toEqual(value("list", LIST));
    // A value that is not a list becomes a list of it; null an empty list.
    expect(value('{ id = "x" }[*].id')).toEqual(["x"]);
    expect(value("n[*]", "  let n = null\n")).toEqual([]);
    expect(value("[[1, 2], [3]][*][0]")).toEqual([1, 3]);
    expect(value("list[*].nope", LIST)).toEqual(["LXM2035 no attribute `nope` here"]);
  });
  it("the attribute-only splat .* takes only the attribute accesses after it", () => {
    // Terraform's page: `list.*.interfaces[0].name` means `[for o in list : o.interfaces][0].name`.
    expect(value("list.*.interfaces[0]", LIST)).toEqual([{ name: "eth0" }, { name: "eth1" }]);
    expect(value("list.*.interfaces[0].name", LIST)).toEqual(["LXM2030 `.name` must be applied to an object, got list"]);
    expect(value("list.*.id", LIST)).toEqual(["a", "b"]);
  });
  it("a splat over a value known only at apply is finished then", () => {
    expect(atApply('jsondecode(secret("S"))[*].id', '[{"id":1},{"id":2}]')).toEqual({ value: [1, 2] });
    expect(atApply('jsondecode(secret("S"))[*].id', '{"id":7}')).toEqual({ value: [7] });
  });
  it("lxm fmt keeps splats and grouping", () => {
    const src = "domain d {\n  let a = list[*].interfaces[0].name\n  let b = list.*.id\n  let c = {for u in users: u.role => u.name... if u.name != \"\"}\n}\n";
    const f = formatSource("m.lxm", src);
    expect(f.diagnostics).toEqual([]);
    expect(f.text).toBe(src);
  });
});
