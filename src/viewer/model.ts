import { compareNatural } from "../program/address.js";
import { canonicalize } from "../program/canonical.js";
import type { Json, JsonObject } from "../program/types.js";
import type { Plan, PlannedAction } from "../plan/types.js";
import type { TraceEvent } from "../runtime/types.js";
import { jsonEqual } from "../plan/diff.js";
import { parseFile } from "../lang/parser.js";

/**
 * The trace model both viewers (terminal and web) show: one run loaded as plain data
 * (RunView) and a pure fold over its events (Frame). Viewers render a Frame and compute
 * nothing; everything they display is decided here, so both show the same state at the
 * same event. Pure and deterministic: no I/O, no clocks, plain `<` ordering.
 */

/** One run (one state commit): everything the viewers show. */
export interface RunView {
  /** The state commit id. */
  readonly commit: string;
  /** The snapshot hash (`sha256:…`). */
  readonly snapshot: string;
  readonly status: "quiescent" | "failed" | "rolled-back" | "drifted";
  /**
   * Set for a state commit that is not a run: `failure` (a goal commit that never ran: no
   * events, an empty plan) or `drift` (one `drift` event per resource read back other than
   * recorded; the plan is the correction plan) or `edit` (the state edited by hand with `lxm
   * state rm`/`mv`: no events, an empty plan; `edit` says what was done).
   */
  readonly kind?: "failure" | "drift" | "edit";
  /** An edit record's edit, in words (`forgot web/fs.file.a (lxm state rm)`). */
  readonly edit?: string;
  /** The snapshot's failure (reason and message), when it has one. */
  readonly failure?: { readonly reason?: string; readonly message: string } | null;
  /** Canonical order (step, domain, seq), exactly as in trace.jsonl. */
  readonly events: TraceEvent[];
  /** plan.json: every action including noops, with dependsOn; domains with step and `after`. */
  readonly plan: Plan;
  /** The .lxm texts at the goal commit by project-relative path; {} when unavailable. */
  readonly sources: { readonly [file: string]: string };
  /** The state branch, newest first. `goal` is the goal commit (null for a working-tree run). */
  readonly history: { commit: string; snapshot: string; status: string; goal: string | null }[];
}

/**
 * A planned resource's status at one point of the run; "deleted" is a finished delete (the
 * object is gone); "drifted" a resource a drift record observed other than recorded.
 */
export type NodeStatus = "pending" | "running" | "done" | "deleted" | "failed" | "rolled-back" | "unchanged" | "drifted";

/** A domain's status at one point of the run. */
export type DomainViewStatus = "pending" | "running" | "quiescent" | "failed" | "skipped" | "rolled-back";

/** One source line of a frame's excerpt; `marked` when it lies inside the event's span. */
export interface SourceLine {
  readonly n: number;
  readonly text: string;
  readonly marked: boolean;
}

/** One attribute of the event's resource whose value differs between before and after. */
export interface FrameDiff {
  attr: string;
  before?: Json;
  after?: Json;
}

/** The run as it stood right after event `index` (everything up to and including it applied). */
export interface Frame {
  readonly index: number;
  readonly total: number;
  readonly event: TraceEvent;
  /** What the event is about, after its phase (eventTitle): `update web/fs.file.page["index"]`, `quiescent`, `goal served, assertion 2 FAILED`. */
  readonly title: string;
  /** The event's detail lines (eventDetail): an observation's call, attempt and result or error; an assertion's location, expression and operands. */
  readonly detail: string[];
  /** Every planned address (and any address the trace names), in natural order (compareNatural). */
  readonly resources: { readonly [address: string]: NodeStatus };
  /** Every planned domain (and any domain the trace names), in natural order. */
  readonly domains: { readonly [domain: string]: DomainViewStatus };
  /** The event's resource at this point: attributes that differ between before and after, sorted; [] for non-resource events. */
  readonly diff: FrameDiff[];
  /** The event's span (for an observe event, its resource's) with CONTEXT_LINES of context either side; null when there is none. `lines` is [] when the file's text is unavailable. */
  readonly source: { file: string; line: number; lines: SourceLine[] } | null;
  /** Addresses and domains whose completion enabled this event (event.causes, the action's dependsOn, the domain's imports), sorted, unique. */
  readonly causes: string[];
  /** step: the event's step; steps: the plan's step count; done: non-noop actions finished (done) so far; planned: non-noop actions planned. */
  readonly progress: { step: number; steps: number; done: number; planned: number };
  /** The domains that are instances of a domain template, and the template (domainTemplates). */
  readonly templates: { readonly [domain: string]: string };
}

