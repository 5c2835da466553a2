import { createHmac } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { verifyBranch } from "../../src/engine/verify.js";
import { observeRemoteGit } from "../../src/git/remote.js";
import { cleanupBuild, cleanupScratch, readWorldFile, simGoal, spawnAgent, startAgent, startRemote, tempDir, waitFor, writeConfig } from "./harness.js";
import type { InProcessAgent, Remote } from "./harness.js";

const open: { stop(): Promise<void> }[] = [];
const remotes: Remote[] = [];

afterEach(async () => {
  for (const a of open.splice(0)) await a.stop();
  for (const r of remotes.splice(0)) await r.close();
});
afterAll(() => {
  cleanupBuild();
  cleanupScratch();
});

async function remote(): Promise<Remote> {
  const r = await startRemote();
  remotes.push(r);
  return r;
}

async function agentFor(r: Remote, repo: Record<string, string | number> = {}, env: NodeJS.ProcessEnv = {}, top: Record<string, string | number> = {}): Promise<InProcessAgent & { dir: string }> {
  const dir = tempDir();
  const file = writeConfig(dir, [{ url: r.url, interval: "1s", drift: "off", ...repo }], top);
  const a = await startAgent(file, env);
  open.push(a);
  return { ...a, dir };
}

describe("lxm-sync: a push becomes a snapshot on the remote", () => {
  it("applies a pushed commit within one interval and pushes the snapshot, trailers naming the goal", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "first goal");
    const a = await agentFor(r);
    await waitFor("the goal applied", () => a.status().applied === goal);
    const log = r.stateLog();
    expect(log).toHaveLength(1);
    expect(log[0]!.snapshot.status).toBe("quiescent");
    expect(log[0]!.snapshot.source).toEqual({ commit: goal, path: "" });
    expect(log[0]!.message).toContain(`Lexum-Source: ${goal} .`);
    expect(log[0]!.message).toContain("Lexum-Agent: lxm-sync");
    expect(log[0]!.message).toContain("Lexum-Goal-Ref: refs/heads/main");
    expect(Object.keys(readWorldFile(world)).sort()).toEqual(["service/svc-0", "service/svc-1"]);
    expect((await verifyBranch(r.bare, "lexum/state")).bad).toBeNull();
    const status = a.status();
    expect(status.goal).toBe(goal);
    expect(status.lastSnapshot?.commit).toBe(log[0]!.oid);
    expect(status.lastError).toBeNull();

    // A second commit updates; the snapshot chain grows by one.
    const next = r.push({ "app.lxm": simGoal(world, { replicas: 3 }) }, "scale up");
    await waitFor("the update applied", () => a.status().applied === next);
    expect(r.stateLog().map((c) => c.snapshot.source.commit)).toEqual([next, goal]);
    expect((readWorldFile(world)["service/svc-0"]!.spec as { replicas: number }).replicas).toBe(3);
  });

  it("one entry per environment: each applies the goal with its inputs to its own state branch", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const settings = "inputs:\n  name: { type: string }\nenvironments:\n  staging:\n    inputs: { name: s1 }\n  production:\n    inputs: { name: p1 }\n";
    const main = `domain app {\n  provider sim { world = ${JSON.stringify(world)} }\n  resource sim.object o {\n    kind = "service"\n    name = input("name")\n  }\n}\n`;
    const goal = r.push({ "lexum.yaml": settings, "app.lxm": main }, "two environments");
    const dir = tempDir();
    const file = writeConfig(dir, [
      { url: r.url, interval: "1s", drift: "off", environment: "staging" },
      { url: r.url, interval: "1s", drift: "off", environment: "production" },
    ]);
    const a = await startAgent(file, {});
    open.push(a);
    await waitFor("both environments applied", () => a.status(0).applied === goal && a.status(1).applied === goal);
    expect(r.stateLog("lexum/state/staging").map((c) => c.snapshot.source.commit)).toEqual([goal]);
    expect(r.stateLog("lexum/state/production").map((c) => c.snapshot.source.commit)).toEqual([goal]);
    expect(r.stateTip("lexum/state")).toBeNull();
    expect(Object.keys(readWorldFile(world)).sort()).toEqual(["service/p1", "service/s1"]);
  });

  it("several projects in one repository, one entry each: each applied to the state branch derived from its path", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const main = (name: string) => `domain app {\n  provider sim { world = ${JSON.stringify(world)} }\n  resource sim.object o {\n    kind = "service"\n    name = "${name}"\n  }\n}\n`;
    const goal = r.push({ "infra/lexum.yaml": "parallelism: 2\n", "infra/app.lxm": main("infra"), "teams/web/lexum.yaml": "parallelism: 2\n", "teams/web/app.lxm": main("web") }, "two projects");
    const dir = tempDir();
    const file = writeConfig(dir, [
      { url: r.url, interval: "1s", drift: "off", path: "infra" },
      { url: r.url, interval: "1s", drift: "off", path: "teams/web" },
    ]);
    const a = await startAgent(file, {});
    open.push(a);
    await waitFor("both projects applied", () => a.status(0).applied === goal && a.status(1).applied === goal);
    expect(r.stateLog("lexum/state-infra").map((c) => [c.snapshot.source.commit, c.snapshot.source.path])).toEqual([[goal, "infra"]]);
    expect(r.stateLog("lexum/state-teams.web").map((c) => [c.snapshot.source.commit, c.snapshot.source.path])).toEqual([[goal, "teams/web"]]);
    expect(r.stateTip("lexum/state")).toBeNull();
    expect(Object.keys(readWorldFile(world)).sort()).toEqual(["service/infra", "service/web"]);
    expect(a.status(1).stateBranch).toBe("lexum/state-teams.web");
  });

  it("goes straight to the newest commit when two arrive during an apply; the passed-over one is in status", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const first = r.push({ "app.lxm": simGoal(world, { latency: 400, n: 3 }) }, "slow goal");
    const a = await agentFor(r);
    await waitFor("the apply under way", () => a.status().phase === "reconciling" && a.status().goal === first);
    const skipped = r.push({ "app.lxm": simGoal(world, { latency: 0, n: 3, replicas: 2 }) }, "second");
    const newest = r.push({ "app.lxm": simGoal(world, { latency: 0, n: 3, replicas: 4 }) }, "third");
    await waitFor("the newest applied", () => a.status().applied === newest, 90_000);
    const goals = r.stateLog().map((c) => c.snapshot.source.commit);
    expect(goals).toEqual([newest, first]);
    expect(goals).not.toContain(skipped);
    expect(a.status().skipped).toEqual([skipped]);
  });

  it("records a commit that does not compile once (compile-failed), then applies the next good one", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const good = r.push({ "app.lxm": simGoal(world) }, "good");
    const a = await agentFor(r);
    await waitFor("the good goal applied", () => a.status().applied === good);
    const bad = r.push({ "app.lxm": "domain app {\n  resource sim.object x {\n" }, "broken");
    await waitFor("the bad goal recorded", () => a.status().lastError?.commit === bad);
    expect(a.status().lastError?.reason).toBe("compile-failed");
    // Not retried in a loop: several polls later there is still one failed snapshot for it.
    const polls = a.logs.length;
    await waitFor("three more polls", () => a.agent.status()[0]!.lastPoll !== null && a.logs.length >= polls, 5000);
    await new Promise((res) => setTimeout(res, 3500));
    const failed = r.stateLog().filter((c) => c.snapshot.source.commit === bad);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.snapshot.status).toBe("failed");
    expect(failed[0]!.snapshot.failure?.reason).toBe("compile-failed");
    expect(failed[0]!.snapshot.failure?.message).toContain("LXM");
    expect((await verifyBranch(r.bare, "lexum/state")).bad).toBeNull();

    const fixed = r.push({ "app.lxm": simGoal(world, { replicas: 5 }) }, "fixed");
    await waitFor("the fixed goal applied", () => a.status().applied === fixed);
    expect(r.stateLog()[0]!.snapshot).toMatchObject({ status: "quiescent", source: { commit: fixed } });
    expect(a.status().lastError).toBeNull();
  });

  it("a provider failure is recorded as apply-failed once and not retried", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world, { n: 1, faults: `[{ op = "create", kind = "error", times = 1000 }]` }) }, "failing");
    const a = await agentFor(r);
    await waitFor("the failure recorded", () => a.status().lastError?.commit === goal);
    expect(a.status().lastError?.reason).toBe("apply-failed");
    await new Promise((res) => setTimeout(res, 2500));
    const forGoal = r.stateLog().filter((c) => c.snapshot.source.commit === goal);
    expect(forGoal.length).toBeGreaterThanOrEqual(1);
    expect(forGoal.every((c) => c.snapshot.status !== "quiescent")).toBe(true);
    const count = forGoal.length;
    await new Promise((res) => setTimeout(res, 2500));
    expect(r.stateLog().filter((c) => c.snapshot.source.commit === goal)).toHaveLength(count);
  });
});

