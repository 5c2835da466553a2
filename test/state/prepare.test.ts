import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { canonicalize, hashValue, prettyCanonical } from "../../src/program/canonical.js";
import type { Plan, RecordedResource } from "../../src/plan/types.js";
import type { RunResult, TraceEvent } from "../../src/runtime/types.js";
import { SnapshotPrep } from "../../src/state/prepare.js";
import { buildStateTree, resourcePath } from "../../src/state/snapshot.js";
import { clearStoreCaches, writeStateCommit } from "../../src/state/store.js";
import { gitc, repoFactory } from "../git/helpers.js";

const repo = repoFactory();
const PROGRAM = "sha256:" + "a".repeat(64);
const SOURCE = { commit: "c".repeat(40), path: "" };
const TIME = { seconds: 1700000000, tzOffsetMinutes: 0 };
const BRANCH = "lexum/state";

function rec(address: string, n: number): RecordedResource {
  return {
    address,
    attrs: { kind: "svc", name: address, spec: { n } },
    dependsOn: [],
    domain: address.slice(0, address.indexOf("/")),
    identity: `sim:${address}`,
    protect: false,
    provider: { alias: "sim", config: { world: "w.json" }, type: "sim" },
    sensitive: {},
    type: "sim.object",
  };
}

const PLAN = (() => {
  const body = { format: "lexum.plan/v1" as const, program: PROGRAM, prior: null, refreshed: false, steps: [], summary: { create: 40, update: 0, replace: 0, delete: 0, noop: 0 } };
  return { ...body, hash: hashValue(body) } as Plan;
})();

function runOf(resources: RecordedResource[], trace: TraceEvent[]): RunResult {
  return {
    status: "quiescent",
    resources: Object.fromEntries(resources.map((r) => [r.address, r])),
    exports: {},
    domains: { a: "quiescent", b: "quiescent" },
    trace,
    dag: { planned: [], done: [], failed: [], notStarted: [] },
    failure: null,
  };
}

function events(resources: RecordedResource[]): TraceEvent[] {
  return resources.map((r, seq) => ({ action: "create", address: r.address, after: r.attrs, domain: r.domain, phase: "done", seq, step: 1 }) as TraceEvent);
}

/**
 * Commits `tree` in two fresh repositories, without and with `prep`'s blobs (cold caches
 * each time), checks both give the same commit id, and returns the second repository.
 */
async function commitsAgree(tree: { files: { path: string; content: string }[]; message: string }, prep: SnapshotPrep) {
  const [r1, r2] = [repo(), repo()];
  clearStoreCaches();
  const a = await writeStateCommit({ gitdir: r1.gitdir, branch: BRANCH, expectedParent: null, files: tree.files, message: tree.message, time: TIME });
  clearStoreCaches();
  const b = await writeStateCommit({ gitdir: r2.gitdir, branch: BRANCH, expectedParent: null, files: tree.files, message: tree.message, time: TIME, prepared: prep.blobs() });
  expect(b.oid).toBe(a.oid);
  return r2;
}

/**
 * Lets the preparation's idle-time slices run, and its blobs come back from the thread
 * pool (bounded: a loaded machine may take longer than a few turns).
 */
