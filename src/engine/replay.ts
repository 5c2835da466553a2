import { dirname, join } from "node:path";
import { InternalError, LexumError } from "../diag/diagnostic.js";
import { hasErrors } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { readCommitInfo, readTreeFiles } from "../git/repo.js";
import { loadProjectFromFiles, memoryFileReader, memoryProjectFiles } from "../lang/index.js";
import { environmentForBranch, parseProjectSettings, withoutNestedProjects } from "../lang/project.js";
import type { Plan, RecordedResource } from "../plan/types.js";
import { canonicalize } from "../program/canonical.js";
import type { JsonObject } from "../program/types.js";
import { ROLLBACK_REASON, parseTraceJsonl, replayRun } from "../runtime/index.js";
import type { Divergence, TraceEvent } from "../runtime/index.js";
import { inspectStateFiles } from "../state/load.js";
import { buildStateTree, priorOf, resourcePath } from "../state/snapshot.js";
import { commitFolderReader } from "./template-sources.js";
import type { DriftSnapshot, EditSnapshot, FailureSnapshot, LoadedSnapshot, Snapshot } from "../state/snapshot.js";
import { buildDriftTree, buildEditTree, buildFailureTree, driftBasis, editProblems, editWords } from "../state/records.js";
import { listStateCommits, readStateFiles } from "../state/store.js";
import type { StateCommit } from "../state/store.js";
import { findSnapshotCommit, snapshotTrailer } from "./history.js";
import { compileProject } from "./project-providers.js";
import { secretAccess } from "./secrets.js";
import { spanLocator, spanText } from "./spans.js";

/**
 * How one snapshot's replay ended:
 * - `reproduced`: re-running its plan on the recorded observations gave the same snapshot
 *   hash and the same trace bytes;
 * - `hash-only`: a run recovered from a killed apply's journal; it has no complete trace to
 *   re-run, so it is verified by its hash (and chain) only — not a divergence;
 * - `dirty`: a run applied with `--allow-dirty` from uncommitted inputs (`source.dirty`), or
 *   by an older Lexum from an uncommitted working tree (no goal commit): its goal is not in
 *   git, so it is verified by its hash (and chain) only — not a divergence, not tampering;
 * - `recorded`: a record that is not a run (a failure record: a goal commit that never ran;
 *   a drift record: reality observed other than recorded): nothing ran, so nothing is
 *   re-run; it was rebuilt from its parent snapshot and what it records (the failure; the
 *   observations in its trace) and is exactly the recorded snapshot (hash, trace bytes and,
 *   for a failure record, the parent's record file bytes). `problem` says which record it is;
 * - `diverged`: it does not reproduce; `problem` says why and `divergence` names the first
 *   differing trace event when there is one.
 */
export type ReplayOutcome = "reproduced" | "hash-only" | "dirty" | "recorded" | "diverged";

/** The result of replaying one state commit. */
export interface ReplayReport {
  readonly commit: string;
  /** The snapshot hash the commit records. */
  readonly recorded: string;
  /** The hash the replay rebuilt; null when nothing was re-run. */
  readonly replayed: string | null;
  readonly outcome: ReplayOutcome;
  /** The first differing trace event (step, domain, address, what differed), when the traces differ. */
  readonly divergence: Divergence | null;
  /** In words: why it diverged, or why it was verified by hash only; null when reproduced. */
  readonly problem: string | null;
}

/** Where replay reads from. `env` gives the state key (LXM_STATE_KEY) for sensitive exports. */
export interface ReplayContext {
  readonly gitdir: string;
  readonly commondir: string;
  readonly branch: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * The repository's working tree: the goal's provider packages (lexum.yaml `package`)
   * resolve from its project folder there, as apply resolved them. Defaults to the folder
   * holding `commondir` (`<workdir>/.git`).
   */
  readonly workdir?: string;
}

/** A failure message the journal recovery writes (recover-journal.ts): such runs cannot be re-run. */
function isInterrupted(s: Snapshot): boolean {
  return s.status === "failed" && s.failure !== null && s.failure.message.startsWith("interrupted");
}

