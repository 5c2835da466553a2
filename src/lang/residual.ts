import * as sem from "../diag/catalog/semantic.js";
import type { Json, JsonObject, Residual } from "../program/types.js";
import { arityText, BUILTINS } from "./builtins.js";
import { typeName, binaryOp, bindVars, EvalFailure, forItems, indexOf, interpolationText, isKnown, memberOf, objectFrom, truth, unaryOp } from "./values.js";
import type { Value } from "./values.js";

/** What the runtime supplies to finish a residual: values read back after apply, and secrets. */
export interface ResidualEnv {
  /** An attribute of an applied resource; undefined when not available. */
  ref(address: string, attr: string): Json | undefined;
  /** Every attribute of an applied resource; undefined when not available. */
  res(address: string): JsonObject | undefined;
  /** A secret's value; undefined when not set. */
  secret(name: string): string | undefined;
  /**
   * Whether an attribute of a resource (attr null: the resource as a whole) holds a sensitive
   * value (x-lexum-sensitive, or computed from a secret): values read through it are then
   * sensitive like a secret's. Absent: none is.
   */
  sensitive?(address: string, attr: string | null): boolean;
}

class Missing extends Error {
  constructor(what: string) {
    super(sem.residualUnavailable(undefined, what).message);
  }
}

/**
 * Evaluates a residual expression once the values it refers to are available. Uses the same
 * operators and built-ins as compile-time evaluation. Deterministic; never throws for bad
 * data: returns `{ error }` with a plain message instead.
 *
 * Every intermediate value carries its sensitivity: the secrets (and sensitive attributes,
 * when `env.sensitive` says so) it was computed from. An operation that fails on a sensitive
 * operand reports only the operation, the operand's type and those origins (LXM2170), never
 * the operation's own message, which may quote the value: a secret cannot reach a terminal,
 * a trace or a snapshot through an error. `taint`, when given, is told whether the result
 * (or the failure) depends on a sensitive value.
 */
export function evaluateResidual(expr: Residual, env: ResidualEnv, taint?: { sensitive: boolean }): { value: Json } | { error: string } {
  try {
    const t = ev(expr, env, new Map());
    if (taint) taint.sensitive = t.s !== null && t.s.size > 0;
    return { value: t.v };
  } catch (e) {
    if (taint) taint.sensitive = e instanceof SensitiveFailure;
    if (e instanceof EvalFailure) return { error: e.text };
    if (e instanceof Missing) return { error: e.message };
    throw e;
  }
}

/** A failure on a sensitive operand (LXM2170). */
class SensitiveFailure extends EvalFailure {}

/** A value and what makes it sensitive (names like `secret("TOKEN")`), null when nothing does. */
interface Tainted {
  readonly v: Json;
  readonly s: ReadonlySet<string> | null;
}

function union(...parts: (ReadonlySet<string> | null)[]): ReadonlySet<string> | null {
  let out: Set<string> | null = null;
  for (const p of parts) {
    if (p === null || p.size === 0) continue;
    out ??= new Set<string>();
    for (const x of p) out.add(x);
  }
  return out;
}

/**
 * Runs one operation on operands already evaluated. A failure of the operation itself is
 * passed on as it is when no operand is sensitive, and replaced by LXM2170 otherwise.
 */
function guarded<T>(what: string, operands: readonly Tainted[], op: () => T): T {
  try {
    return op();
  } catch (e) {
    if (!(e instanceof EvalFailure)) throw e;
    const hot = operands.find((o) => o.s !== null && o.s.size > 0);
    if (!hot) throw e;
    const origins = [...union(...operands.map((o) => o.s))!].sort();
    throw new SensitiveFailure((sp) => sem.sensitiveOperandFailed(sp, what, typeName(hot.v), origins), null);
  }
}

/** Functions that see their arguments' failures or markings rather than only their values. */
const LAZY = new Set(["try", "can", "sensitive", "nonsensitive", "issensitive"]);
const MARKED = "sensitive()";

