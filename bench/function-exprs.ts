/**
 * Generated expressions over the built-in functions, for the function-library fuzz test
 * (test/lang/functions/fuzz.test.ts) and its bench (bench/functions-fuzz.ts). Built with
 * fast-check, so a seed gives the same expressions everywhere. Three kinds, mixed:
 *
 * - random calls of every function, nested up to four levels, with wrong types and wrong
 *   argument counts, through the language's forms (for, splat, try, can, templates, index);
 * - hostile calls aimed at one function each: catastrophic regular expressions on long
 *   text, YAML alias bombs ("billion laughs"), huge ranges and products, enormous format
 *   widths and precisions, big repeats through formatlist, join, indent, chunklist and
 *   setproduct, deeply nested JSON, extreme durations and addresses;
 * - odd Unicode (combining marks, ZWJ sequences, skin tones, bidi controls, NUL, U+FFFF,
 *   astral characters) through the text functions.
 *
 * Every expression is valid `.lxm` syntax (the fuzz test checks that): whatever goes wrong
 * must go wrong in a function, not in the parser.
 */
import fc from "fast-check";

/** A `.lxm` string literal for any well-formed text (escapes only the language's own: docs/language.md). */
export function lxmString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  // `${` and `%{` would start an interpolation or a directive: written `$${` and `%%{`.
  return out.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{") + '"';
}

/** A YAML document of `levels` anchors, each a list of `width` aliases of the one before. */
export function yamlBomb(levels: number, width = 9): string {
  const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(", ")}]`];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(", ")}]`);
  return lines.join("\n");
}

/** Odd text: each is one kind of trouble for text functions. */
const ODD_TEXT: readonly string[] = [
  "",
  "💃🏾👾🕹️",
  "👨‍👩‍👧‍👦",
  "e\u0301\u0302\u0303\u0304",
  "a" + "\u0301".repeat(500),
  "\u202eabc\u202c",
  "\u0000nul",
  "\uffff\ufffe\ufeff",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "ΟΔΟΣ ß İı ǅ",
  "\r\n\r\n",
  "🇫🇷🇩🇪",
  "\u{10ffff}",
  "% %% %{ ${",
];

/** Values as `.lxm` source: the leaves of the random calls. */
export const LEAVES: readonly string[] = [
  "0", "1", "-1", "3", "0.5", "255", "1e9", "9007199254740992", "-1e22", "1e21", "-0",
  '""', '"a"', '"hello world"', '"a,b,,c"', '"  padded  "', '"true"', '"1.5"', '"0x10"',
  '"10.0.0.0/8"', '"fd00::/8"', '"192.168.1.1"', '"2026-01-31T12:00:00Z"', '"2006-01-02T15:04:05+07:00"', '"1h30m"', '"-5s"',
  '"/(a*)*b/"', '"/(x+x+)+y/"', '"(a|a)*c"', '"["', '"/(?P<n>a)(b)/"', '"^a{1000}{1000}$"', '"[[:alpha:]]+"', '"(?i)A"',
  lxmString("a".repeat(3000)), lxmString("ab".repeat(2000) + "c"),
  '"%999999999d"', '"%-10000.3f"', '"%[5]s"', '"%#v"', '"%s%s%s%s"', '"%q"', '"%08.3f|%x|%X|%o|%b|%e|%G"', '"%"', '"%.999999999f"',
  lxmString(yamlBomb(9)), lxmString(yamlBomb(3)), '"{a: &foo [1, *foo, 3]}"', '"{a: !not-supported foo}"', '"a: 1\\na: 2"', '"- - - - - - -"', '"a: 1\\n---\\nb: 2"', '"!!binary aGk="',
  lxmString("[".repeat(600) + "]".repeat(600)), '"{\\"a\\": 1, \\"a\\": 2}"', '"9007199254740993"', '"[1e400]"', '"{\\"x\\": [1, 2, {\\"y\\": null}]}"',
  '"*.txt"', '"**/{a,b}[!c]?"', '"dns"', '"url"', '"YYYY-MM-DD hh:mm:ss ZZZ"', '"UTF-16LE"', '"ISO-8859-1"', '"bm90IGJhc2U2NA=="', '"!!!"',
  ...ODD_TEXT.map(lxmString),
  "[]", "[1, 2, 3]", '["a", "b", "a"]', "[[1, 2], [3]]", "[true, false]", '[null, "", "x"]', "range(100)",
  "{}", '{ a = 1, b = "x" }', '{ "a b" = [1], c = { d = null } }', '[{ a = 1 }, { a = 2 }]', '{ x = ["1", "2"], y = ["2"] }',
  "null", "true", "false",
];

