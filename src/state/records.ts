import { InternalError } from "../diag/diagnostic.js";
import { hashValue, inCanonicalOrder, prettyCanonical, sha256 } from "../program/canonical.js";
import type { Address, JsonObject } from "../program/types.js";
import type { Plan, RecordedResource } from "../plan/types.js";
import { summaryLine } from "../plan/summary.js";
import { traceToJsonl } from "../runtime/trace.js";
import type { DagDiff, TraceEvent } from "../runtime/types.js";
import { parseAddress } from "../program/address.js";
import { commitMessage, lastQuiescentAfter, readme, resourcePath, snapshotFileText, snapshotHash } from "./snapshot.js";
import type { DriftSnapshot, EditSnapshot, FailureSnapshot, LoadedSnapshot, SnapshotSource, StateEdit, StateTree } from "./snapshot.js";

/**
 * The state commits that are not the record of a run (`kind` in the snapshot): a goal commit
 * that never ran (a failure record) and reality observed other than recorded (a drift
 * record). Pure and deterministic like buildStateTree: the same parent and inputs give the
 * same files byte for byte. Replay rebuilds them with these same functions.
 */

/** How long a failure record's message may be, in UTF-8 bytes (compile diagnostics can be many). */
export const FAILURE_MESSAGE_LIMIT = 16 * 1024;

const EMPTY_DAG: DagDiff = { done: [], failed: [], notStarted: [], planned: [] };
const utf8 = new TextEncoder();

/**
 * `message` bounded to `limit` UTF-8 bytes: whole lines are kept while they fit, then one
 * line says how many were cut (a first line longer than the limit is itself cut, on a code
 * point). Unchanged when it fits. Deterministic.
 */
export function boundFailureMessage(message: string, limit = FAILURE_MESSAGE_LIMIT): string {
  if (utf8.encode(message).length <= limit) return message;
  const lines = message.split("\n");
  // Room for the closing line, whatever the count it names.
  const budget = limit - 96;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const size = utf8.encode(line).length + 1;
    if (used + size > budget) break;
    kept.push(line);
    used += size;
  }
  if (kept.length === 0) {
    // One line longer than the limit: its first code points that fit.
    let cut = "";
    for (const ch of lines[0]!) {
      if (used + utf8.encode(ch).length > budget) break;
      cut += ch;
      used += utf8.encode(ch).length;
    }
    kept.push(cut + "…");
  }
  const cutLines = lines.length - kept.length;
  return [...kept, `… (${cutLines === 0 ? "the rest of the line" : `${cutLines} more line${cutLines === 1 ? "" : "s"}`} cut: a failure message is kept to ${limit / 1024} KiB)`].join("\n");
}

/** What a failure record is made from. */
export interface FailureInput {
  /** The branch head it is written on (null: the branch does not exist yet). */
  readonly parent: LoadedSnapshot | null;
  /** The goal commit that never ran, and the project path. */
  readonly source: SnapshotSource;
  readonly reason: "fetch-failed" | "compile-failed";
  /** Already bounded (boundFailureMessage) and free of secrets. */
  readonly message: string;
}

/**
 * A failure record's state tree: status `failed`, `kind: "failure"`, no program, no plan (no
 * plan.json), an empty trace, no domains, an empty DAG diff; the parent's resources (the same
 * hashes and the same record file bytes: the world did not change) and exports.
 */
