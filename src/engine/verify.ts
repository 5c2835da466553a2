import { listStateCommits } from "../state/store.js";
import { inspectCommit, snapshotTrailer } from "./history.js";

/** The first problem found on the branch, naming the commit; null when everything verifies. */
export interface VerifyReport {
  readonly commits: number;
  readonly bad: { readonly oid: string; readonly problems: string[] } | null;
}

/**
 * Recomputes every snapshot's hash (oldest first), checks each commit's tree against its
 * snapshot.json (records, trace, plan), the commit's trailer against the snapshot, and the
 * parent chain (snapshot.parent = the parent commit's snapshot hash; lastQuiescent follows).
 */
export async function verifyBranch(gitdir: string, branch: string): Promise<VerifyReport> {
  const commits = (await listStateCommits({ gitdir, branch })).reverse();
  let prevHash: string | null = null;
  let prevLastQuiescent: string | null = null;
  let prevStatus: string | null = null;
  for (const c of commits) {
    const ins = await inspectCommit(gitdir, c);
    const problems = [...ins.problems];
    if (ins.loaded) {
      const s = ins.loaded.snapshot;
      const trailer = snapshotTrailer(c.message);
      if (trailer !== ins.loaded.hash) problems.push(`the commit message names snapshot ${trailer ?? "(none)"} but the tree holds ${ins.loaded.hash}`);
      if (s.parent !== prevHash) problems.push(`snapshot.parent is ${s.parent ?? "null"} but the parent commit holds ${prevHash ?? "no snapshot"}`);
      const expectedLq: string | null = prevHash === null ? null : prevStatus === "quiescent" ? prevHash : prevLastQuiescent;
      if (s.lastQuiescent !== expectedLq) problems.push(`snapshot.lastQuiescent is ${s.lastQuiescent ?? "null"}, expected ${expectedLq ?? "null"}`);
      prevHash = ins.loaded.hash;
      prevLastQuiescent = s.lastQuiescent;
      prevStatus = s.status;
    }
    if (c.parents.length > 1) problems.push("a state commit has more than one parent (the branch must be linear)");
    if (problems.length) return { commits: commits.length, bad: { oid: c.oid, problems } };
  }
  return { commits: commits.length, bad: null };
}
