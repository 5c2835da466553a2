import { LexumError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { branchRef, readRef } from "../git/refs.js";
import { readCommitInfo } from "../git/repo.js";
import type { StateCommit } from "../state/store.js";
import { inspectCommit } from "./history.js";
import { commitProblems } from "./check-commit.js";
import type { ParentSnapshot } from "./check-commit.js";

/** The first problem found on the branch, naming the commit; null when everything verifies. */
export interface VerifyReport {
  readonly commits: number;
  readonly bad: { readonly oid: string; readonly problems: string[] } | null;
}

/**
 * Recomputes every snapshot's hash (oldest first) and checks each commit the way plan and
 * apply check the head (check-commit.ts): its tree against its snapshot.json (records,
 * trace, plan), its trailers and subject against the snapshot, a single parent, and the
 * parent chain (snapshot.parent = the parent commit's snapshot hash; lastQuiescent follows).
 * A commit or object that cannot be read throws LXM4204 naming the commit that holds it
 * and the object; a parent commit that cannot be read is a problem of its child.
 */
export async function verifyBranch(gitdir: string, branch: string): Promise<VerifyReport> {
  // Newest first along first parents; a parent that cannot be read ends the walk there.
  const commits: StateCommit[] = [];
  let unreadable: { oid: string; problem: string } | null = null;
  let oid = await readRef({ gitdir, ref: branchRef(branch) });
  while (oid !== null) {
    try {
      const c = await readCommitInfo({ gitdir, oid });
      commits.push({ oid, parents: c.parents, message: c.message, time: c.time });
      oid = c.parents[0] ?? null;
    } catch (e) {
      if (!(e instanceof LexumError)) throw e;
      const child = commits[commits.length - 1];
      if (!child) throw catalog.engine.corruptState.error(branch, oid, e.message);
      unreadable = { oid, problem: `its parent commit ${oid} cannot be read: ${e.message}` };
      break;
    }
  }
  commits.reverse();
  let prev: ParentSnapshot | null = null;
  for (const [i, c] of commits.entries()) {
    let ins;
    try {
      ins = await inspectCommit(gitdir, c);
    } catch (e) {
      // An object that cannot be read: a coded error naming the commit and the object.
      if (e instanceof LexumError) throw catalog.engine.corruptState.error(branch, c.oid, e.message);
      throw e;
    }
    const problems = commitProblems(c, ins, prev, i === 0 && unreadable ? unreadable.problem : undefined);
    if (problems.length) return { commits: commits.length, bad: { oid: c.oid, problems } };
    const s = ins.loaded?.snapshot;
    prev = ins.loaded && s ? { oid: c.oid, hash: ins.loaded.hash, status: s.status, lastQuiescent: s.lastQuiescent, resources: s.resources, exports: s.exports } : null;
  }
  return { commits: commits.length, bad: null };
}
