import type { JsonObject } from "../../program/types.js";
import { boolAttr, ident, intAttr, literal, nameAttr, optNameAttr, optStringAttr } from "./attrs.js";
import type { Query, Row } from "./connections.js";
import { immutable } from "./errors.js";
import type { TypeOps } from "./ops.js";

const TYPE = "postgres.database";

interface DatabaseGoal {
  readonly name: string;
  readonly owner: string | undefined;
  readonly template: string;
  readonly encoding: string;
  readonly lcCollate: string | undefined;
  readonly lcCtype: string | undefined;
  readonly connectionLimit: number;
  readonly allowConnections: boolean;
  readonly isTemplate: boolean;
}

function goalOf(attrs: JsonObject): DatabaseGoal {
  return {
    name: nameAttr(TYPE, attrs, "name"),
    owner: optNameAttr(TYPE, attrs, "owner"),
    template: optNameAttr(TYPE, attrs, "template") ?? "template0",
    encoding: optStringAttr(TYPE, attrs, "encoding") ?? "UTF8",
    lcCollate: optStringAttr(TYPE, attrs, "lc_collate"),
    lcCtype: optStringAttr(TYPE, attrs, "lc_ctype"),
    connectionLimit: intAttr(TYPE, attrs, "connection_limit", -1, -1),
    allowConnections: boolAttr(TYPE, attrs, "allow_connections", true),
    isTemplate: boolAttr(TYPE, attrs, "is_template", false),
  };
}

// The encoding is compared by the server, so "utf8" or "UTF-8" read back as written.
const READ_SQL = `
SELECT pg_catalog.pg_get_userbyid(d.datdba)::text AS owner, pg_catalog.pg_encoding_to_char(d.encoding)::text AS encoding,
       pg_catalog.pg_char_to_encoding($2) = d.encoding AS same_encoding,
       d.datcollate::text AS lc_collate, d.datctype::text AS lc_ctype,
       d.datconnlimit, d.datallowconn, d.datistemplate
FROM pg_catalog.pg_database d WHERE d.datname = $1`;

async function readRow(q: Query, goal: DatabaseGoal): Promise<Row | null> {
  return (await q(READ_SQL, [goal.name, goal.encoding]))[0] ?? null;
}

function attrsOf(row: Row, goal: DatabaseGoal): JsonObject {
  return {
    name: goal.name,
    owner: String(row["owner"]),
    // The template is not kept by PostgreSQL: it is what the database was (to be) made from.
    template: goal.template,
    encoding: row["same_encoding"] === true ? goal.encoding : String(row["encoding"]),
    lc_collate: String(row["lc_collate"]),
    lc_ctype: String(row["lc_ctype"]),
    connection_limit: Number(row["datconnlimit"]),
    allow_connections: row["datallowconn"] === true,
    is_template: row["datistemplate"] === true,
  };
}

/** ALTER DATABASE … WITH options that differ from `row`. */
function changes(goal: DatabaseGoal, row: Row): string[] {
  const words: string[] = [];
  if (Number(row["datconnlimit"]) !== goal.connectionLimit) words.push(`CONNECTION LIMIT ${goal.connectionLimit}`);
  if ((row["datallowconn"] === true) !== goal.allowConnections) words.push(`ALLOW_CONNECTIONS ${goal.allowConnections}`);
  if ((row["datistemplate"] === true) !== goal.isTemplate) words.push(`IS_TEMPLATE ${goal.isTemplate}`);
  return words;
}

const label = (name: string) => `database ${JSON.stringify(name)}`;

/**
 * postgres.database: read from pg_database. Created from `template` (template0 unless set);
 * encoding, lc_collate and lc_ctype are fixed at creation (a change replaces the database).
 * Delete ends this provider's own connections to it and drops it WITH (FORCE), ending other
 * sessions, as Terraform's provider does.
 */
export const databaseOps: TypeOps = {
  async read(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return cx.run(cx.settings.database, `read ${label(goal.name)}`, ctx, async (q) => {
      const row = await readRow(q, goal);
      return row === null ? null : attrsOf(row, goal);
    });
  },

  async apply(cx, attrs, ctx) {
    const goal = goalOf(attrs);
    return cx.run(cx.settings.database, `apply ${label(goal.name)}`, ctx, async (q) => {
      let row = await readRow(q, goal);
      if (row === null) {
        // CREATE DATABASE cannot run inside a transaction: it is one statement, all or nothing.
        const words = [`TEMPLATE ${ident(goal.template)}`, `ENCODING ${literal(goal.encoding)}`];
        if (goal.owner !== undefined) words.unshift(`OWNER ${ident(goal.owner)}`);
        if (goal.lcCollate !== undefined) words.push(`LC_COLLATE ${literal(goal.lcCollate)}`);
        if (goal.lcCtype !== undefined) words.push(`LC_CTYPE ${literal(goal.lcCtype)}`);
        words.push(`CONNECTION LIMIT ${goal.connectionLimit}`, `ALLOW_CONNECTIONS ${goal.allowConnections}`, `IS_TEMPLATE ${goal.isTemplate}`);
        await q(`CREATE DATABASE ${ident(goal.name)} WITH ${words.join(" ")}`);
      } else {
        const what = label(goal.name);
        if (row["same_encoding"] !== true) throw immutable(what, "encoding", String(row["encoding"]), goal.encoding);
        if (goal.lcCollate !== undefined && row["lc_collate"] !== goal.lcCollate) throw immutable(what, "lc_collate", String(row["lc_collate"]), goal.lcCollate);
        if (goal.lcCtype !== undefined && row["lc_ctype"] !== goal.lcCtype) throw immutable(what, "lc_ctype", String(row["lc_ctype"]), goal.lcCtype);
        if (goal.owner !== undefined && row["owner"] !== goal.owner) await q(`ALTER DATABASE ${ident(goal.name)} OWNER TO ${ident(goal.owner)}`);
        const words = changes(goal, row);
        if (words.length > 0) await q(`ALTER DATABASE ${ident(goal.name)} WITH ${words.join(" ")}`);
      }
      row = await readRow(q, goal);
      return attrsOf(row!, goal);
    });
  },

  async remove(cx, attrs, ctx) {
    const name = nameAttr(TYPE, attrs, "name");
    await cx.endPool(name);
    await cx.run(cx.settings.database, `delete ${label(name)}`, ctx, async (q) => {
      const rows = await q("SELECT d.datistemplate, current_setting('server_version_num')::int AS version FROM pg_catalog.pg_database d WHERE d.datname = $1", [name]);
      if (rows.length === 0) return;
      // A template database cannot be dropped until it is an ordinary one again.
      if (rows[0]!["datistemplate"] === true) await q(`ALTER DATABASE ${ident(name)} WITH IS_TEMPLATE false`);
      if (Number(rows[0]!["version"]) >= 130000) {
        await q(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      } else {
        await q("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()", [name]);
        await q(`DROP DATABASE IF EXISTS ${ident(name)}`);
      }
    });
  },
};
