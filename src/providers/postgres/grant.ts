import type { JsonObject } from "../../program/types.js";
import { boolAttr, checkName, ident, listAttr, nameAttr, optNameAttr, sameList } from "./attrs.js";
import type { Query, Row } from "./connections.js";
import { ProviderError } from "../types.js";
import { badAttr } from "./errors.js";
import type { TypeOps } from "./ops.js";
import { inDatabase } from "./ops.js";
import { allPrivileges, granteeAttr, granteeOid, granteeSql, grantState, heldByKey, privilegeSql, privilegesAttr } from "./privileges.js";
import type { Held } from "./privileges.js";

const TYPE = "postgres.grant";
const OBJECT_TYPES = ["database", "function", "schema", "sequence", "table"];
/** Object types that live in a schema, and how GRANT names all of them at once. */
const IN_SCHEMA: Readonly<Record<string, string>> = { table: "TABLES", sequence: "SEQUENCES", function: "FUNCTIONS" };

interface GrantGoal {
  readonly database: string;
  readonly role: string;
  readonly schema: string | undefined;
  readonly objectType: string;
  /** Named objects; empty = every one of the type in the schema. */
  readonly objects: string[];
  readonly privileges: string[];
  readonly withGrantOption: boolean;
}

function goalOf(attrs: JsonObject): GrantGoal {
  const objectType = attrs["object_type"];
  if (typeof objectType !== "string" || !OBJECT_TYPES.includes(objectType)) throw badAttr(TYPE, "object_type", `must be one of ${OBJECT_TYPES.join(", ")}`);
  const goal: GrantGoal = {
    database: nameAttr(TYPE, attrs, "database"),
    role: granteeAttr(TYPE, attrs),
    schema: optNameAttr(TYPE, attrs, "schema"),
    objectType,
    objects: listAttr(TYPE, attrs, "objects", (o) => checkName(TYPE, "objects", o)),
    privileges: privilegesAttr(TYPE, objectType, attrs),
    withGrantOption: boolAttr(TYPE, attrs, "with_grant_option", false),
  };
  if (objectType === "database" && goal.schema !== undefined) throw badAttr(TYPE, "schema", 'must not be set when object_type is "database"');
  if (objectType !== "database" && goal.schema === undefined) throw badAttr(TYPE, "schema", `is required when object_type is "${objectType}"`);
  if ((objectType === "database" || objectType === "schema") && goal.objects.length > 0) throw badAttr(TYPE, "objects", `must be empty when object_type is "${objectType}"`);
  if (goal.role === "public" && goal.withGrantOption) throw badAttr(TYPE, "with_grant_option", "cannot be true for role public (PostgreSQL gives no grant option to PUBLIC)");
  return goal;
}

/**
 * One row per (object, privilege the role holds on it), or a null privilege for an object it
 * holds nothing on; `key` names the object, `target` is how GRANT names it (quoted), `name`
 * is what `objects` lists. Defaults (a NULL acl) count as acldefault() says.
 */
function heldSql(objectType: string): string {
  const acl = (column: string, kind: string, owner: string) => `LEFT JOIN LATERAL aclexplode(coalesce(${column}, acldefault('${kind}', ${owner}))) a ON a.grantee = $2::oid`;
  switch (objectType) {
    case "database":
      return `SELECT d.datname::text AS key, d.datname::text AS name, '' AS target, a.privilege_type, a.is_grantable
              FROM pg_catalog.pg_database d ${acl("d.datacl", "d", "d.datdba")} WHERE d.datname = $1`;
    case "schema":
      return `SELECT n.nspname::text AS key, n.nspname::text AS name, '' AS target, a.privilege_type, a.is_grantable
              FROM pg_catalog.pg_namespace n ${acl("n.nspacl", "n", "n.nspowner")} WHERE n.nspname = $1`;
    case "function":
      // Overloads are separate objects; a name in `objects` covers every one of them.
      return `SELECT p.oid::regprocedure::text AS key, p.proname::text AS name, p.oid::regprocedure::text AS target, a.privilege_type, a.is_grantable
              FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              ${acl("p.proacl", "f", "p.proowner")} WHERE n.nspname = $1 AND p.prokind <> 'p'`;
    default: {
      // ALL TABLES IN SCHEMA covers tables, views, materialized views, foreign and partitioned tables.
      const kinds = objectType === "table" ? "'r', 'v', 'm', 'f', 'p'" : "'S'";
      return `SELECT c.relname::text AS key, c.relname::text AS name, format('%I.%I', n.nspname, c.relname) AS target, a.privilege_type, a.is_grantable
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              ${acl("c.relacl", objectType === "table" ? "r" : "s", "c.relowner")} WHERE n.nspname = $1 AND c.relkind IN (${kinds})`;
    }
  }
}

/** What the catalogs say about the grant's objects: null when the role, the schema or a named object is missing. */
interface Found {
  readonly held: Held[];
  /** GRANT's name for each object in scope (named objects only). */
  readonly targets: string[];
}

