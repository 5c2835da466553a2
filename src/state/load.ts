import { hashValue, sha256 } from "../program/canonical.js";
import type { Plan, RecordedResource } from "../plan/types.js";
import type { LoadedSnapshot, Snapshot } from "./snapshot.js";
import { resourcePath, snapshotHash } from "./snapshot.js";

/** What is wrong with one state commit's content, in words (empty when it verifies). */
export interface Inspection {
  readonly loaded: LoadedSnapshot | null;
  readonly problems: string[];
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function parseJson(files: ReadonlyMap<string, Uint8Array>, path: string, problems: string[], text?: (t: string) => void): unknown {
  const bytes = files.get(path);
  if (!bytes) {
    problems.push(`${path} is missing`);
    return undefined;
  }
  try {
    const t = decoder.decode(bytes);
    text?.(t);
    return JSON.parse(t);
  } catch (e) {
    problems.push(`${path} is not valid JSON (${(e as Error).message})`);
    return undefined;
  }
}

/**
 * Reads a state commit's tree and checks it against itself: the snapshot's own hash, every
 * resource record against the hash the snapshot lists, no unlisted records, the trace's
 * and the plan's hashes. Pure; the parent chain is checked by the caller (verify.ts).
 * `snapshotOnly`: snapshot.json alone (its hash), the other files not looked at.
 */
export function inspectStateFiles(files: ReadonlyMap<string, Uint8Array>, opts: { snapshotOnly?: boolean } = {}): Inspection {
  const problems: string[] = [];
  const raw = parseJson(files, "snapshot.json", problems) as (Snapshot & { hash?: string }) | undefined;
  if (!raw || typeof raw !== "object" || raw.format !== "lexum.snapshot/v1") {
    if (raw !== undefined) problems.push("snapshot.json is not a lexum.snapshot/v1 document");
    return { loaded: null, problems };
  }
  const { hash: stated, ...snapshot } = raw;
  const hash = snapshotHash(snapshot as Snapshot);
  if (stated !== hash) problems.push(`snapshot.json states hash ${stated} but its content hashes to ${hash}`);
  // Only the snapshot document (a parent's, checked against the commit on top of it).
  if (opts.snapshotOnly) return { loaded: { snapshot: snapshot as Snapshot, hash, resources: {} }, problems };

  const resources: Record<string, RecordedResource> = {};
  const texts = new Map<string, string>();
  const listed = new Set<string>();
  for (const address of Object.keys(snapshot.resources ?? {}).sort()) {
    const path = resourcePath(address);
    listed.add(path);
    const rec = parseJson(files, path, problems, (t) => texts.set(address, t)) as RecordedResource | undefined;
    if (rec === undefined) continue;
    const h = hashValue(rec);
    if (h !== snapshot.resources[address]) problems.push(`${path} hashes to ${h}, but snapshot.json lists ${snapshot.resources[address]}`);
    if (rec.address !== address) problems.push(`${path} records address ${rec.address}, expected ${address}`);
    resources[address] = rec;
  }
  for (const path of files.keys()) {
    if (path.startsWith("resources/") && !listed.has(path)) problems.push(`${path} is not listed in snapshot.json`);
  }

  const trace = files.get("trace.jsonl");
  if (!trace) problems.push("trace.jsonl is missing");
  else if (sha256(trace) !== snapshot.trace) problems.push(`trace.jsonl hashes to ${sha256(trace)}, but snapshot.json lists ${snapshot.trace}`);

  for (const p of kindProblems(snapshot as Snapshot)) problems.push(p);
  // A failure record names no plan and has no plan.json.
  if (snapshot.plan === null) {
    if (files.has("plan.json")) problems.push("plan.json is present, but snapshot.json names no plan");
    return { loaded: { snapshot: snapshot as Snapshot, hash, resources, texts }, problems };
  }
  const plan = parseJson(files, "plan.json", problems) as Plan | undefined;
  if (plan) {
    const { hash: planHash, ...rest } = plan;
    const h = hashValue(rest);
    if (planHash !== h) problems.push(`plan.json states hash ${planHash} but its content hashes to ${h}`);
    if (planHash !== snapshot.plan) problems.push(`plan.json is plan ${planHash}, but snapshot.json names ${snapshot.plan}`);
  }
  return { loaded: { snapshot: snapshot as Snapshot, hash, resources, texts }, problems };
}

const EMPTY_TRACE = sha256("");

/**
 * What a snapshot's `kind` requires of the rest of the document: a run names its program
 * and plan and is never `drifted`; a failure record is `failed`, names no program, plan,
 * domain or DAG, has an empty trace and a `fetch-failed`/`compile-failed` failure with no
 * domain; a drift record is `drifted`, names its program and plan, no failure, domain or
 * DAG. Pure; the problems in words.
 */
export function kindProblems(s: Snapshot): string[] {
  const problems: string[] = [];
  const loose = s as unknown as { kind?: unknown; status: string; program: unknown; plan: unknown; failure: { domain?: unknown; address?: unknown; reason?: unknown } | null };
  const emptyRun = (what: string): void => {
    const a = /^[aeiou]/.test(what) ? "an" : "a";
    if (Object.keys(s.domains ?? {}).length > 0) problems.push(`${a} ${what} has no domain outcomes, but snapshot.json lists ${Object.keys(s.domains).length}`);
    const dag = s.dag ?? { planned: [], done: [], failed: [], notStarted: [] };
    if (dag.planned.length + dag.done.length + dag.failed.length + dag.notStarted.length > 0) problems.push(`${a} ${what} has an empty DAG diff, but snapshot.json's is not`);
  };
  switch (loose.kind) {
    case undefined:
      if ((s as { edit?: unknown }).edit !== undefined) problems.push("only an edit record (kind edit) says what was edited, but snapshot.json of a run does");
      if (loose.status === "drifted") problems.push("snapshot.json has status drifted, which only a drift record (kind drift) has");
      if (typeof loose.program !== "string" || typeof loose.plan !== "string") problems.push("the record of a run names its program and plan, but snapshot.json has none");
      if (loose.failure && typeof loose.failure.domain !== "string") problems.push("the failure of a run names its domain, but snapshot.json's does not");
      break;
    case "failure": {
      const what = "failure record";
      if (loose.status !== "failed") problems.push(`a ${what} has status failed, but snapshot.json says ${loose.status}`);
      if (loose.program !== null || loose.plan !== null) problems.push(`a ${what} names no program and no plan (nothing ran), but snapshot.json does`);
      const f = loose.failure;
      if (!f || f.domain !== null || f.address !== null || (f.reason !== "fetch-failed" && f.reason !== "compile-failed")) {
        problems.push(`a ${what}'s failure has no domain, no address and the reason fetch-failed or compile-failed, but snapshot.json's does not`);
      }
      if (s.trace !== EMPTY_TRACE) problems.push(`a ${what} has an empty trace, but snapshot.json names trace ${s.trace}`);
      emptyRun(what);
      break;
    }
    case "drift": {
      const what = "drift record";
      if (loose.status !== "drifted") problems.push(`a ${what} has status drifted, but snapshot.json says ${loose.status}`);
      if (typeof loose.program !== "string" || typeof loose.plan !== "string") problems.push(`a ${what} names its program and its correction plan, but snapshot.json does not`);
      if (loose.failure !== null) problems.push(`a ${what} has no failure, but snapshot.json names one`);
      emptyRun(what);
      break;
    }
    case "edit": {
      const what = "edit record";
      const e = (s as { edit?: unknown }).edit as { command?: unknown; addresses?: unknown; moves?: unknown } | undefined;
      if (!e || (e.command === "rm" ? !Array.isArray(e.addresses) : e.command === "mv" ? !Array.isArray(e.moves) : true)) problems.push(`an ${what} says what was edited (\`edit\`), but snapshot.json does not`);
      if (loose.plan !== null) problems.push(`an ${what} has no plan (nothing ran), but snapshot.json names one`);
      if (s.trace !== EMPTY_TRACE) problems.push(`an ${what} has an empty trace, but snapshot.json names trace ${s.trace}`);
      emptyRun(what);
      break;
    }
    default:
      problems.push(`snapshot.json has kind ${JSON.stringify(loose.kind)}, which this version of Lexum does not know`);
  }
  return problems;
}
