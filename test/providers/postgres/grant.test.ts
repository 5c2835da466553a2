import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../../src/program/types.js";
import { grantState } from "../../../src/providers/postgres/privileges.js";
import { ctx, providerError, useServer } from "./fixture.js";

const f = useServer();

const G = "postgres.grant";
const DP = "postgres.default_privileges";
const DB = "g_db";

/** `privilege:grantable` pairs a role holds on a table (or view, sequence) of g_db, sorted. */
async function onRelation(role: string, rel: string): Promise<string[]> {
  const rows = await f.srv.psql(
    `SELECT a.privilege_type || ':' || a.is_grantable AS p FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
     WHERE c.oid = $1::regclass AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) ORDER BY 1`,
    DB,
    [rel, role],
  );
  return rows.map((r) => String(r["p"]));
}

beforeAll(async () => {
  await f.srv.psql("CREATE ROLE reader; CREATE ROLE writer; CREATE ROLE app");
  await f.srv.psql(`CREATE DATABASE ${DB} OWNER app`);
  await f.srv.psql(
    `CREATE SCHEMA sales AUTHORIZATION app;
     CREATE TABLE sales.orders (id int); CREATE TABLE sales.items (id int); CREATE VIEW sales.totals AS SELECT count(*) FROM sales.orders;
     CREATE SEQUENCE sales.order_ids;
     CREATE FUNCTION sales.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
     CREATE FUNCTION sales.f(text) RETURNS text LANGUAGE sql AS 'SELECT $1';
     CREATE FUNCTION sales.g() RETURNS int LANGUAGE sql AS 'SELECT 1';
     CREATE SCHEMA empty;`,
    DB,
  );
});

