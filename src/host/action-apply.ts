import { catalog } from "../diag/index.js";
import { applyProject } from "../engine/apply-project.js";
import type { ApplyOutcome } from "../engine/apply-project.js";
import { isPlanned } from "../engine/plan-project.js";
import type { NotPlanned, Planned } from "../engine/plan-project.js";
import { pushStateBranch } from "../engine/remote-state.js";
import { hasChanges } from "../plan/plan.js";
import { summaryLine } from "../plan/summary.js";
import { ensureCommit, putComment, planAt, planOptions, pinOf, planOutputs, reportDiagnostics, reviewedPin, stateSync, summarizePlan, whyNotReviewed } from "./action-plan.js";
import type { ActionRun } from "./action-run.js";
import { appliedCommentKey, planCommentKey, renderAppliedComment, renderApplyFailedComment, renderRefusedComment } from "./comment.js";
import type { Pin } from "./comment.js";
import { acquireRemoteLock } from "./remote-lock.js";
import type { HeldLock } from "./remote-lock.js";
import { appendSummary, command } from "./runner.js";
import type { PullRequestRef } from "./types.js";

/** How many times a state push that lost a race is re-planned and recorded again. */
const PUSH_ATTEMPTS = 3;

/**
 * `push` to the default branch (a merge): find the pull request of the pushed commit, plan
 * the commit against the remote state branch, and apply only when the plan is the one
 * reviewed on that pull request; then push the state branch (compare-and-swap), and only
 * then comment. A rerun of a job that already recorded this commit does nothing.
 */
export async function applyMerge(run: ActionRun): Promise<number> {
  const sha = run.ctx.sha;
  const pull = await pullOf(run, sha);
  let reviewed: Pin | null = null;
  if (run.inputs.requireReviewedPlan && pull !== null) reviewed = await reviewedPin(run, pull);
  await ensureCommit(run, sha);

  let lock: HeldLock | null = null;
  const takeLock = async (branch: string): Promise<void> => {
    if (lock) return;
    lock = await acquireRemoteLock({
      gitdir: run.repo.gitdir,
      remote: run.remote,
      branch,
      owner: { repository: run.ctx.repository, runId: run.ctx.runId ?? 0, attempt: run.ctx.runAttempt },
      now: () => Date.now() / 1000, // wall clock: only ages a lock, never enters the state
      waitSeconds: lockWaitSeconds(run.env),
      pollSeconds: 5,
      runStatus: (id) => run.host.runStatus(id),
      onWait: (h) => run.out(`Lexum: waiting for run ${h.runId} of ${h.repository} to finish its apply`),
    });
  };
  try {
    const first = await planAt(run, sha, takeLock);
    if (!isPlanned(first)) {
      await reportDiagnostics(run, first);
      return 1;
    }
    await planOutputs(run, first);
    const head = first.head;
    const last = head?.loaded.snapshot;
    // A run's record only: a failure or drift record at this commit is not this commit applied.
    if (head && last && last.kind === undefined && last.source.commit === sha && !hasChanges(first.plan)) {
      // This commit was applied and recorded already (a rerun of the job): say so, change nothing.
      run.out(`Lexum: commit ${sha} is already applied (snapshot ${head.loaded.hash}); nothing to do.`);
      await run.output("snapshot", head.loaded.hash);
      if (pull) await commentApplied(run, pull, last.plan, head.loaded.hash, head.oid, last.status);
      return last.status === "quiescent" ? 0 : 1;
    }
    if (!hasChanges(first.plan)) {
      // Nothing to apply and nothing to record, whatever was reviewed (a merge that touched
      // no .lxm file after another was applied): not a refusal.
      await summarizePlan(run, first, sha, "Lexum apply: nothing to do");
      run.out(`Lexum: ${summaryLine(first.plan)}`);
      return 0;
    }
    if (run.inputs.requireReviewedPlan && pull === null) {
      // A direct push: nobody reviewed a plan, and this one would change the world.
      throw catalog.action.noPullForCommit.error(sha);
    }
    if (run.inputs.requireReviewedPlan && pull) {
      const now = pinOf(first);
      const why = reviewed === null ? catalog.action.notReviewed.error(pull.number, pull.headSha).message : whyNotReviewed(reviewed, now);
      if (why !== null) return refuse(run, pull, first, why);
    }
    await summarizePlan(run, first, sha, "Lexum apply");
    const trailers = pull ? [{ key: "Lexum-Pull-Request", value: `${run.ctx.repository}#${pull.number}` }] : [];
    let outcome = await applyOnce(run, sha, reviewed?.plan, trailers, false);
    if (!("commits" in outcome)) {
      await reportDiagnostics(run, outcome);
      return 1;
    }
    // The state is pushed before any comment: a failed comment never loses an apply.
    for (let attempt = 1; ; attempt++) {
      const pushed = await pushStateBranch(run.repo.gitdir, run.remote, outcome.planned.settings.stateBranch, outcome.planned.head?.oid ?? null);
      if (pushed.ok) break;
      if (pushed.reason === "refused" || attempt >= PUSH_ATTEMPTS) throw catalog.action.statePushFailed.error(outcome.planned.settings.stateBranch, pushed.detail, outcome.commits.map((c) => c.oid));
      // Another run recorded first, though the lock should have kept it out: what this run did
      // to the world is real, so record it on top of the new tip (reality read back, the same
      // goal), never drop it and never force.
      run.out(command("warning", { title: "Lexum" }, `the state branch moved during the apply; recording this run on top of it (attempt ${attempt + 1})`));
      const again = await applyOnce(run, sha, undefined, trailers, true);
      if (!("commits" in again)) {
        await reportDiagnostics(run, again);
        return 1;
      }
      outcome = again;
    }
    return await reportApplied(run, pull, outcome);
  } finally {
    const held = lock as HeldLock | null;
    if (held) await held.release().catch((e: unknown) => run.out(command("warning", { title: "Lexum" }, `could not release the apply lock ${held.ref}: ${e instanceof Error ? e.message : String(e)}`)));
  }
}

