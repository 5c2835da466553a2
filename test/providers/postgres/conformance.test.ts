import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../../src/program/types.js";
import { conformanceChecks } from "../../../src/providers/conformance.js";
import type { ConformanceCase, ConformanceSubject } from "../../../src/providers/conformance.js";
import { postgresProvider } from "../../../src/providers/postgres/provider.js";
import { startPostgres } from "../../postgres-server.js";
import type { PostgresServer } from "../../postgres-server.js";

// The conformance kit over every postgres type, against a real server. The checks are built
// when the file loads, before the server starts: the subject reads the server lazily.

let srv: PostgresServer;
const TEMPLATE = "conf_tpl";

beforeAll(async () => {
  srv = await startPostgres();
  await srv.psql("CREATE ROLE conf_owner; CREATE ROLE conf_owner2; CREATE ROLE conf_group; CREATE ROLE conf_reader; CREATE ROLE conf_reader2");
  await srv.psql(`CREATE DATABASE ${TEMPLATE} OWNER conf_owner`);
  // A template holding a schema with tables, sequences and a function: a grant's database is
  // made from it (`needs`), so the objects are there.
  const c = new pg.Client({ host: srv.host, port: srv.port, user: srv.user, password: srv.password, database: TEMPLATE });
  await c.connect();
  await c.query(`CREATE SCHEMA sales AUTHORIZATION conf_owner; CREATE SCHEMA other;
                 CREATE TABLE sales.orders (id int); CREATE TABLE sales.items (id int); CREATE SEQUENCE sales.ids;
                 CREATE FUNCTION sales.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1'`);
  await c.end();
});
afterAll(async () => {
  await srv?.stop();
});