describe("lxm-sync: credentials", () => {
  it("a token-protected remote: token_env's token authenticates every request and appears nowhere", async () => {
    const token = "ghs_SyncScenarioToken0123456789abcdefXYZ";
    const r = await startRemote({ token });
    remotes.push(r);
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "goal");
    const spawned: string[][] = [];
    observeRemoteGit((s) => spawned.push([...s.argv]));
    try {
      const a = await agentFor(r, { token_env: "INFRA_TOKEN", drift: "report", drift_interval: "1s" }, { INFRA_TOKEN: token });
      await waitFor("applied", () => a.status().applied === goal);
      await new Promise((res) => setTimeout(res, 1500)); // a drift check and idle polls too
      expect(r.stateLog()).toHaveLength(1);
      // Every request carried it; none was refused.
      expect(r.server.requests.length).toBeGreaterThan(3);
      for (const q of r.server.requests) expect(String(q.headers.authorization ?? "")).toMatch(/^basic /i);
      const b64 = Buffer.from(`x-access-token:${token}`).toString("base64");
      const everywhere = JSON.stringify({ logs: a.logs, status: a.agent.status(), metrics: await a.metricsText(), argv: spawned, urls: r.server.requests.map((q) => q.url) });
      expect(everywhere).not.toContain(token);
      expect(everywhere).not.toContain(b64);
      expect(spawned.length).toBeGreaterThan(0);
      // Nor in any file of the agent's folder (clones, config, journal, lock).
      const { readFileSync: read, readdirSync: list, statSync } = await import("node:fs");
      const walk = (d: string): string[] => list(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
      for (const f of walk(a.dir)) {
        const bytes = read(f).toString("latin1");
        expect(bytes.includes(token) || bytes.includes(b64), f).toBe(false);
      }
    } finally {
      observeRemoteGit(null);
    }
  });

  it("a wrong token: the remote's refusal is the entry's error, backed off, and named without the token", async () => {
    const r = await startRemote({ token: "right-token-0123456789" });
    remotes.push(r);
    r.push({ "app.lxm": simGoal(join(tempDir(), "world.json")) }, "goal");
    const a = await agentFor(r, { token_env: "INFRA_TOKEN" }, { INFRA_TOKEN: "wrong-token-9876543210" });
    await waitFor("the refusal", () => a.status().failures >= 1);
    expect(a.status().lastError?.reason).toBe("remote-refused");
    expect(a.status().lastError?.code).toBe("LXM4132");
    expect(JSON.stringify({ logs: a.logs, status: a.agent.status() })).not.toContain("wrong-token-9876543210");
    expect(r.stateTip()).toBeNull();
  });
});

