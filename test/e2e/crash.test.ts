import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-build.js";
import type { CliBuild } from "./cli-build.js";
import { baseEnv, cleanupRepos, expectHealthyState, headSnapshot, makeRepo, userView } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

// The runtime really killed with SIGKILL mid-apply (a child `lxm apply`), then a normal run.

let cli: CliBuild;
beforeAll(() => {
  cli = buildCli();
});
afterAll(() => {
  cli?.cleanup();
  cleanupRepos();
});

const BASE = ["a1", "a2", "a3", "a4"];
const APP = ["b1", "b2", "b3"];

/**
 * Two domains (app imports base, so base is step 1 and app step 2), sim latency 10 ms; each
 * object is kind "thing", name "<res>", spec { v }. `faults` goes into both provider blocks.
 */
function project(opts: { v: number; faults?: string }): string {
  const provider = `provider sim {\n    world   = "world.json"\n    latency = 10ms${opts.faults ? `\n    faults  = ${opts.faults}` : ""}\n  }`;
  // a1 also carries a secret: it must never reach the journal, the trace or the world in clear.
  const res = (names: string[]) =>
    names
      .map((n) => `  resource sim.object ${n} {\n    kind = "thing"\n    name = "${n}"\n    spec = { v = ${opts.v} }\n${n === "a1" ? '    secret = secret("DB_PASSWORD")\n' : ""}  }\n`)
      .join("");
  return `domain base {
  ${provider}
${res(BASE)}  export v = ${opts.v}
}

domain app {
  ${provider}
  import base.v
${res(APP)}}
`;
}

const address = (n: string) => `${n.startsWith("a") ? "base" : "app"}/sim.object.${n}`;
// The sim keeps its world in world.json and, while a run is in flight (or after a kill), its
// last changes in world.json.log: both are ignored.
const ignore = { ".gitignore": "world.json*\n" };

function runChild(repo: E2eRepo, args: string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli.main, ...args], { cwd: repo.dir, env: { ...process.env, ...baseEnv, NO_COLOR: "1" }, encoding: "utf8" });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The world after convergence: every object at spec { v }, created once (unique uids). */
function expectWorldAtGoal(repo: E2eRepo, v: number): void {
  const world = repo.world();
  expect(Object.keys(world).sort()).toEqual([...BASE, ...APP].map((n) => `thing/${n}`).sort());
  for (const o of Object.values(world)) expect(o.spec).toEqual({ v });
  expect(new Set(Object.values(world).map((o) => o.uid)).size).toBe(BASE.length + APP.length);
  // The killed run's last changes were in the change log; the normal run applied them and,
  // closing, folded them into the file: the file alone is the whole world, and no log is left.
  expect(repo.exists("world.json.log")).toBe(false);
  expect((JSON.parse(repo.read("world.json")) as { objects: unknown }).objects).toEqual(world);
}

/** Recovery: the next normal run records the interrupted run as `failed`, then converges. */
async function recoverAndCheck(repo: E2eRepo, crashWorld: string[], reported: string[], priorHead: string | null, v: number): Promise<void> {
  const journalDir = join(repo.dir, ".git/lexum/journal");
  expect(existsSync(journalDir) && readdirSync(journalDir).length).toBe(1);
  const journal = readFileSync(join(journalDir, readdirSync(journalDir)[0]!), "utf8");
  expect(journal).toContain('"kind":"begin"');
  expect(journal).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD);
  expect(repo.stateHead()).toBe(priorHead); // the branch stayed at its last complete commit
  const user = userView(repo);
  const r = await repo.lxm(["apply", "--yes"]);
  expect(r.code).toBe(0);
  expect(r.err).toContain("warning[LXM4209]");
  expect(r.out).toMatch(/Recorded failed snapshot[\s\S]*Recorded quiescent snapshot/);
  expect(readdirSync(journalDir)).toEqual([]);
  expect(userView(repo)).toEqual(user);

  const recovered = headSnapshot(repo, "lexum/state~1");
  expect(recovered.status).toBe("failed");
  expect((recovered.failure as { message: string }).message).toContain("interrupted");
  // Every action the journal says completed really happened, and all of them are recorded.
  // Every action the journal says completed really happened, and is recorded; every action
  // the killed process had reported done is among them (progress is shown once durable).
  const done = recovered.dag!.done;
  for (const a of done) expect(crashWorld).toContain(a);
  for (const a of done) expect(Object.keys(recovered.resources)).toContain(a);
  for (const a of reported) expect(done).toContain(a);
  // The DAG diff has the runtime's shape: planned = the non-noop actions in plan order, and
  // done/failed/notStarted partition it, each in plan order.
  const dag = recovered.dag!;
  const planOrder = [...BASE, ...APP].map(address); // step 1 then 2; no dependencies: by address
  expect(dag.planned).toEqual(planOrder.filter((a) => dag.planned.includes(a)));
  const inPlanOrder = (xs: string[]) => dag.planned.filter((a) => xs.includes(a));
  expect([...dag.done, ...dag.failed, ...dag.notStarted].sort()).toEqual([...dag.planned].sort());
  for (const part of [dag.done, dag.failed, dag.notStarted]) expect(part).toEqual(inPlanOrder(part));

  const final = headSnapshot(repo);
  expect(final.status).toBe("quiescent");
  expect(Object.keys(final.resources).sort()).toEqual([...BASE, ...APP].map(address).sort());
  expectWorldAtGoal(repo, v);
  expect(await expectHealthyState(repo)).toBe(priorHead ? 3 : 2);
  expect((await repo.lxm(["plan", "--refresh"])).code).toBe(0);
  for (const rev of ["lexum/state", "lexum/state~1"]) expect(repo.git("show", `${rev}:trace.jsonl`)).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD);
  expect(repo.read("world.json")).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD);
}

