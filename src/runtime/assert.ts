import { parseAddress } from "../program/address.js";
import { canonicalize } from "../program/canonical.js";
import type { Json, Residual } from "../program/types.js";
import type { AssertOperand, TraceEvent } from "./types.js";
import type { DomainRun } from "./context.js";
import type { Message } from "./mailbox.js";
import { assertionError, assertionFailed, exportFailed } from "../diag/catalog/runtime.js";
import { evaluateResidual } from "../lang/residual.js";
import { digestValue } from "./redact.js";
import { envOf, viewOf } from "./context.js";

/**
 * Evaluates every assertion of the domain's goals (goals sorted by name, assertions in
 * source order) against read-back values, one "assert" event each. All are evaluated so
 * the trace shows every broken goal; returns the first failure's message, or null. With
 * the source (`sourceText`), each event also carries the expression and its operands'
 * values (`expr`, `operands`; sensitive values masked).
 */
export function checkGoals(d: DomainRun): string | null {
  if (!d.ir) return null;
  const env = envOf(d);
  let first: string | null = null;
  const goals = [...d.ir.goals].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const g of goals) {
    g.asserts.forEach((as, i) => {
      const taint = { sensitive: false };
      const r = evaluateResidual(as.expr, env, taint);
      let failure: string | null = null;
      if ("error" in r) failure = assertionError(undefined, d.plan.domain, g.name, i, r.error).message;
      else if (typeof r.value !== "boolean") failure = assertionError(undefined, d.plan.domain, g.name, i, `it gave ${typeof r.value}, not a boolean`).message;
      else if (!r.value) failure = assertionFailed(undefined, d.plan.domain, g.name, i, as.message).message;
      const key = `${d.plan.domain}#goal.${g.name}[${i}]`;
      // A replay sees a sensitive value only as the digest the run recorded: an assertion
      // over one is not re-evaluated but taken as the run saw it (the snapshot's hash still
      // covers that outcome).
      const recorded = taint.sensitive ? d.rc.feed?.assertion(d.plan.domain, g.name, i) : undefined;
      if (recorded) {
        d.emit({ ...recordedAssert(recorded) });
        const was = recorded.ok ? null : (recorded.message ?? null);
        if (was !== null && first === null) first = was;
        return;
      }
      const text = d.rc.input.sourceText?.(`${key}.expr`);
      d.emit({
        phase: "assert",
        goal: g.name,
        index: i,
        ok: failure === null,
        message: failure ?? as.message ?? undefined,
        expr: text === undefined ? undefined : oneLine(text),
        operands: text === undefined ? undefined : operandsOf(d, key, as.expr, text, env),
        span: d.rc.input.locate?.(key),
      });
      if (failure !== null && first === null) first = failure;
    });
  }
  return first;
}

/** The fields of a recorded assert event that a replay emits again (step, domain and seq are the replay's own). */
function recordedAssert(e: TraceEvent): Omit<TraceEvent, "step" | "domain" | "seq"> {
  const { step: _step, domain: _domain, seq: _seq, ...rest } = e;
  return rest;
}

/** Source text on one line: a line break and the indentation around it become one space. */
function oneLine(text: string): string {
  return text.replace(/[ \t]*(\r\n|\r|\n)\s*/g, " ");
}

/**
 * The operands of an assertion with their values: the residual's children paired with the
 * operand spans the compiler recorded (`key.operand.K`); without those, the expression
 * itself. None when the assertion was settled at compile time (its residual is a literal)
 * or the shapes do not pair up. Literal operands are left out.
 */
function operandsOf(d: DomainRun, key: string, expr: Residual, text: string, env: ReturnType<typeof envOf>): AssertOperand[] {
  const texts: string[] = [];
  for (let k = 0; ; k++) {
    const t = d.rc.input.sourceText?.(`${key}.operand.${k}`);
    if (t === undefined) break;
    texts.push(oneLine(t));
  }
  let parts: { text: string; expr: Residual }[];
  if (texts.length === 0) parts = expr.op === "lit" ? [] : [{ text: oneLine(text), expr }];
  else {
    const children = expr.op === "binary" ? [expr.l, expr.r] : expr.op === "unary" ? [expr.x] : expr.op === "call" ? expr.args : [];
    parts = children.length === texts.length ? children.map((c, k) => ({ text: texts[k]!, expr: c })) : [];
  }
  const out: AssertOperand[] = [];
  for (const p of parts) {
    const r = evaluateResidual(p.expr, env);
    const value: Json = "error" in r ? null : sensitiveIn(d, p.expr) ? SENSITIVE : r.value;
    // A literal (`100`, `"prod"`) shows nothing its text does not.
    if (p.expr.op === "lit" && canonicalize(p.expr.value) === p.text) continue;
    out.push({ text: p.text, value });
  }
  return out;
}