describe("lxm-sync: a tampered state branch on the remote", () => {
  it("is refused with a clear error (LXM4204); nothing applied, the branch untouched", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const first = r.push({ "app.lxm": simGoal(world) }, "first");
    const a = await agentFor(r);
    await waitFor("applied", () => a.status().applied === first);
    // Someone rewrites snapshot.json on the state branch (a commit on top, with a forged trailer).
    const tip = r.stateTip()!;
    const work = tempDir();
    const { git } = await import("../e2e/helpers.js");
    git(work, "init", "-q");
    git(work, "fetch", "-q", r.bare, `${tip}:refs/heads/s`);
    git(work, "checkout", "-q", "s");
    const { readFileSync: read, writeFileSync: write } = await import("node:fs");
    write(join(work, "snapshot.json"), read(join(work, "snapshot.json"), "utf8").replace('"quiescent"', '"failed"'));
    git(work, "commit", "-q", "-am", `tampered\n\nLexum-Snapshot: sha256:${"0".repeat(64)}`);
    git(work, "push", "-q", r.bare, "s:refs/heads/lexum/state");
    const tampered = r.stateTip();
    const next = r.push({ "app.lxm": simGoal(world, { replicas: 7 }) }, "next");
    await waitFor("the refusal", () => a.status().lastError?.code === "LXM4204", 30_000);
    expect(a.status().lastError?.commit).toBe(next);
    expect(a.status().applied).toBe(first);
    expect(r.stateTip()).toBe(tampered);
    expect((readWorldFile(world)["service/svc-0"]!.spec as { replicas: number }).replicas).toBe(1);
  });
});