/** Values whose evaluation is large or hits a limit: each costs up to a second's work. */
export const HEAVY: readonly string[] = [
  "range(1e9)", "range(0, 1e9, 0.5)", "range(1e22)", "[for x in range(5000): [for y in range(5000): x]]",
  'format("%999999999d", 1)', 'indent(10000, "a\\nb")', 'formatlist("%s", range(20000))', "setproduct(range(1000), range(1000))",
  "chunklist(range(100000), 1)", 'join("", [for x in range(100000): "aaaaaaaaaa"])', 'cidrsubnets("10.0.0.0/8", 24, 24)', 'cidrhost("::/0", 1e22)',
  "jsondecode(jsonencode(range(50000)))", "yamldecode(yamlencode(range(20000)))", 'base64gzip(join("", range(30000)))',
  'regexall("/(a*)*b/", join("", [for x in range(20000): "a"]))', 'replace(join("", range(20000)), "/[0-9]/", "$$0$$0")',
];

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
/**
 * A size up to `max`, mostly small: 997 in 1,000 are within max / 200 (each such call costs
 * about a millisecond), the rest anywhere up to `max` (up to a few seconds: the limits' own
 * cost). The fuzz test's 10⁵ expressions then run in about a minute, and still reach the limits.
 */
const upTo = (max: number) => fc.oneof({ arbitrary: fc.integer({ min: 0, max: Math.ceil(max / 200) }), weight: 997 }, { arbitrary: fc.integer({ min: 0, max }), weight: 3 });
const big = fc.constantFrom(1e3, 1e4, 1e5, 1e6, 1e9, 1e22, 2 ** 53, -1e9);
const width = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(10_000, 1_000_000, 999_999_999, 2 ** 31, 1e22));
const bigString = (unit: fc.Arbitrary<string>, n: fc.Arbitrary<number>) => fc.tuple(unit, n).map(([u, k]) => lxmString(u.repeat(k)));

