import type { JsonObject } from "../../program/types.js";
import { boolAttr, ident, literal, nameAttr, optNameAttr, optStringAttr } from "./attrs.js";
import type { Query, Row } from "./connections.js";
import type { TypeOps } from "./ops.js";
import { inDatabase } from "./ops.js";

const TYPE = "postgres.extension";

interface ExtensionGoal {
  readonly database: string;
  readonly name: string;
  readonly schema: string | undefined;
  readonly version: string | undefined;
  readonly dropCascade: boolean;
}

function goalOf(attrs: JsonObject): ExtensionGoal {
  return {
    database: nameAttr(TYPE, attrs, "database"),
    name: nameAttr(TYPE, attrs, "name"),
    schema: optNameAttr(TYPE, attrs, "schema"),
    version: optStringAttr(TYPE, attrs, "version"),
    dropCascade: boolAttr(TYPE, attrs, "drop_cascade", false),
  };
}

async function readRow(q: Query, name: string): Promise<Row | null> {
  const rows = await q(
    `SELECT e.extversion::text AS version, n.nspname::text AS schema
     FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`,
    [name],
  );
  return rows[0] ?? null;
}

const attrsOf = (goal: ExtensionGoal, row: Row): JsonObject => ({
  database: goal.database,
  name: goal.name,
  schema: String(row["schema"]),
  version: String(row["version"]),
  drop_cascade: goal.dropCascade,
});

const label = (goal: ExtensionGoal) => `extension ${JSON.stringify(goal.name)} in database ${JSON.stringify(goal.database)}`;

/**
 * postgres.extension: an extension installed in a database, read from pg_extension. Without
 * `version` the server's default version is installed and the installed one is read back;
 * a changed `version` is an ALTER EXTENSION … UPDATE, a changed `schema` an ALTER EXTENSION
 * … SET SCHEMA (for relocatable extensions).
 */
export const extensionOps: TypeOps = {
  async read(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return inDatabase(cx, goal.database, `read ${label(goal)}`, ctx, null, async (q) => {
      const row = await readRow(q, goal.name);
      return row === null ? null : attrsOf(goal, row);
    });
  },

  async apply(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return cx.tx(goal.database, `apply ${label(goal)}`, ctx, async (q) => {
      const row = await readRow(q, goal.name);
      if (row === null) {
        const schema = goal.schema !== undefined ? ` SCHEMA ${ident(goal.schema)}` : "";
        const version = goal.version !== undefined ? ` VERSION ${literal(goal.version)}` : "";
        await q(`CREATE EXTENSION IF NOT EXISTS ${ident(goal.name)}${schema}${version}`);
      } else {
        if (goal.schema !== undefined && row["schema"] !== goal.schema) await q(`ALTER EXTENSION ${ident(goal.name)} SET SCHEMA ${ident(goal.schema)}`);
        if (goal.version !== undefined && row["version"] !== goal.version) await q(`ALTER EXTENSION ${ident(goal.name)} UPDATE TO ${literal(goal.version)}`);
      }
      return attrsOf(goal, (await readRow(q, goal.name))!);
    });
  },

  async remove(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    await inDatabase(cx, goal.database, `delete ${label(goal)}`, ctx, undefined, async (q) => {
      await q(`DROP EXTENSION IF EXISTS ${ident(goal.name)}${goal.dropCascade ? " CASCADE" : ""}`);
    });
  },
};