describe("lxm-sync: a local path as the remote", () => {
  it("watches a bare repository by its path (relative to the configuration file) and pushes the snapshot there", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "goal");
    const dir = tempDir();
    const { symlinkSync } = await import("node:fs");
    symlinkSync(r.bare, join(dir, "infra.git"));
    const file = writeConfig(dir, [{ url: "./infra.git", interval: "1s", drift: "off" }]);
    const a = await startAgent(file);
    open.push(a);
    await waitFor("applied", () => a.status().applied === goal);
    expect(r.stateLog()[0]!.snapshot.source.commit).toBe(goal);
    expect(a.status().url).toBe(join(dir, "infra.git"));
    const next = r.push({ "app.lxm": simGoal(world, { replicas: 2 }) }, "next");
    await waitFor("next applied", () => a.status().applied === next);
    expect(r.stateLog()).toHaveLength(2);
  });
});

describe("lxm-sync: failures of the remote", () => {
  it("backs off while the remote answers 503, never faster than its interval, then recovers with nothing lost", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "goal");
    r.server.failNext(503, 3);
    const before = r.server.requests.length;
    const a = await agentFor(r);
    await waitFor("a failed poll", () => a.status().failures >= 2, 30_000);
    expect(a.status().lastError?.reason).toBe("remote-unreachable");
    expect(a.status().lastError?.message).toContain("503");
    await waitFor("recovery", () => a.status().applied === goal, 90_000);
    expect(a.status().failures).toBe(0);
    expect(r.stateLog()).toHaveLength(1);
    // Backed off: the failed polls were spaced at least an interval apart (three 503s took three polls).
    const failedPolls = a.logs.filter((l) => l.event === "poll.failed");
    expect(failedPolls.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < failedPolls.length; i++) {
      expect(Date.parse(String(failedPolls[i]!.time)) - Date.parse(String(failedPolls[i - 1]!.time))).toBeGreaterThanOrEqual(900);
    }
    expect(r.server.requests.length).toBeGreaterThan(before);
  });
});