/** Lines of context shown around a span. */
export const CONTEXT_LINES = 2;

interface PlanIndex {
  readonly actions: Map<string, PlannedAction>;
  readonly imports: Map<string, string[]>;
  readonly steps: number;
  /** The teardown steps (where a replace is its delete half). */
  readonly teardown: ReadonlySet<number>;
}

const indexCache = new WeakMap<Plan, PlanIndex>();

function indexPlan(plan: Plan): PlanIndex {
  const hit = indexCache.get(plan);
  if (hit) return hit;
  const actions = new Map<string, PlannedAction>();
  const imports = new Map<string, string[]>();
  for (const s of plan.steps) {
    for (const d of s.domains) {
      // A domain with a teardown appears twice: its imports are those of its build run.
      if (s.phase !== "teardown" || !imports.has(d.domain)) imports.set(d.domain, [...d.after]);
      for (const a of d.actions) actions.set(a.address, a);
    }
  }
  const idx = { actions, imports, steps: plan.steps.length, teardown: new Set(plan.steps.filter((s) => s.phase === "teardown").map((s) => s.step)) };
  indexCache.set(plan, idx);
  return idx;
}

function sortedRecord<T>(m: Map<string, T>): { [k: string]: T } {
  const out: { [k: string]: T } = {};
  for (const k of [...m.keys()].sort(compareNatural)) out[k] = m.get(k)!;
  return out;
}

/** True when the event marks a failure: a failed action, a broken assertion, or a failed domain. */
export function isFailure(e: TraceEvent): boolean {
  return e.phase === "failed" || (e.phase === "assert" && e.ok === false) || (e.phase === "domain" && e.status === "failed");
}

/**
 * The frame after event `index` (clamped to [0, total-1]). Pure: an O(index) fold over the
 * events. Requires at least one event (callers check `events.length`; an empty trace is
 * a RangeError, a bug of the caller). Noop actions end "unchanged", finished deletes
 * "deleted"; in a rolled-back run (the compensating run) finished actions are
 * "rolled-back" instead. A drift event marks its resource "drifted" (its diff: recorded →
 * observed) and leaves its domain as it was (nothing ran).
 */
export function frameAt(view: RunView, index: number): Frame {
  const total = view.events.length;
  if (total === 0) throw new RangeError("frameAt: the run has no events");
  const i = Math.max(0, Math.min(total - 1, Math.trunc(index)));
  const idx = indexPlan(view.plan);
  // A rolled-back run is the compensating run: what it completed was restored, not applied.
  const doneStatus: NodeStatus = view.status === "rolled-back" ? "rolled-back" : "done";

  const resources = new Map<string, NodeStatus>();
  const domains = new Map<string, DomainViewStatus>();
  for (const s of view.plan.steps) {
    for (const d of s.domains) {
      domains.set(d.domain, "pending");
      for (const a of d.actions) resources.set(a.address, "pending");
    }
  }
  let done = 0;
  const started = new Map<string, JsonObject | null>();
  const finished = new Map<string, JsonObject | null>();
  // Observe events carry no span: they show the span of their resource (from its start).
  const spans = new Map<string, NonNullable<TraceEvent["span"]>>();
  for (let k = 0; k <= i; k++) {
    const e = view.events[k]!;
    if (e.address !== undefined && e.span) spans.set(e.address, e.span);
    if (e.phase === "drift") {
      if (e.address === undefined) continue;
      resources.set(e.address, "drifted");
      started.set(e.address, e.before ?? null);
      finished.set(e.address, e.after ?? null);
      continue;
    }
    if (e.phase === "domain") {
      domains.set(e.domain, e.status ?? "quiescent");
    } else if (domains.get(e.domain) === undefined || domains.get(e.domain) === "pending") {
      domains.set(e.domain, "running");
    }
    if (e.address === undefined) continue;
    const kind = e.action ?? idx.actions.get(e.address)?.action;
    const noop = kind === "noop";
    if (e.phase === "start") {
      resources.set(e.address, "running");
      started.set(e.address, e.before ?? null);
      finished.delete(e.address);
    } else if (e.phase === "done" && kind === "replace" && idx.teardown.has(e.step)) {
      // The delete half of a replace: it is created again in a build step.
      resources.set(e.address, "running");
      finished.set(e.address, e.after ?? null);
    } else if (e.phase === "done") {
      resources.set(e.address, noop ? "unchanged" : kind === "delete" && doneStatus === "done" ? "deleted" : doneStatus);
      if (!noop) done++;
      finished.set(e.address, e.after ?? null);
    } else if (e.phase === "failed") {
      resources.set(e.address, "failed");
      finished.set(e.address, e.after ?? null);
    } else if (!resources.has(e.address)) {
      resources.set(e.address, "running");
    }
  }

  const event = view.events[i]!;
  let planned = 0;
  for (const a of idx.actions.values()) if (a.action !== "noop") planned++;
  return {
    index: i,
    total,
    event,
    title: eventTitle(event),
    detail: eventDetail(event),
    resources: sortedRecord(resources),
    domains: sortedRecord(domains),
    diff: event.address === undefined ? [] : diffOf(event.address, idx.actions.get(event.address), started, finished),
    source: sourceOf(event.span ?? (event.address === undefined ? undefined : spans.get(event.address)), view.sources),
    causes: causesOf(event, idx),
    progress: { step: event.step, steps: Math.max(idx.steps, event.step), done, planned },
    templates: domainTemplates(view.sources),
  };
}