/** A compensating plan (runWithRecovery): every action carries the rollback reason. */
function isRollbackPlan(plan: Plan): boolean {
  const actions = plan.steps.flatMap((s) => s.domains.flatMap((d) => d.actions));
  return actions.length > 0 && actions.every((a) => a.reason === ROLLBACK_REASON);
}

/** Reads and self-checks one state commit; a commit that does not verify is an error (LXM4204). */
async function loadCommit(src: ReplayContext, oid: string): Promise<{ loaded: LoadedSnapshot; files: Map<string, Uint8Array> }> {
  const files = await readStateFiles({ gitdir: src.gitdir, oid });
  const ins = inspectStateFiles(files);
  if (!ins.loaded || ins.problems.length) throw catalog.engine.corruptState.error(src.branch, oid, ins.problems[0] ?? "unreadable snapshot");
  return { loaded: ins.loaded, files };
}

/**
 * The parent snapshot of a state commit (null for the first), checked against the hash the
 * snapshot names: a rewritten parent is an error (LXM4204), never replayed against.
 */
async function loadParent(src: ReplayContext, commit: StateCommit, snapshot: Snapshot): Promise<LoadedSnapshot | null> {
  if (snapshot.parent === null) return null;
  const parentOid = commit.parents[0];
  if (parentOid === undefined) throw catalog.engine.corruptState.error(src.branch, commit.oid, `snapshot.parent is ${snapshot.parent} but the commit has no parent`);
  const { loaded } = await loadCommit(src, parentOid);
  if (loaded.hash !== snapshot.parent) throw catalog.engine.corruptState.error(src.branch, commit.oid, `snapshot.parent is ${snapshot.parent} but the parent commit holds ${loaded.hash}`);
  return loaded;
}

/**
 * The goal program exactly as committed at the snapshot's source, compiled as plan compiles
 * it (lexum.yaml's provider defaults and package providers included) (LXM4212 when it
 * cannot be read).
 */
/** The environment a state branch belongs to, by the goal's lexum.yaml (its inputs are the goal's too). */
function goalEnvironment(settingsText: string | null, branch: string, projectPath: string): string | null {
  if (settingsText === null) return null;
  const { settings, diagnostics } = parseProjectSettings(settingsText);
  return diagnostics.length > 0 ? null : environmentForBranch(settings, branch, projectPath);
}

async function goalProgram(src: ReplayContext, snapshot: Snapshot) {
  const goal = snapshot.source.commit;
  if (goal === null) throw new InternalError("goalProgram: a snapshot without a goal commit is not replayed");
  let files;
  try {
    await readCommitInfo({ gitdir: src.gitdir, oid: goal });
    files = withoutNestedProjects(await readTreeFiles({ gitdir: src.gitdir, oid: goal, subdir: snapshot.source.path }));
  } catch (e) {
    if (!(e instanceof LexumError)) throw e;
    throw catalog.engine.notReplayable.error(`its goal commit ${goal} (project path ${snapshot.source.path || "."}) is not in this repository: ${e.message}`);
  }
  const loaded = loadProjectFromFiles(files.filter((f) => f.path.endsWith(".lxm")));
  const blobs = new Map(files.map((f) => [f.path, f.bytes] as const));
  const readFile = memoryFileReader(blobs);
  const workdir = src.workdir ?? dirname(src.commondir);
  const projectDir = snapshot.source.path === "" ? workdir : join(workdir, ...snapshot.source.path.split("/"));
  const { result: compiled, diagnostics, providers } = await compileProject({
    projectDir,
    files: loaded.files,
    readFile,
    tree: memoryProjectFiles(blobs),
    settingsText: readFile("lexum.yaml"),
    environment: goalEnvironment(readFile("lexum.yaml"), src.branch, snapshot.source.path),
    place: { projectDir, projectPath: snapshot.source.path, folder: commitFolderReader(src.gitdir, goal), at: `at commit ${goal.slice(0, 12)}` },
  });
  return { compiled, diagnostics, providers, ok: !hasErrors(loaded.diagnostics) && !hasErrors(diagnostics) && compiled.program !== null && compiled.hash !== null };
}

