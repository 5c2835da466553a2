import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresCoordination } from "../../src/sync/coordination/postgres.js";
import { Replica } from "../../src/sync/coordination/replica.js";
import type { LeaseEvent } from "../../src/sync/coordination/replica.js";
import type { Coordination } from "../../src/sync/coordination/types.js";
import { startPostgres } from "../postgres-server.js";
import type { PostgresServer } from "../postgres-server.js";

/** Replicas against a real PostgreSQL server, each ticked by the test (no timers). */

let server: PostgresServer;
const open: Coordination[] = [];
const db = "lexum_replica_test";
const REPOS = Array.from({ length: 30 }, (_, i) => `http://git.example/r${String(i).padStart(2, "0")}.git#main:.`);

beforeAll(async () => {
  server = await startPostgres();
  await server.psql(`DROP DATABASE IF EXISTS ${db}`);
  await server.psql(`CREATE DATABASE ${db}`);
}, 60_000);
afterAll(async () => {
  for (const c of open) await c.close();
  await server?.psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  await server?.stop();
});

async function fresh(): Promise<void> {
  await server.psql("DROP TABLE IF EXISTS lexum_sync_members, lexum_sync_leases, lexum_sync_schema", db);
}

interface TestReplica {
  readonly replica: Replica;
  readonly events: LeaseEvent[];
  /** The replica's monotonic clock, moved by the test. */
  clock: number;
  busy: Set<string>;
}

function replica(id: string, ttlMs: number, repositories = REPOS): TestReplica {
  const url = new URL(server.url);
  url.pathname = `/${db}`;
  const coordination = postgresCoordination({ url: url.toString(), ttlMs });
  open.push(coordination);
  const t: TestReplica = {
    events: [],
    clock: 0,
    busy: new Set(),
    replica: undefined as unknown as Replica,
  };
  (t as { replica: Replica }).replica = new Replica({ coordination, id, address: `${id}:9464`, ttlMs, repositories, busy: (r) => t.busy.has(r), onLease: (e) => t.events.push(e), clock: () => t.clock });
  return t;
}

const held = (t: TestReplica) => REPOS.filter((r) => t.replica.lease(r) !== null);

