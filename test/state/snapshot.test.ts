import { describe, expect, it } from "vitest";
import { hashValue, prettyCanonical, sha256 } from "../../src/program/canonical.js";
import type { Plan, RecordedResource } from "../../src/plan/types.js";
import type { RunResult } from "../../src/runtime/types.js";
import { buildStateTree, priorOf, resourcePath } from "../../src/state/snapshot.js";
import type { LoadedSnapshot } from "../../src/state/snapshot.js";
import { inspectStateFiles } from "../../src/state/load.js";

const PROGRAM = "sha256:" + "a".repeat(64);
const SOURCE = { commit: "c".repeat(40), path: "" };

function rec(address: string, attrs: RecordedResource["attrs"], sensitive: RecordedResource["sensitive"] = {}): RecordedResource {
  const domain = address.slice(0, address.indexOf("/"));
  return {
    address,
    domain,
    type: "sim.object",
    provider: { alias: "sim", type: "sim", config: { world: "w.json" } },
    identity: `sim:${address}`,
    attrs,
    sensitive,
    dependsOn: [],
    protect: false,
  };
}

function plan(prior: string | null, tag = "p"): Plan {
  const body = {
    format: "lexum.plan/v1" as const,
    program: PROGRAM,
    prior,
    refreshed: false,
    steps: [],
    summary: { create: 0, update: 0, replace: 0, delete: 0, noop: 0 },
    note: tag, // makes two plans differ without building real actions
  };
  return { ...body, hash: hashValue(body) } as Plan;
}

function run(resources: { [a: string]: RecordedResource }, status: RunResult["status"] = "quiescent"): RunResult {
  return {
    status,
    resources,
    exports: { "a.port": 8080 },
    domains: { a: status === "failed" ? "failed" : "quiescent" },
    trace: [{ step: 1, domain: "a", seq: 0, phase: "domain", status: "quiescent" }],
    dag: { planned: [], done: [], failed: [], notStarted: [] },
    failure: status === "failed" ? { address: "a/sim.object.x", domain: "a", message: "boom" } : null,
  };
}

const R1 = {
  "a/sim.object.x": rec("a/sim.object.x", { kind: "svc", name: "x", spec: { b: 1, a: [1, 2] } }),
  "a/sim.object.y": rec("a/sim.object.y", { kind: "svc", name: "y" }, { secret: "hmac-sha256:" + "0".repeat(64) }),
  'b/sim.object.z["a b/c"]': rec('b/sim.object.z["a b/c"]', { kind: "svc", name: "z" }),
};

function first() {
  return buildStateTree({ parent: null, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(null), run: run(R1) });
}

function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) out[k] = reversedKeys((v as Record<string, unknown>)[k]);
  return out;
}

const enc = new TextEncoder();
function asTree(files: { path: string; content: string }[]): Map<string, Uint8Array> {
  return new Map(files.map((f) => [f.path, enc.encode(f.content)]));
}

function loadedOf(files: { path: string; content: string }[]): LoadedSnapshot {
  const ins = inspectStateFiles(asTree(files));
  expect(ins.problems).toEqual([]);
  return ins.loaded!;
}

