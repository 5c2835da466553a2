/**
 * The lxm-sync scenarios' world: a bare repository served over smart HTTP on 127.0.0.1 by
 * `git http-backend` (test/git/http-backend.ts), an author's clone that commits and pushes
 * with the real git CLI, and the agent — in this process (its Agent, HTTP server, metrics and
 * JSON log, as `lxm-sync` wires them) or as a real child process (for signals and SIGKILL).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readWorld } from "../../src/providers/sim/world.js";
import { Agent } from "../../src/sync/agent.js";
import { loadSyncConfig } from "../../src/sync/config.js";
import { startHttpServer } from "../../src/sync/http.js";
import { createLogger } from "../../src/sync/log.js";
import { createMetrics } from "../../src/sync/metrics.js";
import type { RepoStatus } from "../../src/sync/types.js";
import { buildCli } from "../e2e/cli-build.js";
import type { CliBuild } from "../e2e/cli-build.js";
import { git } from "../e2e/helpers.js";
import { startGitHttpServer } from "../git/http-backend.js";
import type { GitHttpServer } from "../git/http-backend.js";

const scratch: string[] = [];

export function tempDir(prefix = "lexum-sync-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
}

export function cleanupScratch(): void {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A served bare repository and an author's clone of it. */
export interface Remote {
  readonly server: GitHttpServer;
  readonly url: string;
  /** The bare repository's folder (read the remote's state branch with `git --git-dir`). */
  readonly bare: string;
  /** Writes files into the author's clone (null deletes), commits, pushes main; returns the commit id. */
  push(files: Record<string, string | null>, message: string): string;
  /** `git --git-dir <bare> <args>`. */
  remoteGit(...args: string[]): string;
  /** The remote's state branch tip, or null. */
  stateTip(branch?: string): string | null;
  /** The remote state branch's commits, newest first: oid, subject and the snapshot.json of each. */
  stateLog(branch?: string): { oid: string; subject: string; message: string; snapshot: Snapshotish }[];
  close(): Promise<void>;
}

export interface Snapshotish {
  status: string;
  kind?: string;
  source: { commit: string | null; path: string };
  failure: { reason?: string; message: string } | null;
  hash: string;
}

export async function startRemote(opts: { token?: string } = {}): Promise<Remote> {
  const root = tempDir("lexum-sync-remote-");
  const server = await startGitHttpServer({ root, ...(opts.token ? { token: opts.token } : {}) });
  const bare = server.createBareRepo("infra.git");
  const url = server.url("infra.git");
  const author = tempDir("lexum-sync-author-");
  git(author, "init", "-q", "-b", "main");
  let n = 0;
  const remoteGit = (...args: string[]) => git(bare, "--git-dir", bare, ...args);
  const remote: Remote = {
    server,
    url,
    bare,
    push(files, message) {
      for (const [p, c] of Object.entries(files)) {
        const abs = join(author, p);
        if (c === null) rmSync(abs, { force: true });
        else {
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, c);
        }
      }
      git(author, "add", "-A");
      // Distinct messages: the fixed clock would otherwise make two identical commits one.
      git(author, "commit", "-q", "--allow-empty", "-m", `${message} (${++n})`);
      // Pushed straight into the bare repository: the agent sees it through the server.
      git(author, "push", "-q", bare, "HEAD:refs/heads/main");
      return git(author, "rev-parse", "HEAD");
    },
    remoteGit,
    stateTip(branch = "lexum/state") {
      try {
        return remoteGit("rev-parse", "--verify", "-q", `refs/heads/${branch}`);
      } catch {
        return null;
      }
    },
    stateLog(branch = "lexum/state") {
      if (remote.stateTip(branch) === null) return [];
      const oids = remoteGit("rev-list", "--first-parent", `refs/heads/${branch}`).split("\n").filter(Boolean);
      return oids.map((oid) => {
        const message = remoteGit("log", "-1", "--format=%B", oid);
        return { oid, subject: message.split("\n")[0]!, message, snapshot: JSON.parse(remoteGit("show", `${oid}:snapshot.json`)) as Snapshotish };
      });
    },
    close: () => server.close(),
  };
  return remote;
}

