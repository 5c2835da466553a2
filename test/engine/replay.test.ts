import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { gitc, makeRepo } from "../git/helpers.js";
import { journalName } from "../../src/engine/recover-journal.js";
import { replayBranch, replaySnapshot, resourcesAtStep, stateAtStep } from "../../src/engine/replay.js";
import type { ReplayContext } from "../../src/engine/replay.js";
import { resolveSnapshotRef } from "../../src/engine/history.js";
import { openJournal } from "../../src/state/journal.js";
import { listStateCommits } from "../../src/state/store.js";
import { parseTraceJsonl } from "../../src/runtime/index.js";

// One repository, one history covering every kind of run replay must reproduce: a first
// apply, a drift correction (--refresh), a failure with halt, a failure with rollback (a
// failed and a rolled-back snapshot), an interrupted run recovered from its journal, and a
// recovery. Two domains, two steps (monitoring imports platform).

const platform = `domain platform {
  provider sim { world = "world.json" }
  resource sim.object namespace {
    kind = "namespace"
    name = "prod"
  }
  resource sim.object service for name in ["api", "worker"] {
    kind = "service"
    name = name
    spec = { owner = namespace.uid, replicas = 2 }
  }
  export namespace
}
`;

const monitoring = (probeSpec: string, extra: string, policy: string): string => `domain monitoring {
  provider sim {
    world  = "world.json"
    faults = [{ op = "create", address = "monitoring/sim.object.watch", kind = "error", times = 9 }]
  }
  import platform.namespace
  resource sim.object probe {
    kind = "probe"
    name = "api"
    spec = { ns = namespace.uid, ${probeSpec} }
  }
${extra}
  policy {
    retries    = 1
    on_failure = "${policy}"
  }
}
`;
// "watch" sorts after "probe": the probe's update is done before the watch fails.
const watch = `  resource sim.object watch {
    kind = "alert"
    name = "api-down"
  }
`;

let repo: ReturnType<typeof makeRepo>;
let ctx: ReplayContext;
/** State commit ids by what produced them. */
const at: Record<string, string> = {};

function commitGoal(files: Record<string, string>, message: string): void {
  for (const [p, c] of Object.entries(files)) writeFileSync(join(repo.dir, p), c);
  gitc(repo.dir, "add", "-A");
  gitc(repo.dir, "commit", "-q", "-m", message);
}

async function head(): Promise<string> {
  return (await listStateCommits({ gitdir: repo.gitdir, branch: "lexum/state", limit: 1 }))[0]!.oid;
}

beforeAll(async () => {
  repo = makeRepo({ ".gitignore": "world.json\n" });
  ctx = { gitdir: repo.gitdir, commondir: repo.gitdir, branch: "lexum/state", env: { LXM_STATE_KEY: "test-key" } };
  const env = { LXM_STATE_KEY: "test-key" };
  const apply = async (...extra: string[]) => (await lxm(repo.dir, ["apply", "--yes", ...extra], env)).code;

  commitGoal({ "platform.lxm": platform, "monitoring.lxm": monitoring("interval = 30", "", "halt") }, "v1");
  expect(await apply()).toBe(0);
  at.first = await head();

  // Drift: someone changed a service by hand; --refresh reads it back and corrects it.
  const worldFile = join(repo.dir, "world.json");
  const world = JSON.parse(readFileSync(worldFile, "utf8"));
  world.objects["service/api"].spec.replicas = 7;
  writeFileSync(worldFile, JSON.stringify(world));
  expect(await apply("--refresh")).toBe(0);
  at.drift = await head();

  // A watch whose create always fails: halt.
  commitGoal({ "monitoring.lxm": monitoring("interval = 10", watch, "halt") }, "v2");
  expect(await apply()).toBe(1);
  at.halt = await head();

  // The same failure under on_failure = "rollback": a failed snapshot, then a rolled-back one.
  commitGoal({ "monitoring.lxm": monitoring("interval = 5", watch, "rollback") }, "v3");
  expect(await apply()).toBe(1);
  at.rolledBack = await head();
  at.failedBeforeRollback = (await listStateCommits({ gitdir: repo.gitdir, branch: "lexum/state", limit: 2 }))[1]!.oid;

  // A killed apply left its journal behind (begin record, nothing completed): the next apply
  // records it as an interrupted failed snapshot, then applies the fixed goal.
  commitGoal({ "monitoring.lxm": monitoring("interval = 5", "", "halt") }, "v4");
  const planFile = join(repo.dir, "..", `plan-${process.pid}.json`);
  expect((await lxm(repo.dir, ["plan", "--detailed-exitcode", "--out", planFile], env)).code).toBe(2);
  const plan = JSON.parse(readFileSync(planFile, "utf8"));
  rmSync(planFile);
  const journal = await openJournal({ gitdir: repo.gitdir, name: journalName("lexum/state") });
  await journal.append({
    kind: "begin",
    format: "lexum.journal/v1",
    parent: at.rolledBack,
    programHash: plan.program,
    source: { commit: gitc(repo.dir, "rev-parse", "HEAD"), path: "" },
    time: { seconds: 1700000000, tzOffsetMinutes: 60 },
    plan,
  });
  await journal.close();
  expect(await apply()).toBe(0);
  at.recovered = await head();
  at.interrupted = (await listStateCommits({ gitdir: repo.gitdir, branch: "lexum/state", limit: 2 }))[1]!.oid;
}, 60_000);

