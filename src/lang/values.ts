import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as sem from "../diag/catalog/semantic.js";
import { canonicalize } from "../program/canonical.js";
import type { Json, Residual } from "../program/types.js";
import { suggest } from "./suggest.js";

/**
 * The value model shared by compile-time evaluation and the runtime's residual evaluator,
 * and the one implementation of every operator. Values are JSON plus two markers:
 * `Unknown` (known after apply; carries the Residual that computes it and whether a secret
 * flows into it) and `POISON` (the result of something that already failed: it propagates
 * silently so that no follow-on error is reported).
 */

/** A value known only at apply time. */
export class Unknown {
  constructor(
    readonly expr: Residual,
    readonly sensitive: boolean,
  ) {}
}

/** The result of a failed evaluation (already reported). */
export class Poison {
  private constructor() {}
  static readonly it = new Poison();
}
export const POISON = Poison.it;

export type ValueObject = { [key: string]: Value };
export type Value = null | boolean | number | string | Value[] | ValueObject | Unknown | Poison;

/**
 * A failure inside an operator or built-in. `make` builds the diagnostic for a span; `at`
 * says which operand/argument it is about (0-based; null = the operator or call itself).
 */
export class EvalFailure extends Error {
  constructor(
    readonly make: (span: Span | undefined) => Diagnostic,
    readonly at: number | null,
  ) {
    super("evaluation failure");
  }
  /** The plain message (runtime use, where there is no span). */
  get text(): string {
    return this.make(undefined).message;
  }
}

/** The user-facing type name of a value. */
export function typeName(v: Value): string {
  if (v === null) return "null";
  if (v instanceof Unknown) return "unknown value";
  if (v instanceof Poison) return "error";
  if (Array.isArray(v)) return "list";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return "number";
    case "string":
      return "string";
    default:
      return "object";
  }
}

/** True for a plain object value (not a list, Unknown or Poison). */
export function isObject(v: Value): v is ValueObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof Poison);
}

/** A string, number, bool or null: known, never poison, never sensitive, never a residual. */
export function isScalar(v: Value): v is string | number | boolean | null {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** Own-property lookup (safe for keys like `__proto__`). */
export function getOwn(o: ValueObject, k: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

/** Builds an object from entries without prototype surprises. */
export function objectFrom(entries: Iterable<[string, Value]>): ValueObject {
  const o: ValueObject = {};
  // Plain assignment is the fast path; only `__proto__` would hit Object.prototype's setter
  // instead of creating an own property, so it alone takes defineProperty.
  for (const [k, v] of entries) {
    if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    else o[k] = v;
  }
  return o;
}

/** Sorted own keys (code-unit order). */
export function sortedKeys(o: object): string[] {
  return Object.keys(o).sort();
}

/** Deep: no Unknown and no Poison anywhere. */
export function isKnown(v: Value): v is Json {
  if (v instanceof Unknown || v instanceof Poison) return false;
  if (Array.isArray(v)) return v.every(isKnown);
  if (isObject(v)) return Object.keys(v).every((k) => isKnown(v[k]!));
  return true;
}

/** Deep: a Poison anywhere. */
export function hasPoison(v: Value): boolean {
  if (v instanceof Poison) return true;
  if (v instanceof Unknown) return false;
  if (Array.isArray(v)) return v.some(hasPoison);
  if (isObject(v)) return Object.keys(v).some((k) => hasPoison(v[k]!));
  return false;
}

/** valueState: no Unknown and no Poison anywhere (isKnown). */
export const KNOWN = 0;
/** valueState: an Unknown somewhere, no Poison anywhere. */
export const UNKNOWN = 1;
/** valueState: a Poison somewhere (hasPoison). */
export const POISONED = 2;

/** isKnown and hasPoison in one walk: POISONED, else UNKNOWN, else KNOWN. */
export function valueState(v: Value): number {
  if (typeof v !== "object" || v === null) return KNOWN;
  if (v instanceof Poison) return POISONED;
  if (v instanceof Unknown) return UNKNOWN;
  let state = KNOWN;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const s = valueState(v[i]!);
      if (s === POISONED) return POISONED;
      if (s > state) state = s;
    }
    return state;
  }
  for (const k in v) {
    const s = valueState(v[k]!);
    if (s === POISONED) return POISONED;
    if (s > state) state = s;
  }
  return state;
}

/** Deep: a sensitive Unknown anywhere. */
export function isSensitive(v: Value): boolean {
  if (v instanceof Unknown) return v.sensitive;
  if (Array.isArray(v)) return v.some(isSensitive);
  if (isObject(v)) return Object.keys(v).some((k) => isSensitive(v[k]!));
  return false;
}

/** The residual computing a (partially known) value; known parts fold into literals. Poison must be excluded by the caller. */
export function toResidual(v: Value): Residual {
  if (v instanceof Unknown) return v.expr;
  if (isKnown(v)) return { op: "lit", value: v };
  if (Array.isArray(v)) return { op: "list", items: v.map(toResidual) };
  if (isObject(v)) return { op: "object", entries: sortedKeys(v).map((k) => [k, toResidual(v[k]!)] as [string, Residual]) };
  return { op: "lit", value: null };
}