describe("buildStateTree", () => {
  it("reuses the file text of records kept from a parent read back from its commit (the same bytes)", () => {
    const parent = loadedOf(first().files);
    const kept = parent.resources["a/sim.object.x"]!;
    const changed = rec("a/sim.object.y", { kind: "svc", name: "y2" });
    const next = buildStateTree({ parent, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(parent.hash, "q"), run: run({ ...parent.resources, "a/sim.object.y": changed }) });
    const fileOf = (a: string) => next.files.find((f) => f.path === resourcePath(a))!.content;
    expect(fileOf("a/sim.object.x")).toBe(parent.texts!.get("a/sim.object.x"));
    expect(fileOf("a/sim.object.x")).toBe(prettyCanonical(kept));
    expect(fileOf("a/sim.object.y")).toBe(prettyCanonical(changed));
    // Without the texts (a parent built in memory), the very same files.
    const plain = buildStateTree({ parent: { ...parent, texts: undefined }, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(parent.hash, "q"), run: run({ ...parent.resources, "a/sim.object.y": changed }) });
    expect(plain.files).toEqual(next.files);
    expect(plain.hash).toBe(next.hash);
  });

  it("is deterministic and independent of the records' key insertion order", () => {
    const a = first();
    const shuffled: { [k: string]: RecordedResource } = {};
    for (const k of Object.keys(R1).reverse()) {
      const r = R1[k as keyof typeof R1];
      // Same content, every object's keys inserted in reverse.
      shuffled[k] = reversedKeys(r) as RecordedResource;
    }
    const b = buildStateTree({ parent: null, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(null), run: run(shuffled) });
    expect(b.files).toEqual(a.files);
    expect(b.hash).toBe(a.hash);
    expect(b.message).toBe(a.message);
    expect(a.hash).toBe(hashValue(a.snapshot));
    expect(a.files.map((f) => f.path)).toEqual([
      "resources/a/sim.object.x.json",
      "resources/a/sim.object.y.json",
      "resources/b/sim.object.z[%22a%20b%2Fc%22].json",
      "snapshot.json",
      "plan.json",
      "trace.jsonl",
      "README.md",
    ]);
    // Each listed hash is the record's canonical hash; the trace hash is of the trace bytes.
    for (const [address, r] of Object.entries(R1)) expect(a.snapshot.resources[address]).toBe(hashValue(r));
    expect(a.snapshot.trace).toBe(sha256(a.files.find((f) => f.path === "trace.jsonl")!.content));
    expect(a.message).toMatch(new RegExp(`^Lexum-Snapshot: ${a.hash}$`, "m"));
  });

  it("never writes a sensitive value in clear: only the recorded digest", () => {
    const text = first().files.map((f) => f.content).join("\n");
    expect(text).toContain("hmac-sha256:" + "0".repeat(64));
  });

  it("reuses the parent's hash for the identical record object and hashes any other object", () => {
    const t1 = first();
    const parent = loadedOf(t1.files);
    // A planted hash shows reuse: it can only appear in the output if it was not recomputed.
    const planted = "sha256:" + "f".repeat(64);
    const tampered: LoadedSnapshot = { ...parent, snapshot: { ...parent.snapshot, resources: { ...parent.snapshot.resources, "a/sim.object.x": planted } } };
    const x = tampered.resources["a/sim.object.x"]!;
    const y = tampered.resources["a/sim.object.y"]!;
    const yCopy = JSON.parse(JSON.stringify(y)) as RecordedResource; // equal content, another object
    const z2 = rec('b/sim.object.z["a b/c"]', { kind: "svc", name: "z", spec: { v: 2 } });
    const t2 = buildStateTree({
      parent: tampered,
      status: "quiescent",
      source: SOURCE,
      programHash: PROGRAM,
      plan: plan(parent.hash, "second"),
      run: run({ "a/sim.object.x": x, "a/sim.object.y": yCopy, 'b/sim.object.z["a b/c"]': z2 }),
    });
    expect(t2.snapshot.resources["a/sim.object.x"]).toBe(planted);
    expect(t2.snapshot.resources["a/sim.object.y"]).toBe(hashValue(y));
    expect(t2.snapshot.resources['b/sim.object.z["a b/c"]']).toBe(hashValue(z2));
    expect(t2.snapshot.parent).toBe(parent.hash);
    expect(t2.snapshot.lastQuiescent).toBe(parent.hash);
  });

  it("carries lastQuiescent past a failed snapshot", () => {
    const t1 = first();
    const p1 = loadedOf(t1.files);
    const t2 = buildStateTree({ parent: p1, status: "failed", source: SOURCE, programHash: PROGRAM, plan: plan(p1.hash, "2"), run: run(R1, "failed") });
    const p2 = loadedOf(t2.files);
    const t3 = buildStateTree({ parent: p2, status: "quiescent", source: SOURCE, programHash: PROGRAM, plan: plan(p2.hash, "3"), run: run(R1) });
    expect(t1.snapshot.lastQuiescent).toBeNull();
    expect(t2.snapshot.lastQuiescent).toBe(p1.hash);
    expect(t3.snapshot.lastQuiescent).toBe(p1.hash);
    expect(t2.message).toContain("Failure (apply-failed): a a/sim.object.x: boom");
    expect(t2.snapshot.failure).toEqual({ address: "a/sim.object.x", domain: "a", message: "boom", reason: "apply-failed" });
    expect(t3.snapshot.failure).toBeNull();
  });

  it("records a run's failure without a reason only when asked (a snapshot of an older Lexum, rebuilt by replay)", () => {
    const p1 = loadedOf(first().files);
    const input = { parent: p1, status: "failed" as const, source: SOURCE, programHash: PROGRAM, plan: plan(p1.hash, "2"), run: run(R1, "failed") };
    const old = buildStateTree({ ...input, failureReason: null });
    expect(old.snapshot.failure).toEqual({ address: "a/sim.object.x", domain: "a", message: "boom" });
    expect(old.message).toContain("\nFailure: a a/sim.object.x: boom\n");
    expect(old.hash).not.toBe(buildStateTree(input).hash);
    expect(inspectStateFiles(asTree(old.files)).problems).toEqual([]);
  });

  it("priorOf gives the loaded records and hash, and an empty state before the first run", () => {
    const p = loadedOf(first().files);
    expect(priorOf(p)).toEqual({ snapshot: p.hash, resources: p.resources });
    expect(priorOf(null)).toEqual({ snapshot: null, resources: {} });
  });
});