const SENSITIVE = "(sensitive)";

/** True when a sensitive value flows into the residual: a secret, a sensitive attribute, or a whole resource holding one. */
function sensitiveIn(d: DomainRun, r: Residual): boolean {
  switch (r.op) {
    case "secret":
      return true;
    case "ref":
      return sensitiveAttrs(d, r.address).has(r.attr);
    case "res":
      return sensitiveAttrs(d, r.address).size > 0;
    case "lit":
    case "var":
      return false;
    case "call":
      return r.args.some((a) => sensitiveIn(d, a));
    case "unary":
      return sensitiveIn(d, r.x);
    case "binary":
      return sensitiveIn(d, r.l) || sensitiveIn(d, r.r);
    case "cond":
      return sensitiveIn(d, r.c) || sensitiveIn(d, r.t) || sensitiveIn(d, r.e);
    case "list":
      return r.items.some((a) => sensitiveIn(d, a));
    case "object":
      return r.entries.some(([, v]) => sensitiveIn(d, v));
    case "index":
      return sensitiveIn(d, r.x) || sensitiveIn(d, r.i);
    case "member":
      return sensitiveIn(d, r.x);
    case "interp":
      return r.parts.some((a) => sensitiveIn(d, a));
    case "listcomp":
      return sensitiveIn(d, r.src) || sensitiveIn(d, r.body) || (r.cond !== null && sensitiveIn(d, r.cond));
    case "objcomp":
      return sensitiveIn(d, r.src) || sensitiveIn(d, r.key) || sensitiveIn(d, r.value) || (r.cond !== null && sensitiveIn(d, r.cond));
  }
}

/** A resource's attributes that are never shown: those recorded as digests, and its type's sensitive ones. */
function sensitiveAttrs(d: DomainRun, address: string): ReadonlySet<string> {
  const rec = d.rc.resources.get(address);
  const set = new Set(rec ? Object.keys(rec.sensitive) : []);
  const type = rec?.type ?? parseAddress(address)?.type;
  for (const a of (type === undefined ? undefined : d.rc.catalog.resources.get(type)?.sensitive) ?? []) set.add(a);
  return set;
}

/** A quiescent domain's exports: the mailbox message (clear values) and the recorded form (sensitive values digested). */
export type ExportOutcome = { readonly ok: true; readonly message: Message; readonly recorded: { [name: string]: Json } } | { readonly ok: false; readonly message: string };

/** Computes the domain's exports after its actions and goals succeeded. Names in sorted order. */
export function computeExports(d: DomainRun): ExportOutcome {
  const exports: { [name: string]: Json } = {};
  const recorded: { [name: string]: Json } = {};
  const resources: { [address: string]: { [k: string]: Json } } = {};
  const ir = d.ir;
  if (ir) {
    for (const name of Object.keys(ir.exports).sort()) {
      const ex = ir.exports[name]!;
      if (ex.kind === "value") {
        exports[name] = ex.value;
        recorded[name] = ex.value;
      } else if (ex.kind === "deferred") {
        const r = evaluateResidual(ex.value.expr, envOf(d));
        if ("error" in r) return { ok: false, message: exportFailed(undefined, d.plan.domain, name, r.error).message };
        exports[name] = r.value;
        recorded[name] = ex.value.sensitive ? digestValue(d.rc.input.digest, r.value) : r.value;
      } else {
        const clearOf = (addr: string): Json => viewOf(d, addr) ?? null;
        const recOf = (addr: string): Json => d.rc.resources.get(addr)?.attrs ?? null;
        for (const addr of ex.addresses) {
          const v = viewOf(d, addr);
          if (v) resources[addr] = v;
        }
        if (!ex.forEach) {
          const addr = ex.addresses[0];
          exports[name] = addr === undefined ? null : clearOf(addr);
          recorded[name] = addr === undefined ? null : recOf(addr);
        } else {
          const c: { [k: string]: Json } = {};
          const rr: { [k: string]: Json } = {};
          for (const addr of [...ex.addresses].sort()) {
            const key = ir.resources[addr]?.key;
            const k = key === undefined || key === null ? addr : String(key);
            c[k] = clearOf(addr);
            rr[k] = recOf(addr);
          }
          exports[name] = c;
          recorded[name] = rr;
        }
      }
    }
  }
  return { ok: true, message: { from: d.plan.domain, exports, resources }, recorded };
}
