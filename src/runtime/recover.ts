import type { JsonObject } from "../program/types.js";
import type { AttrChange, Plan, PlanDomain, PlannedAction, PlanStep, PlanSummary, PriorState, RecordedResource } from "../plan/types.js";
import type { DomainActions } from "../plan/teardown.js";
import { layOutSteps } from "../plan/teardown.js";
import type { RunResult } from "./types.js";
import type { RunInput } from "./context.js";
import type { RuntimeCatalog } from "./redact.js";
import { compareNatural } from "../program/address.js";
import { canonicalize, hashValue } from "../program/canonical.js";
import { runPlan } from "./scheduler.js";

/** Why a rollback action exists (shown by plan renderers; replay recognises a compensating plan by it). */
export const ROLLBACK_REASON = "rollback to the last quiescent snapshot";

/** Input of rollbackPlan. */
export interface RollbackInput {
  /** The failed run. */
  readonly failed: RunResult;
  /** The plan the failed run applied: gives each domain's step, imports and policy. */
  readonly plan: Plan;
  /** The state to return to; null before any quiescent snapshot (then everything touched is deleted). */
  readonly lastQuiescent: PriorState | null;
  readonly catalog: RuntimeCatalog;
  /** Hash of the failed snapshot, the rollback plan's prior (null when not yet recorded). */
  readonly failedSnapshot?: string | null;
}

/**
 * The compensating plan (`lexum.plan/v1`) for the resources the failed run touched (done
 * or failed): present in the last quiescent state → restore its recorded non-readOnly
 * attributes (create when now absent, replace when an `x-lexum-replace-on` attribute
 * differs, update otherwise; nothing when equal); absent there → delete; a replace whose
 * delete half ran in the failed run's teardown counts as touched. Each domain keeps its
 * imports and policy from the failed plan and its place in the order of steps (numbered
 * anew); the steps are laid out as the planner's (src/plan/teardown.ts): the deletes and
 * the delete halves of replaces in a teardown first, dependents before what they depended
 * on, across domains; then the rest in dependency order, ties by address in natural order
 * (`node[2]` before `node[10]`). Deterministic. Sensitive attributes cannot be restored
 * (only their digests are known); a differing digest is reported as an unknown change.
 */
export function rollbackPlan(input: RollbackInput): Plan {
  const catalog = input.catalog;
  const last = input.lastQuiescent?.resources ?? {};
  // Touched: what the run did or failed at, and the replaces its teardown may have deleted
  // before it halted (one that was not deleted compensates to nothing).
  const torn = input.plan.steps.flatMap((s) => (s.phase === "teardown" ? s.domains.flatMap((d) => d.actions.map((a) => a.address)) : []));
  const touched = new Set([...input.failed.dag.done, ...input.failed.dag.failed, ...torn]);
  // An adopted object existed before Lexum: undoing its adoption puts back what was read,
  // never deletes it (it stays recorded).
  const adopted = new Map<string, JsonObject>();
  for (const st of input.plan.steps) for (const d of st.domains) for (const a of d.actions) if (a.action === "adopt" && a.before) adopted.set(a.address, a.before);
  // Renamed resources: the run recorded each under its new address from its start (a move
  // changes nothing in the world), so every move of the plan is undone, back to the old address.
  const movedTo = new Map<string, string>();
  for (const st of input.plan.steps) for (const d of st.domains) for (const a of d.actions) if (a.movedFrom !== undefined) movedTo.set(a.address, a.movedFrom);
  for (const to of movedTo.keys()) if (input.failed.resources[to]) touched.add(to);
  const byDomain = new Map<string, Omit<PlannedAction, "seq" | "step">[]>();
  for (const address of [...touched].sort(compareNatural)) {
    const back = movedTo.get(address);
    if (back !== undefined && input.failed.resources[address]) {
      const now = input.failed.resources[address]!;
      const a = moveBack(back, address, { ...now, address: back, domain: back.slice(0, back.indexOf("/")) }, last[back], catalog);
      const list = byDomain.get(a.domain) ?? [];
      list.push(a);
      byDomain.set(a.domain, list);
      continue;
    }
    const now = input.failed.resources[address];
    const read = adopted.get(address);
    const then = last[address] ?? (now && read ? { ...now, attrs: read } : undefined);
    const a = compensate(address, now, then, catalog);
    if (!a) continue;
    const list = byDomain.get(a.domain) ?? [];
    list.push(a);
    byDomain.set(a.domain, list);
  }

  const stepOf = new Map<string, PlanDomain>();
  for (const s of input.plan.steps) if (s.phase !== "teardown") for (const d of s.domains) stepOf.set(d.domain, d);
  const present = new Set(byDomain.keys());
  const drafted: DomainActions<Draft>[] = [...byDomain.keys()].sort().map((domain) => {
    const orig = stepOf.get(domain);
    const step = orig?.step ?? 1;
    return {
      domain,
      step,
      after: (orig?.after ?? []).filter((d) => present.has(d) && (stepOf.get(d)?.step ?? 1) < step),
      policy: orig?.policy ?? { timeoutMs: 30_000, retries: 0, onFailure: "halt", prune: true },
      actions: orderActions(byDomain.get(domain)!),
      builds: false,
    };
  });
  // The rollback's own teardown follows what the failed run left: its records' dependencies.
  const laidOut = layOutSteps(drafted, (a) => input.failed.resources[a]?.dependsOn, (a) => a);
  let seq = 0;
  const summary: { -readonly [K in keyof PlanSummary]: number } = { create: 0, update: 0, replace: 0, delete: 0, noop: 0 };
  let moved = 0;
  const steps: PlanStep[] = laidOut.map((s) => {
    const teardown = s.phase === "teardown";
    const domains: PlanDomain[] = s.domains.map((d) => ({
      ...d,
      actions: d.actions.map((a) => {
        if (!(teardown && a.action === "replace")) {
          if (a.movedFrom !== undefined) moved++;
          if (a.action !== "moved") summary[a.action]++;
        }
        return { ...a, seq: seq++, step: s.step } as PlannedAction;
      }),
    }));
    return teardown ? { step: s.step, phase: "teardown" as const, domains } : { step: s.step, domains };
  });
  const body = {
    format: "lexum.plan/v1" as const,
    program: input.plan.program,
    prior: input.failedSnapshot ?? null,
    refreshed: false,
    steps,
    summary: moved > 0 ? { ...summary, moved } : summary,
  };
  return { ...body, hash: hashValue(body) };
}

