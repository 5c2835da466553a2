import { hashValue, inCanonicalOrder, prettyCanonical, sha256 } from "../program/canonical.js";
import { traceToJsonl } from "../runtime/trace.js";
import type { Address, Json } from "../program/types.js";
import type { Plan, PriorState, RecordedResource } from "../plan/types.js";
import { summaryLine } from "../plan/summary.js";
import type { DagDiff, DomainStatus, RunResult, RunStatus } from "../runtime/types.js";
import type { SnapshotPrep } from "./prepare.js";

/**
 * The snapshot (`lexum.snapshot/v1`): what a run left behind, content-hashed. Resources are
 * hashed one by one and the snapshot lists their hashes, so its hash covers every recorded
 * attribute while an unchanged resource's hash is reused, not recomputed.
 */
export interface Snapshot {
  readonly format: "lexum.snapshot/v1";
  /** Hash of the previous snapshot on the branch; null for the first. */
  readonly parent: string | null;
  readonly status: RunStatus;
  /** Hash of the most recent quiescent snapshot before this one (the rollback target); null if none. */
  readonly lastQuiescent: string | null;
  readonly source: SnapshotSource;
  readonly program: string;
  readonly plan: string;
  /** address → hash of the resource's record (resources/<domain>/<file>.json). */
  readonly resources: { readonly [address: string]: string };
  readonly exports: { readonly [name: string]: Json };
  readonly domains: { readonly [domain: string]: DomainStatus };
  readonly dag: DagDiff;
  readonly failure: RunResult["failure"];
  /** sha256 of trace.jsonl's bytes. */
  readonly trace: string;
}

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
  const lastQuiescent = parent ? (parent.snapshot.status === "quiescent" ? parent.hash : parent.snapshot.lastQuiescent) : null;
  // Keys inserted in canonical order (the nested values put in it once, if they are not),
  // so hashing and laying out the document take the fast path instead of a sorted copy each.
  const snapshot: Snapshot = {
    dag: inCanonicalOrder(run.dag),
    domains: inCanonicalOrder(run.domains),
    exports: inCanonicalOrder(run.exports),
    failure: inCanonicalOrder(run.failure),
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
  const { dag, domains, exports, failure, format, ...rest } = snapshot;
  files.push(
    { path: "snapshot.json", content: prettyCanonical({ dag, domains, exports, failure, format, hash, ...rest }) },
    { path: "plan.json", content: pretty(input.plan) },
    { path: "trace.jsonl", content: trace },
    { path: "README.md", content: readme(snapshot, hash, input.plan) },
  );
  return { snapshot, hash, files, message: commitMessage(snapshot, hash, input.plan) };
}

function short(hash: string | null): string {
  return hash ? hash.replace(/^sha256:/, "").slice(0, 12) : "none";
}

/** The commit message: a subject naming the goal commit and snapshot, the summary, and trailers. */
export function commitMessage(s: Snapshot, hash: string, plan: Plan): string {
  const goal = (s.source.commit ? s.source.commit.slice(0, 12) : "working tree") + (s.source.dirty ? " with uncommitted changes" : "");
  const lines = [
    `lexum: ${s.status} snapshot ${short(hash)} for ${goal}`,
    "",
    summaryLine(plan),
  ];
  if (s.failure) lines.push("", `Failure: ${s.failure.domain}${s.failure.address ? ` ${s.failure.address}` : ""}: ${s.failure.message}`);
  lines.push(
    "",
    `Lexum-Snapshot: ${hash}`,
    `Lexum-Plan: ${plan.hash}`,
    `Lexum-Source: ${s.source.commit ?? "working-tree"} ${s.source.path === "" ? "." : s.source.path}`,
  );
  return lines.join("\n") + "\n";
}

function readme(s: Snapshot, hash: string, plan: Plan): string {
  const rows = Object.keys(s.domains)
    .sort()
    .map((d) => `| ${d} | ${s.domains[d]} |`);
  return [
    `# Lexum snapshot ${short(hash)}`,
    "",
    `- status: **${s.status}**`,
    `- goal commit: ${s.source.commit ?? "(working tree)"} (project path: ${s.source.path === "" ? "." : s.source.path})`,
    ...(s.source.dirty ? [`- applied with --allow-dirty: uncommitted changes to ${s.source.dirty.join(", ")} (not replayable)`] : []),
    `- snapshot: \`${hash}\``,
    `- parent: \`${s.parent ?? "none"}\``,
    `- plan: \`${plan.hash}\` — ${summaryLine(plan)}`,
    `- resources: ${Object.keys(s.resources).length}`,
    "",
    "| domain | status |",
    "|---|---|",
    ...rows,
    "",
    "Files: `snapshot.json` (this run, hashed), `plan.json`, `trace.jsonl` (one event per line),",
    "`resources/<domain>/<address>.json` (one record per resource). Check with `lxm state verify`.",
    "",
  ].join("\n");
}