describe("resourcePath", () => {
  it("keeps safe characters and percent-encodes the rest as UTF-8", () => {
    expect(resourcePath("web/fs.file.page[0]")).toBe("resources/web/fs.file.page[0].json");
    expect(resourcePath('web/fs.file.page["é/x"]')).toBe("resources/web/fs.file.page[%22%C3%A9%2Fx%22].json");
  });
});

describe("inspectStateFiles", () => {
  const good = () => asTree(first().files);
  const edit = (tree: Map<string, Uint8Array>, path: string, f: (text: string) => string) => {
    tree.set(path, enc.encode(f(new TextDecoder().decode(tree.get(path)!))));
    return tree;
  };

  it("accepts an untouched tree and loads what was built", () => {
    const t = first();
    const ins = inspectStateFiles(asTree(t.files));
    expect(ins.problems).toEqual([]);
    expect(ins.loaded!.hash).toBe(t.hash);
    expect(ins.loaded!.snapshot).toEqual(t.snapshot);
    expect(ins.loaded!.resources).toEqual(R1);
  });

  it("detects an edited snapshot.json", () => {
    const ins = inspectStateFiles(edit(good(), "snapshot.json", (s) => s.replace('"quiescent"', '"failed"')));
    expect(ins.problems.join("\n")).toMatch(/snapshot\.json states hash sha256:[0-9a-f]+ but its content hashes to/);
  });

  it("detects an edited resource file", () => {
    const ins = inspectStateFiles(edit(good(), "resources/a/sim.object.x.json", (s) => s.replace('"b": 1', '"b": 2')));
    expect(ins.problems).toHaveLength(1);
    expect(ins.problems[0]).toMatch(/^resources\/a\/sim\.object\.x\.json hashes to .* but snapshot\.json lists/);
  });

  it("detects a resource file moved to another address", () => {
    const tree = good();
    tree.set("resources/a/sim.object.y.json", tree.get("resources/a/sim.object.x.json")!);
    expect(inspectStateFiles(tree).problems.join("\n")).toMatch(/sim\.object\.y\.json records address a\/sim\.object\.x/);
  });

  it("detects an edited trace.jsonl", () => {
    const ins = inspectStateFiles(edit(good(), "trace.jsonl", (s) => s + s));
    expect(ins.problems).toHaveLength(1);
    expect(ins.problems[0]).toMatch(/^trace\.jsonl hashes to .* but snapshot\.json lists/);
  });

  it("detects an edited plan.json, and a valid plan that is not the snapshot's", () => {
    const edited = inspectStateFiles(edit(good(), "plan.json", (s) => s.replace('"refreshed": false', '"refreshed": true')));
    expect(edited.problems.join("\n")).toMatch(/plan\.json states hash .* but its content hashes to/);
    const other = plan(null, "another");
    const swapped = inspectStateFiles(good().set("plan.json", enc.encode(JSON.stringify(other))));
    expect(swapped.problems).toEqual([`plan.json is plan ${other.hash}, but snapshot.json names ${first().snapshot.plan}`]);
  });

  it("detects an unlisted resource file and a missing one", () => {
    const tree = good();
    tree.set("resources/a/sim.object.extra.json", tree.get("resources/a/sim.object.x.json")!);
    expect(inspectStateFiles(tree).problems).toEqual(["resources/a/sim.object.extra.json is not listed in snapshot.json"]);
    const missing = good();
    missing.delete("resources/a/sim.object.y.json");
    expect(inspectStateFiles(missing).problems).toEqual(["resources/a/sim.object.y.json is missing"]);
  });

  it("reports unreadable content instead of throwing", () => {
    expect(inspectStateFiles(new Map()).problems).toEqual(["snapshot.json is missing"]);
    const bad = inspectStateFiles(good().set("snapshot.json", enc.encode("{not json")));
    expect(bad.loaded).toBeNull();
    expect(bad.problems[0]).toMatch(/^snapshot\.json is not valid JSON/);
    const wrong = inspectStateFiles(good().set("snapshot.json", enc.encode('{"format":"other"}')));
    expect(wrong.problems).toEqual(["snapshot.json is not a lexum.snapshot/v1 document"]);
    const latin1 = inspectStateFiles(good().set("trace.jsonl", new Uint8Array([0xff])).set("plan.json", new Uint8Array([0xc3, 0x28])));
    expect(latin1.problems.join("\n")).toMatch(/plan\.json is not valid JSON/);
  });
});