/** Calls aimed at one function each with the input most likely to make it blow up. */
export const hostile: fc.Arbitrary<string> = fc.oneof(
  // Catastrophic backtracking (RE2 has none; the test makes sure).
  fc.tuple(pick(["(a*)*b", "(a|a)*b", "(a|aa)+$", "(x+x+)+y", "^(a+)+$", "(.*a){12}", "a{1000}{1000}", "((a*)*)*c", "(?:a?){40}a{40}"]), upTo(30_000), pick(["regex", "regexall", "replace", "can_regex"])).map(([re, n, fn]) => {
    const text = `join("", [for i in range(${n}): "a"])`;
    if (fn === "replace") return `replace(${text}, ${lxmString("/" + re + "/")}, "x")`;
    if (fn === "can_regex") return `can(regex(${lxmString(re)}, ${lxmString("a".repeat(Math.min(n, 3000)))}))`;
    return `${fn}(${lxmString(re)}, ${text})`;
  }),
  // Alias bombs: depth and breadth, alone and nested in a document.
  fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 30 })).map(([levels, w]) => `yamldecode(${lxmString(yamlBomb(levels, w))})`),
  fc.integer({ min: 1, max: 12 }).map((levels) => `length(yamldecode(${lxmString(yamlBomb(levels) + `\nz: *a${levels - 1}`)}))`),
  // Huge ranges.
  fc.tuple(big, fc.constantFrom(1, 0.5, 1e-9, -1, 1e9)).map(([n, step]) => (step === 1 ? `range(${n})` : `range(0, ${n}, ${step})`)),
  // Enormous widths and precisions.
  fc.tuple(width, pick(["d", "s", "f", "v", "q", "x", "e", "b", "o"]), pick(['1', '"x"', "1.5", "[1, 2]", "true"])).map(([w, verb, arg]) => `format("%${w}${verb}", ${arg})`),
  fc.tuple(width, pick(["f", "e", "g", "s"])).map(([w, verb]) => `format("%.${w}${verb}", 1.5)`),
  fc.tuple(width, upTo(5_000)).map(([w, n]) => `formatlist("%${w}d", range(${n}))`),
  // Big repeats.
  fc.tuple(upTo(200_000), pick(['""', '","', lxmString("ab".repeat(100))])).map(([n, sep]) => `join(${sep}, formatlist("%s", range(${n})))`),
  fc.tuple(upTo(200_000), upTo(1000)).map(([n, k]) => `join("", [for i in range(${n}): ${lxmString("x".repeat(k))}])`),
  fc.tuple(width, upTo(5_000)).map(([w, lines]) => `indent(${w}, join("\\n", formatlist("%d", range(${lines}))))`),
  fc.tuple(upTo(1_000_000), fc.oneof(fc.integer({ min: 0, max: 3 }), big)).map(([n, k]) => `length(chunklist(range(${n}), ${k}))`),
  fc.array(upTo(2_000), { minLength: 1, maxLength: 6 }).map((ns) => `length(setproduct(${ns.map((n) => `range(${n})`).join(", ")}))`),
  fc.tuple(upTo(3_000), upTo(3_000)).map(([a, b]) => `length([for x in range(${a}): [for y in range(${b}): x]])`),
  fc.integer({ min: 0, max: 40 }).map((n) => `length(flatten(${"[".repeat(n)}range(1000)${"]".repeat(n)}))`),
  // Text linear in n, a value of 2^n: every replace doubles the string.
  fc.oneof({ arbitrary: fc.integer({ min: 0, max: 16 }), weight: 997 }, { arbitrary: fc.integer({ min: 0, max: 30 }), weight: 3 }).map((n) => `length(${Array.from({ length: n }).reduce<string>((acc) => `replace(${acc}, "x", "xx")`, '"xx"')})`),
  // Deeply nested JSON and YAML.
  fc.tuple(upTo(5_000), pick(["[", '{"a":'])).map(([d, open]) => `jsondecode(${lxmString(open.repeat(d) + "1" + (open === "[" ? "]" : "}").repeat(d))})`),
  upTo(5_000).map((d) => `yamldecode(${lxmString("[".repeat(d) + "]".repeat(d))})`),
  upTo(600).map((d) => `yamldecode(${lxmString(Array.from({ length: d }, (_, i) => " ".repeat(i) + "- ").join("\n") + "x")})`),
  // A literal nests at most 256 levels (LXM1012): the deeper values come from jsondecode.
  fc.integer({ min: 0, max: 250 }).map((d) => `jsonencode(${"[".repeat(d)}1${"]".repeat(d)})`),
  // Encodings, hashes and compressors on large or odd input.
  fc.tuple(pick(["base64encode", "base64gzip", "sha256", "md5", "base64sha512", "urlencode", "strrev", "upper", "title", "trimspace"]), upTo(200_000)).map(([fn, n]) => `length(${fn}(join("", [for i in range(${n}): "é"])))`),
  fc.tuple(pick(["UTF-16LE", "UTF-16BE", "ISO-8859-1", "SHIFT_JIS", "x-unknown", "UTF-8"]), pick(["textencodebase64", "textdecodebase64"]), fc.string({ unit: "grapheme", maxLength: 20 })).map(([enc, fn, s]) => `${fn}(${lxmString(s)}, "${enc}")`),
  bigString(pick(["=", "A", "*", "%"]), upTo(100_000)).map((s) => `base64decode(${s})`),
  // Times, durations and addresses at the extremes.
  fc.tuple(pick(["99999999999h", "-99999999999h", "1e30s", "9223372036854775807ns", "0.000000001s", "1h1h1h"]), pick(['"0001-01-01T00:00:00Z"', '"9999-12-31T23:59:59Z"', '"2026-02-29T00:00:00Z"'])).map(([d, t]) => `timeadd(${t}, "${d}")`),
  fc.tuple(pick(['"10.0.0.0/8"', '"::/0"', '"0.0.0.0/0"', '"fd00::/8"']), fc.oneof(big, fc.integer({ min: -5, max: 200 })), fc.oneof(big, fc.integer({ min: -5, max: 200 }))).map(([p, a, b]) => `[cidrsubnet(${p}, ${a}, ${b}), cidrhost(${p}, ${b})]`),
  fc.array(fc.integer({ min: 0, max: 130 }), { maxLength: 20 }).map((ns) => `cidrsubnets("::/0", ${ns.length ? ns.join(", ") : "1"})`),
  // Odd Unicode through the text functions.
  fc.tuple(
    pick(["length", "upper", "lower", "title", "strrev", "trimspace", "chomp", "base64encode", "urlencode", "jsonencode", "yamlencode", "sha1", "md5", "tostring"]),
    fc.oneof(pick(ODD_TEXT), fc.string({ unit: "grapheme", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.replace(/\p{Cs}/gu, "\ufffd"))),
  ).map(([fn, s]) => `${fn}(${lxmString(s)})`),
  fc.tuple(fc.oneof(pick(ODD_TEXT), fc.string({ unit: "grapheme", maxLength: 40 })), fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })).map(([s, a, b]) => `substr(${lxmString(s)}, ${a}, ${b})`),
  fc.tuple(fc.oneof(pick(ODD_TEXT), fc.string({ unit: "grapheme", maxLength: 40 })), fc.oneof(pick(ODD_TEXT), fc.string({ unit: "grapheme", maxLength: 4 }))).map(([s, sep]) => `[split(${lxmString(sep)}, ${lxmString(s)}), trim(${lxmString(s)}, ${lxmString(sep)}), replace(${lxmString(s)}, ${lxmString(sep)}, "-"), format("%5.2s|%-5q", ${lxmString(s)}, ${lxmString(sep)})]`),
);

