import { leaseLost } from "../diag/catalog/sync.js";
import { branchRef, encodeCommit, encodeTree, fetchRefs, lsRemote, pushRef, pushRefsAtomic, readCommitInfo, readRef, writeObjects } from "../git/index.js";
import type { PushResult, Remote } from "../git/index.js";
import { PushRefused } from "./state-sync.js";

/**
 * The lease's epoch enforced by the remote itself. Beside each state branch a replica keeps a
 * fence ref, `refs/lexum/fence/<state branch>`, a chain of empty commits each naming the
 * epoch and replica that wrote it. A replica that takes a lease first moves the fence to its
 * epoch (refusing a fence already at a newer one); every state push then moves the state
 * branch and the fence together in one atomic push, compare-and-swap on both. A replica whose
 * lease was taken over finds the fence moved and its push refused whole, however long it was
 * paused between its last check and the push: no state commit is ever pushed under a stale
 * epoch.
 */

/** The fence ref of a state branch. */
export function fenceRef(stateBranch: string): string {
  return `refs/lexum/fence/${stateBranch}`;
}

/** A commit's `Lexum-Epoch` and `Lexum-Replica` trailers (the fence's and the agent's snapshots' alike), or null. */
export function leaseTrailers(message: string): { epoch: number; replica: string } | null {
  const epoch = /^Lexum-Epoch: ([0-9]+)$/m.exec(message)?.[1];
  const replica = /^Lexum-Replica: (\S+)$/m.exec(message)?.[1];
  return epoch === undefined || replica === undefined ? null : { epoch: Number(epoch), replica };
}

const SIGNATURE = { name: "lxm-sync", email: "lxm-sync@lexum.invalid", seconds: 0, tzOffsetMinutes: 0 };

export interface FenceOptions {
  readonly gitdir: string;
  readonly remote: Remote;
  readonly stateBranch: string;
  /** The lease key (the entry's name), for messages. */
  readonly repo: string;
  readonly epoch: number;
  readonly replica: string;
  /** Asks the coordination server whether the lease is still this replica's at `epoch`. */
  readonly confirm: () => Promise<boolean>;
}

export class Fence {
  private constructor(
    private readonly o: FenceOptions,
    private tip: string,
  ) {}

  get epoch(): number {
    return this.o.epoch;
  }

  /**
   * Moves the remote's fence to this lease's epoch, before anything is done under it. Throws
   * LXM7015 when the lease is not held any more, or a replica with a newer lease fenced first.
   */
  static async take(o: FenceOptions): Promise<Fence> {
    const lost = (why: string) => leaseLost.error(o.repo, o.epoch, why);
    if (!(await o.confirm())) throw lost("the coordination server no longer gives it to this replica");
    const ref = fenceRef(o.stateBranch);
    let tip = (await lsRemote(o.gitdir, o.remote, [ref])).get(ref) ?? null;
    if (tip !== null) {
      await fetchRefs(o.gitdir, o.remote, [{ src: ref, dst: ref }]);
      tip = await readRef({ gitdir: o.gitdir, ref });
      const at = leaseTrailers((await readCommitInfo({ gitdir: o.gitdir, oid: tip! })).message);
      if (at !== null && (at.epoch > o.epoch || (at.epoch === o.epoch && at.replica !== o.replica))) throw lost(`the remote is fenced at epoch ${at.epoch} by ${at.replica}`);
      if (at !== null && at.epoch === o.epoch) return new Fence(o, tip!);
    }
    const next = await fenceCommit(o, tip);
    const r = await pushRef(o.gitdir, o.remote, { oid: next, ref, expect: tip });
    if (!r.ok && r.reason === "refused") throw new PushRefused(ref, r.detail);
    if (!r.ok) throw lost("another replica fenced the remote first");
    return new Fence(o, next);
  }

  /**
   * Moves the remote's state branch from `expect` to `oid` and the fence one step, in one
   * atomic push. Throws LXM7015 when the lease is lost (asked of the server first) or the
   * fence moved; else the push's result (`moved`: the state branch moved).
   */
  async push(oid: string, expect: string | null): Promise<PushResult> {
    if (oid === expect) return { ok: true };
    if (!(await this.o.confirm())) throw leaseLost.error(this.o.repo, this.o.epoch, "the coordination server no longer gives it to this replica");
    const ref = fenceRef(this.o.stateBranch);
    const next = await fenceCommit(this.o, this.tip);
    const r = await pushRefsAtomic(this.o.gitdir, this.o.remote, [
      { ref: branchRef(this.o.stateBranch), expect, oid },
      { ref, expect: this.tip, oid: next },
    ]);
    if (r.ok) this.tip = next;
    else if (r.moved?.includes(ref)) throw leaseLost.error(this.o.repo, this.o.epoch, "a replica with a newer lease fenced the remote");
    return r;
  }

  /** Whether the local state commit `oid` was written under this lease (its trailers). */
  async wrote(oid: string): Promise<boolean> {
    const at = leaseTrailers((await readCommitInfo({ gitdir: this.o.gitdir, oid })).message);
    return at !== null && at.epoch === this.o.epoch && at.replica === this.o.replica;
  }
}

/** The next fence commit (empty tree, fixed signature: only its parent, epoch and replica vary). */
async function fenceCommit(o: FenceOptions, parent: string | null): Promise<string> {
  const tree = encodeTree([]);
  const commit = encodeCommit({
    tree: tree.oid,
    parents: parent === null ? [] : [parent],
    author: SIGNATURE,
    committer: SIGNATURE,
    message: `lxm-sync lease of ${o.stateBranch}\n\nLexum-Epoch: ${o.epoch}\nLexum-Replica: ${o.replica}\n`,
  });
  await writeObjects(o.gitdir, [tree, commit]);
  return commit.oid;
}