async function find(q: Query, goal: GrantGoal): Promise<Found | null> {
  const oid = await granteeOid(q, goal.role);
  if (oid === null) return null;
  if (goal.objectType !== "database" && (await q("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [goal.schema])).length === 0) return null;
  const scope = goal.objectType === "database" ? goal.database : goal.schema!;
  let rows: Row[] = await q(heldSql(goal.objectType), [scope, oid]);
  if (goal.objects.length > 0) {
    const names = new Set(rows.map((r) => String(r["name"])));
    if (goal.objects.some((o) => !names.has(o))) return null;
    const wanted = new Set(goal.objects);
    rows = rows.filter((r) => wanted.has(String(r["name"])));
  }
  const targets = [...new Set(rows.map((r) => String(r["target"])))].sort();
  return { held: heldByKey(rows), targets };
}

/** How GRANT and REVOKE name the grant's objects. */
function onSql(goal: GrantGoal, found: Found | null): string | null {
  switch (goal.objectType) {
    case "database":
      return `DATABASE ${ident(goal.database)}`;
    case "schema":
      return `SCHEMA ${ident(goal.schema!)}`;
    default:
      if (goal.objects.length === 0) return `ALL ${IN_SCHEMA[goal.objectType]} IN SCHEMA ${ident(goal.schema!)}`;
      // Named objects: as the catalogs name them (server-quoted), only those that exist.
      if (found === null || found.targets.length === 0) return null;
      return `${goal.objectType.toUpperCase()} ${found.targets.join(", ")}`;
  }
}

async function state(q: Query, goal: GrantGoal, found: Found): Promise<JsonObject | null> {
  const s = grantState(found.held, goal.privileges, await allPrivileges(q, goal.objectType), goal.withGrantOption);
  if (s === null) return null;
  const out: JsonObject = { database: goal.database, role: goal.role, object_type: goal.objectType, objects: goal.objects, ...s };
  if (goal.schema !== undefined) out["schema"] = goal.schema;
  return out;
}

/** What the grant is on, in words for messages: `grant on all tables in schema "sales" in database "shop" to role "reader"`. */
function label(goal: GrantGoal): string {
  const quote = JSON.stringify;
  const db = ` in database ${quote(goal.database)}`;
  const on =
    goal.objectType === "database"
      ? `database ${quote(goal.database)}`
      : goal.objectType === "schema"
        ? `schema ${quote(goal.schema)}${db}`
        : `${goal.objects.length === 0 ? `all ${goal.objectType}s` : `${goal.objectType} ${goal.objects.map((o) => quote(o)).join(", ")}`} in schema ${quote(goal.schema)}${db}`;
  return `grant on ${on} to role ${quote(goal.role)}`;
}

/**
 * postgres.grant: the privileges one role holds on a database, a schema, or tables,
 * sequences or functions of a schema (the named `objects`, or all of them), read with
 * aclexplode over datacl / nspacl / relacl / proacl. The grant owns the role's privileges on
 * those objects: apply revokes what the goal does not list and grants what it does, in one
 * transaction, and only when the catalogs differ from the goal.
 */
export const grantOps: TypeOps = {
  async read(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return inDatabase(cx, goal.database, `read ${label(goal)}`, ctx, null, async (q) => {
      const found = await find(q, goal);
      return found === null ? null : state(q, goal, found);
    });
  },

  async apply(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return cx.tx(goal.database, `apply ${label(goal)}`, ctx, async (q) => {
      const found = await find(q, goal);
      const now = found === null ? null : await state(q, goal, found);
      const same = now !== null && sameList(now["privileges"] as string[], goal.privileges) && now["with_grant_option"] === goal.withGrantOption;
      if (!same) {
        // Without a target (a named object missing) GRANT names the objects as written, and PostgreSQL says which one is missing.
        const on = onSql(goal, found) ?? `${goal.objectType.toUpperCase()} ${goal.objects.map((o) => `${ident(goal.schema!)}.${ident(o)}`).join(", ")}`;
        const to = granteeSql(goal.role);
        await q(`REVOKE ALL PRIVILEGES ON ${on} FROM ${to}`);
        if (goal.privileges.length > 0) await q(`GRANT ${privilegeSql(goal.privileges)} ON ${on} TO ${to}${goal.withGrantOption ? " WITH GRANT OPTION" : ""}`);
      }
      const back = await find(q, goal);
      const result = back === null ? null : await state(q, goal, back);
      if (result === null) throw new ProviderError("postgres.sql", `postgres: apply ${label(goal)}: the privileges granted cannot be read back`, false);
      return result;
    });
  },

  async remove(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    await inDatabase(cx, goal.database, `delete ${label(goal)}`, ctx, undefined, async (q) => {
      const found = await find(q, goal);
      if (found === null) return;
      const on = onSql(goal, found);
      if (on !== null) await q(`REVOKE ALL PRIVILEGES ON ${on} FROM ${granteeSql(goal.role)}`);
    });
  },
};
