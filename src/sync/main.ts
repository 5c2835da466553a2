#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LexumError } from "../diag/diagnostic.js";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { coordinationUnavailable, syncUsage } from "../diag/catalog/sync.js";
import { Agent, entryName } from "./agent.js";
import type { SyncConfig } from "./config.js";
import { postgresCoordination } from "./coordination/postgres.js";
import { Replica } from "./coordination/replica.js";
import { ownerOf } from "./coordination/rendezvous.js";
import type { Coordination } from "./coordination/types.js";
import { loadSyncConfig } from "./config.js";
import { lockDataDir } from "./data-dir.js";
import { startHttpServer } from "./http.js";
import { createLogger } from "./log.js";
import { createMetrics } from "./metrics.js";

/**
 * `lxm-sync --config FILE [--once]`: the agent as a service. Starts when the configuration is
 * valid and its data_dir is its own; serves /healthz, /readyz, /metrics, /status and the
 * webhooks on `listen`; polls until SIGTERM or SIGINT, then finishes the work in flight
 * (an apply completes, is recorded and pushed) and exits 0. One JSON line per event on stdout;
 * a start-up error is one diagnostic on stderr and exit 1.
 */

export interface SyncIo {
  out(line: string): void;
  err(text: string): void;
  /** Resolves on the first SIGTERM or SIGINT (tests resolve it themselves). */
  readonly stopSignal: Promise<string>;
}