function compensate(address: string, now: RecordedResource | undefined, then: RecordedResource | undefined, catalog: RuntimeCatalog): Omit<PlannedAction, "seq" | "step"> | null {
  const base = now ?? then;
  if (!base) return null; // neither before nor after: nothing to undo
  const info = catalog.resources.get(base.type);
  const readOnly = new Set(info?.readOnly ?? []);
  const common = { domain: base.domain, address, type: base.type, provider: base.provider.alias, drift: false, reason: ROLLBACK_REASON, deferred: {} };
  if (!then) {
    return { ...common, action: "delete", changes: [], after: null, before: now!.attrs, dependsOn: [...now!.dependsOn] };
  }
  const goal: JsonObject = {};
  for (const k of Object.keys(then.attrs).sort()) if (!readOnly.has(k)) goal[k] = then.attrs[k]!;
  const dependsOn = [...then.dependsOn];
  if (!now) {
    const changes: AttrChange[] = Object.keys(goal).map((attr) => ({ attr, after: goal[attr]! }));
    return { ...common, action: "create", changes, after: goal, before: null, dependsOn };
  }
  const changes: AttrChange[] = [];
  const replaceOn = new Set([...(info?.replaceOn ?? []), ...(info?.identity ?? [])]);
  const names = new Set([...Object.keys(goal), ...Object.keys(now.attrs).filter((k) => !readOnly.has(k))]);
  for (const attr of [...names].sort()) {
    const b = now.attrs[attr];
    const g = goal[attr];
    if (b !== undefined && g !== undefined && canonicalize(b) === canonicalize(g)) continue;
    if (g === undefined) continue; // an attribute the old goal did not set: left as it is
    const c: { -readonly [K in keyof AttrChange]: AttrChange[K] } = { attr, after: g };
    if (b !== undefined) c.before = b;
    if (replaceOn.has(attr)) c.forcesReplace = true;
    changes.push(c);
  }
  for (const attr of Object.keys(then.sensitive).sort()) {
    if (now.sensitive[attr] !== then.sensitive[attr] && !readOnly.has(attr)) changes.push({ attr, unknown: true, sensitive: true });
  }
  changes.sort((x, y) => (x.attr < y.attr ? -1 : x.attr > y.attr ? 1 : 0));
  if (changes.length === 0) return null;
  const action = changes.some((c) => c.forcesReplace) ? "replace" : "update";
  return { ...common, action, changes, after: goal, before: now.attrs, dependsOn };
}