/**
 * Replays one state commit: recompiles the goal at its source commit (the program hash must
 * equal the snapshot's), takes the prior state from the parent snapshot, the plan from
 * plan.json and the observations from trace.jsonl, re-runs the runtime without calling
 * any provider (mode "rollback" for a compensating run), rebuilds the snapshot and compares
 * its hash and trace bytes with the recorded ones. A failure or drift record is not a run:
 * it is rebuilt from its parent and what it records (outcome `recorded`), without the goal
 * commit. Deterministic; writes nothing.
 *
 * Throws LexumError when the commit (or its parent) does not verify (LXM4204) or its goal
 * commit cannot be read (LXM4212). Everything else is in the report.
 */
export async function replaySnapshot(src: ReplayContext, commit: StateCommit): Promise<ReplayReport> {
  const { loaded, files } = await loadCommit(src, commit.oid);
  const s = loaded.snapshot;
  const report = (outcome: ReplayOutcome, problem: string | null, replayed: string | null = null, divergence: Divergence | null = null): ReplayReport => ({
    commit: commit.oid,
    recorded: loaded.hash,
    replayed,
    outcome,
    divergence,
    problem,
  });
  const parent = await loadParent(src, commit, s);
  if (s.kind === "failure") return replayFailureRecord(loaded, parent, report);
  if (s.kind === "drift") return replayDriftRecord(loaded, parent, files, report);
  if (s.kind === "edit") return replayEditRecord(loaded, parent, report);
  if (isInterrupted(s)) return report("hash-only", "an interrupted run recovered from its journal: it has no complete trace to re-run, so it is verified by hash only");
  if (s.source.dirty !== undefined || s.source.commit === null) return report("dirty", catalog.engine.appliedDirty(undefined, s.source.dirty ?? []).message);

  const { compiled, diagnostics, providers, ok } = await goalProgram(src, s);
  if (!ok) return report("diverged", `the goal commit ${s.source.commit} no longer compiles (${(diagnostics.find((d) => d.severity === "error") ?? diagnostics[0])?.message ?? "errors"})`);
  if (compiled.hash !== s.program) {
    return report("diverged", `the goal commit ${s.source.commit} compiles to program ${compiled.hash}, but the snapshot names ${s.program} (applied from uncommitted changes, or an edited snapshot)`);
  }
  const plan = JSON.parse(new TextDecoder().decode(files.get("plan.json"))) as Plan;
  const traceText = new TextDecoder().decode(files.get("trace.jsonl"));
  let trace: TraceEvent[];
  try {
    trace = parseTraceJsonl(traceText);
  } catch (e) {
    return report("diverged", `trace.jsonl is not one JSON event per line (${(e as Error).message})`);
  }

  const digest = secretAccess({ commondir: src.commondir, env: src.env, createKey: false }).digest;
  const { result, divergence } = await replayRun(
    {
      program: compiled.program!,
      plan,
      prior: priorOf(parent),
      parallelism: 1,
      // Goals sent to providers are never recorded, so a stand-in is as good as the secret.
      secret: () => "(replay)",
      digest,
      catalog: providers.catalog,
      locate: spanLocator(compiled.spans, compiled.sources),
      // Traces recorded before assert events carried their expression replay without it.
      sourceText: trace.some((e) => e.phase === "assert" && e.expr === undefined) ? undefined : spanText(compiled.spans, compiled.sources),
      mode: s.status === "rolled-back" || isRollbackPlan(plan) ? "rollback" : "apply",
    },
    trace,
  );
  // As apply records it: a rolled-back world offers what the snapshot it returned to offered.
  const run = result.status === "rolled-back" ? { ...result, exports: (await lastQuiescentExports(src, s)) ?? result.exports } : result;
  // A failure recorded before failures carried a reason is rebuilt without one.
  const failureReason = s.failure !== null && s.failure.reason === undefined ? null : undefined;
  const tree = buildStateTree({ parent, status: result.status, source: s.source, programHash: s.program, plan, run, failureReason });
  if (divergence) return report("diverged", describeDivergence(divergence), tree.hash, divergence);
  const replayedTrace = tree.files.find((f) => f.path === "trace.jsonl")!.content;
  if (replayedTrace !== traceText) return report("diverged", "the replayed trace.jsonl has the same events but not the same bytes (a reordered or reformatted trace)", tree.hash);
  if (tree.hash !== loaded.hash) return report("diverged", `the replayed snapshot differs in ${differingFields(s, tree.snapshot).join(", ")}`, tree.hash);
  return report("reproduced", null, tree.hash);
}

