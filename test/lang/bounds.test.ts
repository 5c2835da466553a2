import { loadTypeCatalog } from "../../src/program/schemas.js";
import { describe, expect, it } from "vitest";
import { renderText } from "../../src/diag/render.js";
import { compile } from "../../src/lang/compile.js";
import { formatSource } from "../../src/lang/format.js";
import { TokenList } from "../../src/lang/lexer.js";
import { MAX_SYNTAX_ERRORS, parseFile } from "../../src/lang/parser.js";
import { loadProjectFromFiles, parseProjectSettings } from "../../src/lang/project.js";
import { domainSteps } from "../../src/plan/graph.js";
import { buildPlan } from "../../src/plan/index.js";

/** Bad or huge input gets a diagnostic, never a crash, and work proportional to the input. */

const FS = `provider fs { root = "out" }`;
const one = (text: string) => compile([{ path: "m.lxm", text }], { readFile: () => null });
const codes = (text: string) => one(text).diagnostics.map((d) => d.code);

describe("long chains evaluate without deep recursion", () => {
  it("10,000 resources each referring to the previous one compile, and plan", () => {
    let s = `domain a {\n ${FS}\n resource fs.dir r0 { path = "p" }\n`;
    for (let i = 1; i < 10_000; i++) s += ` resource fs.file r${i} {\n  path = "f${i}"\n  content = r${i - 1}.path\n }\n`;
    const r = one(s + "}\n");
    expect(r.diagnostics).toEqual([]);
    const dom = r.program!.domains["a"]!;
    expect(dom.resources["a/fs.file.r9999"]!.dependsOn).toEqual(["a/fs.file.r9998"]);
    expect(dom.resources["a/fs.file.r9999"]!.attrs["content"]).toBe("f9998");
    const planned = buildPlan({ program: r.program!, programHash: r.hash!, prior: { snapshot: null, resources: {} }, spans: r.spans, catalog: loadTypeCatalog() });
    expect(planned.diagnostics).toEqual([]);
    expect(planned.plan!.summary.create).toBe(10_000);
  });

  it("10,000 lets each referring to the previous one", () => {
    let s = "domain a {\n let l0 = 1\n";
    for (let i = 1; i < 10_000; i++) s += ` let l${i} = l${i - 1} + 1\n`;
    const r = one(s + " export last = l9999\n}\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.program!.domains["a"]!.exports["last"]).toEqual({ kind: "value", value: 10_000 });
  });

  it("10,000 domains each importing from the previous one", () => {
    let s = "";
    for (let i = 0; i < 10_000; i++) s += `domain d${i} {\n${i ? ` import d${i - 1}.v as w\n export v = w\n` : " export v = 1\n"}}\n`;
    const r = one(s);
    expect(r.diagnostics).toEqual([]);
    expect(domainSteps(r.program!).get("d9999")).toBe(10_000);
  });

  it("a loop of 10,000 references is a diagnostic (LXM2162), a short one a reference cycle (LXM2012)", () => {
    const loop = (n: number) => {
      let s = `domain a {\n let l0 = l${n - 1} + 1\n`;
      for (let i = 1; i < n; i++) s += ` let l${i} = l${i - 1} + 1\n`;
      return s + "}\n";
    };
    expect(codes(loop(10_000))).toEqual(["LXM2162"]);
    expect(codes(loop(3))).toEqual(["LXM2012"]);
  });

  it("an import cycle through 20,000 domains is reported", () => {
    let s = "";
    for (let i = 0; i < 20_000; i++) s += `domain d${i} {\n import d${(i + 19_999) % 20_000}.v as w\n export v = w\n}\n`;
    expect(codes(s)).toContain("LXM2011");
  });
});

describe("values stay bounded", () => {
  it("jsondecode and yamldecode of documents nested 2,500 deep: LXM2161 at the call", () => {
    const r = one(`domain a {\n let x = jsondecode("${"[".repeat(2500)}${"]".repeat(2500)}")\n}\n`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2161"]);
    expect(r.diagnostics[0]!.span!.start).toBeGreaterThan(0);
    expect(codes(`domain a {\n let x = yamldecode("${"[".repeat(600)}${"]".repeat(600)}")\n}\n`)).toEqual(["LXM2161"]);
    expect(codes(`domain a {\n let x = yamldecode("${"[".repeat(20_000)}${"]".repeat(20_000)}")\n}\n`)).toEqual(["LXM2161"]);
  });

  it("lets nesting a value 10,000 deep: LXM2161 once, jsonencode never overflows", () => {
    let s = `domain a {\n ${FS}\n let l0 = 1\n`;
    for (let i = 1; i < 10_000; i++) s += ` let l${i} = [l${i - 1}]\n`;
    s += ` resource fs.file f {\n  path = "x"\n  content = jsonencode(l9999)\n }\n}\n`;
    expect(codes(s)).toEqual(["LXM2161"]);
    // 500 levels are fine, and written out whole.
    let ok = `domain a {\n let l0 = 1\n`;
    for (let i = 1; i < 500; i++) ok += ` let l${i} = [l${i - 1}]\n`;
    const r = one(ok + ` export e = jsonencode(l499)\n}\n`);
    expect(r.diagnostics).toEqual([]);
  });

  it("sharing cannot build a value larger than memory: doubling 40 times is refused (LXM2047)", () => {
    let s = "domain a {\n let l0 = [1]\n";
    for (let i = 1; i < 40; i++) s += ` let l${i} = [l${i - 1}, l${i - 1}]\n`;
    expect(codes(s + " export e = l39\n}\n")).toEqual(["LXM2047"]);
    let t = 'domain a {\n let s0 = "xxxxxxxxxxxxxxxx"\n';
    for (let i = 1; i < 40; i++) t += ` let s${i} = s${i - 1} + s${i - 1}\n`;
    expect(codes(t + "}\n")).toEqual(["LXM2047"]);
    let u = 'domain a {\n let s0 = "xxxxxxxxxxxxxxxx"\n';
    for (let i = 1; i < 40; i++) u += ` let s${i} = "\${s${i - 1}}\${s${i - 1}}"\n`;
    expect(codes(u + "}\n")).toEqual(["LXM2047"]);
  });

  it("nested comprehensions hit the program's evaluation budget (LXM2160) at the expression that crossed it", () => {
    const text = "domain a {\n let x = [for x in range(10000): [for y in range(10000): x]]\n}\n";
    const r = one(text);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2160"]);
    const d = r.diagnostics[0]!;
    expect(d.message).toContain("10000000");
    // Inside the inner comprehension (its body or its range call, whichever crossed the limit).
    expect(d.span!.start).toBeGreaterThanOrEqual(text.indexOf("[for y"));
    expect(d.span!.end).toBeLessThanOrEqual(text.indexOf("]]"));
  });
});

describe("syntax error floods", () => {
  it("200,000 syntax errors: the first 100 and one LXM1040 with the count", () => {
    const text = "domain a {\n" + "let = \n".repeat(200_000) + "}\n";
    const r = parseFile("m.lxm", text);
    expect(r.diagnostics.length).toBe(MAX_SYNTAX_ERRORS + 1);
    const last = r.diagnostics[MAX_SYNTAX_ERRORS]!;
    expect(last.code).toBe("LXM1040");
    expect(last.message).toBe("199900 more syntax errors in m.lxm not shown");
    expect(last.span!.start).toBeGreaterThan(r.diagnostics[MAX_SYNTAX_ERRORS - 1]!.span!.start);
    expect(one(text).diagnostics.length).toBe(MAX_SYNTAX_ERRORS + 1);
  });

  it("error recovery is linear: unbalanced lines do not rescan the rest of the file", () => {
    // Counted through the parser's token reads: 4x the lines → about 4x the reads.
    const reads = (n: number): number => {
      let s = "domain a {\n resource fs.dir r {\n";
      for (let i = 0; i < n; i++) s += `  a${i} = (\n`;
      const text = s + " }\n}\n";
      let count = 0;
      const realAt = TokenList.prototype.at;
      TokenList.prototype.at = function (this: TokenList, k: number) {
        count++;
        return realAt.call(this, k);
      };
      try {
        parseFile("m.lxm", text);
      } finally {
        TokenList.prototype.at = realAt;
      }
      return count;
    };
    const small = reads(2000);
    const large = reads(8000);
    // Before: every error rescanned to the end of the file (16x the reads for 4x the lines).
    expect(large / small).toBeLessThan(5);
  });

  it("rendering thousands of findings on one 40,000-character line shows a cut line each", () => {
    const text = `domain a {\n resource fs.dir r {\n ${"é".repeat(40_000)} = 1\n }\n}\n`;
    const f = formatSource("m.lxm", text);
    expect(f.text).toBeNull();
    expect(f.diagnostics.length).toBe(MAX_SYNTAX_ERRORS + 1);
    const r = parseFile("m.lxm", text);
    const out = renderText(r.diagnostics, compile([{ path: "m.lxm", text }]).sources);
    for (const line of out.split("\n")) expect(line.length).toBeLessThan(250);
  });
});

describe("located host and settings errors", () => {
  it("invalid UTF-8 names line and column of the first bad byte", () => {
    const bytes = new Uint8Array([...Buffer.from('domain a {\n  let x = "caf'), 0xe9, ...Buffer.from('"\n}\n')]);
    const r = loadProjectFromFiles([{ path: "m.lxm", bytes }]);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe("LXM5004");
    expect(d.span).toEqual({ file: "m.lxm", start: 25, end: 26 });
    expect(renderText(r.diagnostics, r.sources)).toContain("m.lxm:2:15: error[LXM5004]");
  });

  it("a YAML alias bomb in lexum.yaml is LXM2140 at the first alias", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...["b", "c", "d", "e", "f"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcde"[i]}`).join(", ")}]`)].join("\n");
    const r = parseProjectSettings(bomb);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2140"]);
    expect(r.diagnostics[0]!.span).toEqual({ file: "lexum.yaml", start: bomb.indexOf("*a"), end: bomb.indexOf("*a") + 2 });
  });

  it("an unknown alias and deep nesting in lexum.yaml are located LXM2140s too", () => {
    const r = parseProjectSettings("parallelism: *nope\n");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2140"]);
    expect(r.diagnostics[0]!.span!.start).toBe(13);
    const deep = parseProjectSettings("providers: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
    expect(deep.diagnostics.map((d) => d.code)).toEqual(["LXM2140"]);
    expect(deep.diagnostics[0]!.message).toContain("nests too deeply");
  });
});