async function applyOnce(run: ActionRun, sha: string, expectPlan: string | undefined, trailers: { key: string; value: string }[], refresh: boolean): Promise<ApplyOutcome | NotPlanned> {
  return applyProject({
    ...planOptions(run, sha),
    beforeStateRead: stateSync(run),
    refresh,
    ...(expectPlan !== undefined ? { expectPlan } : {}),
    ...(run.inputs.parallelism !== null ? { parallelism: run.inputs.parallelism } : {}),
    trailers,
    onEvent: (e) => {
      if (e.phase === "failed") run.out(command("error", { title: "Lexum" }, `${e.address ?? e.domain}: ${e.message ?? "failed"}`));
    },
  });
}

/** Outputs, the job summary and the applied (or failed) comment, after the state was pushed. */
async function reportApplied(run: ActionRun, pull: PullRequestRef | null, outcome: ApplyOutcome): Promise<number> {
  const last = outcome.commits[outcome.commits.length - 1];
  const status = outcome.rollback?.result.status ?? outcome.result?.status ?? "quiescent";
  const failed = outcome.result !== null && outcome.result.status !== "quiescent";
  if (last) await run.output("snapshot", last.hash);
  const line = last ? `Applied plan ${outcome.planned.plan.hash} → snapshot ${last.hash} (commit ${last.oid})` : summaryLine(outcome.planned.plan);
  await appendSummary(run.env, failed ? `**Apply failed** (${status}); snapshot \`${last?.hash ?? "none"}\` recorded.\n` : `**${line}**\n`);
  run.out(`Lexum: ${failed ? `apply failed (${status})` : line}`);
  for (const d of outcome.diagnostics) if (d.severity === "error") run.out(command("error", { title: d.code }, d.message));
  if (pull && last && run.inputs.comment !== "never") {
    if (failed && outcome.result) {
      await upsert(run, pull, renderApplyFailedComment({ path: run.projectPath, env: run.inputs.environment, commit: run.ctx.sha, plan: outcome.planned.plan, result: outcome.result, snapshot: last.hash, stateCommit: last.oid, runUrl: run.runUrl }));
    } else {
      await commentApplied(run, pull, outcome.planned.plan.hash, last.hash, last.oid, status);
    }
  }
  return failed || outcome.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
}

async function commentApplied(run: ActionRun, pull: PullRequestRef, plan: string, snapshot: string, oid: string, status: string): Promise<void> {
  if (run.inputs.comment === "never") return;
  await upsert(run, pull, renderAppliedComment({ path: run.projectPath, env: run.inputs.environment, commit: run.ctx.sha, plan, snapshot, stateCommit: oid, status, runUrl: run.runUrl }));
}

async function upsert(run: ActionRun, pull: PullRequestRef, body: string): Promise<void> {
  await putComment(run, pull.number, appliedCommentKey(run.projectPath, run.ctx.sha, run.inputs.environment), body, "applied");
}

/** Not the reviewed plan: nothing applied; the new plan goes on the pull request with the reason; the step fails. */
async function refuse(run: ActionRun, pull: PullRequestRef, planned: Planned, why: string): Promise<number> {
  const message = catalog.action.planNotReviewed.error(pull.number, why).message;
  run.out(command("error", { title: catalog.action.planNotReviewed.code }, message));
  await summarizePlan(run, planned, run.ctx.sha, "Lexum apply refused: the new plan");
  if (run.inputs.comment !== "never") {
    const body = renderRefusedComment({ plan: planned.plan, pin: pinOf(planned), path: run.projectPath, env: run.inputs.environment, headSha: run.ctx.sha, runUrl: run.runUrl, reason: why });
    await putComment(run, pull.number, planCommentKey(run.projectPath, run.inputs.environment), body, "refused plan");
  }
  return 1;
}

/** The merged pull request the pushed commit came from (null when none). */
async function pullOf(run: ActionRun, sha: string): Promise<PullRequestRef | null> {
  const pulls = await run.host.pullsForCommit(sha);
  return pulls.find((p) => p.mergeCommitSha === sha) ?? pulls.find((p) => p.merged) ?? null;
}

function lockWaitSeconds(env: NodeJS.ProcessEnv): number {
  const v = Number(env.LXM_LOCK_WAIT_SECONDS);
  return Number.isFinite(v) && v >= 0 && env.LXM_LOCK_WAIT_SECONDS !== "" && env.LXM_LOCK_WAIT_SECONDS !== undefined ? v : 15 * 60;
}
