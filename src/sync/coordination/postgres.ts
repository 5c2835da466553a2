import pg from "pg";
import type { Coordination, Lease, Member } from "./types.js";

/**
 * The PostgreSQL coordination backend (`pg`). Tables (schema version 1):
 * `lexum_sync_members(id, address, started, last_seen)` and
 * `lexum_sync_leases(repository, owner, epoch, expires_at)`; the version in
 * `lexum_sync_schema`. Every time is the server's `now()`.
 */

/** The schema's migrations, in order: migration i brings version i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE lexum_sync_members (
     id text PRIMARY KEY,
     address text NOT NULL,
     started timestamptz NOT NULL DEFAULT now(),
     last_seen timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE lexum_sync_leases (
     repository text PRIMARY KEY,
     owner text NOT NULL,
     epoch bigint NOT NULL CHECK (epoch >= 1),
     expires_at timestamptz NOT NULL
   );`,
];

/** The schema version this Lexum writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A lock key of its own (pg_advisory_xact_lock), so that replicas starting at once migrate one at a time. */
const MIGRATION_LOCK = 0x4c78_6d53; // "LxmS"

export interface PostgresOptions {
  /** A connection string (`postgres://…`); its password is never logged. */
  readonly url: string;
  /** How long a heartbeat keeps a replica alive and a lease held, in ms. */
  readonly ttlMs: number;
  /** Connections kept (default 2: a heartbeat and a lease statement at once). */
  readonly poolSize?: number;
}

export function postgresCoordination(opts: PostgresOptions): Coordination {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 2 });
  // A dropped connection is reported by the next statement, not as an unhandled event.
  pool.on("error", () => undefined);
  const ttl = `${Math.max(1, Math.round(opts.ttlMs))} milliseconds`;
  const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
  const lease = (row: Record<string, unknown>): Lease => ({ repository: String(row["repository"]), owner: String(row["owner"]), epoch: Number(row["epoch"]), expiresAt: iso(row["expires_at"]) });

  const acquireAll = async (repositories: readonly string[], owner: string): Promise<Lease[]> => {
    if (repositories.length === 0) return [];
    // One statement: insert a free lease, renew one's own unexpired lease (same epoch), or take
    // an expired one (epoch + 1); a lease another replica holds unexpired matches no row. Rows
    // are locked in one order (sorted, byte-wise) so that two replicas asking for overlapping
    // sets cannot deadlock.
    const r = await pool.query(
      `INSERT INTO lexum_sync_leases AS l (repository, owner, epoch, expires_at)
         SELECT r, $2, 1, now() + $3::interval FROM (SELECT DISTINCT unnest($1::text[]) AS r) AS wanted ORDER BY r COLLATE "C"
       ON CONFLICT (repository) DO UPDATE
         SET owner = EXCLUDED.owner,
             epoch = CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > now() THEN l.epoch ELSE l.epoch + 1 END,
             expires_at = EXCLUDED.expires_at
         WHERE (l.owner = EXCLUDED.owner AND l.expires_at > now()) OR l.expires_at <= now()
       RETURNING repository, owner, epoch, expires_at`,
      [repositories, owner, ttl],
    );
    return (r.rows as Record<string, unknown>[]).map(lease).sort((a, b) => (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0));
  };

  return {
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        await client.query("CREATE TABLE IF NOT EXISTS lexum_sync_schema (version integer NOT NULL)");
        const rows = (await client.query("SELECT version FROM lexum_sync_schema")).rows as { version: number }[];
        const current = rows.length === 0 ? 0 : rows[0]!.version;
        if (current > SCHEMA_VERSION) throw new Error(`the coordination schema is at version ${current}, newer than this lxm-sync's ${SCHEMA_VERSION}: upgrade lxm-sync`);
        for (let v = current; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
        if (rows.length === 0) await client.query("INSERT INTO lexum_sync_schema (version) VALUES ($1)", [SCHEMA_VERSION]);
        else if (current !== SCHEMA_VERSION) await client.query("UPDATE lexum_sync_schema SET version = $1", [SCHEMA_VERSION]);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },

    async heartbeat(member) {
      // Rows of replicas gone for a day (or 100 TTLs) are dropped by the same statement.
      await pool.query(
        `WITH gone AS (DELETE FROM lexum_sync_members WHERE last_seen < now() - GREATEST(interval '1 day', 100 * $3::interval) AND id <> $1)
         INSERT INTO lexum_sync_members (id, address) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address, last_seen = now()`,
        [member.id, member.address, ttl],
      );
    },

    async members(): Promise<Member[]> {
      const r = await pool.query(`SELECT id, address, started, last_seen FROM lexum_sync_members WHERE last_seen > now() - $1::interval ORDER BY id COLLATE "C"`, [ttl]);
      return (r.rows as Record<string, unknown>[]).map((row) => ({ id: String(row["id"]), address: String(row["address"]), started: iso(row["started"]), lastSeen: iso(row["last_seen"]) }));
    },

    async acquire(repository, owner) {
      return (await acquireAll([repository], owner))[0] ?? null;
    },

    acquireAll,

    async holds(repository, owner, epoch) {
      const r = await pool.query(`SELECT 1 FROM lexum_sync_leases WHERE repository = $1 AND owner = $2 AND epoch = $3 AND expires_at > now()`, [repository, owner, epoch]);
      return r.rows.length === 1;
    },

    async release(repository, owner, epoch) {
      await pool.query(`UPDATE lexum_sync_leases SET expires_at = now() WHERE repository = $1 AND owner = $2 AND epoch = $3 AND expires_at > now()`, [repository, owner, epoch]);
    },

    async leases() {
      const r = await pool.query(`SELECT repository, owner, epoch, expires_at FROM lexum_sync_leases ORDER BY repository COLLATE "C"`);
      return (r.rows as Record<string, unknown>[]).map(lease);
    },

    async close() {
      await pool.end();
    },
  };
}
