import { hashValue, inCanonicalOrder, prettyCanonical, sha256 } from "../program/canonical.js";
import { traceToJsonl } from "../runtime/trace.js";
import type { Address, Json } from "../program/types.js";
import type { Plan, PriorState, RecordedResource } from "../plan/types.js";
import { summaryLine } from "../plan/summary.js";
import type { DagDiff, DomainStatus, RunResult, RunStatus } from "../runtime/types.js";
import type { SnapshotPrep } from "./prepare.js";

/**
 * Why a goal was not recorded as a quiescent run (`failure.reason`): the goal commit could
 * not be fetched or did not compile (a failure record: nothing ran), the run failed in the
 * runtime (a failed or rolled-back run, or a killed apply recovered from its journal), or
 * its snapshot could not be pushed. Snapshots of older Lexum versions have no reason.
 */
export type FailureReason = "fetch-failed" | "compile-failed" | "apply-failed" | "push-failed";

/** What a snapshot records: a state of the branch, not only the outcome of a run (see SnapshotKind). */
export type SnapshotStatus = RunStatus | "drifted";

/**
 * A snapshot that is not the record of a run (`kind`, absent for runs, so their hashes are
 * what they always were):
 * - `failure`: a goal commit that never ran (it could not be fetched or compiled); the world
 *   did not change, so its resources and exports are its parent's;
 * - `drift`: reality read back other than recorded (changed outside Lexum); the drifted
 *   resources' records hold what was observed. Status `drifted`: never a rollback target.
 * - `edit`: the state edited by hand (`lxm state rm`, `lxm state mv`): records forgotten or
 *   moved to another address, the world untouched; otherwise the parent's state.
 */
export type SnapshotKind = "failure" | "drift" | "edit";

/**
 * A hand edit of the state, as recorded (the addresses resolved, sorted):
 * `rm` forgets records without deleting their objects; `mv` records objects under new addresses.
 */
export type StateEdit =
  | { readonly command: "rm"; readonly addresses: readonly string[] }
  | { readonly command: "mv"; readonly moves: readonly { readonly from: string; readonly to: string }[] };

/** The first failure, in words. `domain` is null only in a failure record (nothing ran in any domain). */
export interface SnapshotFailure {
  readonly address: string | null;
  readonly domain: string | null;
  readonly message: string;
  readonly reason?: FailureReason;
}

/** What every snapshot has, whatever its kind. */
interface SnapshotBase {
  readonly format: "lexum.snapshot/v1";
  /** Hash of the previous snapshot on the branch; null for the first. */
  readonly parent: string | null;
  /** Hash of the most recent quiescent snapshot before this one (the rollback target); null if none. */
  readonly lastQuiescent: string | null;
  readonly source: SnapshotSource;
  /** address → hash of the resource's record (resources/<domain>/<file>.json). */
  readonly resources: { readonly [address: string]: string };
  readonly exports: { readonly [name: string]: Json };
  readonly domains: { readonly [domain: string]: DomainStatus };
  readonly dag: DagDiff;
  /** sha256 of trace.jsonl's bytes. */
  readonly trace: string;
}

/** The record of a run (`lxm apply`, a rollback, a killed apply recovered from its journal). */
export interface RunSnapshot extends SnapshotBase {
  readonly kind?: undefined;
  readonly status: RunStatus;
  readonly program: string;
  readonly plan: string;
  readonly failure: SnapshotFailure | null;
}

/** A goal commit that never ran: no program, no plan, no trace; the parent's resources and exports. */
export interface FailureSnapshot extends SnapshotBase {
  readonly kind: "failure";
  readonly status: "failed";
  readonly program: null;
  readonly plan: null;
  readonly failure: { readonly address: null; readonly domain: null; readonly message: string; readonly reason: "fetch-failed" | "compile-failed" };
}

