import { describe, expect, test } from "vitest";
import { compile, hashProgram } from "../../src/lang/compile.js";
import { lex, lexPacked } from "../../src/lang/lexer.js";
import { hashValue } from "../../src/program/canonical.js";
import type { Program } from "../../src/program/types.js";

const FS = `provider fs { root = "out" }`;

describe("TokenList (packed tokens)", () => {
  const src = [
    `domain d {`,
    `  let n = 12.5e1 + 0x10`,
    `  let t = 90s`,
    `  let s = "a\${n}b\\n"`,
    `  let m = """`,
    `    two \${t}`,
    `    """`,
    `  let bad = 'q' + 1ms5 + 1.5ms`,
    `}`,
    `"unterminated`,
  ].join("\n");

  test("reads back the very tokens lex returns, in any access order", () => {
    const objects = lex("p.lxm", src).tokens;
    const packed = lexPacked("p.lxm", src).tokens;
    expect(packed.length).toBe(objects.length);
    // Forward, backward and alternating reads (the parser's lookahead and recovery).
    for (let k = 0; k < packed.length; k++) expect(packed.at(k)).toEqual(objects[k]);
    for (let k = packed.length - 1; k >= 0; k--) expect(packed.at(k)).toEqual(objects[k]);
    for (let k = 0; k + 3 < packed.length; k++) {
      expect(packed.at(k + 3)).toEqual(objects[k + 3]);
      expect(packed.at(k)).toEqual(objects[k]);
    }
    // The fields that are absent on most tokens keep their exact value (undefined / false / true).
    expect(objects.some((t) => t.kind === "number" && t.value === 125)).toBe(true);
    expect(objects.some((t) => t.kind === "duration" && t.value === 90_000)).toBe(true);
    expect(objects.some((t) => t.multiline === true)).toBe(true);
    expect(objects.some((t) => t.multiline === false)).toBe(true);
  });

  test("grows past its first capacity (a file made of one-character tokens)", () => {
    const text = `domain d { let x = [${Array.from({ length: 3000 }, () => "1").join(",")}] }`;
    const objects = lex("g.lxm", text).tokens;
    const packed = lexPacked("g.lxm", text).tokens;
    expect(packed.length).toBe(objects.length);
    expect(packed.length).toBeGreaterThan(text.length / 4 + 16);
    for (let k = 0; k < packed.length; k++) expect(packed.at(k)).toEqual(objects[k]);
  });

  test("the same diagnostics and comments as lex", () => {
    const a = lex("p.lxm", src);
    const b = lexPacked("p.lxm", `${src}`);
    expect(b.diagnostics).toEqual(a.diagnostics);
    expect(b.comments).toEqual(a.comments);
    expect(a.diagnostics.length).toBeGreaterThan(0);
  });
});

describe("hashProgram (domain by domain)", () => {
  test("equals the hash of the program's whole canonical JSON", () => {
    const r = compile([
      { path: "a.lxm", text: `domain a { ${FS}\n resource fs.file f { path = "a/f"\n content = "é\\u{1F600}" }\n export f }` },
      { path: "b.lxm", text: `domain b { ${FS}\n import a.f as af\n resource fs.file g for k in ["x", "y"] { path = "b/\${k}"\n content = af.content } }` },
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.hash).toBe(hashValue(r.program));
    expect(hashProgram(r.program!)).toBe(hashValue(r.program));
  });

  test("domain names in code-unit order, integer-like names and extra keys included", () => {
    const d = (name: string) => ({ after: [], exports: {}, goals: [], imports: [], name, policy: { onFailure: "halt", prune: false, retries: 0, timeoutMs: 0 }, providers: {}, resources: {} });
    const names = ["b", "B", "10", "9", "a_1", "ä"];
    const p = { format: "lexum.program/v1", domains: Object.fromEntries(names.map((n) => [n, d(n)])) } as unknown as Program;
    expect(hashProgram(p)).toBe(hashValue(p));
    const empty = { domains: {}, format: "lexum.program/v1" } as Program;
    expect(hashProgram(empty)).toBe(hashValue(empty));
    const extra = { ...p, zz: 1 } as unknown as Program;
    expect(hashProgram(extra)).toBe(hashValue(extra));
    expect(hashProgram(extra)).not.toBe(hashProgram(p));
  });
});

describe("compile releases each domain's resource bodies once built", () => {
  test("references to resources of domains built earlier and later still see their values", () => {
    // b is built after a (reads a's memo once a's bodies are released) and before c
    // (evaluates c's resource early; c's own turn must then reuse it).
    const files = [
      { path: "a.lxm", text: `domain a { ${FS}\n resource fs.file x { path = "a/x"\n content = "from-a" }\n export x }` },
      { path: "b.lxm", text: `domain b { ${FS}\n import a.x as ax\n import c.z as cz\n resource fs.file y { path = "b/y"\n content = "\${ax.content}+\${cz.content}" } }` },
      { path: "c.lxm", text: `domain c { ${FS}\n resource fs.file z { path = "c/z"\n content = "from-c" }\n export z }` },
    ];
    const r = compile(files);
    expect(r.diagnostics).toEqual([]);
    const y = Object.values(r.program!.domains["b"]!.resources)[0]!;
    expect(y.attrs["content"]).toBe("from-a+from-c");
    expect(y.dependsOn).toEqual([Object.keys(r.program!.domains["a"]!.resources)[0], Object.keys(r.program!.domains["c"]!.resources)[0]]);
    expect(Object.keys(r.program!.domains["c"]!.resources)).toHaveLength(1);
    // Span table entries of released bodies are still there.
    const zAddr = Object.keys(r.program!.domains["c"]!.resources)[0]!;
    expect(r.spans[`${zAddr}#content`]).toMatchObject({ file: "c.lxm" });
    // The same program whatever the file order (release does not depend on it).
    expect(compile([...files].reverse()).hash).toBe(r.hash);
  });
});