afterAll(() => repo?.cleanup());

async function replayOf(oid: string) {
  const commit = await resolveSnapshotRef(repo.gitdir, "lexum/state", oid);
  return replaySnapshot(ctx, commit);
}

describe("replay reproduces every kind of run", () => {
  it("the history has the runs the test means", async () => {
    const log = (await lxm(repo.dir, ["state", "log", "--json"])).out;
    const statuses = (JSON.parse(log) as { status: string }[]).map((r) => r.status).reverse();
    expect(statuses).toEqual(["quiescent", "quiescent", "failed", "failed", "rolled-back", "failed", "quiescent"]);
  });

  for (const kind of ["first", "drift", "halt", "failedBeforeRollback", "rolledBack", "recovered"]) {
    it(`${kind}: same snapshot hash, same trace`, async () => {
      const r = await replayOf(at[kind]!);
      expect(r.problem).toBeNull();
      expect(r.outcome).toBe("reproduced");
      expect(r.replayed).toBe(r.recorded);
    });
  }

  it("the drift run really corrected drift (its plan says so) and the halt run really halted", async () => {
    const drift = (await lxm(repo.dir, ["state", "show", at.drift!, "--json"])).out;
    expect(JSON.parse(drift).status).toBe("quiescent");
    const plan = gitc(repo.dir, "show", `${at.drift}:plan.json`);
    expect(JSON.parse(plan).refreshed).toBe(true);
    expect(plan).toContain('"drift": true');
    const halt = JSON.parse((await lxm(repo.dir, ["state", "show", at.halt!, "--json"])).out);
    expect(halt.failure.address).toBe("monitoring/sim.object.watch");
    // A run that failed in the runtime says so.
    expect(halt.failure.reason).toBe("apply-failed");
  });

  it("an interrupted run is verified by hash only, not reported as a divergence", async () => {
    const r = await replayOf(at.interrupted!);
    expect(r.outcome).toBe("hash-only");
    expect(r.replayed).toBeNull();
    expect(r.problem).toMatch(/interrupted run/);
    // Its failure, written by journal recovery, is a runtime failure too.
    const recovered = JSON.parse((await lxm(repo.dir, ["state", "show", at.interrupted!, "--json"])).out);
    expect(recovered.failure).toMatchObject({ reason: "apply-failed", address: null });
    expect(recovered.failure.message).toMatch(/^interrupted/);
  });

  it("lxm replay prints `replayed sha256:… = recorded` and exits 0", async () => {
    const r = await lxm(repo.dir, ["replay"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const hash = gitc(repo.dir, "log", "-1", "--format=%(trailers:key=Lexum-Snapshot,valueonly)", "lexum/state");
    expect(r.out).toBe(`replayed ${hash} = recorded\n`);
    const byRef = await lxm(repo.dir, ["replay", "lexum/state~2", "--json"]);
    expect(byRef.code).toBe(0);
    expect(JSON.parse(byRef.out)).toMatchObject({ outcome: "reproduced", commit: at.rolledBack });
  });

  it("lxm state verify --replay replays the whole branch, oldest first", async () => {
    const r = await lxm(repo.dir, ["state", "verify", "--replay"]);
    expect(r.err).toBe("");
    expect(r.out).toBe("ok: 7 snapshots on lexum/state verify and replay (1 interrupted run verified by hash only)\n");
    expect(r.code).toBe(0);
    const all = await replayBranch(ctx);
    expect(all.bad).toBeNull();
    expect(all.reports.map((x) => x.commit)).toEqual((await listStateCommits({ gitdir: repo.gitdir, branch: "lexum/state" })).map((c) => c.oid).reverse());
  });

  it("a snapshot whose goal commit is not in the repository: a clear error, not a divergence", async () => {
    // A clone of the state branch alone has every snapshot but none of the goal commits.
    const clone = mkdtempSync(join(tmpdir(), "lexum-replay-clone-"));
    try {
      execFileSync("git", ["clone", "-q", "--no-local", "--single-branch", "--branch", "lexum/state", repo.dir, clone], { stdio: "pipe" });
      const r = await lxm(clone, ["replay"]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error\[LXM4212\]: cannot replay: its goal commit [0-9a-f]{40} \(project path \.\) is not in this repository/);
      const v = await lxm(clone, ["state", "verify", "--replay"]);
      expect(v.code).toBe(1);
      expect(v.err).toContain(`first bad commit ${at.first}`);
      expect(v.err).toContain("is not in this repository");
      expect((await lxm(clone, ["state", "verify"])).code).toBe(0); // the hashes alone still verify
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});

describe("point in time: state show --at STEP", () => {
  it("folds the trace over the parent: step 0 is the parent, the last step is the recorded final state", async () => {
    const commit = await resolveSnapshotRef(repo.gitdir, "lexum/state", at.first);
    const s0 = await stateAtStep(ctx, commit, 0);
    expect(s0.resources).toEqual({}); // the first run starts from nothing
    expect(s0.lastStep).toBe(2);
    const s1 = await stateAtStep(ctx, commit, 1);
    expect(Object.keys(s1.resources)).toEqual(['platform/sim.object.namespace', 'platform/sim.object.service["api"]', 'platform/sim.object.service["worker"]']);
    const end = await stateAtStep(ctx, commit, 99);
    expect(end.step).toBe(2);
    const recorded = Object.fromEntries(Object.entries(end.loaded.resources).map(([a, r]) => [a, r.attrs]));
    expect(end.resources).toEqual(recorded);
    expect(Object.keys(end.resources)).toContain("monitoring/sim.object.probe");
  });

  it("a rollback's steps: the failed state first, the restored one at the end", async () => {
    const commit = await resolveSnapshotRef(repo.gitdir, "lexum/state", at.rolledBack);
    const before = await stateAtStep(ctx, commit, 0);
    const after = await stateAtStep(ctx, commit, 99);
    expect((before.resources["monitoring/sim.object.probe"]!.spec as { interval: number }).interval).toBe(5);
    // Rolled back to the last quiescent snapshot (the drift correction's, interval 30).
    expect((after.resources["monitoring/sim.object.probe"]!.spec as { interval: number }).interval).toBe(30);
    expect(after.resources).toEqual(Object.fromEntries(Object.entries(after.loaded.resources).map(([a, r]) => [a, r.attrs])));
  });

  it("a delete removes the resource from the fold", () => {
    const prior = { "d/t.x": { attrs: { a: 1 } } } as never;
    const trace = parseTraceJsonl(
      [
        { step: 1, domain: "d", seq: 0, phase: "done", action: "delete", address: "d/t.x", after: null },
        { step: 2, domain: "d", seq: 0, phase: "done", action: "create", address: "d/t.y", after: { b: 2 } },
      ].map((e) => JSON.stringify(e)).join("\n"),
    );
    expect(resourcesAtStep(prior, trace, 0)).toEqual({ "d/t.x": { a: 1 } });
    expect(resourcesAtStep(prior, trace, 1)).toEqual({});
    expect(resourcesAtStep(prior, trace, 2)).toEqual({ "d/t.y": { b: 2 } });
  });

  it("the CLI lists addresses at a step and prints one resource's attributes", async () => {
    const list = await lxm(repo.dir, ["state", "show", "--at", "1", at.first!]);
    expect(list.code).toBe(0);
    expect(list.out).toContain("at step  1 of 2\n");
    expect(list.out).toContain("resources (3):\n  platform/sim.object.namespace\n");
    expect(list.out).not.toContain("monitoring/");
    const one = await lxm(repo.dir, ["state", "show", "--at", "2", at.first!, "monitoring/sim.object.probe"]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out).spec.interval).toBe(30);
    const missing = await lxm(repo.dir, ["state", "show", "--at", "1", at.first!, "monitoring/sim.object.probe"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/LXM4211/);
    const bad = await lxm(repo.dir, ["state", "show", "--at", "x"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--at takes a trace step/);
  });
});
