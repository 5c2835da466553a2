import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../src/program/types.js";
import { parseGucList } from "../../../src/providers/postgres/role.js";
import { ctx, forward, providerError, useServer } from "./fixture.js";

const f = useServer();

const R = "postgres.role";
/** Every attribute a role's read returns, at its default. */
const DEFAULTS = {
  login: false,
  superuser: false,
  create_database: false,
  create_role: false,
  inherit: true,
  replication: false,
  bypass_row_level_security: false,
  connection_limit: -1,
  valid_until: "infinity",
  roles: [],
  search_path: [],
};

async function pgRole(name: string): Promise<Record<string, unknown> | undefined> {
  return (await f.srv.psql("SELECT r.*, r.rolconfig AS config, a.rolpassword, a.xmin::text AS version FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname = $1", "postgres", [name]))[0];
}


describe("postgres.role", () => {
  it("create → read back every attribute; the server holds exactly that", async () => {
    const goal = { name: "r_basic", login: true, create_database: true, connection_limit: 10, valid_until: "2030-01-01", search_path: ["app", "$user", "public"] };
    const created = await f.pg.create(R, goal, ctx);
    expect(created).toEqual({ ...DEFAULTS, ...goal });
    expect(await f.pg.read(R, { name: "r_basic" }, ctx)).toEqual({ ...DEFAULTS, ...goal, valid_until: "2030-01-01 00:00:00+00" });
    expect(await f.pg.read(R, goal, ctx)).toEqual({ ...DEFAULTS, ...goal });
    const row = (await pgRole("r_basic"))!;
    expect(row).toMatchObject({ rolcanlogin: true, rolcreatedb: true, rolconnlimit: 10, rolinherit: true, rolsuper: false });
    expect(row["config"]).toEqual(['search_path=app, "$user", public']);
  });

  it("a second create of the identical role writes nothing (its catalog row keeps its version)", async () => {
    const goal = { name: "r_same", login: true, roles: [], search_path: ["x"] };
    await f.pg.create(R, goal, ctx);
    const before = (await pgRole("r_same"))!["version"];
    expect(await f.pg.create(R, goal, ctx)).toEqual({ ...DEFAULTS, ...goal });
    expect((await pgRole("r_same"))!["version"]).toBe(before);
  });

  it("create converges an existing role that differs (adoption)", async () => {
    await f.srv.psql("CREATE ROLE r_adopt CREATEROLE CONNECTION LIMIT 3");
    const got = await f.pg.create(R, { name: "r_adopt", login: true }, ctx);
    expect(got).toEqual({ ...DEFAULTS, name: "r_adopt", login: true });
    expect(await pgRole("r_adopt")).toMatchObject({ rolcreaterole: false, rolconnlimit: -1, rolcanlogin: true });
  });

  it("update changes each attribute, and read shows it", async () => {
    await f.srv.psql("CREATE ROLE r_group1; CREATE ROLE r_group2");
    let goal: JsonObject = { name: "r_upd" };
    let prior = await f.pg.create(R, goal, ctx);
    const changes: [string, unknown][] = [
      ["login", true],
      ["superuser", true],
      ["create_database", true],
      ["create_role", true],
      ["inherit", false],
      ["replication", true],
      ["bypass_row_level_security", true],
      ["connection_limit", 7],
      ["valid_until", "2031-06-01 12:00:00+00"],
      ["roles", ["r_group2", "r_group1"]],
      ["search_path", ["b", "a"]],
    ];
    for (const [attr, value] of changes) {
      goal = { ...goal, [attr]: value } as JsonObject;
      prior = await f.pg.update(R, prior, goal, ctx);
      expect(prior[attr]).toEqual(value);
      expect(await f.pg.read(R, goal, ctx)).toEqual({ ...DEFAULTS, ...goal });
    }
    expect(await pgRole("r_upd")).toMatchObject({ rolsuper: true, rolreplication: true, rolbypassrls: true, rolinherit: false, rolconnlimit: 7 });
    // Back to the defaults: memberships revoked, search_path reset.
    prior = await f.pg.update(R, prior, { name: "r_upd" }, ctx);
    expect(prior).toEqual({ ...DEFAULTS, name: "r_upd" });
    expect((await pgRole("r_upd"))!["config"]).toBeNull();
    expect(await f.srv.psql("SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'r_upd'")).toEqual([]);
  });

  it("memberships read back in the order the goal lists them; one made behind Lexum's back shows", async () => {
    await f.srv.psql("CREATE ROLE r_m_b; CREATE ROLE r_m_a; CREATE ROLE r_m_c");
    const goal = { name: "r_member", roles: ["r_m_b", "r_m_a"] };
    expect((await f.pg.create(R, goal, ctx))["roles"]).toEqual(["r_m_b", "r_m_a"]);
    await f.srv.psql("GRANT r_m_c TO r_member");
    expect((await f.pg.read(R, goal, ctx))!["roles"]).toEqual(["r_m_a", "r_m_b", "r_m_c"]);
    expect((await f.pg.update(R, {}, goal, ctx))["roles"]).toEqual(["r_m_b", "r_m_a"]);
    expect(await f.srv.psql("SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'r_member' ORDER BY 1")).toEqual([{ rolname: "r_m_a" }, { rolname: "r_m_b" }]);
  });

  it("an ALTER ROLE made behind Lexum's back reads as it is, and apply corrects it", async () => {
    const goal = { name: "r_drift", login: true, connection_limit: 5 };
    await f.pg.create(R, goal, ctx);
    await f.srv.psql("ALTER ROLE r_drift NOLOGIN CONNECTION LIMIT 50 VALID UNTIL '2029-02-03 04:05:06+00'");
    expect(await f.pg.read(R, goal, ctx)).toMatchObject({ login: false, connection_limit: 50, valid_until: "2029-02-03 04:05:06+00" });
    expect(await f.pg.update(R, {}, goal, ctx)).toEqual({ ...DEFAULTS, ...goal });
    expect(await pgRole("r_drift")).toMatchObject({ rolcanlogin: true, rolconnlimit: 5, rolvaliduntil: Infinity });
  });

  it("the password is set (the role logs in with it), returned by create only, never read back", async () => {
    const password = `pa'ss"wo\\rd ünï ${"x".repeat(20)}`;
    const created = await f.pg.create(R, { name: "r_pw", login: true, password }, ctx);
    expect(created["password"]).toBe(password);
    expect(await f.srv.canLogin("r_pw", password)).toBe(true);
    expect(await f.srv.canLogin("r_pw", "wrong")).toBe(false);
    const read = await f.pg.read(R, { name: "r_pw", login: true, password }, ctx);
    expect(read).not.toHaveProperty("password");
    expect(String((await pgRole("r_pw"))!["rolpassword"])).toMatch(/^SCRAM-SHA-256\$4096:/);
    // A new password replaces the old one; no password in the goal leaves it alone.
    await f.pg.update(R, {}, { name: "r_pw", login: true, password: "second" }, ctx);
    expect(await f.srv.canLogin("r_pw", "second")).toBe(true);
    expect(await f.srv.canLogin("r_pw", password)).toBe(false);
    await f.pg.update(R, {}, { name: "r_pw", login: true, connection_limit: 3 }, ctx);
    expect(await f.srv.canLogin("r_pw", "second")).toBe(true);
  });

  it("the password goes over the wire only as its SCRAM secret, never in clear", async () => {
    const fwd = await forward(f.srv.host, f.srv.port);
    const via = f.provider(f.config({ port: fwd.port }));
    const password = "wire-check-Z8x1q-never-in-clear";
    await via.create(R, { name: "r_wire", login: true, password }, ctx);
    await via.update(R, {}, { name: "r_wire", login: true, password: password + "2" }, ctx);
    const bytes = fwd.sent().toString("latin1");
    expect(bytes).toContain("CREATE ROLE");
    expect(bytes).toContain("SCRAM-SHA-256$4096:");
    expect(bytes).not.toContain("wire-check-Z8x1q");
    expect(await f.srv.canLogin("r_wire", password + "2")).toBe(true);
    await fwd.cut();
  });

  it("delete drops the role; deleting an absent role succeeds; reading it gives null", async () => {
    await f.pg.create(R, { name: "r_gone" }, ctx);
    await f.pg.delete(R, { name: "r_gone" }, ctx);
    expect(await pgRole("r_gone")).toBeUndefined();
    await f.pg.delete(R, { name: "r_gone" }, ctx);
    expect(await f.pg.read(R, { name: "r_gone" }, ctx)).toBeNull();
  });

  it("a role that still owns a database is not dropped: dependent_objects, not retryable, with the SQLSTATE", async () => {
    await f.pg.create(R, { name: "r_owner" }, ctx);
    await f.srv.psql('CREATE DATABASE "r_owner_db" OWNER r_owner');
    const err = await providerError(f.pg.delete(R, { name: "r_owner" }, ctx), "postgres.dependent_objects");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("SQLSTATE 2BP01");
    expect(err.message).toContain('delete role "r_owner"');
    expect(err.message).toContain("owner of database r_owner_db");
    expect(await pgRole("r_owner")).toBeDefined();
  });

  it("quotes hostile names everywhere: the role, its memberships and its search_path", async () => {
    await f.srv.psql('CREATE ROLE x; CREATE ROLE "g; DROP ROLE x; --"');
    const names = ['"; DROP ROLE x; --', "it's \"quoted\" \\ too", "spaces and ünïcødé ☃", "Robert'); DROP TABLE pg_class;--"];
    for (const name of names) {
      const goal = { name, login: true, roles: ["g; DROP ROLE x; --"], search_path: [name, "$user"], password: name };
      expect(await f.pg.create(R, goal, ctx)).toEqual({ ...DEFAULTS, ...goal });
      expect(await f.pg.read(R, goal, ctx)).toEqual({ ...DEFAULTS, ...goal, password: undefined });
      expect(await f.srv.canLogin(name, name)).toBe(true);
    }
    expect((await f.srv.psql("SELECT rolname FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname", "postgres", [[...names, "x"]])).map((r) => r["rolname"])).toEqual(
      [...names, "x"].sort(),
    );
    for (const name of names) await f.pg.delete(R, { name }, ctx);
    expect(await f.srv.psql("SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", "postgres", [names])).toEqual([]);
    expect(await pgRole("x")).toBeDefined();
  });

  it("refuses a name PostgreSQL would truncate (over 63 bytes) before any statement", async () => {
    const long = "é".repeat(32); // 64 bytes
    const err = await providerError(f.pg.create(R, { name: long }, ctx), "postgres.invalid_attr");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("longer than 63 bytes");
    expect(await f.srv.psql("SELECT 1 FROM pg_roles WHERE rolname LIKE 'éé%'")).toEqual([]);
  });

  it("splits a list setting as PostgreSQL writes it", () => {
    expect(parseGucList('"$user", public, "Odd Name", "x""y"')).toEqual(["$user", "public", "Odd Name", 'x"y']);
    expect(parseGucList("a")).toEqual(["a"]);
    expect(parseGucList('"a, b", c')).toEqual(["a, b", "c"]);
  });
});
