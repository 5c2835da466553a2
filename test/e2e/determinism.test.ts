import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, fixtureFiles, makeRepo } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

// fixtures/e2e/fanout: four independent domains in step 1 (sim latency 10 ms), one in step 2
// importing two of them, a sensitive value; fanout-shuffled: the same program with other
// file names, other domain order and every declaration and attribute moved.

afterAll(cleanupRepos);

const ignore = { ".gitignore": "world.json\n*.plan.json\n" };

interface Run {
  plan: string;
  stateCommit: string;
  trace: string;
  snapshot: string;
  world: string;
}

async function applyIn(repo: E2eRepo, extra: string[] = []): Promise<Run> {
  const plan = await repo.lxm(["plan", "--detailed-exitcode", "--json"]);
  expect(plan.code).toBe(2);
  const r = await repo.lxm(["apply", "--yes", ...extra]);
  expect(r.err).not.toMatch(/error|FAILED/);
  expect(r.code).toBe(0);
  await expectHealthyState(repo);
  return {
    plan: plan.out,
    stateCommit: repo.stateHead()!,
    trace: repo.git("show", "lexum/state:trace.jsonl"),
    snapshot: repo.git("show", "lexum/state:snapshot.json"),
    world: repo.read("world.json"),
  };
}

describe("determinism", () => {
  it("two repositories, same goal commit: identical plan bytes, trace bytes and state commit id", async () => {
    const a = makeRepo({ ...ignore, ...fixtureFiles("fixtures/e2e/fanout") });
    const b = makeRepo({ ...ignore, ...fixtureFiles("fixtures/e2e/fanout") });
    expect(a.git("rev-parse", "HEAD")).toBe(b.git("rev-parse", "HEAD"));
    const ra = await applyIn(a);
    const rb = await applyIn(b);
    expect(rb.plan).toBe(ra.plan);
    expect(rb.trace).toBe(ra.trace);
    expect(rb.snapshot).toBe(ra.snapshot);
    expect(rb.stateCommit).toBe(ra.stateCommit);
    expect(rb.world).toBe(ra.world);
    // Planning twice in one repository gives the same bytes too.
    a.write({ "fanout-more.lxm": `domain extra {\n  provider sim { world = "world.json" }\n  resource sim.object e {\n    kind = "extra"\n    name = "e"\n  }\n}\n` });
    a.commit("more");
    const p1 = await a.lxm(["plan", "--detailed-exitcode", "--json"]);
    const p2 = await a.lxm(["plan", "--detailed-exitcode", "--json"]);
    expect(p1.code).toBe(2);
    expect(p2.out).toBe(p1.out);
    // The trace has real content: every resource's done event, in canonical order.
    const events = ra.trace.split("\n").map((l) => JSON.parse(l) as { step: number; domain: string; phase: string; address?: string });
    expect(events.filter((e) => e.phase === "done").length).toBe(10);
    const order = events.map((e) => [e.step, e.domain] as const);
    for (let i = 1; i < order.length; i++) {
      const [s0, d0] = order[i - 1]!;
      const [s1, d1] = order[i]!;
      expect(s0 < s1 || (s0 === s1 && d0 <= d1)).toBe(true);
    }
    expect(ra.trace).not.toContain("hunter2-e2e");
    expect(ra.snapshot).not.toContain("hunter2-e2e");
  });

  it("parallelism 1 and 4 give byte-identical traces, snapshots and state commit ids", async () => {
    const serial = makeRepo({ ...ignore, ...fixtureFiles("fixtures/e2e/fanout") });
    const parallel = makeRepo({ ...ignore, ...fixtureFiles("fixtures/e2e/fanout") });
    const rs = await applyIn(serial, ["--parallelism", "1"]);
    const rp = await applyIn(parallel, ["--parallelism", "4"]);
    expect(rp.trace).toBe(rs.trace);
    expect(rp.snapshot).toBe(rs.snapshot);
    expect(rp.stateCommit).toBe(rs.stateCommit);
    expect(rp.world).toBe(rs.world);

    // A second run (an update touching every step-1 domain) stays identical as well.
    for (const repo of [serial, parallel]) {
      const edge = repo.read("edge.lxm").replace("spec = { size = len(n) }", "spec = { size = len(n) * 2 }");
      const core = repo.read("core.lxm").replace('spec = { on = true }', "spec = { on = false }");
      repo.write({ "edge.lxm": edge, "core.lxm": core });
      repo.commit("v2");
    }
    const r1 = await serial.lxm(["apply", "--yes", "--parallelism", "1"]);
    const r4 = await parallel.lxm(["apply", "--yes", "--parallelism", "4"]);
    expect([r1.code, r4.code]).toEqual([0, 0]);
    expect(parallel.stateHead()).toBe(serial.stateHead());
    expect(parallel.git("show", "lexum/state:trace.jsonl")).toBe(serial.git("show", "lexum/state:trace.jsonl"));
    await expectHealthyState(serial);
    await expectHealthyState(parallel);
  });

  it("shuffled inputs (files renamed and moved, declarations reordered): same program, plan bytes and records", async () => {
    const plain = makeRepo({ ...ignore, ...fixtureFiles("fixtures/e2e/fanout") });
    const shuffled = makeRepo({ ...ignore, ...fixtureFiles("fixtures/e2e/fanout-shuffled") });
    const check = await Promise.all([plain.lxm(["check"]), shuffled.lxm(["check"])]);
    expect(check[1].out).toBe(check[0].out);
    const rp = await applyIn(plain);
    const rs = await applyIn(shuffled);
    expect(rs.plan).toBe(rp.plan);
    expect(rs.world).toBe(rp.world);
    // The snapshots differ only in the goal commit they name (another tree, another id).
    const sp = JSON.parse(rp.snapshot) as Record<string, unknown>;
    const ss = JSON.parse(rs.snapshot) as Record<string, unknown>;
    for (const k of ["program", "plan", "resources", "exports", "domains", "dag", "status", "parent"]) expect(ss[k]).toEqual(sp[k]);
    expect(shuffled.git("ls-tree", "-r", "--name-only", "lexum/state")).toBe(plain.git("ls-tree", "-r", "--name-only", "lexum/state"));
    for (const f of plain.git("ls-tree", "-r", "--name-only", "lexum/state", "resources").split("\n")) {
      expect(shuffled.git("show", `lexum/state:${f}`)).toBe(plain.git("show", `lexum/state:${f}`));
    }
  });
});