const A: Record<string, string> = { string: "a string", number: "a number", bool: "a bool", list: "a list", object: "an object", null: "null" };
/** "a string", "a number", … for messages. */
export function article(t: string): string {
  return A[t] ?? t;
}

const fail = (d: (span: Span | undefined) => Diagnostic, at: number | null): never => {
  throw new EvalFailure(d, at);
};

function mismatch(what: string, expected: string, v: Value, at: number | null): never {
  return fail((s) => sem.typeMismatch(s, what, expected, typeName(v)), at);
}

/** A double's exact decimal text (String() rounds integers beyond 2^53 to 17 digits). */
function exactText(x: number): string {
  return Number.isInteger(x) ? BigInt(x).toString() : String(x);
}

/** Checks an arithmetic result: finite, and exact when both operands are integers. */
function checked(op: string, l: number, r: number, x: number): number {
  if (!Number.isFinite(x) || (Number.isInteger(l) && Number.isInteger(r) && Number.isInteger(x) && !Number.isSafeInteger(x))) {
    fail((s) => sem.numberOutOfRange(s, op, Number.isFinite(x) ? exactText(x) : "a non-finite number"), null);
  }
  // -0 has no JSON form distinct from 0.
  return x === 0 ? 0 : x;
}

/** Deep structural equality of known values. */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as Json[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]!));
  }
  const ao = a as { [k: string]: Json };
  const bo = b as { [k: string]: Json };
  const ak = sortedKeys(ao);
  const bk = sortedKeys(bo);
  return ak.length === bk.length && ak.every((k, i) => k === bk[i] && deepEqual(ao[k]!, bo[k]!));
}

/** A unary operator on a known value. */
export function unaryOp(op: "!" | "-", x: Json): Json {
  if (op === "!") {
    if (typeof x !== "boolean") return mismatch("the operand of `!`", "a bool", x, 0);
    return !x;
  }
  if (typeof x !== "number") return mismatch("the operand of unary `-`", "a number", x, 0);
  return x === 0 ? 0 : -x;
}

/**
 * A binary operator on known values (`&&`/`||` included; short-circuiting is the caller's
 * job). Throws EvalFailure: at 0/1 for a bad operand, null for the operator itself.
 */
export function binaryOp(op: string, l: Json, r: Json): Json {
  switch (op) {
    case "==":
      return deepEqual(l, r);
    case "!=":
      return !deepEqual(l, r);
    case "&&":
    case "||":
      if (typeof l !== "boolean") return mismatch(`the left operand of \`${op}\``, "a bool", l, 0);
      if (typeof r !== "boolean") return mismatch(`the right operand of \`${op}\``, "a bool", r, 1);
      return op === "&&" ? l && r : l || r;
    case "+":
      if (typeof l === "string") {
        if (typeof r !== "string") return mismatch("the right operand of `+` on strings", "a string", r, 1);
        if (l.length + r.length > LIMITS.stringLength) return fail((s) => sem.tooLarge(s, "the string built by `+`", LIMITS.stringLength), null);
        return l + r;
      }
      if (typeof l !== "number") return mismatch("the left operand of `+`", "a number or a string", l, 0);
      if (typeof r !== "number") return mismatch("the right operand of `+`", "a number", r, 1);
      return checked(op, l, r, l + r);
    case "-":
    case "*":
    case "/":
    case "%": {
      if (typeof l !== "number") return mismatch(`the left operand of \`${op}\``, "a number", l, 0);
      if (typeof r !== "number") return mismatch(`the right operand of \`${op}\``, "a number", r, 1);
      if ((op === "/" || op === "%") && r === 0) return fail((s) => sem.divisionByZero(s, op), 1);
      const x = op === "-" ? l - r : op === "*" ? l * r : op === "/" ? l / r : l % r;
      return checked(op, l, r, x);
    }
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (typeof l === "number" || typeof l === "string") {
        if (typeof r !== typeof l) return mismatch(`the right operand of \`${op}\``, article(typeName(l)), r, 1);
        // Strings compare by UTF-16 code units: deterministic and locale-free.
        const c = l < (r as typeof l) ? -1 : l > (r as typeof l) ? 1 : 0;
        return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
      }
      return mismatch(`the left operand of \`${op}\``, "a number or a string", l, 0);
    }
    default:
      return mismatch(`operator \`${op}\``, "a known operator", null, null);
  }
}

