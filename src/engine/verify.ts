import { LexumError } from "../diag/diagnostic.js";
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
 * A commit or object that cannot be read is a problem of the commit that holds it.
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
      if (!child) return { commits: 1, bad: { oid, problems: [`the commit cannot be read: ${e.message}`] } };
      unreadable = { oid, problem: `its parent commit ${oid} cannot be read: ${e.message}` };
      break;
    }
  }
  commits.reverse();
  let prev: ParentSnapshot | null = null;
  for (const [i, c] of commits.entries()) {
    let problems: string[];
    let next: ParentSnapshot | null = null;
    try {
      const ins = await inspectCommit(gitdir, c);
      problems = commitProblems(c, ins, prev, i === 0 && unreadable ? unreadable.problem : undefined);
      if (ins.loaded) next = { oid: c.oid, hash: ins.loaded.hash, status: ins.loaded.snapshot.status, lastQuiescent: ins.loaded.snapshot.lastQuiescent };
    } catch (e) {
      if (!(e instanceof LexumError)) throw e;
      problems = [e.message];
    }
    if (problems.length) return { commits: commits.length, bad: { oid: c.oid, problems } };
    prev = next;
  }
  return { commits: commits.length, bad: null };
}
