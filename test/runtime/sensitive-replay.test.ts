import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../src/runtime/index.js";
import { replayRun, runPlan } from "../../src/runtime/index.js";
import { canonicalize } from "../../src/program/canonical.js";
import { FakeWorld, addr, build, digest, input } from "./fixtures.js";

const SECRET = "hunter2-very-secret";

describe("sensitive values", () => {
  it("sends secrets to the provider but never records them", async () => {
    const w = new FakeWorld();
    const x = addr("a", "x");
    const b = build([
      {
        name: "a", step: 1,
        resources: [{ name: "x", deferred: { secret: { expr: { op: "secret", name: "TOKEN" }, sensitive: true } } }, { name: "plain" }],
        exports: { x: { kind: "resource", addresses: [x], forEach: false } },
      },
    ]);
    const r = await runPlan(input(w, b, { secret: (n) => (n === "TOKEN" ? SECRET : undefined) }));
    expect(r.status).toBe("quiescent");
    expect(w.objects.get("svc/x")!["secret"]).toBe(SECRET);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    const rec = r.resources[x]!;
    expect(rec.sensitive["secret"]).toBe(digest(SECRET));
    // readOnly attributes of a resource with a sensitive input are redacted too.
    expect(Object.keys(rec.attrs).sort()).toEqual(["kind", "name", "spec"]);
    expect(Object.keys(rec.sensitive).sort()).toEqual(["generation", "secret", "uid"]);
    expect(r.exports["a.x"]).toEqual(rec.attrs);
    // A resource without sensitive input keeps its computed attributes.
    expect(r.resources[addr("a", "plain")]!.attrs["uid"]).toBe("svc/plain");
  });
});

describe("replay", () => {
  const plan = () =>
    build([
      { name: "a", step: 1, policy: { retries: 2 }, resources: [{ name: "a1" }, { name: "a2" }] },
      { name: "b", step: 1, resources: [{ name: "b1", deferred: { secret: { expr: { op: "secret", name: "TOKEN" }, sensitive: true } } }] },
      { name: "c", step: 2, after: ["a"], resources: [{ name: "c1" }, { name: "c2" }] },
    ]);
  const record = async () => {
    const w = new FakeWorld();
    w.maxDelayMs = 4;
    w.faults.set(addr("a", "a2"), { times: 1, kind: "error", retryable: true, call: "create" });
    w.faults.set(addr("c", "c2"), { times: Infinity, kind: "error", call: "create" });
    return runPlan(input(w, plan(), { secret: () => SECRET }));
  };

  it("reproduces the recorded trace and result without calling a provider", async () => {
    const live = await record();
    expect(live.status).toBe("failed");
    const wire: TraceEvent[] = JSON.parse(JSON.stringify(live.trace));
    const { providers: _p, ...rest } = input(new FakeWorld(), plan(), { secret: () => "(replay)" });
    const backoffs: number[] = [];
    const { result, divergence } = await replayRun({ ...rest, backoffMs: (n) => (backoffs.push(n), 0) }, wire);
    expect(divergence).toBeNull();
    expect(backoffs).toEqual([]); // no sleeps in replay
    expect(canonicalize(result)).toBe(canonicalize(live));
  });

  it("names the first event where a tampered trace diverges", async () => {
    const live = await record();
    const wire: TraceEvent[] = JSON.parse(JSON.stringify(live.trace));
    const i = wire.findIndex((e) => e.phase === "observe" && e.address === addr("c", "c1") && e.observation!.call === "create");
    const obs = wire[i]!.observation!;
    wire[i] = { ...wire[i]!, observation: { ...obs, result: { ...obs.result!, spec: { tampered: true } } } };
    const { providers: _p, ...rest } = input(new FakeWorld(), plan(), { secret: () => SECRET });
    const { divergence } = await replayRun(rest, wire);
    expect(divergence).not.toBeNull();
    // The observation itself replays as recorded; the first difference is the done event built from it.
    expect(divergence!.step).toBe(2);
    expect(divergence!.domain).toBe("c");
    expect(divergence!.address).toBe(addr("c", "c1"));
    expect(divergence!.expected!.phase).toBe("done");
    expect(divergence!.what).toMatch(/^replay diverged at step 2, domain c, event 3 \(c\/sim\.object\.c1\): after \(recorded /);
  });

  it("reports a missing observation as a divergence", async () => {
    const live = await record();
    const wire = live.trace.filter((e) => !(e.phase === "observe" && e.address === addr("a", "a1")));
    const { providers: _p, ...rest } = input(new FakeWorld(), plan(), { secret: () => SECRET });
    const { result, divergence } = await replayRun(rest, wire);
    expect(divergence).toMatchObject({ step: 1, domain: "a", address: addr("a", "a1") });
    expect(result.failure!.message).toMatch(/replay: no recorded create for a\/sim\.object\.a1/);
  });
});
