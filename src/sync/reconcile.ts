import { LexumError } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { renderText } from "../diag/render.js";
import type { SourceSet } from "../diag/source.js";
import { applyProject } from "../engine/apply-project.js";
import type { ApplyOutcome } from "../engine/apply-project.js";
import { isPlanned, planProject } from "../engine/plan-project.js";
import type { NotPlanned, Planned } from "../engine/plan-project.js";
import { recordDrift, driftedAddresses } from "../engine/record-drift.js";
import { recordFailure } from "../engine/record-failure.js";
import { readStateHead } from "../engine/state-head.js";
import type { StateHead } from "../engine/state-head.js";
import { branchRef, firstParentCommits, listRemoteRefs, readCommitInfo, readRef } from "../git/index.js";
import type { Remote } from "../git/remote.js";
import { readJournal } from "../state/journal.js";
import { journalName } from "../engine/recover-journal.js";
import type { CommitTime } from "../state/store.js";
import { fetchGoal } from "./clone.js";
import type { Clone } from "./clone.js";
import type { SyncRepository } from "./config.js";
import { PushRefused, syncStateBranch } from "./state-sync.js";
import { pushStateBranch } from "../engine/remote-state.js";
import type { AgentEvent, FailureReason, ReconcileResult } from "./types.js";
import type { Fence } from "./fence.js";

/**
 * One watched entry's reconciliation: make the remote's state branch record the goal commit.
 * Each step is a function of the remote (the goal tip and the state tip from the poll) and
 * the local clone, so a restart after a kill at any point converges: completed snapshots
 * that were not pushed yet are pushed first, an apply the kill interrupted is recovered from
 * its journal by the engine, and a goal already recorded is never applied twice.
 */

/** One configured repository entry with what the agent made for it. */
export interface Target {
  /** The `repo` label: `<url without userinfo>#<branch>:<path>`. */
  readonly name: string;
  readonly entry: SyncRepository;
  readonly remote: Remote;
  readonly clone: Clone;
  readonly env: NodeJS.ProcessEnv;
  /** The repository's lease, when replicas share the work: nothing is done or pushed without it. */
  readonly lease?: LeaseGuard;
}

/** A replica's lease on one repository, for one reconcile or drift check. */
export interface LeaseGuard {
  readonly epoch: number;
  readonly replica: string;
  /** The lease's error once it is lost (by the replica's own clock: no I/O), else null; asked before every provider call. */
  lost(): LexumError | null;
  /** Pushes fenced by the epoch (and asks the server first). */
  readonly fence: Fence;
  /** The first apply under this lease reads the world back: the replica that held it before may have changed it unrecorded. */
  readonly refresh: boolean;
}

/** How a reconcile ended (what the agent records in status and metrics). */
export interface Reconciled {
  readonly result: ReconcileResult;
  readonly goal: string;
  /** The goal commit now in effect (recorded, or planned with nothing to do); null when none is. */
  readonly applied: string | null;
  /** Set for result "failed". */
  readonly reason?: FailureReason;
  readonly message?: string;
  /** The state branch's head after the reconcile. */
  readonly head: HeadInfo | null;
  /** Commits of the watched branch passed over for the newer goal, oldest first (at most 20). */
  readonly skipped?: readonly string[];
  /** Resources out of step with the goal (drift checks only). */
  readonly drift?: number;
}

export interface HeadInfo {
  readonly oid: string;
  readonly hash: string;
  readonly status: string;
  readonly goal: string | null;
  readonly kind: "run" | "failure" | "drift";
}

export interface ReconcileHooks {
  emit(e: AgentEvent): void;
  log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>): void;
}

/** How many times one goal's state push that lost a race is re-read and re-planned. */
const PUSH_ATTEMPTS = 3;
/** How many polls in a row may fail to fetch one goal commit before it is recorded as fetch-failed. */
export const FETCH_ATTEMPTS = 3;

export { PushRefused };

