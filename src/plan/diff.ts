import type { Address, Json, JsonObject, Residual } from "../program/types.js";
import type { AttrChange } from "./types.js";
import { residualNodes } from "../program/residual-walk.js";

/**
 * Attribute-level comparison for the planner. Pure and deterministic: values compare by
 * their canonical JSON (so object key order never matters), attributes iterate sorted.
 */

/**
 * True when a and b are the same JSON value, that is when their canonical JSON is the same:
 * key order ignored, object members whose value is undefined absent, undefined array items
 * null. `undefined` equals only `undefined`. Compared in place, without building the texts.
 */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  let count = 0;
  for (const k in a) {
    const x = a[k];
    if (x === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(b, k) || !jsonEqual(x, b[k])) return false;
    count++;
  }
  for (const k in b) if (b[k] !== undefined) count--;
  return count === 0;
}

/** What a residual expression reads: resource addresses (sorted, unique) and whether a secret flows in. */
export interface ResidualRefs {
  readonly addresses: Address[];
  readonly secret: boolean;
}

/** Collects the resources and secrets a residual expression refers to. Deterministic. */
export function residualRefs(expr: Residual): ResidualRefs {
  const addresses = new Set<string>();
  let secret = false;
  for (const e of residualNodes(expr)) {
    if (e.op === "ref" || e.op === "res") addresses.add(e.address);
    else if (e.op === "secret") secret = true;
  }
  return { addresses: [...addresses].sort(), secret };
}

/**
 * The changes that bring `before` to `after`, over the attributes `after` sets (attributes
 * only recorded, such as computed ones, are not compared). Sorted by attribute name; an
 * attribute named in `forces` is marked forcesReplace. `before` null (create) lists every
 * attribute of `after` with no `before`.
 */
export function diffAttrs(before: JsonObject | null, after: JsonObject, forces: ReadonlySet<string> = new Set()): AttrChange[] {
  const out: AttrChange[] = [];
  // Sorted at the end, so no sorted key list per call (most calls find nothing).
  for (const attr in after) {
    const a = after[attr]!;
    const b = before === null ? undefined : before[attr];
    if (before !== null && jsonEqual(a, b)) continue;
    out.push(change(attr, b, a, forces.has(attr)));
  }
  return out.length > 1 ? sortChanges(out) : out;
}

/** One AttrChange with only the fields that apply (so the canonical bytes carry no noise). */
export function change(
  attr: string,
  before: Json | undefined,
  after: Json | undefined,
  forcesReplace = false,
  flags: { unknown?: boolean; sensitive?: boolean } = {},
): AttrChange {
  // Keys are inserted in code-unit order (after, attr, before, forcesReplace, sensitive,
  // unknown) so that hashing a plan takes canonicalize's fastest path.
  const c: { -readonly [K in keyof AttrChange]: AttrChange[K] } = {} as AttrChange;
  // Sensitive changes carry no values at all, whatever the caller passed.
  if (!flags.sensitive && !flags.unknown && after !== undefined) c.after = after;
  c.attr = attr;
  if (!flags.sensitive && before !== undefined) c.before = before;
  if (forcesReplace) c.forcesReplace = true;
  if (flags.sensitive) c.sensitive = true;
  if (flags.unknown) c.unknown = true;
  return c;
}

/** Sorts changes by attribute name (plain `<`). */
export function sortChanges(cs: AttrChange[]): AttrChange[] {
  return cs.sort((x, y) => (x.attr < y.attr ? -1 : x.attr > y.attr ? 1 : 0));
}
