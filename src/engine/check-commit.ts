import { LexumError } from "../diag/diagnostic.js";
import { inspectStateFiles } from "../state/load.js";
import type { Inspection } from "../state/load.js";
import { readStateFile } from "../state/store.js";
import { lastQuiescentAfter, sourceTrailer } from "../state/snapshot.js";
import type { Snapshot } from "../state/snapshot.js";
import { canonicalize } from "../program/canonical.js";
import type { StateCommit } from "../state/store.js";

/** What a state commit's parent commit holds, as far as the commit on top of it must agree. */
export interface ParentSnapshot {
  readonly oid: string;
  /** The hash its snapshot.json content hashes to (recomputed, not the stated one). */
  readonly hash: string;
  readonly status: Snapshot["status"];
  readonly lastQuiescent: string | null;
  /** Its resources (address → record hash) and exports: a failure record on top must hold exactly these. */
  readonly resources: Snapshot["resources"];
  readonly exports: Snapshot["exports"];
}

/** Every value of trailer `key` in a commit message (any line `Key: value`), in order. */
export function trailerValues(message: string, key: string): string[] {
  const out: string[] = [];
  for (const line of message.split("\n")) if (line.startsWith(`${key}: `)) out.push(line.slice(key.length + 2));
  return out;
}

/**
 * Checks one state commit the way `lxm state verify` does, given its tree's inspection
 * (state/load.ts) and what its parent commit holds (null when it has none, or when the
 * parent could not be read: `parentProblem` then says why). The commit must have at most
 * one parent; the snapshot's `parent` must name the parent commit's snapshot (null exactly
 * for a root commit) and its `lastQuiescent` follow from the parent; the message must carry
 * exactly one `Lexum-Snapshot:` (the tree's snapshot hash), one `Lexum-Plan:` (snapshot.plan,
 * `none` for a failure record) and one `Lexum-Source:` trailer (snapshot.source), and its
 * subject the snapshot's status. A failure record (a goal that never ran) must hold its
 * parent's resources (the same record hashes) and exports. Pure; returns the problems in
 * words (empty: the commit verifies).
 * Plan and apply run it on the head before building on it; verify on every commit.
 */
export function commitProblems(commit: StateCommit, ins: Inspection, parent: ParentSnapshot | null, parentProblem?: string): string[] {
  const problems = [...ins.problems];
  if (commit.parents.length > 1) problems.push(`the commit has ${commit.parents.length} parents (${commit.parents.join(", ")}); the branch must be linear`);
  if (parentProblem) problems.push(parentProblem);
  if (!ins.loaded) return problems;
  const hash = ins.loaded.hash;
  const s = ins.loaded.snapshot;

  if (!parentProblem) {
    if (parent === null && s.parent !== null) problems.push(`snapshot.parent is ${s.parent} but the commit has no parent`);
    else if (parent !== null && s.parent !== parent.hash) problems.push(`snapshot.parent is ${s.parent ?? "null"} but the parent commit holds ${parent.hash}`);
    const expectedLq = lastQuiescentAfter(parent && { hash: parent.hash, snapshot: parent });
    if (s.lastQuiescent !== expectedLq) problems.push(`snapshot.lastQuiescent is ${s.lastQuiescent ?? "null"}, expected ${expectedLq ?? "null"}`);
    if (s.kind === "failure") {
      // Nothing ran: the world, and so the record of it, is the parent's.
      if (canonicalize(s.resources) !== canonicalize(parent?.resources ?? {})) problems.push("a failure record holds its parent's resources, but snapshot.json's differ from the parent commit's");
      if (canonicalize(s.exports) !== canonicalize(parent?.exports ?? {})) problems.push("a failure record holds its parent's exports, but snapshot.json's differ from the parent commit's");
    }
    if (s.kind === "edit") {
      // Nothing ran: the outcome and the world are the parent's; only records were edited.
      if (parent === null) problems.push("an edit record edits its parent's state, but the commit has no parent");
      else {
        if (s.status !== parent.status) problems.push(`an edit record keeps its parent's status, but snapshot.json says ${s.status} and the parent commit ${parent.status}`);
        if (canonicalize(s.exports) !== canonicalize(parent.exports)) problems.push("an edit record holds its parent's exports, but snapshot.json's differ from the parent commit's");
      }
    }
  }

  const snapshots = trailerValues(commit.message, "Lexum-Snapshot");
  if (snapshots.length !== 1 || snapshots[0] !== hash) {
    const named = snapshots.length === 0 ? "(none)" : snapshots.join(", ");
    problems.push(`the commit message names snapshot ${named} but the tree holds ${hash}${snapshots.length > 1 ? " (exactly one Lexum-Snapshot trailer expected)" : ""}`);
  }
  const plans = trailerValues(commit.message, "Lexum-Plan");
  const plan = s.plan ?? "none";
  if (plans.length !== 1 || plans[0] !== plan) {
    problems.push(`the commit message names plan ${plans.length === 0 ? "(none)" : plans.join(", ")} but snapshot.json names ${plan}`);
  }
  const source = sourceTrailer(s.source);
  const sources = trailerValues(commit.message, "Lexum-Source");
  if (sources.length !== 1 || sources[0] !== source) {
    problems.push(`the commit message names source ${sources.length === 0 ? "(none)" : sources.join(", ")} but snapshot.json names ${source}`);
  }
  const subject = commit.message.split("\n")[0] ?? "";
  const status = /^lexum: (\S+) snapshot /.exec(subject)?.[1];
  if (status !== s.status) problems.push(`the commit subject "${subject}" gives status ${status ?? "(none)"} but snapshot.json says ${s.status}`);
  return problems;
}

/**
 * Reads what parent commit `oid` holds for checking the commit on top of it: its
 * snapshot.json, whose hash is recomputed from its content. A problem in words (naming the
 * commit) when it cannot be read or is not a snapshot.
 */
export async function readParentSnapshot(gitdir: string, oid: string): Promise<ParentSnapshot | { problem: string }> {
  let bytes: Uint8Array | null;
  try {
    bytes = await readStateFile({ gitdir, oid, path: "snapshot.json" });
  } catch (e) {
    if (!(e instanceof LexumError)) throw e;
    return { problem: `the parent commit ${oid} cannot be read: ${e.message}` };
  }
  if (bytes === null) return { problem: `the parent commit ${oid} holds no snapshot.json` };
  const ins = inspectStateFiles(new Map([["snapshot.json", bytes]]), { snapshotOnly: true });
  if (!ins.loaded) return { problem: `the parent commit ${oid} holds no readable snapshot (${ins.problems[0] ?? "unreadable"})` };
  const s = ins.loaded.snapshot;
  return { oid, hash: ins.loaded.hash, status: s.status, lastQuiescent: s.lastQuiescent, resources: s.resources, exports: s.exports };
}
