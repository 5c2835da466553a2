import type { JsonObject } from "../../program/types.js";
import { boolAttr, ident, nameAttr, optNameAttr } from "./attrs.js";
import type { Query } from "./connections.js";
import type { TypeOps } from "./ops.js";
import { inDatabase } from "./ops.js";

const TYPE = "postgres.schema";

interface SchemaGoal {
  readonly database: string;
  readonly name: string;
  readonly owner: string | undefined;
  readonly dropCascade: boolean;
}

function goalOf(attrs: JsonObject): SchemaGoal {
  return {
    database: nameAttr(TYPE, attrs, "database"),
    name: nameAttr(TYPE, attrs, "name"),
    owner: optNameAttr(TYPE, attrs, "owner"),
    dropCascade: boolAttr(TYPE, attrs, "drop_cascade", false),
  };
}

async function ownerOf(q: Query, name: string): Promise<string | null> {
  const rows = await q("SELECT pg_catalog.pg_get_userbyid(n.nspowner)::text AS owner FROM pg_catalog.pg_namespace n WHERE n.nspname = $1", [name]);
  return rows.length === 0 ? null : String(rows[0]!["owner"]);
}

// drop_cascade is how Lexum deletes, not a property of the schema: read back as set.
const attrsOf = (goal: SchemaGoal, owner: string): JsonObject => ({ database: goal.database, name: goal.name, owner, drop_cascade: goal.dropCascade });

const label = (goal: { database: string; name: string }) => `schema ${JSON.stringify(goal.name)} in database ${JSON.stringify(goal.database)}`;

/** postgres.schema: a schema (namespace) in a database, read from pg_namespace. */
export const schemaOps: TypeOps = {
  async read(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return inDatabase(cx, goal.database, `read ${label(goal)}`, ctx, null, async (q) => {
      const owner = await ownerOf(q, goal.name);
      return owner === null ? null : attrsOf(goal, owner);
    });
  },

  async apply(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return cx.tx(goal.database, `apply ${label(goal)}`, ctx, async (q) => {
      const owner = await ownerOf(q, goal.name);
      const authorization = goal.owner !== undefined ? ` AUTHORIZATION ${ident(goal.owner)}` : "";
      if (owner === null) await q(`CREATE SCHEMA ${ident(goal.name)}${authorization}`);
      else if (goal.owner !== undefined && owner !== goal.owner) await q(`ALTER SCHEMA ${ident(goal.name)} OWNER TO ${ident(goal.owner)}`);
      return attrsOf(goal, (await ownerOf(q, goal.name))!);
    });
  },

  async remove(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    await inDatabase(cx, goal.database, `delete ${label(goal)}`, ctx, undefined, async (q) => {
      await q(`DROP SCHEMA IF EXISTS ${ident(goal.name)}${goal.dropCascade ? " CASCADE" : ""}`);
    });
  },
};
