import { catalog } from "../diag/index.js";
import { encodeCommit, encodeTree, readCommitInfo, writeObjects } from "../git/index.js";
import { fetchRefs, lsRemote, pushRef, deleteRemoteRef } from "../git/remote.js";
import type { Remote } from "../git/remote.js";
import type { RunStatus } from "./types.js";

/**
 * One apply at a time per state branch, across runners: a lock ref on the remote
 * (`refs/lexum/locks/<state branch>`) created with compare-and-swap (only if absent), naming
 * the workflow run that holds it. The workflow's `concurrency:` group already serialises
 * applies; this lock holds when it is missing or two workflows share a state branch.
 * It cannot get stuck: a lock whose run has completed (asked of the host) is taken over
 * with compare-and-swap on the lock's own value; when the host cannot tell (no `actions:
 * read`), a lock older than the longest a hosted job may run (6 hours) is.
 */

export interface LockOwner {
  /** `owner/repo` and the workflow run id (0: a run that did not say) and attempt holding it. */
  readonly repository: string;
  readonly runId: number;
  readonly attempt: number;
}

export interface LockOptions {
  readonly gitdir: string;
  readonly remote: Remote;
  readonly branch: string;
  readonly owner: LockOwner;
  /** Wall-clock now, in seconds (the lock's commit time; only used to age a lock). */
  readonly now: () => number;
  /** How long to wait for a live holder before giving up, in seconds. */
  readonly waitSeconds: number;
  /** Seconds between looks at a held lock. */
  readonly pollSeconds: number;
  /** The status of a workflow run of this repository (null: the token may not tell). */
  readonly runStatus: (runId: number) => Promise<RunStatus | null>;
  /** Told each time the lock is found held by a live run. */
  readonly onWait?: (holder: LockOwner) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A held lock: release it (compare-and-swap on its value, so a lock taken over is left alone). */
export interface HeldLock {
  readonly ref: string;
  readonly oid: string;
  release(): Promise<void>;
}

const STALE_SECONDS = 6 * 60 * 60;

export function lockRef(branch: string): string {
  return `refs/lexum/locks/${branch}`;
}

/** Takes the lock, waiting for a live holder up to `waitSeconds`, taking over a dead one's. */
export async function acquireRemoteLock(o: LockOptions): Promise<HeldLock> {
  const ref = lockRef(o.branch);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = o.now() + o.waitSeconds;
  for (;;) {
    const current = (await lsRemote(o.gitdir, o.remote, [ref])).get(ref) ?? null;
    let parent: string | null = null;
    if (current !== null) {
      await fetchRefs(o.gitdir, o.remote, [{ src: current }], { depth: 1 });
      const info = await readCommitInfo({ gitdir: o.gitdir, oid: current });
      const holder = parseOwner(info.message);
      if (!(await isStale(o, holder, info.time.seconds))) {
        if (o.now() >= deadline) throw catalog.action.lockHeld.error(o.branch, holder ? `${holder.repository} run ${holder.runId}` : "an unknown run", o.waitSeconds);
        if (holder) o.onWait?.(holder);
        await sleep(o.pollSeconds * 1000);
        continue;
      }
      parent = current;
    }
    const oid = await writeLockCommit(o, parent);
    const pushed = await pushRef(o.gitdir, o.remote, { oid, ref, expect: current });
    if (pushed.ok) {
      return {
        ref,
        oid,
        release: async () => {
          await deleteRemoteRef(o.gitdir, o.remote, ref, oid);
        },
      };
    }
    if (pushed.reason === "refused") throw catalog.action.lockRefused.error(o.branch, pushed.detail);
    // moved: another run took it between our look and our push; look again.
  }
}

async function isStale(o: LockOptions, holder: LockOwner | null, since: number): Promise<boolean> {
  if (holder && holder.repository === o.owner.repository && holder.runId !== 0) {
    // This very run's: a re-run attempt starts only after the earlier attempt ended.
    if (holder.runId === o.owner.runId) return true;
    const status = await o.runStatus(holder.runId);
    if (status !== null) return status.status === "completed";
  }
  return o.now() - since > STALE_SECONDS;
}

async function writeLockCommit(o: LockOptions, parent: string | null): Promise<string> {
  const tree = encodeTree([]);
  const sig = { name: "Lexum", email: "lexum@users.noreply.github.com", seconds: Math.floor(o.now()), tzOffsetMinutes: 0 };
  const commit = encodeCommit({
    tree: tree.oid,
    parents: parent ? [parent] : [],
    author: sig,
    committer: sig,
    message: `lexum: apply lock for ${o.branch}\n\nLexum-Lock-Run: ${o.owner.repository} ${o.owner.runId} ${o.owner.attempt}\n`,
  });
  await writeObjects(o.gitdir, [tree, commit]);
  return commit.oid;
}

function parseOwner(message: string): LockOwner | null {
  const m = /^Lexum-Lock-Run: (\S+) (\d+) (\d+)$/m.exec(message);
  return m ? { repository: m[1]!, runId: Number(m[2]), attempt: Number(m[3]) } : null;
}
