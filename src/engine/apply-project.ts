import fs from "node:fs/promises";
import path from "node:path";
import { catalog } from "../diag/index.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { hashValue } from "../program/canonical.js";
import { hasChanges } from "../plan/plan.js";
import type { Plan } from "../plan/types.js";
import { runWithRecovery } from "../runtime/index.js";
import type { RunResult, TraceEvent } from "../runtime/types.js";
import { SnapshotPrep } from "../state/prepare.js";
import { buildStateTree, priorOf } from "../state/snapshot.js";
import type { LoadedSnapshot } from "../state/snapshot.js";
import { writeStateCommit } from "../state/store.js";
import { openJournal, removeJournal } from "../state/journal.js";
import { inspectCommit, findSnapshotCommit } from "./history.js";
import { isPlanned, planProject } from "./plan-project.js";
import type { NotPlanned, PlanOptions, Planned } from "./plan-project.js";
import { ProviderPool } from "./providers.js";
import { beginLine, journalName, recoverInterruptedRun } from "./recover-journal.js";
import { acquireApplyLock } from "./apply-lock.js";
import { spanLocator, spanText } from "./spans.js";

export interface ApplyOptions extends PlanOptions {
  /** Apply exactly this saved plan (refused when stale). */
  readonly planFile?: string;
  /** Called with the plan before anything changes; returning false cancels (nothing is written). */
  readonly confirm?: (planned: Planned) => Promise<boolean>;
  /** Live progress. */
  readonly onEvent?: (e: TraceEvent) => void;
  /** Overrides lexum.yaml's parallelism. */
  readonly parallelism?: number;
  /** Retry backoff (tests shorten it). */
  readonly backoffMs?: (attempt: number) => number;
}

/** One commit written on the state branch. */
export interface Recorded {
  readonly oid: string;
  readonly hash: string;
  readonly status: RunResult["status"];
}

export interface ApplyOutcome {
  readonly planned: Planned;
  /** Warnings (an interrupted run recovered) and plan diagnostics. */
  readonly diagnostics: Diagnostic[];
  /** Null when there was nothing to do (no commit written). */
  readonly result: RunResult | null;
  readonly rollback: { readonly plan: Plan; readonly result: RunResult } | null;
  /** Commits written, oldest first (a recovered interrupted run, the run, its rollback). */
  readonly commits: Recorded[];
  /** Bytes appended to the apply journal (the progress serialised before the commit); 0 when nothing ran. */
  readonly journalBytes: number;
}

/**
 * plan → (confirm) → run → snapshot commit(s). The state branch moves only by complete,
 * verified commits, compare-and-swap against the head the plan was made from: a branch that
 * moved meanwhile stops the run before it records anything on top (re-plan).
 */
export async function applyProject(opts: ApplyOptions): Promise<ApplyOutcome | NotPlanned> {
  const first = await planProject({ ...opts, keepPlanText: true });
  if (!isPlanned(first)) return first;
  // Held from before journal recovery to the last commit: a live apply's journal is never
  // mistaken for an interrupted one, and two applies never interleave on one branch.
  const release = await acquireApplyLock(first.workspace.repo.commondir, journalName(first.settings.stateBranch));
  try {
    return await applyLocked(opts, first);
  } finally {
    await release();
  }
}

