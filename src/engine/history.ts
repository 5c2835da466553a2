import { listStateCommits, readStateFiles, resolveStateRev } from "../state/store.js";
import type { StateCommit } from "../state/store.js";
import { inspectStateFiles } from "../state/load.js";
import type { Inspection } from "../state/load.js";
import { catalog } from "../diag/index.js";

/** The `Lexum-Snapshot:` trailer of a state commit's message, or null. */
export function snapshotTrailer(message: string): string | null {
  const m = /^Lexum-Snapshot: (sha256:[0-9a-f]{64})$/m.exec(message);
  return m ? m[1]! : null;
}

/** A state commit with its content checked against itself. */
export interface InspectedCommit extends Inspection {
  readonly commit: StateCommit;
}

export async function inspectCommit(gitdir: string, commit: StateCommit): Promise<InspectedCommit> {
  const files = await readStateFiles({ gitdir, oid: commit.oid });
  return { commit, ...inspectStateFiles(files) };
}

/**
 * Resolves REV|HASH on the state branch to a commit: a revision (`lexum/state~2`, a commit
 * id) or a snapshot hash (`sha256:…`, or a prefix of its hex of at least 7 digits).
 */
export async function resolveSnapshotRef(gitdir: string, branch: string, ref: string | undefined): Promise<StateCommit> {
  const commits = await listStateCommits({ gitdir, branch });
  if (commits.length === 0) throw catalog.engine.noSuchSnapshot.error(branch);
  if (ref === undefined) return commits[0]!;
  const hex = ref.replace(/^sha256:/, "");
  if (/^[0-9a-f]{7,64}$/.test(hex)) {
    const bySnapshot = commits.find((c) => snapshotTrailer(c.message)?.slice("sha256:".length).startsWith(hex));
    if (bySnapshot) return bySnapshot;
  }
  const oid = await resolveStateRev({ gitdir, branch, rev: ref });
  const hit = commits.find((c) => c.oid === oid);
  if (!hit) throw catalog.engine.noSuchSnapshot.error(`${branch} (${ref} is not on it)`);
  return hit;
}

/** The newest commit on the branch recording snapshot `hash`, or null. */
export async function findSnapshotCommit(gitdir: string, branch: string, hash: string): Promise<StateCommit | null> {
  const commits = await listStateCommits({ gitdir, branch });
  return commits.find((c) => snapshotTrailer(c.message) === hash) ?? null;
}
