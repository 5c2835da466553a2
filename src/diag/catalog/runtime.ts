import { code } from "./define.js";

// ── Providers (src/providers/): LXM4900–LXM4949 ────────────────────────────────────────

export const providerConfigInvalid = code(
  "LXM4900",
  "invalid provider configuration",
  "A provider block's configuration has a wrong or missing attribute (e.g. `provider sim {}` without `world`, a negative `latency`). Fix the attribute named in the message; docs/providers.md lists each provider's settings.",
  (provider: string, attr: string, problem: string, hint?: string) => ({
    message: `provider ${provider}: ${attr} ${problem}`,
    hint: hint ?? "see docs/providers.md for the provider's configuration",
  }),
);

export const simWorldInvalid = code(
  "LXM4901",
  "unreadable sim world file",
  "The sim provider's world file (or its change log, `<world>.log`) exists but is not a lexum.sim/v1 world (bad JSON, wrong format tag, malformed object, a bad line before the log's last). Repair the file, or delete it (and its log) to start from an empty world.",
  (path: string, problem: string) => ({
    message: `sim world ${path}: ${problem}`,
    hint: "repair the file, or delete it (and its .log) to start from an empty world",
  }),
);

// ---- LXM4100–4199: git layer and state-branch store (src/git, src/state/store|journal|gc) ----

export const notAGitRepository = code(
  "LXM4100",
  "not in a git repository",
  "Lexum keeps its state on a branch of the git repository that holds the project, so the project must be inside one. Run `git init` (and commit your .lxm files) or run lxm from inside your repository.",
  (dir: string) => ({
    message: `not a git repository (or any parent up to /): ${dir}`,
    hint: "run `git init` in the project folder, or run lxm from inside your repository",
  }),
);

export const stateBranchMoved = code(
  "LXM4101",
  "state branch moved",
  "Another run updated the state branch between this run's plan and its commit (compare-and-swap refused). Nothing was changed in state. Plan again against the new state.",
  (branch: string, expected: string | null, found: string | null) => ({
    message: `the state branch moved since this run planned (expected ${expected ?? "no branch"}, found ${found ?? "no branch"}); re-plan`,
    hint: `${branch} was updated by another run; plan again`,
  }),
);

export const refLocked = code(
  "LXM4102",
  "state branch is locked",
  "A `<ref>.lock` file exists: another Lexum (or git) process is updating the branch right now, or one crashed while doing so. If no other process is running, delete the lock file named in the message.",
  (ref: string, lockPath: string) => ({
    message: `cannot update ${ref}: lock file ${lockPath} exists`,
    hint: `if no other lxm or git process is running, a previous run crashed: remove it with \`rm ${lockPath}\``,
  }),
);

export const corruptRef = code(
  "LXM4103",
  "corrupt ref",
  "A ref file is empty, unparsable or points at an object that is missing. Lexum never takes this for a missing branch (that would start state from scratch). Restore the ref, e.g. from `git reflog` or a remote (`git update-ref <ref> <commit>`).",
  (ref: string, file: string, problem: string) => ({
    message: `ref ${ref} is corrupt (${file}): ${problem}`,
    hint: "restore it with `git update-ref " + ref + " <commit>` (see `git reflog " + ref + "` or your remote)",
  }),
);

export const unknownRevision = code(
  "LXM4104",
  "unknown revision",
  "The revision names no commit: not a branch, tag, HEAD or (short) commit id, or `~N` goes past the first commit. Check it with `git rev-parse <rev>`.",
  (rev: string) => ({ message: `unknown revision: ${rev}`, hint: "check it with `git rev-parse " + rev + "`" }),
);

export const ambiguousRevision = code(
  "LXM4105",
  "ambiguous short commit id",
  "A short commit id matches several objects. Give more hex digits.",
  (rev: string, count: number) => ({ message: `short id ${rev} is ambiguous (${count} objects match)`, hint: "give more hex digits" }),
);

