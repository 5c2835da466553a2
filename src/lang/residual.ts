import * as sem from "../diag/catalog/semantic.js";
import type { Json, JsonObject, Residual } from "../program/types.js";
import { BUILTINS } from "./builtins.js";
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
 */
export function evaluateResidual(expr: Residual, env: ResidualEnv): { value: Json } | { error: string } {
  try {
    return { value: ev(expr, env, new Map()) };
  } catch (e) {
    if (e instanceof EvalFailure) return { error: e.text };
    if (e instanceof Missing) return { error: e.message };
    throw e;
  }
}

function known(v: Value): Json {
  // Runtime values are always known: every residual leaf resolves to JSON.
  if (!isKnown(v)) throw new Missing("a value");
  return v;
}

function ev(r: Residual, env: ResidualEnv, vars: Map<string, Json>): Json {
  switch (r.op) {
    case "lit":
      return r.value;
    case "ref": {
      const v = env.ref(r.address, r.attr);
      if (v === undefined) throw new Missing(`${r.address}.${r.attr}`);
      return v;
    }
    case "res": {
      const v = env.res(r.address);
      if (v === undefined) throw new Missing(r.address);
      return v;
    }
    case "secret": {
      const v = env.secret(r.name);
      if (v === undefined) throw new Missing(`secret ${JSON.stringify(r.name)}`);
      return v;
    }
    case "var": {
      const v = vars.get(r.name);
      if (v === undefined) throw new Missing(`loop variable \`${r.name}\``);
      return v;
    }
    case "call": {
      const b = BUILTINS.get(r.fn);
      if (!b || b.compileTimeOnly) throw new Missing(`function \`${r.fn}\` at apply time`);
      return b.impl(
        r.args.map((a) => ev(a, env, vars)),
        { file: "" },
      );
    }
    case "unary":
      return unaryOp(r.o, ev(r.x, env, vars));
    case "binary": {
      const l = ev(r.l, env, vars);
      // Short-circuit like compile time does: the right side of a decided && / || is not evaluated.
      if (r.o === "&&" && l === false) return false;
      if (r.o === "||" && l === true) return true;
      return binaryOp(r.o, l, ev(r.r, env, vars));
    }
    case "cond":
      return truth(ev(r.c, env, vars), "the condition of `?:`") ? ev(r.t, env, vars) : ev(r.e, env, vars);
    case "list":
      return r.items.map((i) => ev(i, env, vars));
    case "object":
      return objectFrom(r.entries.map(([k, v]) => [k, ev(v, env, vars)])) as JsonObject;
    case "index": {
      const x = ev(r.x, env, vars);
      return known(indexOf(x, ev(r.i, env, vars)));
    }
    case "member":
      return known(memberOf(ev(r.x, env, vars), r.name));
    case "interp":
      return r.parts.map((p) => interpolationText(ev(p, env, vars))).join("");
    case "listcomp": {
      const out: Json[] = [];
      for (const item of forItems(ev(r.src, env, vars))) {
        const inner = new Map(vars);
        for (const [k, v] of bindVars(r.vars, item)) inner.set(k, known(v));
        if (r.cond && !truth(ev(r.cond, env, inner), "the condition of a comprehension")) continue;
        out.push(ev(r.body, env, inner));
      }
      return out;
    }
    case "objcomp": {
      const out = new Map<string, Json>();
      for (const item of forItems(ev(r.src, env, vars))) {
        const inner = new Map(vars);
        for (const [k, v] of bindVars(r.vars, item)) inner.set(k, known(v));
        if (r.cond && !truth(ev(r.cond, env, inner), "the condition of a comprehension")) continue;
        const key = ev(r.key, env, inner);
        if (typeof key !== "string") throw new EvalFailure((s) => sem.typeMismatch(s, "an object comprehension key", "a string", typeName(key)), null);
        if (out.has(key)) throw new EvalFailure((s) => sem.duplicateObjectKey(s, JSON.stringify(key)), null);
        out.set(key, ev(r.value, env, inner));
      }
      return objectFrom(out) as JsonObject;
    }
  }
}