/** Addresses the progress output reported done (`  base: + base/sim.object.a1 done`). */
function reportedDone(stderr: string): string[] {
  return [...stderr.matchAll(/^ {2}\w+: \S+ (\S+) done$/gm)].map((m) => m[1]!);
}

/** Objects present in the world file, as addresses (kind is always "thing", name = resource). */
function worldAddresses(repo: E2eRepo, v?: number): string[] {
  return Object.values(repo.world())
    .filter((o) => v === undefined || (o.spec as { v: number }).v === v)
    .map((o) => address(o.name))
    .sort();
}

describe("crash: SIGKILL mid-apply, then a normal run", () => {
  const points: [string, string, string[]][] = [
    ["at the very first create", "a1", []],
    ["in the middle of the first domain", "a3", ["a1", "a2"]],
    ["in the second step, after the first domain finished", "b2", ["a1", "a2", "a3", "a4", "b1"]],
  ];
  for (const [title, at, before] of points) {
    it(`sim crash fault ${title} (${at})`, async () => {
      const repo = makeRepo({ ...ignore, "main.lxm": project({ v: 1, faults: `[{ address = "${address(at)}", kind = "crash" }]` }) });
      const crash = runChild(repo, ["apply", "--yes"]);
      expect(crash.signal).toBe("SIGKILL");
      // The fault fires before the effect: exactly the objects before it exist.
      expect(worldAddresses(repo)).toEqual(before.map(address).sort());
      // The goal without the fault, committed; then a normal run.
      repo.write({ "main.lxm": project({ v: 1 }) });
      repo.commit("no fault");
      const reported = reportedDone(crash.stderr);
      expect(reported).toEqual(before.map(address).slice(0, reported.length));
      await recoverAndCheck(repo, before.map(address), reportedDone(crash.stderr), null, 1);
    });
  }

  it("sim crash fault during an update run (a prior quiescent snapshot exists)", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": project({ v: 1 }) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const prior = repo.stateHead();
    repo.write({ "main.lxm": project({ v: 2, faults: `[{ address = "${address("b1")}", op = "update", kind = "crash" }]` }) });
    repo.commit("v2 with crash");
    const crash = runChild(repo, ["apply", "--yes"]);
    expect(crash.signal).toBe("SIGKILL");
    const updated = worldAddresses(repo, 2);
    expect(updated).toEqual(BASE.map(address).sort());
    repo.write({ "main.lxm": project({ v: 2 }) });
    repo.commit("v2");
    expect(reportedDone(crash.stderr).length).toBeLessThanOrEqual(BASE.length);
    await recoverAndCheck(repo, updated, reportedDone(crash.stderr), prior, 2);
    // Each object was updated exactly once: generation 2 everywhere.
    for (const o of Object.values(repo.world())) expect(o.generation).toBe(2);
  });

  it("sim crash fault in a run whose first domain is all noops (only app changes)", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": project({ v: 1 }) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const prior = repo.stateHead();
    const v2 = (faults?: string) => project({ v: 1, faults }).replace(/(name = "b\d"\n {4}spec = \{ v = )1/g, "$12");
    repo.write({ "main.lxm": v2(`[{ address = "${address("b2")}", op = "update", kind = "crash" }]`) });
    repo.commit("app v2 with crash");
    const crash = runChild(repo, ["apply", "--yes"]);
    expect(crash.signal).toBe("SIGKILL");
    const world = repo.world();
    expect(world["thing/b1"]!.spec).toEqual({ v: 2 });
    expect(world["thing/b2"]!.spec).toEqual({ v: 1 });
    repo.write({ "main.lxm": v2() });
    repo.commit("app v2");
    const journalDir = join(repo.dir, ".git/lexum/journal");
    expect(readdirSync(journalDir)).toHaveLength(1);
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(0);
    const recovered = headSnapshot(repo, "lexum/state~1");
    expect(recovered.status).toBe("failed");
    expect(recovered.dag!.planned).toEqual(APP.map(address));
    for (const a of recovered.dag!.done) expect(APP.map(address)).toContain(a);
    expect(recovered.dag!.notStarted).toContain(address("b3"));
    for (const o of Object.values(repo.world())) expect(o.spec).toEqual({ v: o.name.startsWith("b") ? 2 : 1 });
    expect(await expectHealthyState(repo)).toBe(prior ? 3 : 2);
  });

  it("killed from outside after N progress lines, at several N", async () => {
    for (const n of [1, 3]) {
      const repo = makeRepo({ ...ignore, "main.lxm": project({ v: 1 }) });
      const child = spawn(process.execPath, [cli.main, "apply", "--yes"], { cwd: repo.dir, env: { ...process.env, ...baseEnv, NO_COLOR: "1" } });
      let lines = 0;
      let buf = "";
      const exited = new Promise<NodeJS.Signals | null>((res) => child.on("exit", (_c, sig) => res(sig)));
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (d: string) => {
        buf += d;
        lines = buf.split("\n").filter((l) => / done$/.test(l)).length;
        if (lines >= n) child.kill("SIGKILL");
      });
      const signal = await exited;
      expect(signal).toBe("SIGKILL");
      expect(lines).toBeGreaterThanOrEqual(n);
      const crashWorld = worldAddresses(repo);
      expect(crashWorld.length).toBeGreaterThanOrEqual(n);
      expect(crashWorld.length).toBeLessThan(BASE.length + APP.length);
      const reported = reportedDone(buf);
      expect(reported.length).toBeGreaterThanOrEqual(n);
      await recoverAndCheck(repo, crashWorld, reported, null, 1);
    }
  });
});
