import * as codes from "../diag/catalog/plan.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { hasErrors, sortDiagnostics } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { evaluateResidual } from "../lang/residual.js";
import { compareNatural } from "../program/address.js";
import { inCanonicalOrder, sortStrings } from "../program/canonical.js";
import type { Address, Deferred, DomainIR, Json, JsonObject, PolicyIR, Program, ResourceIR, SpanTable } from "../program/types.js";
import { DEFAULT_POLICY } from "../program/types.js";
import { change, diffAttrs, jsonEqual, residualRefs, sortChanges } from "./diff.js";
import { domainCycle, domainSteps, kahn, resourceGraph } from "./graph.js";
import { PlanHasher } from "./plan-hash.js";
import { programMoves } from "./moves.js";
import type { DomainActions } from "./teardown.js";
import { layOutSteps, tearsDown } from "./teardown.js";
import type { ActionKind, AttrChange, Plan, PlanDomain, PlannedAction, PlanStep, PlanSummary, PriorRun, PriorState, RecordedResource, Reality } from "./types.js";

/** What the planner needs to know about a resource type (a subset of program/schemas' ResourceTypeInfo). */
export interface PlanTypeInfo {
  /** Provider-computed attributes: never compared. */
  readonly readOnly: readonly string[];
  /** x-lexum-identity: a change forces replacement. */
  readonly identity: readonly string[];
  /** x-lexum-replace-on: a change forces replacement. */
  readonly replaceOn: readonly string[];
  /** x-lexum-sensitive: never shown, never put in the plan. */
  readonly sensitive: readonly string[];
}

/** The resource types the planner consults (program/schemas' TypeCatalog fits). */
export interface PlanCatalog {
  readonly resources: ReadonlyMap<string, PlanTypeInfo>;
}

/** Evaluates a residual expression against known values (lang/residual.ts's contract). */
export type ResidualEvaluator = typeof evaluateResidual;

export interface BuildPlanInput {
  readonly program: Program;
  /** The program's hash (compile()'s `hash`). */
  readonly programHash: string;
  readonly prior: PriorState;
  /**
   * The prior snapshot's status and program, when there is one: with them the plan tells
   * whether apply records a new snapshot although no resource changes (`writesSnapshot`).
   */
  readonly priorRun?: PriorRun;
  /** Refreshed reality (`--refresh`): present addresses replace the recorded attributes as "before". */
  readonly reality?: Reality;
  /**
   * What the providers read for resources with `import = true` and no record yet (address →
   * the object's attributes; null or absent: there is none): an existing one is adopted.
   */
  readonly existing?: Reality;
  /** `"<address>#<attr>"` → keyed digest of a sensitive deferred attribute's value, computed at the edge. */
  readonly sensitiveDigests?: { readonly [addressHashAttr: string]: string };
  /** Resource types (the engine passes loadTypeCatalog()): the planner itself reads no file. */
  readonly catalog: PlanCatalog;
  /** Source spans (compile()'s `spans`), so that plan errors point at the resource. */
  readonly spans?: SpanTable;
  /** Residual evaluator; defaults to lang/residual's evaluateResidual. */
  readonly evaluate?: ResidualEvaluator;
  /** Also return the plan's canonical JSON (`text`), as hashed: an apply journals these bytes. */
  readonly keepText?: boolean;
}

export interface BuildPlanResult {
  /** Null when a diagnostic is an error (for example a protected resource would be deleted). */
  readonly plan: Plan | null;
  /** Sorted (sortDiagnostics). */
  readonly diagnostics: Diagnostic[];
  /** With `keepText`: `canonicalize(plan)`, made while hashing it. */
  readonly text?: string;
}

const NO_TYPE: PlanTypeInfo = { readOnly: [], identity: [], replaceOn: [], sensitive: [] };

/** An action as built, keys in code-unit order; `seq` is set when it takes its place in the plan. */
type Draft = { -readonly [K in keyof PlannedAction]: PlannedAction[K] };

