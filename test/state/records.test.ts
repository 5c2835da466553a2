import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newAjv } from "../../src/program/ajv.js";
import { hashValue, prettyCanonical, sha256 } from "../../src/program/canonical.js";
import type { Plan, RecordedResource } from "../../src/plan/types.js";
import type { RunResult } from "../../src/runtime/types.js";
import { buildStateTree, resourcePath } from "../../src/state/snapshot.js";
import type { LoadedSnapshot, StateTree } from "../../src/state/snapshot.js";
import { inspectStateFiles, kindProblems } from "../../src/state/load.js";
import { FAILURE_MESSAGE_LIMIT, boundFailureMessage, buildDriftTree, buildEditTree, buildFailureTree, driftBasis, driftEvents, editProblems, editedRecords } from "../../src/state/records.js";

const root = join(import.meta.dirname, "../..");
const validate = newAjv().compile(JSON.parse(readFileSync(join(root, "schemas/snapshot.json"), "utf8")) as object);
const PROGRAM = "sha256:" + "a".repeat(64);
const SOURCE = { commit: "c".repeat(40), path: "" };
const GOAL = { commit: "d".repeat(40), path: "" };

function rec(address: string, attrs: RecordedResource["attrs"], sensitive: RecordedResource["sensitive"] = {}): RecordedResource {
  return {
    address,
    domain: address.slice(0, address.indexOf("/")),
    type: "sim.object",
    provider: { alias: "sim", type: "sim", config: { world: "w.json" } },
    identity: `sim:${address}`,
    attrs,
    sensitive,
    dependsOn: [],
    protect: false,
  };
}

function plan(prior: string | null, refreshed = false, tag = "p"): Plan {
  const body = { format: "lexum.plan/v1" as const, program: PROGRAM, prior, refreshed, steps: [], summary: { create: 0, update: 1, replace: 0, delete: 0, noop: 0 }, note: tag };
  return { ...body, hash: hashValue(body) } as Plan;
}

const R1 = {
  "a/sim.object.x": rec("a/sim.object.x", { kind: "svc", name: "x", spec: { replicas: 2 } }),
  "a/sim.object.y": rec("a/sim.object.y", { kind: "svc", name: "y" }, { secret: "hmac-sha256:" + "0".repeat(64) }),
  "b/sim.object.z": rec("b/sim.object.z", { kind: "svc", name: "z" }),
};

function run(resources: { [a: string]: RecordedResource }): RunResult {
  return {
    status: "quiescent",
    resources,
    exports: { "a.port": 8080 },
    domains: { a: "quiescent", b: "quiescent" },
    trace: [{ step: 1, domain: "a", seq: 0, phase: "domain", status: "quiescent" }],
    dag: { planned: [], done: [], failed: [], notStarted: [] },
    failure: null,
  };
}

const enc = new TextEncoder();
function asTree(files: { path: string; content: string }[]): Map<string, Uint8Array> {
  return new Map(files.map((f) => [f.path, enc.encode(f.content)]));
}
function loaded(t: StateTree): LoadedSnapshot {
  const ins = inspectStateFiles(asTree(t.files));
  expect(ins.problems).toEqual([]);
  return ins.loaded!;
}
function fileOf(t: StateTree, path: string): string | undefined {
  return t.files.find((f) => f.path === path)?.content;
}
function snapshotDoc(t: StateTree): unknown {
  return JSON.parse(fileOf(t, "snapshot.json")!);
}
const applied = () => loaded(buildStateTree({ parent: null, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(null), run: run(R1) }));

