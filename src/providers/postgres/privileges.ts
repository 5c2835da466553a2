import type { JsonObject } from "../../program/types.js";
import { checkName, ident, listAttr, sortedStrings } from "./attrs.js";
import type { Query, Row } from "./connections.js";
import { badAttr } from "./errors.js";

/**
 * Privileges as postgres.grant and postgres.default_privileges manage them: which ones each
 * kind of object takes, how the role is named in SQL (`public` is PUBLIC, as in Terraform),
 * and how what the catalogs hold (aclexplode rows) compares with a goal.
 */

/** The privileges each object type takes (MAINTAIN: tables on PostgreSQL 17 and later). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  database: ["CONNECT", "CREATE", "TEMPORARY"],
  schema: ["CREATE", "USAGE"],
  table: ["DELETE", "INSERT", "MAINTAIN", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"],
  sequence: ["SELECT", "UPDATE", "USAGE"],
  function: ["EXECUTE"],
  type: ["USAGE"],
};

/** The one-letter object type acldefault() takes. */
export const ACL_CHAR: Readonly<Record<string, string>> = { database: "d", schema: "n", table: "r", sequence: "s", function: "f", type: "T" };

/** `privileges`, checked against what `objectType` takes; "ALL" stands for every one. */
export function privilegesAttr(type: string, objectType: string, attrs: JsonObject): string[] {
  const allowed = ALLOWED[objectType] ?? [];
  return listAttr(type, attrs, "privileges", (p) => {
    if (p !== "ALL" && !allowed.includes(p)) throw badAttr(type, "privileges", `has ${JSON.stringify(p)}, which a ${objectType} does not take (${["ALL", ...allowed].join(", ")})`);
    return p;
  });
}

/** The role a privilege goes to: a role's name, or `public` for every role. */
export function granteeAttr(type: string, attrs: JsonObject): string {
  const v = attrs["role"];
  if (typeof v !== "string" || v.length === 0) throw badAttr(type, "role", "must be a non-empty string");
  return checkName(type, "role", v);
}

/** The grantee in SQL: PUBLIC for `public`, else the quoted role name. */
export function granteeSql(role: string): string {
  return role === "public" ? "PUBLIC" : ident(role);
}

/** The grantee's oid as text ("0" for public, as aclexplode reports it), or null when the role does not exist. */
export async function granteeOid(q: Query, role: string): Promise<string | null> {
  if (role === "public") return "0";
  return roleOid(q, role);
}

/** A role's oid as text, or null when it does not exist. */
export async function roleOid(q: Query, role: string): Promise<string | null> {
  const rows = await q("SELECT oid::text AS oid FROM pg_catalog.pg_roles WHERE rolname = $1", [role]);
  return rows.length === 0 ? null : String(rows[0]!["oid"]);
}

/** Every privilege of an object type on this server (what ALL means here), from acldefault's owner entry. */
export async function allPrivileges(q: Query, objectType: string): Promise<string[]> {
  const rows = await q(`SELECT a.privilege_type FROM aclexplode(acldefault($1::"char", 10::oid)) a WHERE a.grantee = 10`, [ACL_CHAR[objectType]]);
  return rows.map((r) => String(r["privilege_type"]));
}

/** What a role holds on one object. */
export interface Held {
  /** The object's key (its name; a function's signature), for a stable order. */
  readonly key: string;
  readonly privileges: ReadonlySet<string>;
  readonly grantable: ReadonlySet<string>;
}

/** Groups aclexplode rows (`key`, `privilege_type`, `is_grantable`; null privilege = none) into Held, by key. */
export function heldByKey(rows: readonly Row[]): Held[] {
  const by = new Map<string, { privileges: Set<string>; grantable: Set<string> }>();
  for (const r of rows) {
    const key = String(r["key"]);
    let h = by.get(key);
    if (!h) by.set(key, (h = { privileges: new Set(), grantable: new Set() }));
    const p = r["privilege_type"];
    if (typeof p === "string") {
      h.privileges.add(p);
      if (r["is_grantable"] === true) h.grantable.add(p);
    }
  }
  return sortedStrings(by.keys()).map((key) => ({ key, ...by.get(key)! }));
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/**
 * The privileges and grant option as read back, against the goal (`written`, maybe with
 * ALL; `all` = what ALL means on this server): the goal's own spelling when every object
 * holds exactly that (so an unchanged grant reads back equal), otherwise what the first
 * object that differs holds (so a GRANT or REVOKE made behind Lexum's back shows as drift,
 * like Terraform's read). Null when objects exist and the role holds nothing on any of them
 * (the grant is absent). No objects at all (an empty schema) reads as the goal.
 */
export function grantState(held: readonly Held[], written: readonly string[], all: readonly string[], withGrantOption: boolean): { privileges: string[]; with_grant_option: boolean } | null {
  const expected = new Set(written.includes("ALL") ? all : written);
  if (held.length > 0 && expected.size > 0 && held.every((h) => h.privileges.size === 0)) return null;
  const matches = (h: Held) => sameSet(h.privileges, expected) && (withGrantOption ? sameSet(h.grantable, expected) : h.grantable.size === 0);
  const odd = held.find((h) => !matches(h));
  if (odd === undefined) return { privileges: [...written], with_grant_option: withGrantOption };
  // The privileges are the goal's: then the grant option is what differs (some or all of it).
  if (sameSet(odd.privileges, expected)) return { privileges: [...written], with_grant_option: !withGrantOption };
  return { privileges: sortedStrings(odd.privileges), with_grant_option: odd.privileges.size > 0 && odd.grantable.size === odd.privileges.size };
}

/** The privilege list for GRANT: ALL PRIVILEGES, or the names (each checked against ALLOWED above). */
export function privilegeSql(written: readonly string[]): string {
  return written.includes("ALL") ? "ALL PRIVILEGES" : written.join(", ");
}
