import { canonicalize } from "../../program/canonical.js";
import type { Json } from "../../program/types.js";
import type { Builtin } from "../builtins.js";
import { deepEqual, isObject, objectFrom } from "../values.js";
import { bounded, boundedCount, failArg, int, invalid, list, obj, primitiveText } from "./args.js";

/**
 * Lexum has no set type: a Terraform set is a list without duplicates, in canonical order
 * (sorted by the canonical JSON text, code units), so equal sets are equal lists.
 */
export function asSet(xs: readonly Json[]): Json[] {
  const byText = new Map<string, Json>();
  for (const x of xs) byText.set(canonicalize(x), x);
  return [...byText.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => byText.get(k)!);
}

function lists(fn: string, a: Json[]): Json[][] {
  return a.map((_, i) => list(fn, a, i));
}

function truth(fn: string, v: Json, i: number): boolean {
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  return failArg(fn, i, "a list of bools", v);
}

/** Collection functions (alltrue, chunklist, coalesce, concat, flatten, lookup, setproduct, zipmap, …). */
export const collections: Builtin[] = [
  { name: "alltrue", min: 1, max: 1, signature: "alltrue(list)", impl: (a) => list("alltrue", a, 0).every((v) => truth("alltrue", v, 0)) },
  { name: "anytrue", min: 1, max: 1, signature: "anytrue(list)", impl: (a) => list("anytrue", a, 0).map((v) => truth("anytrue", v, 0)).some((b) => b) },
  {
    name: "chunklist",
    min: 2,
    max: 2,
    signature: "chunklist(list, size)",
    impl(a) {
      const xs = list("chunklist", a, 0);
      const n = int("chunklist", a, 1);
      if (n < 0) return invalid("chunklist", 1, "the size must not be negative");
      if (n === 0) return [xs];
      const out: Json[] = [];
      for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
      return out;
    },
  },
  {
    name: "coalesce",
    min: 1,
    max: Infinity,
    signature: "coalesce(values...)",
    impl(a) {
      const v = a.find((x) => x !== null && x !== "");
      return v === undefined ? invalid("coalesce", null, "no argument is non-null and not an empty string") : v;
    },
  },
  {
    name: "coalescelist",
    min: 1,
    max: Infinity,
    signature: "coalescelist(lists...)",
    impl(a) {
      const v = lists("coalescelist", a).find((x) => x.length > 0);
      return v === undefined ? invalid("coalescelist", null, "every list is empty") : v;
    },
  },
  {
    name: "compact",
    min: 1,
    max: 1,
    signature: "compact(list)",
    impl: (a) => list("compact", a, 0).filter((v, i) => (v === null || typeof v === "string" ? v !== null && v !== "" : failArg("compact", 0, "a list of strings", list("compact", a, 0)[i]!))),
  },
  {
    name: "distinct",
    min: 1,
    max: 1,
    signature: "distinct(list)",
    impl(a) {
      const seen = new Set<string>();
      return list("distinct", a, 0).filter((v) => {
        const k = canonicalize(v);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
  },
  {
    name: "element",
    min: 2,
    max: 2,
    signature: "element(list, index)",
    impl(a) {
      const xs = list("element", a, 0);
      const i = int("element", a, 1);
      if (xs.length === 0) return invalid("element", 0, "cannot take an element of an empty list");
      if (i < 0) return invalid("element", 1, "the index must not be negative");
      return xs[i % xs.length]!;
    },
  },
  {
    name: "flatten",
    min: 1,
    max: 1,
    signature: "flatten(list)",
    impl(a) {
      const out: Json[] = [];
      // Iterative, so a deeply nested list cannot exhaust the stack.
      const stack: Json[][] = [[...list("flatten", a, 0)].reverse()];
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        if (top.length === 0) {
          stack.pop();
          continue;
        }
        const v = top.pop()!;
        if (Array.isArray(v)) stack.push([...v].reverse());
        else out.push(v);
      }
      return bounded("flatten", out);
    },
  },
  {
    name: "index",
    min: 2,
    max: 2,
    signature: "index(list, value)",
    impl(a) {
      const i = list("index", a, 0).findIndex((v) => deepEqual(v, a[1]!));
      return i < 0 ? invalid("index", 1, "the value is not in the list") : i;
    },
  },
  {
    name: "lookup",
    min: 2,
    max: 3,
    signature: "lookup(map, key[, default])",
    impl(a) {
      const m = obj("lookup", a, 0);
      const k = primitiveText("lookup", a[1]!, 1);
      if (Object.prototype.hasOwnProperty.call(m, k)) return m[k]!;
      return a.length === 3 ? a[2]! : invalid("lookup", 1, `the key ${JSON.stringify(k)} is not in the map and no default is given`);
    },
  },
  {
    name: "matchkeys",
    min: 3,
    max: 3,
    signature: "matchkeys(values, keys, searchset)",
    impl(a) {
      const values = list("matchkeys", a, 0);
      const keys = list("matchkeys", a, 1);
      if (values.length !== keys.length) return invalid("matchkeys", 1, `values and keys have different lengths (${values.length} and ${keys.length})`);
      const wanted = new Set(list("matchkeys", a, 2).map((v) => canonicalize(v)));
      return values.filter((_, i) => wanted.has(canonicalize(keys[i]!)));
    },
  },
  {
    name: "one",
    min: 1,
    max: 1,
    signature: "one(list)",
    impl(a) {
      const xs = list("one", a, 0);
      if (xs.length > 1) return invalid("one", 0, `the list has ${xs.length} elements; one takes a list of at most one`);
      return xs.length === 0 ? null : xs[0]!;
    },
  },
  { name: "reverse", min: 1, max: 1, signature: "reverse(list)", impl: (a) => [...list("reverse", a, 0)].reverse() },
  {
    name: "setintersection",
    min: 1,
    max: Infinity,
    signature: "setintersection(sets...)",
    impl(a) {
      const [first, ...rest] = lists("setintersection", a);
      const others = rest.map((xs) => new Set(xs.map((x) => canonicalize(x))));
      return asSet(first!.filter((x) => others.every((o) => o.has(canonicalize(x)))));
    },
  },
  {
    name: "setsubtract",
    min: 2,
    max: 2,
    signature: "setsubtract(a, b)",
    impl(a) {
      const drop = new Set(list("setsubtract", a, 1).map((x) => canonicalize(x)));
      return asSet(list("setsubtract", a, 0).filter((x) => !drop.has(canonicalize(x))));
    },
  },
  { name: "setunion", min: 1, max: Infinity, signature: "setunion(sets...)", impl: (a) => asSet(bounded("setunion", lists("setunion", a).flat())) },
  {
    name: "setproduct",
    min: 1,
    max: Infinity,
    signature: "setproduct(sets...)",
    impl(a) {
      const ls = lists("setproduct", a);
      let size = 1;
      for (const l of ls) size *= l.length;
      // Counted through every level (each combination is a list of one element per set), before it is built.
      boundedCount("setproduct", size * (ls.length + 1));
      let out: Json[][] = [[]];
      for (const l of ls) out = out.flatMap((prefix) => l.map((x) => [...prefix, x]));
      return ls.some((l) => l.length === 0) ? [] : out;
    },
  },
  {
    name: "slice",
    min: 3,
    max: 3,
    signature: "slice(list, start, end)",
    impl(a) {
      const xs = list("slice", a, 0);
      const s = int("slice", a, 1);
      const e = int("slice", a, 2);
      if (s < 0 || s > xs.length) return invalid("slice", 1, `the start ${s} is outside a list of ${xs.length} elements`);
      if (e < s || e > xs.length) return invalid("slice", 2, `the end ${e} is outside ${s}..${xs.length}`);
      return xs.slice(s, e);
    },
  },
  {
    name: "sort",
    min: 1,
    max: 1,
    signature: "sort(list)",
    // Strings in code-unit order (numbers and bools as their text), as Terraform sorts list(string).
    impl: (a) => list("sort", a, 0).map((v) => primitiveText("sort", v, 0)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
  },
  {
    name: "transpose",
    min: 1,
    max: 1,
    signature: "transpose(map)",
    impl(a) {
      const m = obj("transpose", a, 0);
      const out = new Map<string, string[]>();
      for (const k of Object.keys(m).sort()) {
        const vs = m[k];
        if (!Array.isArray(vs)) return failArg("transpose", 0, "a map of lists of strings", a[0]!);
        for (const v of vs) {
          const s = typeof v === "string" ? v : failArg("transpose", 0, "a map of lists of strings", a[0]!);
          out.set(s, [...(out.get(s) ?? []), k]);
        }
      }
      return objectFrom([...out.keys()].sort().map((k) => [k, out.get(k)!])) as { [k: string]: Json };
    },
  },
  {
    name: "zipmap",
    min: 2,
    max: 2,
    signature: "zipmap(keys, values)",
    impl(a) {
      const ks = list("zipmap", a, 0);
      const vs = list("zipmap", a, 1);
      if (ks.length !== vs.length) return invalid("zipmap", 1, `keys and values have different lengths (${ks.length} and ${vs.length})`);
      return objectFrom(ks.map((k, i) => [primitiveText("zipmap", k, 0), vs[i]!])) as { [k: string]: Json };
    },
  },
  {
    name: "tobool",
    min: 1,
    max: 1,
    signature: "tobool(value)",
    impl(a) {
      const v = a[0]!;
      if (v === null || typeof v === "boolean") return v;
      if (v === "true" || v === "false") return v === "true";
      return failArg("tobool", 0, "a bool, \"true\" or \"false\"", v);
    },
  },
  { name: "tolist", min: 1, max: 1, signature: "tolist(value)", impl: (a) => (a[0] === null ? null : list("tolist", a, 0)) },
  { name: "toset", min: 1, max: 1, signature: "toset(value)", impl: (a) => (a[0] === null ? null : asSet(list("toset", a, 0))) },
  { name: "tomap", min: 1, max: 1, signature: "tomap(value)", impl: (a) => (a[0] === null ? null : isObject(a[0]) ? a[0]! : obj("tomap", a, 0)) },
];

