import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A real PostgreSQL server for tests. `startPostgres()` uses the server named by
 * `LXM_TEST_POSTGRES_URL` when that is set (a superuser's URL; test files using it take turns,
 * and what each created is dropped when it stops); otherwise it starts a throwaway cluster
 * with the machine's PostgreSQL installation: a fresh `initdb` in a temporary folder, the
 * server listening on a free loopback port only, fast unsafe settings (fsync off), the
 * folder removed by `stop()`. Run as root (as in containers), the server runs as the
 * `postgres` OS user, since PostgreSQL refuses to run as root. With neither an installation
 * nor the variable it throws, saying what to install: tests that need a server fail rather
 * than skip.
 */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** A superuser. */
  readonly user: string;
  /** Its password (the throwaway cluster requires one over TCP: scram-sha-256). */
  readonly password?: string;
  /** `postgres://user:password@host:port/postgres` (holds the password: never print it). */
  readonly url: string;
  /** Where it came from: the environment's server or a cluster started here. */
  readonly source: "env" | "cluster";
  /** `server_version_num`, e.g. 150018. */
  readonly versionNum: number;
  /** Milliseconds from the call to a server accepting connections. */
  readonly startMs: number;
  /** Runs SQL as the superuser in `db` (default "postgres") on a connection of its own, outside any code under test; returns the rows. */
  psql(sql: string, db?: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Whether `user` logs in with `password` over TCP (to the "postgres" database). */
  canLogin(user: string, password: string): Promise<boolean>;
  /** A throwaway cluster only: stops the server (fast shutdown), keeping its data, and starts it again on the same port. */
  halt?(): Promise<void>;
  resume?(): Promise<void>;
  /** Stops the server and removes its folder (env server: drops the roles and databases created since start). Idempotent. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder (holding initdb and postgres), or null. */
export function findPostgresBin(): string | null {
  const candidates: { dir: string; version: number[] }[] = [];
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    for (const v of readdirSync(debian)) {
      const dir = join(debian, v, "bin");
      if (/^\d+(\.\d+)?$/.test(v) && existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) candidates.push({ dir, version: v.split(".").map(Number) });
    }
  }
  candidates.sort((a, b) => compareVersions(b.version, a.version));
  if (candidates.length > 0) return candidates[0]!.dir;
  // Elsewhere (Fedora, Homebrew, source builds): pg_config on PATH knows its bin folder.
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) return dir;
  } catch {
    // no pg_config
  }
  return null;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Starts (or, with LXM_TEST_POSTGRES_URL, borrows) a PostgreSQL server. See PostgresServer.
 * `own`: always a throwaway cluster (a test that stops and starts the server).
 */
export async function startPostgres(opts: { own?: boolean } = {}): Promise<PostgresServer> {
  const url = process.env["LXM_TEST_POSTGRES_URL"];
  if (url && !opts.own) return borrowServer(url);
  const bin = findPostgresBin();
  if (bin === null) {
    throw new Error(
      "no PostgreSQL installation found for the tests that need a real server: install PostgreSQL " +
        "(Debian/Ubuntu: apt-get install postgresql; it provides /usr/lib/postgresql/<version>/bin/initdb), " +
        "or set LXM_TEST_POSTGRES_URL to a superuser's postgres:// URL of a server the tests may use",
    );
  }
  return startCluster(bin);
}

/** The OS user the server runs as: the current one, or `postgres` when running as root. */
function serverUser(): { uid: number; gid: number; wrap: (cmd: string, args: string[]) => [string, string[]] } | null {
  if (process.getuid?.() !== 0) return null;
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  } catch {
    throw new Error("running as root, and PostgreSQL refuses to run as root: the throwaway test cluster needs a `postgres` OS user (the postgresql package creates it)");
  }
  // setpriv drops to that user; --pdeathsig ends the server if this process dies without stopping it.
  return { uid, gid, wrap: (cmd, args) => ["setpriv", ["--reuid", String(uid), "--regid", String(gid), "--init-groups", "--pdeathsig", "KILL", "--", cmd, ...args]] };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const live = new Set<() => void>();