describe("buildFailureTree", () => {
  it("holds the parent's resources (same hashes, same file bytes) and exports, and nothing of a run", () => {
    const parent = applied();
    const t = buildFailureTree({ parent, source: GOAL, reason: "compile-failed", message: "main.lxm:3:1: error[LXM2001]: unknown name\nsecond line" });
    expect(t.snapshot).toEqual({
      dag: { done: [], failed: [], notStarted: [], planned: [] },
      domains: {},
      exports: { "a.port": 8080 },
      failure: { address: null, domain: null, message: "main.lxm:3:1: error[LXM2001]: unknown name\nsecond line", reason: "compile-failed" },
      format: "lexum.snapshot/v1",
      kind: "failure",
      lastQuiescent: parent.hash,
      parent: parent.hash,
      plan: null,
      program: null,
      resources: parent.snapshot.resources,
      source: GOAL,
      status: "failed",
      trace: sha256(""),
    });
    for (const a of Object.keys(R1)) expect(fileOf(t, resourcePath(a))).toBe(parent.texts!.get(a));
    expect(fileOf(t, "plan.json")).toBeUndefined();
    expect(fileOf(t, "trace.jsonl")).toBe("");
    expect(t.message).toBe(
      [
        `lexum: failed snapshot ${t.hash.slice(7, 19)} for dddddddddddd`,
        "",
        "Failure (compile-failed): main.lxm:3:1: error[LXM2001]: unknown name",
        "",
        `Lexum-Snapshot: ${t.hash}`,
        "Lexum-Plan: none",
        `Lexum-Source: ${GOAL.commit} .`,
        "",
      ].join("\n"),
    );
    expect(fileOf(t, "README.md")).toContain("a failure record (compile-failed)");
    expect(fileOf(t, "README.md")).toContain("second line");
    // It reads back as it was built and is a valid snapshot document.
    const back = loaded(t);
    expect(back.hash).toBe(t.hash);
    expect(back.snapshot).toEqual(t.snapshot);
    expect(validate(snapshotDoc(t)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is deterministic, and a failure on an empty branch holds nothing", () => {
    const a = buildFailureTree({ parent: null, source: GOAL, reason: "fetch-failed", message: "could not fetch" });
    const b = buildFailureTree({ parent: null, source: GOAL, reason: "fetch-failed", message: "could not fetch" });
    expect(a.files).toEqual(b.files);
    expect(a.snapshot.resources).toEqual({});
    expect(a.snapshot.parent).toBeNull();
    expect(a.snapshot.lastQuiescent).toBeNull();
    expect(validate(snapshotDoc(a)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("on top of a failed snapshot carries its lastQuiescent on", () => {
    const parent = applied();
    const f1 = loaded(buildFailureTree({ parent, source: GOAL, reason: "fetch-failed", message: "x" }));
    const f2 = buildFailureTree({ parent: f1, source: GOAL, reason: "compile-failed", message: "y" });
    expect(f2.snapshot.lastQuiescent).toBe(parent.hash);
    expect(f2.snapshot.resources).toEqual(parent.snapshot.resources);
  });
});

describe("boundFailureMessage", () => {
  it("keeps a message that fits, and cuts a long one on a line, saying how many lines were cut", () => {
    expect(boundFailureMessage("short\nmessage")).toBe("short\nmessage");
    const lines = Array.from({ length: 2000 }, (_, i) => `main.lxm:${i + 1}:1: error[LXM2001]: unknown name x${i}`);
    const out = boundFailureMessage(lines.join("\n"));
    expect(enc.encode(out).length).toBeLessThanOrEqual(FAILURE_MESSAGE_LIMIT);
    const kept = out.split("\n");
    const last = kept.pop()!;
    expect(lines.slice(0, kept.length)).toEqual(kept);
    expect(last).toBe(`… (${2000 - kept.length} more lines cut: a failure message is kept to 16 KiB)`);
    expect(boundFailureMessage(lines.join("\n"))).toBe(out);
  });

  it("cuts one overlong line on a code point", () => {
    const out = boundFailureMessage("é".repeat(20000));
    expect(enc.encode(out).length).toBeLessThanOrEqual(FAILURE_MESSAGE_LIMIT);
    expect(out).toMatch(/^é+…\n… \(the rest of the line cut/);
  });
});

describe("buildDriftTree", () => {
  const observed = (): Map<string, RecordedResource["attrs"] | null> =>
    new Map<string, RecordedResource["attrs"] | null>([
      ["b/sim.object.z", null],
      ["a/sim.object.x", { kind: "svc", name: "x", spec: { replicas: 5 } }],
    ]);

  it("records what was observed: a changed record's attrs (the rest kept), a gone one removed, one drift event each", () => {
    const parent = applied();
    const correction = plan(parent.hash, true, "correction");
    const t = buildDriftTree({ parent, observed: observed(), program: PROGRAM, source: SOURCE, plan: correction });
    const x = { ...R1["a/sim.object.x"], attrs: { kind: "svc", name: "x", spec: { replicas: 5 } } };
    expect(t.snapshot).toEqual({
      dag: { done: [], failed: [], notStarted: [], planned: [] },
      domains: {},
      exports: { "a.port": 8080 },
      failure: null,
      format: "lexum.snapshot/v1",
      kind: "drift",
      lastQuiescent: parent.hash,
      parent: parent.hash,
      plan: correction.hash,
      program: PROGRAM,
      resources: { "a/sim.object.x": hashValue(x), "a/sim.object.y": parent.snapshot.resources["a/sim.object.y"] },
      source: SOURCE,
      status: "drifted",
      trace: sha256(fileOf(t, "trace.jsonl")!),
    });
    expect(fileOf(t, resourcePath("a/sim.object.x"))).toBe(prettyCanonical(x));
    expect(fileOf(t, resourcePath("a/sim.object.y"))).toBe(parent.texts!.get("a/sim.object.y"));
    expect(fileOf(t, resourcePath("b/sim.object.z"))).toBeUndefined();
    expect(fileOf(t, "plan.json")).toBe(prettyCanonical(correction));
    expect(fileOf(t, "trace.jsonl")).toBe(
      '{"address":"a/sim.object.x","after":{"kind":"svc","name":"x","spec":{"replicas":5}},"before":{"kind":"svc","name":"x","spec":{"replicas":2}},"domain":"a","phase":"drift","seq":0,"step":1}\n' +
        '{"address":"b/sim.object.z","after":null,"before":{"kind":"svc","name":"z"},"domain":"b","phase":"drift","seq":0,"step":1}\n',
    );
    expect(t.message.split("\n").slice(0, 4)).toEqual([
      `lexum: drifted snapshot ${t.hash.slice(7, 19)} for cccccccccccc`,
      "",
      "Drift: 2 resources read back other than recorded (1 changed, 1 gone): a/sim.object.x, b/sim.object.z (gone)",
      "Correction plan: Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.",
    ]);
    expect(t.message).toContain(`\nLexum-Plan: ${correction.hash}\n`);
    const back = loaded(t);
    expect(back.snapshot).toEqual(t.snapshot);
    expect(validate(snapshotDoc(t)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is deterministic whatever the order of the observations", () => {
    const parent = applied();
    const a = buildDriftTree({ parent, observed: observed(), program: PROGRAM, source: SOURCE, plan: plan(parent.hash, true) });
    const reversed = new Map([...observed()].reverse());
    const b = buildDriftTree({ parent, observed: reversed, program: PROGRAM, source: SOURCE, plan: plan(parent.hash, true) });
    expect(b.files).toEqual(a.files);
    expect(b.message).toBe(a.message);
  });

  it("is never a rollback target: a snapshot on top of it names the parent's lastQuiescent", () => {
    const parent = applied();
    const drift = loaded(buildDriftTree({ parent, observed: observed(), program: PROGRAM, source: SOURCE, plan: plan(parent.hash, true) }));
    const next = buildStateTree({ parent: drift, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(drift.hash), run: run(R1) });
    expect(next.snapshot.lastQuiescent).toBe(parent.hash);
    expect(driftBasis(drift)).toEqual({ program: PROGRAM, source: SOURCE });
    const failure = loaded(buildFailureTree({ parent, source: GOAL, reason: "compile-failed", message: "x" }));
    expect(driftBasis(failure)).toBeNull();
  });

  it("refuses an observation of a resource the parent does not record (a caller bug)", () => {
    const parent = applied();
    expect(() => driftEvents(parent, new Map([["a/sim.object.nope", null]]))).toThrow(/not recorded in the parent/);
  });
});

describe("a snapshot's kind and the rest of its document", () => {
  it("finds what a kind forbids", () => {
    const parent = applied();
    const f = buildFailureTree({ parent, source: GOAL, reason: "compile-failed", message: "m" }).snapshot;
    const d = buildDriftTree({ parent, observed: new Map([["b/sim.object.z", null]]), program: PROGRAM, source: SOURCE, plan: plan(parent.hash, true) }).snapshot;
    expect(kindProblems(f)).toEqual([]);
    expect(kindProblems(d)).toEqual([]);
    expect(kindProblems(parent.snapshot)).toEqual([]);
    const bad = (s: object) => kindProblems(s as never).join("\n");
    expect(bad({ ...f, status: "quiescent" })).toContain("a failure record has status failed");
    expect(bad({ ...f, program: PROGRAM })).toContain("names no program and no plan");
    expect(bad({ ...f, failure: { ...f.failure, reason: "apply-failed" } })).toContain("reason fetch-failed or compile-failed");
    expect(bad({ ...f, domains: { a: "quiescent" } })).toContain("has no domain outcomes");
    expect(bad({ ...f, trace: "sha256:" + "1".repeat(64) })).toContain("has an empty trace");
    expect(bad({ ...d, status: "quiescent" })).toContain("a drift record has status drifted");
    expect(bad({ ...d, failure: { address: null, domain: "a", message: "x" } })).toContain("has no failure");
    expect(bad({ ...parent.snapshot, status: "drifted" })).toContain("only a drift record");
    expect(bad({ ...parent.snapshot, plan: null })).toContain("names its program and plan");
    expect(bad({ ...parent.snapshot, kind: "other" })).toContain('kind "other"');
  });

  it("inspectStateFiles refuses a plan.json beside a snapshot that names none, and a failure record's edited trace", () => {
    const parent = applied();
    const t = buildFailureTree({ parent, source: GOAL, reason: "compile-failed", message: "m" });
    const withPlan = asTree(t.files);
    withPlan.set("plan.json", enc.encode(prettyCanonical(plan(parent.hash))));
    expect(inspectStateFiles(withPlan).problems).toContain("plan.json is present, but snapshot.json names no plan");
    const traced = asTree(t.files);
    traced.set("trace.jsonl", enc.encode('{"phase":"domain"}\n'));
    expect(inspectStateFiles(traced).problems.join("\n")).toMatch(/trace\.jsonl hashes to/);
  });

  it("the schema refuses what a kind forbids", () => {
    const parent = applied();
    const doc = snapshotDoc(buildFailureTree({ parent, source: GOAL, reason: "compile-failed", message: "m" })) as Record<string, unknown>;
    expect(validate({ ...doc, plan: "sha256:" + "1".repeat(64) })).toBe(false);
    expect(validate({ ...doc, status: "drifted" })).toBe(false);
    expect(validate({ ...doc, failure: { address: null, domain: null, message: "m", reason: "apply-failed" } })).toBe(false);
    const run = snapshotDoc(buildStateTree({ parent: null, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(null), run: run1() })) as Record<string, unknown>;
    expect(validate(run), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...run, program: null })).toBe(false);
    expect(validate({ ...run, status: "drifted" })).toBe(false);
    expect(validate({ ...run, kind: "other" })).toBe(false);
    // An older snapshot: a failure without a reason.
    expect(validate({ ...run, status: "failed", failure: { address: null, domain: "a", message: "boom" } })).toBe(true);
    expect(validate({ ...run, status: "failed", failure: { address: null, domain: null, message: "boom" } })).toBe(false);
  });
});

function run1(): RunResult {
  return run(R1);
}

describe("buildEditTree (lxm state rm / mv)", () => {
  it("rm: the parent's state without the forgotten records, the kept record files byte for byte; valid, checkable, deterministic", () => {
    const parent = applied();
    const t = buildEditTree({ parent, edit: { command: "rm", addresses: ["b/sim.object.z", "a/sim.object.y"] } });
    const doc = snapshotDoc(t) as Record<string, unknown>;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ kind: "edit", status: "quiescent", program: PROGRAM, plan: null, parent: parent.hash, lastQuiescent: parent.hash, edit: { command: "rm", addresses: ["a/sim.object.y", "b/sim.object.z"] }, exports: { "a.port": 8080 } });
    expect(Object.keys((doc as { resources: object }).resources)).toEqual(["a/sim.object.x"]);
    expect(fileOf(t, resourcePath("a/sim.object.x"))).toBe(parent.texts!.get("a/sim.object.x"));
    expect(fileOf(t, "plan.json")).toBeUndefined();
    expect(fileOf(t, "trace.jsonl")).toBe("");
    expect(kindProblems(loaded(t).snapshot)).toEqual([]);
    expect(t.message).toContain("State edit: forgot a/sim.object.y, b/sim.object.z (lxm state rm)");
    expect(buildEditTree({ parent, edit: { command: "rm", addresses: ["a/sim.object.y", "b/sim.object.z"] } }).hash).toBe(t.hash);
  });

  it("mv: the same record under its new address and domain; a swap works; what cannot be done is refused in words", () => {
    const parent = applied();
    const t = buildEditTree({ parent, edit: { command: "mv", moves: [{ from: "a/sim.object.x", to: "b/sim.object.w" }] } });
    const moved = loaded(t).resources["b/sim.object.w"]!;
    expect(moved).toEqual({ ...R1["a/sim.object.x"], address: "b/sim.object.w", domain: "b" });
    const swap = editedRecords(parent, { command: "mv", moves: [{ from: "a/sim.object.x", to: "a/sim.object.y" }, { from: "a/sim.object.y", to: "a/sim.object.x" }] });
    expect(swap.get("a/sim.object.y")!.attrs).toEqual(R1["a/sim.object.x"].attrs);
    expect(editProblems(parent, { command: "rm", addresses: ["a/sim.object.q"] })).toBe("a/sim.object.q is not recorded in the parent snapshot");
    expect(editProblems(parent, { command: "mv", moves: [{ from: "a/sim.object.x", to: "a/sim.object.y" }] })).toBe("a/sim.object.y is already recorded");
    expect(editProblems(parent, { command: "mv", moves: [{ from: "a/sim.object.x", to: "a/fs.file.y" }] })).toBe("a/sim.object.x is a sim.object, a/fs.file.y a fs.file");
    expect(editProblems(parent, { command: "mv", moves: [{ from: "a/sim.object.x", to: "nope" }] })).toBe('"nope" is not a resource address');
    expect(editProblems(parent, { command: "mv", moves: [{ from: "a/sim.object.x", to: "b/sim.object.w" }, { from: "a/sim.object.y", to: "b/sim.object.w" }] })).toBe("it names an address twice");
    expect(() => buildEditTree({ parent, edit: { command: "rm", addresses: [] } })).toThrow("it forgets nothing");
  });

  it("on top of a failure record keeps its status and failure, with no program", () => {
    const failure = loaded(buildFailureTree({ parent: applied(), source: GOAL, reason: "compile-failed", message: "main.lxm:1:1: error" }));
    const t = buildEditTree({ parent: failure, edit: { command: "rm", addresses: ["a/sim.object.x"] } });
    const doc = snapshotDoc(t);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ kind: "edit", status: "failed", program: null, failure: { reason: "compile-failed" } });
    expect(t.message.split("\n")[0]).toMatch(/^lexum: failed snapshot /);
  });
});
