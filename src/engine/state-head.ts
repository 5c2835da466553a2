import { branchRef, readRef } from "../git/refs.js";
import { readCommitInfo } from "../git/repo.js";
import { LexumError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { readStateFiles } from "../state/store.js";
import { inspectStateFiles } from "../state/load.js";
import type { LoadedSnapshot } from "../state/snapshot.js";
import type { CommitTime } from "../state/store.js";
import { commitProblems, readParentSnapshot } from "./check-commit.js";

/** The head of the state branch: its commit (and that commit's time) and its verified snapshot. */
export interface StateHead {
  readonly oid: string;
  readonly time: CommitTime;
  readonly loaded: LoadedSnapshot;
}

/**
 * Reads and verifies the head snapshot of the state branch. null when the branch does not
 * exist yet; a damaged head (or an empty ref file) is an error, never a fresh start. The
 * head commit is checked the way `lxm state verify` checks a commit (check-commit.ts: its
 * tree, trailers, subject, single parent and the parent's snapshot hash), so nothing is
 * planned or recorded on top of a commit verify rejects (LXM4204, naming the commit).
 */
export async function readStateHead(opts: { gitdir: string; branch: string }): Promise<StateHead | null> {
  const oid = await readRef({ gitdir: opts.gitdir, ref: branchRef(opts.branch) });
  if (oid === null) return null;
  const damaged = (problem: string) => catalog.engine.corruptState.error(opts.branch, oid, problem);
  let files: Map<string, Uint8Array>;
  let info;
  try {
    info = await readCommitInfo({ gitdir: opts.gitdir, oid });
    files = await readStateFiles({ gitdir: opts.gitdir, oid });
  } catch (e) {
    if (e instanceof LexumError) throw damaged(e.message);
    throw e;
  }
  const ins = inspectStateFiles(files);
  const parentOid = info.parents[0];
  const parent = parentOid === undefined ? null : await readParentSnapshot(opts.gitdir, parentOid);
  const problems = commitProblems(
    { oid, parents: info.parents, message: info.message, time: info.time },
    ins,
    parent !== null && "problem" in parent ? null : parent,
    parent !== null && "problem" in parent ? parent.problem : undefined,
  );
  if (!ins.loaded || problems.length) throw damaged(problems[0] ?? "unreadable snapshot");
  return { oid, time: info.time, loaded: ins.loaded };
}

/** The commit the state branch points at now (null when it does not exist yet), without reading its snapshot. */
export async function readStateHeadOid(opts: { gitdir: string; branch: string }): Promise<string | null> {
  return readRef({ gitdir: opts.gitdir, ref: branchRef(opts.branch) });
}
