import fs from "node:fs/promises";
import path from "node:path";
import { catalog } from "../diag/index.js";
import { LexumError } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { journalWriteFailed } from "../diag/catalog/runtime.js";
import type { ProviderInstance } from "../providers/types.js";
import { canonicalize, hashValue } from "../program/canonical.js";
import { hasChanges } from "../plan/plan.js";
import type { Plan, PriorState, RecordedResource } from "../plan/types.js";
import { runWithRecovery } from "../runtime/index.js";
import type { RunResult, TraceEvent } from "../runtime/types.js";
import { SnapshotPrep } from "../state/prepare.js";
import { buildStateTree, priorOf } from "../state/snapshot.js";
import type { LoadedSnapshot, Snapshot, SnapshotSource } from "../state/snapshot.js";
import { assertStateBranchUnlocked, writeStateCommit } from "../state/store.js";
import { openJournal, removeJournal } from "../state/journal.js";
import { inspectCommit, findSnapshotCommit } from "./history.js";
import { isPlanned, planProject } from "./plan-project.js";
import type { NotPlanned, PlanOptions, Planned } from "./plan-project.js";
import { ProviderPool } from "./providers.js";
import { beginLine, journalName, recoverInterruptedRun } from "./recover-journal.js";
import { acquireApplyLock } from "./apply-lock.js";
import { spanLocator, spanText } from "./spans.js";
import { readPlanFile } from "./plan-file.js";
import { describeChange } from "./workspace.js";
import { readStateHeadOid } from "./state-head.js";
import { withTrailers } from "./trailers.js";
import type { Trailer } from "./trailers.js";

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
  /**
   * Apply a working tree whose inputs differ from the goal commit (`--allow-dirty`); the
   * snapshot's `source.dirty` names them. Without it such an apply is refused (LXM4220)
   * before anything is written.
   */
  readonly allowDirty?: boolean;
  /**
   * Apply only a plan with exactly this hash (the one a reviewer saw): checked under the apply
   * lock, after the state head was re-read, before any provider is called (LXM4250).
   */
  readonly expectPlan?: string;
  /** Extra trailers on each state commit this apply writes (`{ key: "Lexum-Pull-Request", value: "o/r#12" }`). */
  readonly trailers?: readonly Trailer[];
  /**
   * Asked before every provider call of the run (reads included): an error returned stops it,
   * as a failed call (lxm-sync's replicas: the repository's lease was lost).
   */
  readonly stopWhen?: () => LexumError | null;
  /** Called after the first plan, before the apply lock is taken (tests run a concurrent apply here). */
  readonly beforeLock?: (planned: Planned) => Promise<void>;
}

/** One commit written on the state branch: its id, its snapshot's hash and status. */
export interface Recorded {
  readonly oid: string;
  readonly hash: string;
  readonly status: Snapshot["status"];
}

