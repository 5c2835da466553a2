import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callBuiltin } from "../../../src/lang/builtins.js";
import { compile } from "../../../src/lang/compile.js";
import { memoryProjectFiles, memoryFileReader } from "../../../src/lang/file-reader.js";
import { globToRegex } from "../../../src/lang/functions/filesystem.js";
import { caller } from "./call.js";
import type { Json } from "../../../src/program/types.js";

const enc = (s: string) => new TextEncoder().encode(s);
const FILES = new Map<string, Uint8Array>([
  ["main.lxm", enc("")],
  ["hello.txt", enc("Hello World")],
  ["files/hello.txt", enc("Hello")],
  ["files/world.txt", enc("World")],
  ["files/notes.md", enc("#")],
  ["files/deep/a.txt", enc("a")],
  ["files/deep/er/b.txt", enc("b")],
  ["bin/blob", new Uint8Array([0, 255, 128, 10])],
  ["mod/app.lxm", enc("")],
]);
const tree = memoryProjectFiles(FILES);
const { call, problem } = caller({ tree });
const callIn = (file: string, fn: string, ...args: Json[]) => caller({ file, tree }).call(fn, ...args);

describe("filesystem functions (Terraform's examples; paths relative to the calling .lxm file)", () => {
  it("fileexists", () => {
    expect(call("fileexists", "hello.txt")).toBe(true);
    expect(call("fileexists", "nope.txt")).toBe(false);
    expect(callIn("mod/app.lxm", "fileexists", "../hello.txt")).toBe(true);
    expect(problem("fileexists", "../outside.txt")).toContain("points outside the project");
    expect(problem("fileexists", "/etc/passwd")).toContain("points outside the project");
  });
  it("fileset", () => {
    expect(call("fileset", ".", "files/*.txt")).toEqual(["files/hello.txt", "files/world.txt"]);
    expect(call("fileset", ".", "files/{hello,world}.txt")).toEqual(["files/hello.txt", "files/world.txt"]);
    expect(call("fileset", "files", "*")).toEqual(["hello.txt", "notes.md", "world.txt"]);
    expect(call("fileset", "files", "**")).toEqual(["deep/a.txt", "deep/er/b.txt", "hello.txt", "notes.md", "world.txt"]);
    expect(call("fileset", "files", "**/*.txt")).toEqual(["deep/a.txt", "deep/er/b.txt", "hello.txt", "world.txt"]);
    expect(call("fileset", "files", "deep/**/b.txt")).toEqual(["deep/er/b.txt"]);
    expect(call("fileset", "files", "?????.txt")).toEqual(["hello.txt", "world.txt"]);
    expect(call("fileset", "files", "[a-h]*")).toEqual(["hello.txt"]);
    expect(call("fileset", "files", "[!a-h]*")).toEqual(["notes.md", "world.txt"]);
    expect(callIn("mod/app.lxm", "fileset", "../files", "*.md")).toEqual(["notes.md"]);
    expect(call("fileset", "missing", "*")).toEqual([]);
    expect(problem("fileset", "..", "*")).toContain("points outside the project");
    expect(problem("fileset", ".", "files/[a")).toContain("a `[` has no closing `]`");
    expect(problem("fileset", ".", "{a,b")).toContain("a `{` has no closing `}`");
  });
  it("a hostile pattern is matched in linear time (RE2)", () => {
    const many = new Map<string, Uint8Array>([[`${"a".repeat(5000)}`, enc("")]]);
    const out = callBuiltin("fileset", [".", "*a*a*a*a*a*a*a*a*a*a*a*b"], { file: "main.lxm", tree: memoryProjectFiles(many) });
    expect(out).toEqual([]);
  });
  it("filebase64 and the file hashes read bytes, not text", () => {
    expect(call("filebase64", "hello.txt")).toBe("SGVsbG8gV29ybGQ=");
    expect(call("filebase64", "bin/blob")).toBe("AP+ACg==");
    const bytes = FILES.get("bin/blob")!;
    expect(call("filemd5", "bin/blob")).toBe(createHash("md5").update(bytes).digest("hex"));
    expect(call("filesha1", "hello.txt")).toBe("0a4d55a8d778e5022fab701977c5d840bbc486d0");
    expect(call("filesha256", "hello.txt")).toBe("a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e");
    expect(call("filesha512", "hello.txt")).toBe(createHash("sha512").update("Hello World").digest("hex"));
    expect(call("filebase64sha256", "hello.txt")).toBe("pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4=");
    expect(call("filebase64sha512", "hello.txt")).toBe(createHash("sha512").update("Hello World").digest("base64"));
    expect(problem("filesha256", "nope.txt")).toContain("no such file in the project");
  });
  it("works through the compiler, and only at compile time", () => {
    const r = compile([{ path: "main.lxm", text: 'domain d {\n  let x = { n = length(fileset(".", "files/*.txt")), h = filesha256("hello.txt"), e = fileexists("x") }\n  export x\n}\n' }], {
      readFile: memoryFileReader(FILES),
      tree,
    });
    expect(r.diagnostics).toEqual([]);
    expect((r.program!.domains["d"]!.exports["x"] as { value: unknown }).value).toEqual({ n: 2, h: "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e", e: false });
    const late = compile([{ path: "main.lxm", text: 'domain d {\n  let x = fileexists(secret("P"))\n}\n' }], { tree });
    expect(late.diagnostics.map((d) => d.code)).toEqual(["LXM2040"]);
  });
});

describe("fileset patterns", () => {
  it("`*` and `?` never cross a `/`; `**` spans directories", () => {
    const re = (p: string) => new RegExp((globToRegex(p) as string));
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z.]{1,4}$/), { minLength: 1, maxLength: 4 }), (segs) => {
        const p = segs.join("/");
        expect(re("*").test(p)).toBe(segs.length === 1);
        expect(re("**").test(p)).toBe(true);
        expect(re(segs.map(() => "*").join("/")).test(p)).toBe(true);
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});
