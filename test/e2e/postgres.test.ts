import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres } from "../postgres-server.js";
import type { PostgresServer } from "../postgres-server.js";
import { buildCli } from "./cli-build.js";
import type { CliBuild } from "./cli-build.js";
import { baseEnv, cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

// The postgres provider end to end: `lxm` on a real git repository against a real server.

let srv: PostgresServer;
let cli: CliBuild;
let env: NodeJS.ProcessEnv;
const APP_PW = "app-pw-1 'quoted' \\ e2e";

beforeAll(async () => {
  srv = await startPostgres();
  cli = buildCli();
  env = { LXM_SECRET_APP_PW: APP_PW, ...(srv.password !== undefined ? { LXM_SECRET_PGPASSWORD: srv.password } : {}) };
});
afterAll(async () => {
  cli?.cleanup();
  cleanupRepos();
  await srv?.stop();
});

/** The provider block for the test server (the password from a secret when it has one). */
const provider = () =>
  `provider postgres { host = "${srv.host}", port = ${srv.port}, user = "${srv.user}",${srv.password !== undefined ? ' password = secret("PGPASSWORD"),' : ""} database = "postgres", sslmode = "disable" }`;

const lxm = (repo: E2eRepo, args: string[]) => repo.lxm(args, env);
const psql = (sql: string, db?: string, params?: unknown[]) => srv.psql(sql, db, params);
const one = async (sql: string, db?: string, params?: unknown[]) => (await psql(sql, db, params))[0];


/** Every file of every commit of the state branch, concatenated (to look for secrets). */
function stateBranchText(repo: E2eRepo): string {
  return repo.git("log", "-p", "--all", "--format=%B", "lexum/state");
}

describe("the issue's example", () => {
  // As written in the issue, inside a domain, pointed at the test server.
  const example = (schema: string) => `domain db {
${provider()}
resource postgres.role app      { name = "app", login = true, create_database = false,
                                  connection_limit = 10, password = secret("APP_PW") }
resource postgres.database shop { name = "shop", owner = app.name, encoding = "UTF8" }
resource postgres.schema sales  { database = shop.name, name = "sales", owner = app.name }
resource postgres.grant reader  { database = shop.name, role = "reader", schema = ${schema},
                                  object_type = "table", privileges = ["SELECT"] }
resource postgres.extension ext { database = shop.name, name = "pgcrypto" }
}
`;

  it("compiles and plans; applied as is, the grant fails (its schema is not made yet) and the failed snapshot says what exists", async () => {
    const repo = makeRepo({ "main.lxm": example('"sales"') });
    expect((await lxm(repo, ["check"])).code).toBe(0);
    const plan = await lxm(repo, ["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain("Plan: 5 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(plan.out).toContain("password                  = (sensitive)");

    // The literal schema name gives the grant no dependency on the schema: by address it runs
    // first, and PostgreSQL refuses it. Nothing is retried (not retryable), the domain halts.
    const r = await lxm(repo, ["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('schema "sales" does not exist');
    expect(r.err).toContain("SQLSTATE 3F000");
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("failed");
    expect(snap.dag).toEqual({
      planned: ["db/postgres.role.app", "db/postgres.database.shop", "db/postgres.extension.ext", "db/postgres.grant.reader", "db/postgres.schema.sales"],
      done: ["db/postgres.role.app", "db/postgres.database.shop", "db/postgres.extension.ext"],
      failed: ["db/postgres.grant.reader"],
      notStarted: ["db/postgres.schema.sales"],
    });
    expect(Object.keys(snap.resources).sort()).toEqual(["db/postgres.database.shop", "db/postgres.extension.ext", "db/postgres.role.app"]);
    // The truth on the server is the same.
    expect(await one("SELECT rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname = 'app'")).toEqual({ rolcanlogin: true, rolconnlimit: 10 });
    expect(await one("SELECT pg_get_userbyid(datdba)::text AS owner FROM pg_database WHERE datname = 'shop'")).toEqual({ owner: "app" });
    expect(await one("SELECT extname FROM pg_extension WHERE extname = 'pgcrypto'", "shop")).toEqual({ extname: "pgcrypto" });
    expect(await psql("SELECT 1 FROM pg_namespace WHERE nspname = 'sales'", "shop")).toEqual([]);
    expect(await srv.canLogin("app", APP_PW)).toBe(true);

    // The grant ordered after its schema (sales.name), and the "reader" role it names made: it applies.
    await psql("CREATE ROLE reader");
    repo.write({ "main.lxm": example("sales.name") });
    repo.commit("the grant follows its schema");
    const again = await lxm(repo, ["apply", "--yes"]);
    expect(again.err).not.toContain("error");
    expect(again.code).toBe(0);
    expect(headSnapshot(repo).status).toBe("quiescent");
    expect(await one("SELECT pg_get_userbyid(nspowner)::text AS owner FROM pg_namespace WHERE nspname = 'sales'", "shop")).toEqual({ owner: "app" });
    expect((await lxm(repo, ["plan", "--detailed-exitcode", "--refresh"])).code).toBe(0);
    expect(stateBranchText(repo)).not.toContain(APP_PW);
    if (srv.password !== undefined) expect(stateBranchText(repo)).not.toContain(srv.password);
    await expectHealthyState(repo);
  });
});

/** Roles, a database, a schema, grants, default privileges and an extension; names prefixed `p`. */
function project(p: string, o: { limit?: number; privileges?: string; policy?: string; extra?: string } = {}): string {
  return `domain db {
  ${provider()}

  resource postgres.role app {
    name             = "${p}_app"
    login            = true
    connection_limit = ${o.limit ?? 10}
    password         = secret("APP_PW")
  }
  resource postgres.role reader { name = "${p}_reader" }
  resource postgres.database shop {
    name  = "${p}_shop"
    owner = app.name
  }
  resource postgres.schema sales {
    database = shop.name
    name     = "sales"
    owner    = app.name
  }
  resource postgres.grant usage {
    database    = shop.name
    role        = reader.name
    schema      = sales.name
    object_type = "schema"
    privileges  = ["USAGE"]
  }
  resource postgres.grant read {
    database    = shop.name
    role        = reader.name
    schema      = sales.name
    object_type = "table"
    privileges  = ${o.privileges ?? '["SELECT"]'}
  }
  resource postgres.default_privileges future {
    database    = shop.name
    role        = reader.name
    owner       = app.name
    schema      = sales.name
    object_type = "table"
    privileges  = ["SELECT"]
  }
  resource postgres.extension crypto {
    database = shop.name
    name     = "pgcrypto"
  }
${o.extra ?? ""}${o.policy ? `  policy { ${o.policy} }\n` : ""}}
`;
}

/** What `role` holds on `rel` in `db`: `privilege:grantable`, sorted. */
async function onRelation(db: string, role: string, rel: string): Promise<string[]> {
  const rows = await psql(
    `SELECT a.privilege_type || ':' || a.is_grantable AS p FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
     WHERE c.oid = $1::regclass AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) ORDER BY 1`,
    db,
    [rel, role],
  );
  return rows.map((r) => String(r["p"]));
}

describe("lifecycle", () => {
  it("applied; re-planned as no change; changed; drift made with psql seen by plan --refresh and corrected by apply", async () => {
    const repo = makeRepo({ "main.lxm": project("lc") });
    const first = await lxm(repo, ["apply", "--yes"]);
    expect(first.err).not.toContain("error");
    expect(first.code).toBe(0);
    expect(first.out).toContain("Apply complete: 8 actions done (8 created, 0 updated, 0 replaced, 0 deleted).");
    expect(await srv.canLogin("lc_app", APP_PW)).toBe(true);
    expect(await one("SELECT has_schema_privilege('lc_reader', 'sales', 'USAGE') AS u, has_schema_privilege('lc_reader', 'sales', 'CREATE') AS c", "lc_shop")).toEqual({ u: true, c: false });

    // A table app makes later: the default privileges give the reader SELECT, and the table grant reads unchanged.
    await psql("SET ROLE lc_app; CREATE TABLE sales.orders (id int); RESET ROLE", "lc_shop");
    expect(await onRelation("lc_shop", "lc_reader", "sales.orders")).toEqual(["SELECT:false"]);
    let r = await lxm(repo, ["plan", "--detailed-exitcode", "--refresh"]);
    expect(r.out).toContain("No changes.");
    expect(r.code).toBe(0);

    // A change: two updates.
    repo.write({ "main.lxm": project("lc", { limit: 20, privileges: '["SELECT", "INSERT"]' }) });
    repo.commit("more connections; readers insert");
    r = await lxm(repo, ["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.");
    expect(r.out).toContain("connection_limit = 10 -> 20");
    r = await lxm(repo, ["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(await one("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'lc_app'")).toEqual({ rolconnlimit: 20 });
    expect(await onRelation("lc_shop", "lc_reader", "sales.orders")).toEqual(["INSERT:false", "SELECT:false"]);

    // Drift behind Lexum's back: an ALTER ROLE, a REVOKE, a GRANT.
    await psql("ALTER ROLE lc_app CONNECTION LIMIT 99 NOLOGIN");
    await psql("REVOKE INSERT ON sales.orders FROM lc_reader; GRANT CREATE ON SCHEMA sales TO lc_reader", "lc_shop");
    expect((await lxm(repo, ["plan", "--detailed-exitcode"])).code).toBe(0); // the snapshot alone knows nothing of it
    r = await lxm(repo, ["plan", "--detailed-exitcode", "--refresh"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Plan: 0 to create, 3 to update, 0 to replace, 0 to delete.");
    expect(r.out).toContain("drift: changed outside Lexum");
    expect(r.out).toContain("connection_limit = 99 -> 20");
    expect(r.out).toContain("login            = false -> true");
    expect(r.out).toContain('privileges = ["SELECT"] -> ["SELECT","INSERT"]');
    expect(r.out).toContain('privileges = ["CREATE","USAGE"] -> ["USAGE"]');
    r = await lxm(repo, ["apply", "--yes", "--refresh"]);
    expect(r.code).toBe(0);
    expect(await one("SELECT rolconnlimit, rolcanlogin FROM pg_roles WHERE rolname = 'lc_app'")).toEqual({ rolconnlimit: 20, rolcanlogin: true });
    expect(await onRelation("lc_shop", "lc_reader", "sales.orders")).toEqual(["INSERT:false", "SELECT:false"]);
    expect(await one("SELECT has_schema_privilege('lc_reader', 'sales', 'CREATE') AS c", "lc_shop")).toEqual({ c: false });
    expect((await lxm(repo, ["plan", "--detailed-exitcode", "--refresh"])).code).toBe(0);

    // A new password: a sensitive update, the role logs in with it, no password in the state.
    const pw2 = "second-password-e2e";
    r = await repo.lxm(["plan"], { ...env, LXM_SECRET_APP_PW: pw2 });
    expect(r.out).toContain("~ password = (sensitive)");
    expect((await repo.lxm(["apply", "--yes"], { ...env, LXM_SECRET_APP_PW: pw2 })).code).toBe(0);
    expect(await srv.canLogin("lc_app", pw2)).toBe(true);
    expect(await srv.canLogin("lc_app", APP_PW)).toBe(false);
    expect(stateBranchText(repo)).not.toContain(pw2);
    expect(stateBranchText(repo)).not.toContain(APP_PW);
    await expectHealthyState(repo);
  });
});

describe("failures", () => {
  it('a database whose owner does not exist fails; on_failure = "rollback" restores the role it had changed', async () => {
    const repo = makeRepo({ "main.lxm": project("rb", { policy: 'on_failure = "rollback"' }) });
    expect((await lxm(repo, ["apply", "--yes"])).code).toBe(0);
    const ghost = `  resource postgres.database ghost {
    name       = "rb_ghost"
    owner      = "no_such_role"
    depends_on = [app]
  }
`;
    repo.write({ "main.lxm": project("rb", { limit: 30, policy: 'on_failure = "rollback"', extra: ghost }) });
    repo.commit("a database owned by nobody");
    const r = await lxm(repo, ["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('role "no_such_role" does not exist');
    expect(r.err).toContain("SQLSTATE 42704");
    expect(headSnapshot(repo, "lexum/state~1").status).toBe("failed");
    expect(headSnapshot(repo, "lexum/state~1").dag).toMatchObject({ done: ["db/postgres.role.app"], failed: ["db/postgres.database.ghost"] });
    expect(headSnapshot(repo).status).toBe("rolled-back");
    expect(await one("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'rb_app'")).toEqual({ rolconnlimit: 10 });
    expect(await psql("SELECT 1 FROM pg_database WHERE datname = 'rb_ghost'")).toEqual([]);
    await expectHealthyState(repo);
  });

  it("kill -9 while a statement waits on a lock held from another connection: the next apply converges", async () => {
    const repo = makeRepo({ "main.lxm": project("kl") });
    expect((await lxm(repo, ["apply", "--yes"])).code).toBe(0);
    const prior = repo.stateHead();
    repo.write({ "main.lxm": project("kl", { limit: 40, privileges: '["SELECT", "UPDATE"]' }) });
    repo.commit("v2");

    // Another session holds the app role's row: lxm's ALTER ROLE waits on it.
    const blocker = new pg.Client({ host: srv.host, port: srv.port, user: srv.user, password: srv.password, database: "postgres" });
    await blocker.connect();
    await blocker.query("BEGIN; ALTER ROLE kl_app VALID UNTIL '2040-01-01'");
    const child = spawn(process.execPath, [cli.main, "apply", "--yes"], { cwd: repo.dir, env: { ...process.env, ...baseEnv, ...env, NO_COLOR: "1" } });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on("exit", (_c, sig) => res(sig)));
    let waiting = false;
    for (let i = 0; i < 1000 && !waiting; i++) {
      waiting = (await psql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'lexum' AND wait_event_type = 'Lock'")).length > 0;
      if (!waiting) await new Promise((res) => setTimeout(res, 20));
    }
    expect(waiting).toBe(true);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    await blocker.query("ROLLBACK");
    await blocker.end();
    expect(repo.stateHead()).toBe(prior);

    const r = await lxm(repo, ["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning[LXM4209]");
    expect(headSnapshot(repo, "lexum/state~1").status).toBe("failed");
    expect(headSnapshot(repo).status).toBe("quiescent");
    expect(await one("SELECT rolconnlimit, rolvaliduntil FROM pg_roles WHERE rolname = 'kl_app'")).toEqual({ rolconnlimit: 40, rolvaliduntil: Infinity });
    await psql("CREATE TABLE sales.t (id int)", "kl_shop");
    expect((await lxm(repo, ["plan", "--detailed-exitcode", "--refresh"])).code).toBe(2); // the new table lacks UPDATE: the grant covers tables as they were
    expect((await lxm(repo, ["apply", "--yes", "--refresh"])).code).toBe(0);
    expect(await onRelation("kl_shop", "kl_reader", "sales.t")).toEqual(["SELECT:false", "UPDATE:false"]);
    expect((await lxm(repo, ["plan", "--detailed-exitcode", "--refresh"])).code).toBe(0);
    expect(await expectHealthyState(repo)).toBe(4); // v1, the killed run (failed), v2, the drift correction
  });
});
