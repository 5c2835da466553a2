import { describe, expect, it } from "vitest";
import type { Plan, PlanStep, PlannedAction } from "../../src/plan/types.js";
import { layOutSteps } from "../../src/plan/teardown.js";
import { hashValue } from "../../src/program/canonical.js";
import { rollbackPlan, runPlan, runWithRecovery } from "../../src/runtime/index.js";
import { FakeWorld, addr, build, input, recorded } from "./fixtures.js";

// `app` (step 2) imports from `base` (step 1): app's vm sits on base's net.
const net = recorded("base", "net", { v: 1 });
const vm = { ...recorded("app", "vm", { v: 1 }), dependsOn: [addr("base", "net")] };
const keep = recorded("base", "keep", { v: 1 });

/** The fixture's plan laid out by the planner's rule: the teardown first. */
function withTeardown(b: ReturnType<typeof build>): ReturnType<typeof build> {
  const domains = b.plan.steps.flatMap((s) => s.domains);
  const laid = layOutSteps(
    domains.map((d) => ({ ...d, builds: true })),
    (a) => b.prior.resources[a]?.dependsOn,
    (a) => ({ ...a }),
  );
  let seq = 0;
  const steps: PlanStep[] = laid.map((s) => ({
    ...s,
    domains: s.domains.map((d) => ({ ...d, actions: d.actions.map((a) => ({ ...a, seq: seq++, step: s.step }) as PlannedAction) })),
  }));
  const { hash: _h, ...body } = { ...b.plan, steps };
  const plan: Plan = { ...body, hash: hashValue(body) };
  return { ...b, plan };
}

const world = () => new FakeWorld([net, vm, keep].map((r) => r.attrs));
const remove = () =>
  withTeardown(
    build(
      [
        { name: "base", step: 1, resources: [{ name: "net", action: "delete" }, { name: "keep", action: "update", spec: { v: 2 } }] },
        { name: "app", step: 2, after: ["base"], resources: [{ name: "vm", action: "replace", spec: { v: 2 }, dependsOn: [addr("base", "net")] }] },
      ],
      [net, vm, keep],
    ),
  );

describe("the runtime runs the teardown first", () => {
  it("runs app's teardown, then base's, then the builds; the replace deletes in the teardown and creates in the build", async () => {
    const b = remove();
    expect(b.plan.steps.map((s) => [s.step, s.phase ?? "build", s.domains.map((d) => d.domain).join()])).toEqual([
      [1, "teardown", "app"],
      [2, "teardown", "base"],
      [3, "build", "base"],
      [4, "build", "app"],
    ]);
    const w = world();
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    expect(w.calls.filter((c) => !c.startsWith("read"))).toEqual([`delete ${addr("app", "vm")} #1`, `delete ${addr("base", "net")} #1`, `update ${addr("base", "keep")} #1`, `create ${addr("app", "vm")} #1`]);
    // One domain event a domain, from its build run.
    expect(r.trace.filter((e) => e.phase === "domain").map((e) => `${e.step} ${e.domain} ${e.status}`)).toEqual(["3 base quiescent", "4 app quiescent"]);
    expect(r.dag).toEqual({ planned: [addr("base", "net"), addr("base", "keep"), addr("app", "vm")], done: [addr("base", "net"), addr("base", "keep"), addr("app", "vm")], failed: [], notStarted: [] });
    expect(r.resources[addr("app", "vm")]!.attrs["spec"]).toEqual({ v: 2 });
    expect(r.resources[addr("base", "net")]).toBeUndefined();
  });

  it("gives identical traces at parallelism 1 and 8", async () => {
    const one = await runPlan({ ...input(world(), remove()), parallelism: 1 });
    const eight = await runPlan({ ...input(world(), remove()), parallelism: 8 });
    expect(eight.trace).toEqual(one.trace);
  });

  it("halts in the teardown: nothing is built, each domain is reported once, and the record tells what is gone", async () => {
    const w = world();
    w.faults.set(addr("base", "net"), { times: Infinity, kind: "error", call: "delete" });
    const b = remove();
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("failed");
    expect(r.failure?.address).toBe(addr("base", "net"));
    expect(r.trace.filter((e) => e.phase === "domain").map((e) => `${e.step} ${e.domain} ${e.status}`)).toEqual(["2 base failed", "4 app skipped"]);
    expect(r.domains).toEqual({ app: "skipped", base: "failed" });
    // vm was deleted by its teardown half and never created again: absent in the record, not started.
    expect(r.resources[addr("app", "vm")]).toBeUndefined();
    expect(w.objects.has("svc/vm")).toBe(false);
    expect(r.dag).toEqual({ planned: [addr("base", "net"), addr("base", "keep"), addr("app", "vm")], done: [], failed: [addr("base", "net")], notStarted: [addr("base", "keep"), addr("app", "vm")] });
    expect(w.calls.filter((c) => c.startsWith("update") || c.startsWith("create"))).toEqual([]);

    // A rollback brings the replaced vm back (it was touched by the teardown) and lays out its own teardown.
    const back = rollbackPlan({ failed: r, plan: b.plan, lastQuiescent: b.prior, catalog: b.catalog });
    const acts = back.steps.flatMap((s) => s.domains.flatMap((d) => d.actions.map((a) => `${s.phase ?? "build"} ${a.action} ${a.address}`)));
    expect(acts).toEqual([`build create ${addr("app", "vm")}`]);
  });

  it("rolls back through the same layout: dependents deleted first", async () => {
    // The failed run created net2 (base) and vm2 on it (app), then failed in app: rolling back deletes vm2 before net2.
    const b = build(
      [
        { name: "base", step: 1, policy: { onFailure: "rollback" }, resources: [{ name: "net2", spec: { v: 1 } }] },
        { name: "app", step: 2, after: ["base"], policy: { onFailure: "rollback" }, resources: [{ name: "vm2", spec: { v: 1 }, dependsOn: [addr("base", "net2")] }, { name: "bad", spec: { v: 1 } }] },
      ],
      [],
    );
    const w = new FakeWorld([]);
    w.faults.set(addr("app", "bad"), { times: Infinity, kind: "error", call: "create" });
    const r = await runWithRecovery({ ...input(w, b), lastQuiescent: null });
    expect(r.first.status).toBe("failed");
    const plan = r.rollback!.plan;
    expect(plan.steps.map((s) => [s.step, s.phase ?? "build", s.domains.map((d) => d.domain).join()])).toEqual([
      [1, "teardown", "app"],
      [2, "teardown", "base"],
    ]);
    expect(r.rollback!.result.status).toBe("rolled-back");
    expect(w.calls.filter((c) => c.startsWith("delete"))).toEqual([`delete ${addr("app", "vm2")} #1`, `delete ${addr("base", "net2")} #1`]);
  });
});