export function buildFailureTree(input: FailureInput): StateTree {
  const { parent } = input;
  const files: { path: string; content: string }[] = [];
  const resources: Record<string, string> = {};
  for (const address of Object.keys(parent?.snapshot.resources ?? {}).sort()) {
    resources[address] = parent!.snapshot.resources[address]!;
    files.push({ path: resourcePath(address), content: parent!.texts?.get(address) ?? prettyCanonical(recordOf(parent!, address)) });
  }
  const trace = "";
  const snapshot: FailureSnapshot = {
    dag: EMPTY_DAG,
    domains: {},
    exports: inCanonicalOrder(parent?.snapshot.exports ?? {}),
    failure: { address: null, domain: null, message: input.message, reason: input.reason },
    format: "lexum.snapshot/v1",
    kind: "failure",
    lastQuiescent: lastQuiescentAfter(parent),
    parent: parent?.hash ?? null,
    plan: null,
    program: null,
    resources,
    source: inCanonicalOrder(input.source),
    status: "failed",
    trace: sha256(trace),
  };
  const hash = snapshotHash(snapshot);
  const goal = input.source.commit ?? "(none)";
  const fence = "`".repeat(Math.max(3, ...[...input.message.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  files.push(
    { path: "snapshot.json", content: snapshotFileText(snapshot, hash) },
    { path: "trace.jsonl", content: trace },
    {
      path: "README.md",
      content: readme(snapshot, hash, null, {
        notes: [`- a failure record (${input.reason}): goal commit ${goal} never ran; the resources are the parent's (the world did not change)`],
        tail: ["## Failure", "", fence + "text", ...input.message.split("\n"), fence, ""],
      }),
    },
  );
  return { snapshot, hash, files, message: commitMessage(snapshot, hash, null, []) };
}

/** What a drift record is made from. */
export interface DriftInput {
  /** The branch head whose records reality no longer matches. */
  readonly parent: LoadedSnapshot;
  /** Each drifted address (all in the parent) → the attributes read back, sensitive ones left out; null when the object is gone. */
  readonly observed: ReadonlyMap<Address, JsonObject | null>;
  /** The program the parent's world was made for (the parent's). */
  readonly program: string;
  /** The goal the parent applied (the parent's source). */
  readonly source: SnapshotSource;
  /** The correction plan: what applying the goal again would do (planned against the parent, with reality read). */
  readonly plan: Plan;
}

/**
 * The program and source a drift record on top of `parent` carries: the parent's (the goal
 * did not change). Null on top of a failure record, which has no program: the caller then
 * gives the goal the drift was planned against.
 */
export function driftBasis(parent: LoadedSnapshot): { program: string; source: SnapshotSource } | null {
  const s = parent.snapshot;
  return s.program === null ? null : { program: s.program, source: s.source };
}

/**
 * The `drift` trace events of a drift record: one per drifted address, in canonical order
 * (step 1; by domain, each domain's addresses in code-unit order numbered from 0), `before`
 * the record's attributes, `after` the observed ones (null: gone).
 */
export function driftEvents(parent: LoadedSnapshot, observed: ReadonlyMap<Address, JsonObject | null>): TraceEvent[] {
  const byDomain = new Map<string, Address[]>();
  for (const address of [...observed.keys()].sort()) {
    const rec = parent.resources[address];
    if (!rec) throw new InternalError(`driftEvents: ${address} is not recorded in the parent snapshot`);
    const list = byDomain.get(rec.domain);
    if (list) list.push(address);
    else byDomain.set(rec.domain, [address]);
  }
  const events: TraceEvent[] = [];
  for (const domain of [...byDomain.keys()].sort()) {
    byDomain.get(domain)!.forEach((address, seq) => {
      const after = observed.get(address)!;
      // Keys in canonical order: the event's line is laid out on the fast path.
      events.push({ address, after: after === null ? null : inCanonicalOrder(after), before: inCanonicalOrder(parent.resources[address]!.attrs), domain, phase: "drift", seq, step: 1 });
    });
  }
  return events;
}

/**
 * A drift record's state tree: status `drifted`, `kind: "drift"`; the parent's resources
 * except each drifted one, whose record now holds the observed attributes (the rest of the
 * record as it was) or is removed when the object is gone; the parent's exports; no domains,
 * an empty DAG diff, no failure; plan.json the correction plan; trace.jsonl the drift
 * events (driftEvents). Nothing was applied: the state now tells the truth about the world.
 */
export function buildDriftTree(input: DriftInput): StateTree {
  const { parent, observed } = input;
  const events = driftEvents(parent, observed);
  const files: { path: string; content: string }[] = [];
  const resources: Record<string, string> = {};
  let changed = 0;
  let gone = 0;
  for (const address of Object.keys(parent.snapshot.resources).sort()) {
    const seen = observed.get(address);
    if (seen === null) {
      gone++;
      continue;
    }
    if (seen === undefined) {
      resources[address] = parent.snapshot.resources[address]!;
      files.push({ path: resourcePath(address), content: parent.texts?.get(address) ?? prettyCanonical(recordOf(parent, address)) });
      continue;
    }
    changed++;
    const rec: RecordedResource = { ...recordOf(parent, address), attrs: inCanonicalOrder(seen) };
    resources[address] = hashValue(rec);
    files.push({ path: resourcePath(address), content: prettyCanonical(rec) });
  }
  const trace = traceToJsonl(events);
  const snapshot: DriftSnapshot = {
    dag: EMPTY_DAG,
    domains: {},
    exports: inCanonicalOrder(parent.snapshot.exports),
    failure: null,
    format: "lexum.snapshot/v1",
    kind: "drift",
    lastQuiescent: lastQuiescentAfter(parent),
    parent: parent.hash,
    plan: input.plan.hash,
    program: input.program,
    resources,
    source: inCanonicalOrder(input.source),
    status: "drifted",
    trace: sha256(trace),
  };
  const hash = snapshotHash(snapshot);
  const addresses = events.map((e) => `${e.address!}${e.after === null ? " (gone)" : ""}`);
  const n = addresses.length;
  const counts = [changed ? `${changed} changed` : "", gone ? `${gone} gone` : ""].filter((x) => x).join(", ");
  const drift = `Drift: ${n === 1 ? "1 resource reads" : `${n} resources read`} back other than recorded (${counts}): ${listed(addresses, 10)}`;
  const correction = `Correction plan: ${summaryLine(input.plan)}`;
  files.push(
    { path: "snapshot.json", content: snapshotFileText(snapshot, hash) },
    { path: "plan.json", content: prettyCanonical(input.plan) },
    { path: "trace.jsonl", content: trace },
    {
      path: "README.md",
      content: readme(snapshot, hash, input.plan, {
        notes: [`- a drift record: ${n === 1 ? "1 resource reads" : `${n} resources read`} back other than recorded (${counts}); nothing was applied, and plan.json is what applying the goal again would do`],
        tail: ["## Drifted resources", "", ...addresses.slice(0, 100).map((a) => `- ${a}`), ...(n > 100 ? [`- … and ${n - 100} more (trace.jsonl lists them all)`] : []), ""],
      }),
    },
  );
  return { snapshot, hash, files, message: commitMessage(snapshot, hash, input.plan, [drift, correction]) };
}

/** What an edit record is made from: the branch head and the edit (its addresses resolved and recorded in the parent). */
export interface EditInput {
  readonly parent: LoadedSnapshot;
  readonly edit: StateEdit;
}

/**
 * The parent's records with the edit applied: `rm` drops each address; `mv` records each
 * object under its new address (and domain), the rest of its record as it was. Throws
 * (InternalError) when the edit names a record the parent lacks, or moves onto one it holds:
 * the engine resolves and checks an edit before it builds one, and replay checks a recorded
 * one against its parent first (editProblems).
 */
export function editedRecords(parent: LoadedSnapshot, edit: StateEdit): Map<Address, RecordedResource> {
  const problem = editProblems(parent, edit);
  if (problem !== null) throw new InternalError(`state edit: ${problem}`);
  const out = new Map<Address, RecordedResource>(Object.keys(parent.snapshot.resources).map((a) => [a, recordOf(parent, a)]));
  if (edit.command === "rm") for (const a of edit.addresses) out.delete(a);
  else {
    for (const m of edit.moves) out.delete(m.from);
    for (const m of edit.moves) out.set(m.to, { ...recordOf(parent, m.from), address: m.to, domain: m.to.slice(0, m.to.indexOf("/")) });
  }
  return out;
}

/**
 * Why an edit cannot apply to `parent`, in words; null when it can. An address appears once;
 * `rm` names recorded addresses; `mv` moves recorded addresses, each to a well-formed address
 * of the same type that is not recorded (unless moved away in the same edit) and not the
 * destination of another move.
 */
export function editProblems(parent: LoadedSnapshot, edit: StateEdit): string | null {
  const recorded = parent.snapshot.resources;
  const has = (a: string) => Object.prototype.hasOwnProperty.call(recorded, a);
  if (edit.command === "rm") {
    if (edit.addresses.length === 0) return "it forgets nothing";
    if (new Set(edit.addresses).size !== edit.addresses.length) return "it names an address twice";
    for (const a of edit.addresses) if (!has(a)) return `${a} is not recorded in the parent snapshot`;
    return null;
  }
  if (edit.moves.length === 0) return "it moves nothing";
  const froms = new Set(edit.moves.map((m) => m.from));
  const tos = new Set(edit.moves.map((m) => m.to));
  if (froms.size !== edit.moves.length || tos.size !== edit.moves.length) return "it names an address twice";
  for (const m of edit.moves) {
    if (!has(m.from)) return `${m.from} is not recorded in the parent snapshot`;
    const to = parseAddress(m.to);
    if (to === null) return `${JSON.stringify(m.to)} is not a resource address`;
    if (to.type !== recordOf(parent, m.from).type) return `${m.from} is a ${recordOf(parent, m.from).type}, ${m.to} a ${to.type}`;
    if (has(m.to) && !froms.has(m.to)) return `${m.to} is already recorded`;
  }
  return null;
}

/**
 * An edit record's state tree (`kind: "edit"`): the parent's status, program, source,
 * failure and exports (nothing ran); its resources with the edit applied (editedRecords:
 * the records kept are the parent's, byte for byte); no domains, an empty DAG diff, no
 * plan.json, an empty trace; `edit` says what was done.
 */
export function buildEditTree(input: EditInput): StateTree {
  const { parent, edit } = input;
  const records = editedRecords(parent, edit);
  const moved = new Set(edit.command === "mv" ? edit.moves.map((m) => m.to) : []);
  const files: { path: string; content: string }[] = [];
  const resources: Record<string, string> = {};
  for (const address of [...records.keys()].sort()) {
    const rec = records.get(address)!;
    if (moved.has(address)) {
      resources[address] = hashValue(rec);
      files.push({ path: resourcePath(address), content: prettyCanonical(rec) });
    } else {
      resources[address] = parent.snapshot.resources[address]!;
      files.push({ path: resourcePath(address), content: parent.texts?.get(address) ?? prettyCanonical(rec) });
    }
  }
  const p = parent.snapshot;
  const trace = "";
  const snapshot: EditSnapshot = {
    dag: EMPTY_DAG,
    domains: {},
    edit: edit.command === "rm" ? { addresses: [...edit.addresses].sort(), command: "rm" } : { command: "mv", moves: [...edit.moves].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0)).map((m) => ({ from: m.from, to: m.to })) },
    exports: inCanonicalOrder(p.exports),
    failure: p.failure === null ? null : inCanonicalOrder(p.failure),
    format: "lexum.snapshot/v1",
    kind: "edit",
    lastQuiescent: lastQuiescentAfter(parent),
    parent: parent.hash,
    plan: null,
    program: p.program,
    resources,
    source: inCanonicalOrder(p.source),
    status: p.status,
    trace: sha256(trace),
  };
  const hash = snapshotHash(snapshot);
  const what = editWords(snapshot.edit);
  files.push(
    { path: "snapshot.json", content: snapshotFileText(snapshot, hash) },
    { path: "trace.jsonl", content: trace },
    {
      path: "README.md",
      content: readme(snapshot, hash, null, {
        notes: [`- an edit of the state by hand: ${what}; nothing was applied and no object was touched`],
        tail: ["## Edit", "", ...(snapshot.edit.command === "rm" ? snapshot.edit.addresses.map((a) => `- forgot ${a}`) : snapshot.edit.moves.map((m) => `- moved ${m.from} → ${m.to}`)), ""],
      }),
    },
  );
  return { snapshot, hash, files, message: commitMessage(snapshot, hash, null, [`State edit: ${what}`]) };
}

/** `lxm state rm` of 2 records: web/fs.file.a, web/fs.file.b` in words: `forgot web/fs.file.a, web/fs.file.b`. */
export function editWords(edit: StateEdit): string {
  return edit.command === "rm"
    ? `forgot ${listed([...edit.addresses], 10)} (lxm state rm)`
    : `moved ${listed(edit.moves.map((m) => `${m.from} → ${m.to}`), 10)} (lxm state mv)`;
}

/** The parent's record of `address` (it lists it: the caller iterates the parent's addresses). */
function recordOf(parent: LoadedSnapshot, address: Address): RecordedResource {
  const rec = parent.resources[address];
  if (!rec) throw new InternalError(`the parent snapshot lists ${address} but holds no record of it`);
  return rec;
}

/** The first `max` items joined with ", ", then `and N more`. */
function listed(items: readonly string[], max: number): string {
  return items.slice(0, max).join(", ") + (items.length > max ? `, and ${items.length - max} more` : "");
}