function lazyCall(fn: string, args: readonly Residual[], env: ResidualEnv, vars: Map<string, Tainted>): Tainted {
  if (fn === "try" || fn === "can") {
    let last: EvalFailure | undefined;
    for (const a of args) {
      try {
        const t = ev(a, env, vars);
        return fn === "try" ? t : { v: true, s: t.s };
      } catch (e) {
        if (!(e instanceof EvalFailure)) throw e;
        last = e;
      }
    }
    if (fn === "can") return { v: false, s: null };
    // A failure on a sensitive value is already worded so that it can be shown.
    if (last instanceof SensitiveFailure) throw last;
    const text = last?.text ?? "";
    throw new EvalFailure((sp) => sem.tryAllFailed(sp, args.length, text), null);
  }
  const x = ev(args[0]!, env, vars);
  if (fn === "sensitive") return { v: x.v, s: union(x.s, new Set([MARKED])) };
  if (fn === "issensitive") return { v: x.s !== null && x.s.size > 0, s: null };
  // nonsensitive: only the marking of `sensitive()` comes off (LXM2202).
  const origins = x.s === null ? [] : [...x.s].filter((o) => o !== MARKED).sort();
  if (origins.length > 0) throw new SensitiveFailure((sp) => sem.secretDeclassified(sp, origins.join(", ")), null);
  return { v: x.v, s: null };
}

function known(v: Value): Json {
  // Runtime values are always known: every residual leaf resolves to JSON.
  if (!isKnown(v)) throw new Missing("a value");
  return v;
}