const templatesCache = new WeakMap<object, { [domain: string]: string }>();

/**
 * Which domains of the goal are instances of a domain template (`domain api = service(…)`):
 * domain → template, read from the goal commit's sources (parsed, not compiled; a file that
 * does not parse names none). {} without sources. Pure (cached per sources object).
 */
export function domainTemplates(sources: RunView["sources"]): { readonly [domain: string]: string } {
  const hit = templatesCache.get(sources);
  if (hit) return hit;
  const out: { [domain: string]: string } = {};
  for (const file of Object.keys(sources).sort()) {
    // Only files that instantiate anything are parsed.
    if (!/^\s*domain\s+[A-Za-z_][A-Za-z0-9_]*\s*=/m.test(sources[file]!)) continue;
    for (const d of parseFile(file, sources[file]!).file.domains) if (d.instance) out[d.name.name] = d.instance.template.name;
  }
  const sorted = sortedRecord(new Map(Object.entries(out)));
  templatesCache.set(sources, sorted);
  return sorted;
}

/** A domain as the viewers name it: `api (template service)` for an instance, else its name. */
export function domainLabel(domain: string, templates: { readonly [domain: string]: string }): string {
  const t = templates[domain];
  return t === undefined ? domain : `${domain} (template ${t})`;
}

// Before: what the action started from (its start event, else the plan's record).
// After: the read-back once the action finished; before that, the goal the plan knows laid
// over the record (so a running action shows what it is about to do, and computed
// attributes the goal does not name do not show as removed).
function diffOf(
  address: string,
  action: PlannedAction | undefined,
  started: Map<string, JsonObject | null>,
  finished: Map<string, JsonObject | null>,
): FrameDiff[] {
  const before = started.has(address) ? started.get(address)! : (action?.before ?? null);
  const goal = action?.after ?? null;
  const after = finished.has(address) ? finished.get(address)! : goal === null ? null : { ...(before ?? {}), ...goal };
  const keys = new Set<string>([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: FrameDiff[] = [];
  for (const attr of [...keys].sort()) {
    const b = before?.[attr];
    const a = after?.[attr];
    if (jsonEqual(b, a)) continue;
    const d: FrameDiff = { attr };
    if (b !== undefined) d.before = b;
    if (a !== undefined) d.after = a;
    out.push(d);
  }
  return out;
}

function sourceOf(span: TraceEvent["span"], sources: RunView["sources"]): Frame["source"] {
  if (!span) return null;
  const text = sources[span.file];
  if (text === undefined) return { file: span.file, line: span.line, lines: [] };
  const all = text.split("\n");
  // A final newline leaves an empty last element that is not a line of the file.
  if (all.length > 0 && all[all.length - 1] === "") all.pop();
  const first = Math.max(1, span.line - CONTEXT_LINES);
  const last = Math.min(all.length, Math.max(span.endLine, span.line) + CONTEXT_LINES);
  const lines: SourceLine[] = [];
  for (let n = first; n <= last; n++) {
    lines.push({ n, text: all[n - 1]!.replace(/\r$/, ""), marked: n >= span.line && n <= span.endLine });
  }
  return { file: span.file, line: span.line, lines };
}

function causesOf(event: TraceEvent, idx: PlanIndex): string[] {
  const set = new Set<string>(event.causes ?? []);
  if (event.address !== undefined) for (const d of idx.actions.get(event.address)?.dependsOn ?? []) set.add(d);
  for (const d of idx.imports.get(event.domain) ?? []) set.add(d);
  return [...set].sort();
}

/**
 * What a state commit that is not a run says about itself, on one line, for both viewers:
 * `a failure record (compile-failed): the goal commit never ran — <first line>` or `a drift
 * record: 2 resources read back other than recorded; its plan is the correction plan`;
 * null for a run. Pure.
 */
export function recordNote(view: RunView): string | null {
  if (view.kind === "failure") {
    const message = view.failure?.message ?? "";
    const first = message.split("\n").find((l) => l.trim() !== "") ?? "";
    return `a failure record (${view.failure?.reason ?? "failed"}): the goal commit never ran${first ? ` — ${first}` : ""}`;
  }
  if (view.kind === "drift") {
    const n = view.events.filter((e) => e.phase === "drift").length;
    return `a drift record: ${n === 1 ? "1 resource reads" : `${n} resources read`} back other than recorded; its plan is the correction plan`;
  }
  if (view.kind === "edit") return `an edit of the state by hand: ${view.edit ?? "?"}; nothing was applied`;
  return null;
}

/** Index of the first failure event (failed action, broken assertion, failed domain), or null when the run has none. */
export function firstFailureIndex(view: RunView): number | null {
  const i = view.events.findIndex(isFailure);
  return i < 0 ? null : i;
}

/** One domain of the run's graph. */
export interface GraphDomain {
  name: string;
  /** The domain template it is an instance of; absent for a domain written out. */
  template?: string;
  step: number;
  /** Domains it imports from, sorted. */
  after: string[];
  /** Its planned resources in natural address order. */
  resources: { address: string; type: string; dependsOn: string[] }[];
}

/** The run's DAG from its plan: domains in step order (by name within a step), resources in natural address order (compareNatural). Pure. */
export function graphOf(view: RunView): { domains: GraphDomain[] } {
  const domains: GraphDomain[] = [];
  const templates = domainTemplates(view.sources);
  const builds = new Set(view.plan.steps.filter((s) => s.phase !== "teardown").flatMap((s) => s.domains.map((d) => d.domain)));
  // A domain's resources from both its runs (its teardown's deletes included), once each.
  const actionsOf = new Map<string, Map<string, PlannedAction>>();
  for (const s of view.plan.steps)
    for (const d of s.domains) {
      const m = actionsOf.get(d.domain) ?? new Map<string, PlannedAction>();
      for (const a of d.actions) if (!m.has(a.address)) m.set(a.address, a);
      actionsOf.set(d.domain, m);
    }
  for (const s of view.plan.steps) {
    for (const d of [...s.domains].sort((x, y) => compareNatural(x.domain, y.domain))) {
      // A domain is drawn once: at its build step, or at its teardown when that is all it runs.
      if (s.phase === "teardown" && builds.has(d.domain)) continue;
      domains.push({
        name: d.domain,
        ...(templates[d.domain] !== undefined ? { template: templates[d.domain] } : {}),
        step: d.step,
        after: [...d.after].sort(),
        resources: [...actionsOf.get(d.domain)!.values()]
          .map((a) => ({ address: a.address, type: a.type, dependsOn: [...a.dependsOn].sort(compareNatural) }))
          .sort((x, y) => compareNatural(x.address, y.address)),
      });
    }
  }
  return { domains };
}

/** A move through a run's events, as both viewers bind it to keys. */
export type NavCommand = "back" | "forward" | "first" | "last" | "failure";

/**
 * The event index after `cmd` from `index`, clamped to the run's events. `failure` goes to
 * the first failure and stays put when the run has none. Pure.
 */
export function navigate(view: RunView, index: number, cmd: NavCommand): number {
  const last = Math.max(0, view.events.length - 1);
  const clamp = (i: number): number => Math.max(0, Math.min(last, i));
  switch (cmd) {
    case "back":
      return clamp(index - 1);
    case "forward":
      return clamp(index + 1);
    case "first":
      return 0;
    case "last":
      return last;
    case "failure":
      return firstFailureIndex(view) ?? clamp(index);
  }
}

/** How people number an assertion: `goal served, assertion 2` (1-based; the trace's `index` is 0-based). */
export function assertionLabel(e: TraceEvent): string {
  return `goal ${e.goal ?? "?"}, assertion ${(e.index ?? 0) + 1}`;
}

/**
 * What an event is about, after its phase, in both viewers and `lxm trace`'s lines:
 * `update web/fs.file.page["index"]`, `quiescent`, `goal served, assertion 2 FAILED`,
 * `web/fs.file.about (changed outside Lexum)` (a drift event),
 * `update app/sim.object.api (update #1 error sim.fault)`. Its message is not included. Pure.
 */
export function eventTitle(e: TraceEvent): string {
  switch (e.phase) {
    case "domain":
      return e.status ?? "?";
    case "drift":
      return `${e.address ?? ""} (${e.after === null ? "gone" : "changed"} outside Lexum)`;
    case "assert":
      return `${assertionLabel(e)} ${e.ok ? "ok" : "FAILED"}`;
    case "observe": {
      const o = e.observation;
      const call = o ? ` (${o.call} #${o.attempt} ${o.error ? `error ${o.error.code}` : "ok"})` : "";
      return `${e.action ?? "?"} ${e.address ?? ""}${call}`;
    }
    default:
      return `${e.action ?? "?"} ${e.address ?? ""}`;
  }
}

/** A JSON value on one line, canonical (the same value always reads the same); `(absent)` for undefined. */
export function jsonLine(v: Json | undefined): string {
  return v === undefined ? "(absent)" : canonicalize(v);
}

/**
 * The event's detail, one line each, shown verbatim by both viewers. An observation:
 * `observation: update, attempt 1`, then `error: CODE: message` (` (retryable)` when it
 * is) or `result: {…}` (`result: (absent)` for an object that is not there). An assertion:
 * `location: file:line:col`, `expression: …`, then one `  text = value` line per operand
 * (values as the trace recorded them: sensitive ones are "(sensitive)"). A renamed resource's
 * start: `moved from: web/fs.file.motd`. [] otherwise. Pure.
 */
export function eventDetail(e: TraceEvent): string[] {
  const out: string[] = [];
  if (e.phase === "assert") {
    if (e.span) out.push(`location: ${e.span.file}:${e.span.line}:${e.span.column}`);
    if (e.expr !== undefined) out.push(`expression: ${e.expr}`);
    for (const o of e.operands ?? []) out.push(`  ${o.text} = ${jsonLine(o.value)}`);
  }
  if (e.movedFrom !== undefined) out.push(`moved from: ${e.movedFrom}`);
  const o = e.observation;
  if (o) {
    out.push(`observation: ${o.call}, attempt ${o.attempt}`);
    if (o.error) out.push(`error: ${o.error.code}: ${o.error.message}${o.error.retryable ? " (retryable)" : ""}`);
    else out.push(`result: ${o.result === null ? "(absent)" : canonicalize(o.result)}`);
  }
  return out;
}

/**
 * The `for` resource an instance address belongs to: `web/fs.file.page` for
 * `web/fs.file.page["index"]` or `…page[3]`; null for an address without a key. Pure.
 */
export function instanceBase(address: string): string | null {
  if (!address.endsWith("]")) return null;
  const open = address.indexOf("[");
  return open > 0 ? address.slice(0, open) : null;
}

/** For each address the trace names, the index of its last event (what a viewer selects for a resource). Pure. */
export function lastEventIndex(view: RunView): { [address: string]: number } {
  const m = new Map<string, number>();
  view.events.forEach((e, i) => {
    if (e.address !== undefined) m.set(e.address, i);
  });
  return sortedRecord(m);
}