type Report = (outcome: ReplayOutcome, problem: string | null, replayed?: string | null, divergence?: Divergence | null) => ReplayReport;

/**
 * A failure record rebuilt from its parent and its failure (buildFailureTree): the parent's
 * resources, exports and record file bytes, the usual lastQuiescent, and the rest of the
 * document as a failure record has it.
 */
function replayFailureRecord(loaded: LoadedSnapshot, parent: LoadedSnapshot | null, report: Report): ReplayReport {
  const s = loaded.snapshot as FailureSnapshot;
  const tree = buildFailureTree({ parent, source: s.source, reason: s.failure.reason, message: s.failure.message });
  if (tree.hash !== loaded.hash) return report("diverged", `the failure record is not its parent's state with its failure: it differs in ${differingFields(s, tree.snapshot).join(", ")}`, tree.hash);
  for (const address of Object.keys(s.resources).sort()) {
    const text = loaded.texts?.get(address);
    if (text !== undefined && parent?.texts?.get(address) !== undefined && text !== parent.texts.get(address)) {
      return report("diverged", `the failure record's ${resourcePath(address)} is not byte for byte its parent's`, tree.hash);
    }
  }
  return report("recorded", `a failure record (${s.failure.reason}): goal commit ${s.source.commit ?? "(none)"} never ran; rebuilt from its parent, whose resources and exports it holds`, tree.hash);
}

/**
 * An edit record (`lxm state rm`, `lxm state mv`) rebuilt from its parent and its edit
 * (buildEditTree): the edit must apply to the parent (every address it names recorded
 * there, a move to a free address of the same type), every record it keeps the parent's
 * byte for byte, and the rebuilt hash the recorded one.
 */
function replayEditRecord(loaded: LoadedSnapshot, parent: LoadedSnapshot | null, report: Report): ReplayReport {
  const s = loaded.snapshot as EditSnapshot;
  if (parent === null) return report("diverged", "an edit record has no parent snapshot to edit");
  const problem = editProblems(parent, s.edit);
  if (problem !== null) return report("diverged", `the edit does not apply to its parent: ${problem}`);
  const tree = buildEditTree({ parent, edit: s.edit });
  if (tree.hash !== loaded.hash) return report("diverged", `the edit record is not its parent with its edit applied: it differs in ${differingFields(s, tree.snapshot).join(", ")}`, tree.hash);
  const moved = new Set(s.edit.command === "mv" ? s.edit.moves.map((m) => m.to) : []);
  for (const address of Object.keys(s.resources).sort()) {
    const text = loaded.texts?.get(address);
    if (!moved.has(address) && text !== undefined && parent.texts?.get(address) !== undefined && text !== parent.texts.get(address)) {
      return report("diverged", `the edit record's ${resourcePath(address)} is not byte for byte its parent's`, tree.hash);
    }
  }
  return report("recorded", `an edit of the state by hand: ${editWords(s.edit)}; rebuilt from its parent`, tree.hash);
}

/**
 * A drift record rebuilt from its parent and the observations in its trace (buildDriftTree):
 * each `drift` event must name a resource of the parent, its `before` the parent's record of
 * it and its `after` something else; the rebuilt trace bytes and snapshot hash must be the
 * recorded ones; its plan.json must be planned against the parent.
 */
