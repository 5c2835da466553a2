import pg from "pg";
import { describe, expect, it } from "vitest";
import { LexumError } from "../../../src/diag/diagnostic.js";
import { classifyState, toProviderError } from "../../../src/providers/postgres/errors.js";
import { resolvePostgresSettings } from "../../../src/providers/postgres/settings.js";
import { ProviderError } from "../../../src/providers/types.js";
import { ctx, forward, providerError, useServer } from "./fixture.js";

const f = useServer();
const R = "postgres.role";

/** A port on 127.0.0.1 nothing listens on (a server that is stopped). */
async function deadPort(): Promise<number> {
  const fwd = await forward("127.0.0.1", 9);
  await fwd.cut();
  return fwd.port;
}

describe("postgres errors: reasons, retryability, SQLSTATE", () => {
  it("classifies SQLSTATEs: server and race conditions retryable, the request's own mistakes not", () => {
    const table: [string, string, boolean][] = [
      ["53300", "postgres.unavailable", true],
      ["57P03", "postgres.unavailable", true],
      ["08006", "postgres.unavailable", true],
      ["08001", "postgres.unavailable", true],
      ["40001", "postgres.conflict", true],
      ["40P01", "postgres.conflict", true],
      ["42501", "postgres.permission_denied", false],
      ["42602", "postgres.invalid_name", false],
      ["42622", "postgres.invalid_name", false],
      ["55006", "postgres.in_use", false],
      ["2BP01", "postgres.dependent_objects", false],
      ["42704", "postgres.undefined", false],
      ["28P01", "postgres.auth_failed", false],
      ["XX000", "postgres.sql", false],
    ];
    for (const [state, reason, retryable] of table) expect([state, classifyState(state)]).toEqual([state, { reason, retryable }]);
    const e = toProviderError("create role \"a\"", "h:1", Object.assign(new Error("deadlock detected"), { code: "40P01", detail: "Process 1 waits for ShareLock" }));
    expect(e).toMatchObject({ code: "postgres.conflict", retryable: true, message: 'postgres: create role "a": deadlock detected (Process 1 waits for ShareLock) (SQLSTATE 40P01)' });
    expect(toProviderError("x", "h:1", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toMatchObject({ code: "postgres.unavailable", retryable: true });
  });

  it("a server that is not running: retryable, naming host and port", async () => {
    const port = await deadPort();
    const p = f.provider(f.config({ port }));
    const err = await providerError(p.read(R, { name: "x" }, ctx), "postgres.unavailable");
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain("ECONNREFUSED");
  });

  it("a server that goes away under a live pool: retryable; and back again, the next call works", async () => {
    const fwd = await forward(f.srv.host, f.srv.port);
    const p = f.provider(f.config({ port: fwd.port }));
    await p.create(R, { name: "e_gone" }, ctx);
    await fwd.cut();
    const err = await providerError(p.read(R, { name: "e_gone" }, ctx), "postgres.unavailable");
    expect(err.retryable).toBe(true);
    if (f.srv.password !== undefined) expect(err.message).not.toContain(f.srv.password);
    await fwd.resume();
    expect(await p.read(R, { name: "e_gone" }, ctx)).toMatchObject({ name: "e_gone" });
    await fwd.cut();
  });

  it("permission denied for a role that is not a superuser: not retryable, with the SQLSTATE", async () => {
    await f.srv.psql("CREATE ROLE weak LOGIN PASSWORD 'weak-pw'");
    const p = f.provider(f.config({ user: "weak", password: "weak-pw" }));
    const err = await providerError(p.create(R, { name: "e_new" }, ctx), "postgres.permission_denied");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^postgres: apply role "e_new": permission denied to create role.*\(SQLSTATE 42501\)/);
    expect(await f.srv.psql("SELECT 1 FROM pg_roles WHERE rolname = 'e_new'")).toEqual([]);
    const db = await providerError(p.create("postgres.database", { name: "e_db" }, ctx), "postgres.permission_denied");
    expect(db.message).toContain("SQLSTATE 42501");
  });

  it("too many connections for a role (53300): retryable, and a retry after a slot frees succeeds", async () => {
    await f.srv.psql("CREATE ROLE limited LOGIN PASSWORD 'lim' CONNECTION LIMIT 1");
    const holder = new pg.Client({ host: f.srv.host, port: f.srv.port, user: "limited", password: "lim", database: "postgres" });
    await holder.connect();
    const p = f.provider(f.config({ user: "limited", password: "lim" }));
    const err = await providerError(p.read(R, { name: "limited" }, ctx), "postgres.unavailable");
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("SQLSTATE 53300");
    await holder.end();
    expect(await p.read(R, { name: "limited" }, ctx)).toMatchObject({ name: "limited", login: true, connection_limit: 1 });
  });

  it("a wrong password: not retryable, and the password is not in the message", async () => {
    const p = f.provider(f.config({ password: "not-the-password-7Qx" }));
    const err = await providerError(p.read(R, { name: "x" }, ctx), "postgres.auth_failed");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("SQLSTATE 28P01");
    expect(err.message).not.toContain("not-the-password-7Qx");
  });
});

describe("postgres abort", () => {
  it("an aborted signal before the call: rejects with a retryable timeout and touches nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await providerError(f.pg.create(R, { name: "e_never" }, { signal: ac.signal, attempt: 1 }), "timeout");
    expect(err.retryable).toBe(true);
    expect(await f.srv.psql("SELECT 1 FROM pg_roles WHERE rolname = 'e_never'")).toEqual([]);
  });

  it("an abort while a statement waits on a lock cancels it on the server, promptly, and nothing of it stays", async () => {
    await f.pg.create(R, { name: "e_locked" }, ctx);
    const blocker = new pg.Client({ host: f.srv.host, port: f.srv.port, user: f.srv.user, password: f.srv.password, database: "postgres" });
    await blocker.connect();
    await blocker.query("BEGIN; ALTER ROLE e_locked CONNECTION LIMIT 5");
    const ac = new AbortController();
    const started = performance.now();
    const call = f.pg.update(R, {}, { name: "e_locked", connection_limit: 9, login: true }, { signal: ac.signal, attempt: 1 });
    // Wait until our statement is really waiting on the blocker's lock.
    for (let i = 0; i < 200; i++) {
      const waiting = await f.srv.psql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'lexum' AND wait_event_type = 'Lock'");
      if (waiting.length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await f.srv.psql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'lexum' AND wait_event_type = 'Lock'")).toHaveLength(1);
    ac.abort();
    const err = await providerError(call, "timeout");
    expect(err.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
    // The server no longer runs it: cancelled, not left waiting.
    expect(await f.srv.psql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'lexum' AND state = 'active'")).toEqual([]);
    await blocker.query("ROLLBACK");
    await blocker.end();
    expect(await f.srv.psql("SELECT rolconnlimit, rolcanlogin FROM pg_roles WHERE rolname = 'e_locked'")).toEqual([{ rolconnlimit: -1, rolcanlogin: false }]);
    // The instance still works after an abort.
    expect(await f.pg.update(R, {}, { name: "e_locked", connection_limit: 9 }, ctx)).toMatchObject({ connection_limit: 9 });
  });
});

describe("postgres configuration", () => {
  const env = { projectDir: "/srv/project" };
  const lxm4900 = (config: Record<string, unknown>, words: string) => {
    let err: unknown;
    try {
      resolvePostgresSettings(config as never, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LexumError);
    expect((err as LexumError).code).toBe("LXM4900");
    expect((err as LexumError).message).toContain(words);
    return err as LexumError;
  };

  it("fills Terraform's defaults; `user` and `username` are one setting", () => {
    expect(resolvePostgresSettings({}, env)).toMatchObject({ host: "localhost", port: 5432, user: "postgres", database: "postgres", sslmode: "prefer", connectTimeoutMs: 180_000, maxConnections: 20 });
    expect(resolvePostgresSettings({ username: "admin" }, env).user).toBe("admin");
    expect(resolvePostgresSettings({ user: "admin" }, env).user).toBe("admin");
  });

  it("refuses bad settings with LXM4900, naming the setting and never the password", () => {
    lxm4900({ hostname: "x" }, "hostname is not a setting of this provider");
    lxm4900({ user: "a", username: "b" }, "user and `username` are the same setting");
    lxm4900({ sslmode: "sometimes" }, 'sslmode must be one of "disable", "prefer"');
    lxm4900({ port: 0 }, "port must be an integer from 1 to 65535");
    lxm4900({ max_connections: 0 }, "max_connections must be an integer from 1 to 1000");
    const e = lxm4900({ sslrootcert: "certs/ca.pem", password: "s3cret-value" }, "sslrootcert cannot be read (/srv/project/certs/ca.pem): ENOENT");
    expect(e.message).not.toContain("s3cret-value");
  });

  it("sslmode prefer connects without TLS to a server that has none; require refuses it, not retryable", async () => {
    const prefer = f.provider(f.config({ sslmode: "prefer" }));
    expect(await prefer.read(R, { name: f.srv.user }, ctx)).toMatchObject({ superuser: true });
    const ssl = (await f.srv.psql("SELECT current_setting('ssl') AS s"))[0]!["s"];
    expect(ssl).toBe("off");
    const require = f.provider(f.config({ sslmode: "require" }));
    const err = await providerError(require.read(R, { name: f.srv.user }, ctx), "postgres.ssl");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("does not support SSL");
  });

  it("an unknown type is refused, not retryable", async () => {
    const err = await f.pg.read("postgres.table", { name: "x" }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: "postgres.unknown_type", retryable: false });
  });
});