/**
 * Brings the state branch to the goal commit `goal` (the watched branch's tip), given the
 * remote's state tip as last seen. Throws on transport and local failures (the caller backs
 * off and retries; nothing was recorded); a goal that cannot be fetched `fetchFailures` times
 * in a row, does not compile, or fails to apply is recorded once as a failed snapshot.
 */
export async function reconcileGoal(t: Target, goal: string, remoteStateTip: string | null, hooks: ReconcileHooks, fetchFailures = 0): Promise<Reconciled> {
  const branch = t.entry.stateBranch;
  let expect = await syncState(t, remoteStateTip, hooks);
  // An apply a kill cut short: recorded first, at the goal it ran for (its journal says which),
  // so that nothing it did is lost and nothing recorded later hides it.
  const cut = await interruptedGoal(t);
  if (cut !== null && cut !== goal) {
    hooks.log("warn", "apply.recovering", { repo: t.name, goal: cut, why: "an apply of it was cut short" });
    await fetchGoal(t.clone, t.remote, t.entry.branch, cut);
    const outcome = await applyProject({ dir: t.clone.projectDir, rev: cut, cwd: t.clone.workdir, env: t.env, stateBranch: branch,
        ...(t.entry.environment !== null ? { environment: t.entry.environment } : {}), refresh: true, trailers: trailers(t), ...leaseOptions(t) });
    if (!("commits" in outcome)) throw new Error(`the interrupted apply of ${cut} could not be recovered: ${diagnosticsText(outcome.diagnostics, outcome.sources)}`);
    const pushed = await push(t, expect, hooks);
    if (pushed !== "ok") throw new Error(`the state branch ${branch} moved while recording the recovered apply of ${cut}`);
    expect = await readRef({ gitdir: t.clone.gitdir, ref: branchRef(branch) });
  }
  let head = await readStateHead({ gitdir: t.clone.gitdir, branch });
  if (recorded(head, goal, projectPathOf(t.entry)) && cut === null) {
    return { result: "unchanged", goal, applied: goal, head: headInfo(head) };
  }

  try {
    if (await fetchGoal(t.clone, t.remote, t.entry.branch, goal)) hooks.emit({ type: "git-request", repo: t.name, request: "fetch", ok: true });
  } catch (e) {
    hooks.emit({ type: "git-request", repo: t.name, request: "fetch", ok: false });
    if (fetchFailures + 1 < FETCH_ATTEMPTS || transient(e)) throw e;
    const time = head ? (await readCommitInfo({ gitdir: t.clone.gitdir, oid: head.oid })).time : { seconds: 0, tzOffsetMinutes: 0 };
    return recordAndPush(t, goal, time, "fetch-failed", messageOf(e), expect, hooks);
  }
  // Commits the branch gained since the recorded goal, other than the new tip: passed over.
  const since = head?.loaded.snapshot.source.commit ? await firstParentCommits(t.clone.gitdir, head.loaded.snapshot.source.commit, goal, 21) : [];
  const skipped = since.slice(1).reverse();
  if (skipped.length) hooks.log("info", "goal.skipped", { repo: t.name, goal, skipped });

  for (let attempt = 1; ; attempt++) {
    let outcome: ApplyOutcome | NotPlanned;
    try {
      outcome = await applyProject({
        dir: t.clone.projectDir,
        rev: goal,
        cwd: t.clone.workdir,
        env: t.env,
        stateBranch: branch,
        ...(t.entry.environment !== null ? { environment: t.entry.environment } : {}),
        // After a lost race the world may hold what this agent did: read it back.
        refresh: attempt > 1 || t.lease?.refresh === true,
        trailers: trailers(t),
        ...leaseOptions(t),
      });
    } catch (e) {
      if (!(e instanceof LexumError) || !goalProblem(e)) throw e;
      const time = (await readCommitInfo({ gitdir: t.clone.gitdir, oid: goal })).time;
      return recordAndPush(t, goal, time, "compile-failed", e.message, expect, hooks);
    }
    if (!("commits" in outcome)) {
      const time = (await readCommitInfo({ gitdir: t.clone.gitdir, oid: goal })).time;
      return recordAndPush(t, goal, time, "compile-failed", diagnosticsText(outcome.diagnostics, outcome.sources), expect, hooks);
    }
    const pushed = await push(t, expect, hooks);
    if (pushed === "ok") {
      head = await readStateHead({ gitdir: t.clone.gitdir, branch });
      const failed = outcome.result !== null && outcome.result.status !== "quiescent";
      if (failed) {
        const f = outcome.result?.failure;
        const message = f ? `${f.domain}${f.address ? ` ${f.address}` : ""}: ${f.message}` : `the run ended ${outcome.result?.status}`;
        return { result: "failed", goal, applied: null, reason: "apply-failed", message, head: headInfo(head), skipped };
      }
      return { result: outcome.commits.length ? "applied" : "unchanged", goal, applied: goal, head: headInfo(head), skipped };
    }
    // Another writer recorded first. What this run did to the world is real; if that writer
    // recorded this goal, there is nothing left to do; else record again on top of it.
    if (attempt >= PUSH_ATTEMPTS) throw new Error(`the state branch ${branch} kept moving during ${PUSH_ATTEMPTS} pushes`);
    expect = await syncState(t, pushed.tip, hooks);
    head = await readStateHead({ gitdir: t.clone.gitdir, branch });
    if (recorded(head, goal, projectPathOf(t.entry))) return { result: "unchanged", goal, applied: goal, head: headInfo(head) };
    // The branch moved on: recording this goal again would put an older goal over a newer
    // one. The next poll takes the newest.
    if (pushed.goal !== goal) return { result: "conflict", goal, applied: null, head: headInfo(head), skipped };
  }
}