export const invalidRefName = code(
  "LXM4106",
  "invalid branch name",
  "The state branch name is not a valid git branch name (spaces, `..`, `~^:?*[\\`, a trailing `.lock` or `/`). Choose another name, e.g. `lexum/state`.",
  (name: string) => ({ message: `invalid branch name: ${JSON.stringify(name)}`, hint: "use a name like lexum/state" }),
);

export const gitObjectUnreadable = code(
  "LXM4107",
  "git object missing or unreadable",
  "A commit, tree or blob that the repository refers to is missing or corrupt. Run `git fsck` to see the damage; fetch from a remote to restore missing objects.",
  (oid: string, problem: string) => ({ message: `cannot read git object ${oid}: ${problem}`, hint: "run `git fsck`; fetching from a remote may restore it" }),
);

export const noSuchPathAtRev = code(
  "LXM4108",
  "no such path in commit",
  "The path does not exist in the commit's tree (the project folder or file was not committed at that revision). Check with `git ls-tree <rev> <path>`.",
  (path: string, rev: string) => ({ message: `${path} does not exist at ${rev}`, hint: "check with `git ls-tree " + rev + " -- " + path + "`" }),
);

export const gitWriteFailed = code(
  "LXM4109",
  "cannot write to the git repository",
  "Writing an object, a ref or a journal under .git failed (permissions, disk full, read-only file system). Nothing on the state branch changed. Fix the cause and run again.",
  (path: string, cause: string) => ({ message: `cannot write ${path}: ${cause}`, hint: "check permissions and free space; the state branch was not changed" }),
);

export const corruptJournal = code(
  "LXM4110",
  "corrupt apply journal",
  "An apply journal has an unparsable line before its last one (only the last line may be torn by a crash). Inspect the file; remove it once the state branch reflects reality (`lxm plan --refresh`).",
  (path: string, line: number) => ({ message: `journal ${path} is corrupt at line ${line}`, hint: "inspect the file; remove it once the state reflects reality (lxm plan --refresh)" }),
);

export const invalidJournalName = code(
  "LXM4111",
  "invalid journal name",
  "Journal names are file names made of letters, digits, `.`, `_` and `-` (no path separators).",
  (name: string) => ({ message: `invalid journal name: ${JSON.stringify(name)}` }),
);

export const gitCommandFailed = code(
  "LXM4112",
  "git command failed",
  "A git CLI command Lexum runs (e.g. `git gc` for `lxm state gc`) failed. The message carries git's own error; the git CLI must be installed and on PATH.",
  (command: string, cause: string) => ({ message: `\`${command}\` failed: ${cause}`, hint: "make sure the git CLI is installed and on PATH" }),
);

// ---- LXM4120–4129: repository shapes (formats, alternates), the apply journal mid-run ----

export const unsupportedRepoFormat = code(
  "LXM4120",
  "unsupported repository format",
  "The repository's config (`core.repositoryformatversion`, `extensions.*`; the common git dir's config for a linked worktree) asks for a format Lexum's git layer does not implement: SHA-256 object ids (`extensions.objectFormat = sha256`), the reftable ref backend (`extensions.refStorage`), a partial clone (`extensions.partialClone`), or an extension it does not know. Lexum refuses before reading or writing anything. It handles SHA-1 repositories with the files ref backend, and the extensions `noop`, `noop-v1`, `worktreeConfig` and `preciousObjects`. Use a clone without the extension.",
  (setting: string, value: string, configPath: string, hint: string) => ({
    message: `unsupported repository format: ${setting} = ${value} (Lexum reads and writes SHA-1 repositories with the files ref backend)`,
    hint: `${configPath} sets it; ${hint}; nothing was read or written`,
  }),
);

