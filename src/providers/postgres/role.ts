import type { JsonObject } from "../../program/types.js";
import { asWritten, boolAttr, checkName, ident, intAttr, listAttr, literal, nameAttr, optStringAttr, sameList, sortedStrings } from "./attrs.js";
import type { Query, Row } from "./connections.js";
import type { TypeOps } from "./ops.js";
import { scramSecret } from "./scram.js";

const TYPE = "postgres.role";

/** The role's switches: attribute, pg_roles column, the keyword that sets it (NO… clears it), default. */
const FLAGS: readonly (readonly [attr: string, column: string, keyword: string, fallback: boolean])[] = [
  ["bypass_row_level_security", "rolbypassrls", "BYPASSRLS", false],
  ["create_database", "rolcreatedb", "CREATEDB", false],
  ["create_role", "rolcreaterole", "CREATEROLE", false],
  ["inherit", "rolinherit", "INHERIT", true],
  ["login", "rolcanlogin", "LOGIN", false],
  ["replication", "rolreplication", "REPLICATION", false],
  ["superuser", "rolsuper", "SUPERUSER", false],
];

/** The goal of a role, checked. */
interface RoleGoal {
  readonly name: string;
  readonly flags: ReadonlyMap<string, boolean>;
  readonly connectionLimit: number;
  readonly validUntil: string;
  readonly password: string | undefined;
  readonly roles: string[];
  readonly searchPath: string[];
}

function goalOf(attrs: JsonObject): RoleGoal {
  return {
    name: nameAttr(TYPE, attrs, "name"),
    flags: new Map(FLAGS.map(([attr, , , fallback]) => [attr, boolAttr(TYPE, attrs, attr, fallback)])),
    connectionLimit: intAttr(TYPE, attrs, "connection_limit", -1, -1),
    validUntil: optStringAttr(TYPE, attrs, "valid_until") ?? "infinity",
    password: optStringAttr(TYPE, attrs, "password"),
    roles: listAttr(TYPE, attrs, "roles", (r) => checkName(TYPE, "roles", r)),
    searchPath: listAttr(TYPE, attrs, "search_path", (s) => checkName(TYPE, "search_path", s)),
  };
}

// valid_until is compared by the server (so "2030-01-01" equals what it stored) and shown in
// UTC when it differs; memberships as text (name[] has no parser in node-postgres).
const READ_SQL = `
SELECT r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication,
       r.rolbypassrls, r.rolconnlimit, r.rolconfig,
       CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN 'infinity'
            ELSE to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00' END AS valid_until,
       coalesce(r.rolvaliduntil, 'infinity') = $2::timestamptz AS same_valid_until,
       ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m
             JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS roles
FROM pg_catalog.pg_roles r WHERE r.rolname = $1`;

async function readRow(q: Query, goal: RoleGoal): Promise<Row | null> {
  const rows = await q(READ_SQL, [goal.name, goal.validUntil]);
  return rows[0] ?? null;
}

/** The role as the goal would write it, from its pg_roles row (no password: it cannot be read back). */
function attrsOf(row: Row, goal: RoleGoal): JsonObject {
  const out: JsonObject = { name: goal.name };
  for (const [attr, column] of FLAGS) out[attr] = row[column] === true;
  out["connection_limit"] = Number(row["rolconnlimit"]);
  out["valid_until"] = row["same_valid_until"] === true ? goal.validUntil : String(row["valid_until"]);
  out["roles"] = asWritten(row["roles"] as string[], goal.roles);
  out["search_path"] = searchPathOf(row["rolconfig"] as string[] | null);
  return out;
}

/** The role's own search_path setting (ALTER ROLE … SET search_path), [] when it has none. */
export function searchPathOf(config: readonly string[] | null): string[] {
  const entry = config?.find((c) => c.startsWith("search_path="));
  return entry === undefined ? [] : parseGucList(entry.slice("search_path=".length));
}