export interface ApplyOutcome {
  readonly planned: Planned;
  /** Warnings (an interrupted run recovered), plan diagnostics, and an error when the journal could not be written during the run (LXM4123: the apply failed even if the run ended quiescent). */
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
 * plan → lock → (confirm) → run → snapshot commit(s). Before any provider changes anything
 * the run holds the apply lock, has found the state head to be the one it planned against
 * (else it plans again; a saved plan is refused as stale, LXM4205) and the branch's ref
 * unlocked (LXM4102). The state branch moves only by complete, verified commits,
 * compare-and-swap against that head.
 */
export async function applyProject(opts: ApplyOptions): Promise<ApplyOutcome | NotPlanned> {
  withTrailers("", opts.trailers ?? []); // a bad trailer is refused before anything runs
  let first = await planProject({ ...opts, keepPlanText: true });
  if (!isPlanned(first)) return first;
  // Before the lock and journal recovery: a refused apply writes nothing, not even a recovered run.
  if (first.changes.length > 0 && !opts.allowDirty) throw refuseChanges(first, opts.cwd);
  await opts.beforeLock?.(first);
  // Held from before journal recovery to the last commit: a live apply's journal is never
  // mistaken for an interrupted one, and two applies never interleave on one branch.
  const release = await acquireApplyLock(first.workspace.repo.commondir, journalName(first.settings.stateBranch));
  try {
    // Another apply may have committed between this plan and the lock: that plan is stale
    // (running it would change the world, then fail to record). Plan again from the head
    // as it is now, before any provider is called; a saved plan is then refused as stale.
    const head = await readStateHeadOid({ gitdir: first.workspace.repo.gitdir, branch: first.settings.stateBranch });
    if (head !== (first.head?.oid ?? null)) {
      first = await planProject({ ...opts, keepPlanText: true });
      if (!isPlanned(first)) return first;
    }
    // A leftover `<ref>.lock` would refuse the commit only after the world changed.
    await assertStateBranchUnlocked({ gitdir: first.workspace.repo.gitdir, branch: first.settings.stateBranch });
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
    if (again.changes.length > 0 && !opts.allowDirty) throw refuseChanges(again, opts.cwd);
    current = again;
  }
  const planned = current;
  let plan = planned.plan;

  if (opts.planFile) plan = await loadSavedPlan(opts.planFile, planned);
  if (opts.expectPlan !== undefined && plan.hash !== opts.expectPlan) throw notReviewed(opts.expectPlan, plan);

  // The plan says whether there is anything to record: resource actions, or a new snapshot
  // without them (`writesSnapshot`: no snapshot yet, the last run failed, the goal moved).
  if (!hasChanges(plan)) return { planned, diagnostics, result: null, rollback: null, commits, journalBytes: 0 };
  if (opts.confirm && !(await opts.confirm(planned))) throw catalog.engine.notConfirmed.error("not confirmed");

  const ws = planned.workspace;
  const gitdir = ws.repo.gitdir;
  const name = journalName(planned.settings.stateBranch);
  const journal = await openJournal({ gitdir, name });
  // The first failed journal write (disk full, a file-size limit): from then on no change is
  // started (see `guarded`), the run finishes what is under way, and its snapshot is still
  // recorded; the apply then reports LXM4123. Never a rejection nobody awaits.
  let journalFailure: LexumError | null = null;
  let flushBug: { value: unknown } | null = null;
  // The snapshot's files are prepared while the run waits on providers; the commit assembles them.
  const prep = new SnapshotPrep(planned.prior.resources);
  // Each done event's record's sensitive digests (hmac only), journaled beside the event: the
  // trace's `after` leaves them out, and a recovered record without them would plan the
  // finished action again.
  const queue: { e: TraceEvent; sensitive?: RecordedResource["sensitive"] }[] = [];
  const sensitiveOf = new Map<string, RecordedResource["sensitive"]>();
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
        const durable = journalFailure
          ? []
          : batch
              .filter((q) => changesState(q.e))
              .map((q) => `{"event":${prep.traceLine(q.e).slice(0, -1)},"kind":"event"${q.sensitive ? `,"sensitive":${canonicalize(q.sensitive)}` : ""}}`);
        if (durable.length) {
          try {
            await journal.appendCanonical(...durable);
          } catch (e) {
            journalFailure = e instanceof LexumError ? e : journalWriteFailed.error(journal.path, String(e));
          }
        }
        for (const q of batch) opts.onEvent?.(q.e);
      }
    } catch (e) {
      flushBug ??= { value: e }; // a listener's bug: thrown once the run is over
    } finally {
      flushing = null;
    }
  };
  try {
    await journal.appendCanonical(
      beginLine(
        {
          parent: planned.head?.oid ?? null,
          plan,
          programHash: planned.programHash,
          source: sourceOf(planned),
          time: { seconds: ws.goal.time.seconds, tzOffsetMinutes: ws.goal.time.tzOffsetMinutes },
        },
        plan === planned.plan ? planned.planText : undefined,
      ),
    );
  } catch (e) {
    // Nothing was touched and nothing recorded: the error (LXM4123) is the whole outcome.
    await journal.close().catch(() => undefined);
    throw e;
  }

  // Queued only now: its text (a line per action) would otherwise hold up the begin
  // record's I/O callbacks; from here it fills the run's first waits on providers.
  prep.file("plan.json", plan);
  const lastQuiescent = await lastQuiescentSnapshot(gitdir, planned.settings.stateBranch, planned.head?.loaded ?? null);
  const pool = new ProviderPool(planned.program, planned.prior, { projectDir: ws.projectDir }, planned.secrets, planned.providers);
  let outcome;
  let closing: Promise<void> | undefined;
  try {
    outcome = await runWithRecovery({
      program: planned.program,
      plan,
      prior: planned.prior,
      providers: guarded(pool.get, () => journalFailure, opts.stopWhen ?? (() => null)),
      parallelism: opts.parallelism ?? planned.settings.parallelism,
      secret: planned.secrets.secret,
      digest: planned.secrets.digest,
      catalog: planned.providers.catalog,
      locate: spanLocator(planned.spans, planned.sources),
      sourceText: spanText(planned.spans, planned.sources),
      // Completed actions reach the journal in order; a crash loses at most the tail, which
      // the next run re-reads from reality (providers are idempotent). Progress is shown only
      // once the event is durable, so an action reported done before a kill is never missing
      // from the recovered snapshot. Events that arrive while a write is in flight go out
      // together in the next one (one fsync per batch, not per event).
      journal: (e) => {
        const sensitive = e.phase === "done" && e.address !== undefined ? sensitiveOf.get(e.address) : undefined;
        queue.push(sensitive ? { e, sensitive } : { e });
        flushing ??= flush();
        prep.event(e);
      },
      onRecord: (rec) => {
        prep.record(rec);
        if (Object.keys(rec.sensitive).length > 0) sensitiveOf.set(rec.address, rec.sensitive);
        else sensitiveOf.delete(rec.address);
      },
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
  if (flushBug) throw (flushBug as { value: unknown }).value;

  let parent: LoadedSnapshot | null = planned.head?.loaded ?? null;
  let parentOid = planned.head?.oid ?? null;
  const record = async (p: Plan, run: RunResult): Promise<void> => {
    const tree = buildStateTree({
      parent,
      status: run.status,
      source: sourceOf(planned),
      programHash: planned.programHash,
      plan: p,
      run,
    }, prep);
    const { oid } = await writeStateCommit({
      gitdir,
      branch: planned.settings.stateBranch,
      expectedParent: parentOid,
      files: tree.files,
      message: withTrailers(tree.message, opts.trailers ?? []),
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
  const failure = journalFailure as LexumError | null;
  if (failure) diagnostics.push({ code: failure.code, severity: "error", message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) });
  return { planned, diagnostics, result: outcome.first, rollback: outcome.rollback ?? null, commits, journalBytes: journal.bytesWritten };
}

/**
 * The snapshot's `source`: the goal commit and project path, and, for a working tree applied
 * with uncommitted inputs (`--allow-dirty`), `dirty`: those inputs' project-relative paths,
 * sorted. Untracked `.lxm` files are not inputs (not part of the project) and are not listed.
 */
function sourceOf(planned: Planned): SnapshotSource {
  const ws = planned.workspace;
  const dirty = planned.changes.filter((c) => c.input).map((c) => c.path);
  return dirty.length > 0 ? { commit: ws.goal.commit, path: ws.projectPath, dirty } : { commit: ws.goal.commit, path: ws.projectPath };
}

/** LXM4220: the working tree differs from the goal commit; each file named relative to the current directory. */
function refuseChanges(planned: Planned, cwd: string): Error {
  const ws = planned.workspace;
  const shown = (p: string): string => path.relative(cwd, path.join(ws.projectDir, ...p.split("/"))).split(path.sep).join("/");
  const goal = ws.goal.commit ? `HEAD (${ws.goal.commit.slice(0, 12)})` : "HEAD (no commit yet)";
  return catalog.engine.uncommittedChanges.error(goal, planned.changes.map((c) => describeChange(c, shown)));
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

/** LXM4250, saying what moved: the program (the goal's files) or the prior snapshot. */
function notReviewed(expected: string, plan: Plan): Error {
  return catalog.engine.notReviewedPlan.error(expected, plan.hash, `it is computed from program ${plan.program} and snapshot ${plan.prior ?? "none"}`);
}

/** Reads a plan saved by `lxm plan --out` and refuses it unless it is for this program and this state. */
async function loadSavedPlan(file: string, planned: Planned): Promise<Plan> {
  const saved = await readPlanFile(file);
  if (saved.program !== planned.programHash) throw catalog.engine.stalePlan.error(`it was made for program ${saved.program}, the goal is now ${planned.programHash}`);
  if (saved.prior !== planned.prior.snapshot) throw catalog.engine.stalePlan.error(`it was made against snapshot ${saved.prior ?? "none"}, the state branch is now at ${planned.prior.snapshot ?? "none"}`);
  return saved;
}

/** The events recovery needs from a killed run: finished actions that changed something, failures, domain outcomes. */
function changesState(e: TraceEvent): boolean {
  return (e.phase === "done" && e.action !== "noop") || e.phase === "failed" || e.phase === "domain";
}

/**
 * Provider instances whose changes (create, update, delete) are refused with the journal's
 * error once `stopped()` returns one: a change that could not be journaled is not started.
 * Reads go through, so what is under way is still read back and recorded. Every call, reads
 * included, is refused once `stopAll()` returns an error.
 */
function guarded(get: (domain: string, alias: string) => ProviderInstance, stopped: () => LexumError | null, stopAll: () => LexumError | null): (domain: string, alias: string) => ProviderInstance {
  const wrapped = new Map<ProviderInstance, ProviderInstance>();
  const checkRead = (): void => {
    const e = stopAll();
    if (e) throw e;
  };
  const check = (): void => {
    const e = stopped() ?? stopAll();
    if (e) throw e;
  };
  return (domain, alias) => {
    const inst = get(domain, alias);
    let w = wrapped.get(inst);
    if (!w) {
      w = {
        read: async (type, attrs, ctx) => (checkRead(), inst.read(type, attrs, ctx)),
        create: async (type, attrs, ctx) => (check(), inst.create(type, attrs, ctx)),
        update: async (type, prior, attrs, ctx) => (check(), inst.update(type, prior, attrs, ctx)),
        delete: async (type, attrs, ctx) => (check(), inst.delete(type, attrs, ctx)),
        close: () => inst.close(),
      };
      wrapped.set(inst, w);
    }
    return w;
  };
}

