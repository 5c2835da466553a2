import pg from "pg";
import type { CallContext } from "../types.js";
import { sendCancel } from "./cancel.js";
import { aborted, toProviderError } from "./errors.js";
import type { PostgresSettings } from "./settings.js";

/** One row of a result, columns by name. */
export type Row = Record<string, unknown>;
/** Runs one statement (parameters bound by the server) and returns its rows. */
export type Query = (sql: string, params?: readonly unknown[]) => Promise<Row[]>;

/** How long an aborted call waits for the server to confirm the cancel before dropping the connection. */
const CANCEL_GRACE_MS = 1000;

/** The pg client's connection internals an abort needs (node-postgres sets them; not in its types). */
interface BackendKey {
  processID?: number | null;
  secretKey?: number | null;
  connection?: { stream?: { destroy(): void } };
}

/**
 * The provider instance's connections: one pool per database (cluster-wide objects use the
 * configured database; schemas, extensions and grants the database they live in), closed by
 * `close()`. Every call takes one connection for its duration; an aborted call cancels its
 * statement on the server (a CancelRequest, as libpq does), drops the connection (so an open
 * transaction rolls back) and rejects with a retryable `timeout`. A connection a call failed
 * on is never reused.
 */
export class Connections {
  private readonly pools = new Map<string, pg.Pool>();
  /** With sslmode "prefer": whether the server speaks TLS, found by the first connection. */
  private preferred: Promise<pg.ClientConfig["ssl"]> | undefined;
  private closed = false;

  constructor(readonly settings: PostgresSettings) {}

  /** `host:port`, for messages (never the user or password). */
  get where(): string {
    return `${this.settings.host}:${this.settings.port}`;
  }

  private base(database: string): pg.ClientConfig {
    const s = this.settings;
    return {
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      database,
      application_name: "lexum",
      connectionTimeoutMillis: s.connectTimeoutMs,
    };
  }

  private async ssl(): Promise<pg.ClientConfig["ssl"]> {
    const s = this.settings;
    const ca = s.sslrootcert?.pem;
    switch (s.sslmode) {
      case "disable":
        return false;
      case "require":
        return { rejectUnauthorized: false };
      case "verify-ca":
        // The chain is checked, the host name is not (libpq's verify-ca).
        return { rejectUnauthorized: true, ...(ca !== undefined ? { ca } : {}), checkServerIdentity: () => undefined };
      case "verify-full":
        return { rejectUnauthorized: true, ...(ca !== undefined ? { ca } : {}) };
      case "prefer":
        this.preferred ??= this.probeTls();
        return this.preferred;
    }
  }

  /** sslmode "prefer": TLS when the server offers it, plain otherwise (node-postgres cannot fall back by itself). */
  private async probeTls(): Promise<pg.ClientConfig["ssl"]> {
    const probe = new pg.Client({ ...this.base(this.settings.database), ssl: { rejectUnauthorized: false } });
    try {
      await probe.connect();
      return { rejectUnauthorized: false };
    } catch (err) {
      if (err instanceof Error && /does not support SSL/i.test(err.message)) return false;
      this.preferred = undefined; // not settled: the next call probes again
      throw err;
    } finally {
      await probe.end().catch(() => undefined);
    }
  }

  private async pool(database: string): Promise<pg.Pool> {
    const hit = this.pools.get(database);
    if (hit) return hit;
    const ssl = await this.ssl();
    const again = this.pools.get(database);
    if (again) return again;
    const pool = new pg.Pool({ ...this.base(database), ssl, max: this.settings.maxConnections, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    // An idle connection the server ended (a dropped database, a restart) leaves the pool; the next call opens another.
    pool.on("error", () => undefined);
    this.pools.set(database, pool);
    return pool;
  }

  /**
   * Runs `fn` on one connection to `database`. `what` names the operation in errors
   * (`create role "app"`). Failures become ProviderErrors (toProviderError); an abort of
   * `ctx.signal` stops it (see the class comment).
   */
  async run<T>(database: string, what: string, ctx: CallContext, fn: (q: Query) => Promise<T>): Promise<T> {
    if (this.closed) throw toProviderError(what, this.where, new Error("the provider was closed"));
    const signal = ctx.signal;
    if (signal.aborted) throw aborted(what);
    let stop = false;
    let client: (pg.PoolClient & BackendKey) | undefined;
    let onAbort: () => void = () => undefined;
    const abortion = new Promise<never>((_, reject) => {
      onAbort = () => {
        stop = true;
        reject(aborted(what));
      };
    });
    abortion.catch(() => undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    const work = (async () => {
      const pool = await this.pool(database);
      const c = (await pool.connect()) as pg.PoolClient & BackendKey;
      let failure: Error | undefined;
      // A connection lost while checked out also fails its query; without a listener its
      // 'error' event would be thrown at the process.
      const lost = (err: Error) => (failure ??= err);
      c.on("error", lost);
      try {
        client = c;
        if (stop) throw aborted(what);
        const q: Query = async (sql, params) => {
          // No new statement once aborted: a cancel only reaches a statement that is running.
          if (stop) throw aborted(what);
          return (await c.query(sql, params as unknown[] | undefined)).rows as Row[];
        };
        return await fn(q);
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
        throw err;
      } finally {
        // A connection that failed or was aborted is closed, never handed to the next call.
        c.off("error", lost);
        c.release(failure ?? (stop ? new Error("aborted") : undefined));
      }
    })();
    work.catch(() => undefined);
    try {
      return await Promise.race([work, abortion]);
    } catch (err) {
      if (!stop) throw toProviderError(what, this.where, err);
      const c = client;
      if (c && typeof c.processID === "number" && typeof c.secretKey === "number") {
        await sendCancel(this.settings.host, this.settings.port, c.processID, c.secretKey);
        const settled = await Promise.race([work.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), CANCEL_GRACE_MS))]);
        // Still running: end the connection under it (an open transaction then rolls back).
        if (!settled) c.connection?.stream?.destroy();
      }
      throw aborted(what);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** `run` inside one transaction: committed when `fn` returns, rolled back when it throws. */
  async tx<T>(database: string, what: string, ctx: CallContext, fn: (q: Query) => Promise<T>): Promise<T> {
    return this.run(database, what, ctx, async (q) => {
      await q("BEGIN");
      const result = await fn(q);
      await q("COMMIT");
      return result;
      // On a throw the connection is closed (run never reuses it), which rolls back.
    });
  }

  /** Closes this instance's connections to `database` (before dropping it). */
  async endPool(database: string): Promise<void> {
    const pool = this.pools.get(database);
    if (!pool) return;
    this.pools.delete(database);
    await pool.end();
  }

  /** Closes every pool; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.end().catch(() => undefined)));
  }
}