/** A TCP forwarder to `target` that can go away (connections refused) and come back on the same port. */
async function flakyPort(target: string): Promise<{ url: string; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }> {
  const { createServer, connect } = await import("node:net");
  const upstream = new URL(target);
  const sockets = new Set<import("node:net").Socket>();
  let server = createServer();
  const listen = (port: number) =>
    new Promise<number>((res, rej) => {
      server = createServer((c) => {
        const u = connect(Number(upstream.port), upstream.hostname);
        sockets.add(c).add(u);
        c.pipe(u).pipe(c);
        const end = () => (c.destroy(), u.destroy());
        c.on("error", end).on("close", end);
        u.on("error", end).on("close", end);
      });
      server.once("error", rej);
      server.listen(port, "127.0.0.1", () => res((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  const down = () =>
    new Promise<void>((res) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.close(() => res());
    });
  return { url: `http://127.0.0.1:${port}${upstream.pathname}`, down, up: async () => void (await listen(port)), close: down };
}

describe("lxm-sync: the remote disappears", () => {
  it("connections refused: backed off (remote-unreachable, never faster than the interval), then recovered with nothing lost", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const first = r.push({ "app.lxm": simGoal(world) }, "first");
    const port = await flakyPort(r.url);
    try {
      const a = await agentFor({ ...r, url: port.url } as Remote);
      await waitFor("first applied", () => a.status().applied === first);
      await port.down();
      const second = r.push({ "app.lxm": simGoal(world, { replicas: 2 }) }, "second");
      await waitFor("polls failing", () => a.status().failures >= 2, 30_000);
      expect(a.status().lastError?.reason).toBe("remote-unreachable");
      expect(a.status().lastError?.code).toMatch(/^LXM413[14]$/);
      expect(a.status().applied).toBe(first);
      await port.up();
      await waitFor("second applied after the remote came back", () => a.status().applied === second, 60_000);
      expect(a.status().failures).toBe(0);
      expect(r.stateLog().map((c) => c.snapshot.source.commit)).toEqual([second, first]);
      const failed = a.logs.filter((l) => l.event === "poll.failed").map((l) => Date.parse(String(l.time)));
      for (let i = 1; i < failed.length; i++) expect(failed[i]! - failed[i - 1]!).toBeGreaterThanOrEqual(900);
    } finally {
      await port.close().catch(() => undefined);
    }
  });
});

describe("lxm-sync: a state push the remote refuses", () => {
  it("push-failed in status; once the remote accepts, the recorded snapshot is pushed and nothing is applied again", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "goal");
    r.server.refusePushes(true);
    const a = await agentFor(r);
    await waitFor("the refusal", () => a.status().lastError?.reason === "push-failed");
    expect(a.status().lastError?.message).toContain("Protected branch update failed");
    expect(r.stateTip()).toBeNull();
    const applies = a.logs.filter((l) => l.event === "reconcile.applied").length;
    expect(applies).toBe(0);
    r.server.refusePushes(false);
    await waitFor("pushed", () => r.stateTip() !== null && a.status().lastError === null, 60_000);
    expect(r.stateLog()).toHaveLength(1);
    expect(r.stateLog()[0]!.snapshot).toMatchObject({ status: "quiescent", source: { commit: goal } });
    expect(a.logs.filter((l) => l.event === "state.pushed")).toHaveLength(1);
    expect(a.status().applied).toBe(goal);
  });
});

describe("lxm-sync: drift", () => {
  it("report: records a drift snapshot, shows it in status and metrics; the same drift is not recorded twice", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "goal");
    const a = await agentFor(r, { drift: "report", drift_interval: "1s" });
    await waitFor("applied", () => a.status().applied === goal);
    await new Promise((res) => setTimeout(res, 2500));
    expect(r.stateLog()).toHaveLength(1); // no drift → nothing written
    expect(a.status().drift).toBe(0);

    // Someone edits the world behind Lexum's back.
    const { readFileSync, writeFileSync } = await import("node:fs");
    const w = JSON.parse(readFileSync(world, "utf8")) as { objects: Record<string, { spec: { replicas: number } }> };
    w.objects["service/svc-1"]!.spec.replicas = 9;
    writeFileSync(world, JSON.stringify(w));
    await waitFor("the drift recorded", () => r.stateLog()[0]!.snapshot.kind === "drift", 30_000);
    await waitFor("the drift in status", () => a.status().drift === 1 && a.status().lastSnapshot?.kind === "drift");
    expect(r.stateLog()[0]!.snapshot.status).toBe("drifted");
    expect(await a.metricsText()).toMatch(/lexum_drift\{repo="[^"]+"\} 1/);
    const tip = r.stateTip();
    await new Promise((res) => setTimeout(res, 2500));
    expect(r.stateTip()).toBe(tip);
    // report never changes the world
    expect((readWorldFile(world)["service/svc-1"]!.spec as { replicas: number }).replicas).toBe(9);
  });

  it("correct: applies the goal back", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "goal");
    const a = await agentFor(r, { drift: "correct", drift_interval: "1s" });
    await waitFor("applied", () => a.status().applied === goal);
    const { readFileSync, writeFileSync } = await import("node:fs");
    const w = JSON.parse(readFileSync(world, "utf8")) as { objects: Record<string, unknown> };
    delete w.objects["service/svc-0"];
    writeFileSync(world, JSON.stringify(w));
    await waitFor("corrected", () => readWorldFile(world)["service/svc-0"] !== undefined, 30_000);
    await waitFor("recorded", () => r.stateLog().length === 2);
    expect(r.stateLog()[0]!.snapshot).toMatchObject({ status: "quiescent", source: { commit: goal } });
    await waitFor("in sync in status", () => a.status().drift === 0);
    expect((await verifyBranch(r.bare, "lexum/state")).bad).toBeNull();
  });
});

