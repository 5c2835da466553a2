import * as sem from "../../diag/catalog/semantic.js";
import { canonicalize } from "../../program/canonical.js";
import type { Json } from "../../program/types.js";
import { EvalFailure, isObject, LIMITS, objectFrom, typeName } from "../values.js";

/**
 * Argument checks and result bounds shared by the built-in functions: each throws an
 * EvalFailure pointing at the offending argument (or at the call, for a result too large).
 */

export const failArg = (fn: string, i: number, expected: string, v: Json): never => {
  throw new EvalFailure((s) => sem.argumentType(s, fn, i + 1, expected, typeName(v)), i);
};
export const invalid = (fn: string, i: number | null, problem: string): never => {
  throw new EvalFailure((s) => sem.invalidArgument(s, fn, problem), i);
};

export function str(fn: string, a: Json[], i: number): string {
  const v = a[i]!;
  return typeof v === "string" ? v : failArg(fn, i, "a string", v);
}
export function num(fn: string, a: Json[], i: number): number {
  const v = a[i]!;
  return typeof v === "number" ? v : failArg(fn, i, "a number", v);
}
export function int(fn: string, a: Json[], i: number): number {
  const v = a[i]!;
  return typeof v === "number" && Number.isInteger(v) ? v : failArg(fn, i, "an integer", v);
}
export function list(fn: string, a: Json[], i: number): Json[] {
  const v = a[i]!;
  return Array.isArray(v) ? v : failArg(fn, i, "a list", v);
}
export function obj(fn: string, a: Json[], i: number): { [k: string]: Json } {
  const v = a[i]!;
  return isObject(v) ? (v as { [k: string]: Json }) : failArg(fn, i, "an object", v);
}
/** Refuses, before it is built, a result of `n` elements over the bound. */
export function boundedCount(fn: string, n: number): void {
  if (n > LIMITS.elements) throw new EvalFailure((s) => sem.tooLarge(s, `the result of \`${fn}\``, LIMITS.elements), null);
}
export function bounded<T>(fn: string, xs: T[]): T[] {
  if (xs.length > LIMITS.elements) throw new EvalFailure((s) => sem.tooLarge(s, `the result of \`${fn}\``, LIMITS.elements), null);
  return xs;
}
export function boundedStr(fn: string, s: string): string {
  if (s.length > LIMITS.stringLength) throw new EvalFailure((sp) => sem.tooLarge(sp, `the result of \`${fn}\``, LIMITS.stringLength), null);
  return s;
}

/** Text of a primitive for join/format %s/tostring: strings as is, numbers canonical, bools. */
export function primitiveText(fn: string, v: Json, i: number): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return canonicalize(v);
  return failArg(fn, i, "a string, number or bool", v);
}

/** Rejects parsed numbers that JSON/YAML gave imprecisely (integers beyond 2^53, non-finite). */
export function checkDecoded(fn: string, v: unknown, depth = 0, textChecked = false): Json {
  if (depth > LIMITS.depth) throw new EvalFailure((s) => sem.valueTooDeep(s, `the document given to \`${fn}\``, LIMITS.depth), 0);
  if (v === null || typeof v === "string" || typeof v === "boolean") return v as Json;
  if (typeof v === "number") {
    // A decoder that checked its number tokens as written (as number literals are) has refused inexact ones already.
    if (!Number.isFinite(v) || (!textChecked && Number.isInteger(v) && !Number.isSafeInteger(v))) invalid(fn, 0, `the number ${String(v)} is outside the exact number range`);
    return v === 0 ? 0 : v;
  }
  if (Array.isArray(v)) return v.map((x) => checkDecoded(fn, x, depth + 1, textChecked));
  if (typeof v === "object" && !(v instanceof Date) && !(v instanceof Map) && !(v instanceof Set)) {
    return objectFrom(Object.keys(v as object).map((k) => [k, checkDecoded(fn, (v as Record<string, unknown>)[k], depth + 1, textChecked)])) as { [k: string]: Json };
  }
  return invalid(fn, 0, `the document holds a value JSON cannot carry`);
}