describe("postgres.grant", () => {
  it("tables: every table of the schema (views too); read back; a second create writes nothing; delete revokes", async () => {
    const goal = { database: DB, role: "reader", schema: "sales", object_type: "table", objects: [], privileges: ["SELECT"] };
    expect(await f.pg.read(G, goal, ctx)).toBeNull();
    expect(await f.pg.create(G, goal, ctx)).toEqual({ ...goal, with_grant_option: false });
    for (const rel of ["sales.orders", "sales.items", "sales.totals"]) expect(await onRelation("reader", rel)).toEqual(["SELECT:false"]);
    const version = async () => (await f.srv.psql("SELECT string_agg(xmin::text, ',' ORDER BY relname) AS v FROM pg_class WHERE relnamespace = 'sales'::regnamespace", DB))[0]!["v"];
    const before = await version();
    expect(await f.pg.create(G, goal, ctx)).toEqual({ ...goal, with_grant_option: false });
    expect(await version()).toBe(before);
    await f.pg.delete(G, goal, ctx);
    for (const rel of ["sales.orders", "sales.items", "sales.totals"]) expect(await onRelation("reader", rel)).toEqual([]);
    expect(await f.pg.read(G, goal, ctx)).toBeNull();
    await f.pg.delete(G, goal, ctx);
  });

  it("a GRANT or REVOKE made behind Lexum's back on one table shows in read, and apply restores exactly the goal", async () => {
    const goal = { database: DB, role: "writer", schema: "sales", object_type: "table", objects: [], privileges: ["SELECT", "INSERT"] };
    await f.pg.create(G, goal, ctx);
    await f.srv.psql("GRANT DELETE ON sales.items TO writer", DB);
    expect(await f.pg.read(G, goal, ctx)).toMatchObject({ privileges: ["DELETE", "INSERT", "SELECT"] });
    await f.pg.update(G, {}, goal, ctx);
    expect(await onRelation("writer", "sales.items")).toEqual(["INSERT:false", "SELECT:false"]);
    await f.srv.psql("REVOKE INSERT ON sales.orders FROM writer", DB);
    expect(await f.pg.read(G, goal, ctx)).toMatchObject({ privileges: ["SELECT"] });
    expect(await f.pg.update(G, {}, goal, ctx)).toMatchObject({ privileges: ["SELECT", "INSERT"] });
    expect(await onRelation("writer", "sales.orders")).toEqual(["INSERT:false", "SELECT:false"]);
    await f.srv.psql("GRANT SELECT ON sales.orders TO writer WITH GRANT OPTION", DB);
    // One privilege given with the grant option: the option reads as differing from the goal.
    expect(await f.pg.read(G, goal, ctx)).toMatchObject({ privileges: ["SELECT", "INSERT"], with_grant_option: true });
    await f.pg.update(G, {}, goal, ctx);
    expect(await onRelation("writer", "sales.orders")).toEqual(["INSERT:false", "SELECT:false"]);
    await f.pg.delete(G, goal, ctx);
  });

  it("named objects, update of the privileges and of the grant option", async () => {
    const goal: JsonObject = { database: DB, role: "reader", schema: "sales", object_type: "table", objects: ["orders"], privileges: ["SELECT"] };
    await f.pg.create(G, goal, ctx);
    expect(await onRelation("reader", "sales.orders")).toEqual(["SELECT:false"]);
    expect(await onRelation("reader", "sales.items")).toEqual([]);
    const updated = await f.pg.update(G, {}, { ...goal, privileges: ["SELECT", "UPDATE"], with_grant_option: true }, ctx);
    expect(updated).toEqual({ ...goal, privileges: ["SELECT", "UPDATE"], with_grant_option: true });
    expect(await onRelation("reader", "sales.orders")).toEqual(["SELECT:true", "UPDATE:true"]);
    await f.pg.delete(G, goal, ctx);
    expect(await onRelation("reader", "sales.orders")).toEqual([]);
  });

  it("ALL reads back as ALL while the role holds every privilege", async () => {
    const goal = { database: DB, role: "writer", schema: "sales", object_type: "table", objects: ["items"], privileges: ["ALL"] };
    expect(await f.pg.create(G, goal, ctx)).toMatchObject({ privileges: ["ALL"] });
    expect((await onRelation("writer", "sales.items")).length).toBeGreaterThanOrEqual(7);
    await f.srv.psql("REVOKE TRUNCATE ON sales.items FROM writer", DB);
    const read = await f.pg.read(G, goal, ctx);
    expect(read!["privileges"]).not.toContain("TRUNCATE");
    expect(read!["privileges"]).toContain("SELECT");
    await f.pg.delete(G, goal, ctx);
  });

  it("database, schema, sequence and function grants (overloads included); public", async () => {
    const cases: { goal: JsonObject; check: () => Promise<unknown>; expected: unknown }[] = [
      {
        goal: { database: DB, role: "reader", object_type: "database", privileges: ["CONNECT", "TEMPORARY"] },
        check: async () => (await f.srv.psql("SELECT has_database_privilege('reader', $1, 'CONNECT') AS c, has_database_privilege('reader', $1, 'CREATE') AS k", DB, [DB]))[0],
        expected: { c: true, k: false },
      },
      {
        goal: { database: DB, role: "reader", schema: "sales", object_type: "schema", privileges: ["USAGE"] },
        check: async () => (await f.srv.psql("SELECT has_schema_privilege('reader', 'sales', 'USAGE') AS u, has_schema_privilege('reader', 'sales', 'CREATE') AS c", DB))[0],
        expected: { u: true, c: false },
      },
      {
        goal: { database: DB, role: "reader", schema: "sales", object_type: "sequence", privileges: ["USAGE", "SELECT"] },
        check: async () => onRelation("reader", "sales.order_ids"),
        expected: ["SELECT:false", "USAGE:false"],
      },
      {
        goal: { database: DB, role: "writer", schema: "sales", object_type: "function", objects: ["f"], privileges: ["EXECUTE"], with_grant_option: true },
        check: async () =>
          (await f.srv.psql("SELECT p.oid::regprocedure::text AS fn, has_function_privilege('writer', p.oid, 'EXECUTE WITH GRANT OPTION') AS x FROM pg_proc p WHERE pronamespace = 'sales'::regnamespace ORDER BY 1", DB)).map(
            (r) => `${String(r["fn"])}=${String(r["x"])}`,
          ),
        expected: ["sales.f(integer)=true", "sales.f(text)=true", "sales.g()=false"],
      },
    ];
    for (const { goal, check, expected } of cases) {
      const full = { objects: [], with_grant_option: false, ...goal };
      expect(await f.pg.create(G, goal, ctx)).toEqual(full);
      expect(await check()).toEqual(expected);
      expect(await f.pg.read(G, goal, ctx)).toEqual(full);
      await f.pg.delete(G, goal, ctx);
      expect(await f.pg.read(G, goal, ctx)).toBeNull();
    }
    // PUBLIC: every role; the function's default EXECUTE for PUBLIC is what it holds before.
    const pub = { database: DB, role: "public", schema: "sales", object_type: "function", objects: ["g"], privileges: ["EXECUTE"] };
    expect(await f.pg.read(G, pub, ctx)).toEqual({ ...pub, with_grant_option: false });
    await f.pg.delete(G, pub, ctx);
    expect(await f.srv.psql("SELECT has_function_privilege('reader', 'sales.g()', 'EXECUTE') AS x", DB)).toEqual([{ x: false }]);
    await f.pg.create(G, pub, ctx);
    expect(await f.srv.psql("SELECT has_function_privilege('reader', 'sales.g()', 'EXECUTE') AS x", DB)).toEqual([{ x: true }]);
  });

  it("an empty schema: ALL TABLES grants nothing and reads back as the goal", async () => {
    const goal = { database: DB, role: "reader", schema: "empty", object_type: "table", objects: [], privileges: ["SELECT"] };
    expect(await f.pg.create(G, goal, ctx)).toEqual({ ...goal, with_grant_option: false });
    expect(await f.pg.read(G, goal, ctx)).toEqual({ ...goal, with_grant_option: false });
    await f.pg.delete(G, goal, ctx);
  });

  it("a grant to a role that does not exist fails with PostgreSQL's SQLSTATE, not retryable, and leaves nothing", async () => {
    const goal = { database: DB, role: "nobody_here", schema: "sales", object_type: "table", objects: [], privileges: ["SELECT"] };
    const err = await providerError(f.pg.create(G, goal, ctx), "postgres.undefined");
    expect(err.message).toContain('postgres: apply grant on all tables in schema "sales" in database "g_db" to role "nobody_here": role "nobody_here" does not exist');
    expect(err.message).toContain("SQLSTATE 42704");
    expect(err.retryable).toBe(false);
    expect(await f.pg.read(G, goal, ctx)).toBeNull();
    await f.pg.delete(G, goal, ctx);
  });

  it("a named table that does not exist: read null, create fails undefined", async () => {
    const goal = { database: DB, role: "reader", schema: "sales", object_type: "table", objects: ["nope"], privileges: ["SELECT"] };
    expect(await f.pg.read(G, goal, ctx)).toBeNull();
    const err = await providerError(f.pg.create(G, goal, ctx), "postgres.undefined");
    expect(err.message).toContain("SQLSTATE 42P01");
  });

  it("refuses combinations PostgreSQL has no meaning for, before any statement", async () => {
    const bad: [JsonObject, string][] = [
      [{ database: DB, role: "reader", object_type: "table", privileges: ["EXECUTE"], schema: "sales" }, 'has "EXECUTE", which a table does not take'],
      [{ database: DB, role: "reader", object_type: "database", schema: "sales", privileges: ["CONNECT"] }, "must not be set when object_type is \"database\""],
      [{ database: DB, role: "reader", object_type: "table", privileges: ["SELECT"] }, "is required when object_type is \"table\""],
      [{ database: DB, role: "reader", object_type: "schema", schema: "sales", objects: ["x"], privileges: ["USAGE"] }, "must be empty"],
      [{ database: DB, role: "public", object_type: "database", privileges: ["CONNECT"], with_grant_option: true }, "cannot be true for role public"],
      [{ database: DB, role: "reader", object_type: "view", privileges: ["SELECT"] }, "object_type must be one of"],
    ];
    for (const [goal, words] of bad) {
      const err = await providerError(f.pg.create(G, goal, ctx), "postgres.invalid_attr");
      expect(err.message).toContain(words);
      expect(err.retryable).toBe(false);
    }
  });

  it("quotes hostile role, schema and table names", async () => {
    const role = `r"; DROP ROLE reader; --`;
    const schema = `s'; DROP SCHEMA sales CASCADE; --`;
    const table = `t "x" ü`;
    await f.srv.psql(`CREATE ROLE ${pg.escapeIdentifier(role)}`);
    await f.srv.psql(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}; CREATE TABLE ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} (id int)`, DB);
    for (const objects of [[], [table]]) {
      const goal = { database: DB, role, schema, object_type: "table", objects, privileges: ["SELECT", "UPDATE"] };
      expect(await f.pg.create(G, goal, ctx)).toEqual({ ...goal, with_grant_option: false });
      expect(await onRelation(role, `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`)).toEqual(["SELECT:false", "UPDATE:false"]);
      await f.pg.delete(G, goal, ctx);
      expect(await onRelation(role, `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`)).toEqual([]);
    }
    expect(await f.srv.psql("SELECT 1 FROM pg_namespace WHERE nspname = 'sales'", DB)).toHaveLength(1);
    expect(await f.srv.psql("SELECT 1 FROM pg_roles WHERE rolname = 'reader'")).toHaveLength(1);
  });
});

describe("postgres.default_privileges", () => {
  it("objects the owner creates later get the privileges; read back; drift shows; delete revokes", async () => {
    const goal = { database: DB, role: "reader", owner: "app", schema: "sales", object_type: "table", privileges: ["SELECT"] };
    expect(await f.pg.read(DP, goal, ctx)).toBeNull();
    expect(await f.pg.create(DP, goal, ctx)).toEqual({ ...goal, with_grant_option: false });
    await f.srv.psql("SET ROLE app; CREATE TABLE sales.later (id int); RESET ROLE", DB);
    expect(await onRelation("reader", "sales.later")).toEqual(["SELECT:false"]);
    await f.srv.psql("ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA sales GRANT INSERT ON TABLES TO reader", DB);
    expect(await f.pg.read(DP, goal, ctx)).toMatchObject({ privileges: ["INSERT", "SELECT"] });
    expect(await f.pg.update(DP, {}, goal, ctx)).toEqual({ ...goal, with_grant_option: false });
    const entry = async () => (await f.srv.psql("SELECT defaclacl::text AS acl FROM pg_default_acl WHERE defaclrole = 'app'::regrole AND defaclnamespace = 'sales'::regnamespace", DB))[0]?.["acl"];
    expect(await entry()).toBe("{reader=r/app}");
    await f.pg.delete(DP, goal, ctx);
    expect(await entry()).toBeUndefined();
    expect(await f.pg.read(DP, goal, ctx)).toBeNull();
    await f.pg.delete(DP, goal, ctx);
  });

  it("database-wide (no schema), with grant option, sequences and functions", async () => {
    for (const [objectType, privileges] of [
      ["sequence", ["USAGE"]],
      ["function", ["EXECUTE"]],
      ["type", ["USAGE"]],
      ["schema", ["USAGE", "CREATE"]],
    ] as const) {
      const goal = { database: DB, role: "writer", owner: "app", object_type: objectType, privileges: [...privileges], with_grant_option: true };
      expect(await f.pg.create(DP, goal, ctx)).toEqual(goal);
      expect(await f.pg.read(DP, goal, ctx)).toEqual(goal);
      await f.pg.update(DP, {}, { ...goal, with_grant_option: false }, ctx);
      expect(await f.pg.read(DP, goal, ctx)).toMatchObject({ with_grant_option: false });
      await f.pg.delete(DP, goal, ctx);
      expect(await f.pg.read(DP, goal, ctx)).toBeNull();
    }
    expect(await f.srv.psql("SELECT 1 FROM pg_default_acl", DB)).toEqual([]);
  });

  it("an owner that does not exist fails with the SQLSTATE; a schema-wide setting on schemas is refused", async () => {
    const err = await providerError(f.pg.create(DP, { database: DB, role: "reader", owner: "ghost", object_type: "table", privileges: ["SELECT"] }, ctx), "postgres.undefined");
    expect(err.message).toContain("SQLSTATE 42704");
    await providerError(f.pg.create(DP, { database: DB, role: "reader", owner: "app", schema: "sales", object_type: "schema", privileges: ["USAGE"] }, ctx), "postgres.invalid_attr");
  });
});

describe("privileges read back against the goal", () => {
  const held = (key: string, privileges: string[], grantable: string[] = []) => ({ key, privileges: new Set(privileges), grantable: new Set(grantable) });
  it("the goal's own spelling when every object holds it; the first differing object otherwise; null when none holds anything", () => {
    const all = ["SELECT", "INSERT"];
    expect(grantState([held("a", ["SELECT", "INSERT"]), held("b", ["INSERT", "SELECT"])], ["INSERT", "SELECT"], all, false)).toEqual({ privileges: ["INSERT", "SELECT"], with_grant_option: false });
    expect(grantState([held("a", ["SELECT"]), held("b", [])], ["SELECT"], all, false)).toEqual({ privileges: [], with_grant_option: false });
    expect(grantState([held("a", ["SELECT", "INSERT"]), held("b", ["SELECT"])], ["SELECT"], all, false)).toEqual({ privileges: ["INSERT", "SELECT"], with_grant_option: false });
    expect(grantState([held("a", []), held("b", [])], ["SELECT"], all, false)).toBeNull();
    expect(grantState([], ["SELECT"], all, true)).toEqual({ privileges: ["SELECT"], with_grant_option: true });
    expect(grantState([held("a", ["SELECT", "INSERT"], ["SELECT", "INSERT"])], ["ALL"], all, true)).toEqual({ privileges: ["ALL"], with_grant_option: true });
    expect(grantState([held("a", ["SELECT"], ["SELECT"])], ["SELECT"], all, false)).toEqual({ privileges: ["SELECT"], with_grant_option: true });
    expect(grantState([held("a", ["SELECT", "INSERT"], ["SELECT"])], ["SELECT", "INSERT"], all, true)).toEqual({ privileges: ["SELECT", "INSERT"], with_grant_option: false });
    expect(grantState([held("a", ["SELECT", "INSERT"], ["SELECT"])], ["SELECT", "INSERT"], all, false)).toEqual({ privileges: ["SELECT", "INSERT"], with_grant_option: true });
  });
});
