import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { call, problem } from "./call.js";

/**
 * The examples on the pages of Terraform's function reference
 * (developer.hashicorp.com/terraform/language/functions/<name>) for the functions Lexum had
 * first, each as expression → value or error.
 */
/** An expression through the compiler: its value, or its diagnostics. */
function value(expr: string): unknown {
  const r = compile([{ path: "main.lxm", text: `domain d {\n  let x = ${expr}\n  export x\n}\n` }]);
  if (r.diagnostics.length > 0) return r.diagnostics.map((d) => `${d.code} ${d.message}`);
  return (r.program!.domains["d"]!.exports["x"] as { value: unknown }).value;
}

describe("Terraform's reference examples: collection functions", () => {
  it("length (characters are grapheme clusters)", () => {
    expect(call("length", [])).toBe(0);
    expect(call("length", ["a", "b"])).toBe(2);
    expect(call("length", { a: "b" })).toBe(1);
    expect(call("length", "hello")).toBe(5);
    expect(call("length", "👾🕹️")).toBe(2);
    expect(call("length", "💃🏾")).toBe(1);
    expect(call("len", "💃🏾")).toBe(1);
    expect(call("length", "a\r\nb")).toBe(3);
  });
  it("keys, values", () => {
    expect(call("keys", { a: 1, c: 2, d: 3 })).toEqual(["a", "c", "d"]);
    expect(call("values", { a: 3, c: 2, d: 1 })).toEqual([3, 2, 1]);
  });
  it("concat, merge, contains", () => {
    expect(call("concat", ["a", ""], ["b", "c"])).toEqual(["a", "", "b", "c"]);
    expect(call("merge", { a: "b", c: "d" }, { e: "f", c: "z" })).toEqual({ a: "b", c: "z", e: "f" });
    expect(call("merge", { a: "b" }, { a: [1, 2], c: "z" }, { d: 3 })).toEqual({ a: [1, 2], c: "z", d: 3 });
    expect(value('merge([{ a = "b", c = "d" }, {}, { e = "f", c = "z" }]...)')).toEqual({ a: "b", c: "z", e: "f" });
    expect(call("contains", ["a", "b", "c"], "a")).toBe(true);
    expect(call("contains", ["a", "b", "c"], "d")).toBe(false);
  });
  it("range", () => {
    expect(call("range", 3)).toEqual([0, 1, 2]);
    expect(call("range", 1, 4)).toEqual([1, 2, 3]);
    expect(call("range", 1, 8, 2)).toEqual([1, 3, 5, 7]);
    expect(call("range", 1, 4, 0.5)).toEqual([1, 1.5, 2, 2.5, 3, 3.5]);
    expect(call("range", 4, 1)).toEqual([4, 3, 2]);
    expect(call("range", 10, 5, -2)).toEqual([10, 8, 6]);
  });
});

describe("Terraform's reference examples: string functions", () => {
  it("lower, upper (any script)", () => {
    expect(call("lower", "HELLO")).toBe("hello");
    expect(call("lower", "АЛЛО!")).toBe("алло!");
    expect(call("upper", "hello")).toBe("HELLO");
    expect(call("upper", "алло!")).toBe("АЛЛО!");
  });
  it("trim", () => {
    expect(call("trim", "?!hello?!", "!?")).toBe("hello");
    expect(call("trim", "foobar", "far")).toBe("oob");
    expect(call("trim", "   hello! world.!  ", "! ")).toBe("hello! world.");
  });
  it("join, split", () => {
    expect(call("join", "-", ["foo", "bar", "baz"])).toBe("foo-bar-baz");
    expect(call("join", ", ", ["foo", "bar", "baz"])).toBe("foo, bar, baz");
    expect(call("join", ", ", ["foo"])).toBe("foo");
    expect(call("split", ",", "foo")).toEqual(["foo"]);
    expect(call("split", ",", "foo,bar,baz")).toEqual(["foo", "bar", "baz"]);
    expect(call("split", ",", "foo,")).toEqual(["foo", ""]);
    expect(call("split", ",", "")).toEqual([""]);
  });
  it("replace", () => {
    expect(call("replace", "1 + 2 + 3", "+", "-")).toBe("1 - 2 - 3");
    expect(call("replace", "hello world", "/w.*d/", "everybody")).toBe("hello everybody");
  });
});

describe("Terraform's reference examples: numeric functions", () => {
  it("min, max (with expansion), abs, floor, ceil", () => {
    expect(call("min", 12, 54, 3)).toBe(3);
    expect(value("min([12, 54, 3]...)")).toBe(3);
    expect(call("max", 12, 54, 3)).toBe(54);
    expect(value("max([12, 54, 3]...)")).toBe(54);
    expect(call("abs", 23)).toBe(23);
    expect(call("abs", 0)).toBe(0);
    expect(call("abs", -12.4)).toBe(12.4);
    expect(call("floor", 5)).toBe(5);
    expect(call("floor", 4.9)).toBe(4);
    expect(call("ceil", 5)).toBe(5);
    expect(call("ceil", 5.1)).toBe(6);
  });
});

describe("Terraform's reference examples: type conversion", () => {
  it("tostring, tonumber", () => {
    expect(call("tostring", "hello")).toBe("hello");
    expect(call("tostring", 1)).toBe("1");
    expect(call("tostring", true)).toBe("true");
    expect(call("tostring", null)).toBeNull();
    expect(problem("tostring", [])).toBe("argument 1 of `tostring` must be a string, number or bool, got list");
    expect(call("tonumber", 1)).toBe(1);
    expect(call("tonumber", "1")).toBe(1);
    expect(call("tonumber", null)).toBeNull();
    expect(problem("tonumber", "no")).toBe('`tonumber`: "no" is not a number');
  });
});

describe("Terraform's reference examples: encoding functions", () => {
  it("jsonencode, jsondecode", () => {
    expect(call("jsonencode", { hello: "world" })).toBe('{"hello":"world"}');
    expect(call("jsondecode", '{"hello": "world"}')).toEqual({ hello: "world" });
    expect(call("jsondecode", "true")).toBe(true);
  });
  it("yamlencode (Terraform's style: quoted keys and strings, sequences not indented)", () => {
    expect(call("yamlencode", { a: "b", c: "d" })).toBe('"a": "b"\n"c": "d"\n');
    expect(call("yamlencode", { foo: [1, 2, 3], bar: "baz" })).toBe('"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n');
    expect(call("yamlencode", { foo: [1, { a: "b", c: "d" }, 3], bar: "baz" })).toBe('"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n');
  });
  it("yamldecode", () => {
    expect(call("yamldecode", "hello: world")).toEqual({ hello: "world" });
    expect(call("yamldecode", "true")).toBe(true);
    expect(call("yamldecode", "{a: &foo [1, 2, 3], b: *foo}")).toEqual({ a: [1, 2, 3], b: [1, 2, 3] });
    expect(problem("yamldecode", "{a: &foo [1, *foo, 3]}")).toContain("yamldecode");
    expect(problem("yamldecode", "{a: !not-supported foo}")).toContain("yamldecode");
  });
  it("base64encode, base64decode", () => {
    expect(call("base64encode", "Hello World")).toBe("SGVsbG8gV29ybGQ=");
    expect(call("base64decode", "SGVsbG8gV29ybGQ=")).toBe("Hello World");
  });
});