/** A type's attribute sets, built once per plan rather than once per resource. */
interface TypeSets {
  readonly readOnly: ReadonlySet<string>;
  readonly sensitive: ReadonlySet<string>;
  /** replaceOn and identity: what forces an existing object's replacement. */
  readonly forces: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

/** A domain's prior records, in natural order of their addresses (`addresses[i]` keys `recs[i]`). */
interface PriorGroup {
  readonly addresses: Address[];
  readonly recs: RecordedResource[];
}
// Frozen: shared by every action without deferred attributes.
const NO_DEFERRED: { [attr: string]: Deferred } = Object.freeze({});

interface DomainEntry {
  readonly name: string;
  readonly step: number;
  readonly after: string[];
  readonly policy: PolicyIR;
  readonly ir: DomainIR | null;
}

/**
 * Diffs the program (the goal) against the prior state (and refreshed reality) into a plan
 * listing every action in run order: by step, then domain name, then inside a domain the
 * deletes (reverse dependency order) followed by the rest (dependency order, ties by
 * address in natural order: `node[2]` before `node[10]`), and resources kept with prune off
 * last (natural order). Pure and deterministic: the same inputs
 * give the same plan bytes whatever the key order of the objects passed in. Sensitive values
 * never enter the plan. Never throws on user input: problems are diagnostics.
 */
export function buildPlan(input: BuildPlanInput): BuildPlanResult {
  const { program } = input;
  const catalog = input.catalog;
  const evaluate = input.evaluate ?? evaluateResidual;
  const digests = input.sensitiveDigests ?? {};
  const diagnostics: Diagnostic[] = [];
  const spanOf = (key: string): Span | undefined => input.spans?.[key];
  // Renamed resources: their records (and what was read of them) under their new addresses.
  const moves = programMoves(program.moved, input.prior, input.reality, spanOf);
  const { prior, reality, movedFrom } = moves;
  for (const d of moves.diagnostics) diagnostics.push(d);

  const dcycle = domainCycle(program);
  if (dcycle) diagnostics.push(codes.domainCycle(spanOf(dcycle[0]!), dcycle));
  // Each domain's resource order, found with its cycle check (one sort, one walk per domain).
  const orders = new Map<string, Address[]>();
  for (const name of Object.keys(program.domains).sort()) {
    const { order, cycle } = resourceGraph(program.domains[name]!);
    if (cycle) diagnostics.push(codes.resourceCycle(spanOf(cycle[0]!), cycle));
    orders.set(name, order);
  }
  if (diagnostics.length > 0) return { plan: null, diagnostics: sortDiagnostics(diagnostics) };

  // Prior resources by domain, addresses in natural order.
  const priorByDomain = new Map<string, PriorGroup>();
  for (const address of Object.keys(prior.resources).sort(compareNatural)) {
    const rec = prior.resources[address]!;
    const group = priorByDomain.get(rec.domain);
    if (group) {
      group.addresses.push(address);
      group.recs.push(rec);
    } else priorByDomain.set(rec.domain, { addresses: [address], recs: [rec] });
  }

  const entries: DomainEntry[] = [];
  for (const [name, step] of domainSteps(program)) {
    const ir = program.domains[name]!;
    entries.push({ name, step, after: [...ir.after].sort(), policy: ir.policy, ir });
  }
  for (const name of [...priorByDomain.keys()].sort()) {
    // A domain that left the code: its resources go at step 1 under the default policy.
    if (!(name in program.domains)) entries.push({ name, step: 1, after: [], policy: DEFAULT_POLICY, ir: null });
  }
  entries.sort((a, b) => (a.step !== b.step ? a.step - b.step : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Every action planned so far, in order, and an index by address brought up to date only
  // when a deferred attribute looks one up (it reads the attributes a noop leaves in place
  // when every resource it references stays as it is): most plans have no deferred
  // attribute, and for a large plan building that map costs more than anything it saves.
  const planned: Draft[] = [];
  const index = new Map<Address, Draft>();
  let indexed = 0;
  const plannedAt = (address: Address): Draft | undefined => {
    for (; indexed < planned.length; indexed++) index.set(planned[indexed]!.address, planned[indexed]!);
    return index.get(address);
  };

  const hasReal = (address: Address): boolean => reality !== undefined && Object.prototype.hasOwnProperty.call(reality, address);
  const typeInfo = (type: string): PlanTypeInfo => catalog.resources.get(type) ?? NO_TYPE;
  const typeSets = new Map<string, TypeSets>();
  const setsOf = (type: string): TypeSets => {
    let sets = typeSets.get(type);
    if (sets === undefined) {
      const info = typeInfo(type);
      sets = { readOnly: new Set(info.readOnly), sensitive: new Set(info.sensitive), forces: new Set([...info.replaceOn, ...info.identity]) };
      typeSets.set(type, sets);
    }
    return sets;
  };

  // The plan is numbered, grouped by step and hashed in run order: the teardown, then the build.
  // Every object in it is built with its keys inserted in code-unit order, so serialising it
  // takes canonicalize's fastest path (one JSON.stringify, no sorted copy). While no domain
  // has anything to tear down, each domain is numbered and hashed as soon as it is planned
  // (its actions still in the CPU caches); the first delete or replace starts the layout
  // over once every domain is planned (src/plan/teardown.ts).
  let hasher = new PlanHasher(prior.snapshot, input.programHash, reality !== undefined, input.keepText === true);
  let seq = 0;
  const summary: { -readonly [K in keyof PlanSummary]-?: number } = { adopt: 0, create: 0, update: 0, replace: 0, delete: 0, moved: 0, noop: 0 };
  const steps: PlanStep[] = [];
  const place = (step: number, teardown: boolean, placed: { readonly domain: string; readonly after: string[]; readonly policy: PolicyIR; readonly actions: Draft[] }): void => {
    const dom: PlanDomain = { actions: [], after: placed.after, domain: placed.domain, policy: placed.policy, step };
    hasher.beginDomain(step, teardown);
    for (const d of placed.actions) {
      d.seq = seq++;
      d.step = step;
      // A replace counts once, where it creates (its teardown half is its delete); a move
      // counts as moved whatever else it does.
      if (!(teardown && d.action === "replace")) {
        summary[d.action]++;
        if (d.movedFrom !== undefined && d.action !== "moved") summary.moved++;
      }
      dom.actions.push(d);
      hasher.action(d);
    }
    hasher.endDomain(dom);
    const last = steps[steps.length - 1];
    if (last && last.step === step) last.domains.push(dom);
    else steps.push(teardown ? { domains: [dom], phase: "teardown", step } : { domains: [dom], step });
  };
  let streaming = true;

  // Resources left in the code's absence with prune off: kept (and recorded) without an action.
  let keptCount = 0;
  // Each domain's actions in build order: deletes, the domain's resources, those kept with prune off.
  const drafted: DomainActions<Draft>[] = [];
  for (const entry of entries) {
    const ir = entry.ir;
    const gone = (priorByDomain.get(entry.name)?.recs ?? []).filter((rec) => !ir || !(rec.address in ir.resources));
    const deletes: Draft[] = [];
    const kept: Draft[] = [];
    for (const rec of gone) {
      const hidden = hiddenAttrs(setsOf(rec.type), rec);
      const real = hasReal(rec.address) ? reality![rec.address]! : undefined;
      const before = strip(real ?? rec.attrs, hidden);
      const draft = (action: ActionKind, drift: boolean, reason: string, changes: AttrChange[]): Draft => {
        const d = newDraft(action, rec.address, null, before, changes, NO_DEFERRED, sortedList(rec.dependsOn), entry.name, drift, rec.provider.alias, reason, entry.step, rec.type);
        planned.push(d);
        return d;
      };
      if (!entry.policy.prune) {
        kept.push(draft("noop", false, "left the code; prune is off", []));
        continue;
      }
      const why = ir ? "left the code" : `domain ${entry.name} left the code`;
      if (rec.protect) diagnostics.push(codes.protectedResource(undefined, rec.address, "delete", why));
      const changes: AttrChange[] = Object.keys(before).sort().map((attr) => change(attr, before[attr], undefined));
      for (const attr of Object.keys(rec.sensitive).sort()) changes.push(change(attr, undefined, undefined, false, { sensitive: true }));
      deletes.push(draft("delete", real === null, real === null ? `${why}; already gone outside Lexum` : why, sortChanges(changes)));
    }
    const actions = orderDeletes(deletes);
    if (ir) {
      const recordOf = priorLookup(prior, priorByDomain.get(entry.name));
      for (const address of orders.get(entry.name)!) {
        const r = ir.resources[address]!;
        const d = planResource(r, ir, entry.step, recordOf(r.address));
        planned.push(d);
        actions.push(d);
      }
    }
    keptCount += kept.length;
    for (const d of kept) actions.push(d);
    const p = entry.policy;
    const dom: DomainActions<Draft> = {
      domain: entry.name,
      step: entry.step,
      after: entry.after,
      policy: { onFailure: p.onFailure, prune: p.prune, retries: p.retries, timeoutMs: p.timeoutMs },
      actions,
      builds: ir !== null,
    };
    drafted.push(dom);
    if (streaming && actions.some((d) => tearsDown(d.action))) streaming = false;
    if (streaming) place(entry.step, false, dom);
  }
  if (!streaming) {
    hasher = new PlanHasher(prior.snapshot, input.programHash, reality !== undefined, input.keepText === true);
    seq = 0;
    for (const k of Object.keys(summary) as (keyof PlanSummary)[]) summary[k] = 0;
    steps.length = 0;
    for (const s of layOutSteps(drafted, (a) => prior.resources[a]?.dependsOn, (d) => ({ ...d }))) {
      for (const placed of s.domains) place(s.step, s.phase === "teardown", placed);
    }
  }


  function planResource(r: ResourceIR, domain: DomainIR, step: number, rec: RecordedResource | undefined): Draft {
    const sets = setsOf(r.type);
    const deferredNames = sortStrings(Object.keys(r.deferred));
    const hidden = hiddenAttrs(sets, rec, r, deferredNames);
    // In canonical key order (and the very object when it already is), so the plan hashes fast.
    const goal = strip(r.attrs, hidden, sets.readOnly);
    const real = hasReal(r.address) ? reality![r.address]! : undefined;
    // An object that exists outside Lexum, to adopt (`import = true`, no record yet).
    const found = rec === undefined && r.import === true ? (input.existing?.[r.address] ?? null) : null;
    const fresh = (rec === undefined && found === null) || real === null;
    // Only an existing object can be forced into replacement.
    const forces = fresh ? NONE : sets.forces;
    const before = fresh ? null : strip(found ?? real ?? rec!.attrs, hidden);

    // Drift: reality differs from what was recorded on the attributes the goal sets.
    let drift = false;
    if (rec !== undefined && real === null) drift = true;
    else if (rec !== undefined && real !== undefined && real !== null) {
      const watched = [...Object.keys(goal), ...deferredNames.filter((a) => !hidden.has(a))];
      drift = watched.some((attr) => !jsonEqual(real[attr], rec.attrs[attr]));
    }

    const changes = diffAttrs(before, goal, forces);
    for (const attr of deferredNames) {
      const c = deferredChange(r.address, attr, r.deferred[attr]!, hidden.has(attr), before, rec, forces.has(attr));
      if (c) changes.push(c);
    }
    sortChanges(changes);

    const providerKind = domain.providers[r.provider]?.type ?? r.type.slice(0, r.type.indexOf("."));
    const reasons: string[] = [];
    let action: ActionKind;
    if (fresh) {
      action = "create";
      if (rec !== undefined) reasons.push("deleted outside Lexum");
    } else if (rec === undefined) {
      action = "adopt";
      reasons.push("exists outside Lexum; adopted (import = true)");
    } else {
      if (rec.type !== r.type) reasons.push(`type changed from ${rec.type} to ${r.type}`);
      if (rec.provider.type !== providerKind) reasons.push(`provider changed from ${rec.provider.type} to ${providerKind}`);
      const forced = changes.filter((c) => c.forcesReplace).map((c) => "`" + c.attr + "`");
      if (forced.length > 0) reasons.push(`${forced.join(", ")} ${forced.length === 1 ? "forces" : "force"} replacement`);
      else if (rec.identity !== r.identity) reasons.push("identity changed");
      action = reasons.length > 0 ? "replace" : changes.length > 0 ? "update" : "noop";
      if (action === "replace" && (rec.protect || r.protect)) {
        diagnostics.push(codes.protectedResource(spanOf(r.address), r.address, "replace", reasons.join("; ")));
      }
      if (action === "update" && drift) reasons.push("restores the goal after a change outside Lexum");
    }
    const reason = reasons.length > 0 ? reasons.join("; ") : null;
    const from = movedFrom.get(r.address);
    if (from !== undefined && action === "noop") action = "moved";
    // A noop has no changes: `changes` is the empty list then.
    return newDraft(action, r.address, goal, before, changes, pickDeferred(r.deferred, deferredNames), sortedList(r.dependsOn), r.domain, drift, r.provider, reason, step, r.type, from);
  }

  /**
   * The change of one deferred attribute, or null when it does not change. When every
   * resource it reads stays as it is (noop), it is evaluated against their attributes and
   * compared like a known value; otherwise it is `(known after apply)`. It never produces a
   * change by itself when its inputs are unchanged: no perpetual diff.
   */
  function deferredChange(
    address: Address,
    attr: string,
    d: Deferred,
    sensitive: boolean,
    before: JsonObject | null,
    rec: RecordedResource | undefined,
    forces: boolean,
  ): AttrChange | null {
    const refs = residualRefs(d.expr);
    const inputsChange = refs.addresses.some((a) => plannedAt(a)?.action !== "noop");
    if (sensitive) {
      if (before === null || rec === undefined) return change(attr, undefined, undefined, forces, { sensitive: true });
      const digest = digests[`${address}#${attr}`];
      const recorded = rec.sensitive[attr];
      // Without a digest (the secret could not be read) only a missing record is a change.
      const differs = digest !== undefined ? digest !== recorded : recorded === undefined;
      return inputsChange || differs ? change(attr, undefined, undefined, forces, { sensitive: true }) : null;
    }
    const prev = before === null ? undefined : before[attr];
    if (!inputsChange) {
      const result = evaluate(d.expr, {
        ref: (a, name) => settled(a)?.[name],
        res: (a) => settled(a),
        secret: () => undefined,
      });
      if ("value" in result) {
        if (before !== null && jsonEqual(result.value, prev)) return null;
        return change(attr, prev, result.value, forces);
      }
      // Unevaluable with unchanged inputs: it will evaluate the same way at apply, so it is
      // a change only for a new object.
      return before === null ? change(attr, undefined, undefined, forces, { unknown: true }) : null;
    }
    return change(attr, prev, undefined, forces, { unknown: true });
  }

  /** The attributes a noop leaves in place, or undefined when the address is not (yet) planned as a noop. */
  function settled(address: Address): JsonObject | undefined {
    const d = plannedAt(address);
    return d?.action === "noop" ? (d.before ?? {}) : undefined;
  }

  if (hasErrors(diagnostics)) return { plan: null, diagnostics: sortDiagnostics(diagnostics) };

  // `adopt` only when there is one, so plans without it keep their bytes.
  const counts: PlanSummary = {
    ...(summary.adopt > 0 ? { adopt: summary.adopt } : {}),
    create: summary.create,
    delete: summary.delete,
    ...(summary.moved > 0 ? { moved: summary.moved } : {}),
    noop: summary.noop,
    replace: summary.replace,
    update: summary.update,
  };
  const writes =
    hasChanges({ summary: counts })
      ? undefined
      : snapshotReason(prior, input.priorRun, input.programHash, keptCount, reality === undefined ? 0 : readBackDiffers(steps, prior));
  // `hash` in its canonical place too, so plan.json and the journal serialise on the fast path.
  const plan: { -readonly [K in keyof Plan]: Plan[K] } = {
    format: "lexum.plan/v1",
    hash: hasher.digest(counts, writes),
    prior: prior.snapshot,
    program: input.programHash,
    refreshed: reality !== undefined,
    steps,
    summary: counts,
  };
  if (writes !== undefined) plan.writesSnapshot = writes;
  return { plan, diagnostics: sortDiagnostics(diagnostics), text: hasher.planText(plan.hash) };
}

/**
 * True when applying the plan changes something: a resource action (create, update,
 * replace, delete), or a new snapshot to record without one (`writesSnapshot`). What
 * `lxm plan --detailed-exitcode` reports as 2, and what makes `lxm apply` write a commit.
 */
export function hasChanges(plan: Pick<Plan, "summary" | "writesSnapshot">): boolean {
  const s = plan.summary;
  return (s.adopt ?? 0) + (s.moved ?? 0) + s.create + s.update + s.replace + s.delete > 0 || plan.writesSnapshot !== undefined;
}

/**
 * Why apply records a new snapshot although no resource changes (the plan's
 * `writesSnapshot`), or undefined when it records nothing: there is no snapshot yet, the
 * last run did not end quiescent (a failure record counts as a failed run), the last
 * snapshot recorded drift (a drifted state is never a rollback target: the run that holds
 * the goal again is recorded quiescent), or the goal moved without moving a resource (resources
 * kept with prune off, goals, exports, policies). Apply follows the same rule.
 */
export function snapshotReason(prior: PriorState, priorRun: PriorRun | undefined, programHash: string, kept: number, readDiffers = 0): string | undefined {
  if (prior.snapshot === null) return "there is no snapshot yet";
  if (priorRun === undefined) return undefined;
  if (priorRun.status === "failed") return "the last run failed";
  if (priorRun.status === "rolled-back") return "the last run was rolled back";
  if (priorRun.status === "drifted") return "the last snapshot recorded drift";
  // What was read from reality is what is recorded: a refreshed noop whose read-back
  // attributes differ from its record (a hand edit that already matches the goal).
  if (readDiffers > 0) return `${readDiffers === 1 ? "1 resource reads" : `${readDiffers} resources read`} back other attributes than recorded (refreshed)`;
  if (priorRun.program === programHash) return undefined;
  if (kept > 0) return `${kept === 1 ? "1 resource left the code and stays" : `${kept} resources left the code and stay`} in place (prune is off)`;
  return "the goal changed (goals, exports or policies) without changing a resource";
}

/** How many refreshed noops read back attributes that differ from their record. */
function readBackDiffers(steps: readonly { domains: readonly PlanDomain[] }[], prior: PriorState): number {
  let n = 0;
  for (const s of steps)
    for (const d of s.domains)
      for (const a of d.actions) {
        const rec = prior.resources[a.address];
        if (a.action === "noop" && rec && a.before !== null && !jsonEqual(a.before, rec.attrs)) n += 1;
      }
  return n;
}

/** An action, its keys inserted in code-unit order (canonicalize's fast path); numbered later. */
function newDraft(
  action: ActionKind,
  address: Address,
  after: JsonObject | null,
  before: JsonObject | null,
  changes: AttrChange[],
  deferred: { [attr: string]: Deferred },
  dependsOn: Address[],
  domain: string,
  drift: boolean,
  provider: string,
  reason: string | null,
  step: number,
  type: string,
  movedFrom?: Address,
): Draft {
  if (movedFrom !== undefined) return { action, address, after, before, changes, deferred, dependsOn, domain, drift, movedFrom, provider, reason, seq: 0, step, type };
  return { action, address, after, before, changes, deferred, dependsOn, domain, drift, provider, reason, seq: 0, step, type };
}

/**
 * What a resource hides (never shown, never in the plan): its type's sensitive attributes,
 * those recorded as sensitive, and deferred ones that are sensitive or read a secret. The
 * type's own set when there is nothing more (the common case: no copy).
 */
function hiddenAttrs(sets: TypeSets, rec: RecordedResource | undefined, r?: ResourceIR, deferredNames: readonly string[] = []): ReadonlySet<string> {
  let hidden: Set<string> | null = null;
  const add = (attr: string): void => {
    if (sets.sensitive.has(attr)) return;
    hidden ??= new Set(sets.sensitive);
    hidden.add(attr);
  };
  if (rec !== undefined) for (const attr in rec.sensitive) add(attr);
  for (const attr of deferredNames) if (r!.deferred[attr]!.sensitive || residualRefs(r!.deferred[attr]!.expr).secret) add(attr);
  return hidden ?? sets.sensitive;
}

/**
 * `prior.resources[address]` for addresses asked in turn, mostly in address order (the
 * resource order is by address where dependencies do not reorder it): a cursor walks the
 * domain's addresses (natural order) along, so most records are found without a lookup in the whole
 * prior (at 10⁵ entries, a cache miss or two each). Any other address is looked up.
 */
function priorLookup(prior: PriorState, group: PriorGroup | undefined): (address: Address) => RecordedResource | undefined {
  let at = 0;
  return (address) => {
    if (group !== undefined) {
      const addresses = group.addresses;
      while (at < addresses.length && compareNatural(addresses[at]!, address) < 0) at++;
      if (at < addresses.length && addresses[at] === address) return group.recs[at];
    }
    return prior.resources[address];
  };
}

/** `xs` itself when sorted (plain `<`), else a sorted copy. */
function sortedList(xs: string[]): string[] {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return sortStrings([...xs]);
  return xs;
}

/** Deletes in reverse dependency order: a resource goes only after every deleted resource that depends on it. Ties by address. */
function orderDeletes(deletes: Draft[]): Draft[] {
  const byAddress = new Map(deletes.map((d) => [d.address, d]));
  // Edges reversed: a dependency "needs" its dependents deleted first.
  const needs = new Map<string, string[]>(deletes.map((d) => [d.address, [] as string[]]));
  for (const d of deletes) for (const dep of d.dependsOn) needs.get(dep)?.push(d.address);
  return kahn(needs).map((a) => byAddress.get(a)!);
}

/**
 * attrs without the ones in `hidden` or `dropped`, keys and values in canonical order: attrs
 * itself when it drops nothing and already is in that order (no copy: the plan shares the
 * program's and the prior's objects, which nothing mutates).
 */
function strip(attrs: JsonObject, hidden: ReadonlySet<string>, dropped: ReadonlySet<string> = NONE): JsonObject {
  let drops = false;
  for (const k in attrs) {
    if (hidden.has(k) || dropped.has(k)) {
      drops = true;
      break;
    }
  }
  if (!drops) return inCanonicalOrder(attrs);
  const out: JsonObject = {};
  for (const k of sortStrings(Object.keys(attrs))) if (!hidden.has(k) && !dropped.has(k)) out[k] = inCanonicalOrder(attrs[k] as Json);
  return out;
}

function pickDeferred(deferred: { [attr: string]: Deferred }, names: string[]): { [attr: string]: Deferred } {
  if (names.length === 0) return NO_DEFERRED;
  const out: { [attr: string]: Deferred } = {};
  for (const n of names) out[n] = deferred[n]!;
  return out;
}
