import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaseTrailers } from "../../src/sync/fence.js";
import { startGitHttpServer } from "../git/http-backend.js";
import type { GitHttpServer } from "../git/http-backend.js";
import { startPostgres } from "../postgres-server.js";
import type { PostgresServer } from "../postgres-server.js";
import { cleanupBuild, cleanupScratch, simGoal, spawnAgent, tempDir, waitFor } from "./harness.js";
import type { AgentProcess } from "./harness.js";

/**
 * Replicas of lxm-sync against everything that can go wrong at once, bounded in time: three
 * replicas (child processes) share 30 repositories served by git http-backend on 127.0.0.1
 * while commits keep arriving; one is SIGKILLed, one SIGSTOPped past its lease's TTL and
 * resumed, PostgreSQL is stopped for longer than the TTL and started again, and a fourth
 * replica joins. What happened is then counted from the remotes alone (state branches, their
 * snapshots' trailers, the fence refs) and from the leases table sampled throughout.
 */

const run = promisify(execFile);
const N = 30;
const TTL_MS = 3000;
const INTERVAL_MS = TTL_MS / 3;
const SAMPLE_MS = 100;
/** What the measurement adds: a sample every 100 ms, each a query of its own. */
const SLACK_MS = 500;
const DB = "lexum_chaos";
const STATE = "refs/heads/lexum/state";
const FENCE = "refs/lexum/fence/lexum/state";

let pg: PostgresServer;
let git: GitHttpServer;
let dbUrl: string;
const bares: string[] = [];
const worlds: string[] = [];
const entries: string[] = [];
const agents = new Map<string, AgentProcess>();
/** The author keeps pushing goal commits while this is true. */
let pushing = false;

async function gitIn(bare: string, args: string[], input?: string): Promise<string> {
  const p = run("git", ["--git-dir", bare, ...args], { env: { ...process.env, GIT_AUTHOR_NAME: "Chaos", GIT_AUTHOR_EMAIL: "chaos@lexum.invalid", GIT_COMMITTER_NAME: "Chaos", GIT_COMMITTER_EMAIL: "chaos@lexum.invalid" } });
  if (input !== undefined) p.child.stdin!.end(input);
  return (await p).stdout.trim();
}

