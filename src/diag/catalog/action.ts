import { code } from "./define.js";

/** The GitHub Action's own refusals and failures (LXM6050–6099). */

export const applyOnPullRequest = code(
  "LXM6050",
  "apply on a pull request",
  "The Action was given `mode: apply` on a pull_request event. Lexum applies only what was merged (the goal is the commit on the default branch); a pull request is planned and reviewed. Use `mode: auto` (or `plan`) for pull requests.",
  (event: string) => ({ message: `mode: apply on a ${event} event would apply code that was not merged`, hint: "use mode: auto; the merge applies the reviewed plan" }),
);

export const badStateBranchInput = code(
  "LXM6051",
  "bad state-branch input",
  "The `state-branch` input is not a branch name git accepts.",
  (value: string) => ({ message: `state-branch: ${JSON.stringify(value)} is not a valid branch name`, hint: "use a name such as lexum/state" }),
);

export const noToken = code(
  "LXM6052",
  "no GitHub token",
  "The `github-token` input is empty. Its default is `${{ github.token }}`; a workflow that overrides it must pass a token.",
  () => ({ message: "the github-token input is empty", hint: "leave github-token at its default (${{ github.token }}) or pass a token" }),
);

export const pathOutsideWorkspace = code(
  "LXM6053",
  "path outside the repository",
  "The `path` input names a folder outside the checked-out repository.",
  (value: string) => ({ message: `path: ${JSON.stringify(value)} is outside the repository`, hint: "give the project folder relative to the repository's top" }),
);

export const forkReadOnly = code(
  "LXM6054",
  "read-only token",
  "A pull request from a fork runs with a read-only token: the Action cannot comment or create a check run. The plan is in the job summary.",
  () => ({ message: "this pull request comes from a fork, whose token is read-only: the plan is in the job summary, not in a comment", hint: "a maintainer can review the plan in the workflow run's summary" }),
  "warning",
);

export const compileFailed = code(
  "LXM6055",
  "goal does not compile",
  "The commit's .lxm files have errors: the annotations and the job summary name each one. Nothing was planned.",
  (n: number) => ({ message: `${n} error${n === 1 ? "" : "s"} in the .lxm files: nothing planned` }),
);

export const mergeGroupRef = code(
  "LXM6056",
  "unknown merge-queue branch",
  "A merge_group event's head_ref did not name its pull request the way GitHub's merge queue does (`refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>`).",
  (ref: string) => ({ message: `cannot tell the pull request of merge-queue branch ${ref}`, hint: "run the Action on merge_group events from GitHub's merge queue" }),
);

export const notReviewed = code(
  "LXM6057",
  "no reviewed plan",
  "The pull request's last commit has no successful `lexum plan` check run, so no plan was reviewed for it (the plan job did not run, failed, or ran on an earlier commit).",
  (pr: number, sha: string) => ({ message: `pull request #${pr} has no reviewed plan for its last commit ${sha.slice(0, 12)}`, hint: "push to the pull request (or re-run its plan job) so the plan is computed and reviewed" }),
);

export const mergeGroupStale = code(
  "LXM6058",
  "merge queue: not the reviewed plan",
  "The merge queue's head plans differently from the plan reviewed on the pull request (main or the state moved since the review). The check fails so the queue does not merge an unreviewed plan.",
  (pr: number, why: string) => ({ message: `the merge queue's plan for #${pr} is not the reviewed one: ${why}`, hint: `update #${pr} (merge or rebase its base) so the new plan is reviewed` }),
);

export const noPullForCommit = code(
  "LXM6059",
  "no pull request for the commit",
  "`require-reviewed-plan` is on and the pushed commit belongs to no merged pull request, so no reviewed plan exists for it, and its plan has changes. Nothing was applied (a direct push whose plan changes nothing is not an error).",
  (sha: string) => ({ message: `commit ${sha.slice(0, 12)} was not merged from a pull request: there is no reviewed plan to apply`, hint: "merge changes through pull requests, or set require-reviewed-plan: false to apply whatever the branch holds" }),
);

export const planNotReviewed = code(
  "LXM6060",
  "merge: not the reviewed plan",
  "On merge the plan was computed again and is not the one reviewed on the pull request (main moved, the state moved, or the files differ). Nothing was applied; the new plan is on the pull request.",
  (pr: number, why: string) => ({ message: `not applying: the plan is not the one reviewed on #${pr}: ${why}`, hint: "review the new plan on the pull request, then merge a change (or re-run after a new review)" }),
);

export const statePushFailed = code(
  "LXM6061",
  "state branch push failed",
  "The apply ran and its snapshot was committed in the runner's repository, but the remote refused the state branch push. The world changed and the remote state branch does not say so yet: the message names the commits; the next run reads reality (use `lxm plan --refresh`).",
  (branch: string, detail: string, oids: readonly string[]) => ({
    message: `could not push ${branch}: ${detail}; the run's snapshot commit${oids.length === 1 ? "" : "s"} ${oids.join(", ")} did not reach the remote`,
    hint: "check the branch protection and the token's contents: write permission, then re-run the job",
  }),
);

export const lockHeld = code(
  "LXM6062",
  "apply lock held",
  "Another workflow run holds the remote apply lock of this state branch and is still running; this run waited for it and gave up. Nothing was applied.",
  (branch: string, holder: string, seconds: number) => ({ message: `the apply lock of ${branch} is held by ${holder}, still running after ${seconds} s`, hint: "add a concurrency: group to the workflow so applies queue, or re-run this job when the other ends" }),
);

export const lockRefused = code(
  "LXM6063",
  "apply lock refused",
  "The remote refused the apply lock ref (`refs/lexum/locks/<state branch>`): a hook or a ruleset forbids it, or the token cannot push.",
  (branch: string, detail: string) => ({ message: `the remote refused the apply lock of ${branch}: ${detail}`, hint: "allow pushes to refs/lexum/locks/* for the workflow's token (contents: write)" }),
);

export const stateBranchForSeveral = code(
  "LXM6070",
  "one state-branch input for several projects",
  "The Action's `path` holds several projects (subfolders with their own lexum.yaml) and the `state-branch` input names one branch: several projects cannot share a state branch. Leave `state-branch` out (each project's branch is derived from its path, or set by its lexum.yaml), or run one step per project with `path` pointing at it.",
  (value: string, path: string) => ({ message: `state-branch: ${JSON.stringify(value)} cannot hold the several projects under ${path}`, hint: "leave state-branch out, or give each project a step of its own (path: <project>)" }),
);