describe("lxm-sync: several agents on one repository", () => {
  it("two agents, one snapshot per goal commit", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const a = await agentFor(r);
    const b = await agentFor(r);
    const goals = [];
    for (let i = 1; i <= 3; i++) {
      const g = r.push({ "app.lxm": simGoal(world, { replicas: i }) }, `goal ${i}`);
      goals.push(g);
      await waitFor(`goal ${i} applied by both`, () => a.status().applied === g && b.status().applied === g, 60_000);
    }
    const log = r.stateLog();
    for (const g of goals) expect(log.filter((c) => c.snapshot.source.commit === g && c.snapshot.status === "quiescent")).toHaveLength(1);
    expect((await verifyBranch(r.bare, "lexum/state")).bad).toBeNull();
  });
});

describe("lxm-sync: webhooks", () => {
  it("a bad signature gets 401 and no poll; a good one polls at once", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const first = r.push({ "app.lxm": simGoal(world) }, "goal");
    const a = await agentFor(r, { interval: "1h", webhook_secret_env: "HOOK_SECRET" }, { HOOK_SECRET: "s3cret-hook" });
    await waitFor("applied", () => a.status().applied === first);
    // Settled: the re-poll after the apply done, the next poll an hour away.
    await waitFor("settled", () => a.status().phase === "idle" && a.status().nextPoll !== null && Date.parse(a.status().nextPoll!) - Date.now() > 60_000);
    const next = r.push({ "app.lxm": simGoal(world, { replicas: 2 }) }, "next");
    const body = JSON.stringify({ ref: "refs/heads/main", repository: { clone_url: r.url, html_url: r.url, ssh_url: r.url, git_url: r.url, full_name: "o/infra" } });
    const sign = (secret: string) => "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
    const post = (sig: string | null) =>
      fetch(`${a.base}/hooks/github`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "1", ...(sig ? { "x-hub-signature-256": sig } : {}) }, body });
    const requests = r.server.requests.length;
    expect((await post(sign("wrong-secret"))).status).toBe(401);
    expect((await post(null)).status).toBe(401);
    await new Promise((res) => setTimeout(res, 1000));
    expect(r.server.requests.length).toBe(requests); // no poll reached the remote
    expect(a.status().goal).toBe(first);
    const ok = await post(sign("s3cret-hook"));
    expect(ok.status).toBeLessThan(300);
    await waitFor("the pushed goal applied", () => a.status().applied === next, 30_000);
  });
});

/** An agent process killed (SIGKILL) while it applies a slow 6-object goal, after 2 objects were made. */
async function killedMidApply(): Promise<{ r: Remote; world: string; goal: string; dir: string; file: string }> {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world, { n: 6, latency: 250 }) }, "slow");
    const dir = tempDir();
    const file = writeConfig(dir, [{ url: r.url, interval: "1s", drift: "off" }]);
    const p = spawnAgent(["--config", file]);
    await waitFor("part of the apply done", () => Object.keys(readWorldFile(world)).length >= 2, 60_000);
    p.child.kill("SIGKILL");
    await p.exited;
  return { r, world, goal, dir, file };
}

