/**
 * Benchmark: lxm-sync replicas sharing repositories through PostgreSQL leases, idle (no git,
 * no applies: only the coordination).
 *
 * 1,000 repositories, 3 replicas (`Replica`, src/sync/coordination/replica.ts), each with its
 * own `postgresCoordination` (its own pool), in a fresh database of a real PostgreSQL server
 * (test/postgres-server.ts). TTL 3 s, so that the run stays under a minute: times are printed
 * as multiples of the TTL.
 * 1. Idle statements: once every lease is held, the statements over 3 TTLs, counted by the
 *    server (pg_stat_database.xact_commit of the bench's database: an autocommit statement is
 *    one transaction) and by wrapping each replica's Coordination. Baseline: what renewing each
 *    lease on its own would cost, one statement per repository per renewal interval (TTL / 3).
 * 2. Balance: the unexpired leases per replica in the leases table, max / min.
 * 3. Reassignment: one replica stops ticking without giving its leases up (what a SIGKILL
 *    leaves), right after a tick (its leases then as fresh as they get: the longest wait);
 *    the time until a survivor holds each of its repositories unexpired (the table polled
 *    every 50 ms), and the survivors' balance then.
 * Throughout, every 50 ms, each replica's own view (`lease(repo)`, read in one synchronous
 * pass, so at one instant): no repository may be held by two replicas. A breach is printed
 * and fails the run.
 *
 * Targets: < 10 statements/s idle · max / min ≤ 1.2 · reassignment ≤ 1 TTL + one renewal
 * interval (1.34 TTL) · survivors' max / min ≤ 1.2.
 */
import { pathToFileURL } from "node:url";
import { postgresCoordination } from "../src/sync/coordination/postgres.js";
import { Replica } from "../src/sync/coordination/replica.js";
import type { Coordination, Lease, Member } from "../src/sync/coordination/types.js";
import { startPostgres } from "../test/postgres-server.js";
import type { PostgresServer } from "../test/postgres-server.js";

