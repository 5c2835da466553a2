import pg from "pg";
import type { Json, JsonObject } from "../../program/types.js";
import { badAttr } from "./errors.js";

/**
 * Attribute access for the postgres types: the compiler checks attributes against the
 * schemas, these guard direct calls (tests, external callers) with clear errors; and SQL
 * quoting, which goes through node-postgres' own escaping only.
 */

/** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1): a longer one would be truncated silently. */
const MAX_NAME_BYTES = 63;

/** A required string attribute that names a PostgreSQL object: non-empty, no NUL, at most 63 bytes. */
export function nameAttr(type: string, attrs: JsonObject, attr: string): string {
  const v = attrs[attr];
  if (typeof v !== "string" || v.length === 0) throw badAttr(type, attr, "must be a non-empty string");
  return checkName(type, attr, v);
}

/** An optional name attribute (absent or null → undefined). */
export function optNameAttr(type: string, attrs: JsonObject, attr: string): string | undefined {
  const v = attrs[attr];
  if (v === undefined || v === null) return undefined;
  return nameAttr(type, attrs, attr);
}

/** Checks one name (also list items): no NUL byte, not empty, at most 63 bytes of UTF-8. */
export function checkName(type: string, attr: string, v: string): string {
  if (v.length === 0) throw badAttr(type, attr, "must not be empty");
  if (v.includes("\0")) throw badAttr(type, attr, "contains a NUL byte");
  if (Buffer.byteLength(v, "utf8") > MAX_NAME_BYTES) throw badAttr(type, attr, `${JSON.stringify(v)} is longer than ${MAX_NAME_BYTES} bytes, PostgreSQL's limit for names (it would be truncated)`);
  return v;
}

/** An optional string attribute (not a name: a version, a timestamp, a password). */
export function optStringAttr(type: string, attrs: JsonObject, attr: string): string | undefined {
  const v = attrs[attr];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badAttr(type, attr, "must be a string");
  if (v.includes("\0")) throw badAttr(type, attr, "contains a NUL byte");
  return v;
}

export function boolAttr(type: string, attrs: JsonObject, attr: string, fallback: boolean): boolean {
  const v = attrs[attr];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") throw badAttr(type, attr, "must be true or false");
  return v;
}

export function intAttr(type: string, attrs: JsonObject, attr: string, fallback: number, min: number): number {
  const v = attrs[attr];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > 2147483647) throw badAttr(type, attr, `must be an integer ≥ ${min}`);
  return v;
}

/** A list of strings (absent → []); each item checked with `item`. */
export function listAttr(type: string, attrs: JsonObject, attr: string, item: (v: string) => string = (v) => v): string[] {
  const v: Json | undefined = attrs[attr];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw badAttr(type, attr, "must be a list of strings");
  const out = (v as string[]).map(item);
  if (new Set(out).size !== out.length) throw badAttr(type, attr, "lists an item twice");
  return out;
}

/** A quoted identifier ("my ""odd"" name"), by node-postgres' escapeIdentifier. */
export const ident = (name: string): string => pg.escapeIdentifier(name);

/** A quoted string literal, by node-postgres' escapeLiteral. */
export const literal = (text: string): string => pg.escapeLiteral(text);

/** Sorted by UTF-16 code units: the same order on every machine (no locale). */
export function sortedStrings(xs: Iterable<string>): string[] {
  return [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A set read back from the server, in the order the goal listed it when it holds exactly
 * the goal's items (so a list written in any order reads back equal to itself), sorted
 * otherwise (so a difference shows the same way on every run).
 */
export function asWritten(actual: Iterable<string>, written: readonly string[]): string[] {
  const real = new Set(actual);
  if (real.size === written.length && written.every((w) => real.has(w))) return [...written];
  return sortedStrings(real);
}

/** The same strings in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
