import type { Json } from "../program/types.js";
import type { DomainRun } from "./context.js";
import type { Message } from "./mailbox.js";
import { assertionError, assertionFailed, exportFailed } from "../diag/catalog/runtime.js";
import { evaluateResidual } from "../lang/residual.js";
import { digestValue } from "./redact.js";
import { envOf, viewOf } from "./context.js";

/**
 * Evaluates every assertion of the domain's goals (goals sorted by name, assertions in
 * source order) against read-back values, one "assert" event each. All are evaluated so
 * the trace shows every broken goal; returns the first failure's message, or null.
 */
export function checkGoals(d: DomainRun): string | null {
  if (!d.ir) return null;
  const env = envOf(d);
  let first: string | null = null;
  const goals = [...d.ir.goals].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const g of goals) {
    g.asserts.forEach((as, i) => {
      const r = evaluateResidual(as.expr, env);
      let failure: string | null = null;
      if ("error" in r) failure = assertionError(undefined, d.plan.domain, g.name, i, r.error).message;
      else if (typeof r.value !== "boolean") failure = assertionError(undefined, d.plan.domain, g.name, i, `it gave ${typeof r.value}, not a boolean`).message;
      else if (!r.value) failure = assertionFailed(undefined, d.plan.domain, g.name, i, as.message).message;
      d.emit({
        phase: "assert",
        goal: g.name,
        index: i,
        ok: failure === null,
        message: failure ?? as.message ?? undefined,
        span: d.rc.input.locate?.(`${d.plan.domain}#goal.${g.name}[${i}]`),
      });
      if (failure !== null && first === null) first = failure;
    });
  }
  return first;
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
