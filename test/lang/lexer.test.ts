import { describe, expect, it } from "vitest";
import { checkDuration, checkNumber, lex } from "../../src/lang/lexer.js";

const kinds = (src: string) => lex("t.lxm", src).tokens.map((t) => `${t.kind}:${t.text}`);
const codes = (src: string) => lex("t.lxm", src).diagnostics.map((d) => d.code);

describe("lexer", () => {
  it("splits identifiers, keywords, punctuation and marks line starts", () => {
    const r = lex("t.lxm", "let x = a >= 1 && b\n  => y.z");
    expect(r.tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      "keyword:let", "ident:x", "punct:=", "ident:a", "punct:>=", "number:1", "punct:&&", "ident:b",
      "punct:=>", "ident:y", "punct:.", "ident:z", "eof:",
    ]);
    expect(r.tokens.filter((t) => t.nlBefore).map((t) => t.text)).toEqual(["let", "=>", ""]);
    expect(r.diagnostics).toEqual([]);
  });

  it("skips a BOM but keeps offsets into the original text", () => {
    const r = lex("t.lxm", "\uFEFFdomain a");
    expect(r.tokens[0]).toMatchObject({ text: "domain", start: 1, end: 7 });
    expect(r.diagnostics).toEqual([]);
  });

  it("treats CRLF, lone CR and LF as line breaks, and a // comment ends at CR", () => {
    const r = lex("t.lxm", "a // c\rb\r\nc\nd");
    expect(r.tokens.filter((t) => t.kind === "ident").map((t) => t.nlBefore)).toEqual([true, true, true, true]);
    expect(r.comments.map((c) => c.text)).toEqual(["// c"]);
  });

  it("reports NUL, control bytes and lone surrogates at the exact character", () => {
    const r = lex("t.lxm", "a \u0000 b \uD800 \"x\u0001\"");
    expect(r.diagnostics.map((d) => [d.code, d.span!.start])).toEqual([
      ["LXM1002", 2],
      ["LXM1002", 6],
      ["LXM1002", 10],
    ]);
  });

  it("explains stray characters with a hint", () => {
    const r = lex("t.lxm", "a & b");
    expect(r.diagnostics[0]).toMatchObject({ code: "LXM1001", span: { start: 2, end: 3 } });
    expect(r.diagnostics[0]!.hint).toContain("&&");
    expect(codes("'x'")).toEqual(["LXM1011"]);
  });

  it("keeps comments as trivia and reports an unterminated block comment", () => {
    const r = lex("t.lxm", "a /* b */ c // d\n/* e");
    expect(r.comments.map((c) => [c.text, c.block])).toEqual([["/* b */", true], ["// d", false], ["/* e", true]]);
    expect(r.diagnostics.map((d) => [d.code, d.span!.start, d.span!.end])).toEqual([["LXM1003", 17, 19]]);
  });

  it("checks numbers for exactness and range", () => {
    expect(checkNumber("9007199254740992")).toEqual({ value: 9007199254740992 });
    expect(checkNumber("9007199254740993")).toEqual({ error: "inexact" });
    expect(checkNumber("1e400")).toEqual({ error: "range" });
    expect(checkNumber("1e-400")).toEqual({ error: "inexact" });
    expect(checkNumber("0.1")).toEqual({ value: 0.1 });
    expect(checkNumber("1e3")).toEqual({ value: 1000 });
    expect(checkNumber("0e999")).toEqual({ value: 0 });
    expect(checkNumber("9007199254740993.5")).toEqual({ error: "inexact" });
    expect(codes("x = 9007199254740993")).toEqual(["LXM1007"]);
    expect(codes("x = 1e400")).toEqual(["LXM1008"]);
  });

  it("computes durations in exact milliseconds", () => {
    expect(checkDuration("1.5", "s")).toEqual({ value: 1500 });
    expect(checkDuration("1.1", "s")).toEqual({ value: 1100 });
    expect(checkDuration("250", "ms")).toEqual({ value: 250 });
    expect(checkDuration("5", "m")).toEqual({ value: 300000 });
    expect(checkDuration("1", "h")).toEqual({ value: 3600000 });
    expect(checkDuration("1.5", "ms")).toEqual({ error: "fraction" });
    const r = lex("t.lxm", "30s 1.5ms 10px");
    expect(r.tokens.slice(0, 3).map((t) => [t.kind, t.value])).toEqual([["duration", 30000], ["duration", 0], ["number", 0]]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM1009", "LXM1010"]);
  });

  it("splits strings into balanced start/text/interpolation/end tokens", () => {
    expect(kinds('"a${b}c$${d}"')).toEqual([
      'strStart:"', "strText:a", "interpStart:${", "ident:b", "interpEnd:}", "strText:c$${d}", 'strEnd:"', "eof:",
    ]);
    expect(kinds('"${ {a = "}"} }"')).toEqual([
      'strStart:"', "interpStart:${", "punct:{", "ident:a", "punct:=", 'strStart:"', "strText:}", 'strEnd:"', "punct:}",
      "interpEnd:}", 'strEnd:"', "eof:",
    ]);
  });

  it("closes unterminated strings and interpolations at the line end, reporting once", () => {
    const r = lex("t.lxm", 'a = "abc\nb = "x${y\nc = 1');
    expect(r.diagnostics.map((d) => [d.code, d.span!.start])).toEqual([["LXM1004", 4], ["LXM1005", 15]]);
    const ks = r.tokens.map((t) => t.kind);
    expect(ks.filter((k) => k === "strStart").length).toBe(ks.filter((k) => k === "strEnd").length);
    expect(r.tokens.find((t) => t.text === "c")!.nlBefore).toBe(true);
  });

  it("lexes a multi-line string with the closing quotes' extra quote as text", () => {
    const r = lex("t.lxm", '"""\n  say "hi""""');
    expect(r.tokens.map((t) => t.kind)).toEqual(["strStart", "strText", "strEnd", "eof"]);
    expect(r.tokens[1]!.text).toBe('\n  say "hi"');
    expect(r.diagnostics).toEqual([]);
  });

  it("handles 100,000 nested interpolations without recursion", () => {
    const src = '"${'.repeat(100_000);
    const r = lex("t.lxm", src);
    expect(r.tokens.filter((t) => t.kind === "interpStart").length).toBe(100_000);
    expect(r.tokens.filter((t) => t.kind === "interpEnd").length).toBe(100_000);
    expect(r.diagnostics.length).toBe(1);
  });
});