let exitHook = false;
function onExit(kill: () => void): void {
  live.add(kill);
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const k of live) k();
    });
  }
}

async function startCluster(bin: string): Promise<PostgresServer> {
  const t0 = performance.now();
  const as = serverUser();
  const wrap = as ? as.wrap : (cmd: string, args: string[]): [string, string[]] => [cmd, args];
  const dir = mkdtempSync(join(tmpdir(), "lexum-pg-"));
  const cleanDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (as) chownSync(dir, as.uid, as.gid);
    const password = randomBytes(12).toString("hex");
    const pwfile = join(dir, "pw");
    writeFileSync(pwfile, password + "\n", { mode: 0o600 });
    if (as) chownSync(pwfile, as.uid, as.gid);
    const data = join(dir, "data");
    const [initCmd, initArgs] = wrap(join(bin, "initdb"), [
      "-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
      "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
    ]);
    execFileSync(initCmd, initArgs, { stdio: ["ignore", "pipe", "pipe"] });
    rmSync(pwfile);
    const launch = async (port: number, log: string): Promise<{ ready: string; child: ChildProcess; exited: Promise<number | null> }> => {
      const [cmd, args] = wrap(join(bin, "postgres"), [
        "-D", data, "-p", String(port), "-k", dir,
        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        "-c", "max_connections=200", "-c", "shared_buffers=16MB", "-c", "logging_collector=off", "-c", "log_min_messages=warning",
      ]);
      const fd = openSync(log, "w");
      const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], detached: false });
      closeSync(fd);
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      return { ready: await waitReady(port, password, child, exited), child, exited };
    };
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const log = join(dir, `server-${attempt}.log`);
      // child and exited change with resume()
      let { ready, child, exited } = await launch(port, log);
      if (ready === "ready") {
        const kill = () => {
          try {
            child.kill("SIGKILL");
          } catch {
            // already gone
          }
          cleanDir();
        };
        onExit(kill);
        const shutdown = async (signal: NodeJS.Signals) => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill(signal);
            const t = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(t);
          }
        };
        const versionNum = Number((await query(clientConfig("127.0.0.1", port, "postgres", password, "postgres"), "SHOW server_version_num"))[0]!["server_version_num"]);
        return server({
          host: "127.0.0.1",
          port,
          user: "postgres",
          password,
          source: "cluster",
          versionNum,
          startMs: performance.now() - t0,
          halt: () => shutdown("SIGINT"),
          resume: async () => {
            const again = await launch(port, join(dir, `server-${attempt}-resumed.log`));
            ({ child, exited } = again);
            if (again.ready !== "ready") throw new Error(`the throwaway PostgreSQL server did not start again on port ${port} (${again.ready})`);
          },
          stop: async () => {
            live.delete(kill);
            // Immediate shutdown: nothing here needs to survive.
            await shutdown("SIGQUIT");
            cleanDir();
          },
        });
      }
      const text = readFileSync(log, "utf8");
      if (attempt < 5 && /could not (bind|create listen socket)|Address already in use/.test(text)) continue; // the port was taken meanwhile
      throw new Error(`the throwaway PostgreSQL server (${bin}/postgres) did not start (${ready}):\n${text}`);
    }
  } catch (err) {
    cleanDir();
    throw err;
  }
}