export const alternateMissing = code(
  "LXM4121",
  "borrowed object store missing",
  "The repository borrows objects from another object directory (`objects/info/alternates`, written by `git clone --shared` or `--reference`) that no longer exists or cannot be read, so objects its refs point at cannot be found. The refs are not at fault: restore that directory (the repository or cache this clone was made from), or clone again without `--shared`/`--reference`.",
  (oid: string, missing: string[], alternatesFile: string) => ({
    message: `cannot read git object ${oid}: this repository borrows objects from ${missing.join(", ")} (${alternatesFile}), which ${missing.length === 1 ? "is" : "are"} missing or unreadable`,
    hint: "restore that directory (the repository this clone was made from with --shared/--reference), or clone again without them; the refs themselves are fine",
  }),
);

export const beyondShallowHistory = code(
  "LXM4122",
  "object outside a shallow clone's history",
  "A commit, tree or blob Lexum needs is missing, and the repository is a shallow clone (`git clone --depth`, the default of many CI checkouts): the object most likely lies beyond the history that was fetched (e.g. `--rev HEAD~3` in a depth-1 clone, or state-branch history fetched shallow). Nothing is corrupt. Fetch more history (`git fetch --deepen=N`, `git fetch --unshallow`) and run again.",
  (oid: string, shallowFile: string) => ({
    message: `cannot read git object ${oid}: this repository is a shallow clone (${shallowFile}) and the object is outside the history it fetched`,
    hint: "fetch more history (`git fetch --deepen=<n>` or `git fetch --unshallow`) and run again; nothing is corrupt",
  }),
);

export const journalWriteFailed = code(
  "LXM4123",
  "apply journal write failed",
  "Appending to the apply journal (`.git/lexum/journal/…`) failed while the apply ran (disk full, file-size limit, I/O error). The apply starts no further change; changes already under way finish and the state branch records the run as it went (a `failed` snapshot unless everything had been done). Free space or fix the cause, then apply again: the next run plans from the recorded state and converges.",
  (path: string, cause: string) => ({
    message: `cannot write the apply journal ${path}: ${cause}; no further change was started`,
    hint: "fix the cause (free space, file-size limits), then run `lxm apply` again; the state branch records what was applied",
  }),
);

// ---- LXM4130–4139: git remotes (src/git/remote.ts): ls-remote, fetch, push over HTTP(S) ----
// Every message names the remote by its URL without userinfo and never carries a credential.

export const noSuchRemote = code(
  "LXM4130",
  "no such git remote",
  "Lexum talks to the repository's remote (`origin` unless told otherwise) to read and push the state branch, and the repository has no remote by that name (`remote.<name>.url` is not set). Add it (`git remote add origin <url>`) or check out the repository with its remote.",
  (name: string, gitdir: string) => ({
    message: `the repository ${gitdir} has no git remote named ${JSON.stringify(name)}`,
    hint: `add it with \`git remote add ${name} <url>\`, or clone the repository so that it has one`,
  }),
);

export const remoteUnreachable = code(
  "LXM4131",
  "git remote unreachable",
  "git could not connect to the remote (connection refused, host unknown, TLS failure, the connection cut). Nothing was read from or written to it by this command. Check the URL, the network and the server, then run again.",
  (url: string, cause: string) => ({
    message: `cannot reach the git remote ${url}: ${cause}`,
    hint: "check the remote's URL, the network and that the server is up, then run again",
  }),
);

export const remoteAuthRefused = code(
  "LXM4132",
  "git remote refused the credentials",
  "The remote answered 401 (no credentials, or a token that is invalid or expired) or 403 (a valid token that may not do this: read the repository, or push to it). Lexum sends the token as an HTTP Authorization header (`http.extraheader`), never in the URL. Pass a valid token with the access the message names.",
  (url: string, status: number, detail: string) => ({
    message: `the git remote ${url} refused the credentials (HTTP ${status})${detail ? `: ${detail}` : ""}`,
    hint:
      status === 401
        ? "the token is missing, invalid or expired: pass a valid token"
        : "the token is valid but may not do this: give it access to the repository (read to fetch, write to push)",
  }),
);

