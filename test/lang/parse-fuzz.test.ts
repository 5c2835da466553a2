import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSource } from "../../src/lang/format.js";
import { POSITION_KEYS } from "../../src/lang/nodes.js";
import { parseFile } from "../../src/lang/parser.js";

const EXAMPLE = readFileSync(new URL("../../fixtures/projects/language-example/main.lxm", import.meta.url), "utf8");

/** Parses and checks the invariants every result must have, whatever the input. */
function parseChecked(text: string) {
  const r = parseFile("f.lxm", text);
  const starts = new Set<number>();
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^LXM10\d\d$/);
    expect(d.span).toBeDefined();
    expect(d.span!.start).toBeGreaterThanOrEqual(0);
    expect(d.span!.end).toBeLessThanOrEqual(text.length);
    expect(d.span!.start).toBeLessThanOrEqual(d.span!.end);
    expect(starts.has(d.span!.start)).toBe(false);
    starts.add(d.span!.start);
  }
  for (const dom of r.file.domains) {
    expect(dom.span.start).toBeGreaterThanOrEqual(0);
    expect(dom.span.end).toBeLessThanOrEqual(text.length);
  }
  return r;
}

function meaning(text: string): string {
  return JSON.stringify(parseFile("f.lxm", text).file, (k, v) =>
    POSITION_KEYS.has(k) || k === "comments" ? undefined : v,
  );
}

const FRAGMENTS = [
  "domain", " a", " {", "}", "\n", " ", "let", " x", " =", " 1", "resource", " fs.file", " f", "for", " in", "[", "]", "(", ")",
  ",", ".", ":", "?", "=>", "+", "-", "*", "/", "%", "!", "&&", "||", "==", "<", '"', '"""', "${", "$${", "\\", "\\u{", "'",
  "/*", "*/", "//", "\r", "\r\n", "\u0000", "\uD800", "\uFEFF", "1e400", "9007199254740993", "1.5ms", "30s", "goal", "assert",
  "policy", "provider", "as", "import", "export", "true", "null", "if", "é", "#", "&",
];

describe("parser robustness (property tests)", () => {
  it("never throws on random token soup", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 120 }), (parts) => {
        parseChecked(parts.join(""));
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it("never throws on arbitrary strings, including control characters and lone surrogates", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        parseChecked(s);
        parseChecked(`domain a {\n  let x = ${s}\n}`);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("never throws on mutations of a valid program", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(EXAMPLE.length), fc.nat(5), fc.constantFrom("", ...FRAGMENTS)), { minLength: 1, maxLength: 6 }),
        (edits) => {
          let t = EXAMPLE;
          for (const [at, del, ins] of edits) t = t.slice(0, at) + ins + t.slice(at + del);
          parseChecked(t);
          const f = formatSource("f.lxm", t);
          if (f.text !== null) expect(formatSource("f.lxm", f.text).text).toBe(f.text);
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });

  it("reports 100,000-deep nesting as a diagnostic, never a RangeError", () => {
    const deep = 100_000;
    const cases = ["[".repeat(deep), "(".repeat(deep), "{a=".repeat(deep), '"${'.repeat(deep), "-".repeat(deep) + "1", "a" + ".b".repeat(deep), "1" + " + 1".repeat(deep)];
    for (const c of cases) {
      const r = parseChecked(`domain a {\n  let x = ${c}\n  let y = 2\n}\n`);
      expect(r.diagnostics.map((d) => d.code)).toContain("LXM1012");
      expect(r.file.domains[0]?.items.some((i) => i.kind === "Let" && i.name.name === "y")).toBe(true);
    }
    parseChecked("[".repeat(deep)); // at the top level too
    const balanced = "[".repeat(deep) + "]".repeat(deep);
    expect(parseChecked(`domain a {\n  let x = ${balanced}\n}`).diagnostics.map((d) => d.code)).toEqual(["LXM1012"]);
  });

  it("handles a 1 MB line, BOM, mixed line endings and NUL bytes", () => {
    const long = "x".repeat(1 << 20);
    expect(parseChecked(`domain a {\n  let s = "${long}"\n}`).diagnostics).toEqual([]);
    expect(parseChecked(`domain a {\n  let s = "${long}\n}`).diagnostics.map((d) => d.code)).toEqual(["LXM1004"]);
    expect(parseChecked(`\uFEFFdomain a {\r\n  let x = 1\r  let y = 2\n  let z = 3\r\n}`).diagnostics).toEqual([]);
    const nul = parseChecked("domain a {\n  let x = 1\u0000\n}");
    expect(nul.diagnostics.map((d) => [d.code, d.span!.start])).toEqual([["LXM1002", 22]]);
  });
});

