/**
 * Benchmark: the lxm-sync agent.
 *
 * 1. Idle: 100 repositories on one loopback server, each with a goal the agent has applied;
 *    then 10 poll cycles with nothing moving. Per cycle: the HTTP requests the remotes saw
 *    (counted by a proxy that reads each request, so that ls-refs and fetch are told apart),
 *    the agent process's CPU time, and its RSS after the 10 cycles. Baselines, same run: the
 *    least a poll can ask (one protocol-v2 ls-refs exchange, 2 requests, per repository), and
 *    the CPU time of 100 bare `listRemoteRefs` calls (the exchange without the agent around
 *    it); RSS against the process's RSS before the agent started.
 * 2. Push → snapshot: a 200-object sim goal pushed to a watched repository, the time until the
 *    snapshot is on the remote's state branch (the agent told at once, as a webhook would),
 *    as a ratio to `lxm apply --yes` of the same commit in a checkout (a child process, start
 *    to exit). Median of 3 each.
 *
 * Targets: idle requests per repository per cycle = 2 (one ref exchange), 0 fetches; CPU per
 * idle cycle ≤ 3× the bare exchanges; push → snapshot ≤ 2× lxm apply.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { listRemoteRefs } from "../src/git/ls-refs.js";
import { Agent } from "../src/sync/agent.js";
import { loadSyncConfig } from "../src/sync/config.js";
import { startGitHttpServer } from "../test/git/http-backend.js";
import { startCountingProxy } from "../test/sync/counting-proxy.js";
import { ensureSchemas } from "./plan.js";

const REPOS = 100;
const CYCLES = 10;
const OBJECTS = 200;
const REPS = 3;
const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "B", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "B", GIT_COMMITTER_EMAIL: "b@b", GIT_AUTHOR_DATE: "1700000000 +0000", GIT_COMMITTER_DATE: "1700000000 +0000", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  }).trim();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function simGoal(world: string, n: number, tag: string): string {
  const objects = Array.from({ length: n }, (_, i) => `  resource sim.object o${i} {\n    kind = "service"\n    name = "svc-${i}"\n    spec = { tag = "${tag}" }\n  }\n`).join("");
  return `domain app {\n  provider sim { world = ${JSON.stringify(world)} }\n${objects}}\n`;
}

async function waitUntil(pred: () => boolean, ms: number, what: string): Promise<void> {
  const until = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function idle(dir: string): Promise<Record<string, number>> {
  const root = join(dir, "remote");
  mkdirSync(root);
  const server = await startGitHttpServer({ root });
  const proxy = await startCountingProxy(server);
  try {
    const author = join(dir, "author");
    mkdirSync(author);
    git(author, "init", "-q", "-b", "main");
    // A relative world: each entry's lands in its own clone's project folder.
    writeFileSync(join(author, "app.lxm"), simGoal("world.json", 1, "idle"));
    git(author, "add", "-A");
    git(author, "commit", "-q", "-m", "goal");
    const urls: string[] = [];
    for (let i = 0; i < REPOS; i++) {
      const bare = server.createBareRepo(`r${i}.git`);
      git(author, "push", "-q", bare, "main");
      urls.push(proxy.url(`r${i}.git`));
    }
    const cfg = join(dir, "lxm-sync.yaml");
    writeFileSync(cfg, ["listen: 127.0.0.1:0", "data_dir: agent", "max_concurrent_per_host: 8", "repositories:", ...urls.flatMap((u) => [`  - url: ${u}`, "    interval: 1h", "    drift: off"]), ""].join("\n"));
    const config = loadSyncConfig(cfg, {});
    const agent = new Agent({ config, env: {}, log: () => undefined });
    await agent.open();
    await agent.once(); // applies every goal: from here the remotes are idle
    const rssBefore = process.memoryUsage().rss;

    // Baseline: the bare exchanges, the same 100 remotes, no agent.
    const refs = ["refs/heads/main", "refs/heads/lexum/state"];
    const bareCpu: number[] = [];
    for (let c = 0; c < 3; c++) {
      const t = cpuMs();
      for (const u of urls) await listRemoteRefs({ url: u }, refs);
      bareCpu.push(cpuMs() - t);
    }

    proxy.reset();
    const cpu: number[] = [];
    for (let c = 0; c < CYCLES; c++) {
      const t = cpuMs();
      await agent.once();
      cpu.push(cpuMs() - t);
    }
    const counts = proxy.totals();
    const rssAfter = process.memoryUsage().rss;
    await agent.stop();
    const perRepoRequests = counts.requests / REPOS / CYCLES;
    const perRepoFetches = counts.fetch / REPOS / CYCLES;
    const cpuRatio = median(cpu) / median(bareCpu);
    console.log(`idle: ${REPOS} repositories, ${CYCLES} poll cycles with nothing moving`);
    console.log(`  requests per repository per cycle: ${perRepoRequests.toFixed(2)} (baseline: one ls-refs exchange = 2) ${perRepoRequests === 2 ? "OK" : "MISSED"}`);
    console.log(`  ls-refs exchanges: ${counts.lsRefs}, fetches: ${counts.fetch} (target 0) ${counts.fetch === 0 ? "OK" : "MISSED"}`);
    console.log(`  CPU per cycle: ${median(cpu).toFixed(0)} ms, bare exchanges: ${median(bareCpu).toFixed(0)} ms, ratio ${cpuRatio.toFixed(2)}x (target <= 3x) ${cpuRatio <= 3 ? "OK" : "MISSED"}`);
    console.log(`  RSS after ${CYCLES} cycles: ${(rssAfter / 2 ** 20).toFixed(0)} MB (${(rssAfter / rssBefore).toFixed(2)}x the RSS before the idle cycles)`);
    return { requestsPerRepoPerCycle: perRepoRequests, fetchesPerRepoPerCycle: perRepoFetches, cpuMsPerCycle: Math.round(median(cpu)), cpuRatio: Number(cpuRatio.toFixed(2)), rssMb: Math.round(rssAfter / 2 ** 20) };
  } finally {
    await proxy.close();
    await server.close();
  }
}

function timedApply(cwd: string): Promise<number> {
  return new Promise((res, rej) => {
    const t = performance.now();
    const child = spawn(process.execPath, [CLI, "apply", "--yes"], { cwd, env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", rej);
    child.on("close", (code) => (code === 0 ? res(performance.now() - t) : rej(new Error(`lxm apply failed (${code}): ${out}`))));
  });
}

async function pushToSnapshot(dir: string): Promise<Record<string, number>> {
  const agentMs: number[] = [];
  const applyMs: number[] = [];
  for (let rep = 0; rep < REPS + 1; rep++) {
    const d = join(dir, `p${rep}`);
    mkdirSync(join(d, "remote"), { recursive: true });
    const server = await startGitHttpServer({ root: join(d, "remote") });
    try {
      const bare = server.createBareRepo("infra.git");
      const author = join(d, "author");
      mkdirSync(author);
      git(author, "init", "-q", "-b", "main");
      // The checkout `lxm apply` runs in: the same commit, its own world.
      const checkout = join(d, "checkout");
      const cfg = join(d, "lxm-sync.yaml");
      writeFileSync(cfg, ["listen: 127.0.0.1:0", "data_dir: agent", "repositories:", `  - url: ${server.url("infra.git")}`, "    interval: 1h", "    drift: off", ""].join("\n"));
      const config = loadSyncConfig(cfg, {});
      const agent = new Agent({ config, env: {}, log: () => undefined });
      await agent.open();
      agent.start();
      await waitUntil(() => agent.status()[0]!.lastPoll !== null, 30_000, "the first poll");

      writeFileSync(join(author, "app.lxm"), simGoal(join(d, "agent-world.json"), OBJECTS, "v1"));
      git(author, "add", "-A");
      git(author, "commit", "-q", "-m", "goal");
      const goal = git(author, "rev-parse", "HEAD");
      const t = performance.now();
      git(author, "push", "-q", bare, "main");
      agent.trigger({ urls: [server.url("infra.git")], ref: "refs/heads/main" });
      // The agent's status says applied only once the snapshot's push returned.
      await waitUntil(() => agent.status()[0]!.applied === goal && agent.status()[0]!.lastSnapshot?.goal === goal, 120_000, "the snapshot on the remote");
      const ms = performance.now() - t;
      await agent.stop();
      if (!git(bare, "--git-dir", bare, "log", "-1", "--format=%B", "refs/heads/lexum/state").includes(`Lexum-Source: ${goal}`)) throw new Error("the remote's state branch does not record the goal");

      git(d, "clone", "-q", bare, checkout);
      writeFileSync(join(checkout, "app.lxm"), simGoal(join(d, "cli-world.json"), OBJECTS, "v1"));
      git(checkout, "commit", "-q", "-am", "goal");
      const cli = await timedApply(checkout);
      if (rep > 0) {
        agentMs.push(ms);
        applyMs.push(cli);
      }
    } finally {
      await server.close();
    }
  }
  const ratio = median(agentMs) / median(applyMs);
  console.log(`push → snapshot: a ${OBJECTS}-object goal pushed to a watched repository, until its snapshot is on the remote (median of ${REPS})`);
  console.log(`  agent: ${median(agentMs).toFixed(0)} ms; lxm apply --yes in a checkout: ${median(applyMs).toFixed(0)} ms; ratio ${ratio.toFixed(2)}x (target <= 2x) ${ratio <= 2 ? "OK" : "MISSED"}`);
  return { pushToSnapshotMs: Math.round(median(agentMs)), lxmApplyMs: Math.round(median(applyMs)), pushRatio: Number(ratio.toFixed(2)) };
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  ensureSchemas();
  const dir = mkdtempSync(join(tmpdir(), "lexum-bench-sync-"));
  try {
    const a = await idle(dir);
    const b = await pushToSnapshot(dir);
    console.log(JSON.stringify({ bench: "sync", repos: REPOS, cycles: CYCLES, objects: OBJECTS, ...a, ...b }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
