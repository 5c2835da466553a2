import { priorAfterMoves } from "../plan/moves.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import type { TypeCatalog } from "../program/schemas.js";
import { canonicalize } from "../program/canonical.js";
import type { Plan, RecordedResource } from "../plan/types.js";
import { compareEvents } from "../runtime/trace.js";
import { dagDiff } from "../runtime/scheduler.js";
import { redactedAttrs, split } from "../runtime/redact.js";
import { providerRecord } from "../runtime/execute.js";
import type { DomainStatus, RunResult, TraceEvent } from "../runtime/types.js";
import { readJournal, removeJournal } from "../state/journal.js";
import { buildStateTree } from "../state/snapshot.js";
import type { SnapshotSource } from "../state/snapshot.js";
import type { CommitTime } from "../state/store.js";
import { writeStateCommit } from "../state/store.js";
import type { Planned } from "./plan-project.js";

/** The journal of applies on one state branch (one apply runs at a time per branch). */
export function journalName(branch: string): string {
  return "apply-" + branch.replace(/[^A-Za-z0-9._-]/g, "_");
}

/**
 * The name of a killed apply's journal on `branch` that awaits recovery on top of `headOid`
 * (the head it was started from), or null. A journal started from another head holds nothing
 * the branch lacks (the next apply discards it) and is not pending.
 */
export async function pendingJournal(gitdir: string, branch: string, headOid: string | null): Promise<string | null> {
  const name = journalName(branch);
  const contents = await readJournal({ gitdir, name });
  const begin = contents?.records[0] as Partial<Begin> | undefined;
  return begin && begin.kind === "begin" && begin.parent === headOid ? name : null;
}

interface Begin {
  kind: "begin";
  parent: string | null;
  programHash: string;
  source: SnapshotSource;
  time: CommitTime;
  plan: Plan;
}

/**
 * The journal's first record, as its canonical JSON line: what the run is about to do and
 * from where. `planText`, when given, is `canonicalize(begin.plan)` already made (the
 * planner keeps it while hashing): the whole plan is not serialised a second time before the
 * first provider call.
 */
export function beginLine(begin: Omit<Begin, "kind">, planText?: string): string {
  const { parent, plan, programHash, source, time } = begin;
  // Keys in canonical order; `format` names the journal's version.
  return (
    `{"format":"lexum.journal/v1","kind":"begin","parent":${canonicalize(parent)},"plan":${planText ?? canonicalize(plan)},` +
    `"programHash":${canonicalize(programHash)},"source":${canonicalize(source)},"time":${canonicalize(time)}}`
  );
}

/**
 * Finds the journal of an apply that was killed before recording its snapshot and records
 * what it completed as a `failed` snapshot, so nothing completed is lost; the caller then
 * plans again against reality. Returns null when there is nothing to recover.
 */
export async function recoverInterruptedRun(planned: Planned): Promise<{ recorded: { oid: string; hash: string; status: "failed" }; warning: Diagnostic } | null> {
  const gitdir = planned.workspace.repo.gitdir;
  const name = journalName(planned.settings.stateBranch);
  const contents = await readJournal({ gitdir, name });
  if (!contents) return null;
  const [begin, ...rest] = contents.records as [Begin, ...{ kind: string; event: TraceEvent; sensitive?: RecordedResource["sensitive"] }[]];
  const headOid = planned.head?.oid ?? null;
  // The run committed but died before removing its journal, or the journal is from another
  // head: either way it holds nothing the branch lacks.
  if (!begin || begin.kind !== "begin" || begin.parent !== headOid) {
    await removeJournal({ gitdir, name });
    return null;
  }
  const events = rest.filter((r) => r.kind === "event").map((r) => r.event).sort(compareEvents);
  // The sensitive digests a finished action recorded (journaled beside its done event).
  const sensitiveOf = new Map<string, RecordedResource["sensitive"]>();
  for (const r of rest) if (r.kind === "event" && r.event.phase === "done" && r.event.address && r.sensitive) sensitiveOf.set(r.event.address, r.sensitive);
  const types = planned.providers.catalog;
  // The run started from the prior state with the plan's moves applied (runtime/scheduler).
  const resources: Record<string, RecordedResource> = { ...priorAfterMoves(planned.prior, begin.plan).resources };
  const teardownSteps = new Set(begin.plan.steps.filter((s) => s.phase === "teardown").map((s) => s.step));
  const done: string[] = [];
  const failed: string[] = [];
  const domains: Record<string, DomainStatus> = {};
  for (const e of events) {
    if (e.phase === "domain" && e.status) domains[e.domain] = e.status;
    if (!e.address) continue;
    if (e.phase === "failed") failed.push(e.address);
    if (e.phase !== "done") continue;
    // A replace's teardown half deleted the object; the replace is done only when its build half is.
    if (!(e.action === "replace" && teardownSteps.has(e.step))) done.push(e.address);
    if (e.action === "delete" || !e.after) {
      delete resources[e.address];
      continue;
    }
    const rec = recordFor(planned, e.address, e.after, types, sensitiveOf.get(e.address)) ?? (resources[e.address] ? { ...resources[e.address]!, attrs: e.after } : null);
    if (rec) resources[e.address] = rec;
  }
  for (const s of begin.plan.steps) for (const d of s.domains) if (!(d.domain in domains)) domains[d.domain] = "failed";
  const run: RunResult = {
    status: "failed",
    resources,
    exports: {},
    domains,
    trace: events,
    // The same shape a finished run records: non-noop actions in plan order.
    dag: dagDiff(begin.plan, new Set(done), new Set(failed)),
    failure: { domain: firstUnfinished(begin.plan, domains), address: null, message: "interrupted: the apply was stopped before it recorded a snapshot" },
  };
  const tree = buildStateTree({
    parent: planned.head?.loaded ?? null,
    status: "failed",
    source: begin.source,
    programHash: begin.programHash,
    plan: begin.plan,
    run,
  });
  const { oid } = await writeStateCommit({
    gitdir,
    branch: planned.settings.stateBranch,
    expectedParent: headOid,
    files: tree.files,
    message: tree.message,
    time: begin.time,
  });
  await removeJournal({ gitdir, name });
  return { recorded: { oid, hash: tree.hash, status: "failed" }, warning: catalog.engine.interruptedRun(undefined, name, new Set(done).size) };
}

function firstUnfinished(plan: Plan, domains: Record<string, DomainStatus>): string {
  for (const s of plan.steps) for (const d of s.domains) if (domains[d.domain] !== "quiescent") return d.domain;
  return "";
}

/** A record for a completed action, from the goal's description of the resource. */
function recordFor(
  planned: Planned,
  address: string,
  masked: import("../program/types.js").JsonObject,
  types: TypeCatalog,
  journaled?: RecordedResource["sensitive"],
): RecordedResource | null {
  const domainName = address.slice(0, address.indexOf("/"));
  const dom = planned.program.domains[domainName];
  const ir = dom?.resources[address];
  if (!dom || !ir) return null;
  const block = dom.providers[ir.provider];
  if (!block) return null;
  const redacted = redactedAttrs(ir.type, ir.deferred, [...Object.keys(ir.attrs), ...Object.keys(ir.deferred)], types);
  const { attrs, sensitive: fromAfter } = split(masked, redacted);
  const sensitive = journaled ?? fromAfter;
  return {
    address,
    domain: domainName,
    type: ir.type,
    provider: providerRecord(ir.provider, block),
    identity: ir.identity,
    attrs,
    sensitive,
    dependsOn: ir.dependsOn,
    protect: ir.protect,
  };
}
