import type { JsonObject } from "../../program/types.js";
import { ProviderError } from "../types.js";
import { boolAttr, ident, nameAttr, optNameAttr, sameList } from "./attrs.js";
import type { Query } from "./connections.js";
import { badAttr } from "./errors.js";
import type { TypeOps } from "./ops.js";
import { inDatabase } from "./ops.js";
import { ACL_CHAR, allPrivileges, granteeAttr, granteeOid, granteeSql, grantState, heldByKey, privilegeSql, privilegesAttr, roleOid } from "./privileges.js";

const TYPE = "postgres.default_privileges";
/** Object type → the plural ALTER DEFAULT PRIVILEGES uses and pg_default_acl's defaclobjtype. */
const KINDS: Readonly<Record<string, { plural: string; defacl: string }>> = {
  function: { plural: "FUNCTIONS", defacl: "f" },
  schema: { plural: "SCHEMAS", defacl: "n" },
  sequence: { plural: "SEQUENCES", defacl: "S" },
  table: { plural: "TABLES", defacl: "r" },
  type: { plural: "TYPES", defacl: "T" },
};

interface DefaultsGoal {
  readonly database: string;
  readonly role: string;
  /** The role whose future objects get the privileges. */
  readonly owner: string;
  /** Only objects created in this schema; all schemas when unset. */
  readonly schema: string | undefined;
  readonly objectType: string;
  readonly privileges: string[];
  readonly withGrantOption: boolean;
}

function goalOf(attrs: JsonObject): DefaultsGoal {
  const objectType = attrs["object_type"];
  if (typeof objectType !== "string" || !(objectType in KINDS)) throw badAttr(TYPE, "object_type", `must be one of ${Object.keys(KINDS).join(", ")}`);
  const goal: DefaultsGoal = {
    database: nameAttr(TYPE, attrs, "database"),
    role: granteeAttr(TYPE, attrs),
    owner: nameAttr(TYPE, attrs, "owner"),
    schema: optNameAttr(TYPE, attrs, "schema"),
    objectType,
    privileges: privilegesAttr(TYPE, objectType, attrs),
    withGrantOption: boolAttr(TYPE, attrs, "with_grant_option", false),
  };
  if (objectType === "schema" && goal.schema !== undefined) throw badAttr(TYPE, "schema", 'must not be set when object_type is "schema" (default privileges on schemas are database-wide)');
  if (goal.role === "public" && goal.withGrantOption) throw badAttr(TYPE, "with_grant_option", "cannot be true for role public (PostgreSQL gives no grant option to PUBLIC)");
  return goal;
}

// The owner's entry for the schema (or, without a schema, database-wide); database-wide with
// no entry means PostgreSQL's built-in defaults, which acldefault() spells out.
const READ_SQL = `
SELECT '' AS key, a.privilege_type, a.is_grantable
FROM (SELECT coalesce(
        (SELECT d.defaclacl FROM pg_catalog.pg_default_acl d
         WHERE d.defaclrole = $1::oid AND d.defaclnamespace = $2::oid AND d.defaclobjtype = $3::"char"),
        CASE WHEN $2::oid = 0 THEN acldefault($4::"char", $1::oid) END) AS acl) x
LEFT JOIN LATERAL aclexplode(x.acl) a ON a.grantee = $5::oid`;

/** The default privileges as read back; null when the owner, the role or the schema is missing, or nothing is granted. */
async function read(q: Query, goal: DefaultsGoal): Promise<JsonObject | null> {
  const owner = await roleOid(q, goal.owner);
  const grantee = await granteeOid(q, goal.role);
  if (owner === null || grantee === null) return null;
  let schemaOid = "0";
  if (goal.schema !== undefined) {
    const rows = await q("SELECT oid::text AS oid FROM pg_catalog.pg_namespace WHERE nspname = $1", [goal.schema]);
    if (rows.length === 0) return null;
    schemaOid = String(rows[0]!["oid"]);
  }
  const rows = await q(READ_SQL, [owner, schemaOid, KINDS[goal.objectType]!.defacl, ACL_CHAR[goal.objectType], grantee]);
  const s = grantState(heldByKey(rows), goal.privileges, await allPrivileges(q, goal.objectType), goal.withGrantOption);
  if (s === null) return null;
  const out: JsonObject = { database: goal.database, role: goal.role, owner: goal.owner, object_type: goal.objectType, ...s };
  if (goal.schema !== undefined) out["schema"] = goal.schema;
  return out;
}

function alterSql(goal: DefaultsGoal): string {
  return `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(goal.owner)}${goal.schema !== undefined ? ` IN SCHEMA ${ident(goal.schema)}` : ""}`;
}

const label = (goal: DefaultsGoal) =>
  `default privileges on ${goal.objectType} objects of role ${JSON.stringify(goal.owner)}${goal.schema !== undefined ? ` in schema ${JSON.stringify(goal.schema)}` : ""} for role ${JSON.stringify(goal.role)} in database ${JSON.stringify(goal.database)}`;

/**
 * postgres.default_privileges (Terraform's postgresql_default_privileges): the privileges
 * `role` gets on objects `owner` creates later, read from pg_default_acl. Like
 * postgres.grant it owns the role's default privileges there: apply revokes and grants in
 * one transaction when they differ; delete revokes them.
 */
export const defaultPrivilegesOps: TypeOps = {
  async read(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return inDatabase(cx, goal.database, `read ${label(goal)}`, ctx, null, (q) => read(q, goal));
  },

  async apply(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return cx.tx(goal.database, `apply ${label(goal)}`, ctx, async (q) => {
      const now = await read(q, goal);
      const same = now !== null && now["with_grant_option"] === goal.withGrantOption && sameList(now["privileges"] as string[], goal.privileges);
      if (!same) {
        const kind = KINDS[goal.objectType]!.plural;
        const to = granteeSql(goal.role);
        await q(`${alterSql(goal)} REVOKE ALL PRIVILEGES ON ${kind} FROM ${to}`);
        if (goal.privileges.length > 0) await q(`${alterSql(goal)} GRANT ${privilegeSql(goal.privileges)} ON ${kind} TO ${to}${goal.withGrantOption ? " WITH GRANT OPTION" : ""}`);
      }
      const back = await read(q, goal);
      if (back === null) throw new ProviderError("postgres.sql", `postgres: apply ${label(goal)}: the privileges granted cannot be read back`, false);
      return back;
    });
  },

  async remove(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    await inDatabase(cx, goal.database, `delete ${label(goal)}`, ctx, undefined, async (q) => {
      if ((await read(q, goal)) === null) return;
      await q(`${alterSql(goal)} REVOKE ALL PRIVILEGES ON ${KINDS[goal.objectType]!.plural} FROM ${granteeSql(goal.role)}`);
    });
  },
};
