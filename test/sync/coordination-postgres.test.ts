import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresCoordination, SCHEMA_VERSION } from "../../src/sync/coordination/postgres.js";
import type { Coordination } from "../../src/sync/coordination/types.js";
import { startPostgres } from "../postgres-server.js";
import type { PostgresServer } from "../postgres-server.js";

let server: PostgresServer;
const open: Coordination[] = [];
const db = "lexum_coordination_test";

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

function coordination(ttlMs = 60_000): Coordination {
  const url = new URL(server.url);
  url.pathname = `/${db}`;
  const c = postgresCoordination({ url: url.toString(), ttlMs });
  open.push(c);
  return c;
}

describe("PostgreSQL coordination (a real server)", () => {
  it("migrates once, idempotently, when several replicas start at the same time", async () => {
    const replicas = [coordination(), coordination(), coordination(), coordination(), coordination()];
    await Promise.all(replicas.map((r) => r.migrate()));
    await replicas[0]!.migrate();
    expect(await server.psql("SELECT version FROM lexum_sync_schema", db)).toEqual([{ version: SCHEMA_VERSION }]);
    expect((await server.psql("SELECT tablename FROM pg_tables WHERE tablename LIKE 'lexum_sync_%' ORDER BY tablename", db)).map((r) => r["tablename"])).toEqual([
      "lexum_sync_leases",
      "lexum_sync_members",
      "lexum_sync_schema",
    ]);
  });

  it("refuses a schema newer than it knows", async () => {
    const c = coordination();
    await server.psql(`UPDATE lexum_sync_schema SET version = ${SCHEMA_VERSION + 1}`, db);
    await expect(c.migrate()).rejects.toThrow(`the coordination schema is at version ${SCHEMA_VERSION + 1}, newer than this lxm-sync's ${SCHEMA_VERSION}`);
    await server.psql(`UPDATE lexum_sync_schema SET version = ${SCHEMA_VERSION}`, db);
  });

  it("counts a replica alive by the server's clock: a heartbeat older than the TTL is gone", async () => {
    const c = coordination();
    await c.heartbeat({ id: "replica-b", address: "10.0.0.2:9464" });
    await c.heartbeat({ id: "replica-a", address: "10.0.0.1:9464" });
    expect((await c.members()).map((m) => [m.id, m.address])).toEqual([
      ["replica-a", "10.0.0.1:9464"],
      ["replica-b", "10.0.0.2:9464"],
    ]);
    // Its last heartbeat two minutes ago on the server's clock (TTL 1 minute).
    await server.psql("UPDATE lexum_sync_members SET last_seen = now() - interval '2 minutes' WHERE id = 'replica-b'", db);
    expect((await c.members()).map((m) => m.id)).toEqual(["replica-a"]);
    await c.heartbeat({ id: "replica-b", address: "10.0.0.2:9464" });
    expect((await c.members()).map((m) => m.id)).toEqual(["replica-a", "replica-b"]);
  });

  it("leases: one holder at a time; renewals keep the epoch, every takeover increments it; a stale epoch no longer holds", async () => {
    const a = coordination();
    const b = coordination();
    const repo = "https://git.example.com/org/r.git#main:.";
    const first = await a.acquire(repo, "replica-a");
    expect(first).toMatchObject({ repository: repo, owner: "replica-a", epoch: 1 });
    expect(await b.acquire(repo, "replica-b")).toBeNull();
    expect(await a.acquire(repo, "replica-a")).toMatchObject({ owner: "replica-a", epoch: 1 });
    expect(await a.holds(repo, "replica-a", 1)).toBe(true);

    // replica-a paused past its lease: replica-b takes over with the next epoch.
    await server.psql("UPDATE lexum_sync_leases SET expires_at = now() - interval '1 second'", db);
    expect(await a.holds(repo, "replica-a", 1)).toBe(false);
    expect(await b.acquire(repo, "replica-b")).toMatchObject({ owner: "replica-b", epoch: 2 });
    // Woken up, replica-a no longer holds it at its epoch, and cannot take it back while replica-b holds it.
    expect(await a.holds(repo, "replica-a", 1)).toBe(false);
    expect(await a.acquire(repo, "replica-a")).toBeNull();
    expect(await b.holds(repo, "replica-b", 2)).toBe(true);

    // A release with a stale epoch does nothing; the holder's release frees it for the next epoch.
    await a.release(repo, "replica-a", 1);
    expect(await b.holds(repo, "replica-b", 2)).toBe(true);
    await b.release(repo, "replica-b", 2);
    expect(await b.holds(repo, "replica-b", 2)).toBe(false);
    expect(await a.acquire(repo, "replica-a")).toMatchObject({ owner: "replica-a", epoch: 3 });
    // The holder's own lease expired: taking it again is a takeover too (epoch + 1), so a paused holder never resumes on its old epoch.
    await server.psql("UPDATE lexum_sync_leases SET expires_at = now() - interval '1 second'", db);
    expect(await a.acquire(repo, "replica-a")).toMatchObject({ owner: "replica-a", epoch: 4 });
    expect((await a.leases()).map((l) => [l.repository, l.owner, l.epoch])).toEqual([[repo, "replica-a", 4]]);
  });

  it("never grants one lease twice when many replicas race for it", async () => {
    const replicas = Array.from({ length: 8 }, () => coordination());
    const repo = "race";
    for (let round = 0; round < 20; round++) {
      await server.psql("UPDATE lexum_sync_leases SET expires_at = now() - interval '1 second' WHERE repository = 'race'", db);
      const won = (await Promise.all(replicas.map((r, i) => r.acquire(repo, `replica-${i}`)))).filter((l) => l !== null);
      expect(won).toHaveLength(1);
      expect(won[0]!.epoch).toBe(round + 1);
    }
  });
});