/** The text of a value inside `"${…}"`: strings as is, numbers in canonical form, bools; others fail. */
export function interpolationText(v: Json): string {
  if (typeof v === "string") return v;
  // A finite number's canonical form is its ECMAScript text (-0 prints as 0): no canonicalize call per interpolation.
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : canonicalize(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return fail((s) => sem.badInterpolation(s, typeName(v)), 0);
}

/** `x.name` on a value whose top level is known. */
export function memberOf(x: Value, name: string): Value {
  if (x instanceof Poison) return POISON;
  if (!isObject(x)) return mismatch(`\`.${name}\``, "applied to an object", x, 0);
  const v = getOwn(x, name);
  if (v === undefined) return fail((s) => sem.noSuchAttribute(s, name, suggest(name, Object.keys(x))), null);
  return v;
}

/** `x[i]` on a value whose top level is known and a known index. Objects take string keys (numbers are turned into their text, for `for` resources over numbers). */
export function indexOf(x: Value, i: Json): Value {
  if (x instanceof Poison) return POISON;
  if (Array.isArray(x)) {
    if (typeof i !== "number") return mismatch("a list index", "a number", i, 1);
    if (!Number.isInteger(i) || i < 0 || i >= x.length) return fail((s) => sem.indexOutOfRange(s, canonicalize(i), x.length), 1);
    return x[i]!;
  }
  if (isObject(x)) {
    if (typeof i !== "string" && typeof i !== "number") return mismatch("an object key", "a string", i, 1);
    const k = typeof i === "number" ? canonicalize(i) : i;
    const v = getOwn(x, k);
    if (v === undefined) {
      const s0 = suggest(k, Object.keys(x));
      return fail((s) => sem.noSuchKey(s, JSON.stringify(k), s0 === null ? null : JSON.stringify(s0)), 1);
    }
    return v;
  }
  return mismatch("the indexed value", "a list or an object", x, 0);
}

/** One step of a `for`: the key (list index or object key) and the element. */
export interface ForItem {
  readonly index: Value;
  readonly value: Value;
}

/** The items of a `for` over a value whose top level is known: lists in order, objects by sorted key. */
export function forItems(src: Value): ForItem[] {
  if (Array.isArray(src)) return src.map((value, index) => ({ index, value }));
  if (isObject(src)) return sortedKeys(src).map((k) => ({ index: k, value: src[k]! }));
  return fail((s) => sem.notIterable(s, typeName(src)), 0);
}

/** Binds the loop variables of one item: one variable = the element (or object value), two = (index or key, element). */
export function bindVars(vars: readonly string[], item: ForItem): [string, Value][] {
  if (vars.length === 1) return [[vars[0]!, item.value]];
  return [
    [vars[0]!, item.index],
    [vars[1]!, item.value],
  ];
}

/** The condition of `?:` or a comprehension's `if`: must be a bool. */
export function truth(v: Json, what: string): boolean {
  if (typeof v !== "boolean") return mismatch(what, "a bool", v, 0);
  return v;
}

/**
 * Bounds that keep evaluation finite in time and memory whatever the input (docs/language.md,
 * "Limits"): `elements` per list, object or range; `stringLength` per string; `depth` of a
 * value's nesting (lists and objects inside each other, however they were built: literals,
 * lets referring to lets, jsondecode, yamldecode); `size` of one value counted through every
 * level (so that a value built by sharing, `[a, a]` over and over, cannot outgrow memory when
 * written out); `steps` of evaluation in a whole program (each expression evaluated, each
 * element a built-in function returns).
 */
export const LIMITS = { elements: 1_000_000, stringLength: 64 * 1024 * 1024, depth: 512, size: 1_000_000, steps: 10_000_000 } as const;

/** Packed (size, depth) of lists and objects worth remembering (see measure). */
const measured = new WeakMap<object, number>();
const DEPTH_BITS = 1024;

/**
 * The size (1 per value, through every level) and nesting depth of a value, packed as
 * `size * 1024 + depth` (read them with sizeOf and depthOf). Scalars, Unknown and Poison
 * are size 1, depth 0. Linear in the parts of `v` not measured before: large or deep parts
 * are remembered, so measuring each value as it is built costs its own elements only.
 * Depth saturates at 1023, size at 2⁴⁰.
 */
export function measure(v: Value): number {
  if (typeof v !== "object" || v === null || v instanceof Unknown || v instanceof Poison) return DEPTH_BITS;
  const known = measured.get(v);
  if (known !== undefined) return known;
  let size = 1;
  let depth = 0;
  const add = (x: Value): void => {
    const m = measure(x);
    size = Math.min(size + Math.floor(m / DEPTH_BITS), 2 ** 40);
    depth = Math.max(depth, m % DEPTH_BITS);
  };
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) add(v[i]!);
  else for (const k in v) add(v[k]!);
  depth = Math.min(depth + 1, DEPTH_BITS - 1);
  const m = size * DEPTH_BITS + depth;
  if (size > 32 || depth > 4) measured.set(v, m);
  return m;
}

/** The size part of measure(). */
export function sizeOf(m: number): number {
  return Math.floor(m / DEPTH_BITS);
}

/** The depth part of measure(). */
export function depthOf(m: number): number {
  return m % DEPTH_BITS;
}