/**
 * Every drift interval: refresh and plan the goal that is in effect. `report` records a drift
 * snapshot when reality differs from the record; `correct` applies the goal back. Nothing is
 * written when reality matches.
 */
export async function checkDrift(t: Target, goal: string, remoteStateTip: string | null, hooks: ReconcileHooks): Promise<Reconciled> {
  const branch = t.entry.stateBranch;
  const expect = await syncState(t, remoteStateTip, hooks);
  const head = await readStateHead({ gitdir: t.clone.gitdir, branch });
  const base = { goal, applied: goal, head: headInfo(head) };
  leaseOptions(t);
  const planned = await planProject({ dir: t.clone.projectDir, rev: goal, cwd: t.clone.workdir, env: t.env, stateBranch: branch, ...(t.entry.environment !== null ? { environment: t.entry.environment } : {}), refresh: true });
  if (!isPlanned(planned)) throw new Error(`the goal ${goal} no longer plans: ${diagnosticsText(planned.diagnostics, planned.sources)}`);
  const drift = resourceChanges(planned);
  hooks.emit({ type: "drift", repo: t.name, resources: drift });
  if (t.entry.drift === "report") {
    if (driftedAddresses(planned).length === 0) return { ...base, result: "unchanged", drift };
    const made = await recordDrift(planned, { trailers: trailers(t) });
    if (made === null) return { ...base, result: "unchanged", drift };
    hooks.log("warn", "drift.reported", { repo: t.name, goal, drifted: made.drifted, snapshot: made.recorded.hash });
    const pushed = await push(t, expect, hooks);
    if (pushed !== "ok") return { ...base, result: "conflict", drift };
    return { ...base, result: "drift-reported", drift, head: headInfo(await readStateHead({ gitdir: t.clone.gitdir, branch })) };
  }
  if (drift === 0) return { ...base, result: "unchanged", drift };
  const outcome = await applyProject({ dir: t.clone.projectDir, rev: goal, cwd: t.clone.workdir, env: t.env, stateBranch: branch, ...(t.entry.environment !== null ? { environment: t.entry.environment } : {}), refresh: true, trailers: trailers(t), ...leaseOptions(t) });
  if (!("commits" in outcome)) throw new Error(`the goal ${goal} no longer plans: ${diagnosticsText(outcome.diagnostics, outcome.sources)}`);
  hooks.log("warn", "drift.corrected", { repo: t.name, goal, resources: drift });
  const pushed = await push(t, expect, hooks);
  if (pushed !== "ok") return { ...base, result: "conflict", drift };
  const after = headInfo(await readStateHead({ gitdir: t.clone.gitdir, branch }));
  const failed = outcome.result !== null && outcome.result.status !== "quiescent";
  return { ...base, result: failed ? "failed" : "drift-corrected", drift: failed ? drift : 0, head: after, ...(failed ? { reason: "apply-failed" as const } : {}) };
}