/** Reality observed other than recorded: the parent's program and source, the correction plan, one `drift` trace event per drifted resource. */
export interface DriftSnapshot extends SnapshotBase {
  readonly kind: "drift";
  readonly status: "drifted";
  readonly program: string;
  readonly plan: string;
  readonly failure: null;
}

/**
 * The state edited by hand: the parent's status, program, failure and exports (nothing ran),
 * its resources with the edit applied; no plan, an empty trace.
 */
export interface EditSnapshot extends SnapshotBase {
  readonly kind: "edit";
  readonly status: SnapshotStatus;
  readonly program: string | null;
  readonly plan: null;
  readonly failure: SnapshotFailure | null;
  readonly edit: StateEdit;
}

/**
 * The snapshot (`lexum.snapshot/v1`): a state of the branch, content-hashed — what a run left
 * behind, or a record that is not a run (`kind`). Resources are hashed one by one and the
 * snapshot lists their hashes, so its hash covers every recorded attribute while an
 * unchanged resource's hash is reused, not recomputed.
 */
export type Snapshot = RunSnapshot | FailureSnapshot | DriftSnapshot | EditSnapshot;

/**
 * The goal a run applied: the commit and the project folder in the repository. `dirty`
 * (present only when non-empty) lists, sorted and project-relative, the inputs that differed
 * from that commit in a working tree applied with `--allow-dirty`: such a run cannot be
 * replayed from git. `commit` is null only in a repository without commits (and in snapshots
 * of older Lexum versions applied from an uncommitted working tree).
 */
export interface SnapshotSource {
  readonly commit: string | null;
  readonly path: string;
  readonly dirty?: readonly string[];
}

/** A snapshot as read back: the document, its hash and its resources. */
export interface LoadedSnapshot {
  readonly snapshot: Snapshot;
  readonly hash: string;
  readonly resources: { readonly [address: string]: RecordedResource };
  /**
   * Each record's file text as read from the commit, by address (absent when not read from
   * one). A next snapshot that keeps the very record object reuses the text instead of
   * laying the record out again: the same bytes for every record Lexum wrote, and the same
   * commit id whenever the parent commit is the same.
   */
  readonly texts?: ReadonlyMap<string, string>;
}

/** The state a plan starts from: empty before the first run. */
export function priorOf(loaded: LoadedSnapshot | null): PriorState {
  return loaded ? { snapshot: loaded.hash, resources: loaded.resources } : { snapshot: null, resources: {} };
}

export function snapshotHash(s: Snapshot): string {
  return hashValue(s);
}

/**
 * The `lastQuiescent` of a snapshot written on top of `parent`: the parent itself when it is
 * quiescent, else what the parent names (failed, rolled-back and drifted snapshots are never
 * a rollback target); null on an empty branch.
 */
export function lastQuiescentAfter(parent: { readonly hash: string; readonly snapshot: Pick<Snapshot, "status" | "lastQuiescent"> } | null): string | null {
  return parent ? (parent.snapshot.status === "quiescent" ? parent.hash : parent.snapshot.lastQuiescent) : null;
}

/** Path of a resource's record in the state tree: `resources/<domain>/<type.name[key]>.json`, with characters unsafe in file names percent-encoded. */
export function resourcePath(address: Address): string {
  const slash = address.indexOf("/");
  const domain = address.slice(0, slash);
  const rest = address.slice(slash + 1);
  return `resources/${encodeSegment(domain)}/${encodeSegment(rest)}.json`;
}

const SAFE_SEGMENT = /^[A-Za-z0-9._\-\[\]]*$/;

function encodeSegment(s: string): string {
  // Most addresses need no escaping; testing first spares them the replace.
  if (SAFE_SEGMENT.test(s)) return s;
  return s.replace(/[^A-Za-z0-9._\-\[\]]/g, (c) =>
    [...new TextEncoder().encode(c)].map((b) => "%" + b.toString(16).toUpperCase().padStart(2, "0")).join(""),
  );
}

