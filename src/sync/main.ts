#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LexumError } from "../diag/diagnostic.js";
import { syncUsage } from "../diag/catalog/sync.js";
import { Agent } from "./agent.js";
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
    releaseLock = lockDataDir(config.dataDir);
    const logger = createLogger((line) => io.out(line), () => new Date());
    const log = (level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>) => logger(level, event, fields);
    const metrics = createMetrics();
    const agent = new Agent({ config, env, log, onEvent: (e) => metrics.observe(e) });
    await agent.open();
    if (args.once) {
      await agent.once();
      const failed = agent.status().filter((s) => s.lastError !== null);
      log(failed.length ? "error" : "info", "once.done", { repos: agent.status().map((s) => s.repo), failed: failed.map((s) => s.repo) });
      return failed.length ? 1 : 0;
    }
    const server = await startHttpServer({ host: config.listen.host, port: config.listen.port, agent, metrics, repositories: config.repositories, now: () => Date.now(), log: logger });
    log("info", "agent.started", { listen: `${server.host.includes(":") ? `[${server.host}]` : server.host}:${server.port}`, repos: agent.status().map((s) => s.repo), pid: process.pid });
    agent.start();
    const signal = await io.stopSignal;
    log("info", "agent.stopping", { signal });
    await agent.stop();
    await server.close();
    log("info", "agent.stopped", { signal });
    return 0;
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

type Args = { config: string; once: boolean } | { demo: string | null } | "help" | "version";

function parseArgs(argv: readonly string[]): Args {
  if (argv[0] === "demo") {
    const rest = argv.slice(1);
    if (rest.length === 0) return { demo: null };
    if (rest.length === 2 && rest[0] === "--dir" && rest[1] !== "") return { demo: rest[1]! };
    if (rest.includes("--help") || rest.includes("-h")) return "help";
    throw syncUsage.error(`lxm-sync demo takes only --dir DIR, not ${JSON.stringify(rest.join(" "))}`);
  }
  let config: string | null = null;
  let once = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") return "help";
    if (a === "--version") return "version";
    if (a === "--once") once = true;
    else if (a === "--config" || a === "-c") {
      const v = argv[++i];
      if (v === undefined || v === "") throw syncUsage.error("--config needs a file");
      config = v;
    } else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else throw syncUsage.error(`unknown argument ${JSON.stringify(a)}`);
  }
  if (config === null || config === "") throw syncUsage.error("--config FILE is required");
  return { config, once };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const HELP = `lxm-sync: watch git repositories, apply each new commit, push the snapshot to the state branch

Usage: lxm-sync --config lxm-sync.yaml [--once]
       lxm-sync demo [--dir DIR]

  demo            the whole GitOps loop on the embedded example, on loopback: a served
                  repository, this agent watching it, two pushes applied and recorded

  --config FILE   the agent's configuration (see docs/sync.md)
  --once          poll and reconcile every repository once, then exit (1 if any failed)
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