describe("lxm-sync as a process", () => {
  it("--help, --version, and usage errors (LXM7013, exit 1)", async () => {
    const help = spawnAgent(["--help"]);
    expect(await help.exited).toBe(0);
    const version = spawnAgent(["--version"]);
    expect(await version.exited).toBe(0);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string; bin: Record<string, string> };
    expect(version.lines).toEqual([{ unparsed: `lxm-sync ${pkg.version}` }]);
    expect(pkg.bin["lxm-sync"]).toBe("dist/sync/main.js");
    expect(readFileSync(join(import.meta.dirname, "../../src/sync/main.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    for (const args of [[], ["--config"], ["--bogus"], ["demo", "extra"]]) {
      const p = spawnAgent(args);
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toMatch(/^error\[LXM7013\]: .+\n  hint: usage: lxm-sync --config/);
    }
  });

  it("--once: one poll and reconcile, then exit 0; 1 when a repository ended in error", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world) }, "goal");
    const dir = tempDir();
    const file = writeConfig(dir, [{ url: r.url }]);
    const ok = spawnAgent(["--config", file, "--once"]);
    expect(await ok.exited).toBe(0);
    expect(r.stateLog()[0]!.snapshot.source.commit).toBe(goal);
    expect(ok.lines.map((l) => l.event)).toEqual(expect.arrayContaining(["reconcile.applied", "once.done"]));
    r.push({ "app.lxm": "domain {" }, "broken");
    const bad = spawnAgent(["--config", file, "--once"]);
    expect(await bad.exited).toBe(1);
    expect(r.stateLog()[0]!.snapshot.failure?.reason).toBe("compile-failed");
  });

  it("a data_dir held by a live agent: LXM7011, exit 1", async () => {
    const dir = tempDir();
    const file = writeConfig(dir, [{ url: "http://127.0.0.1:9/x.git" }]);
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data/lxm-sync.lock"), `${process.pid}\n`);
    const p = spawnAgent(["--config", file]);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain(`error[LXM7011]: ${join(dir, "data")} is in use by lxm-sync process ${process.pid}`);
  });

  it("a configuration with a wrong type: a located error, exit 1, nothing started", async () => {
    const dir = tempDir();
    const file = writeConfig(dir, [{ url: "http://127.0.0.1:9/x.git", interval: 5 }]);
    const p = spawnAgent(["--config", file]);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/lxm-sync\.yaml:5:15: error\[LXM7002\]/);
    expect(p.lines).toEqual([]);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("SIGTERM during an apply: the apply finishes, is recorded and pushed, exit 0", async () => {
    const r = await remote();
    const world = join(tempDir(), "world.json");
    const goal = r.push({ "app.lxm": simGoal(world, { n: 4, latency: 300 }) }, "slow");
    const dir = tempDir();
    const file = writeConfig(dir, [{ url: r.url, interval: "1s", drift: "off" }]);
    const p = spawnAgent(["--config", file]);
    await waitFor("the apply started", () => Object.keys(readWorldFile(world)).length >= 1, 60_000);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(r.stateLog()[0]!.snapshot).toMatchObject({ status: "quiescent", source: { commit: goal } });
    expect(Object.keys(readWorldFile(world))).toHaveLength(4);
    expect(p.lines.map((l) => l.event)).toContain("agent.stopped");
  });

  it("SIGKILL mid-apply: the next start recovers and converges; nothing completed is lost or repeated", async () => {
    const { r, world, goal, dir, file } = await killedMidApply();
    expect(r.stateTip()).toBeNull(); // nothing pushed yet
    const again = spawnAgent(["--config", file]);
    try {
      await waitFor("converged", () => r.stateLog().some((c) => c.snapshot.status === "quiescent" && c.snapshot.source.commit === goal), 90_000);
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }
    expect(Object.keys(readWorldFile(world))).toHaveLength(6);
    const log = r.stateLog();
    expect(log.filter((c) => c.snapshot.status === "quiescent")).toHaveLength(1);
    expect((await verifyBranch(r.bare, "lexum/state")).bad).toBeNull();
    // The stale lock of the killed process was taken over.
    expect(readdirSync(join(dir, "data")).includes("lxm-sync.lock")).toBe(false);
  });

  it("SIGKILL mid-apply, then a broken commit: the cut-short goal is recorded first, then the broken one as compile-failed", async () => {
    const { r, world, goal, dir, file } = await killedMidApply();
    const broken = r.push({ "app.lxm": "domain app {\n" }, "broken");
    const again = spawnAgent(["--config", file]);
    try {
      await waitFor("the broken commit recorded", () => r.stateLog()[0]?.snapshot.source.commit === broken, 90_000);
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }
    const log = r.stateLog();
    expect(log[0]!.snapshot).toMatchObject({ status: "failed", kind: "failure", failure: { reason: "compile-failed" } });
    expect(log.filter((c) => c.snapshot.status === "quiescent" && c.snapshot.source.commit === goal)).toHaveLength(1);
    expect(Object.keys(readWorldFile(world))).toHaveLength(6);
    expect(again.lines.map((l) => l.event)).toContain("apply.recovering");
    expect((await verifyBranch(r.bare, "lexum/state")).bad).toBeNull();
  });
});
