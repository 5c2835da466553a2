import { describe, expect, it } from "vitest";
import { runPlan } from "../../src/runtime/index.js";
import { canonicalize } from "../../src/program/canonical.js";
import { FakeWorld, addr, build, eq, input, lit, ref } from "./fixtures.js";

describe("timeouts and retries", () => {
  it("aborts a hanging call at the policy timeout and retries it with the backoff", async () => {
    const w = new FakeWorld();
    const x = addr("a", "x");
    w.faults.set(x, { times: 1, kind: "hang", call: "create" });
    const b = build([{ name: "a", step: 1, policy: { timeoutMs: 20, retries: 2 }, resources: [{ name: "x" }] }]);
    const inp = input(w, b);
    const r = await runPlan(inp);
    expect(r.status).toBe("quiescent");
    // The read first: is there an object Lexum would overwrite?
    expect(w.calls).toEqual([`read ${x} #1`, `create ${x} #1`, `create ${x} #2`]);
    expect(inp.backoffs).toEqual([1]);
    const obs = r.trace.filter((e) => e.phase === "observe" && e.observation!.call === "create").map((e) => e.observation!);
    expect(obs[0]).toMatchObject({ call: "create", attempt: 1, result: null, error: { code: "LXM4002", retryable: true } });
    expect(obs[0]!.error!.message).toBe("create timed out after 20ms");
    expect(obs[1]).toMatchObject({ call: "create", attempt: 2, result: { uid: "svc/x" } });
  });

  it("fails the action once its retries are used up, then reads back the real state", async () => {
    const w = new FakeWorld();
    const x = addr("a", "x");
    w.faults.set(x, { times: Infinity, kind: "error", retryable: true, call: "create" });
    const b = build([{ name: "a", step: 1, policy: { retries: 2 }, resources: [{ name: "x" }] }]);
    const inp = input(w, b);
    const r = await runPlan(inp);
    expect(r.status).toBe("failed");
    expect(w.calls).toEqual([`read ${x} #1`, `create ${x} #1`, `create ${x} #2`, `create ${x} #3`, `read ${x} #1`]);
    expect(inp.backoffs).toEqual([1, 2]);
    expect(r.failure).toEqual({ address: x, domain: "a", message: `create ${x} failed after 3 attempts: sim.fault: injected fault on ${x}` });
    expect(r.resources[x]).toBeUndefined(); // the read found nothing
    expect(r.dag.failed).toEqual([x]);
  });

  it("does not retry a non-retryable failure", async () => {
    const w = new FakeWorld();
    const x = addr("a", "x");
    w.faults.set(x, { times: 1, kind: "error", retryable: false, call: "create" });
    const r = await runPlan(input(w, build([{ name: "a", step: 1, policy: { retries: 5 }, resources: [{ name: "x" }] }])));
    expect(r.status).toBe("failed");
    expect(w.calls.filter((c) => c.startsWith("create"))).toEqual([`create ${x} #1`]);
  });

  it("waits the provider's retryAfterMs when longer than the backoff, bounded by 60 s and the timeout; the wait is not recorded", async () => {
    const run = async (retryAfterMs: number | undefined, timeoutMs = 120_000) => {
      const w = new FakeWorld();
      const x = addr("a", "x");
      w.faults.set(x, { times: 1, kind: "error", retryable: true, call: "create", ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
      const waits: number[] = [];
      const inp = input(w, build([{ name: "a", step: 1, policy: { retries: 1, timeoutMs }, resources: [{ name: "x" }] }]), {
        backoffMs: () => 200,
        sleep: async (ms) => void waits.push(ms),
      });
      const r = await runPlan(inp);
      expect(r.status).toBe("quiescent");
      expect(w.calls.filter((c) => c.startsWith("create"))).toEqual([`create ${x} #1`, `create ${x} #2`]);
      return { waits, trace: r.trace.map((e) => canonicalize(e)).join("\n") };
    };
    expect((await run(undefined)).waits).toEqual([200]);
    expect((await run(50)).waits).toEqual([200]); // shorter than the backoff: the backoff
    const asked = await run(2_500);
    expect(asked.waits).toEqual([2_500]);
    expect(asked.trace).not.toContain("2500");
    expect(asked.trace).toBe((await run(undefined)).trace); // the trace cannot tell the two runs apart
    expect((await run(3_600_000)).waits).toEqual([60_000]);
    expect((await run(30_000, 10_000)).waits).toEqual([10_000]);
  });

  it("uses the default backoff 200ms·2^(n-1) capped at 5s", async () => {
    const { defaultBackoffMs } = await import("../../src/runtime/index.js");
    expect([1, 2, 3, 5, 6, 10].map(defaultBackoffMs)).toEqual([200, 400, 800, 3200, 5000, 5000]);
  });
});

describe("halt", () => {
  const plan = () =>
    build([
      { name: "a", step: 1, resources: [{ name: "a1" }, { name: "a2" }, { name: "a3" }] },
      { name: "b", step: 1, resources: [{ name: "b1" }, { name: "b2" }, { name: "b3" }] },
      { name: "c", step: 2, after: ["a"], resources: [{ name: "c1" }] },
    ]);

  for (const parallelism of [1, 4]) {
    it(`stops the failing domain, finishes its step, skips later steps (parallelism ${parallelism})`, async () => {
      const w = new FakeWorld();
      w.maxDelayMs = 6;
      w.faults.set(addr("a", "a2"), { times: Infinity, kind: "error", call: "create" });
      const r = await runPlan(input(w, plan(), { parallelism }));
      expect(r.status).toBe("failed");
      expect(r.domains).toEqual({ a: "failed", b: "quiescent", c: "skipped" });
      expect(r.dag.done).toEqual([addr("a", "a1"), addr("b", "b1"), addr("b", "b2"), addr("b", "b3")]);
      expect(r.dag.failed).toEqual([addr("a", "a2")]);
      expect(r.dag.notStarted).toEqual([addr("a", "a3"), addr("c", "c1")]);
      expect(w.calls.some((c) => c.includes("a/sim.object.a3") || c.includes("c/"))).toBe(false);
      expect(w.objects.has("svc/b3")).toBe(true);
      expect(r.failure).toMatchObject({ address: addr("a", "a2"), domain: "a" });
      expect(r.trace.filter((e) => e.phase === "domain").map((e) => `${e.step}:${e.domain}:${e.status}`)).toEqual(["1:a:failed", "1:b:quiescent", "2:c:skipped"]);
      expect(Object.keys(r.exports)).toEqual([]);
    });
  }

  it("gives the same failed outcome at parallelism 1 and 4", async () => {
    const run = async (parallelism: number) => {
      const w = new FakeWorld();
      w.maxDelayMs = 6;
      w.faults.set(addr("b", "b1"), { times: Infinity, kind: "error", call: "create" });
      return canonicalize(await runPlan(input(w, plan(), { parallelism })));
    };
    expect(await run(4)).toBe(await run(1));
  });
});

describe("goal assertions", () => {
  it("fails the domain when an assertion is false, records each assertion, and halts", async () => {
    const w = new FakeWorld();
    const x = addr("a", "x");
    const b = build([
      {
        name: "a", step: 1, resources: [{ name: "x" }],
        goals: [
          { name: "g1", asserts: [{ expr: eq(ref(x, "uid"), lit("svc/x")), message: null, checkedAtPlan: false }, { expr: eq(ref(x, "generation"), lit(2)), message: "x updated twice", checkedAtPlan: false }] },
          { name: "g2", asserts: [{ expr: ref(x, "nope"), message: null, checkedAtPlan: false }] },
        ],
      },
      { name: "b", step: 2, after: ["a"], resources: [{ name: "y" }] },
    ]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("failed");
    expect(r.domains).toEqual({ a: "failed", b: "skipped" });
    const asserts = r.trace.filter((e) => e.phase === "assert").map((e) => [e.goal, e.index, e.ok]);
    expect(asserts).toEqual([["g1", 0, true], ["g1", 1, false], ["g2", 0, false]]);
    expect(r.failure).toEqual({ address: null, domain: "a", message: "goal a.g1, assertion 2 failed: x updated twice" });
    expect(r.trace.find((e) => e.goal === "g2")!.message).toMatch(/^goal a\.g2, assertion 1 could not be evaluated/);
    // The resource itself was applied: it is done and recorded.
    expect(r.dag.done).toEqual([x]);
    expect(r.resources[x]!.attrs["uid"]).toBe("svc/x");
  });

  it("fails an action whose deferred attribute cannot be evaluated, without calling the provider", async () => {
    const w = new FakeWorld();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", deferred: { spec: { expr: { op: "secret", name: "MISSING" }, sensitive: true } } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("failed");
    expect(w.calls).toEqual([]);
    expect(r.failure!.message).toMatch(/^a\/sim\.object\.x: attribute `spec` could not be evaluated: /);
  });

  it("fails an action whose deferred attribute evaluates to a value its schema refuses (LXM4010), without calling the provider", async () => {
    const w = new FakeWorld();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", deferred: { spec: { expr: lit("not an object"), sensitive: false } } }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("failed");
    expect(w.calls).toEqual([]);
    expect(r.failure!.message).toBe("a/sim.object.x: attribute `spec`, evaluated at apply time, is invalid: `spec` must be an object, got string");
    expect(r.trace.map((e) => e.phase)).toEqual(["start", "failed", "domain"]);
  });

  it("never shows a sensitive deferred value that breaks the schema", async () => {
    const w = new FakeWorld();
    const b = build([{ name: "a", step: 1, resources: [{ name: "x", deferred: { spec: { expr: { op: "secret", name: "S" }, sensitive: true } } }] }]);
    const r = await runPlan(input(w, b, { secret: (n) => (n === "S" ? "hunter2-secret" : undefined) }));
    expect(r.status).toBe("failed");
    expect(w.calls).toEqual([]);
    expect(r.failure!.message).toBe("a/sim.object.x: attribute `spec`, evaluated at apply time, is invalid: the value (sensitive, not shown) breaks the schema's `type` rule");
    expect(JSON.stringify(r)).not.toContain("hunter2");
  });
});
