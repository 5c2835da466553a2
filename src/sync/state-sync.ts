import { branchRef, readRef } from "../git/index.js";
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

export async function syncStateBranch(gitdir: string, remote: Remote, branch: string, remoteTip: string | null): Promise<{ tip: string | null; pushed: boolean }> {
  const ref = branchRef(branch);
  let tip = remoteTip;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const local = await readRef({ gitdir, ref });
    if (local === tip) return { tip, pushed: false };
    if (local !== null && (tip === null || (await isAncestor(gitdir, tip, local)))) {
      const r = await pushRef(gitdir, remote, { oid: local, ref, expect: tip });
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
