import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { hasObject } from "../git/pack.js";
import { initRepo } from "../git/init.js";
import { fetchRefs } from "../git/remote.js";
import type { Remote } from "../git/remote.js";
import type { SyncRepository } from "./config.js";
import { repositoryKey } from "./match.js";

/**
 * The agent's repository for one watched entry, under data_dir: a git repository with an
 * empty work tree except the project folder (the engine opens the project there and reads
 * its files as committed at the goal; relative provider paths land in it). It holds the goal
 * commits fetched, the state branch, and the apply journal.
 */
export interface Clone {
  readonly gitdir: string;
  /** The work tree's top. */
  readonly workdir: string;
  /** `workdir` + the entry's project path. */
  readonly projectDir: string;
}

/** The folder of an entry's clone: readable (the repository's last path part and branch) and collision-free (a hash of url, branch, path). */
export function cloneFolderName(entry: SyncRepository): string {
  const key = repositoryKey(entry.url);
  const tail = key.split("/").filter(Boolean).pop() ?? "repo";
  const readable = `${tail}-${entry.branch}`.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
  // An environment gets a clone of its own (unchanged names for entries without one).
  const id = entry.environment === null ? [key, entry.branch, entry.path] : [key, entry.branch, entry.path, entry.environment];
  const hash = createHash("sha256").update(JSON.stringify(id)).digest("hex").slice(0, 12);
  return `${readable}-${hash}`;
}

/** Opens the entry's clone, creating it on first use (a creation cut short is redone). */
export async function openClone(dataDir: string, entry: SyncRepository): Promise<Clone> {
  const workdir = join(dataDir, cloneFolderName(entry));
  await initRepo(workdir, { bare: false });
  const projectDir = entry.path === "." ? workdir : join(workdir, ...entry.path.split("/"));
  mkdirSync(projectDir, { recursive: true });
  return { gitdir: join(workdir, ".git"), workdir, projectDir };
}

/** The ref the goal commit of `branch` is kept under in the clone (so that gc never drops it). */
export function goalRef(branch: string): string {
  return `refs/lxm-sync/goal/${branch}`;
}

/**
 * Makes goal commit `oid` of `branch` present in the clone: fetches that branch only (no
 * tags), unless the commit is already there. Returns whether a fetch was made. Transport
 * errors carry LXM4131–4137.
 */
export async function fetchGoal(clone: Clone, remote: Remote, branch: string, oid: string): Promise<boolean> {
  if (await hasObject(clone.gitdir, oid)) return false;
  await fetchRefs(clone.gitdir, remote, [{ src: `refs/heads/${branch}`, dst: goalRef(branch) }]);
  if (!(await hasObject(clone.gitdir, oid))) {
    // The branch moved on between the poll and the fetch: the commit seen may be gone from it.
    await fetchRefs(clone.gitdir, remote, [{ src: oid }]);
  }
  return true;
}
