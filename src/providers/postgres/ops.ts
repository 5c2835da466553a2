import type { JsonObject } from "../../program/types.js";
import type { CallContext } from "../types.js";
import type { Connections, Query } from "./connections.js";
import { PostgresError } from "./errors.js";

/**
 * What each postgres resource type implements. `apply` serves both create and update: it
 * converges whatever exists to the goal (an identical object is left untouched, no
 * statement written) and returns the object as read back from the catalogs.
 */
export interface TypeOps {
  read(cx: Connections, attrs: JsonObject, ctx: CallContext): Promise<JsonObject | null>;
  apply(cx: Connections, attrs: JsonObject, ctx: CallContext): Promise<JsonObject>;
  remove(cx: Connections, attrs: JsonObject, ctx: CallContext): Promise<void>;
}

/**
 * `cx.run` in `database`, or `absent` when that database does not exist (SQLSTATE 3D000 on
 * connecting): what lives in a missing database is missing too (read → null, delete → done).
 */
export async function inDatabase<T>(cx: Connections, database: string, what: string, ctx: CallContext, absent: T, fn: (q: Query) => Promise<T>): Promise<T> {
  try {
    return await cx.run(database, what, ctx, fn);
  } catch (err) {
    if (err instanceof PostgresError && err.sqlstate === "3D000") return absent;
    throw err;
  }
}
