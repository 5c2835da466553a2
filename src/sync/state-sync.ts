import { branchRef, deleteRef, readRef } from "../git/index.js";
import type { Fence } from "./fence.js";
import { isAncestor } from "../git/init.js";
import { fetchRefs, lsRemote, pushRef } from "../git/remote.js";
import type { Remote } from "../git/remote.js";

/**
 * The clone's state branch made to agree with the remote's before anything is planned on it,
 * without losing completed work:
 * - the same commit: nothing to do;
 * - the local branch is ahead (it holds snapshots committed but not pushed — a kill between
 *   the commit and the push, or a push the remote refused): they are pushed, compare-and-swap
 *   against the remote's tip;
 * - the remote is ahead, or the two diverged (another agent recorded first): the remote is
 *   the truth and the local branch is set to it. Diverged local commits recorded what this
 *   agent did to the world; they are dropped, and the plan that follows starts from the
 *   remote's record (an apply after a lost race reads the world back).
 * Returns the remote tip after it (what a push must expect) and whether a push was made.
 *
 * A replica holding a lease (`fence`) pushes only local snapshots written under that lease;
 * others (written under an older lease, which another replica may have taken over since)
 * are dropped like diverged ones: pushing them would record under a stale epoch.
 */

/** A state push the remote declined (a hook, a protected branch): the snapshots stay in the clone and are pushed at the next poll. */
export class PushRefused extends Error {
  constructor(
    readonly branch: string,
    readonly detail: string,
  ) {
    super(`the remote refused the push of ${branch}: ${detail}`);
    this.name = "PushRefused";
  }
}

/** How many times the remote's branch may move under one sync before it gives up (the next poll tries again). */
const ATTEMPTS = 3;

export async function syncStateBranch(gitdir: string, remote: Remote, branch: string, remoteTip: string | null, fence?: Fence): Promise<{ tip: string | null; pushed: boolean; dropped?: string }> {
  const ref = branchRef(branch);
  let tip = remoteTip;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const local = await readRef({ gitdir, ref });
    if (local === tip) return { tip, pushed: false };
    if (local !== null && (tip === null || (await isAncestor(gitdir, tip, local)))) {
      if (fence && !(await fence.wrote(local))) {
        if (tip === null) {
          await deleteRef({ gitdir, ref, expected: local });
          return { tip, pushed: false, dropped: local };
        }
        await fetchRefs(gitdir, remote, [{ src: ref, dst: ref }]);
        return { tip: await readRef({ gitdir, ref }), pushed: false, dropped: local };
      }
      const r = fence ? await fence.push(local, tip) : await pushRef(gitdir, remote, { oid: local, ref, expect: tip });
      if (r.ok) return { tip: local, pushed: true };
      if (r.reason === "refused") throw new PushRefused(branch, r.detail);
      tip = (await lsRemote(gitdir, remote, [ref])).get(ref) ?? null;
      continue;
    }
    if (tip === null) return { tip, pushed: false }; // unreachable: local null === tip null above
    await fetchRefs(gitdir, remote, [{ src: ref, dst: ref }]);
    const now = await readRef({ gitdir, ref });
    return { tip: now, pushed: false };
  }
  throw new Error(`the remote's ${branch} kept moving while it was read`);
}