describe("replicas sharing repositories through leases (a real PostgreSQL server)", () => {
  it("spreads the repositories over the live replicas, each held by exactly one", async () => {
    await fresh();
    const all = [replica("a", 60_000), replica("b", 60_000), replica("c", 60_000)];
    await postgresCoordinationMigrate();
    for (const t of all) await t.replica.tick();
    // The first ticks saw fewer members: a second round settles the assignment.
    for (const t of all) await t.replica.tick();
    for (const t of all) await t.replica.tick();
    const sets = all.map(held);
    expect(sets.flat().sort()).toEqual([...REPOS].sort());
    for (const s of sets) expect(s.length).toBeGreaterThan(0);
    for (const t of all) expect(t.replica.status().assigned).toEqual(held(t));
    const leases = await server.psql("SELECT repository, owner, epoch FROM lexum_sync_leases ORDER BY repository", db);
    expect(leases).toHaveLength(30);
    for (const l of leases) expect(all.find((t) => t.replica.lease(String(l["repository"])) !== null)!.replica.id).toBe(l["owner"]);
  });

  it("takes over a dead replica's repositories once its heartbeat and leases expire, at a new epoch", async () => {
    await fresh();
    const [a, b] = [replica("a", 3000), replica("b", 3000)];
    await postgresCoordinationMigrate();
    for (let i = 0; i < 2; i++) for (const t of [a, b]) await t.replica.tick();
    const fromB = held(b);
    expect(fromB.length).toBeGreaterThan(0);
    const epochs = new Map(fromB.map((r) => [r, b.replica.lease(r)!.epoch] as const));
    // b stops ticking (killed). Before the TTL passes on the server, a takes none of b's.
    const seen = a.events.length;
    await a.replica.tick();
    expect(held(a).filter((r) => fromB.includes(r))).toEqual([]);
    // a keeps renewing its own (every third of the TTL, as start() would); b's expire.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1100));
      await a.replica.tick();
    }
    expect(held(a)).toEqual(REPOS);
    for (const r of fromB) expect(a.replica.lease(r)!.epoch).toBe(epochs.get(r)! + 1);
    expect(a.events.slice(seen).filter((e) => e.type === "taken").map((e) => e.repo).sort()).toEqual([...fromB].sort());
  }, 20_000);

  it("stops trusting a lease by its own clock once the TTL has passed since the renewal was sent (a paused process)", async () => {
    await fresh();
    const a = replica("a", 60_000, REPOS.slice(0, 3));
    await postgresCoordinationMigrate();
    // The first tick after a start only heartbeats: the others' heartbeats come in before it takes anything.
    await a.replica.tick();
    expect(held(a)).toEqual([]);
    await a.replica.tick();
    expect(held(a)).toEqual(REPOS.slice(0, 3));
    a.clock += 53_999;
    expect(a.replica.lease(REPOS[0]!)).not.toBeNull();
    a.clock += 1; // 0.9 TTL after the renewal was sent
    expect(a.replica.lease(REPOS[0]!)).toBeNull();
    expect(a.events.filter((e) => e.type === "lost").map((e) => e.repo)).toEqual([REPOS[0]]);
    // The server still says it holds them (its clock has not reached the expiry): confirm() asks both.
    expect(await a.replica.confirm(REPOS[0]!, 1)).toBe(false);
    expect(await a.replica.confirm(REPOS[1]!, 0)).toBe(false);
    // Its next tick takes the leases again at a new epoch, never the one it gave up (records
    // written under it are dropped, not pushed).
    await a.replica.tick();
    expect(REPOS.slice(0, 3).map((r) => a.replica.lease(r)?.epoch)).toEqual([2, 2, 2]);
    expect(await a.replica.confirm(REPOS[0]!, 2)).toBe(true);
  });

  it("hands repositories to a replica that joins, once no work on them is in flight", async () => {
    await fresh();
    const [a, b] = [replica("a", 60_000), replica("b", 60_000)];
    await postgresCoordinationMigrate();
    for (let i = 0; i < 2; i++) for (const t of [a, b]) await t.replica.tick();
    const before = new Map(REPOS.map((r) => [r, a.replica.lease(r) ? "a" : "b"] as const));
    const c = replica("c", 60_000);
    await c.replica.tick(); // heartbeat: c is a member now; its repositories are still held by a and b
    expect(held(c)).toEqual([]);
    const toC = c.replica.status().assigned;
    expect(toC.length).toBeGreaterThan(0);
    // One of them is being applied by its holder: it keeps the lease (renewed) until that ends.
    const inFlight = toC[0]!;
    const holder = before.get(inFlight) === "a" ? a : b;
    holder.busy.add(inFlight);
    for (const t of [a, b]) await t.replica.tick();
    await c.replica.tick();
    expect(held(c)).toEqual(toC.filter((r) => r !== inFlight));
    expect(holder.replica.lease(inFlight)).not.toBeNull();
    holder.busy.delete(inFlight);
    await holder.replica.tick();
    await c.replica.tick();
    expect(held(c)).toEqual(toC);
    // A join moves only what the newcomer gets.
    for (const r of REPOS) if (!toC.includes(r)) expect((a.replica.lease(r) ? "a" : "b")).toBe(before.get(r));
  });

  it("gives every lease up on stop, so that the others take them at their next tick", async () => {
    await fresh();
    const [a, b] = [replica("a", 60_000), replica("b", 60_000)];
    await postgresCoordinationMigrate();
    for (let i = 0; i < 2; i++) for (const t of [a, b]) await t.replica.tick();
    const fromB = held(b);
    await b.replica.stop();
    expect(b.events.filter((e) => e.type === "released").map((e) => e.repo).sort()).toEqual([...fromB].sort());
    // b's heartbeat is still fresh: rendezvous keeps its repositories apart until it expires. The
    // leases are free now though: a replica that is assigned them takes them at once.
    await server.psql("UPDATE lexum_sync_members SET last_seen = now() - interval '2 minutes' WHERE id = 'b'", db);
    await a.replica.tick();
    expect(held(a)).toEqual(REPOS);
  });
});

async function postgresCoordinationMigrate(): Promise<void> {
  await open[open.length - 1]!.migrate();
}