/** The local state branch made the remote's (pushing snapshots a kill left unpushed); returns the remote tip a push must expect. */
async function syncState(t: Target, remoteTip: string | null, hooks: ReconcileHooks): Promise<string | null> {
  const r = await syncStateBranch(t.clone.gitdir, t.remote, t.entry.stateBranch, remoteTip, t.lease?.fence);
  if (r.dropped) hooks.log("warn", "state.dropped", { repo: t.name, commit: r.dropped, why: "recorded under an older lease: the world is read back instead" });
  if (r.pushed) {
    hooks.emit({ type: "git-request", repo: t.name, request: "push", ok: true });
    hooks.log("info", "state.pushed", { repo: t.name, tip: r.tip, why: "snapshots recorded before a restart were not pushed yet" });
  }
  return r.tip;
}

/** Pushes the local state branch (compare-and-swap against `expect`): ok, or the tip it lost to. */
async function push(t: Target, expect: string | null, hooks: ReconcileHooks): Promise<"ok" | { tip: string | null; goal: string | null }> {
  const r = t.lease ? await fencedPush(t, t.lease.fence, expect) : await pushStateBranch(t.clone.gitdir, t.remote, t.entry.stateBranch, expect);
  hooks.emit({ type: "git-request", repo: t.name, request: "push", ok: r.ok });
  if (r.ok) return "ok";
  if (r.reason === "refused") throw new PushRefused(t.entry.stateBranch, r.detail);
  hooks.emit({ type: "push-conflict", repo: t.name });
  hooks.log("warn", "state.conflict", { repo: t.name, detail: r.detail });
  const ref = branchRef(t.entry.stateBranch);
  const watched = branchRef(t.entry.branch);
  const tips = await listRemoteRefs(t.remote, [ref, watched], { gitdir: t.clone.gitdir });
  hooks.emit({ type: "git-request", repo: t.name, request: "ls-refs", ok: true });
  return { tip: tips.get(ref) ?? null, goal: tips.get(watched) ?? null };
}

async function fencedPush(t: Target, fence: Fence, expect: string | null): ReturnType<typeof pushStateBranch> {
  const oid = await readRef({ gitdir: t.clone.gitdir, ref: branchRef(t.entry.stateBranch) });
  if (oid === null || oid === expect) return { ok: true, oid: oid ?? "" };
  const r = await fence.push(oid, expect);
  return r.ok ? { ok: true, oid } : { ok: false, reason: r.reason, detail: r.detail };
}

/** The engine's options that keep a replica inside its lease: stop before a provider call once it is lost. */
function leaseOptions(t: Target): { stopWhen?: () => LexumError | null } {
  const lease = t.lease;
  if (!lease) return {};
  const e = lease.lost();
  if (e) throw e;
  return { stopWhen: () => lease.lost() };
}

