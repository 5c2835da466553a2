import { catalog } from "../diag/index.js";
import { inspectCommit, resolveSnapshotRef, snapshotTrailer } from "../engine/history.js";
import { readTreeFiles } from "../git/repo.js";
import { editWords } from "../state/records.js";
import type { Plan } from "../plan/types.js";
import { parseTraceJsonl } from "../runtime/trace.js";
import { listStateCommits, readStateFile } from "../state/store.js";
import type { StateCommit } from "../state/store.js";
import type { RunView } from "./model.js";

/**
 * Loads one run from the state branch as a RunView (the I/O edge of the viewers).
 * `ref` is anything `lxm state show` accepts (a revision of the branch, a commit id, a
 * snapshot hash or a hex prefix of one); omitted → the branch head. The commit must verify
 * against itself: otherwise LXM4204 naming the first problem. No state branch → LXM4210.
 * Sources are the `.lxm` files of the goal commit under the project path; {} when the run
 * was planned from a working tree or the goal commit is not in this repository.
 */
export async function loadRunView(args: { gitdir: string; branch: string; ref?: string }): Promise<RunView> {
  const { gitdir, branch } = args;
  const commit = await resolveSnapshotRef(gitdir, branch, args.ref);
  const inspected = await inspectCommit(gitdir, commit);
  if (inspected.problems.length > 0 || !inspected.loaded) {
    throw catalog.engine.corruptState.error(branch, commit.oid, inspected.problems[0] ?? "snapshot.json is unreadable");
  }
  const { snapshot, hash } = inspected.loaded;
  const decoder = new TextDecoder();
  // inspectCommit checked that both files exist (a failure record has no plan.json) and match the snapshot's hashes.
  const traceBytes = await readStateFile({ gitdir, oid: commit.oid, path: "trace.jsonl" });
  const planBytes = snapshot.plan === null ? null : await readStateFile({ gitdir, oid: commit.oid, path: "plan.json" });
  const events = parseTraceJsonl(decoder.decode(traceBytes!));
  const plan = planBytes === null ? noPlan(snapshot.parent) : (JSON.parse(decoder.decode(planBytes)) as Plan);
  return {
    commit: commit.oid,
    snapshot: hash,
    status: snapshot.status,
    ...(snapshot.kind !== undefined ? { kind: snapshot.kind, failure: snapshot.failure } : {}),
    ...(snapshot.kind === "edit" ? { edit: editWords(snapshot.edit) } : {}),
    events,
    plan,
    sources: await loadSources(gitdir, snapshot.source.commit, snapshot.source.path),
    history: await loadHistory({ gitdir, branch }),
  };
}

/**
 * What stands for the plan of a failure record (a goal commit that never ran, so no plan was
 * made): no steps, nothing counted; its `hash` and `program` are empty (it hashes nothing).
 */
function noPlan(prior: string | null): Plan {
  return { format: "lexum.plan/v1", program: "", prior, refreshed: false, steps: [], summary: { create: 0, update: 0, replace: 0, delete: 0, noop: 0 }, hash: "" };
}

/** The branch's runs, newest first, from the commit messages alone (no tree is read). */
export async function loadHistory(args: { gitdir: string; branch: string }): Promise<RunView["history"]> {
  return (await listStateCommits(args)).map(historyEntry);
}

async function loadSources(gitdir: string, goal: string | null, path: string): Promise<{ [file: string]: string }> {
  if (goal === null) return {};
  const out: { [file: string]: string } = {};
  try {
    const decoder = new TextDecoder();
    for (const f of await readTreeFiles({ gitdir, oid: goal, subdir: path, suffix: ".lxm" })) out[f.path] = decoder.decode(f.bytes);
  } catch {
    // The goal commit may live in another clone (a state branch fetched alone): the
    // viewer still works, only without source excerpts.
    return {};
  }
  return out;
}

// From the commit message alone (subject `lexum: STATUS snapshot … for GOAL`, trailers),
// so listing a long branch reads no trees.
function historyEntry(c: StateCommit): RunView["history"][number] {
  const status = /^lexum: (\S+) snapshot/.exec(c.message)?.[1] ?? "unknown";
  const source = /^Lexum-Source: (\S+)/m.exec(c.message)?.[1] ?? null;
  return {
    commit: c.oid,
    snapshot: snapshotTrailer(c.message) ?? "",
    status,
    goal: source === null || source === "working-tree" ? null : source,
  };
}
