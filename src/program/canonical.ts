import { createHash } from "node:crypto";
import { InternalError } from "../diag/diagnostic.js";

/**
 * RFC 8785 (JCS) canonical JSON: object keys sorted by UTF-16 code units, no whitespace,
 * numbers in ECMAScript's shortest round-trip form, strings escaped as JSON.stringify does.
 * Deterministic; throws InternalError on values JSON cannot carry (a bug, never user input).
 */
export function canonicalize(value: unknown): string {
  // Fast paths lean on the engine's JSON.stringify, which emits keys in insertion order and
  // numbers and strings exactly as RFC 8785 wants: (1) every object's keys are already in
  // code-unit order (data parsed from canonical text, or built sorted) → stringify as is;
  // (2) otherwise a copy with keys inserted in order, unless an object has integer-like
  // keys (which JS always enumerates first, numerically) → the general writer.
  const state = scan(value);
  if (state === SORTED) return JSON.stringify(value);
  if (state === UNSORTED) {
    const copy = sortedCopy(value);
    if (copy !== INTEGER_KEYS) return JSON.stringify(copy);
  }
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

/**
 * `value` itself when every object in it already has its keys in code-unit order (or when
 * only the general writer can serialise it), else a deep copy with keys inserted in that
 * order. Data built from such values hashes through canonicalize's fastest path (one
 * JSON.stringify). Never changes the canonical bytes.
 */
export function inCanonicalOrder<T>(value: T): T {
  if (scan(value) !== UNSORTED) return value;
  const copy = sortedCopy(value);
  return copy === INTEGER_KEYS ? value : (copy as T);
}

/**
 * Sorts strings in place by UTF-16 code units (what `Array.prototype.sort()` does with no
 * comparator) and returns the array. Small arrays (object keys, mostly) by insertion sort:
 * the engine's sort allocates a work array per call, which at 10⁵ resources is megabytes.
 */
export function sortStrings(a: string[]): string[] {
  if (a.length > 16) return a.sort();
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
  return a;
}

/** The general writer alone (no fast paths): the reference the fast paths are tested against. */
export function canonicalizeSlow(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

const SORTED = 0;
const UNSORTED = 1;
const GENERAL = 2;
const INTEGER_KEYS = Symbol("integer-keys");

/** SORTED when every object's keys are in code-unit order; GENERAL when only the general writer is exact (-0 is fine: stringify prints 0). */
function scan(v: unknown): number {
  if (typeof v !== "object" || v === null) {
    // null prints as "null" either way: it must not send the whole value to the general writer.
    if (v === null) return SORTED;
    if (typeof v === "number") return Number.isFinite(v) ? SORTED : GENERAL;
    return typeof v === "string" || typeof v === "boolean" ? SORTED : GENERAL;
  }
  let state = SORTED;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === undefined) return GENERAL;
      if (typeof x === "object" || typeof x === "number") {
        const s = scan(x);
        if (s === GENERAL) return GENERAL;
        if (s > state) state = s;
      } else if (typeof x !== "string" && typeof x !== "boolean") return GENERAL;
    }
    return state;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return GENERAL;
  let prev: string | null = null;
  const obj = v as Record<string, unknown>;
  for (const k in obj) {
    if (prev !== null && prev > k) state = UNSORTED;
    prev = k;
    const x = obj[k];
    if (typeof x === "object" || typeof x === "number") {
      const s = scan(x);
      if (s === GENERAL) return GENERAL;
      if (s > state) state = s;
    } else if (typeof x !== "string" && typeof x !== "boolean") return GENERAL;
  }
  return state;
}

/** A deep copy whose objects have keys inserted in code-unit order; INTEGER_KEYS when JS would not keep that order. */
function sortedCopy(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = sortedCopy(v[i]);
      if (c === INTEGER_KEYS) return INTEGER_KEYS;
      out[i] = c;
    }
    return out;
  }
  const obj = v as Record<string, unknown>;
  const keys = sortStrings(Object.keys(obj));
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const c = sortedCopy(obj[k]);
    if (c === INTEGER_KEYS) return INTEGER_KEYS;
    out[k] = c;
  }
  // Integer-like keys are enumerated first whatever the insertion order.
  const got = Object.keys(out);
  for (let i = 0; i < keys.length; i++) if (got[i] !== keys[i]) return INTEGER_KEYS;
  return out;
}