export const remoteRepoNotFound = code(
  "LXM4133",
  "git remote repository not found",
  "The remote has no repository at that URL (HTTP 404). Hosts also answer 404 for a private repository the credentials may not see. Check the remote's URL and the token's access.",
  (url: string) => ({
    message: `no git repository at ${url} (HTTP 404)`,
    hint: "check the remote's URL; a private repository answers 404 to credentials that may not see it",
  }),
);

export const remoteTimedOut = code(
  "LXM4134",
  "git remote timed out",
  "A command talking to the remote made no progress for the stall limit (less than 1 byte/s) or ran past its overall limit, and was stopped. A push stopped this way may or may not have landed; Lexum re-reads the remote before trusting it. Run again; if the remote is just slow, raise the limits.",
  (command: string, url: string, why: string) => ({
    message: `git ${command} ${url} timed out: ${why}`,
    hint: "the remote or the network is stalled or slow: run again (a push is re-read from the remote before it is trusted)",
  }),
);

export const remoteRefMissing = code(
  "LXM4135",
  "ref or object missing on the git remote",
  "The remote has no ref by that name, or will not serve that object (it is not reachable from any of its refs: deleted, force-pushed away, or never pushed). Re-read the remote (`git ls-remote <url>`) and run again.",
  (url: string, what: string) => ({
    message: `the git remote ${url} has no ${what}`,
    hint: "it was deleted, moved away or never pushed there: re-read the remote (git ls-remote) and run again",
  }),
);

export const remoteHttpError = code(
  "LXM4136",
  "git remote answered an HTTP error",
  "The remote answered an HTTP error other than 401, 403 or 404 (a 5xx is the server failing). The message quotes the status and what the server said. Run again later; if it persists, check the host's status.",
  (url: string, status: number, detail: string) => ({
    message: `the git remote ${url} answered HTTP ${status}${detail ? `: ${detail}` : ""}`,
    hint: status >= 500 ? "the server failed: run again later, and check the host's status if it persists" : "check the remote's URL and the server's answer",
  }),
);

export const remoteGitFailed = code(
  "LXM4137",
  "git command on a remote failed",
  "A git command talking to the remote failed for a reason Lexum does not recognise; the message carries git's own words (credentials removed). The git CLI must be installed and on PATH.",
  (command: string, url: string, cause: string) => ({
    message: `git ${command} ${url} failed: ${cause}`,
    hint: "git's message says why; make sure the git CLI is installed and the remote's URL is right",
  }),
);

// ── Runtime (src/runtime/): LXM4001–LXM4099 ───────────────────────────────────────────

export const actionFailed = code(
  "LXM4001",
  "action failed",
  "A provider call failed and its retries (policy `retries`) are used up, or the failure was not retryable. The domain halts; the message carries the provider's reason. Fix the cause in the managed world or the goal, then apply again.",
  (address: string, action: string, attempts: number, reason: string) => ({
    message: `${action} ${address} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${reason}`,
    hint: "fix the cause, then apply again (raise `retries` in the domain's policy for transient failures)",
  }),
);

export const existsOutsideLexum = code(
  "LXM4360",
  "object already exists outside Lexum",
  "A resource Lexum has no record of was to be created, and the provider read an object with its identity that differs from the goal (on the attributes the goal sets; sensitive ones are never compared). Lexum never overwrites an object it did not create: the action fails before any write and the object is left as it is. Adopt it with `import = true` on the resource (read, recorded, then brought to the goal), or remove it outside Lexum.",
  (address: string, type: string, identity: string, attrs: readonly string[]) => ({
    message: `${address}: ${type} ${identity} already exists outside Lexum and differs from the goal on ${attrs.map((a) => "`" + a + "`").join(", ")}; it was left as it is (\`import = true\` adopts it)`,
    hint: "add `import = true` to the resource to adopt it, or remove the object outside Lexum, then apply again",
  }),
);

