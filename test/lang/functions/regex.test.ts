import { describe, expect, it } from "vitest";
import { callBuiltin } from "../../../src/lang/builtins.js";
import { compile } from "../../../src/lang/compile.js";
import { EvalFailure } from "../../../src/lang/values.js";
import type { Json } from "../../../src/program/types.js";

const call = (fn: string, ...args: Json[]) => callBuiltin(fn, args, { file: "main.lxm" });
function problem(fn: string, ...args: Json[]): { text: string; at: number | null } {
  try {
    call(fn, ...args);
  } catch (e) {
    if (e instanceof EvalFailure) return { text: e.text, at: e.at };
    throw e;
  }
  throw new Error(`${fn} gave a value`);
}

describe("regex, regexall and replace with /pattern/ (Terraform's reference examples)", () => {
  it("regex: the match, the list of captures, the object of named captures", () => {
    expect(call("regex", "[a-z]+", "53453453.345345aaabbbccc23454")).toBe("aaabbbccc");
    expect(call("regex", "(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01")).toEqual(["2019", "02", "01"]);
    expect(call("regex", "^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")).toEqual({ authority: "terraform.io", scheme: "https" });
    expect(problem("regex", "[a-z]+", "53453453.34534523454")).toEqual({ text: "`regex`: the pattern did not match any part of the given string", at: 1 });
  });
  it("regex: an unmatched group is null; named and unnamed groups may not be mixed", () => {
    expect(call("regex", "a(x)?(b)", "ab")).toEqual([null, "b"]);
    expect(problem("regex", "(?P<a>x)(y)", "xy").text).toBe("`regex`: the pattern mixes named and unnamed capture groups");
  });
  it("regexall: every match", () => {
    expect(call("regexall", "[a-z]+", "1234abcd5678efgh9")).toEqual(["abcd", "efgh"]);
    expect(call("regexall", "[a-z]+", "123456789")).toEqual([]);
    expect(call("regexall", "(\\w)=(\\d)", "a=1 b=2")).toEqual([["a", "1"], ["b", "2"]]);
  });
  it("replace: text, or a regular expression between slashes with Go's template expansion", () => {
    expect(call("replace", "1 + 2 + 3", "+", "-")).toBe("1 - 2 - 3");
    expect(call("replace", "hello world", "/w.*d/", "everybody")).toBe("hello everybody");
    expect(call("replace", "2019-02-01", "/(\\d+)-(\\d+)-(\\d+)/", "$3.$2.$1")).toBe("01.02.2019");
    expect(call("replace", "ab", "/(?P<x>a)/", "${x}${x}-$$")).toBe("aa-$b");
    // Go reads `$1x` as the group named "1x" (none: empty); `${1}x` is group 1 then x.
    expect(call("replace", "ab", "/(a)/", "$1x")).toBe("b");
    expect(call("replace", "ab", "/(a)/", "${1}x")).toBe("axb");
    // A lone slash, or one at one end only, is text.
    expect(call("replace", "a/b", "/", "-")).toBe("a-b");
    expect(call("replace", "/x", "/x", "y")).toBe("y");
  });
  it("an invalid pattern is a located error naming RE2's complaint", () => {
    expect(problem("regex", "(a", "a")).toEqual({ text: "`regex`: not a valid regular expression (RE2 syntax): missing closing ): `(a`", at: 0 });
    expect(problem("replace", "a", "/(a/", "b").at).toBe(1);
    // Backreferences and lookarounds are not RE2: refused, not silently different.
    expect(problem("regex", "(a)\\1", "aa").text).toMatch(/not a valid regular expression/);
    expect(problem("regex", "a(?=b)", "ab").text).toMatch(/not a valid regular expression/);
  });
  it("a hostile pattern cannot hang the compiler: matching is linear", () => {
    const r = compile([{ path: "main.lxm", text: `domain d {\n  let a = "${"a".repeat(50_000)}"\n  let x = regexall("(a*)*b", a)\n  let y = replace(a, "/(a|aa)+$/", "z")\n  export x\n  export y\n}\n` }]);
    expect(r.diagnostics).toEqual([]);
    const exp = r.program!.domains["d"]!.exports;
    expect(exp["x"]).toEqual({ kind: "value", value: [] });
    expect(exp["y"]).toEqual({ kind: "value", value: "z" });
  });
});
