import { catalog } from "../diag/index.js";
import { suggest } from "../lang/suggest.js";
import { parseAddress } from "../program/address.js";

/**
 * Finding a recorded resource from an address as a user types it. Accepted forms, for the
 * record `web/fs.file.page["index"]`:
 * - the full address, `web/fs.file.page["index"]`;
 * - with a dot for the slash, `web.fs.file.page["index"]`;
 * - without the domain, as `lxm plan` prints it under its domain heading,
 *   `fs.file.page["index"]` (when only one domain has it);
 * - with the key unquoted or single-quoted, `fs.file.page[index]`, `page['index']`'s key form.
 * A number key `[2]` also finds a string key `["2"]` when no number key matches.
 */

interface Reading {
  readonly domain: string | null;
  /** `type.name`, e.g. `fs.file.page`. */
  readonly local: string;
  /** null: no key; otherwise the keys it may mean, most literal first. */
  readonly keys: readonly (string | number)[] | null;
}

/** The ways an address as typed can be read (several when a dot may separate the domain). */
function readings(input: string): Reading[] {
  let base = input.trim();
  let keys: (string | number)[] | null = null;
  const open = base.indexOf("[");
  if (open >= 0 && base.endsWith("]")) {
    const raw = base.slice(open + 1, -1);
    base = base.slice(0, open);
    keys = keyReadings(raw);
  }
  const out: Reading[] = [];
  const slash = base.indexOf("/");
  if (slash >= 0) {
    out.push({ domain: base.slice(0, slash), local: base.slice(slash + 1), keys });
    return out;
  }
  out.push({ domain: null, local: base, keys });
  const parts = base.split(".");
  // `web.fs.file.page`: the first segment may be the domain.
  if (parts.length >= 4) out.push({ domain: parts[0]!, local: parts.slice(1).join("."), keys });
  return out;
}

function keyReadings(raw: string): (string | number)[] {
  const t = raw.trim();
  try {
    const v: unknown = JSON.parse(t);
    if (typeof v === "string") return [v];
    if (typeof v === "number" && Number.isFinite(v)) return [v, t];
  } catch {
    // not JSON: an unquoted or single-quoted key
  }
  const m = /^'(.*)'$/s.exec(t);
  return [m ? m[1]! : t];
}

/**
 * The one recorded address `input` names among `known`. Throws LXM4211 (with the closest
 * address as a did-you-mean) when none matches, LXM5023 when a short form matches
 * resources in several domains. Deterministic.
 */
export function findAddress(input: string, known: readonly string[]): string {
  if (known.includes(input)) return input;
  const parsed = known.map((a) => ({ a, p: parseAddress(a) }));
  for (const strict of [true, false]) {
    const hits = new Set<string>();
    for (const r of readings(input)) {
      for (const { a, p } of parsed) {
        if (!p || `${p.type}.${p.name}` !== r.local) continue;
        if (r.domain !== null && p.domain !== r.domain) continue;
        if (r.keys === null ? p.key !== null : p.key === null || !keyMatches(p.key, r.keys, strict)) continue;
        hits.add(a);
      }
    }
    const matches = [...hits].sort();
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw catalog.host.ambiguousAddress.error(input, matches);
  }
  throw catalog.engine.noSuchAddress.error(input, suggestAddress(input, parsed));
}

/** Strict: the key as written (`[2]` is the number 2); loose: any of its readings (`[2]` may be `["2"]`). */
function keyMatches(key: string | number, keys: readonly (string | number)[], strict: boolean): boolean {
  return strict ? key === keys[0] : keys.includes(key);
}

/** The closest recorded address, compared in the form the user typed (with or without the domain). */
function suggestAddress(input: string, parsed: readonly { a: string; p: ReturnType<typeof parseAddress> }[]): string | null {
  const byForm = new Map<string, string>();
  const short = !input.includes("/");
  for (const { a, p } of parsed) {
    byForm.set(a, a);
    if (short && p) byForm.set(a.slice(p.domain.length + 1), a);
    if (short && p) byForm.set(`${p.domain}.${a.slice(p.domain.length + 1)}`, a);
  }
  // Unquoted keys are compared quoted, so `page[indx]` is one edit from `page["index"]`.
  const open = input.indexOf("[");
  const typed = open >= 0 && input.endsWith("]") && !/^\[\s*["\d-]/.test(input.slice(open)) ? `${input.slice(0, open)}[${JSON.stringify(input.slice(open + 1, -1))}]` : input;
  const near = suggest(typed, [...byForm.keys()].sort());
  return near === null ? null : byForm.get(near)!;
}
