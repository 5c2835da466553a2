import type { Diagnostic } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { readCommitInfo } from "../git/index.js";
import { fetchRefs } from "../git/remote.js";
import { isPlanned, planProject } from "../engine/plan-project.js";
import type { NotPlanned, Planned } from "../engine/plan-project.js";
import { pullStateBranch } from "../engine/remote-state.js";
import { hasChanges } from "../plan/plan.js";
import { renderPlanMarkdown } from "../plan/render/markdown.js";
import { summaryLine } from "../plan/summary.js";
import type { ActionRun } from "./action-run.js";
import { hostFailureKind } from "./host-error.js";
import { parseExternalId, pinExternalId, planCommentKey, renderErrorsComment, renderPlanComment, sameComment } from "./comment.js";
import type { Pin } from "./comment.js";
import { annotations, appendSummary, command } from "./runner.js";
import type { PullRequestRef } from "./types.js";

/** Makes sure commit `sha` is in the workspace (actions/checkout leaves one commit, often the PR's merge ref). */
export async function ensureCommit(run: ActionRun, sha: string): Promise<void> {
  try {
    await readCommitInfo({ gitdir: run.repo.gitdir, oid: sha });
  } catch {
    await fetchRefs(run.repo.gitdir, run.remote, [{ src: sha }], { depth: 1 });
  }
}

/**
 * Plans the project exactly as committed at `sha` against the remote state branch's tip
 * (fetched into the local branch first). `onBranch` runs first, once the branch is known
 * (the apply takes its lock there).
 */
export async function planAt(run: ActionRun, sha: string, onBranch?: (branch: string) => Promise<void>): Promise<Planned | NotPlanned> {
  await ensureCommit(run, sha);
  return planProject({ ...planOptions(run, sha), beforeStateRead: stateSync(run, onBranch) });
}

/** The options every plan and apply of this run share. */
export function planOptions(run: ActionRun, sha: string) {
  return {
    dir: run.dir,
    rev: sha,
    cwd: run.repo.workdir,
    env: run.env,
    ...(run.inputs.stateBranch !== null ? { stateBranch: run.inputs.stateBranch } : {}),
    ...(run.inputs.environment !== null ? { environment: run.inputs.environment } : {}),
  };
}

/** The hook that fetches the remote's state branch before each plan reads it. */
export function stateSync(run: ActionRun, onBranch?: (branch: string) => Promise<void>) {
  return async ({ gitdir, branch }: { gitdir: string; branch: string }): Promise<void> => {
    await onBranch?.(branch);
    await pullStateBranch(gitdir, run.remote, branch);
  };
}

/** The pin of a plan: what a reviewer saw, by hash. */
export function pinOf(planned: Planned): Pin {
  return { plan: planned.plan.hash, program: planned.programHash, prior: planned.prior.snapshot };
}

/** Why a recomputed plan is not the reviewed one, in words (null when it is). */
export function whyNotReviewed(reviewed: Pin, now: Pin): string | null {
  if (reviewed.plan === now.plan) return null;
  if (reviewed.program !== now.program) {
    return `main moved: the merged files compile to program ${now.program}, the reviewed plan was for ${reviewed.program}`;
  }
  if (reviewed.prior !== now.prior) {
    return `the state moved: the plan was reviewed against snapshot ${reviewed.prior ?? "none"}, the state branch is now at ${now.prior ?? "none"}`;
  }
  return `the files differ: the plan computed now (${now.plan}) is not the reviewed one (${reviewed.plan})`;
}

/** The plan pinned on the pull request's head commit by the newest `lexum plan` check run (null when there is none). */
export async function reviewedPin(run: ActionRun, pull: PullRequestRef): Promise<Pin | null> {
  for (const check of await run.host.listCheckRuns(pull.headSha, run.checkName)) {
    if (check.conclusion !== "success" || check.externalId === null) continue;
    const pin = parseExternalId(check.externalId);
    if (pin) return pin;
  }
  return null;
}

/** Sets the plan's outputs. */
export async function planOutputs(run: ActionRun, planned: Planned): Promise<void> {
  await run.output("plan-hash", planned.plan.hash);
  await run.output("has-changes", String(hasChanges(planned.plan)));
  await run.output("summary", summaryLine(planned.plan));
  await run.output("snapshot", planned.prior.snapshot ?? "");
}

