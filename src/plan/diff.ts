import { canonicalize } from "../program/canonical.js";
import type { Address, Json, JsonObject, Residual } from "../program/types.js";
import type { AttrChange } from "./types.js";

/**
 * Attribute-level comparison for the planner. Pure and deterministic: values compare by
 * their canonical JSON (so object key order never matters), attributes iterate sorted.
 */

/** True when a and b are the same JSON value (key order ignored). `undefined` equals only `undefined`. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  // Scalars compare directly (the common case); only containers need canonical forms.
  if (a === null || typeof a !== "object" || b === null || typeof b !== "object") return a === b;
  return canonicalize(a) === canonicalize(b);
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
  const walk = (e: Residual): void => {
    switch (e.op) {
      case "lit":
      case "var":
        return;
      case "ref":
      case "res":
        addresses.add(e.address);
        return;
      case "secret":
        secret = true;
        return;
      case "call":
        e.args.forEach(walk);
        return;
      case "unary":
        walk(e.x);
        return;
      case "binary":
        walk(e.l);
        walk(e.r);
        return;
      case "cond":
        walk(e.c);
        walk(e.t);
        walk(e.e);
        return;
      case "list":
        e.items.forEach(walk);
        return;
      case "object":
        for (const [, v] of e.entries) walk(v);
        return;
      case "index":
        walk(e.x);
        walk(e.i);
        return;
      case "member":
        walk(e.x);
        return;
      case "interp":
        e.parts.forEach(walk);
        return;
      case "listcomp":
        walk(e.src);
        walk(e.body);
        if (e.cond) walk(e.cond);
        return;
      case "objcomp":
        walk(e.src);
        walk(e.key);
        walk(e.value);
        if (e.cond) walk(e.cond);
        return;
    }
  };
  walk(expr);
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
  for (const attr of Object.keys(after).sort()) {
    const a = after[attr]!;
    const b = before === null ? undefined : before[attr];
    if (before !== null && jsonEqual(a, b)) continue;
    out.push(change(attr, b, a, forces.has(attr)));
  }
  return out;
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
