/**
 * What the lxm-sync agent's parts say to each other: the status of a watched repository (what
 * `/status` serves and `/readyz` judges), the events the metrics count, and the handle the
 * HTTP server triggers polls through. Wall-clock times appear here (they are the agent's
 * view, never hashed); nothing here enters a snapshot.
 */

import type { ReplicaStatus } from "./coordination/replica.js";

/** Why a goal commit was not applied: the typed reason a failed snapshot and `/status` carry. */
export type FailureReason = "fetch-failed" | "compile-failed" | "apply-failed" | "push-failed";

/** What a reconcile ended with (the `result` label of `lexum_reconcile_total`). */
export type ReconcileResult =
  | "applied" // a new goal commit applied and its snapshot pushed
  | "unchanged" // the goal commit was already recorded: nothing written
  | "failed" // a failed snapshot recorded (see FailureReason)
  | "drift-reported" // a drift snapshot recorded
  | "drift-corrected" // drift applied back to the goal
  | "conflict" // the state branch moved under the push: re-read (counted, then retried)
  | "error"; // a transport or local error: backed off, nothing recorded

/** The last error of a repository, as `/status` shows it (never a secret in `message`). */
export interface StatusError {
  /** A goal's failure; or the remote could not be reached (network, timeout, 5xx) or refused the agent (credentials, no such repository); or another error of the agent. */
  readonly reason: FailureReason | "remote-unreachable" | "remote-refused" | "lease-lost" | "internal";
  readonly message: string;
  /** The diagnostic code when the error is one of Lexum's (LXM4131: the remote is unreachable, …), else null. */
  readonly code: string | null;
  /** The goal commit it concerns, when one. */
  readonly commit: string | null;
  /** ISO 8601, wall clock. */
  readonly at: string;
}

/** One watched repository entry (url, branch, path) as `/status` shows it. */
export interface RepoStatus {
  /** The entry's name: `<url without userinfo>#<branch>:<path>` (the `repo` label of the metrics). */
  readonly repo: string;
  readonly url: string;
  readonly branch: string;
  readonly path: string;
  readonly stateBranch: string;
  /** The watched branch's tip as last seen (null before the first poll, or when the branch does not exist). */
  readonly goal: string | null;
  /** The goal commit of the state branch's newest snapshot that applied it (null before any). */
  readonly applied: string | null;
  /** The state branch's newest snapshot: its hash, commit, status and goal commit. */
  readonly lastSnapshot: { readonly hash: string; readonly commit: string; readonly status: string; readonly goal: string | null; readonly kind: "run" | "failure" | "drift" } | null;
  /** Goal commits that were the tip at some poll but were passed over for a newer one, newest last (bounded). */
  readonly skipped: readonly string[];
  /** Resources out of step with the goal at the last drift check (0: in sync; null: never checked). */
  readonly drift: number | null;
  readonly lastError: StatusError | null;
  /** ISO 8601 of the last poll that reached the remote, and of the next poll scheduled. */
  readonly lastPoll: string | null;
  readonly nextPoll: string | null;
  /** Consecutive failed polls of this repository's remote (0 when healthy). */
  readonly failures: number;
  /** What the agent is doing for it now (`standby`: another replica holds its lease). */
  readonly phase: "idle" | "polling" | "reconciling" | "checking-drift" | "backing-off" | "standby";
  /** This replica's lease on it (the fencing epoch, the server's expiry); null without coordination. */
  readonly lease: { readonly held: boolean; readonly epoch: number | null; readonly expiresAt: string | null } | null;
}

/** Labels of `lexum_git_request_total`: what the agent asked a remote. */
export type GitRequestType = "ls-refs" | "fetch" | "push";

/**
 * What the agent reports as it works; the metrics module turns these into Prometheus
 * series, the log into JSON lines. `repo` is RepoStatus.repo.
 */
export type AgentEvent =
  | { readonly type: "git-request"; readonly repo: string; readonly request: GitRequestType; readonly ok: boolean }
  | { readonly type: "reconcile"; readonly repo: string; readonly result: ReconcileResult; readonly seconds: number }
  | { readonly type: "push-conflict"; readonly repo: string }
  | { readonly type: "drift"; readonly repo: string; readonly resources: number }
  | { readonly type: "revision"; readonly repo: string; readonly goal: string | null; readonly applied: string | null }
  /** A replica's lease taken (`taken`: a new epoch, not a renewal), lost or given up. */
  | { readonly type: "lease"; readonly repo: string; readonly held: boolean; readonly epoch: number; readonly taken: boolean };

/** What the HTTP server needs of the running agent. */
export interface AgentHandle {
  /** Every repository's status, in the configuration's order. */
  status(): RepoStatus[];
  /** True while the agent's loop runs (`/healthz`). */
  alive(): boolean;
  /** The replica's members, assignment and leases (`/status`); null or absent without coordination. */
  replica?(): ReplicaStatus | null;
  /**
   * Asks for an immediate poll of the repositories matching `match` (debounced: triggers
   * that arrive while one is pending or running fold into one). Returns the entries matched.
   */
  trigger(match: PollMatch): string[];
}

/** Which repositories a webhook or `/hooks/poll` names. */
export interface PollMatch {
  /** Clone URLs, any of which may name the repository (https, ssh, git); compared without userinfo, `.git` suffix or case of the host. */
  readonly urls: readonly string[];
  /** The full ref pushed (`refs/heads/main`), or null for any watched branch. */
  readonly ref: string | null;
  /**
   * When given, only these entries (RepoStatus.repo) may match: a webhook verified with one
   * repository's `webhookSecret` may trigger only the entries configured with that secret.
   * `pollMatches` (match.ts) decides a match, this included.
   */
  readonly entries?: readonly string[];
}