function write(v: unknown, out: string[]): void {
  switch (typeof v) {
    case "string":
      out.push(JSON.stringify(v));
      return;
    case "number":
      if (!Number.isFinite(v)) throw new InternalError(`non-finite number in canonical JSON`);
      // ES Number::toString is exactly RFC 8785's number form; -0 prints as 0.
      out.push(Object.is(v, -0) ? "0" : String(v));
      return;
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "object": {
      if (v === null) {
        out.push("null");
        return;
      }
      if (Array.isArray(v)) {
        out.push("[");
        for (let i = 0; i < v.length; i++) {
          if (i) out.push(",");
          write(v[i] === undefined ? null : v[i], out);
        }
        out.push("]");
        return;
      }
      const obj = v as Record<string, unknown>;
      // Default sort compares UTF-16 code units: RFC 8785's order, and locale-free.
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      out.push("{");
      for (let i = 0; i < keys.length; i++) {
        if (i) out.push(",");
        out.push(JSON.stringify(keys[i]), ":");
        write(obj[keys[i]!], out);
      }
      out.push("}");
      return;
    }
    default:
      throw new InternalError(`cannot canonicalize a ${typeof v}`);
  }
}

/** `sha256:` + hex of the bytes (UTF-8 for strings). */
export function sha256(data: string | Uint8Array): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

/**
 * `sha256(canonicalize(value))`, without the whole canonical JSON in memory at once: objects
 * down to `depth` levels are written key by key (sorted, undefined values left out, exactly
 * as the general writer does) and what lies below each is canonicalized on its own, the text
 * hashed in chunks of about 64 KB. For a program (depth 4: program, domains, domain,
 * resources) no string is larger than one resource's JSON.
 */
export function sha256Canonical(value: unknown, depth: number): string {
  const h = createHash("sha256");
  let buf = "";
  const put = (text: string): void => {
    buf += text;
    if (buf.length >= 65536) {
      h.update(buf);
      buf = "";
    }
  };
  const walk = (v: unknown, d: number): void => {
    if (d === 0 || typeof v !== "object" || v === null || Array.isArray(v) || (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)) {
      put(canonicalize(v));
      return;
    }
    const obj = v as Record<string, unknown>;
    const keys = sortStrings(Object.keys(obj).filter((k) => obj[k] !== undefined));
    put("{");
    for (let i = 0; i < keys.length; i++) {
      put(`${i ? "," : ""}${JSON.stringify(keys[i])}:`);
      walk(obj[keys[i]!], d - 1);
    }
    put("}");
  };
  walk(value, depth);
  h.update(buf);
  return "sha256:" + h.digest("hex");
}

/** The hash of a value: sha256 of its canonical JSON. */
export function hashValue(value: unknown): string {
  return sha256(canonicalize(value));
}

/**
 * Canonical JSON laid out for people: the same key order and number/string forms as
 * `canonicalize`, two-space indentation, and a final newline. Parsing it and
 * canonicalizing gives back the canonical bytes, so hashes never depend on layout.
 */
export function prettyCanonical(value: unknown): string {
  // JSON.stringify's two-space layout is exactly the one below for data whose keys are in
  // canonical order ("[]"/"{}" when empty, ": " and ",\n" separators, the same scalars).
  const state = scan(value);
  if (state === SORTED) return JSON.stringify(value, null, 2) + "\n";
  if (state === UNSORTED) {
    const copy = sortedCopy(value);
    if (copy !== INTEGER_KEYS) return JSON.stringify(copy, null, 2) + "\n";
  }
  const parts: string[] = [];
  writePretty(value, "", parts);
  parts.push("\n");
  return parts.join("");
}

function writePretty(v: unknown, indent: string, out: string[]): void {
  if (v === null || typeof v !== "object") {
    write(v, out);
    return;
  }
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push("[]");
      return;
    }
    out.push("[\n");
    v.forEach((item, i) => {
      out.push(inner);
      writePretty(item === undefined ? null : item, inner, out);
      out.push(i + 1 < v.length ? ",\n" : "\n");
    });
    out.push(indent, "]");
    return;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  if (keys.length === 0) {
    out.push("{}");
    return;
  }
  out.push("{\n");
  keys.forEach((k, i) => {
    out.push(inner, JSON.stringify(k), ": ");
    writePretty(obj[k], inner, out);
    out.push(i + 1 < keys.length ? ",\n" : "\n");
  });
  out.push(indent, "}");
}