/** The language's forms around an inner expression (`inner`), with a second one where a form takes two. */
function form(inner: string, other: string, k: number, idx: string): string {
  switch (k) {
    case 0:
      return `[for x in ${inner}: x]`;
    case 1:
      return `{for k, v in ${inner}: tostring(k) => v...}`;
    case 2:
      return `${inner}[*]`;
    case 3:
      return `try(${inner}, ${other})`;
    case 4:
      return `"<\${${inner}}>%{ for c in ${other} }\${c}%{ endfor }"`;
    case 5:
      return `(${inner} + ${other})`;
    case 6:
      return `can(${inner})`;
    default:
      return `${inner}[${idx}]`;
  }
}

/** A function to call: its name and how many arguments it takes (BUILTINS' min and max). */
export interface Callee {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

/**
 * One expression: a random call (nine in ten with a count of arguments the function takes,
 * the others with any count up to four) whose arguments are random trees of calls, forms
 * and leaves (a leaf from HEAVY with probability about `heavy`); a call inside one of the
 * language's forms; a hostile call (odd Unicode among them); or a hostile call inside `try`,
 * in the proportions 14 : 4 : 1 : 1.
 */
export function expressionArbitrary(callees: readonly Callee[], heavy = 0.0002): fc.Arbitrary<string> {
  const heavyWeight = Math.max(0, Math.round(heavy * 10_000));
  const leaf = fc.oneof({ arbitrary: pick(LEAVES), weight: 10_000 - heavyWeight }, { arbitrary: pick(HEAVY), weight: heavyWeight });
  const arity = (c: Callee): fc.Arbitrary<number> =>
    fc.oneof({ arbitrary: fc.integer({ min: c.min, max: Math.min(c.max, c.min + 2) }), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 1 });
  const { call, wrapped } = fc.letrec<{ tree: string; call: string; wrapped: string }>((tie) => ({
    tree: fc.oneof({ maxDepth: 3, depthIdentifier: "tree" }, { arbitrary: leaf, weight: 4 }, { arbitrary: tie("call"), weight: 4 }, { arbitrary: tie("wrapped"), weight: 2 }),
    call: pick(callees)
      .chain((c) => fc.tuple(fc.constant(c.name), arity(c).chain((n) => fc.array(tie("tree"), { minLength: n, maxLength: n, depthIdentifier: "tree" })), fc.integer({ min: 0, max: 9 })))
      .map(([fn, args, roll]) => (args.length > 0 && roll === 0 ? `${fn}(${args.join(", ")}...)` : `${fn}(${args.join(", ")})`)),
    wrapped: fc.tuple(tie("call"), tie("tree"), fc.integer({ min: 0, max: 7 }), pick(["0", "-1", '"a"', "1e9"])).map(([a, b, k, idx]) => form(a, b, k, idx)),
  }));
  return fc.oneof({ arbitrary: call, weight: 14 }, { arbitrary: wrapped, weight: 4 }, { arbitrary: hostile, weight: 1 }, { arbitrary: hostile.map((h) => `try(${h}, null)`), weight: 1 });
}

/** `count` expressions from `seed` (the same ones for the same seed and fast-check version). */
export function generateExpressions(seed: number, count: number, callees: readonly Callee[], heavy = 0.0002): string[] {
  return fc.sample(expressionArbitrary(callees, heavy), { seed, numRuns: count });
}

/** A one-domain program declaring each expression as a `let`. */
export function fuzzProgram(exprs: readonly string[]): string {
  return `domain fuzz {\n${exprs.map((e, i) => `  let v${i} = ${e}\n`).join("")}}\n`;
}