/**
 * Undoes a move: the record (`now`, already under its old address `from`) goes back there,
 * its attributes restored to the last quiescent record's like any other compensation; a pure
 * move back when they are equal.
 */
function moveBack(from: string, to: string, now: RecordedResource, then: RecordedResource | undefined, catalog: RuntimeCatalog): Draft {
  const undo = compensate(from, now, then, catalog);
  if (undo !== null) return { ...undo, movedFrom: to };
  const common = { domain: now.domain, address: from, type: now.type, provider: now.provider.alias, drift: false, reason: ROLLBACK_REASON, deferred: {} };
  return { ...common, action: "moved", changes: [], after: null, before: now.attrs, dependsOn: [...now.dependsOn], movedFrom: to };
}

type Draft = Omit<PlannedAction, "seq" | "step">;

/** Deletes first (dependents before what they depend on), then the rest (dependencies first); ties by address in natural order. */
function orderActions(actions: Draft[]): Draft[] {
  const deletes = actions.filter((a) => a.action === "delete");
  const rest = actions.filter((a) => a.action !== "delete");
  return [...topo(deletes, true), ...topo(rest, false)];
}

function topo(actions: Draft[], reverse: boolean): Draft[] {
  const by = new Map(actions.map((a) => [a.address, a]));
  // Edge u → v: u must run before v.
  const succ = new Map<string, string[]>();
  const indeg = new Map<string, number>();
  for (const a of actions) indeg.set(a.address, 0);
  for (const a of actions)
    for (const dep of a.dependsOn) {
      if (!by.has(dep) || dep === a.address) continue;
      const [u, v] = reverse ? [a.address, dep] : [dep, a.address];
      succ.set(u, [...(succ.get(u) ?? []), v]);
      indeg.set(v, indeg.get(v)! + 1);
    }
  const ready = [...indeg.keys()].filter((k) => indeg.get(k) === 0).sort(compareNatural);
  const out: Draft[] = [];
  while (ready.length) {
    const k = ready.shift()!;
    out.push(by.get(k)!);
    for (const v of succ.get(k) ?? []) {
      indeg.set(v, indeg.get(v)! - 1);
      if (indeg.get(v) === 0) {
        ready.push(v);
        ready.sort(compareNatural);
      }
    }
  }
  // A cycle cannot come from a compiled program; keep any leftovers in address order rather than lose them.
  for (const a of [...actions].sort((x, y) => compareNatural(x.address, y.address))) if (!out.includes(a)) out.push(a);
  return out;
}

/** The outcome of a run with recovery. */
export interface RecoveryResult {
  readonly first: RunResult;
  /** Present when the first failing domain's policy is `on_failure = "rollback"`. */
  readonly rollback?: { readonly plan: Plan; readonly result: RunResult };
}

/**
 * Runs the plan; when it fails and the first failing domain's policy says "rollback",
 * builds the compensating plan back to `lastQuiescent` and runs it (mode "rollback": its
 * result is `rolled-back` when it succeeds, `failed` otherwise). The rollback run's
 * prior state is the failed run's resources.
 */
export async function runWithRecovery(input: RunInput & { readonly lastQuiescent: PriorState | null; readonly failedSnapshot?: string | null }): Promise<RecoveryResult> {
  const first = await runPlan(input);
  if (first.status !== "failed" || !first.failure) return { first };
  const policy = input.program.domains[first.failure.domain]?.policy ?? findPolicy(input.plan, first.failure.domain);
  if (policy?.onFailure !== "rollback") return { first };
  const catalog = input.catalog;
  const plan = rollbackPlan({ failed: first, plan: input.plan, lastQuiescent: input.lastQuiescent, catalog, failedSnapshot: input.failedSnapshot ?? null });
  const { replay: _replay, ...rest } = input;
  const result = await runPlan({ ...rest, catalog, plan, prior: { snapshot: input.failedSnapshot ?? null, resources: first.resources }, mode: "rollback" });
  return { first, rollback: { plan, result } };
}

function findPolicy(plan: Plan, domain: string) {
  for (const s of plan.steps) for (const d of s.domains) if (d.domain === domain) return d.policy;
  return undefined;
}
