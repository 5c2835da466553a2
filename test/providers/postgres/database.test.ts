import pg from "pg";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../src/providers/types.js";
import { ctx, providerError, useServer } from "./fixture.js";

const f = useServer();

const D = "postgres.database";
const S = "postgres.schema";
const E = "postgres.extension";

async function pgDatabase(name: string): Promise<Record<string, unknown> | undefined> {
  return (await f.srv.psql("SELECT d.*, pg_get_userbyid(d.datdba)::text AS owner, pg_encoding_to_char(d.encoding) AS enc FROM pg_database d WHERE datname = $1", "postgres", [name]))[0];
}

describe("postgres.database", () => {
  it("create → read back; defaults template0 and UTF8; lc_collate and lc_ctype read from the server", async () => {
    await f.srv.psql("CREATE ROLE d_owner");
    const got = await f.pg.create(D, { name: "d_basic", owner: "d_owner" }, ctx);
    const row = (await pgDatabase("d_basic"))!;
    expect(got).toEqual({
      name: "d_basic",
      owner: "d_owner",
      template: "template0",
      encoding: "UTF8",
      lc_collate: row["datcollate"],
      lc_ctype: row["datctype"],
      connection_limit: -1,
      allow_connections: true,
      is_template: false,
    });
    expect(row).toMatchObject({ owner: "d_owner", enc: "UTF8" });
    expect(await f.pg.read(D, { name: "d_basic" }, ctx)).toEqual(got);
    // Identical again: nothing to do, the same answer.
    expect(await f.pg.create(D, { name: "d_basic", owner: "d_owner" }, ctx)).toEqual(got);
  });

  it("an encoding spelled another way reads back as written", async () => {
    const got = await f.pg.create(D, { name: "d_spelled", encoding: "utf-8" }, ctx);
    expect(got["encoding"]).toBe("utf-8");
    expect((await pgDatabase("d_spelled"))!["enc"]).toBe("UTF8");
  });

  it("update changes the owner, the connection limit, allow_connections and is_template; drift shows and is corrected", async () => {
    await f.srv.psql("CREATE ROLE d_o1; CREATE ROLE d_o2");
    const base = { name: "d_upd", owner: "d_o1" };
    let prior = await f.pg.create(D, base, ctx);
    for (const [attr, value] of [
      ["owner", "d_o2"],
      ["connection_limit", 4],
      ["allow_connections", false],
      ["is_template", true],
    ] as const) {
      prior = await f.pg.update(D, prior, { ...base, ...pick(prior), [attr]: value }, ctx);
      expect(prior[attr]).toBe(value);
    }
    expect(await pgDatabase("d_upd")).toMatchObject({ owner: "d_o2", datconnlimit: 4, datallowconn: false, datistemplate: true });
    await f.srv.psql("ALTER DATABASE d_upd WITH CONNECTION LIMIT 99; ALTER DATABASE d_upd OWNER TO d_o1");
    expect(await f.pg.read(D, prior, ctx)).toMatchObject({ connection_limit: 99, owner: "d_o1" });
    expect(await f.pg.update(D, prior, pick(prior), ctx)).toEqual(prior);
    expect(await pgDatabase("d_upd")).toMatchObject({ owner: "d_o2", datconnlimit: 4 });
    // A template that takes no connections is still dropped.
    await f.pg.delete(D, prior, ctx);
    expect(await pgDatabase("d_upd")).toBeUndefined();
  });

  it("refuses to converge an existing database whose encoding differs (it is fixed at creation)", async () => {
    await f.srv.psql("CREATE DATABASE d_latin ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
    const err = await providerError(f.pg.create(D, { name: "d_latin", encoding: "UTF8" }, ctx), "postgres.immutable");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('database "d_latin" exists with encoding "LATIN1", not "UTF8"');
  });

  it("delete drops a database others are connected to (WITH FORCE), and this provider's own connections to it", async () => {
    await f.pg.create(D, { name: "d_busy" }, ctx);
    await f.pg.create(S, { database: "d_busy", name: "s1" }, ctx); // the provider now holds a connection to d_busy
    const other = new pg.Client({ host: f.srv.host, port: f.srv.port, user: f.srv.user, password: f.srv.password, database: "d_busy" });
    other.on("error", () => undefined);
    await other.connect();
    await f.pg.delete(D, { name: "d_busy" }, ctx);
    expect(await pgDatabase("d_busy")).toBeUndefined();
    await other.end().catch(() => undefined);
    await f.pg.delete(D, { name: "d_busy" }, ctx);
    expect(await f.pg.read(D, { name: "d_busy" }, ctx)).toBeNull();
    // What lived in it is gone too: read null, delete done.
    expect(await f.pg.read(S, { database: "d_busy", name: "s1" }, ctx)).toBeNull();
    await f.pg.delete(S, { database: "d_busy", name: "s1" }, ctx);
  });

  it("quotes hostile database names", async () => {
    const name = `shop"; DROP DATABASE postgres; -- 'ü'`;
    const got = await f.pg.create(D, { name, connection_limit: 2 }, ctx);
    expect(got["name"]).toBe(name);
    expect(await pgDatabase(name)).toMatchObject({ datconnlimit: 2 });
    await f.pg.delete(D, { name }, ctx);
    expect(await pgDatabase(name)).toBeUndefined();
    expect(await pgDatabase("postgres")).toBeDefined();
  });
});

/** A database's goal from its read-back (without the computed locale attributes). */
function pick(o: Record<string, unknown>) {
  const { lc_collate: _c, lc_ctype: _t, ...rest } = o;
  return rest as Record<string, never>;
}

describe("postgres.schema", () => {
  it("create, owner change, drift, delete; hostile names", async () => {
    await f.pg.create(D, { name: "s_db" }, ctx);
    await f.srv.psql('CREATE ROLE s_o1; CREATE ROLE "s o2 ""odd"""');
    const name = `sales"; DROP SCHEMA public; --`;
    const goal = { database: "s_db", name, owner: "s_o1" };
    expect(await f.pg.create(S, goal, ctx)).toEqual({ ...goal, drop_cascade: false });
    const owner = async () => (await f.srv.psql("SELECT pg_get_userbyid(nspowner)::text AS o FROM pg_namespace WHERE nspname = $1", "s_db", [name]))[0]?.["o"];
    expect(await owner()).toBe("s_o1");
    expect(await f.pg.update(S, {}, { ...goal, owner: 's o2 "odd"' }, ctx)).toEqual({ ...goal, owner: 's o2 "odd"', drop_cascade: false });
    expect(await owner()).toBe('s o2 "odd"');
    await f.srv.psql(`ALTER SCHEMA ${pg.escapeIdentifier(name)} OWNER TO s_o1`, "s_db");
    expect((await f.pg.read(S, goal, ctx))!["owner"]).toBe("s_o1");
    await f.pg.delete(S, goal, ctx);
    expect(await owner()).toBeUndefined();
    expect(await f.srv.psql("SELECT 1 FROM pg_namespace WHERE nspname = 'public'", "s_db")).toHaveLength(1);
    await f.pg.delete(S, goal, ctx);
    expect(await f.pg.read(S, goal, ctx)).toBeNull();
  });

  it("a schema that holds objects is dropped only with drop_cascade", async () => {
    await f.pg.create(D, { name: "s_db2" }, ctx);
    await f.pg.create(S, { database: "s_db2", name: "stuffed" }, ctx);
    await f.srv.psql("CREATE TABLE stuffed.t (id int)", "s_db2");
    const err = await providerError(f.pg.delete(S, { database: "s_db2", name: "stuffed" }, ctx), "postgres.dependent_objects");
    expect(err.message).toContain("SQLSTATE 2BP01");
    expect(err.retryable).toBe(false);
    await f.pg.delete(S, { database: "s_db2", name: "stuffed", drop_cascade: true }, ctx);
    expect(await f.srv.psql("SELECT 1 FROM pg_namespace WHERE nspname = 'stuffed'", "s_db2")).toEqual([]);
  });

  it("creating a schema in a database that does not exist fails, not retryable", async () => {
    const err = await providerError(f.pg.create(S, { database: "no_such_db", name: "x" }, ctx), "postgres.undefined");
    expect(err.message).toContain("SQLSTATE 3D000");
    expect(err.retryable).toBe(false);
  });
});

describe("postgres.extension", () => {
  it("installs the default version, reads it back, updates to another version, moves schema, deletes", async () => {
    await f.pg.create(D, { name: "e_db" }, ctx);
    await f.pg.create(S, { database: "e_db", name: "ext" }, ctx);
    const versions = (await f.srv.psql("SELECT version FROM pg_available_extension_versions WHERE name = 'citext' ORDER BY string_to_array(version, '.')::int[]", "e_db")).map((r) => String(r["version"]));
    expect(versions.length).toBeGreaterThanOrEqual(2);
    const [older, newer] = [versions[versions.length - 2]!, versions[versions.length - 1]!];
    const goal = { database: "e_db", name: "citext", version: older };
    expect(await f.pg.create(E, goal, ctx)).toEqual({ ...goal, schema: "public", drop_cascade: false });
    const installed = async () => (await f.srv.psql("SELECT extversion, extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'citext'", "e_db"))[0];
    expect(await installed()).toEqual({ extversion: older, schema: "public" });
    expect(await f.pg.update(E, {}, { ...goal, version: newer }, ctx)).toMatchObject({ version: newer });
    expect(await f.pg.update(E, {}, { ...goal, version: newer, schema: "ext" }, ctx)).toMatchObject({ version: newer, schema: "ext" });
    expect(await installed()).toEqual({ extversion: newer, schema: "ext" });
    await f.pg.delete(E, goal, ctx);
    expect(await installed()).toBeUndefined();
    await f.pg.delete(E, goal, ctx);
    expect(await f.pg.read(E, goal, ctx)).toBeNull();
  });

  it("without a version, the server's default is installed and read back", async () => {
    await f.pg.create(D, { name: "e_db2" }, ctx);
    const def = (await f.srv.psql("SELECT default_version FROM pg_available_extensions WHERE name = 'pgcrypto'"))[0]!["default_version"];
    expect(await f.pg.create(E, { database: "e_db2", name: "pgcrypto" }, ctx)).toEqual({ database: "e_db2", name: "pgcrypto", schema: "public", version: def, drop_cascade: false });
    expect(await f.srv.psql("SELECT encode(digest('x', 'sha256'), 'hex') AS h", "e_db2")).toEqual([{ h: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" }]);
  });

  it("an extension the server does not have fails, not retryable", async () => {
    await f.pg.create(D, { name: "e_db3" }, ctx);
    // Recent PostgreSQL says 0A000 (feature_not_supported), older ones 58P01 (undefined_file).
    const err = (await f.pg.create(E, { database: "e_db3", name: "no_such_extension" }, ctx).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(["postgres.unsupported", "postgres.undefined"]).toContain(err.code);
    expect(err.message).toMatch(/extension "no_such_extension" is not available.*\(SQLSTATE (0A000|58P01)\)/);
    expect(err.retryable).toBe(false);
  });
});