function replayDriftRecord(loaded: LoadedSnapshot, parent: LoadedSnapshot | null, files: Map<string, Uint8Array>, report: Report): ReplayReport {
  const s = loaded.snapshot as DriftSnapshot;
  if (parent === null) return report("diverged", "a drift record has no parent snapshot to differ from");
  const plan = JSON.parse(new TextDecoder().decode(files.get("plan.json"))) as Plan;
  if (plan.prior !== parent.hash || !plan.refreshed) return report("diverged", `its plan.json is not a correction planned against its parent with reality read (prior ${plan.prior ?? "none"}, refreshed ${plan.refreshed})`);
  const traceText = new TextDecoder().decode(files.get("trace.jsonl"));
  let trace: TraceEvent[];
  try {
    trace = parseTraceJsonl(traceText);
  } catch (e) {
    return report("diverged", `trace.jsonl is not one JSON event per line (${(e as Error).message})`);
  }
  if (trace.length === 0) return report("diverged", "a drift record whose trace observes no drift");
  const observed = new Map<string, JsonObject | null>();
  for (const e of trace) {
    const where = `trace event ${e.step}/${e.domain}/${e.seq}`;
    if (e.phase !== "drift" || e.address === undefined) return report("diverged", `${where} is a ${e.phase} event; a drift record's trace holds drift events only`);
    const rec = parent.resources[e.address];
    if (!rec) return report("diverged", `${where} observes ${e.address}, which the parent snapshot does not record`);
    if (observed.has(e.address)) return report("diverged", `${where} observes ${e.address} a second time`);
    if (canonicalize(e.before ?? null) !== canonicalize(rec.attrs)) return report("diverged", `${where}: its before is not the parent's record of ${e.address}`);
    const after = e.after ?? null;
    if (after !== null && canonicalize(after) === canonicalize(rec.attrs)) return report("diverged", `${where} observes ${e.address} as recorded: that is no drift`);
    observed.set(e.address, after);
  }
  const basis = driftBasis(parent) ?? { program: s.program, source: s.source };
  const tree = buildDriftTree({ parent, observed, program: basis.program, source: basis.source, plan });
  const rebuiltTrace = tree.files.find((f) => f.path === "trace.jsonl")!.content;
  if (rebuiltTrace !== traceText) return report("diverged", "trace.jsonl is not laid out as a drift record lays out its observations (reordered, renumbered or reformatted)", tree.hash);
  if (tree.hash !== loaded.hash) return report("diverged", `the drift record is not its parent with the observations in its trace: it differs in ${differingFields(s, tree.snapshot).join(", ")}`, tree.hash);
  return report("recorded", `a drift record: rebuilt from its parent and the ${observed.size} observation${observed.size === 1 ? "" : "s"} in its trace`, tree.hash);
}

/** The exports of the snapshot's last quiescent snapshot ({} when there is none; null when it is not on the branch). */
async function lastQuiescentExports(src: ReplayContext, s: Snapshot): Promise<Snapshot["exports"] | null> {
  if (s.lastQuiescent === null) return {};
  const commit = await findSnapshotCommit(src.gitdir, src.branch, s.lastQuiescent);
  return commit ? (await loadCommit(src, commit.oid)).loaded.snapshot.exports : null;
}

/**
 * The divergence in words (LXM4009), naming each differing value by its path inside the
 * event (`after.spec.replicas (recorded 3, replayed 30)`) rather than whole, cut-off events.
 */
export function describeDivergence(d: Divergence): string {
  if (!d.expected || !d.actual) return d.what;
  const diffs: string[] = [];
  leafDiffs(d.expected, d.actual, "", diffs);
  const shown = diffs.slice(0, 5).join("; ") + (diffs.length > 5 ? `; and ${diffs.length - 5} more` : "");
  const at = d.expected;
  return catalog.runtime.replayDiverged(undefined, at.step, at.domain, at.seq, d.address, shown).message;
}

function leafDiffs(a: unknown, b: unknown, path: string, out: string[]): void {
  const obj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
  if (obj(a) && obj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) leafDiffs(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (canonicalize(a ?? null) === canonicalize(b ?? null)) return;
  const show = (v: unknown): string => {
    if (v === undefined) return "nothing";
    const t = canonicalize(v);
    return t.length > 60 ? t.slice(0, 57) + "..." : t;
  };
  out.push(`${path} (recorded ${show(a)}, replayed ${show(b)})`);
}

/** Top-level snapshot fields whose canonical values differ (sorted). */
function differingFields(a: Snapshot, b: Snapshot): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  return keys.filter((k) => canonicalize(ra[k] ?? null) !== canonicalize(rb[k] ?? null));
}

