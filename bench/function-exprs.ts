/**
 * Generated expressions over the built-in functions for the function-library fuzz test
 * (test/lang/functions/fuzz.test.ts) and its bench (bench/functions-fuzz.ts): random calls,
 * nested up to four levels, over a pool of ordinary and hostile values — catastrophic
 * regular expressions on long text, YAML alias bombs, deep JSON, huge ranges and products,
 * enormous format widths, odd Unicode, wrong types and wrong argument counts. Deterministic
 * for a seed (its own generator: the same seed gives the same expressions everywhere).
 */

/** mulberry32: a small seeded generator (never Math.random: runs must repeat). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const str = (s: string): string => JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");

const bomb = (levels: number): string => {
  const names = "abcdefghij";
  const lines = [`a: &a [${Array(9).fill('"lol"').join(", ")}]`];
  for (let i = 1; i < levels; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(", ")}]`);
  return lines.join("\n");
};

/** Values as `.lxm` source: the leaves of the generated expressions. */
export const LEAVES: readonly string[] = [
  "0", "1", "-1", "3", "0.5", "255", "1e9", "9007199254740992", "-1e22", "1e21",
  '""', '"a"', '"hello world"', '"💃🏾👾🕹️"', '"\\u{1F600}e\\u0301"', '"a,b,,c"', '"  padded  "',
  '"10.0.0.0/8"', '"fd00::/8"', '"192.168.1.1"', '"2026-01-31T12:00:00Z"', '"2006-01-02T15:04:05+07:00"', '"1h30m"', '"-5s"',
  '"/(a*)*b/"', '"/(x+x+)+y/"', '"(a|a)*c"', '"["', '"/(?P<n>a)(b)/"', '"^a{1000}{1000}$"', '"[[:alpha:]]+"',
  str("a".repeat(3000)), str("ab".repeat(2000) + "c"),
  '"%999999999d"', '"%-10000.3f"', '"%[5]s"', '"%#v"', '"%s%s%s%s"', '"%q"', '"%08.3f|%x|%X|%o|%b|%e|%G"', '"%"',
  str(bomb(9)), str(bomb(3)), '"{a: &foo [1, *foo, 3]}"', '"{a: !not-supported foo}"', '"a: 1\\na: 2"', '"- - - - - - -"',
  str("[".repeat(600) + "]".repeat(600)), '"{\\"a\\": 1, \\"a\\": 2}"', '"9007199254740993"', '"[1e400]"', '"{\\"x\\": [1, 2, {\\"y\\": null}]}"',
  '"*.txt"', '"**/{a,b}[!c]?"', '"dns"', '"url"', '"YYYY-MM-DD hh:mm:ss ZZZ"', '"UTF-16LE"', '"ISO-8859-1"', '"bm90IGJhc2U2NA=="', '"!!!"',
  "[]", "[1, 2, 3]", '["a", "b", "a"]', "[[1, 2], [3]]", "[true, false]", '[null, "", "x"]', "range(100)",
  "{}", '{ a = 1, b = "x" }', '{ "a b" = [1], c = { d = null } }', '[{ a = 1 }, { a = 2 }]', '{ x = ["1", "2"], y = ["2"] }',
  "null", "true", "false",
];

/** Values whose evaluation is large or hits a limit: each costs up to a second's work. */
export const HEAVY: readonly string[] = [
  "range(1e9)", "range(0, 1e9, 0.5)", "range(1e22)", "[for x in range(5000): [for y in range(5000): x]]",
  'format("%999999999d", 1)', 'indent(10000, "a\\nb")', 'formatlist("%s", range(20000))', "setproduct(range(1000), range(1000))",
  "chunklist(range(100000), 1)", 'join("", [for x in range(100000): "aaaaaaaaaa"])', 'cidrsubnets("10.0.0.0/8", 24, 24)', 'cidrhost("::/0", 1e22)',
  'jsondecode(jsonencode(range(50000)))', 'yamldecode(yamlencode(range(20000)))', 'base64gzip(join("", range(30000)))',
  'regexall("/(a*)*b/", join("", [for x in range(20000): "a"]))', 'replace(join("", range(20000)), "/[0-9]/", "$$0$$0")',
];

/**
 * `count` expressions from `seed`. `names` are the functions to call (a wrong count of
 * arguments is generated on purpose now and then); a leaf is one of HEAVY with probability
 * `heavy`.
 */
export function generateExpressions(seed: number, count: number, names: readonly string[], heavy = 0.01): string[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const leaf = (): string => (r() < heavy ? pick(HEAVY) : pick(LEAVES));
  const expr = (depth: number): string => {
    const roll = r();
    if (depth >= 4 || roll < 0.3) return leaf();
    if (roll < 0.85) {
      const args = Array.from({ length: Math.floor(r() * 4) }, () => expr(depth + 1));
      if (args.length > 0 && r() < 0.1) return `${pick(names)}(${args.join(", ")}...)`;
      return `${pick(names)}(${args.join(", ")})`;
    }
    const inner = expr(depth + 1);
    switch (Math.floor(r() * 8)) {
      case 0:
        return `[for x in ${inner}: x]`;
      case 1:
        return `{for k, v in ${inner}: tostring(k) => v...}`;
      case 2:
        return `${inner}[*]`;
      case 3:
        return `try(${inner}, ${expr(depth + 1)})`;
      case 4:
        return `"<\${${inner}}>%{ for c in ${expr(depth + 1)} }\${c}%{ endfor }"`;
      case 5:
        return `(${inner} + ${expr(depth + 1)})`;
      case 6:
        return `can(${inner})`;
      default:
        return `${inner}[${pick(["0", "-1", '"a"', "1e9"])}]`;
    }
  };
  return Array.from({ length: count }, () => expr(0));
}

/** A one-domain program declaring each expression as a `let`. */
export function fuzzProgram(exprs: readonly string[]): string {
  return `domain fuzz {\n${exprs.map((e, i) => `  let v${i} = ${e}\n`).join("")}}\n`;
}
