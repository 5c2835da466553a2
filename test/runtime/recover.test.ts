import { describe, expect, it } from "vitest";
import { rollbackPlan, runPlan, runWithRecovery } from "../../src/runtime/index.js";
import { hashValue } from "../../src/program/canonical.js";
import { FakeWorld, addr, build, input, recorded } from "./fixtures.js";

// Last quiescent state: x (spec v1) and y (spec v1) in domain a.
const last = [recorded("a", "x", { v: 1 }), recorded("a", "y", { v: 1 })];
const world = () => new FakeWorld(last.map((r) => r.attrs));
const failingPlan = (onFailure: "halt" | "rollback") =>
  build(
    [
      {
        name: "a", step: 1, policy: { onFailure },
        resources: [{ name: "x", action: "update", spec: { v: 2 } }, { name: "z", spec: { v: 1 }, dependsOn: [addr("a", "x")] }, { name: "y", action: "update", spec: { v: 2 } }],
      },
    ],
    last,
  );

describe("rollback", () => {
  it("builds the compensating plan for what the failed run touched", async () => {
    const w = world();
    w.faults.set(addr("a", "y"), { times: Infinity, kind: "error", call: "update" });
    const b = failingPlan("rollback");
    const failed = await runPlan(input(w, b));
    expect(failed.status).toBe("failed");
    const plan = rollbackPlan({ failed, plan: b.plan, lastQuiescent: b.prior, catalog: b.catalog });
    expect(plan.format).toBe("lexum.plan/v1");
    const { hash, ...body } = plan;
    expect(hash).toBe(hashValue(body));
    const actions = plan.steps.flatMap((s) => s.domains.flatMap((d) => d.actions));
    // z is new → deleted first; x restored to v1 (uid/generation are readOnly: not restored); y was left as it was → nothing.
    expect(actions.map((a) => [a.seq, a.action, a.address])).toEqual([
      [0, "delete", addr("a", "z")],
      [1, "update", addr("a", "x")],
    ]);
    expect(actions[1]!.after).toEqual({ kind: "svc", name: "x", spec: { v: 1 } });
    expect(actions[1]!.changes).toEqual([{ attr: "spec", before: { v: 2 }, after: { v: 1 } }]);
    expect(plan.summary).toEqual({ create: 0, update: 1, replace: 0, delete: 1, noop: 0 });
    expect(rollbackPlan({ failed, plan: b.plan, lastQuiescent: b.prior, catalog: b.catalog })).toEqual(plan);
  });

  it("recreates a resource the failed run deleted, and deletes everything when there was no quiescent state", async () => {
    const w = world();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", action: "delete" }, { name: "n" }, { name: "y", action: "update", spec: { v: 3 } }] }], last);
    w.faults.set(addr("a", "y"), { times: Infinity, kind: "error", call: "update" });
    const failed = await runPlan(input(w, b));
    const all = (p: { steps: { domains: { actions: { action: string; address: string }[] }[] }[] }) => p.steps.flatMap((s) => s.domains.flatMap((d) => d.actions));
    const back = all(rollbackPlan({ failed, plan: b.plan, lastQuiescent: b.prior, catalog: b.catalog }));
    expect(back.map((a) => `${a.action} ${a.address}`)).toEqual([`delete ${addr("a", "n")}`, `create ${addr("a", "x")}`]);
    const none = all(rollbackPlan({ failed, plan: b.plan, lastQuiescent: null, catalog: b.catalog }));
    // Nothing quiescent to return to: everything touched that still exists goes (y failed but is real).
    expect(none.map((a) => `${a.action} ${a.address}`)).toEqual([`delete ${addr("a", "n")}`, `delete ${addr("a", "y")}`]);
  });

  it("runWithRecovery rolls back when the failing domain's policy says so and returns the world to the last goal", async () => {
    const w = world();
    w.faults.set(addr("a", "y"), { times: Infinity, kind: "error", call: "update" });
    const b = failingPlan("rollback");
    const r = await runWithRecovery({ ...input(w, b), lastQuiescent: b.prior });
    expect(r.first.status).toBe("failed");
    expect(r.rollback).toBeDefined();
    expect(r.rollback!.result.status).toBe("rolled-back");
    expect(r.rollback!.result.domains).toEqual({ a: "rolled-back" });
    expect(w.objects.has("svc/z")).toBe(false);
    expect(w.objects.get("svc/x")!["spec"]).toEqual({ v: 1 });
    expect(Object.keys(r.rollback!.result.resources).sort()).toEqual([addr("a", "x"), addr("a", "y")]);
    expect(r.rollback!.result.resources[addr("a", "x")]!.attrs["spec"]).toEqual({ v: 1 });
    // No goal is asserted during a rollback.
    expect(r.rollback!.result.trace.some((e) => e.phase === "assert")).toBe(false);
  });

  it("does not roll back under on_failure = halt", async () => {
    const w = world();
    w.faults.set(addr("a", "y"), { times: Infinity, kind: "error", call: "update" });
    const b = failingPlan("halt");
    const r = await runWithRecovery({ ...input(w, b), lastQuiescent: b.prior });
    expect(r.first.status).toBe("failed");
    expect(r.rollback).toBeUndefined();
    expect(w.objects.has("svc/z")).toBe(true);
  });
});
