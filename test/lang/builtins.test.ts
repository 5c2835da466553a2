import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { BUILTINS, callBuiltin, resolveProjectPath } from "../../src/lang/builtins.js";
import { EvalFailure } from "../../src/lang/values.js";
import type { Json } from "../../src/program/types.js";

const call = (fn: string, ...args: Json[]) => callBuiltin(fn, args, { file: "dir/main.lxm", readFile: (p) => (p === "dir/a.txt" ? "A" : null) });
const failure = (fn: string, ...args: Json[]): EvalFailure => {
  try {
    call(fn, ...args);
  } catch (e) {
    if (e instanceof EvalFailure) return e;
    throw e;
  }
  throw new Error("expected a failure");
};

describe("built-ins (Terraform argument order)", () => {
  test("strings", () => {
    expect(call("join", "-", ["a", 1, true])).toBe("a-1-true");
    expect(call("split", ",", "a,b,,c")).toEqual(["a", "b", "", "c"]);
    expect(call("replace", "a.b.c", ".", "/")).toBe("a/b/c");
    expect(call("upper", "straße")).toBe("STRASSE");
    expect(call("lower", "ÀB")).toBe("àb");
    expect(call("trim", "  x \n")).toBe("x");
    expect(call("trim", "--x--", "-")).toBe("x");
    expect(call("format", "%s=%d %q %v %%", "a", 3, "q", [1])).toBe('a=3 "q" [1] %');
    expect(failure("format", "%s %s", "a").text).toContain("%s has no matching value");
  });
  test("collections", () => {
    expect(call("keys", { b: 1, a: 2 })).toEqual(["a", "b"]);
    expect(call("values", { b: 1, a: 2 })).toEqual([2, 1]);
    expect(call("len", "héllo")).toBe(5);
    expect(call("concat", [1], [2, 3])).toEqual([1, 2, 3]);
    expect(call("merge", { a: 1, b: 1 }, null, { b: 2 })).toEqual({ a: 1, b: 2 });
    expect(call("contains", [{ a: [1] }], { a: [1] })).toBe(true);
    expect(call("range", 3)).toEqual([0, 1, 2]);
    expect(call("range", 1, 10, 4)).toEqual([1, 5, 9]);
    expect(call("range", 3, 0, -1)).toEqual([3, 2, 1]);
    expect(failure("range", 0, 10, 0).at).toBe(2);
  });
  test("numbers and conversions", () => {
    expect(call("min", 3, 1, 2)).toBe(1);
    expect(call("max", 3, 1, 2)).toBe(3);
    expect(call("abs", -2.5)).toBe(2.5);
    expect(call("floor", -0.5)).toBe(-1);
    expect(Object.is(call("ceil", -0.5), 0)).toBe(true);
    expect(call("tostring", 1.5)).toBe("1.5");
    expect(call("tonumber", "42")).toBe(42);
    expect(failure("tonumber", "0x10").text).toContain("is not a number");
    expect(failure("tonumber", "9007199254740993").text).toContain("exact number range");
  });
  test("encodings and hashes", () => {
    expect(call("jsonencode", { b: [1, "x"], a: null })).toBe('{"a":null,"b":[1,"x"]}');
    expect(call("jsondecode", '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(failure("jsondecode", "{").text).toContain("not valid JSON");
    expect(call("yamlencode", { b: 1, a: "x" })).toBe('"a": "x"\n"b": 1\n');
    expect(call("yamldecode", "a: [1, 2]\nb: yes")).toEqual({ a: [1, 2], b: "yes" });
    expect(call("base64encode", "héllo")).toBe("aMOpbGxv");
    expect(call("base64decode", "aMOpbGxv")).toBe("héllo");
    expect(failure("base64decode", "a!").text).toContain("not valid base64");
    expect(call("sha256", "abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  test("type errors point at the argument", () => {
    const f = failure("join", ",", "notalist");
    expect(f.at).toBe(1);
    expect(f.text).toBe("argument 2 of `join` must be a list, got string");
  });
  test("file() reads relative to the calling file, never outside the project", () => {
    expect(call("file", "a.txt")).toBe("A");
    expect(failure("file", "../../x").make(undefined).code).toBe("LXM2042");
    expect(failure("file", "/etc/passwd").make(undefined).code).toBe("LXM2042");
    expect(failure("file", "b.txt").make(undefined).code).toBe("LXM2043");
    expect(resolveProjectPath("a/b/main.lxm", "../c/./d.txt")).toBe("a/c/d.txt");
    expect(resolveProjectPath("main.lxm", "..")).toBeNull();
  });
  test("docs/functions.md has one row per function, its first cell the function's signature", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../docs/functions.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `([a-z0-9_]+)(\(.*?\))` \|/gm)].map((m) => ({ name: m[1]!, signature: m[1]! + m[2]! }));
    // `[*]` is a splat's, written `xs[*]` (docs/language.md), never called by name.
    expect(rows.map((r) => r.name).sort()).toEqual([...BUILTINS.keys()].filter((n) => n !== "[*]").sort());
    for (const r of rows) expect(r.signature, r.name).toBe(BUILTINS.get(r.name)!.signature);
  });
});
