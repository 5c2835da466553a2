import { code } from "./define.js";

/** LXM42xx: the run's orchestration at the edges (state branch reading, saved plans, secrets, journals). */

export const unknownProvider = code(
  "LXM4201",
  "unknown provider",
  "A provider block or a recorded resource names a provider kind Lexum does not have. Use one of the built-in providers.",
  (name: string, known: string[]) => ({ message: `unknown provider '${name}'`, hint: `known providers: ${known.join(", ")}` }),
);

export const providerConfig = code(
  "LXM4202",
  "provider configuration unusable",
  "A provider block's configuration could not be completed at apply time (a secret missing, or no configuration recorded for a resource whose block left the code).",
  (domain: string, alias: string, why: string) => ({ message: `provider ${alias} of domain ${domain}: ${why}` }),
);

export const missingSecret = code(
  "LXM4203",
  "secret not set",
  "The program calls secret(\"NAME\") but the environment has no LXM_SECRET_NAME. Set it before plan or apply.",
  (name: string) => ({ message: `secret ${JSON.stringify(name)} is not set`, hint: `export LXM_SECRET_${name}=… (secrets come only from the environment)` }),
);

export const corruptState = code(
  "LXM4204",
  "state branch does not verify",
  "The head of the state branch does not verify (an edited or damaged snapshot, resource record, plan or trace). Nothing is planned or written on top of it.",
  (branch: string, oid: string, problem: string) => ({
    message: `the state branch ${branch} is damaged at commit ${oid}: ${problem}`,
    hint: "run `lxm state verify` to see every problem; restore the branch from a good copy (git reflog shows earlier heads)",
  }),
);

export const stalePlan = code(
  "LXM4205",
  "saved plan is stale",
  "A plan saved with `lxm plan --out` no longer matches the program or the state branch; apply refuses it. Plan again.",
  (what: string) => ({ message: `the saved plan is stale: ${what}`, hint: "run `lxm plan --out FILE` again and apply the new plan" }),
);

export const badPlanFile = code(
  "LXM4206",
  "unreadable plan file",
  "The file given to `lxm apply --plan` or `lxm show` is not a lexum.plan/v1 document, or its hash does not match its content.",
  (file: string, why: string) => ({ message: `cannot use plan file ${file}: ${why}`, hint: "pass a file written by `lxm plan --out`" }),
);

export const compileFailed = code(
  "LXM4207",
  "the program does not compile",
  "plan/apply stop before touching anything when the program has errors; the diagnostics above say where.",
  (count: number) => ({ message: `the program has ${count} error${count === 1 ? "" : "s"}; nothing was planned`, hint: "run `lxm check` and fix them" }),
);

export const notConfirmed = code(
  "LXM4208",
  "apply not confirmed",
  "`lxm apply` without --yes asks on a terminal; anything but 'yes' (or no terminal to ask on) stops it before any change.",
  (why: string) => ({ message: `apply cancelled: ${why}`, hint: "pass --yes to apply without asking" }),
);

export const interruptedRun = code(
  "LXM4209",
  "interrupted run recovered",
  "A previous apply was killed before it recorded a snapshot; its journal was read and what it completed was recorded as a failed snapshot before this run.",
  (name: string, done: number) => ({ message: `recovered interrupted run ${name}: ${done} completed action${done === 1 ? "" : "s"} recorded` }),
  "warning",
);

export const noSuchSnapshot = code(
  "LXM4210",
  "no snapshot",
  "The state branch does not exist yet (no apply has run) or the given revision names no state commit.",
  (branch: string) => ({ message: `no snapshot on ${branch} yet`, hint: "run `lxm apply` first" }),
);

export const noSuchAddress = code(
  "LXM4211",
  "no such resource in snapshot",
  "`lxm state show … ADDRESS` names an address the snapshot does not record.",
  (address: string, suggestion: string | null) => ({ message: `the snapshot records no resource ${address}`, hint: suggestion ? `did you mean ${suggestion}?` : "run `lxm state show` to list addresses" }),
);

export const notReplayable = code(
  "LXM4212",
  "snapshot cannot be replayed",
  "`lxm replay` recompiles the goal exactly as committed at the snapshot's goal commit; that commit (or its project folder) is not in this repository. Fetch the commit (a shallow clone lacks it) and replay again.",
  (why: string) => ({ message: `cannot replay: ${why}`, hint: "fetch the goal commit (e.g. `git fetch --unshallow`) and run `lxm replay` again" }),
);

