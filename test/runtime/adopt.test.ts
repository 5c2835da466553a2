import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/program/types.js";
import { canonicalize } from "../../src/program/canonical.js";
import { replayRun, rollbackPlan, runPlan } from "../../src/runtime/index.js";
import type { TraceEvent } from "../../src/runtime/index.js";
import { FakeWorld, addr, build, input } from "./fixtures.js";

const x = addr("a", "x");
const existing = (spec: JsonObject): JsonObject => ({ kind: "svc", name: "x", spec, uid: "svc/x", generation: 7 });
const calls = (w: FakeWorld) => w.calls.map((c) => c.replace(/ #\d+$/, ""));
const observed = (trace: TraceEvent[]) => trace.filter((e) => e.phase === "observe").map((e) => e.observation!.call);

describe("adopt", () => {
  it("reads the existing object, records it, and updates it to the goal when it differs", async () => {
    const w = new FakeWorld([existing({ size: 1 })]);
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", action: "adopt", spec: { size: 2 } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    expect(calls(w)).toEqual([`read ${x}`, `update ${x}`]);
    expect(observed(r.trace)).toEqual(["read", "update"]);
    // Updated in place (the same object, one generation on), never deleted and made anew.
    expect(w.objects.get("svc/x")).toMatchObject({ spec: { size: 2 }, uid: "svc/x", generation: 8 });
    expect(r.resources[x]!.attrs).toMatchObject({ spec: { size: 2 }, generation: 8 });
    expect(r.trace.find((e) => e.phase === "start")!.action).toBe("adopt");
  });

  it("records an existing object that already matches the goal without writing to it", async () => {
    const w = new FakeWorld([existing({ size: 2 })]);
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", action: "adopt", spec: { size: 2 } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    expect(calls(w)).toEqual([`read ${x}`]);
    expect(r.resources[x]!.attrs).toMatchObject({ spec: { size: 2 }, generation: 7 });
  });

  it("creates the object when it vanished between the plan and the apply", async () => {
    const w = new FakeWorld();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", action: "adopt", spec: { size: 2 } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    expect(calls(w)).toEqual([`read ${x}`, `create ${x}`]);
    expect(w.objects.get("svc/x")).toMatchObject({ spec: { size: 2 }, generation: 1 });
  });

  it("replays byte for byte without a provider", async () => {
    const w = new FakeWorld([existing({ size: 1 })]);
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", action: "adopt", spec: { size: 2 } }, { name: "y" }] }]);
    const live = await runPlan(input(w, b));
    const { providers: _p, ...rest } = input(new FakeWorld(), b);
    const { result, divergence } = await replayRun(rest, JSON.parse(JSON.stringify(live.trace)) as TraceEvent[]);
    expect(divergence).toBeNull();
    expect(canonicalize(result)).toBe(canonicalize(live));
  });

  it("a rollback puts back what was read, and never deletes an adopted object", async () => {
    const w = new FakeWorld([existing({ size: 1 })]);
    w.faults.set(addr("a", "y"), { times: Infinity, kind: "error", call: "create" });
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", action: "adopt", spec: { size: 2 } }, { name: "y" }] }]);
    // What the plan read: the object before adoption.
    b.plan.steps[0]!.domains[0]!.actions[0] = { ...b.plan.steps[0]!.domains[0]!.actions[0]!, before: existing({ size: 1 }) };
    const failed = await runPlan(input(w, b));
    expect(failed.status).toBe("failed");
    expect(w.objects.get("svc/x")!["spec"]).toEqual({ size: 2 });
    const rb = rollbackPlan({ plan: b.plan, failed, lastQuiescent: null, failedSnapshot: "sha256:failed", catalog: b.catalog });
    const acts = rb.steps.flatMap((s) => s.domains.flatMap((d) => d.actions));
    expect(acts.map((a) => `${a.action} ${a.address}`)).toEqual([`update ${x}`]);
    expect(acts[0]!.after).toMatchObject({ spec: { size: 1 } });
  });
});

describe("create never overwrites an object Lexum did not make", () => {
  it("fails before any write when an object with the identity exists and differs, and records nothing", async () => {
    const w = new FakeWorld([existing({ size: 1 })]);
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", spec: { size: 2 } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("failed");
    expect(calls(w)).toEqual([`read ${x}`]);
    expect(w.objects.get("svc/x")).toEqual(existing({ size: 1 }));
    expect(r.resources[x]).toBeUndefined();
    expect(r.failure!.message).toBe(
      `${x}: sim.object {kind = "svc", name = "x"} already exists outside Lexum and differs from the goal on \`spec\`; it was left as it is (\`import = true\` adopts it)`,
    );
    expect(r.dag.failed).toEqual([x]);
  });

  it("accepts an existing object equal to the goal (create is idempotent)", async () => {
    const w = new FakeWorld([{ kind: "svc", name: "x", spec: { size: 2 }, uid: "svc/x", generation: 3 }]);
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", spec: { size: 2 } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    expect(calls(w)).toEqual([`read ${x}`, `create ${x}`]);
  });

  it("checks only before the first attempt: a retried create that finds its own object goes on", async () => {
    const w = new FakeWorld();
    w.faults.set(x, { times: 1, kind: "error", retryable: true, call: "create" });
    const b = build([{ name: "a", step: 1, policy: { retries: 2 }, resources: [{ name: "x", spec: { size: 2 } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    expect(calls(w)).toEqual([`read ${x}`, `create ${x}`, `create ${x}`]);
  });

  it("a failed read means the create is not attempted", async () => {
    const w = new FakeWorld();
    w.faults.set(x, { times: Infinity, kind: "error", retryable: false, call: "read" });
    const b = build([{ name: "a", step: 1, resources: [{ name: "x" }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("failed");
    expect(calls(w)).toEqual([`read ${x}`]);
    expect(w.objects.size).toBe(0);
  });

  it("a trace recorded without the check replays without it", async () => {
    const w = new FakeWorld();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x" }] }]);
    const live = await runPlan(input(w, b));
    // The same run as an older build recorded it: no read before the create, events renumbered.
    const old: TraceEvent[] = [];
    let seq = 0;
    for (const e of live.trace) {
      if (e.phase === "observe" && e.observation!.call === "read") continue;
      old.push({ ...e, seq: e.domain === "a" ? seq++ : e.seq });
    }
    const { providers: _p, ...rest } = input(new FakeWorld(), b);
    const { divergence } = await replayRun(rest, old);
    expect(divergence).toBeNull();
  });
});
