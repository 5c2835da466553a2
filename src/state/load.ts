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

  const plan = parseJson(files, "plan.json", problems) as Plan | undefined;
  if (plan) {
    const { hash: planHash, ...rest } = plan;
    const h = hashValue(rest);
    if (planHash !== h) problems.push(`plan.json states hash ${planHash} but its content hashes to ${h}`);
    if (planHash !== snapshot.plan) problems.push(`plan.json is plan ${planHash}, but snapshot.json names ${snapshot.plan}`);
  }
  return { loaded: { snapshot: snapshot as Snapshot, hash, resources, texts }, problems };
}
