import { branchRef, readRef } from "../git/refs.js";
import { catalog } from "../diag/index.js";
import { readStateFiles } from "../state/store.js";
import { inspectStateFiles } from "../state/load.js";
import type { LoadedSnapshot } from "../state/snapshot.js";

/** The head of the state branch: its commit and its verified snapshot. */
export interface StateHead {
  readonly oid: string;
  readonly loaded: LoadedSnapshot;
}

/**
 * Reads and verifies the head snapshot of the state branch. null when the branch does not
 * exist yet; a damaged head (or an empty ref file) is an error, never a fresh start.
 */
export async function readStateHead(opts: { gitdir: string; branch: string }): Promise<StateHead | null> {
  const oid = await readRef({ gitdir: opts.gitdir, ref: branchRef(opts.branch) });
  if (oid === null) return null;
  const files = await readStateFiles({ gitdir: opts.gitdir, oid });
  const { loaded, problems } = inspectStateFiles(files);
  if (!loaded || problems.length) throw catalog.engine.corruptState.error(opts.branch, oid, problems[0] ?? "unreadable snapshot");
  return { oid, loaded };
}

/** The commit the state branch points at now (null when it does not exist yet), without reading its snapshot. */
export async function readStateHeadOid(opts: { gitdir: string; branch: string }): Promise<string | null> {
  return readRef({ gitdir: opts.gitdir, ref: branchRef(opts.branch) });
}