export const notReproduced = code(
  "LXM4213",
  "replay does not reproduce the snapshot",
  "Re-running a snapshot's plan on the observations recorded in its trace did not give the same snapshot: the state branch was edited consistently (hashes fixed up), or the goal commit no longer compiles to the recorded program. The message names the first diverging event.",
  (snapshot: string, commit: string, why: string) => ({
    message: `snapshot ${snapshot} (commit ${commit.slice(0, 12)}) does not replay: ${why}`,
    hint: "compare with `git show` of that commit; restore the branch from a good copy (git reflog shows earlier heads)",
  }),
);

export const applyRunning = code(
  "LXM4214",
  "another apply is running",
  "Only one apply runs at a time on a state branch of a repository; another one holds the apply lock. Wait for it, or remove the lock file if its process is gone on another host.",
  (owner: string, file: string) => ({
    message: `another apply is running on this state branch (${owner})`,
    hint: `wait for it to finish; if it is gone (on another machine), remove ${file}`,
  }),
);

export const uncommittedChanges = code(
  "LXM4220",
  "uncommitted changes",
  "`lxm apply` applies a commit: the working tree differs from the goal commit (HEAD) in a `.lxm` file, lexum.yaml or a file read by file(), or holds a `.lxm` file git does not track. Nothing was applied and the state branch is unchanged. Commit the changes (or `git add` the untracked file) and apply again, or pass --allow-dirty to apply the working tree as it is (its snapshot names the files and cannot be replayed).",
  (goal: string, changes: string[]) => ({
    message: `the working tree differs from ${goal} in ${changes.length} file${changes.length === 1 ? "" : "s"}: ${changes.join("; ")}; nothing was applied`,
    hint: "commit them and apply again (apply applies only a commit), or pass --allow-dirty to apply the working tree as it is",
  }),
);

export const appliedDirty = code(
  "LXM4221",
  "run applied from uncommitted changes",
  "The snapshot was applied with `lxm apply --allow-dirty` (or, by an older Lexum, from an uncommitted working tree): some of its inputs were never committed, so replay cannot recompile its goal. It is verified by its hash and its place in the chain only; this is not tampering. Apply from a commit to get replayable snapshots.",
  (files: readonly string[]) => ({
    message:
      files.length > 0
        ? `applied with --allow-dirty from uncommitted changes to ${files.join(", ")}: its inputs are not in git, so it cannot be replayed`
        : "applied from an uncommitted working tree (no goal commit recorded): its inputs are not in git, so it cannot be replayed",
  }),
  "warning",
);

export const refreshReadRefused = code(
  "LXM4240",
  "a resource could not be read back",
  "`--refresh` (and the re-plan after recovering an interrupted run) reads every recorded resource back from its provider; the provider refused this one (for example a managed file that became a directory, or a path whose parent is now a symlink leaving the root). Nothing was planned or written. Put the object back the way Lexum can manage it (or remove it by hand), then plan again.",
  (address: string, reason: string, providerCode: string) => ({
    message: `cannot read ${address} back from its provider: ${reason} (${providerCode})`,
    hint: "fix or remove that object in the world, then plan again; `lxm plan` without --refresh does not read it",
  }),
);

export const adoptReadRefused = code(
  "LXM4361",
  "an object to adopt could not be read",
  "A resource with `import = true` and no record is read through its provider at plan time, to adopt the object if it exists; the provider failed or refused (unreachable, no permission, an object of another kind). Nothing was planned or written. Make the object readable (or the provider reachable), or remove `import = true` to have Lexum create the object.",
  (address: string, reason: string, providerCode: string) => ({
    message: `cannot read ${address} to adopt it (import = true): ${reason} (${providerCode})`,
    hint: "check the provider's settings and reachability, then plan again; without `import = true` Lexum creates the object and refuses to overwrite a different one",
  }),
);

// ── Commands' own outcomes (src/cli, src/engine): LXM4020–LXM4029 ─────────────────────────

export const demoStepFailed = code(
  "LXM4020",
  "demo step failed",
  "`lxm demo` runs check, plan, apply, state log and verify in a scratch repository; one of them ended with another exit code than the demo expects. The step's own output (above, without `--json`) says why; the scratch folder is left for a look.",
  (command: string, got: number, expected: string) => ({
    message: `demo: \`${command}\` exited ${got}, expected ${expected}`,
    hint: "run the demo again without --json to see the step's output",
  }),
);