/** Splits a list setting as PostgreSQL stores it (`"$user", public, "x""y"`): items quoted as identifiers when needed. */
export function parseGucList(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (s[i] === " ") i++;
    let item = "";
    if (s[i] === '"') {
      i++;
      while (i < s.length) {
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            item += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        item += s[i++];
      }
    } else {
      const end = s.indexOf(",", i);
      item = s.slice(i, end < 0 ? s.length : end).trim();
      i = end < 0 ? s.length : end;
    }
    out.push(item);
    while (i < s.length && s[i] !== ",") i++;
    i++;
  }
  return out;
}

/** The role options that differ from `row` (all of them for a new role), as CREATE/ALTER ROLE words. */
function options(goal: RoleGoal, row: Row | null): string[] {
  const words: string[] = [];
  // Only what changes is written: a non-superuser may not even name SUPERUSER or REPLICATION.
  for (const [attr, column, keyword] of FLAGS) {
    const want = goal.flags.get(attr)!;
    if (row === null || (row[column] === true) !== want) words.push(want ? keyword : `NO${keyword}`);
  }
  if (row === null || Number(row["rolconnlimit"]) !== goal.connectionLimit) words.push(`CONNECTION LIMIT ${goal.connectionLimit}`);
  if (row === null || row["same_valid_until"] !== true) words.push(`VALID UNTIL ${literal(goal.validUntil)}`);
  // The password travels as its SCRAM secret: never in clear to the server or its logs.
  if (goal.password !== undefined) words.push(`PASSWORD ${literal(scramSecret(goal.password))}`);
  return words;
}

/** Brings memberships and search_path to the goal; `row` is the role as it was (null: just created). */
async function converge(q: Query, goal: RoleGoal, row: Row | null): Promise<void> {
  const member = new Set(row === null ? [] : (row["roles"] as string[]));
  const wanted = new Set(goal.roles);
  for (const g of goal.roles) if (!member.has(g)) await q(`GRANT ${ident(g)} TO ${ident(goal.name)}`);
  for (const g of sortedStrings(member)) if (!wanted.has(g)) await q(`REVOKE ${ident(g)} FROM ${ident(goal.name)}`);
  const path = row === null ? [] : searchPathOf(row["rolconfig"] as string[] | null);
  if (!sameList(path, goal.searchPath)) {
    if (goal.searchPath.length === 0) await q(`ALTER ROLE ${ident(goal.name)} RESET search_path`);
    else await q(`ALTER ROLE ${ident(goal.name)} SET search_path TO ${goal.searchPath.map(ident).join(", ")}`);
  }
}

const what = (goal: RoleGoal, verb: string) => `${verb} role ${JSON.stringify(goal.name)}`;

/** postgres.role: a role (user or group) of the cluster, read from pg_roles and pg_auth_members. */
export const roleOps: TypeOps = {
  async read(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return cx.run(cx.settings.database, what(goal, "read"), ctx, async (q) => {
      const row = await readRow(q, goal);
      return row === null ? null : attrsOf(row, goal);
    });
  },

  async apply(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    const back = await cx.tx(cx.settings.database, what(goal, "apply"), ctx, async (q) => {
      const row = await readRow(q, goal);
      const words = options(goal, row);
      if (row === null) await q(`CREATE ROLE ${ident(goal.name)} WITH ${words.join(" ")}`);
      else if (words.length > 0) await q(`ALTER ROLE ${ident(goal.name)} WITH ${words.join(" ")}`);
      await converge(q, goal, row);
      return attrsOf((await readRow(q, goal))!, goal);
    });
    // The password cannot be read back; the value written stands for it (the runtime records its digest only).
    if (goal.password !== undefined) back["password"] = goal.password;
    return back;
  },

  async remove(cx, attrs, ctx) {
    const name = nameAttr(TYPE, attrs, "name");
    await cx.run(cx.settings.database, `delete role ${JSON.stringify(name)}`, ctx, (q) => q(`DROP ROLE IF EXISTS ${ident(name)}`));
  },
};