/** Polls until the server accepts a real login, the process exits, or 30 s pass. */
async function waitReady(port: number, password: string, child: ChildProcess, exited: Promise<number | null>): Promise<string> {
  let gone: string | null = null;
  void exited.then((code) => (gone = `exited with code ${String(code)}`));
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (gone !== null) return gone;
    try {
      await query(clientConfig("127.0.0.1", port, "postgres", password, "postgres"), "SELECT 1");
      return "ready";
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  child.kill("SIGKILL");
  return "not ready after 30 s";
}

function clientConfig(host: string, port: number, user: string, password: string | undefined, database: string): pg.ClientConfig {
  return { host, port, user, password, database, connectionTimeoutMillis: 5000 };
}

async function query(config: pg.ClientConfig, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  const c = new pg.Client(config);
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

interface ServerParts {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  source: "env" | "cluster";
  versionNum: number;
  startMs: number;
  halt?(): Promise<void>;
  resume?(): Promise<void>;
  stop(): Promise<void>;
}

function server(p: ServerParts): PostgresServer {
  const clients = new Map<string, Promise<pg.Client>>();
  let stopped = false;
  const enc = encodeURIComponent;
  return {
    host: p.host,
    port: p.port,
    user: p.user,
    ...(p.password !== undefined ? { password: p.password } : {}),
    url: `postgres://${enc(p.user)}${p.password !== undefined ? `:${enc(p.password)}` : ""}@${p.host}:${p.port}/postgres`,
    source: p.source,
    versionNum: p.versionNum,
    startMs: p.startMs,
    ...(p.halt && p.resume
      ? {
          halt: async () => {
            // The test's own connections end with the server: forgotten, reopened after resume().
            clients.clear();
            await p.halt!();
          },
          resume: () => p.resume!(),
        }
      : {}),
    async psql(sql, db = "postgres", params) {
      let c = clients.get(db);
      if (!c) {
        c = (async () => {
          const client = new pg.Client(clientConfig(p.host, p.port, p.user, p.password, db));
          // A connection the server ended (a dropped database) is forgotten, not fatal.
          client.on("error", () => clients.delete(db));
          client.on("end", () => clients.delete(db));
          await client.connect();
          return client;
        })();
        clients.set(db, c);
        c.catch(() => clients.delete(db));
      }
      return ((await (await c).query(sql, params)).rows as Record<string, unknown>[]);
    },
    async canLogin(user, password) {
      const c = new pg.Client(clientConfig(p.host, p.port, user, password, "postgres"));
      try {
        await c.connect();
        return true;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(all.map((c) => c.then((x) => x.end()).catch(() => undefined)));
      await p.stop();
    },
  };
}

/**
 * The environment's server: one test file at a time holds it (a session advisory lock), and
 * the roles and databases that appear while it holds it are dropped when it stops.
 */
async function borrowServer(url: string): Promise<PostgresServer> {
  const t0 = performance.now();
  const u = new URL(url);
  const host = u.hostname;
  const port = Number(u.port || 5432);
  const user = decodeURIComponent(u.username);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const holder = new pg.Client(clientConfig(host, port, user, password, "postgres"));
  await holder.connect();
  await holder.query("SELECT pg_advisory_lock(7412640)");
  const names = async (sql: string) => new Set((await holder.query(sql)).rows.map((r: { n: string }) => r.n));
  const roles = await names("SELECT rolname AS n FROM pg_roles");
  const dbs = await names("SELECT datname AS n FROM pg_database");
  const versionNum = Number((await holder.query("SHOW server_version_num")).rows[0].server_version_num);
  return server({
    host,
    port,
    user,
    password,
    source: "env",
    versionNum,
    startMs: performance.now() - t0,
    async stop() {
      try {
        for (const n of [...(await names("SELECT datname AS n FROM pg_database"))].filter((n) => !dbs.has(n)).sort()) {
          await holder.query("UPDATE pg_database SET datistemplate = false WHERE datname = $1", [n]);
          await holder.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(n)} WITH (FORCE)`);
        }
        const extra = [...(await names("SELECT rolname AS n FROM pg_roles"))].filter((n) => !roles.has(n)).sort();
        if (extra.length > 0) {
          const list = extra.map((n) => pg.escapeIdentifier(n)).join(", ");
          for (const db of [...dbs].filter((d) => d !== "template0").sort()) {
            const c = new pg.Client(clientConfig(host, port, user, password, db));
            try {
              await c.connect();
              await c.query(`REASSIGN OWNED BY ${list} TO CURRENT_USER; DROP OWNED BY ${list}`);
            } catch {
              // a database that takes no connections holds nothing of theirs we can reach
            } finally {
              await c.end().catch(() => undefined);
            }
          }
          for (const n of extra) await holder.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(n)}`);
        }
      } finally {
        await holder.end();
      }
    },
  });
}