/** Runs SQL in a database on a connection of its own, closed after (a later CREATE DATABASE may copy that database). */
async function sql(text: string, database = "postgres"): Promise<void> {
  const c = new pg.Client({ host: srv.host, port: srv.port, user: srv.user, password: srv.password, database });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const db = (name: string, extra: JsonObject = {}) => ({ type: "postgres.database", goal: { name, template: TEMPLATE, ...extra } });

const cases: ConformanceCase[] = [
  {
    type: "postgres.role",
    goal: { name: "conf_role", login: true, connection_limit: 3, password: "conf-pw-1", roles: ["conf_group"], search_path: ["sales", "$user"] },
    updates: {
      login: false,
      superuser: true,
      create_database: true,
      create_role: true,
      inherit: false,
      replication: true,
      bypass_row_level_security: true,
      connection_limit: 12,
      password: "conf-pw-2",
      valid_until: "2031-01-01 00:00:00+00",
      roles: [],
      search_path: ["public"],
    },
    replace: { name: "conf_role_2" },
    writeOnly: ["password"],
    drift: async () => {
      await sql("ALTER ROLE conf_role CONNECTION LIMIT 42 CREATEDB");
      return { connection_limit: 42, create_database: true };
    },
  },
  {
    type: "postgres.database",
    goal: { name: "conf_db", owner: "conf_owner", encoding: "UTF8", connection_limit: 5 },
    updates: { owner: "conf_owner2", connection_limit: 50, allow_connections: false, is_template: true },
    replace: { name: "conf_db_2" },
    drift: async () => {
      await sql("ALTER DATABASE conf_db WITH CONNECTION LIMIT 7; ALTER DATABASE conf_db OWNER TO conf_owner2");
      return { connection_limit: 7, owner: "conf_owner2" };
    },
  },
  {
    type: "postgres.schema",
    goal: { database: "conf_s_db", name: "conf_schema", owner: "conf_owner" },
    updates: { owner: "conf_owner2", drop_cascade: true },
    replace: { name: "conf_schema_2" },
    needs: [db("conf_s_db")],
    drift: async () => {
      await sql("ALTER SCHEMA conf_schema OWNER TO conf_owner2", "conf_s_db");
      return { owner: "conf_owner2" };
    },
  },
  {
    type: "postgres.extension",
    goal: { database: "conf_e_db", name: "citext", version: "1.5", schema: "sales" },
    updates: { version: "1.6", schema: "other", drop_cascade: true },
    replace: { name: "hstore", version: "1.8" },
    needs: [db("conf_e_db")],
    drift: async () => {
      await sql("ALTER EXTENSION citext SET SCHEMA other", "conf_e_db");
      return { schema: "other" };
    },
  },
  {
    type: "postgres.grant",
    goal: { database: "conf_g_db", role: "conf_reader", schema: "sales", object_type: "table", privileges: ["SELECT", "INSERT"] },
    updates: { privileges: ["SELECT"], with_grant_option: true },
    replace: { role: "conf_reader2" },
    needs: [db("conf_g_db")],
    drift: async () => {
      await sql("REVOKE INSERT ON sales.items FROM conf_reader", "conf_g_db");
      return { privileges: ["SELECT"] };
    },
  },
  {
    type: "postgres.grant",
    goal: { database: "conf_g2_db", role: "conf_reader", schema: "sales", object_type: "sequence", objects: ["ids"], privileges: ["USAGE"] },
    updates: { privileges: ["USAGE", "SELECT", "UPDATE"] },
    replace: { role: "conf_reader2" },
    needs: [db("conf_g2_db")],
  },
  {
    type: "postgres.grant",
    goal: { database: "conf_g3_db", role: "conf_reader", object_type: "database", privileges: ["CONNECT"] },
    updates: { privileges: ["ALL"], with_grant_option: true },
    replace: { role: "conf_reader2" },
    needs: [db("conf_g3_db")],
    drift: async () => {
      await sql("GRANT CREATE ON DATABASE conf_g3_db TO conf_reader");
      return { privileges: ["CONNECT", "CREATE"] };
    },
  },
  {
    type: "postgres.grant",
    goal: { database: "conf_g4_db", role: "conf_reader", schema: "sales", object_type: "function", privileges: ["EXECUTE"] },
    updates: { with_grant_option: true },
    replace: { role: "conf_reader2" },
    needs: [db("conf_g4_db")],
    drift: async () => {
      await sql("GRANT EXECUTE ON FUNCTION sales.f(int) TO conf_reader WITH GRANT OPTION", "conf_g4_db");
      return { privileges: ["EXECUTE"], with_grant_option: true };
    },
  },
  {
    type: "postgres.default_privileges",
    goal: { database: "conf_d_db", role: "conf_reader", owner: "conf_owner", schema: "sales", object_type: "table", privileges: ["SELECT", "UPDATE"] },
    updates: { privileges: ["ALL"], with_grant_option: true },
    replace: { owner: "conf_owner2" },
    needs: [db("conf_d_db")],
    drift: async () => {
      await sql("ALTER DEFAULT PRIVILEGES FOR ROLE conf_owner IN SCHEMA sales REVOKE UPDATE ON TABLES FROM conf_reader", "conf_d_db");
      return { privileges: ["SELECT"] };
    },
  },
  {
    type: "postgres.default_privileges",
    goal: { database: "conf_d2_db", role: "conf_reader", owner: "conf_owner", object_type: "schema", privileges: ["USAGE"] },
    updates: { privileges: ["USAGE", "CREATE"] },
    needs: [db("conf_d2_db")],
  },
];

// The subject's configuration is read when a check runs (after beforeAll started the server).
const subject: ConformanceSubject = {
  provider: postgresProvider,
  get config(): JsonObject {
    return { host: srv.host, port: srv.port, user: srv.user, ...(srv.password !== undefined ? { password: srv.password } : {}), sslmode: "disable" };
  },
  env: { projectDir: process.cwd() },
  cases,
};

describe("the conformance kit over the postgres provider", () => {
  const checks = conformanceChecks(subject);
  it("covers every postgres type", () => {
    expect([...new Set(cases.map((c) => c.type))].sort()).toEqual([...postgresProvider.types].sort());
    expect(checks.length).toBeGreaterThan(80);
  });
  for (const c of checks) it(c.name, c.run, 30_000);

  it("read back holds exactly the schema's properties (the write-only password aside), for every type", async () => {
    const inst = postgresProvider.configure(subject.config, subject.env);
    try {
      for (const c of cases.filter((c, i) => cases.findIndex((d) => d.type === c.type) === i)) {
        for (const need of c.needs ?? []) await inst.create(need.type, need.goal, { signal: new AbortController().signal, attempt: 1 });
        const ctx = { signal: new AbortController().signal, attempt: 1 };
        await inst.create(c.type, c.goal, ctx);
        const read = (await inst.read(c.type, c.goal, ctx))!;
        const schema = JSON.parse(readFileSync(join(import.meta.dirname, `../../../schemas/providers/${c.type}.json`), "utf8")) as { properties: Record<string, unknown> };
        const props = Object.keys(schema.properties).filter((p) => !(c.writeOnly ?? []).includes(p));
        // Optional attributes a goal leaves unset (a grant on a database has no schema) are not read back.
        const unset = props.filter((p) => !(p in read));
        expect([c.type, unset.filter((p) => p in c.goal)]).toEqual([c.type, []]);
        expect([c.type, Object.keys(read).filter((k) => !props.includes(k))]).toEqual([c.type, []]);
        await inst.delete(c.type, c.goal, ctx);
        for (const need of [...(c.needs ?? [])].reverse()) await inst.delete(need.type, need.goal, ctx);
      }
    } finally {
      await inst.close();
    }
  });

  it("every check cleaned up: only the roles and the template made here remain", async () => {
    expect((await srv.psql("SELECT datname FROM pg_database WHERE datname LIKE 'conf%' ORDER BY 1")).map((r) => r["datname"])).toEqual([TEMPLATE]);
    expect((await srv.psql("SELECT rolname FROM pg_roles WHERE rolname LIKE 'conf%' ORDER BY 1")).map((r) => r["rolname"])).toEqual([
      "conf_group",
      "conf_owner",
      "conf_owner2",
      "conf_reader",
      "conf_reader2",
    ]);
  });
});