async function idle(prep?: SnapshotPrep, blobs = 0): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 30));
  for (let i = 0; prep && prep.blobs().size < blobs && i < 500; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("SnapshotPrep", () => {
  it("prepares each record's hash and text, the trace's lines and blobs git agrees with, in idle time", async () => {
    const records = Array.from({ length: 40 }, (_, i) => rec(`${i % 2 ? "a" : "b"}/sim.object.r${i}`, i));
    const trace = events(records);
    const prep = new SnapshotPrep();
    prep.file("plan.json", PLAN);
    for (const r of records) prep.record(r);
    for (const e of trace) prep.event(e);
    // Nothing is computed synchronously: the run's next provider call goes first.
    expect(prep.textOf(records[0]!)).toBeUndefined();
    await idle(prep, records.length + 1);
    for (const r of records) {
      expect(prep.textOf(r)).toBe(prettyCanonical(r));
      expect(prep.hashOf(r)).toBe(hashValue(r));
      const blob = prep.blobs().get(resourcePath(r.address))!;
      expect(blob.content).toBe(prettyCanonical(r));
      expect(inflateSync(blob.packed).toString("utf8")).toBe(blob.content);
    }
    expect(prep.blobs().get("plan.json")!.content).toBe(prettyCanonical(PLAN));
    for (const e of trace) {
      expect(prep.lineOf(e)).toBe(canonicalize(e) + "\n");
      // apply's journal lines are built from these: canonical JSON of { event, kind }.
      expect(`{"event":${prep.traceLine(e).slice(0, -1)},"kind":"event"}`).toBe(canonicalize({ kind: "event", event: e }));
    }
    const late = { ...trace[0]!, seq: 99 } as TraceEvent;
    expect(prep.lineOf(late)).toBeUndefined();
    expect(prep.traceLine(late)).toBe(canonicalize(late) + "\n");
    expect(prep.lineOf(late)).toBe(prep.traceLine(late));

    // The same files and the same commit as without preparation; git reads every blob.
    const input = { parent: null, status: "quiescent" as const, source: SOURCE, programHash: PROGRAM, plan: PLAN, run: runOf(records, trace) };
    const plain = buildStateTree(input);
    const prepared = buildStateTree(input, prep);
    expect(prepared).toEqual(plain);
    const r2 = await commitsAgree(prepared, prep);
    for (const r of records.slice(0, 5)) {
      writeFileSync(join(r2.dir, "blob.txt"), prep.textOf(r)!);
      expect(gitc(r2.dir, "hash-object", "blob.txt")).toBe(prep.blobs().get(resourcePath(r.address))!.oid);
    }
    gitc(r2.dir, "fsck", "--strict");
    expect(gitc(r2.dir, "show", `${BRANCH}:${resourcePath(records[7]!.address)}`) + "\n").toBe(prettyCanonical(records[7]));
  });

  it("never lets a value prepared for another object or content into the commit", async () => {
    const early = Array.from({ length: 40 }, (_, i) => rec(`a/sim.object.r${i}`, i));
    const prep = new SnapshotPrep();
    for (const r of early) prep.record(r);
    await idle(prep, early.length);
    // The run then records new values for the same addresses (e.g. a failed action read back).
    const final = early.map((r) => rec(r.address, 1000 + Number(r.attrs.spec && (r.attrs.spec as { n: number }).n)));
    const input = { parent: null, status: "quiescent" as const, source: SOURCE, programHash: PROGRAM, plan: PLAN, run: runOf(final, events(final)) };
    const plain = buildStateTree(input);
    expect(buildStateTree(input, prep)).toEqual(plain);
    const r2 = await commitsAgree(plain, prep);
    gitc(r2.dir, "fsck", "--strict");
    expect(gitc(r2.dir, "show", `${BRANCH}:${resourcePath(final[5]!.address)}`) + "\n").toBe(prettyCanonical(final[5]));
  });

  it("does only the text of a record that is still the parent's object (its blob is on the branch)", async () => {
    const parentRec = rec("a/sim.object.kept", 1);
    const prep = new SnapshotPrep({ [parentRec.address]: parentRec });
    prep.record(parentRec);
    await idle();
    expect(prep.textOf(parentRec)).toBe(prettyCanonical(parentRec));
    expect(prep.hashOf(parentRec)).toBeUndefined();
    expect(prep.blobs().size).toBe(0);
  });

  it("stops: work not done yet is dropped, later input ignored", async () => {
    const prep = new SnapshotPrep();
    const r = rec("a/sim.object.x", 1);
    prep.record(r);
    prep.stop();
    prep.record(rec("a/sim.object.y", 2));
    await idle();
    expect(prep.textOf(r)).toBeUndefined();
    expect(prep.blobs().size).toBe(0);
  });
});