// ---------------------------------------------------------------- generated programs for fmt

const ws = fc.constantFrom("", " ", "  ");
const nlws = fc.constantFrom("", " ", "\n", "\n  ", " /* c */ ", " // c\n");
const name = fc.constantFrom("a", "b", "xs", "port", "provider", "for");
const ref = fc.constantFrom("a", "b", "xs", "port");
const atom = fc.oneof(
  ref,
  fc.constantFrom("1", "2.50", "1e3", "30s", "250ms", "true", "false", "null", '"s"', '"x${a}y"', '"""\n  m\n  """', '"\\n"'),
);
const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc.tuple(tie("expr"), ws, fc.constantFrom("+", "-", "*", "==", "&&", "||", "<"), ws, tie("expr")).map(([l, a, op, b, r]) => `(${l}${a}${op}${b}${r})`),
    fc.tuple(fc.constantFrom("!", "-"), tie("expr")).map(([op, e]) => `${op}(${e})`),
    fc.tuple(nlws, fc.array(tie("expr"), { maxLength: 3 }), nlws).map(([a, xs, b]) => `[${a}${xs.join(`,${"\n"}`)}${b}]`),
    fc.tuple(fc.array(fc.tuple(name, fc.constantFrom(" = ", ": ", "="), tie("expr")), { maxLength: 3 }), nlws).map(
      ([es, b]) => `{${es.map(([k, s, v]) => k + s + v).join(", ")}${b}}`,
    ),
    fc.tuple(tie("expr"), tie("expr")).map(([s, b]) => `[for x in ${s}: ${b} if x]`),
    fc.tuple(tie("expr"), tie("expr")).map(([s, v]) => `{for k, v in ${s}: k => ${v}}`),
    fc.tuple(fc.constantFrom("len", "join", "upper"), fc.array(tie("expr"), { maxLength: 3 }), nlws).map(([f, xs, b]) => `${f}(${xs.join(", ")}${b})`),
    fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([c, t, e]) => `(${c} ? ${t} : ${e})`),
    fc.tuple(ref, name).map(([r, n]) => `${r}.${n}["k"]`),
  ),
}));
const attr = fc.tuple(name, fc.constantFrom(" = ", "=", "   =  "), expr, fc.constantFrom("", " // t", "\n", "\n// own")).map(([n, e, v, c]) => `${n}${e}${v}${c}`);
const program = fc
  .tuple(fc.array(attr, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(name, expr), { maxLength: 3 }))
  .map(([attrs, lets]) => `domain d {\n${lets.map(([n, v]) => `let ${n === "provider" || n === "for" ? "v" : n} = ${v}\n`).join("")}resource fs.file f {\n${attrs.join("\n")}\n}\n}\n`);

describe("formatter on generated programs", () => {
  it("is idempotent, keeps the meaning and keeps comments", () => {
    fc.assert(
      fc.property(program, (src) => {
        const r = formatSource("f.lxm", src);
        if (r.text === null) return; // generated sources may hit syntax errors (e.g. keywords as loop sources); those are not formatted
        expect(formatSource("f.lxm", r.text).text).toBe(r.text);
        expect(meaning(r.text)).toBe(meaning(src));
        const comments = (t: string) => parseFile("f.lxm", t).file.comments.map((c) => c.text).sort();
        expect(comments(r.text)).toEqual(comments(src));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("generates mostly valid programs (so the property above is not vacuous)", () => {
    const samples = fc.sample(program, { numRuns: 100, seed: 5 });
    const valid = samples.filter((s) => formatSource("f.lxm", s).text !== null);
    expect(valid.length).toBeGreaterThan(60);
  });
});
