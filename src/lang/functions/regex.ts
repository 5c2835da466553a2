import { RE2JS } from "re2js";
import type { Json } from "../../program/types.js";
import type { Builtin } from "../builtins.js";
import { bounded, boundedStr, invalid, str } from "./args.js";

/**
 * Regular expressions with RE2's syntax and semantics (Terraform's), matched in linear time
 * by re2js: no pattern in a commit can make the compiler backtrack for ever. Compiled
 * patterns are cached (bounded); a pattern is at most MAX_PATTERN characters.
 */

const MAX_PATTERN = 16 * 1024;
const CACHE_SIZE = 256;
const cache = new Map<string, Compiled>();

interface Compiled {
  readonly re: RE2JS;
  readonly groups: number;
  /** Group names by index (1-based); empty when the pattern has no named group. */
  readonly names: ReadonlyMap<number, string>;
}

function compiled(fn: string, pattern: string, at: number): Compiled {
  const hit = cache.get(pattern);
  if (hit) return hit;
  if (pattern.length > MAX_PATTERN) return invalid(fn, at, `the pattern is longer than ${MAX_PATTERN} characters`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    return invalid(fn, at, `not a valid regular expression (RE2 syntax): ${(e as Error).message.replace(/^error parsing regexp: /, "")}`);
  }
  const names = new Map<number, string>();
  for (const [name, i] of Object.entries(re.namedGroups() as Record<string, number>)) names.set(i, name);
  const c: Compiled = { re, groups: re.groupCount(), names };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pattern, c);
  return c;
}

/** One match as regex() returns it: the whole match, the list of captures, or the object of named captures. */
function matchValue(fn: string, c: Compiled, m: ReturnType<RE2JS["matcher"]>): Json {
  if (c.groups === 0) return m.group() as string;
  if (c.names.size === 0) {
    const out: Json[] = [];
    for (let i = 1; i <= c.groups; i++) out.push(m.group(i) ?? null);
    return out;
  }
  if (c.names.size !== c.groups) return invalid(fn, 0, "the pattern mixes named and unnamed capture groups");
  const out: { [k: string]: Json } = {};
  for (const i of [...c.names.keys()].sort((a, b) => a - b)) out[c.names.get(i)!] = m.group(i) ?? null;
  return out;
}

/**
 * Go's regexp template expansion, which Terraform's replace uses: `$1`, `${1}`, `$name`,
 * `${name}` (a name is the longest run of letters, digits and `_`), `$$` for a dollar; a
 * group that does not exist or did not match expands to "".
 */
function expand(template: string, c: Compiled, m: ReturnType<RE2JS["matcher"]>): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== "$" || i + 1 >= template.length) {
      out += ch;
      continue;
    }
    if (template[i + 1] === "$") {
      out += "$";
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (template[i + 1] === "{") {
      const close = template.indexOf("}", i + 2);
      const inner = close < 0 ? "" : template.slice(i + 2, close);
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(inner)) {
        out += ch;
        continue;
      }
      name = inner;
      end = close;
    } else {
      const run = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1))?.[0];
      if (!run) {
        out += ch;
        continue;
      }
      name = run;
      end = i + run.length;
    }
    i = end;
    let index = -1;
    if (/^\d+$/.test(name)) index = Number(name);
    else for (const [k, v] of c.names) if (v === name) index = k;
    if (index >= 0 && index <= c.groups) out += m.group(index) ?? "";
  }
  return out;
}

/** replace() with a `/pattern/` substring: every match replaced by the expanded template. */
export function regexReplace(s: string, pattern: string, template: string): string {
  const c = compiled("replace", pattern, 1);
  const m = c.re.matcher(s);
  let out = "";
  let last = 0;
  while (m.find()) {
    out += s.slice(last, m.start()) + expand(template, c, m);
    last = m.end();
    boundedStr("replace", out);
    // An empty match moves on by one character (Go and RE2 do the same).
    if (m.end() === m.start() && m.end() >= s.length) break;
  }
  return boundedStr("replace", out + s.slice(last));
}

export const regexFunctions: Builtin[] = [
  {
    name: "regex",
    min: 2,
    max: 2,
    signature: "regex(pattern, string)",
    impl(a) {
      const c = compiled("regex", str("regex", a, 0), 0);
      const m = c.re.matcher(str("regex", a, 1));
      if (!m.find()) return invalid("regex", 1, "the pattern did not match any part of the given string");
      return matchValue("regex", c, m);
    },
  },
  {
    name: "regexall",
    min: 2,
    max: 2,
    signature: "regexall(pattern, string)",
    impl(a) {
      const c = compiled("regexall", str("regexall", a, 0), 0);
      const m = c.re.matcher(str("regexall", a, 1));
      const out: Json[] = [];
      while (m.find()) {
        out.push(matchValue("regexall", c, m));
        bounded("regexall", out);
      }
      return out;
    },
  },
];