/** A sim world file's objects (`<kind>/<name>` → record). */
export function readWorldFile(file: string): Record<string, { spec: unknown }> {
  // As the sim provider sees it: the file with its change log applied (a run in flight or
  // killed leaves its latest changes in the log).
  const w = readWorld(file);
  if (typeof w === "string") throw new Error(`sim world ${file}: ${w}`);
  return Object.fromEntries(w) as Record<string, { spec: unknown }>;
}

/** A goal with `n` sim objects in `world` (absolute), each call taking `latency` ms. */
export function simGoal(world: string, opts: { n?: number; latency?: number; replicas?: number; faults?: string } = {}): string {
  const n = opts.n ?? 2;
  const objects = Array.from({ length: n }, (_, i) => `  resource sim.object o${i} {\n    kind = "service"\n    name = "svc-${i}"\n    spec = { replicas = ${opts.replicas ?? 1} }\n  }\n`).join("");
  return `domain app {\n  provider sim {\n    world = ${JSON.stringify(world)}\n    latency = ${opts.latency ?? 0}${opts.faults ? `\n    faults = ${opts.faults}` : ""}\n  }\n${objects}}\n`;
}

/** Writes an lxm-sync.yaml; returns its path. */
export function writeConfig(dir: string, repos: Record<string, string | number>[], top: Record<string, string | number> = {}): string {
  const lines = [`listen: ${top.listen ?? "127.0.0.1:0"}`, `data_dir: ${top.data_dir ?? "data"}`];
  for (const [k, v] of Object.entries(top)) if (k !== "listen" && k !== "data_dir") lines.push(`${k}: ${v}`);
  lines.push("repositories:");
  for (const r of repos) {
    const [first, ...rest] = Object.entries(r);
    lines.push(`  - ${first![0]}: ${first![1]}`);
    for (const [k, v] of rest) lines.push(`    ${k}: ${v}`);
  }
  const file = join(dir, "lxm-sync.yaml");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** The agent in this process, wired as `lxm-sync` wires it. */
export interface InProcessAgent {
  readonly agent: Agent;
  readonly base: string;
  readonly logs: Record<string, unknown>[];
  status(i?: number): RepoStatus;
  metricsText(): Promise<string>;
  stop(): Promise<void>;
}

export async function startAgent(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<InProcessAgent> {
  const config = loadSyncConfig(configFile, env);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger((line) => logs.push(JSON.parse(line) as Record<string, unknown>), () => new Date());
  const metrics = createMetrics();
  const agent = new Agent({ config, env, log: (level, event, fields) => logger(level, event, fields), onEvent: (e) => metrics.observe(e) });
  await agent.open();
  const server = await startHttpServer({ host: config.listen.host, port: config.listen.port, agent, metrics, repositories: config.repositories, now: () => Date.now(), log: logger });
  agent.start();
  let stopped = false;
  return {
    agent,
    base: `http://${server.host}:${server.port}`,
    logs,
    status: (i = 0) => agent.status()[i]!,
    metricsText: () => metrics.text(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await agent.stop();
      await server.close();
    },
  };
}

let built: CliBuild | null = null;

/** The `lxm-sync` entry transpiled for child processes (built once per test file). */
export function syncMain(): string {
  built ??= buildCli("src/sync/main.ts");
  return join(dirname(built.main), "../sync/main.js");
}

export function cleanupBuild(): void {
  built?.cleanup();
  built = null;
}

/** `lxm-sync` as a child process: its JSON log lines as they arrive, its exit. */
export interface AgentProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  stderr(): string;
  exited: Promise<number | null>;
}

export function spawnAgent(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): AgentProcess {
  const child = spawn(process.execPath, [syncMain(), ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let buf = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => {
    buf += c.toString("utf8");
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ unparsed: line });
      }
    }
  });
  child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
  // "close", not "exit": the child's output may still be on its way when it has exited.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, lines, stderr: () => err, exited };
}

/** Waits until `pred` holds (checked every 50 ms); throws with `what` after `ms`. */
export async function waitFor<T>(what: string, pred: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
