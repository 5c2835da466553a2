/**
 * The narrow code-host interface the Action's logic talks to: comments on a pull request,
 * check runs on a commit, and the pull request a commit belongs to. GitHub implements it
 * (`github.ts`, through octokit); nothing else in Lexum knows GitHub's API.
 */

/** GitHub refuses a comment body longer than this many characters. */
export const COMMENT_LIMIT = 65_536;
/** GitHub refuses a check run's output summary or text longer than this many characters. */
export const CHECK_OUTPUT_LIMIT = 65_535;

/** A comment on a pull request, as the host stores it. */
export interface HostComment {
  readonly id: number;
  readonly body: string;
  /** The login that wrote it (null when the account is gone). */
  readonly author: string | null;
  /** Link a reader can follow. */
  readonly url: string;
}

/** What an upsert did: `unchanged` wrote nothing (the body was already the same). */
export interface UpsertResult {
  readonly action: "created" | "updated" | "unchanged";
  readonly id: number;
  readonly url: string;
}

/** A pull request, as much as the Action needs. */
export interface PullRequestRef {
  readonly number: number;
  readonly headSha: string;
  /** The branch it merges into (`main`, without `refs/heads/`). */
  readonly baseRef: string;
  readonly state: "open" | "closed";
  readonly merged: boolean;
  readonly mergeCommitSha: string | null;
  /** `owner/name` of the head repository (differs from the base for a fork; null when the fork was deleted). */
  readonly headRepo: string | null;
}

/** A check run to create on a commit. `externalId` is where the reviewed plan is pinned. */
export interface CheckRunInput {
  readonly name: string;
  readonly headSha: string;
  readonly externalId: string;
  readonly conclusion: "success" | "failure" | "neutral";
  /** Output title and summary (Markdown), and optional longer text. */
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
}

/** A check run as recorded on a commit. */
export interface RecordedCheck {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  readonly externalId: string | null;
  readonly status: "queued" | "in_progress" | "completed" | string;
  readonly conclusion: string | null;
}

/** A workflow run's status (for telling a live run from one that ended). */
export interface RunStatus {
  readonly status: string;
  readonly conclusion: string | null;
}

/** Why a host call failed, as data (the message words it for the user). */
export type HostFailureKind =
  /** 403 "Resource not accessible by integration": the workflow's `permissions:` lack a scope. */
  | "permissions"
  /** The token may read but not write (a pull request from a fork). */
  | "read-only"
  /** Rate limited, and the retries allowed were used up. */
  | "rate-limited"
  /** 5xx, a reset connection or a timeout, after the retries allowed. */
  | "unavailable"
  /** 401: the token is missing, expired or revoked. */
  | "unauthorized"
  | "not-found"
  /** 422: the host refused the content (a body too long, a bad field). */
  | "invalid"
  | "other";

/** The code-host interface. Every write is serial; reads are paginated to the end. */
export interface CodeHost {
  /**
   * Finds the token's own comment on pull request `pr` whose body starts with `key` (every
   * page is read; comments by anyone else are ignored); null when there is none.
   */
  findComment(pr: number, key: string): Promise<HostComment | null>;
  /**
   * Makes the token's own comment starting with `key` read `body` (which starts with `key`):
   * creates it when absent (or deleted), edits it in place when it differs, and writes
   * nothing when it is the same (`same(existing)`; default: equal text).
   */
  upsertComment(pr: number, key: string, body: string, same?: (existing: string) => boolean): Promise<UpsertResult>;
  /** Creates a completed check run on a commit. */
  createCheckRun(check: CheckRunInput): Promise<{ readonly id: number; readonly url: string }>;
  /** The check runs named `name` on commit `sha`, newest first. */
  listCheckRuns(sha: string, name: string): Promise<RecordedCheck[]>;
  /** The pull requests a commit belongs to (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`). */
  pullsForCommit(sha: string): Promise<PullRequestRef[]>;
  getPull(number: number): Promise<PullRequestRef>;
  /** A workflow run of this repository (null when the token may not read Actions). */
  runStatus(runId: number): Promise<RunStatus | null>;
}
