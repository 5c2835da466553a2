import type { Json } from "../program/types.js";
import type { Plan, PlanDomain, RecordedResource } from "../plan/types.js";
import { priorAfterMoves } from "../plan/moves.js";
import type { DagDiff, DomainStatus, RunResult } from "./types.js";
import type { DomainRun, RunContext, RunInput } from "./context.js";
import type { Message } from "./mailbox.js";
import { Mailbox } from "./mailbox.js";
import { ReplayFeed } from "./observe.js";
import { TraceRecorder } from "./trace.js";
import { Bookkeeping } from "./bookkeeping.js";
import { executeAction } from "./execute.js";
import { checkGoals, computeExports } from "./assert.js";

/** How one domain actor ended. */
interface DomainOutcome {
  readonly domain: string;
  /** Null for a teardown that went well and is followed by the domain's build run. */
  readonly status: DomainStatus | null;
  /** Addresses by how their action ended. */
  readonly done: Set<string>;
  readonly failed: Set<string>;
  readonly failure: { readonly address: string | null; readonly message: string } | null;
  readonly message: Message | null;
  readonly exports: { [name: string]: Json };
}

/**
 * Applies a plan. Steps run in order; within a step the domains run in parallel, at most
 * `parallelism` at once, started in name order; each is an actor that starts once its
 * mailbox holds the exports of every domain it imports from (delivered between steps),
 * runs its actions one at a time in plan order, then asserts its goals.
 *
 * Halt: when a domain fails, it stops at once; the other domains of its step still run
 * to completion (they were started together, so the outcome does not depend on timing or
 * parallelism) and no later step starts. The trace is returned in canonical order
 * (step, domain, seq): a serial and a parallel run give identical traces.
 *
 * With `replay`, no provider is called: recorded observations are fed back.
 */
export async function runPlan(given: RunInput): Promise<RunResult> {
  // Renamed resources are recorded under their new addresses from the start, as the plan saw them.
  const moved = priorAfterMoves(given.prior, given.plan);
  const input = moved === given.prior ? given : { ...given, prior: moved };
  const listeners = [input.onEvent, input.journal].filter((f): f is NonNullable<typeof f> => f !== undefined);
  const rc: RunContext = {
    input,
    catalog: input.catalog,
    recorder: new TraceRecorder(listeners),
    feed: input.replay ? new ReplayFeed(input.replay) : null,
    live: new Map(),
    resources: new Map(Object.keys(input.prior.resources).sort().map((k) => [k, input.prior.resources[k]!])),
    instances: new Map(),
    book: new Bookkeeping(),
    tornDown: new Set(input.plan.steps.flatMap((s) => (s.phase === "teardown" ? s.domains.flatMap((d) => d.actions.filter((a) => a.action === "replace").map((a) => a.address)) : []))),
  };
  const mode = input.mode ?? "apply";
  const steps = [...input.plan.steps].sort((a, b) => a.step - b.step);
  // One mailbox per domain run: a domain with a teardown runs twice (teardown, then build).
  const mailboxes = new Map<string, Mailbox>();
  const builds = new Set<string>();
  for (const s of steps)
    for (const d of s.domains) {
      mailboxes.set(runKey(s.step, d.domain), new Mailbox(d.domain, s.phase === "teardown" ? [] : d.after));
      if (s.phase !== "teardown") builds.add(d.domain);
    }
  // Domains already reported failed or skipped: their later run gets no second domain event.
  const reported = new Set<string>();

  const statuses: { [domain: string]: DomainStatus } = {};
  const outcomes: DomainOutcome[] = [];
  let halted = false;
  let firstFailure: RunResult["failure"] = null;
  const exports: { [name: string]: Json } = {};

  for (const s of steps) {
    const domains = [...s.domains].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
    const teardown = s.phase === "teardown";
    if (halted) {
      for (const d of domains) {
        if (reported.has(d.domain)) continue;
        reported.add(d.domain);
        statuses[d.domain] = "skipped";
        rc.recorder.emit(s.step, d.domain, { phase: "domain", status: "skipped", causes: [...d.after], span: input.locate?.(d.domain) });
      }
      continue;
    }
    const sem = new Semaphore(Math.max(1, Math.floor(input.parallelism) || 1));
    // map() calls sem.run synchronously in name order, so domains acquire slots in that order.
    const results = await Promise.all(
      domains.map((d) => sem.run(() => runDomain(rc, s.step, d, mailboxes.get(runKey(s.step, d.domain))!, mode, teardown ? (builds.has(d.domain) ? "teardown" : "teardown-only") : "build"))),
    );
    for (const o of results) {
      outcomes.push(o);
      if (o.status === "failed") reported.add(o.domain);
      if (o.status !== null) statuses[o.domain] = o.status;
      if (o.status === "failed") {
        halted = true;
        if (!firstFailure && o.failure) firstFailure = { address: o.failure.address, domain: o.domain, message: o.failure.message };
      } else {
        for (const k of Object.keys(o.exports).sort()) exports[`${o.domain}.${k}`] = o.exports[k]!;
      }
    }
    // Coordination happens here, between steps: quiescent domains write to their importers' mailboxes.
    if (!halted) for (const o of results) if (o.message) for (const mb of mailboxes.values()) mb.post(o.message);
  }

  const done = new Set<string>();
  const failed = new Set<string>();
  for (const o of outcomes) {
    for (const a of o.done) done.add(a);
    for (const a of o.failed) failed.add(a);
  }
  rc.book.settle(); // each actor settled before its domain event; nothing should be left
  const dag = dagDiff(input.plan, done, failed);

  // A plain loop: this runs once per run, before Object.fromEntries would be optimised.
  const resources: { [address: string]: RecordedResource } = {};
  for (const k of [...rc.resources.keys()].sort()) resources[k] = rc.resources.get(k)!;
  return {
    status: halted ? "failed" : mode === "rollback" ? "rolled-back" : "quiescent",
    resources,
    exports,
    domains: Object.fromEntries(Object.keys(statuses).sort().map((k) => [k, statuses[k]!])),
    trace: rc.recorder.events(),
    dag,
    failure: firstFailure,
  };
}