function ev(r: Residual, env: ResidualEnv, vars: Map<string, Tainted>): Tainted {
  switch (r.op) {
    case "lit":
      return { v: r.value, s: null };
    case "ref": {
      const v = env.ref(r.address, r.attr);
      if (v === undefined) throw new Missing(`${r.address}.${r.attr}`);
      return { v, s: env.sensitive?.(r.address, r.attr) ? new Set([`${r.address}.${r.attr}`]) : null };
    }
    case "res": {
      const v = env.res(r.address);
      if (v === undefined) throw new Missing(r.address);
      return { v, s: env.sensitive?.(r.address, null) ? new Set([r.address]) : null };
    }
    case "secret": {
      const v = env.secret(r.name);
      if (v === undefined) throw new Missing(`secret ${JSON.stringify(r.name)}`);
      return { v, s: new Set([`secret(${JSON.stringify(r.name)})`]) };
    }
    case "var": {
      const v = vars.get(r.name);
      if (v === undefined) throw new Missing(`loop variable \`${r.name}\``);
      return v;
    }
    case "call": {
      if (!r.expand && LAZY.has(r.fn)) return lazyCall(r.fn, r.args, env, vars);
      const b = BUILTINS.get(r.fn);
      if (!b || b.compileTimeOnly) throw new Missing(`function \`${r.fn}\` at apply time`);
      let args = r.args.map((a) => ev(a, env, vars));
      if (r.expand) {
        // `f(xs...)` whose list became known only now: its elements are the last arguments.
        const last = args[args.length - 1]!;
        const items = guarded("`...`", [last], () => {
          if (!Array.isArray(last.v)) throw new EvalFailure((sp) => sem.expansionNotList(sp, typeName(last.v)), null);
          return last.v;
        });
        args = [...args.slice(0, -1), ...items.map((v) => ({ v, s: last.s }))];
        if (args.length < b.min || args.length > b.max) {
          const n = args.length;
          throw new EvalFailure((sp) => sem.wrongArgCount(sp, b.name, arityText(b), n), null);
        }
      }
      const v = guarded(`\`${r.fn}\``, args, () => b.impl(args.map((a) => a.v), { file: "" }));
      return { v, s: union(...args.map((a) => a.s)) };
    }
    case "unary": {
      const x = ev(r.x, env, vars);
      return { v: guarded(`the operator \`${r.o}\``, [x], () => unaryOp(r.o, x.v)), s: x.s };
    }
    case "binary": {
      const l = ev(r.l, env, vars);
      // Short-circuit like compile time does: the right side of a decided && / || is not evaluated.
      if (r.o === "&&" && l.v === false) return l;
      if (r.o === "||" && l.v === true) return l;
      const rr = ev(r.r, env, vars);
      return { v: guarded(`the operator \`${r.o}\``, [l, rr], () => binaryOp(r.o, l.v, rr.v)), s: union(l.s, rr.s) };
    }
    case "cond": {
      const c = ev(r.c, env, vars);
      const chosen = guarded("the condition of `?:`", [c], () => truth(c.v, "the condition of `?:`")) ? ev(r.t, env, vars) : ev(r.e, env, vars);
      return { v: chosen.v, s: union(c.s, chosen.s) };
    }
    case "list": {
      const items = r.items.map((i) => ev(i, env, vars));
      return { v: items.map((i) => i.v), s: union(...items.map((i) => i.s)) };
    }
    case "object": {
      const entries = r.entries.map(([k, v]) => [k, ev(v, env, vars)] as const);
      return { v: objectFrom(entries.map(([k, t]) => [k, t.v])) as JsonObject, s: union(...entries.map(([, t]) => t.s)) };
    }
    case "index": {
      const x = ev(r.x, env, vars);
      const i = ev(r.i, env, vars);
      return { v: guarded("an index", [x, i], () => known(indexOf(x.v, i.v))), s: union(x.s, i.s) };
    }
    case "member": {
      const x = ev(r.x, env, vars);
      return { v: guarded(`the attribute access \`.${r.name}\``, [x], () => known(memberOf(x.v, r.name))), s: x.s };
    }
    case "interp": {
      const parts = r.parts.map((p) => ev(p, env, vars));
      return { v: parts.map((p) => guarded("a string template", [p], () => interpolationText(p.v))).join(""), s: union(...parts.map((p) => p.s)) };
    }
    case "listcomp": {
      const src = ev(r.src, env, vars);
      const out: Json[] = [];
      let s = src.s;
      for (const item of guarded("a `for` expression", [src], () => forItems(src.v))) {
        const inner = new Map(vars);
        for (const [k, v] of bindVars(r.vars, item)) inner.set(k, { v: known(v), s: src.s });
        if (r.cond) {
          const c = ev(r.cond, env, inner);
          s = union(s, c.s);
          if (!guarded("the condition of a comprehension", [c], () => truth(c.v, "the condition of a comprehension"))) continue;
        }
        const body = ev(r.body, env, inner);
        s = union(s, body.s);
        out.push(body.v);
      }
      return { v: out, s };
    }
    case "objcomp": {
      const src = ev(r.src, env, vars);
      const out = new Map<string, Json>();
      let s = src.s;
      for (const item of guarded("a `for` expression", [src], () => forItems(src.v))) {
        const inner = new Map(vars);
        for (const [k, v] of bindVars(r.vars, item)) inner.set(k, { v: known(v), s: src.s });
        if (r.cond) {
          const c = ev(r.cond, env, inner);
          s = union(s, c.s);
          if (!guarded("the condition of a comprehension", [c], () => truth(c.v, "the condition of a comprehension"))) continue;
        }
        const key = ev(r.key, env, inner);
        guarded("an object comprehension key", [key], () => {
          if (typeof key.v !== "string") throw new EvalFailure((sp) => sem.typeMismatch(sp, "an object comprehension key", "a string", typeName(key.v)), null);
          if (!r.group && out.has(key.v)) throw new EvalFailure((sp) => sem.duplicateObjectKey(sp, JSON.stringify(key.v)), null);
        });
        const value = ev(r.value, env, inner);
        s = union(s, key.s, value.s);
        if (r.group) {
          const seen = out.get(key.v as string) as Json[] | undefined;
          if (seen) seen.push(value.v);
          else out.set(key.v as string, [value.v]);
        } else out.set(key.v as string, value.v);
      }
      return { v: objectFrom(out) as JsonObject, s };
    }
  }
}