async function applyLocked(opts: ApplyOptions, first: Planned): Promise<ApplyOutcome | NotPlanned> {
  let current: Planned = first;
  const commits: Recorded[] = [];
  const diagnostics: Diagnostic[] = [...first.diagnostics];

  // A journal left by a killed apply: record what it completed, then plan again from reality.
  const recovered = await recoverInterruptedRun(current);
  if (recovered) {
    commits.push(recovered.recorded);
    diagnostics.push(recovered.warning);
    const again = await planProject({ ...opts, refresh: true, keepPlanText: true });
    if (!isPlanned(again)) return again;
    current = again;
  }
  const planned = current;
  let plan = planned.plan;

  if (opts.planFile) plan = await loadSavedPlan(opts.planFile, planned);

  // The plan says whether there is anything to record: resource actions, or a new snapshot
  // without them (`writesSnapshot`: no snapshot yet, the last run failed, the goal moved).
  if (!hasChanges(plan)) return { planned, diagnostics, result: null, rollback: null, commits, journalBytes: 0 };
  if (opts.confirm && !(await opts.confirm(planned))) throw catalog.engine.notConfirmed.error("not confirmed");

  const ws = planned.workspace;
  const gitdir = ws.repo.gitdir;
  const name = journalName(planned.settings.stateBranch);
  const journal = await openJournal({ gitdir, name });
  // The snapshot's files are prepared while the run waits on providers; the commit assembles them.
  const prep = new SnapshotPrep(planned.prior.resources);
  const queue: TraceEvent[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    // Yield first, so that `flushing` holds this promise before the loop can finish and clear
    // it; to the next turn of the event loop, so that actors whose provider calls just
    // finished start their next calls before the journal's serialising and I/O.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (queue.length) {
        const batch = queue.splice(0);
        // A journal line is canonicalize({ event, kind: "event" }); the event's own canonical
        // JSON is also its trace.jsonl line, made once for both.
        const durable = batch.filter(changesState).map((e) => `{"event":${prep.traceLine(e).slice(0, -1)},"kind":"event"}`);
        if (durable.length) await journal.appendCanonical(...durable);
        for (const e of batch) opts.onEvent?.(e);
      }
    } finally {
      flushing = null;
    }
  };
  await journal.appendCanonical(
    beginLine(
      {
        parent: planned.head?.oid ?? null,
        plan,
        programHash: planned.programHash,
        source: { commit: ws.goal.commit, path: ws.projectPath },
        time: { seconds: ws.goal.time.seconds, tzOffsetMinutes: ws.goal.time.tzOffsetMinutes },
      },
      plan === planned.plan ? planned.planText : undefined,
    ),
  );

  // Queued only now: its ~1 MB text per 1,000 actions would otherwise hold up the begin
  // record's I/O callbacks; from here it fills the run's first waits on providers.
  prep.file("plan.json", plan);
  const lastQuiescent = await lastQuiescentSnapshot(gitdir, planned.settings.stateBranch, planned.head?.loaded ?? null);
  const pool = new ProviderPool(planned.program, planned.prior, { cwd: opts.cwd, projectDir: ws.projectDir }, planned.secrets);
  let outcome;
  let closing: Promise<void> | undefined;
  try {
    outcome = await runWithRecovery({
      program: planned.program,
      plan,
      prior: planned.prior,
      providers: pool.get,
      parallelism: opts.parallelism ?? planned.settings.parallelism,
      secret: planned.secrets.secret,
      digest: planned.secrets.digest,
      locate: spanLocator(planned.spans, planned.sources),
      sourceText: spanText(planned.spans, planned.sources),
      // Completed actions reach the journal in order; a crash loses at most the tail, which
      // the next run re-reads from reality (providers are idempotent). Progress is shown only
      // once the event is durable, so an action reported done before a kill is never missing
      // from the recovered snapshot. Events that arrive while a write is in flight go out
      // together in the next one (one fsync per batch, not per event).
      journal: (e) => {
        queue.push(e);
        flushing ??= flush();
        prep.event(e);
      },
      onRecord: (rec) => prep.record(rec),
      backoffMs: opts.backoffMs,
      lastQuiescent: lastQuiescent === null ? null : priorOf(lastQuiescent ?? null),
    });
  } finally {
    prep.stop();
    // Providers close (the sim folds its change logs into its world files) while the
    // snapshot is committed; a failed run waits for them before it throws.
    closing = pool.close();
    if (outcome === undefined) await closing;
    await (flushing as Promise<void> | null)?.catch(() => undefined);
    await journal.close();
  }

  let parent: LoadedSnapshot | null = planned.head?.loaded ?? null;
  let parentOid = planned.head?.oid ?? null;
  const record = async (p: Plan, run: RunResult): Promise<void> => {
    const tree = buildStateTree({
      parent,
      status: run.status,
      source: { commit: ws.goal.commit, path: ws.projectPath },
      programHash: planned.programHash,
      plan: p,
      run,
    }, prep);
    const { oid } = await writeStateCommit({
      gitdir,
      branch: planned.settings.stateBranch,
      expectedParent: parentOid,
      files: tree.files,
      message: tree.message,
      time: ws.goal.time,
      prepared: prep.blobs(),
    });
    commits.push({ oid, hash: tree.hash, status: run.status });
    parent = { snapshot: tree.snapshot, hash: tree.hash, resources: run.resources };
    parentOid = oid;
  };
  try {
    await record(plan, outcome.first);
    // A rolled-back world offers what the snapshot it returned to offered.
    if (outcome.rollback) {
      const r = outcome.rollback.result;
      await record(outcome.rollback.plan, r.status === "rolled-back" ? { ...r, exports: lastQuiescent?.snapshot.exports ?? {} } : r);
    }
    await removeJournal({ gitdir, name });
  } catch (e) {
    await closing.catch(() => undefined);
    throw e;
  }
  // The run is recorded; a provider that failed to close says so now.
  await closing;
  return { planned, diagnostics, result: outcome.first, rollback: outcome.rollback ?? null, commits, journalBytes: journal.bytesWritten };
}

/**
 * The snapshot a rollback returns to: the last quiescent one (the head itself when
 * quiescent). `undefined` when there is none (a rollback then deletes what the run made);
 * null when it is named but cannot be read (no rollback is attempted).
 */
async function lastQuiescentSnapshot(gitdir: string, branch: string, head: LoadedSnapshot | null): Promise<LoadedSnapshot | null | undefined> {
  if (!head) return undefined;
  if (head.snapshot.status === "quiescent") return head;
  const target = head.snapshot.lastQuiescent;
  if (!target) return undefined;
  const commit = await findSnapshotCommit(gitdir, branch, target);
  if (!commit) return null;
  const inspected = await inspectCommit(gitdir, commit);
  return inspected.loaded && inspected.problems.length === 0 ? inspected.loaded : null;
}

/** Reads a plan saved by `lxm plan --out` and refuses it unless it is for this program and this state. */
async function loadSavedPlan(file: string, planned: Planned): Promise<Plan> {
  let saved: Plan;
  try {
    saved = JSON.parse(await fs.readFile(file, "utf8")) as Plan;
  } catch (e) {
    throw catalog.engine.badPlanFile.error(path.basename(file), (e as Error).message);
  }
  if (!saved || saved.format !== "lexum.plan/v1") throw catalog.engine.badPlanFile.error(path.basename(file), "not a lexum.plan/v1 document");
  const { hash, ...rest } = saved;
  if (hashValue(rest) !== hash) throw catalog.engine.badPlanFile.error(path.basename(file), "its hash does not match its content (edited?)");
  if (saved.program !== planned.programHash) throw catalog.engine.stalePlan.error(`it was made for program ${saved.program}, the goal is now ${planned.programHash}`);
  if (saved.prior !== planned.prior.snapshot) throw catalog.engine.stalePlan.error(`it was made against snapshot ${saved.prior ?? "none"}, the state branch is now at ${planned.prior.snapshot ?? "none"}`);
  return saved;
}

/** The events recovery needs from a killed run: finished actions that changed something, failures, domain outcomes. */
function changesState(e: TraceEvent): boolean {
  return (e.phase === "done" && e.action !== "noop") || e.phase === "failed" || e.phase === "domain";
}