/** The full plan in the job summary (the comment may be shortened; this never is, up to the 1 MiB the runner keeps). */
export async function summarizePlan(run: ActionRun, planned: Planned, sha: string, heading = "Lexum plan"): Promise<void> {
  const lines = [
    `### ${heading}${run.projectPath === "." ? "" : ` (${run.projectPath})`}`,
    "",
    `Plan \`${planned.plan.hash}\` for commit \`${sha}\`: program \`${planned.programHash}\`, against ${planned.prior.snapshot ? `snapshot \`${planned.prior.snapshot}\`` : "no snapshot yet"}.`,
    "",
    renderPlanMarkdown(planned.plan),
    "",
  ];
  await appendSummary(run.env, lines.join("\n"));
}

/** Compile errors: annotations on the right lines (10 at most reach the UI), all of them in the job summary. */
export async function reportDiagnostics(run: ActionRun, failed: NotPlanned): Promise<void> {
  const repoPath = (file: string) => (run.projectPath === "." ? file : `${run.projectPath}/${file}`);
  const { lines, rest } = annotations(failed.diagnostics, repoPath, failed.sources);
  for (const l of lines) run.out(l);
  const md = renderErrorsComment({ path: run.projectPath, diagnostics: failed.diagnostics, sources: failed.sources, toRepoPath: repoPath, runUrl: run.runUrl, omittedAnnotations: rest.length });
  await appendSummary(run.env, md);
}

/**
 * Writes to the host; a pull request from a fork gets a read-only token: then the plan is in
 * the job summary only, and the summary says why there is no comment (exit 0). Missing
 * `permissions:` elsewhere are an error.
 */
export async function hostWrites(run: ActionRun, fork: boolean, write: () => Promise<void>): Promise<number> {
  try {
    await write();
    return 0;
  } catch (e) {
    const kind = hostFailureKind(e);
    if (fork && (kind === "read-only" || kind === "permissions")) {
      const note = catalog.action.forkReadOnly.error().message;
      run.out(command("notice", { title: "Lexum" }, note));
      await appendSummary(run.env, `> ${note}\n`);
      return 0;
    }
    throw e;
  }
}

/** True when the pull request's head lives in another repository (a fork: its token is read-only). */
export function isFork(run: ActionRun, pull: { head?: { repo?: { full_name?: string } | null } }): boolean {
  const head = pull.head?.repo?.full_name;
  return head === undefined || head !== run.ctx.repository;
}

/**
 * Makes the token's comment `key` on pull request `pr` read `body`, writing nothing when it
 * already says the same (a re-run links another workflow run, nothing else differs).
 * `create: false` only corrects an existing comment.
 */
export async function putComment(run: ActionRun, pr: number, key: string, body: string, what: string, create = true): Promise<void> {
  if (!create && (await run.host.findComment(pr, key)) === null) return;
  const r = await run.host.upsertComment(pr, key, body, (existing) => sameComment(existing, body));
  run.out(`Lexum: ${what} comment ${r.action} (${r.url})`);
}

/** Upserts the plan comment as the `comment` input says. */
export async function writePlanComment(run: ActionRun, pr: number, body: string, changed: boolean): Promise<void> {
  if (run.inputs.comment === "never") return;
  // on-change: a plan without changes writes no new comment, but an earlier plan's comment is
  // corrected (it would show changes that are no longer planned).
  await putComment(run, pr, planCommentKey(run.projectPath, run.inputs.environment), body, "plan", run.inputs.comment === "always" || changed);
}

/** `pull_request`: plan the head commit, pin it in a check run, upsert the comment. */
export async function planPullRequest(run: ActionRun): Promise<number> {
  const ev = run.ctx.event as { pull_request: { number: number; head: { sha: string; repo?: { full_name?: string } | null } } };
  const pr = ev.pull_request.number;
  const sha = ev.pull_request.head.sha;
  const fork = isFork(run, ev.pull_request);
  const planned = await planAt(run, sha);
  if (!isPlanned(planned)) {
    await reportDiagnostics(run, planned);
    await hostWrites(run, fork, async () => {
      await run.host.createCheckRun({
        name: run.checkName,
        headSha: sha,
        externalId: "lexum/v1 failed",
        conclusion: "failure",
        title: catalog.action.compileFailed.error(planned.diagnostics.filter(isError).length).message,
        summary: renderErrorsComment({ path: run.projectPath, diagnostics: planned.diagnostics, sources: planned.sources, toRepoPath: (f: string) => f, runUrl: run.runUrl, omittedAnnotations: 0 }),
      });
      if (run.inputs.comment !== "never") {
        const body = renderErrorsComment({ path: run.projectPath, diagnostics: planned.diagnostics, sources: planned.sources, toRepoPath: (f: string) => (run.projectPath === "." ? f : `${run.projectPath}/${f}`), runUrl: run.runUrl, omittedAnnotations: 0, key: planCommentKey(run.projectPath, run.inputs.environment) });
        await putComment(run, pr, planCommentKey(run.projectPath, run.inputs.environment), body, "errors");
      }
    });
    return 1;
  }
  await summarizePlan(run, planned, sha);
  await planOutputs(run, planned);
  const pin = pinOf(planned);
  const body = renderPlanComment({ plan: planned.plan, pin, path: run.projectPath, env: run.inputs.environment, headSha: sha, runUrl: run.runUrl });
  return hostWrites(run, fork, async () => {
    // The pin first: the comment can be edited by people, a check run only by its app.
    await run.host.createCheckRun({
      name: run.checkName,
      headSha: sha,
      externalId: pinExternalId(pin),
      conclusion: "success",
      title: summaryLine(planned.plan),
      summary: `Plan \`${pin.plan}\` from program \`${pin.program}\` against ${pin.prior ? `snapshot \`${pin.prior}\`` : "no snapshot yet"}.`,
    });
    await writePlanComment(run, pr, body, hasChanges(planned.plan));
  });
}

/** `merge_group`: the queue's head must plan to exactly the plan reviewed on its pull request. */
export async function checkMergeGroup(run: ActionRun): Promise<number> {
  const ev = run.ctx.event as { merge_group: { head_sha: string; head_ref: string } };
  const sha = ev.merge_group.head_sha;
  const m = /\/pr-(\d+)-[0-9a-f]+$/.exec(ev.merge_group.head_ref);
  if (!m) throw catalog.action.mergeGroupRef.error(ev.merge_group.head_ref);
  const pull = await run.host.getPull(Number(m[1]));
  const planned = await planAt(run, sha);
  if (!isPlanned(planned)) {
    await reportDiagnostics(run, planned);
    await run.host.createCheckRun({ name: run.checkName, headSha: sha, externalId: "lexum/v1 failed", conclusion: "failure", title: catalog.action.compileFailed.error(planned.diagnostics.filter(isError).length).message, summary: "The merge group's goal does not compile: see the job summary." });
    return 1;
  }
  await summarizePlan(run, planned, sha, "Lexum merge-queue check");
  await planOutputs(run, planned);
  const now = pinOf(planned);
  const reviewed = await reviewedPin(run, pull);
  const why = !run.inputs.requireReviewedPlan ? null : reviewed === null ? catalog.action.notReviewed.error(pull.number, pull.headSha).message : whyNotReviewed(reviewed, now);
  await run.host.createCheckRun({
    name: run.checkName,
    headSha: sha,
    externalId: pinExternalId(now),
    conclusion: why === null ? "success" : "failure",
    title: why === null ? summaryLine(planned.plan) : `Not the reviewed plan of #${pull.number}`,
    summary: why === null ? `Plan \`${now.plan}\` is the plan reviewed on #${pull.number}.` : `${why}.\n\nPush to #${pull.number} again to plan and review the change as it will merge.`,
  });
  if (why !== null) {
    run.out(command("error", { title: catalog.action.mergeGroupStale.code }, catalog.action.mergeGroupStale.error(pull.number, why).message));
    return 1;
  }
  return 0;
}

/** Any other event (a push to another branch, a schedule, a dispatch in plan mode): the plan in the job summary, nothing written. */
export async function planOnly(run: ActionRun, sha: string): Promise<number> {
  const planned = await planAt(run, sha);
  if (!isPlanned(planned)) {
    await reportDiagnostics(run, planned);
    return 1;
  }
  await summarizePlan(run, planned, sha);
  await planOutputs(run, planned);
  run.out(`Lexum: ${summaryLine(planned.plan)}`);
  return 0;
}

function isError(d: Diagnostic): boolean {
  return d.severity === "error";
}