export interface RecordInput {
  readonly parent: LoadedSnapshot | null;
  /** Resource hashes of the parent, reused for records that did not change. */
  readonly status: RunStatus;
  readonly source: SnapshotSource;
  readonly programHash: string;
  readonly plan: Plan;
  readonly run: RunResult;
  /**
   * The reason a failure is recorded with (`failure.reason`); default `apply-failed`. Null
   * records it without one, as Lexum did before reasons existed (replay of such a snapshot).
   */
  readonly failureReason?: "apply-failed" | null;
}

export interface StateTree {
  readonly snapshot: Snapshot;
  readonly hash: string;
  readonly files: { path: string; content: string }[];
  readonly message: string;
}

/**
 * Builds a state commit's content from a run. Deterministic: the same inputs give the same
 * files byte for byte. Records whose content did not change keep the parent's hash without
 * hashing again (compared by identity first, then by canonical bytes). `prep` supplies what
 * was computed while the run waited on providers (the same values, only earlier).
 */
export function buildStateTree(input: RecordInput, prep?: SnapshotPrep): StateTree {
  const { parent, run } = input;
  const pretty = (v: object): string => prep?.textOf(v) ?? prettyCanonical(v);
  const resources: Record<string, string> = {};
  const files: { path: string; content: string }[] = [];
  for (const address of Object.keys(run.resources).sort()) {
    const rec = run.resources[address]!;
    const prev = parent?.resources[address];
    const prevHash = parent?.snapshot.resources[address];
    // An untouched record is the very object read from the parent: reuse its hash and text.
    const kept = prev === rec;
    resources[address] = kept && prevHash ? prevHash : (prep?.hashOf(rec) ?? hashValue(rec));
    files.push({ path: resourcePath(address), content: (kept ? parent?.texts?.get(address) : undefined) ?? pretty(rec) });
  }
  const trace = traceToJsonl(run.trace, prep && ((e) => prep.lineOf(e)));
  const lastQuiescent = lastQuiescentAfter(parent);
  const reason = input.failureReason === undefined ? "apply-failed" : input.failureReason;
  const recordedFailure: SnapshotFailure | null = run.failure && reason !== null ? { ...run.failure, reason } : run.failure;
  // Keys inserted in canonical order (the nested values put in it once, if they are not),
  // so hashing and laying out the document take the fast path instead of a sorted copy each.
  const snapshot: RunSnapshot = {
    dag: inCanonicalOrder(run.dag),
    domains: inCanonicalOrder(run.domains),
    exports: inCanonicalOrder(run.exports),
    failure: inCanonicalOrder(recordedFailure),
    format: "lexum.snapshot/v1",
    lastQuiescent,
    parent: parent?.hash ?? null,
    plan: input.plan.hash,
    program: input.programHash,
    resources,
    source: inCanonicalOrder(input.source),
    status: input.status,
    trace: sha256(trace),
  };
  const hash = snapshotHash(snapshot);
  files.push(
    { path: "snapshot.json", content: snapshotFileText(snapshot, hash) },
    { path: "plan.json", content: pretty(input.plan) },
    { path: "trace.jsonl", content: trace },
    { path: "README.md", content: readme(snapshot, hash, input.plan) },
  );
  return { snapshot, hash, files, message: commitMessage(snapshot, hash, input.plan) };
}

/** snapshot.json's text: the snapshot with its own `hash`, pretty canonical JSON. */
export function snapshotFileText(snapshot: Snapshot, hash: string): string {
  // `hash` inserted in its canonical place (after `format`, before `kind`/`lastQuiescent`), so
  // a snapshot built in canonical key order is laid out on the fast path.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(snapshot)) {
    if (k > "hash" && !("hash" in out)) out.hash = hash;
    out[k] = v;
  }
  if (!("hash" in out)) out.hash = hash;
  return prettyCanonical(out);
}