/** A new goal commit on repository i's main (the author's push), made with plumbing in the bare repository. */
async function pushGoal(i: number, replicas: number): Promise<string> {
  const bare = bares[i]!;
  const blob = await gitIn(bare, ["hash-object", "-w", "--stdin"], simGoal(worlds[i]!, { n: 1, replicas, latency: 150 }));
  const tree = await gitIn(bare, ["mktree"], `100644 blob ${blob}\tapp.lxm\n`);
  const parent = await gitIn(bare, ["rev-parse", "--verify", "-q", "refs/heads/main"]).catch(() => "");
  const commit = await gitIn(bare, ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", `goal ${replicas}`]);
  await gitIn(bare, ["update-ref", "refs/heads/main", commit, ...(parent ? [parent] : [])]);
  return commit;
}

function config(id: string): string {
  const dir = tempDir(`lexum-chaos-${id}-`);
  const lines = ["listen: 127.0.0.1:0", "data_dir: data", "repositories:"];
  for (let i = 0; i < N; i++) lines.push(`  - url: ${git.url(`r${i}.git`)}`, "    interval: 1s", "    drift: off");
  lines.push("coordination:", "  url_env: SYNC_DB", "  ttl: 3s", `  replica_id: ${id}`);
  const file = join(dir, "lxm-sync.yaml");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

function start(id: string): AgentProcess {
  const p = spawnAgent(["--config", config(id)], { SYNC_DB: dbUrl });
  agents.set(id, p);
  return p;
}

/** The leases table as the test samples it: who holds each repository now (null: nobody, or an expired lease); empty before the first replica made it. */
async function holders(): Promise<Map<string, string | null>> {
  const exists = await pg.psql("SELECT to_regclass('lexum_sync_leases') IS NOT NULL AS made", DB);
  if (exists[0]!["made"] !== true) return new Map();
  const rows = await pg.psql("SELECT repository, owner, epoch, expires_at > now() AS live FROM lexum_sync_leases", DB);
  return new Map(rows.map((r) => [String(r["repository"]), r["live"] === true ? String(r["owner"]) : null] as const));
}

beforeAll(async () => {
  pg = await startPostgres({ own: true });
  await pg.psql(`CREATE DATABASE ${DB}`);
  const u = new URL(pg.url);
  u.pathname = `/${DB}`;
  dbUrl = u.toString();
  git = await startGitHttpServer({ root: tempDir("lexum-chaos-remotes-") });
  const worldDir = tempDir("lexum-chaos-worlds-");
  mkdirSync(worldDir, { recursive: true });
  for (let i = 0; i < N; i++) {
    bares.push(git.createBareRepo(`r${i}.git`));
    worlds.push(join(worldDir, `w${i}.json`));
    entries.push(`${git.url(`r${i}.git`)}#main:.`);
    await pushGoal(i, 1);
  }
}, 120_000);

afterAll(async () => {
  pushing = false;
  for (const p of agents.values()) {
    p.child.kill("SIGCONT");
    p.child.kill("SIGKILL");
  }
  await git?.close();
  await pg?.stop();
  cleanupBuild();
  cleanupScratch();
});

describe("lxm-sync replicas under chaos (3 replicas, 30 repositories, a real PostgreSQL)", () => {
  it("applies every goal commit once, never pushes under a stale epoch, leaves no repository unowned past TTL + one interval, and converges", async () => {
    /** Replicas the test counts as able to work: a killed or stopped one is not. */
    const live = new Set<string>();
    /** Per repository: since when it has had no live holder (null: it has one). */
    const unowned = new Map<string, number>();
    const gaps: { repo: string; ms: number; phase: string; from: string; to: string }[] = [];
    /** The longest time between two samples (a stalled sampler would hide ownership and lengthen gaps). */
    let longestSampleMs = 0;
    let longestSamplePhase = "";
    let phase = "start";
    let dbDown = false;
    let sampling = true;
    /** One look at the leases table: gaps close for repositories a live replica holds, open for the others. */
    const sample = async (): Promise<void> => {
      if (dbDown) return;
      try {
        const asked = performance.now();
        const h = await holders();
        const t = performance.now();
        if (!dbDown && phase !== "start" && t - asked > longestSampleMs) {
          longestSampleMs = t - asked;
          longestSamplePhase = phase;
        }
        for (const repo of entries) {
          const owner = h.get(repo) ?? null;
          const owned = owner !== null && live.has(owner);
          const since = unowned.get(repo);
          if (!owned && since === undefined) unowned.set(repo, t);
          if (owned && since !== undefined) {
            unowned.delete(repo);
            if (phase !== "start") gaps.push({ repo, ms: t - since, phase, from: new Date(Date.now() - (t - since)).toISOString(), to: new Date().toISOString() });
          }
        }
      } catch {
        // the server is going down: the phase sets dbDown
      }
    };
    const sampler = (async () => {
      while (sampling) {
        await sample();
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
      }
    })();
    pushing = true;
    const pushed: number[] = Array(N).fill(1);
    const pusher = (async () => {
      for (let k = 0; pushing; k++) {
        const i = (k * 7) % N;
        pushed[i]! += 1;
        await pushGoal(i, pushed[i]!).catch((e: unknown) => {
          if (pushing) throw e;
        });
        await new Promise((r) => setTimeout(r, 120));
      }
    })();

    const log = (id: string) => agents.get(id)!.lines;
    for (const id of ["r1", "r2", "r3"]) {
      start(id);
      live.add(id);
    }
    await waitFor("every repository held by a replica", async () => {
      const h = await holders();
      return entries.every((r) => h.get(r) != null);
    }, 60_000);
    await waitFor("every repository applied once", async () => {
      for (const b of bares) if ((await gitIn(b, ["rev-parse", "--verify", "-q", STATE]).catch(() => "")) === "") return false;
      return true;
    }, 120_000);

    // SIGKILL one replica: its repositories are taken over once its heartbeat and leases expire.
    await sample();
    phase = "kill";
    const killed = agents.get("r1")!;
    live.delete("r1");
    killed.child.kill("SIGKILL");
    await killed.exited;
    await waitFor("r1's repositories taken over", async () => [...(await holders()).values()].every((o) => o !== null && o !== "r1"), 30_000);

    // SIGSTOP one past its TTL, then SIGCONT: it must notice it lost its leases and not push under them.
    await sample();
    phase = "stop";
    const paused = agents.get("r2")!;
    live.delete("r2");
    paused.child.kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, 2 * TTL_MS));
    const seenBefore = paused.lines.length;
    paused.child.kill("SIGCONT");
    live.add("r2");
    await waitFor("r2 holding repositories again", async () => [...(await holders()).values()].includes("r2"), 30_000);
    const woke = paused.lines.slice(seenBefore).map((l) => l["event"]);
    expect(woke).toContain("lease.lost");

    // PostgreSQL stopped for longer than the TTL, then started again.
    phase = "database";
    dbDown = true;
    await pg.halt!();
    await new Promise((r) => setTimeout(r, 2 * TTL_MS));
    await pg.resume!();
    for (const k of unowned.keys()) unowned.set(k, performance.now()); // unowned counts from the server's return
    dbDown = false;
    await waitFor("every repository held again after the database came back", async () => {
      const h = await holders();
      return entries.every((r) => h.get(r) != null);
    }, 30_000);
    for (const id of ["r2", "r3"]) expect(log(id).map((l) => l["event"])).toContain("coordination.failed");

    // A fourth replica joins and gets its share.
    phase = "join";
    start("r4");
    live.add("r4");
    await waitFor("r4 holding repositories", async () => [...(await holders()).values()].filter((o) => o === "r4").length >= 3, 30_000);

    // Stop pushing; everything converges on the last goal.
    pushing = false;
    await pusher;
    phase = "converge";
    const tips = await Promise.all(bares.map((b) => gitIn(b, ["rev-parse", "refs/heads/main"])));
    await waitFor("all converged", async () => {
      for (let i = 0; i < N; i++) {
        const tip = await gitIn(bares[i]!, ["rev-parse", "--verify", "-q", STATE]).catch(() => "");
        if (tip === "") return false;
        const snap = JSON.parse(await gitIn(bares[i]!, ["show", `${tip}:snapshot.json`])) as { status: string; source: { commit: string } };
        if (snap.source.commit !== tips[i] || snap.status !== "quiescent") return false;
      }
      return true;
    }, 120_000);
    sampling = false;
    await sampler;

    // Counted from the remotes.
    let snapshots = 0;
    let takeovers = 0;
    for (let i = 0; i < N; i++) {
      const bare = bares[i]!;
      const goals = (await gitIn(bare, ["rev-list", "--first-parent", "--reverse", "refs/heads/main"])).split("\n");
      const position = new Map(goals.map((g, n) => [g, n] as const));
      const states = (await gitIn(bare, ["rev-list", "--first-parent", "--reverse", STATE])).split("\n");
      let lastGoal = -1;
      let lastEpoch = 0;
      const recorded = new Set<string>();
      const epochsPushed = new Set<string>();
      for (const oid of states) {
        const lease = leaseTrailers(await gitIn(bare, ["log", "-1", "--format=%B", oid]));
        const snap = JSON.parse(await gitIn(bare, ["show", `${oid}:snapshot.json`])) as { status: string; kind?: string; source: { commit: string } };
        // Every snapshot written under a lease, epochs never going back: no stale push.
        expect(lease, `r${i} ${oid}`).not.toBeNull();
        expect(lease!.epoch, `r${i} ${oid}: epoch ${lease!.epoch} after ${lastEpoch}`).toBeGreaterThanOrEqual(lastEpoch);
        lastEpoch = lease!.epoch;
        epochsPushed.add(`${lease!.epoch}/${lease!.replica}`);
        // Each goal recorded once, in the branch's order (a goal passed over only for a newer one).
        const at = position.get(snap.source.commit);
        expect(at, `r${i}: ${snap.source.commit} is a goal commit`).toBeDefined();
        expect(recorded.has(snap.source.commit), `r${i}: ${snap.source.commit} recorded twice`).toBe(false);
        expect(at!, `r${i}: goal ${snap.source.commit} recorded after a newer one`).toBeGreaterThan(lastGoal);
        expect(snap.status).toBe("quiescent");
        recorded.add(snap.source.commit);
        lastGoal = at!;
        snapshots++;
      }
      expect(lastGoal).toBe(goals.length - 1);
      // The fence: epochs never going back, and every snapshot's lease took it.
      const fence = (await gitIn(bare, ["log", "--reverse", "--format=%(trailers:key=Lexum-Epoch,valueonly,separator=)/%(trailers:key=Lexum-Replica,valueonly,separator=)", FENCE])).split("\n");
      const fenceEpochs = fence.map((f) => Number(f.split("/")[0]));
      for (let n = 1; n < fenceEpochs.length; n++) expect(fenceEpochs[n]!).toBeGreaterThanOrEqual(fenceEpochs[n - 1]!);
      for (const e of epochsPushed) expect(fence).toContain(e);
      takeovers += new Set(fence).size;
    }
    const maxGap = Math.max(...gaps.map((g) => g.ms));
    if (process.env["LXM_CHAOS_LOGS"]) {
      // For a look at what happened: every replica's log and the gaps, in a folder named by the variable.
      mkdirSync(process.env["LXM_CHAOS_LOGS"], { recursive: true });
      for (const [id, p] of agents) writeFileSync(join(process.env["LXM_CHAOS_LOGS"], `${id}.jsonl`), p.lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
      writeFileSync(join(process.env["LXM_CHAOS_LOGS"], "gaps.json"), JSON.stringify(gaps.sort((a, b) => b.ms - a.ms).slice(0, 40), null, 1));
    }
    console.log(
      `chaos: ${snapshots} snapshots over ${N} repositories, ${pushed.reduce((a, b) => a + b, 0)} goal commits, ${takeovers} leases fenced; ` +
        `longest sample ${Math.round(longestSampleMs)} ms (${longestSamplePhase}); longest unowned ${Math.round(maxGap)} ms (TTL ${TTL_MS} ms + interval ${INTERVAL_MS} ms), by phase ${JSON.stringify(Object.fromEntries(["kill", "stop", "database", "join", "converge"].map((p) => [p, Math.round(Math.max(0, ...gaps.filter((g) => g.phase === p).map((g) => g.ms)))])))}`,
    );
    expect(gaps.length).toBeGreaterThan(0);
    expect(maxGap).toBeLessThanOrEqual(TTL_MS + INTERVAL_MS + SLACK_MS);
    // Every live replica ends holding its share; the killed one holds nothing.
    const h = await holders();
    const end = [...h.values()];
    for (const id of ["r2", "r3", "r4"]) expect(end.filter((o) => o === id).length).toBeGreaterThan(0);
    expect(end.filter((o) => o === "r1")).toEqual([]);

    // What an operator sees: lxm-sync members, and a replica's /status and /metrics.
    const members = spawnAgent(["members", "--config", config("r4"), "--json"], { SYNC_DB: dbUrl });
    expect(await members.exited).toBe(0);
    const listed = JSON.parse(members.lines.map((l) => (l as { unparsed?: string }).unparsed ?? JSON.stringify(l)).join("\n")) as {
      ttlSeconds: number;
      members: { id: string; repositories: { repo: string; lease: { owner: string; epoch: number } | null }[] }[];
    };
    expect(listed.ttlSeconds).toBe(3);
    expect(listed.members.map((m) => m.id)).toEqual(["r2", "r3", "r4"]);
    expect(listed.members.flatMap((m) => m.repositories.map((r) => r.repo)).sort()).toEqual([...entries].sort());
    for (const m of listed.members) for (const r of m.repositories) expect(r.lease?.owner).toBe(m.id);
    const started = agents.get("r4")!.lines.find((l) => l["event"] === "agent.started")!;
    const base = `http://${String(started["listen"])}`;
    const status = (await (await fetch(`${base}/status`)).json()) as { repositories: { repo: string; phase: string; lease: { held: boolean; epoch: number | null } }[]; replica: { id: string; members: { id: string }[]; leases: { repo: string; epoch: number }[] } };
    const mine = entries.filter((r) => h.get(r) === "r4");
    expect(status.replica.id).toBe("r4");
    expect(status.replica.members.map((m) => m.id)).toEqual(["r2", "r3", "r4"]);
    expect(status.replica.leases.map((l) => l.repo).sort()).toEqual([...mine].sort());
    expect(status.repositories.filter((r) => r.lease.held).map((r) => r.repo).sort()).toEqual([...mine].sort());
    for (const r of status.repositories) if (!r.lease.held) expect(r.phase).toBe("standby");
    const ready = await waitFor("r4 ready", async () => {
      const r = await fetch(`${base}/readyz`);
      return r.status === 200 ? r : null;
    }, 10_000).catch(async () => fetch(`${base}/readyz`));
    expect(ready.status, await ready.clone().text()).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`lexum_owned_repos ${mine.length}\n`);
    for (const r of mine) expect(metrics).toContain(`lexum_lease_held{repo="${r}"} 1\n`);
    expect(Number(/^lexum_lease_takeovers_total (\d+)$/m.exec(metrics)![1])).toBeGreaterThanOrEqual(mine.length);
  }, 420_000);

  it("--once with coordination: takes the leases it is given, reconciles those entries once under them, and gives them back", async () => {
    await pg.psql("CREATE DATABASE lexum_once");
    const bare = git.createBareRepo("once.git");
    const world = join(tempDir(), "world.json");
    bares.push(bare);
    worlds.push(world);
    const goal = await pushGoal(bares.length - 1, 2);
    const dir = tempDir();
    const file = join(dir, "lxm-sync.yaml");
    writeFileSync(file, `listen: 127.0.0.1:0\ndata_dir: data\nrepositories:\n  - url: ${git.url("once.git")}\ncoordination:\n  url_env: SYNC_DB\n  ttl: 3s\n  replica_id: solo\n`);
    const u = new URL(dbUrl);
    u.pathname = "/lexum_once";
    const p = spawnAgent(["--config", file, "--once"], { SYNC_DB: u.toString() });
    expect(await p.exited).toBe(0);
    const tip = await gitIn(bare, ["rev-parse", STATE]);
    expect(JSON.parse(await gitIn(bare, ["show", `${tip}:snapshot.json`])).source.commit).toBe(goal);
    expect(leaseTrailers(await gitIn(bare, ["log", "-1", "--format=%B", tip]))).toEqual({ epoch: 1, replica: "solo" });
    const leases = await pg.psql("SELECT owner, epoch, expires_at <= now() AS released FROM lexum_sync_leases", "lexum_once");
    expect(leases).toEqual([{ owner: "solo", epoch: "1", released: true }]);
  });

  it("refuses to start when the coordination database cannot be reached (LXM7014), without showing the connection string", async () => {
    const p = spawnAgent(["--config", config("r9")], { SYNC_DB: "postgres://lxm:hunter2-secret@127.0.0.1:1/lexum" });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/^error\[LXM7014\]: cannot create or migrate the coordination tables: .+\n  hint: /);
    expect(p.stderr()).not.toContain("hunter2-secret");
    const members = spawnAgent(["members", "--config", config("r9")], { SYNC_DB: "postgres://lxm:hunter2-secret@127.0.0.1:1/lexum" });
    expect(await members.exited).toBe(1);
    expect(members.stderr()).toMatch(/^error\[LXM7014\]: cannot read the replicas: /);
    expect(members.stderr()).not.toContain("hunter2-secret");
    const plain = join(tempDir(), "lxm-sync.yaml");
    writeFileSync(plain, `data_dir: data\nrepositories:\n  - url: ${git.url("r0.git")}\n`);
    const without = spawnAgent(["members", "--config", plain]);
    expect(await without.exited).toBe(1);
    expect(without.stderr()).toMatch(/^error\[LXM7013\]: lxm-sync members needs a coordination section in the configuration\n  hint: usage: lxm-sync --config/);
  });
});
