import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../src/runtime/index.js";
import { Mailbox, runPlan, traceToJsonl } from "../../src/runtime/index.js";
import { canonicalize } from "../../src/program/canonical.js";
import { FakeWorld, addr, build, eq, input, lit, ref } from "./fixtures.js";

const phases = (t: TraceEvent[], domain: string): string[] => t.filter((e) => e.domain === domain).map((e) => `${e.seq}:${e.phase}:${e.address ?? ""}`);

describe("runPlan ordering", () => {
  it("runs a domain's actions one at a time in plan order, numbering events per domain", async () => {
    const w = new FakeWorld();
    w.maxDelayMs = 5;
    const b = build([{ name: "a", step: 1, resources: [{ name: "z" }, { name: "m" }, { name: "b" }] }]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    // Each create reads first (never a silent overwrite), then creates.
    const z = addr("a", "z");
    const m = addr("a", "m");
    const bb = addr("a", "b");
    expect(w.calls).toEqual([`read ${z} #1`, `create ${z} #1`, `read ${m} #1`, `create ${m} #1`, `read ${bb} #1`, `create ${bb} #1`]);
    expect(w.maxInFlight).toBe(1);
    expect(phases(r.trace, "a")).toEqual([
      `0:start:${z}`, `1:observe:${z}`, `2:observe:${z}`, `3:done:${z}`,
      `4:start:${m}`, `5:observe:${m}`, `6:observe:${m}`, `7:done:${m}`,
      `8:start:${bb}`, `9:observe:${bb}`, `10:observe:${bb}`, `11:done:${bb}`,
      "12:domain:",
    ]);
    expect(r.resources[addr("a", "m")]!.attrs).toMatchObject({ kind: "svc", name: "m", uid: "svc/m", generation: 1 });
    expect(r.dag).toEqual({ planned: [addr("a", "z"), addr("a", "m"), addr("a", "b")], done: [addr("a", "z"), addr("a", "m"), addr("a", "b")], failed: [], notStarted: [] });
  });

  it("waits for the step barrier and delivers exports through the mailbox", async () => {
    const w = new FakeWorld();
    w.maxDelayMs = 8;
    const src = addr("a", "db");
    const b = build([
      {
        name: "a", step: 1, resources: [{ name: "db" }, { name: "cache" }],
        exports: { db: { kind: "resource", addresses: [src], forEach: false }, port: { kind: "value", value: 5432 } },
      },
      { name: "c", step: 1, resources: [{ name: "other" }] },
      {
        name: "web", step: 2, after: ["a"],
        resources: [{ name: "app", deferred: { spec: { expr: { op: "object", entries: [["db", ref(src, "uid")]] }, sensitive: false } }, dependsOn: [src] }],
        goals: [{ name: "wired", asserts: [{ expr: eq(ref(src, "generation"), lit(1)), message: "db applied once", checkedAtPlan: false }] }],
      },
    ]);
    const r = await runPlan(input(w, b));
    expect(r.status).toBe("quiescent");
    // Every step-1 call precedes the step-2 call (the barrier).
    const webAt = w.calls.findIndex((c) => c.includes("web/"));
    expect(w.calls.slice(webAt).every((c) => c.includes("web/"))).toBe(true);
    expect(webAt).toBe(w.calls.length - 2); // its read, then its create
    // The deferred attribute was evaluated from the read-back uid of the imported resource.
    expect(w.objects.get("svc/app")!["spec"]).toEqual({ db: "svc/db" });
    expect(r.exports).toEqual({ "a.db": { kind: "svc", name: "db", spec: {}, uid: "svc/db", generation: 1 }, "a.port": 5432 });
    const start = r.trace.find((e) => e.domain === "web" && e.phase === "start")!;
    expect(start.causes).toEqual(["a", src]);
    const assertEv = r.trace.find((e) => e.phase === "assert")!;
    expect(assertEv).toMatchObject({ domain: "web", goal: "wired", index: 0, ok: true, message: "db applied once" });
    expect(r.domains).toEqual({ a: "quiescent", c: "quiescent", web: "quiescent" });
  });

  it("a mailbox opens only when every expected message is in", () => {
    const mb = new Mailbox("web", ["b", "a"]);
    expect(mb.ready()).toBe(false);
    expect(() => mb.open()).toThrow(/without messages from a, b/);
    mb.post({ from: "b", exports: { x: 1 }, resources: {} });
    mb.post({ from: "zzz", exports: {}, resources: {} }); // not an import: ignored
    expect(mb.missing()).toEqual(["a"]);
    mb.post({ from: "a", exports: {}, resources: {} });
    expect(mb.open().map((m) => m.from)).toEqual(["a", "b"]);
  });
});

describe("parallelism", () => {
  const plan = () =>
    build([
      ...["d1", "d2", "d3", "d4", "d5", "d6"].map((n) => ({ name: n, step: 1, resources: [{ name: `${n}x` }, { name: `${n}y` }, { name: `${n}z` }] })),
      { name: "e1", step: 2, after: ["d1", "d2"], resources: [{ name: "e1x" }] },
      { name: "e2", step: 2, after: ["d3"], resources: [{ name: "e2x" }, { name: "e2y" }] },
    ]);
  const lines = (t: TraceEvent[]): string => t.map((e) => canonicalize(e)).join("\n");

  it("gives byte-identical traces and results at parallelism 1 and 4", async () => {
    const w1 = new FakeWorld();
    w1.maxDelayMs = 12;
    const r1 = await runPlan(input(w1, plan(), { parallelism: 1 }));
    const w4 = new FakeWorld();
    w4.maxDelayMs = 12;
    const live: string[] = [];
    const r4 = await runPlan(input(w4, plan(), { parallelism: 4, onEvent: (e) => live.push(`${e.domain}:${e.seq}`) }));
    expect(w1.maxInFlight).toBe(1);
    expect(w4.maxInFlight).toBeGreaterThan(1);
    expect(w4.maxInFlight).toBeLessThanOrEqual(4);
    // The completion order differed (wall-clock), the recorded trace does not.
    expect(lines(r4.trace)).toBe(lines(r1.trace));
    expect(canonicalize(r4)).toBe(canonicalize(r1));
    expect(live.length).toBe(r4.trace.length);
    expect(traceToJsonl(r4.trace).split("\n").length).toBe(r4.trace.length + 1);
  });
});