/**
 * The DAG diff of a run: `planned` is every non-noop action in plan order (steps in order,
 * then domains and actions as the plan lists them); `done`, `failed` and `notStarted` partition it, each
 * in plan order. An address both done and failed counts as done. Deterministic.
 */
export function dagDiff(plan: Plan, done: ReadonlySet<string>, failed: ReadonlySet<string>): DagDiff {
  const dag = { planned: [] as string[], done: [] as string[], failed: [] as string[], notStarted: [] as string[] };
  const steps = [...plan.steps].sort((a, b) => a.step - b.step);
  for (const s of steps)
    for (const d of s.domains)
      for (const a of d.actions) {
        if (a.action === "noop") continue; // a noop changes nothing: it is not part of the DAG diff
        // A replace is listed once, where it creates; its teardown half counts for it (failed there: failed).
        if (s.phase === "teardown" && a.action === "replace") continue;
        dag.planned.push(a.address);
        if (done.has(a.address)) dag.done.push(a.address);
        else if (failed.has(a.address)) dag.failed.push(a.address);
        else dag.notStarted.push(a.address);
      }
  return dag;
}

/**
 * Which part of a domain's work a run is: its build (goals, exports), its teardown before a
 * build later in the plan, or a teardown that is all it does (a domain that left the code).
 */
type RunPart = "build" | "teardown" | "teardown-only";

function runKey(step: number, domain: string): string {
  return `${step}\u0000${domain}`;
}

/** One domain actor: wait for the mailbox, run the actions in order, assert goals, compute exports. */
async function runDomain(rc: RunContext, step: number, plan: PlanDomain, mailbox: Mailbox, mode: "apply" | "rollback", part: RunPart): Promise<DomainOutcome> {
  const messages = mailbox.open();
  const d: DomainRun = {
    rc,
    step,
    plan,
    ir: rc.input.program.domains[plan.domain],
    messages,
    teardown: part !== "build",
    emit: (draft) => rc.recorder.emit(step, plan.domain, draft),
    later: (task) => rc.book.later(task),
  };
  const done = new Set<string>();
  const failedSet = new Set<string>();
  let failure: DomainOutcome["failure"] = null;
  for (const a of plan.actions) {
    const r = await executeAction(d, a);
    if (r.ok) {
      // A replace's teardown half is not the replace done: its build half says.
      if (!(part !== "build" && a.action === "replace")) done.add(a.address);
      continue;
    }
    failedSet.add(a.address);
    failure = { address: a.address, message: r.message };
    break; // halt: the rest of this domain's actions are not started
  }
  // The goals read the records the bookkeeping writes; the domain event comes after its actions'.
  rc.book.settle();
  let message: Message | null = null;
  let exports: { [name: string]: Json } = {};
  if (part === "teardown") {
    // The domain's build run, later in the plan, asserts its goals and reports its status.
    if (!failure) return { domain: plan.domain, status: null, done, failed: failedSet, failure, message, exports };
  } else if (part === "teardown-only") {
    // A domain that left the code: no goals, no exports.
  } else if (!failure && mode === "apply") {
    const broken = checkGoals(d);
    if (broken !== null) failure = { address: null, message: broken };
    else {
      const ex = computeExports(d);
      if (ex.ok) {
        message = ex.message;
        exports = ex.recorded;
      } else failure = { address: null, message: ex.message };
    }
  } else if (!failure) {
    message = { from: plan.domain, exports: {}, resources: {} };
  }
  const status: DomainStatus = failure ? "failed" : mode === "rollback" ? "rolled-back" : "quiescent";
  d.emit({ phase: "domain", status, causes: [...plan.after], message: failure?.message, span: rc.input.locate?.(plan.domain) });
  return { domain: plan.domain, status, done, failed: failedSet, failure, message, exports };
}

/** A counting semaphore; waiters are served first come, first served. */
class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