export async function runSync(argv: readonly string[], env: NodeJS.ProcessEnv, io: SyncIo): Promise<number> {
  let releaseLock: (() => void) | null = null;
  try {
    const args = parseArgs(argv);
    if (args === "help") {
      io.out(HELP);
      return 0;
    }
    if (args === "version") {
      io.out(`lxm-sync ${version()}`);
      return 0;
    }
    if ("demo" in args) {
      const { runDemo } = await import("./demo.js");
      return await runDemo(args.demo, { out: (t) => io.out(t.replace(/\n$/, "")) });
    }
    const config = loadSyncConfig(args.config, env);
    if ("members" in args) return await listMembers(config, args.json, io);
    releaseLock = lockDataDir(config.dataDir);
    const logger = createLogger((line) => io.out(line), () => new Date());
    const log = (level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>) => logger(level, event, fields);
    const metrics = createMetrics();
    let coordination: Coordination | null = null;
    let replica: Replica | null = null;
    let port = config.listen.port;
    if (config.coordination) {
      const c = config.coordination;
      coordination = postgresCoordination({ url: c.url, ttlMs: c.ttlMs });
      try {
        await coordination.migrate();
      } catch (e) {
        await coordination.close().catch(() => undefined);
        throw coordinationUnavailable.error("create or migrate the coordination tables", scrub(e, c.url));
      }
      const id = c.replicaId ?? `${hostname()}-${randomBytes(4).toString("hex")}`;
      replica = new Replica({
        coordination,
        id,
        address: () => c.address ?? `${hostname()}:${port}`,
        ttlMs: c.ttlMs,
        repositories: config.repositories.map(entryName),
        busy: (repo) => agent.busy(repo),
        onLease: (e) => agent.leaseChanged(e),
        log: (level, event, fields) => log(level, event, { replica: id, ...fields }),
      });
    }
    const agent: Agent = new Agent({ config, env, log, onEvent: (e) => metrics.observe(e), ...(replica ? { replica } : {}) });
    try {
      await agent.open();
      if (args.once) {
        // The first tick only heartbeats (see Replica.tick): the second takes the leases, which
        // the replica's loop then renews while the pass runs.
        if (replica) {
          for (let i = 0; i < 2; i++) await replica.tick();
          replica.start();
        }
        await agent.once();
        if (replica) await replica.stop();
        const failed = agent.status().filter((s) => s.lastError !== null);
        log(failed.length ? "error" : "info", "once.done", { repos: agent.status().map((s) => s.repo), failed: failed.map((s) => s.repo) });
        return failed.length ? 1 : 0;
      }
      const server = await startHttpServer({ host: config.listen.host, port: config.listen.port, agent, metrics, repositories: config.repositories, now: () => Date.now(), log: logger });
      port = server.port;
      log("info", "agent.started", { listen: `${server.host.includes(":") ? `[${server.host}]` : server.host}:${server.port}`, repos: agent.status().map((s) => s.repo), pid: process.pid, ...(replica ? { replica: replica.id } : {}) });
      replica?.start();
      agent.start();
      const signal = await io.stopSignal;
      log("info", "agent.stopping", { signal });
      await agent.stop();
      // Leases given up at once: the other replicas take them at their next tick, not a TTL later.
      await replica?.stop();
      await server.close();
      log("info", "agent.stopped", { signal });
      return 0;
    } finally {
      await coordination?.close().catch(() => undefined);
    }
  } catch (e) {
    if (e instanceof LexumError) {
      io.err(diagnosticLine(e));
      return 1;
    }
    io.err(`error[LXM4021]: internal error in lxm-sync: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  } finally {
    releaseLock?.();
  }
}

/** `file:line:col: error[CODE]: problem` (the location first, as every Lexum diagnostic), then the hint. */
export function diagnosticLine(e: LexumError): string {
  const m = /^(\S.*?:\d+:\d+): ([^]*)$/.exec(e.message);
  const head = m ? `${m[1]}: error[${e.code}]: ${m[2]}` : `error[${e.code}]: ${e.message}`;
  return `${head}\n${e.hint ? `  hint: ${e.hint}\n` : ""}`;
}

type Args = { config: string; once: boolean } | { config: string; members: true; json: boolean } | { demo: string | null } | "help" | "version";

function parseArgs(argv: readonly string[]): Args {
  if (argv[0] === "demo") {
    const rest = argv.slice(1);
    if (rest.length === 0) return { demo: null };
    if (rest.length === 2 && rest[0] === "--dir" && rest[1] !== "") return { demo: rest[1]! };
    if (rest.includes("--help") || rest.includes("-h")) return "help";
    throw syncUsage.error(`lxm-sync demo takes only --dir DIR, not ${JSON.stringify(rest.join(" "))}`);
  }
  const members = argv[0] === "members";
  let config: string | null = null;
  let once = false;
  let json = false;
  for (let i = members ? 1 : 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") return "help";
    if (a === "--version") return "version";
    if (a === "--once" && !members) once = true;
    else if (a === "--json" && members) json = true;
    else if (a === "--config" || a === "-c") {
      const v = argv[++i];
      if (v === undefined || v === "") throw syncUsage.error("--config needs a file");
      config = v;
    } else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else throw syncUsage.error(`unknown argument ${JSON.stringify(a)}`);
  }
  if (config === null || config === "") throw syncUsage.error("--config FILE is required");
  return members ? { config, members: true, json } : { config, once };
}

/**
 * `lxm-sync members --config FILE [--json]`: the live replicas (by their heartbeats, on the
 * database's clock), the repositories rendezvous gives each of them, and who holds each
 * repository's lease at which epoch. Reads only; changes nothing.
 */
async function listMembers(config: SyncConfig, json: boolean, io: SyncIo): Promise<number> {
  const c = config.coordination;
  if (!c) throw syncUsage.error("lxm-sync members needs a coordination section in the configuration");
  const coordination = postgresCoordination({ url: c.url, ttlMs: c.ttlMs, poolSize: 1 });
  try {
    let members, leases;
    try {
      members = await coordination.members();
      leases = new Map((await coordination.leases()).map((l) => [l.repository, l] as const));
    } catch (e) {
      throw coordinationUnavailable.error("read the replicas", scrub(e, c.url));
    }
    const ids = members.map((m) => m.id);
    const repos = config.repositories.map(entryName);
    const rows = members.map((m) => ({
      ...m,
      repositories: repos.filter((r) => ownerOf(r, ids) === m.id).map((r) => {
        const l = leases.get(r);
        return { repo: r, lease: l ? { owner: l.owner, epoch: l.epoch, expiresAt: l.expiresAt } : null };
      }),
    }));
    if (json) {
      io.out(JSON.stringify({ ttlSeconds: c.ttlMs / 1000, members: rows }, null, 2));
      return 0;
    }
    io.out(`${rows.length} live replica${rows.length === 1 ? "" : "s"} (ttl ${c.ttlMs / 1000}s), ${repos.length} repositor${repos.length === 1 ? "y" : "ies"}`);
    for (const m of rows) {
      io.out(`${m.id}  ${m.address}  started ${m.started}  last seen ${m.lastSeen}  ${m.repositories.length} assigned`);
      for (const r of m.repositories) {
        const l = r.lease;
        const held = l === null ? "no lease yet" : l.owner === m.id ? `lease epoch ${l.epoch} until ${l.expiresAt}` : `lease epoch ${l.epoch} held by ${l.owner} until ${l.expiresAt} (moving)`;
        io.out(`  ${r.repo}  ${held}`);
      }
    }
    return 0;
  } finally {
    await coordination.close().catch(() => undefined);
  }
}

/** A database error's message without the connection string's password. */
function scrub(e: unknown, url: string): string {
  let text = e instanceof Error ? e.message || String((e as { code?: unknown }).code ?? e.name) : String(e);
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // not a URL: nothing to hide
  }
  if (password.length >= 1) text = text.split(password).join("***");
  return text.split(url).join("postgres://***");
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const HELP = `lxm-sync: watch git repositories, apply each new commit, push the snapshot to the state branch

Usage: lxm-sync --config lxm-sync.yaml [--once]
       lxm-sync members --config lxm-sync.yaml [--json]
       lxm-sync demo [--dir DIR]

  demo            the whole GitOps loop on the embedded example, on loopback: a served
                  repository, this agent watching it, two pushes applied and recorded

  --config FILE   the agent's configuration (see docs/sync.md)
  members         the live replicas sharing the repositories (the coordination section),
                  the repositories each is assigned and their leases
  --once          poll and reconcile every repository once, then exit (1 if any failed)
  --json          (members) the same as JSON
  --version       print the version
  --help          this text

Serves on the configured listen address: /healthz, /readyz, /metrics, /status,
POST /hooks/github (HMAC-SHA256 signed), POST /hooks/poll.
SIGTERM or SIGINT: finish the work in flight, then exit 0.
`;

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const stopSignal = new Promise<string>((resolve) => {
    const on = (sig: string) => () => {
      resolve(sig);
      // A second signal while the work in flight finishes is only acknowledged: an apply
      // that is cut short would be recovered at the next start, but need not be.
      process.on(sig, () => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: "warn", event: "agent.signal-ignored", signal: sig, why: "finishing the work in flight" }) + "\n"));
    };
    process.once("SIGTERM", on("SIGTERM"));
    process.once("SIGINT", on("SIGINT"));
  });
  const io: SyncIo = { out: (line) => process.stdout.write(line.endsWith("\n") ? line : line + "\n"), err: (t) => process.stderr.write(t), stopSignal };
  runSync(process.argv.slice(2), process.env, io).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