export const internalError = code(
  "LXM4021",
  "internal error",
  "Lexum hit a bug (an unexpected exception). Nothing was written to the state branch by the failing step. Please report it with the command and the message.",
  (message: string) => ({ message, hint: "This is a bug in Lexum; nothing was written to the state branch by the failing step. Please report it." }),
);

export const branchNotVerified = code(
  "LXM4022",
  "state branch does not verify",
  "`lxm state verify` found a state commit whose snapshot hash, parent chain or tree does not match its `snapshot.json`: the branch was edited or damaged. The message names the first bad commit (oldest first) and each problem. Restore the branch from a good copy (`git reflog` shows earlier heads).",
  (branch: string, oid: string, problems: readonly string[]) => ({
    message: `${branch} does not verify: first bad commit ${oid}` + problems.map((p) => `\n  - ${p}`).join(""),
    hint: "restore the branch from a good copy (git reflog shows earlier heads)",
  }),
);

export const branchNotReplayed = code(
  "LXM4023",
  "state branch does not replay",
  "`lxm state verify --replay` re-ran every snapshot on its recorded observations and one did not reproduce its hash or trace (a consistently edited branch, or a goal commit that no longer compiles to the recorded program). The message names the first such commit and why.",
  (branch: string, oid: string, problem: string) => ({
    message: `${branch} does not replay: first bad commit ${oid}\n  - ${problem}`,
    hint: "compare with `git show` of that commit; restore the branch from a good copy (git reflog shows earlier heads)",
  }),
);

export const notReviewedPlan = code(
  "LXM4250",
  "plan is not the reviewed one",
  "An apply was asked to run exactly a reviewed plan (the GitHub Action on merge), and the plan computed from the goal commit and the state branch as they are now has a different hash: the goal's files differ from the reviewed ones, or the state branch moved since the review. Nothing was changed. Plan again and review the new plan.",
  (expected: string, actual: string, why: string) => ({
    message: `the plan to apply (${actual}) is not the reviewed plan (${expected}): ${why}`,
    hint: "review the new plan (push to the pull request again, or open a new one) and merge that",
  }),
);

export const badTrailer = code(
  "LXM4251",
  "bad commit trailer",
  "A trailer asked for on the state commit is not `Key: value` with a key of letters, digits and hyphens (not one of Lexum's own Lexum-Snapshot, Lexum-Plan, Lexum-Source) and a one-line value. This is a bug in the caller.",
  (trailer: string) => ({ message: `cannot add trailer ${JSON.stringify(trailer)} to the state commit`, hint: "use `Key: value` on one line" }),
);

export const localStateAhead = code(
  "LXM4252",
  "local state branch not on the remote",
  "The remote has no state branch but this repository has one: its runs were never pushed, so nobody else can see them, and planning against the remote would forget them. Push the local branch to the remote (if its runs are real) or delete it.",
  (branch: string, oid: string) => ({
    message: `the remote has no ${branch}, but the local ${branch} is at ${oid}`,
    hint: `push it (git push origin ${branch}) if its runs happened, or delete it (git branch -D ${branch})`,
  }),
);

export const interruptedRunPending = code(
  "LXM4253",
  "interrupted apply not recovered yet",
  "A killed apply left a journal of changes the state branch does not record yet. A failure or drift record written on top of the head now would hide them: the next apply recovers a journal only on the head it was started from. Nothing was recorded; run `lxm apply` (which records what the killed run completed), then record again.",
  (branch: string, name: string) => ({
    message: `an interrupted apply on ${branch} (journal ${name}) is not recovered yet; nothing was recorded`,
    hint: "run `lxm apply` to recover it first (the next apply records what the killed run completed)",
  }),
);

export const stateEditRefused = code(
  "LXM4260",
  "state edit refused",
  "`lxm state mv FROM TO` records an object under another address and `lxm state rm ADDRESS` forgets one; the edit cannot be made as asked: the destination already has a record (two objects cannot share an address), is not a resource address, or is of another resource type than the object (a move keeps the object: a change of type is a replacement). Nothing was recorded.",
  (what: string, why: string) => ({ message: `cannot ${what}: ${why}`, hint: "`lxm state list` lists the recorded addresses; forget the record in the way first with `lxm state rm`" }),
);