export const actionTimedOut = code(
  "LXM4002",
  "provider call timed out",
  "A provider call took longer than the domain policy's `timeout`; the runtime aborted it and counts it as a retryable failure. Raise `timeout` or find why the provider is slow.",
  (call: string, timeoutMs: number) => ({ message: `${call} timed out after ${timeoutMs}ms`, hint: "raise `timeout` in the domain's policy" }),
);

export const deferredFailed = code(
  "LXM4003",
  "attribute could not be evaluated at apply time",
  "An attribute known only at apply time (it reads a computed attribute of another resource, or a secret) could not be evaluated: the value it reads is absent, or a secret is not set. The action fails without touching the world.",
  (address: string, attr: string, reason: string) => ({
    message: `${address}: attribute \`${attr}\` could not be evaluated: ${reason}`,
    hint: "check that the resources it reads were applied and that every secret() it uses is set",
  }),
);

export const assertionFailed = code(
  "LXM4004",
  "goal assertion failed",
  "A goal's assertion was false on the values read back after the domain applied. The domain is not quiescent and the run halts (or rolls back with `on_failure = \"rollback\"`).",
  (domain: string, goal: string, index: number, message: string | null) => ({
    message: `goal ${domain}.${goal}, assertion ${index + 1} failed${message === null ? "" : `: ${message}`}`,
    hint: "compare the goal with the read-back values in the trace (`lxm trace`)",
  }),
);

export const assertionError = code(
  "LXM4005",
  "goal assertion could not be evaluated",
  "A goal's assertion raised an error on the read-back values (a missing attribute, a wrong type) or did not give a boolean. It counts as a failed assertion.",
  (domain: string, goal: string, index: number, reason: string) => ({
    message: `goal ${domain}.${goal}, assertion ${index + 1} could not be evaluated: ${reason}`,
  }),
);

export const exportFailed = code(
  "LXM4006",
  "export could not be evaluated",
  "An export known only at apply time could not be evaluated after its domain applied, so importing domains cannot receive it. The domain fails.",
  (domain: string, name: string, reason: string) => ({ message: `export ${domain}.${name} could not be evaluated: ${reason}` }),
);

export const providerCrashed = code(
  "LXM4007",
  "provider raised an unexpected error",
  "A provider call failed with an error that is not a ProviderError (a bug in the provider or its environment). It is not retried.",
  (call: string, reason: string) => ({ message: `${call} raised an unexpected error: ${reason}` }),
);

export const replayMissing = code(
  "LXM4008",
  "no recorded observation to replay",
  "During replay the runtime needed a provider answer that the recorded trace does not hold (or holds for a different call): the replayed run has diverged from the recorded one.",
  (address: string, call: string, found: string | null) => ({
    message: `replay: no recorded ${call} for ${address}${found === null ? "" : ` (the trace holds a ${found} here)`}`,
  }),
);

export const deferredInvalid = code(
  "LXM4010",
  "attribute invalid at apply time",
  "An attribute known only at apply time (it reads a computed attribute of another resource, or a secret) evaluated to a value that does not satisfy the resource type's JSON Schema, which `lxm check` could not see. The action fails without touching the world; a sensitive value is never shown.",
  (address: string, attr: string, problem: string) => ({
    message: `${address}: attribute \`${attr}\`, evaluated at apply time, is invalid: ${problem}`,
    hint: "check the value it reads: it has to fit this attribute's type",
  }),
);

export const replayDiverged = code(
  "LXM4009",
  "replay diverged from the recorded trace",
  "Replaying a run with its recorded provider observations did not reproduce the recorded trace. The message names the first differing event: the trace or the snapshot was edited, or the runtime changed behaviour.",
  (step: number, domain: string, seq: number, address: string | null, what: string) => ({
    message: `replay diverged at step ${step}, domain ${domain}, event ${seq}${address === null ? "" : ` (${address})`}: ${what}`,
    hint: "run `lxm state verify` to find the first tampered commit",
  }),
);
