import { InternalError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { stateBranchMoved } from "../diag/catalog/runtime.js";
import { commonDir } from "../git/common-dir.js";
import { boundFailureMessage, buildFailureTree } from "../state/records.js";
import type { CommitTime } from "../state/store.js";
import { writeStateCommit } from "../state/store.js";
import { acquireApplyLock } from "./apply-lock.js";
import type { Recorded } from "./apply-project.js";
import { journalName, pendingJournal } from "./recover-journal.js";
import { readStateHead } from "./state-head.js";
import { withTrailers } from "./trailers.js";
import type { Trailer } from "./trailers.js";

/** A goal commit that never ran, to record on the state branch (recordFailure). */
export interface FailureRecordOptions {
  readonly gitdir: string;
  readonly branch: string;
  /**
   * The goal commit (40 hex digits) and the time the record's commit carries: the goal
   * commit's time, or, for a commit that could not be fetched, the state head commit's time.
   */
  readonly goal: { readonly commit: string; readonly time: CommitTime };
  /** The project path, posix, "" for the top (as SnapshotSource.path). */
  readonly path: string;
  readonly reason: "fetch-failed" | "compile-failed";
  /** Why, in words, already free of secrets; may span lines (compile diagnostics); bounded to 16 KiB on a line. */
  readonly message: string;
  /** Extra trailers on the commit (checked as apply checks them: LXM4251). */
  readonly trailers?: readonly Trailer[];
  /**
   * The head the caller decided on (null: the branch must not exist yet). When given, the
   * record is written only on it: another current head → LXM4101, nothing written. Without
   * it, the head as read now.
   */
  readonly expectedHead?: string | null;
}

/**
 * Records a goal commit that never ran (it could not be fetched, or did not compile) as one
 * state commit on top of the branch's head: a failure record (`kind: "failure"`, status
 * `failed`; see state/records.ts) holding the head's resources and exports unchanged, so the
 * branch says the last goal failed while its state still describes the world. The next good
 * goal is planned against those resources and records a snapshot ("the last run failed").
 *
 * Under the apply lock (LXM4214 while an apply runs), on a head that verifies (LXM4204), never
 * over a killed apply's journal that awaits recovery (LXM4253); the branch moves by
 * compare-and-swap against the head read (LXM4101 if it moved: nothing written).
 * Deterministic: the commit's time is `goal.time`, so the same head and inputs give the same
 * commit id in any repository.
 */
export async function recordFailure(opts: FailureRecordOptions): Promise<Recorded & { readonly status: "failed" }> {
  if (!/^[0-9a-f]{40}$/.test(opts.goal.commit)) throw new InternalError(`recordFailure: goal commit ${JSON.stringify(opts.goal.commit)} is not 40 hex digits`);
  if (opts.reason !== "fetch-failed" && opts.reason !== "compile-failed") throw new InternalError(`recordFailure: reason ${JSON.stringify(opts.reason)}`);
  if (opts.path.startsWith("/") || opts.path.endsWith("/") || opts.path.includes("\\") || opts.path.split("/").some((p) => p === ".." || p === ".")) {
    throw new InternalError(`recordFailure: project path ${JSON.stringify(opts.path)} is not a relative posix path`);
  }
  const trailers = opts.trailers ?? [];
  withTrailers("", trailers); // a bad trailer is refused before anything is read or locked
  const release = await acquireApplyLock(await commonDir(opts.gitdir), journalName(opts.branch));
  try {
    const head = await readStateHead({ gitdir: opts.gitdir, branch: opts.branch });
    const headOid = head?.oid ?? null;
    if (opts.expectedHead !== undefined && opts.expectedHead !== headOid) throw stateBranchMoved.error(opts.branch, opts.expectedHead, headOid);
    const pending = await pendingJournal(opts.gitdir, opts.branch, headOid);
    if (pending) throw catalog.engine.interruptedRunPending.error(opts.branch, pending);
    const tree = buildFailureTree({
      parent: head?.loaded ?? null,
      source: { commit: opts.goal.commit, path: opts.path },
      reason: opts.reason,
      message: boundFailureMessage(opts.message),
    });
    const { oid } = await writeStateCommit({
      gitdir: opts.gitdir,
      branch: opts.branch,
      expectedParent: headOid,
      files: tree.files,
      message: withTrailers(tree.message, trailers),
      time: opts.goal.time,
    });
    return { oid, hash: tree.hash, status: "failed" };
  } finally {
    await release();
  }
}
