import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { call, problem } from "./call.js";

/** The diagnostics of `let x = <expr>` compiled as a program. */
function diagnostics(expr: string): string[] {
  const r = compile([{ path: "main.lxm", text: `domain d {\n  let x = ${expr}\n  export x\n}\n` }]);
  return r.diagnostics.map((d) => `${d.code} ${d.message}`);
}

describe("range, as Terraform documents it", () => {
  it("gives the reference's examples", () => {
    expect(call("range", 3)).toEqual([0, 1, 2]);
    expect(call("range", 1, 4)).toEqual([1, 2, 3]);
    expect(call("range", 1, 8, 2)).toEqual([1, 3, 5, 7]);
    expect(call("range", 1, 4, 0.5)).toEqual([1, 1.5, 2, 2.5, 3, 3.5]);
    expect(call("range", 4, 1)).toEqual([4, 3, 2]);
    expect(call("range", 10, 5, -2)).toEqual([10, 8, 6]);
  });
  it("counts down by default only when the limit is below the start; a step against the direction gives nothing", () => {
    expect(call("range", -3)).toEqual([0, -1, -2]);
    expect(call("range", 2, 2)).toEqual([]);
    expect(call("range", 1, 4, -1)).toEqual([]);
  });
});

describe("length, Terraform's name, and len", () => {
  it("are the same function", () => {
    for (const fn of ["length", "len"]) {
      expect(call(fn, [])).toBe(0);
      expect(call(fn, ["a", "b"])).toBe(2);
      expect(call(fn, { a: 1, b: 2 })).toBe(2);
      expect(call(fn, "hello")).toBe(5);
      expect(call(fn, "💃")).toBe(1);
      expect(problem(fn, 5)).toContain(`\`${fn}\``);
    }
  });
});

describe("yamldecode refuses what would decode into something else or blow up", () => {
  it("an unknown tag", () => {
    expect(problem("yamldecode", "{a: !not-supported foo}")).toBe(
      "`yamldecode`: the tag !not-supported is not one of the YAML 1.2 core schema's (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map)",
    );
    // The core schema's own tags are fine.
    expect(call("yamldecode", "a: !!str 1")).toEqual({ a: "1" });
  });
  it("a recursive alias, as a located error (it crashed the compiler)", () => {
    expect(problem("yamldecode", "{a: &foo [1, *foo, 3]}")).toBe("`yamldecode`: the alias *foo sits inside the node it names (a recursive structure)");
    expect(diagnostics('yamldecode("{a: &foo [1, *foo, 3]}")')).toEqual(["LXM2044 `yamldecode`: the alias *foo sits inside the node it names (a recursive structure)"]);
    // A plain alias is expanded.
    expect(call("yamldecode", "a: &x [1, 2]\nb: *x")).toEqual({ a: [1, 2], b: [1, 2] });
  });
  it("the billion laughs: more than 100 alias expansions", () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const p = String.fromCharCode(96 + i);
      const q = String.fromCharCode(97 + i);
      rows.push(`${q}: &${q} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`);
    }
    expect(problem("yamldecode", rows.join("\n"))).toMatch(/^`yamldecode`: not valid YAML \(Excessive alias count/);
  });
  it("a key given twice", () => {
    expect(problem("yamldecode", "a: 1\na: 2")).toMatch(/^`yamldecode`: not valid YAML \(Map keys must be unique/);
  });
  it("no process warning is printed for a refused tag", () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on("warning", listener);
    try {
      problem("yamldecode", "{a: !other x}");
    } finally {
      process.off("warning", listener);
    }
    expect(warnings).toEqual([]);
  });
});

describe("jsondecode refuses a key given twice", () => {
  it("at any depth", () => {
    expect(problem("jsondecode", '{"a": 1, "a": 2}')).toBe('`jsondecode`: the key "a" is given twice in one object');
    expect(problem("jsondecode", '[{"x": {"k": 1, "k\\u0041": 2, "k": 3}}]')).toBe('`jsondecode`: the key "k" is given twice in one object');
    // The same key in two objects, or as a value, is fine.
    expect(call("jsondecode", '[{"a": "a"}, {"a": 1}]')).toEqual([{ a: "a" }, { a: 1 }]);
  });
});

describe("numbers: literals, jsondecode and yamldecode agree", () => {
  const inexact = (t: string) => `the number ${t} cannot be represented exactly (integers must lie within ±2^53, and numbers must be finite)`;
  it("on 2^53 + 1: refused everywhere, naming the number as written", () => {
    expect(diagnostics("9007199254740993")[0]).toMatch(/^LXM1007 /);
    expect(problem("jsondecode", "9007199254740993")).toBe(`\`jsondecode\`: ${inexact("9007199254740993")}`);
    expect(problem("yamldecode", "x: 9007199254740993")).toBe(`\`yamldecode\`: ${inexact("9007199254740993")}`);
  });
  it("on 2^53 and 1e21: accepted everywhere (each denotes its double exactly)", () => {
    expect(diagnostics("9007199254740992")).toEqual([]);
    expect(diagnostics("1e21")).toEqual([]);
    expect(call("jsondecode", "[9007199254740992, 1e21, -1e21]")).toEqual([9007199254740992, 1e21, -1e21]);
    expect(call("yamldecode", "[9007199254740992, 1e21]")).toEqual([9007199254740992, 1e21]);
  });
  it("on ordinary numbers and fractions", () => {
    expect(call("jsondecode", "[0, -0, 1.5, 0.1, 1e-7, 123]")).toEqual([0, 0, 1.5, 0.1, 1e-7, 123]);
    expect(call("yamldecode", "[0, 1.5, 0x10, 0o17, .5]")).toEqual([0, 1.5, 16, 15, 0.5]);
  });
});