async function recordAndPush(t: Target, goal: string, time: CommitTime, reason: "fetch-failed" | "compile-failed", message: string, expect: string | null, hooks: ReconcileHooks): Promise<Reconciled> {
  const rec = await recordFailure({ gitdir: t.clone.gitdir, branch: t.entry.stateBranch, goal: { commit: goal, time }, path: projectPathOf(t.entry), reason, message, trailers: trailers(t) });
  hooks.log("error", "goal.failed", { repo: t.name, goal, reason, snapshot: rec.hash, message });
  const pushed = await push(t, expect, hooks);
  if (pushed !== "ok") throw new Error(`the state branch ${t.entry.stateBranch} moved while recording the ${reason} of ${goal}`);
  const head = await readStateHead({ gitdir: t.clone.gitdir, branch: t.entry.stateBranch });
  return { result: "failed", goal, applied: null, reason, message, head: headInfo(head) };
}

/** The trailers of every state commit the agent writes: who wrote it, from which branch. */
function trailers(t: Target): { key: string; value: string }[] {
  return [
    { key: "Lexum-Agent", value: "lxm-sync" },
    { key: "Lexum-Goal-Ref", value: `refs/heads/${t.entry.branch}` },
    ...(t.lease ? [{ key: "Lexum-Epoch", value: String(t.lease.epoch) }, { key: "Lexum-Replica", value: t.lease.replica }] : []),
  ];
}

/** True when the head snapshot records `goal` for this project (applied, failed or drift): nothing to apply. */
function recorded(head: StateHead | null, goal: string, path: string): boolean {
  const s = head?.loaded.snapshot.source;
  return s !== undefined && s.commit === goal && s.path === path;
}

/**
 * The goal commit of an apply a kill cut short (its journal's first record names it), or null
 * when there is none. The engine recovers the journal at the next apply on this state branch.
 */
async function interruptedGoal(t: Target): Promise<string | null> {
  const j = await readJournal({ gitdir: t.clone.gitdir, name: journalName(t.entry.stateBranch) });
  if (j === null) return null;
  const begin = j.records[0] as { source?: { commit?: unknown } } | undefined;
  const commit = begin?.source?.commit;
  return typeof commit === "string" ? commit : null;
}

export function headInfo(head: StateHead | null): HeadInfo | null {
  if (head === null) return null;
  const s = head.loaded.snapshot as typeof head.loaded.snapshot & { kind?: "failure" | "drift" };
  return { oid: head.oid, hash: head.loaded.hash, status: s.status, goal: s.source.commit, kind: s.kind ?? "run" };
}

/** Resource actions of a plan that change something (the drift a refreshed plan shows). */
function resourceChanges(planned: Planned): number {
  const s = planned.plan.summary;
  return s.create + s.update + s.replace + s.delete;
}

/**
 * Errors that belong to the goal commit (its files, its lexum.yaml, the secrets and provider
 * settings it asks for): recorded as compile-failed, never retried for this commit. Anything
 * else (git, the state branch, the disk) is the agent's trouble: retried with backoff.
 */
function goalProblem(e: LexumError): boolean {
  const n = Number(e.code.replace(/^LXM/, ""));
  if (n < 4000) return true; // the language: syntax, names, types
  return ["LXM4108", "LXM4201", "LXM4202", "LXM4203", "LXM4207", "LXM4900", "LXM4901", "LXM5002", "LXM5003", "LXM5004", "LXM5010", "LXM5011"].includes(e.code);
}

/** Transport failures worth another poll rather than a failed snapshot (unreachable, timed out, HTTP 5xx/429, auth). */
function transient(e: unknown): boolean {
  return e instanceof LexumError && ["LXM4131", "LXM4132", "LXM4134", "LXM4136"].includes(e.code);
}

/** The project folder as snapshots name it: posix, "" for the repository's top. */
export function projectPathOf(entry: SyncRepository): string {
  return entry.path === "." ? "" : entry.path;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Diagnostics as `lxm check` prints them, without colour. */
export function diagnosticsText(ds: readonly Diagnostic[], sources: SourceSet): string {
  return renderText(ds, sources, { color: false }).trimEnd();
}