const REPOS = 1000;
const IDS = ["replica-a", "replica-b", "replica-c"];
const TTL_MS = 3000;
const WINDOW_TTLS = 3;
const DB = "lexum_bench_sync_replicas";
const REPOSITORIES = Array.from({ length: REPOS }, (_, i) => `http://git.example/r${String(i + 1).padStart(4, "0")}.git#main:.`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ttls = (ms: number) => `${(ms / TTL_MS).toFixed(2)} TTL (${Math.round(ms)} ms)`;

/** A Coordination that counts its statements (every method is one, but migrate and close). */
class Counted implements Coordination {
  statements = 0;
  constructor(private readonly c: Coordination) {}
  migrate(): Promise<void> {
    return this.c.migrate();
  }
  heartbeat(member: { readonly id: string; readonly address: string }): Promise<void> {
    this.statements++;
    return this.c.heartbeat(member);
  }
  members(): Promise<Member[]> {
    this.statements++;
    return this.c.members();
  }
  acquire(repository: string, owner: string): Promise<Lease | null> {
    this.statements++;
    return this.c.acquire(repository, owner);
  }
  acquireAll(repositories: readonly string[], owner: string): Promise<Lease[]> {
    if (repositories.length > 0) this.statements++; // an empty list sends nothing
    return this.c.acquireAll(repositories, owner);
  }
  holds(repository: string, owner: string, epoch: number): Promise<boolean> {
    this.statements++;
    return this.c.holds(repository, owner, epoch);
  }
  release(repository: string, owner: string, epoch: number): Promise<void> {
    this.statements++;
    return this.c.release(repository, owner, epoch);
  }
  leases(): Promise<Lease[]> {
    this.statements++;
    return this.c.leases();
  }
  close(): Promise<void> {
    return this.c.close();
  }
}

/**
 * A replica ticked as `Replica.start()` ticks it (now, then an interval after each tick ends),
 * by a loop of the bench's own: `Replica.stop()` gives the leases up, and a killed process
 * does not, so `kill()` only stops the loop.
 */
class Ticked {
  readonly counted: Counted;
  readonly replica: Replica;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private killed: (() => void) | null = null;
  /** When each tick started (performance.now()) and the statements sent before it. */
  readonly ticks: { readonly at: number; readonly statements: number }[] = [];

  constructor(url: string, readonly id: string) {
    this.counted = new Counted(postgresCoordination({ url, ttlMs: TTL_MS }));
    this.replica = new Replica({ coordination: this.counted, id, address: `${id}:9464`, ttlMs: TTL_MS, repositories: REPOSITORIES });
  }

  start(): void {
    this.ticks.push({ at: performance.now(), statements: this.counted.statements });
    this.ticking = this.replica.tick().finally(() => {
      if (this.killed) this.killed();
      else this.timer = setTimeout(() => this.start(), this.replica.intervalMs);
    });
  }

  /** Stops ticking right after the next tick ends, releasing nothing; resolves then. */
  kill(): Promise<void> {
    return new Promise((resolve) => (this.killed = resolve));
  }

  /** Stops for good: the loop, then the replica (which releases its leases), then its pool. */
  async stop(): Promise<void> {
    this.killed ??= () => undefined;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await this.replica.stop();
    await this.counted.close();
  }
}

/** Unexpired leases per owner, from the server's table. */
async function owners(server: PostgresServer): Promise<Map<string, number>> {
  const rows = await server.psql("SELECT owner, count(*)::int AS n FROM lexum_sync_leases WHERE expires_at > now() GROUP BY owner ORDER BY owner", DB);
  return new Map(rows.map((r) => [String(r["owner"]), Number(r["n"])]));
}

async function xactCommit(server: PostgresServer): Promise<number> {
  // Read from another database, so that reading adds nothing to the bench database's count.
  return Number((await server.psql("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", "postgres", [DB]))[0]!["xact_commit"]);
}

/**
 * Statements per second from the ticks that started in [from, to]: whole ticks only, since
 * a window holds a varying number of them (8 or 9 in 3 TTLs).
 */
function tickRate(r: Ticked, from: number, to: number): number {
  const inside = r.ticks.filter((t) => t.at >= from && t.at <= to);
  const first = inside[0]!;
  const last = inside[inside.length - 1]!;
  return ((last.statements - first.statements) / (last.at - first.at)) * 1000;
}

function spread(counts: Map<string, number>, ids: readonly string[]): { text: string; ratio: number } {
  const ns = ids.map((id) => counts.get(id) ?? 0);
  return { text: ids.map((id, i) => `${id} ${ns[i]}`).join(", "), ratio: Math.max(...ns) / Math.min(...ns) };
}

async function waitUntil(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = performance.now() + ms;
  while (!(await pred())) {
    if (performance.now() > until) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  const server = await startPostgres();
  await server.psql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await server.psql(`CREATE DATABASE ${DB}`);
  const url = new URL(server.url);
  url.pathname = `/${DB}`;
  const replicas = IDS.map((id) => new Ticked(url.toString(), id));

  // Every 50 ms: each replica's own view at one instant (one synchronous pass); never two holders.
  let samples = 0;
  let breach: string | null = null;
  const checker = setInterval(() => {
    samples++;
    for (const repo of REPOSITORIES) {
      const holders = replicas.filter((r) => r.replica.lease(repo) !== null).map((r) => r.id);
      if (holders.length > 1) breach ??= `${repo} held by ${holders.join(" and ")} at once (sample ${samples})`;
    }
  }, 50);

  try {
    for (const r of replicas) await r.counted.migrate();
    const t0 = performance.now();
    for (const r of replicas) r.start();
    const settled = () =>
      replicas.every((r) => {
        const s = r.replica.status();
        return s.error === null && s.members.length === IDS.length && s.leases.length === s.assigned.length;
      }) && replicas.reduce((n, r) => n + r.replica.status().leases.length, 0) === REPOS;
    await waitUntil(settled, 10 * TTL_MS, "every lease held");
    const settledMs = performance.now() - t0;
    const startupStatements = replicas.reduce((n, r) => n + r.counted.statements, 0);
    // One more TTL before the window: the start's releases out of it, the server's statistics flushed.
    await sleep(TTL_MS);

    // 1. Idle statements over the window, as the clients sent them (whole ticks) and as the
    // server committed them (the window as it falls: within a tick per replica, and the
    // server's statistics flushed up to a second late).
    const before = { server: await xactCommit(server), at: performance.now() };
    await sleep(WINDOW_TTLS * TTL_MS);
    const after = { server: await xactCommit(server), at: performance.now() };
    const seconds = (after.at - before.at) / 1000;
    const perReplica = replicas.map((r) => tickRate(r, before.at, after.at));
    const clientRate = perReplica.reduce((a, b) => a + b, 0);
    const serverRate = (after.server - before.server) / seconds;
    const baseline = REPOS / (Math.floor(TTL_MS / 3) / 1000);
    const rate = Math.max(clientRate, serverRate);

    // 2. Balance, from the server's table.
    const balance = spread(await owners(server), IDS);

    // 3. Reassignment after one replica dies.
    const dead = replicas[replicas.length - 1]!;
    const survivors = replicas.filter((r) => r !== dead);
    const orphans = (await server.psql("SELECT repository FROM lexum_sync_leases WHERE owner = $1 AND expires_at > now()", DB, [dead.id])).map((r) => String(r["repository"]));
    await dead.kill();
    const killedAt = performance.now();
    await waitUntil(
      async () => {
        const rows = await server.psql("SELECT count(*)::int AS n FROM lexum_sync_leases WHERE repository = ANY($1) AND owner <> $2 AND expires_at > now()", DB, [orphans, dead.id]);
        return Number(rows[0]!["n"]) === orphans.length;
      },
      5 * TTL_MS,
      "the dead replica's repositories held by the survivors",
    );
    const reassignMs = performance.now() - killedAt;
    const left = spread(await owners(server), survivors.map((r) => r.id));
    const reassignTarget = TTL_MS + Math.floor(TTL_MS / 3);
    clearInterval(checker);

    console.log(`${REPOS} repositories, ${IDS.length} replicas (a pool each), TTL ${TTL_MS} ms, renewal every ${Math.floor(TTL_MS / 3)} ms; every lease held ${ttls(settledMs)} after the start (${startupStatements} statements)`);
    console.log(`idle, ${seconds.toFixed(1)} s (${WINDOW_TTLS} TTLs) with every lease held:`);
    console.log(`  statements/s: ${clientRate.toFixed(2)} sent (${perReplica.map((x) => x.toFixed(2)).join(" / ")} per replica), ${serverRate.toFixed(2)} committed by the server (over the window); ${(rate / baseline).toFixed(4)}x one statement per repository per renewal (${baseline} /s) (target < 10 /s) ${rate < 10 ? "OK" : "MISSED"}`);
    console.log(`  leases per replica: ${balance.text}; max / min ${balance.ratio.toFixed(2)} (target <= 1.2) ${balance.ratio <= 1.2 ? "OK" : "MISSED"}`);
    console.log(`${dead.id} killed (stops ticking, releases nothing) holding ${orphans.length} leases:`);
    console.log(`  all held by the survivors after ${ttls(reassignMs)} (target <= 1 TTL + one renewal = ${ttls(reassignTarget)}) ${reassignMs <= reassignTarget ? "OK" : "MISSED"}`);
    console.log(`  survivors' leases: ${left.text}; max / min ${left.ratio.toFixed(2)} (target <= 1.2) ${left.ratio <= 1.2 ? "OK" : "MISSED"}`);
    console.log(`  one holder per repository in every replica's own view, ${samples} samples 50 ms apart: ${breach === null ? "OK" : `BROKEN: ${breach}`}`);
    if (breach !== null) process.exitCode = 1;
    console.log(
      JSON.stringify({
        bench: "sync-replicas",
        repos: REPOS,
        replicas: IDS.length,
        ttlMs: TTL_MS,
        statementsPerSecond: Number(clientRate.toFixed(2)),
        serverStatementsPerSecond: Number(serverRate.toFixed(2)),
        statementsRatio: Number((rate / baseline).toFixed(4)),
        balance: Number(balance.ratio.toFixed(2)),
        reassignTtl: Number((reassignMs / TTL_MS).toFixed(2)),
        survivorsBalance: Number(left.ratio.toFixed(2)),
        settledTtl: Number((settledMs / TTL_MS).toFixed(2)),
        doubleHeld: breach !== null,
      }),
    );
  } finally {
    clearInterval(checker);
    for (const r of replicas) await r.stop().catch(() => undefined);
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