/** Replays of a whole branch, oldest first; `bad` is the first that did not reproduce. */
export interface BranchReplay {
  readonly reports: ReplayReport[];
  readonly bad: ReplayReport | null;
}

/**
 * Replays every snapshot on the branch, oldest first, stopping at the first that does not
 * reproduce (a goal commit that cannot be read counts as not reproducing, naming why).
 * Run it after verifyBranch: a commit that does not verify is an error here (LXM4204).
 */
export async function replayBranch(src: ReplayContext): Promise<BranchReplay> {
  const commits = (await listStateCommits({ gitdir: src.gitdir, branch: src.branch })).reverse();
  const reports: ReplayReport[] = [];
  for (const c of commits) {
    let r: ReplayReport;
    try {
      r = await replaySnapshot(src, c);
    } catch (e) {
      if (!(e instanceof LexumError) || e.code !== catalog.engine.notReplayable.code) throw e;
      r = { commit: c.oid, recorded: snapshotTrailer(c.message) ?? "", replayed: null, outcome: "diverged", divergence: null, problem: e.message };
    }
    reports.push(r);
    if (r.outcome === "diverged") return { reports, bad: r };
  }
  return { reports, bad: null };
}

/** Every resource's attributes at a point of a run, by address (sorted). */
export type AttrsByAddress = { [address: string]: JsonObject };

/** The highest trace step of a run (0 for an empty trace). */
export function lastStep(trace: readonly TraceEvent[]): number {
  let max = 0;
  for (const e of trace) if (e.step > max) max = e.step;
  return max;
}

/**
 * The state of every resource as it stood after trace step `step`: the prior resources'
 * attributes with the `after` of each done (and failed: its read-back; and drift: what a
 * drift record observed) event of steps ≤
 * `step` folded over them in trace order; an `after` of null (a delete) removes the
 * resource. Step 0 is the prior state; a step past the last gives the final state. Pure.
 */
export function resourcesAtStep(prior: { readonly [address: string]: RecordedResource }, trace: readonly TraceEvent[], step: number): AttrsByAddress {
  const state = new Map<string, JsonObject>();
  for (const a of Object.keys(prior).sort()) state.set(a, prior[a]!.attrs);
  // The trace is stored in canonical order (step, domain, seq): the order each domain did things.
  for (const e of trace) {
    if (e.step > step || e.address === undefined) continue;
    if (e.phase !== "done" && e.phase !== "failed" && e.phase !== "drift") continue;
    if (e.after === undefined) continue;
    if (e.after === null) state.delete(e.address);
    else state.set(e.address, e.after);
  }
  return Object.fromEntries([...state.keys()].sort().map((a) => [a, state.get(a)!]));
}

/** A snapshot's resources at a trace step, with what is needed to print them. */
export interface StateAtStep {
  readonly loaded: LoadedSnapshot;
  /** The step asked for, clamped to the run's last step. */
  readonly step: number;
  readonly lastStep: number;
  readonly resources: AttrsByAddress;
}

/**
 * `lxm state show --at STEP`: folds the commit's trace.jsonl over its parent snapshot's
 * resources (see resourcesAtStep). Throws LXM4204 when the commit or its parent does not
 * verify.
 */
export async function stateAtStep(src: ReplayContext, commit: StateCommit, step: number): Promise<StateAtStep> {
  const { loaded, files } = await loadCommit(src, commit.oid);
  const parent = await loadParent(src, commit, loaded.snapshot);
  let trace: TraceEvent[];
  try {
    trace = parseTraceJsonl(new TextDecoder().decode(files.get("trace.jsonl")));
  } catch (e) {
    throw catalog.engine.corruptState.error(src.branch, commit.oid, `trace.jsonl is not one JSON event per line (${(e as Error).message})`);
  }
  const last = lastStep(trace);
  const at = Math.min(step, last);
  return { loaded, step: at, lastStep: last, resources: resourcesAtStep(priorOf(parent).resources, trace, at) };
}
