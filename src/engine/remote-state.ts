import { catalog } from "../diag/index.js";
import { branchRef, readRef } from "../git/index.js";
import { fetchRefs, lsRemote, pushRef } from "../git/remote.js";
import type { Remote } from "../git/remote.js";

/**
 * The state branch shared through a git remote (the Action; the agent). The remote's branch
 * is the truth: before planning, its tip is fetched into the local branch (`pullStateBranch`);
 * after an apply has committed on top of that tip, the new commits are pushed with
 * compare-and-swap against it (`pushStateBranch`), never forced.
 */

/**
 * Makes the local state branch the remote's: fetches its tip (with the history under it)
 * and sets the local branch to it. Returns the tip (null: the remote has no such branch).
 * A local branch the remote lacks is refused (LXM4252): it holds runs nobody else can see.
 */
export async function pullStateBranch(gitdir: string, remote: Remote, branch: string): Promise<string | null> {
  const ref = branchRef(branch);
  const tip = (await lsRemote(gitdir, remote, [ref])).get(ref) ?? null;
  if (tip === null) {
    const local = await readRef({ gitdir, ref });
    if (local !== null) throw catalog.engine.localStateAhead.error(branch, local);
    return null;
  }
  const local = await readRef({ gitdir, ref });
  if (local !== tip) await fetchRefs(gitdir, remote, [{ src: tip, dst: ref }]);
  return tip;
}

/** The result of pushing the state branch: `moved` when the remote's branch is no longer `expect`. */
export type StatePush = { readonly ok: true; readonly oid: string } | { readonly ok: false; readonly reason: "moved" | "refused"; readonly detail: string };

/**
 * Pushes the local state branch to the remote, compare-and-swap: the remote's branch moves
 * only if it still is `expect` (the tip the run planned against; null when it had none).
 */
export async function pushStateBranch(gitdir: string, remote: Remote, branch: string, expect: string | null): Promise<StatePush> {
  const ref = branchRef(branch);
  const oid = await readRef({ gitdir, ref });
  if (oid === null || oid === expect) return { ok: true, oid: oid ?? "" };
  const r = await pushRef(gitdir, remote, { oid, ref, expect });
  return r.ok ? { ok: true, oid } : r;
}