function short(hash: string | null): string {
  return hash ? hash.replace(/^sha256:/, "").slice(0, 12) : "none";
}

/** The first line of a (possibly multi-line) message, at most 200 characters. */
export function firstLine(message: string): string {
  const line = message.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 200 ? line.slice(0, 199) + "…" : line;
}

/** The failure in the commit message: `Failure (apply-failed): app app/sim.object.web: …`; a failure record's message by its first line. */
function failureLine(s: Snapshot): string | null {
  const f = s.failure;
  if (!f) return null;
  const where = f.domain !== null ? `${f.domain}${f.address ? ` ${f.address}` : ""}: ` : "";
  return `Failure${f.reason ? ` (${f.reason})` : ""}: ${where}${s.kind === "failure" ? firstLine(f.message) : f.message}`;
}

/**
 * The commit message: a subject naming the status, the snapshot and the goal commit, a body
 * (the plan's summary line, or `body` when given), the failure, and the trailers
 * (`Lexum-Plan: none` for a snapshot without a plan).
 */
export function commitMessage(s: Snapshot, hash: string, plan: Plan | null, body?: readonly string[]): string {
  const goal = (s.source.commit ? s.source.commit.slice(0, 12) : "working tree") + (s.source.dirty ? " with uncommitted changes" : "");
  const lines = [`lexum: ${s.status} snapshot ${short(hash)} for ${goal}`];
  const text = body ?? (plan ? [summaryLine(plan)] : []);
  if (text.length) lines.push("", ...text);
  const failure = failureLine(s);
  if (failure) lines.push("", failure);
  lines.push(
    "",
    `Lexum-Snapshot: ${hash}`,
    `Lexum-Plan: ${s.plan ?? "none"}`,
    `Lexum-Source: ${sourceTrailer(s.source)}`,
  );
  return lines.join("\n") + "\n";
}

/** The `Lexum-Source:` trailer's value: the goal commit and the project path (`.` for the top). */
export function sourceTrailer(source: SnapshotSource): string {
  return `${source.commit ?? "working-tree"} ${source.path === "" ? "." : source.path}`;
}

/**
 * README.md: a human summary of the snapshot (not hashed). `notes` are list items shown under
 * the status and `tail` lines at the end (what a record that is not a run says about itself).
 */
export function readme(s: Snapshot, hash: string, plan: Plan | null, extra: { readonly notes?: readonly string[]; readonly tail?: readonly string[] } = {}): string {
  const notes = extra.notes ?? [];
  const rows = Object.keys(s.domains)
    .sort()
    .map((d) => `| ${d} | ${s.domains[d]} |`);
  return [
    `# Lexum snapshot ${short(hash)}`,
    "",
    `- status: **${s.status}**`,
    ...notes,
    `- goal commit: ${s.source.commit ?? "(working tree)"} (project path: ${s.source.path === "" ? "." : s.source.path})`,
    ...(s.source.dirty ? [`- applied with --allow-dirty: uncommitted changes to ${s.source.dirty.join(", ")} (not replayable)`] : []),
    `- snapshot: \`${hash}\``,
    `- parent: \`${s.parent ?? "none"}\``,
    plan ? `- plan: \`${plan.hash}\` — ${summaryLine(plan)}` : "- plan: none (nothing ran)",
    `- resources: ${Object.keys(s.resources).length}`,
    // A record that is not a run has no domain outcomes: no empty table.
    ...(s.kind === undefined || rows.length ? ["", "| domain | status |", "|---|---|", ...rows] : []),
    "",
    `Files: \`snapshot.json\` (${s.kind === undefined ? "this run" : "this record"}, hashed), ${plan ? "`plan.json`, " : ""}\`trace.jsonl\` (one event per line),`,
    "`resources/<domain>/<address>.json` (one record per resource). Check with `lxm state verify`.",
    "",
    ...(extra.tail ?? []),
  ].join("\n");
}
