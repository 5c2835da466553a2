import { ProviderError } from "../types.js";

/**
 * The postgres provider's failures, each with a stable reason code (docs/providers.md lists
 * them). A server error keeps PostgreSQL's own message and SQLSTATE so users can search for
 * it; a message never holds a statement's text (it may carry a password) or a connection
 * string.
 */

/** A ProviderError from the server, with PostgreSQL's SQLSTATE when it sent one. */
export class PostgresError extends ProviderError {
  readonly sqlstate: string | undefined;
  constructor(code: string, message: string, retryable: boolean, sqlstate?: string) {
    super(code, message, retryable);
    this.sqlstate = sqlstate;
  }
}

/** An attribute of the wrong shape or an impossible combination (the compiler catches most). */
export function badAttr(type: string, attr: string, why: string): ProviderError {
  return new ProviderError("postgres.invalid_attr", `postgres: ${type}.${attr} ${why}`, false);
}

/** The runtime asked for a type this provider does not manage (a bug upstream). */
export function unknownType(type: string): ProviderError {
  return new ProviderError("postgres.unknown_type", `postgres: unknown resource type ${type}`, false);
}

/** An existing object differs in something PostgreSQL cannot change after creation. */
export function immutable(what: string, attr: string, found: string, wanted: string): ProviderError {
  return new ProviderError(
    "postgres.immutable",
    `postgres: ${what} exists with ${attr} ${JSON.stringify(found)}, not ${JSON.stringify(wanted)}; ${attr} is set only when it is created: drop it or change the goal`,
    false,
  );
}

/** The call was aborted (the action's timeout): retryable, like any lost response. */
export function aborted(what: string): ProviderError {
  return new ProviderError("timeout", `postgres: ${what}: the call was aborted (action timeout); its statement was cancelled`, true);
}

/** SQLSTATEs by reason: which failures a retry may cure (the server or a race), which it cannot (the request). */
const BY_STATE: ReadonlyMap<string, readonly [reason: string, retryable: boolean]> = new Map([
  ["53300", ["postgres.unavailable", true]], // too_many_connections
  ["57P03", ["postgres.unavailable", true]], // cannot_connect_now (starting up, shutting down, recovery)
  ["57P01", ["postgres.unavailable", true]], // admin_shutdown
  ["57P02", ["postgres.unavailable", true]], // crash_shutdown
  ["53200", ["postgres.unavailable", true]], // out_of_memory
  ["40001", ["postgres.conflict", true]], // serialization_failure
  ["40P01", ["postgres.conflict", true]], // deadlock_detected
  ["55P03", ["postgres.conflict", true]], // lock_not_available
  ["42710", ["postgres.conflict", true]], // duplicate_object: made meanwhile by someone else; a retry converges it
  ["42P04", ["postgres.conflict", true]], // duplicate_database
  ["42P06", ["postgres.conflict", true]], // duplicate_schema
  ["23505", ["postgres.conflict", true]], // unique_violation in a catalog: the same race
  ["42501", ["postgres.permission_denied", false]], // insufficient_privilege
  ["28P01", ["postgres.auth_failed", false]], // invalid_password
  ["28000", ["postgres.auth_failed", false]], // invalid_authorization_specification (no pg_hba.conf entry)
  ["42602", ["postgres.invalid_name", false]], // invalid_name
  ["42622", ["postgres.invalid_name", false]], // name_too_long
  ["42939", ["postgres.invalid_name", false]], // reserved_name (pg_* roles)
  ["42704", ["postgres.undefined", false]], // undefined_object (a role that does not exist)
  ["3D000", ["postgres.undefined", false]], // invalid_catalog_name (a database that does not exist)
  ["3F000", ["postgres.undefined", false]], // invalid_schema_name
  ["42P01", ["postgres.undefined", false]], // undefined_table
  ["42883", ["postgres.undefined", false]], // undefined_function
  ["58P01", ["postgres.undefined", false]], // undefined_file (an extension not installed, before PostgreSQL 15)
  ["0A000", ["postgres.unsupported", false]], // feature_not_supported (an extension not installed on the server)
  ["55006", ["postgres.in_use", false]], // object_in_use
  ["2BP01", ["postgres.dependent_objects", false]], // dependent_objects_still_exist
]);

/** Network failures of the connection itself (the server down, restarting, unreachable). */
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EAI_AGAIN", "ECONNABORTED"]);

/** The reason and retryability of a SQLSTATE (exported for tests of the table itself). */
export function classifyState(state: string): { reason: string; retryable: boolean } {
  const hit = BY_STATE.get(state);
  if (hit) return { reason: hit[0], retryable: hit[1] };
  // Class 08: connection exceptions; retrying reconnects.
  if (state.startsWith("08")) return { reason: "postgres.unavailable", retryable: true };
  return { reason: "postgres.sql", retryable: false };
}

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  hint?: unknown;
}

/**
 * Maps anything a call threw to a ProviderError. `what` says what was being done, in words
 * (`create role "app"`); `where` is `host:port` for connection failures.
 */
export function toProviderError(what: string, where: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as PgLikeError;
  const message = typeof e.message === "string" && e.message !== "" ? e.message : String(err);
  const code = typeof e.code === "string" ? e.code : "";
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const { reason, retryable } = classifyState(code);
    const detail = typeof e.detail === "string" && e.detail !== "" ? ` (${e.detail.replace(/\s+/g, " ")})` : "";
    const hint = typeof e.hint === "string" && e.hint !== "" ? `; hint: ${e.hint}` : "";
    return new PostgresError(reason, `postgres: ${what}: ${message}${detail} (SQLSTATE ${code})${hint}`, retryable, code);
  }
  if (NETWORK.has(code)) return new ProviderError("postgres.unavailable", `postgres: ${what}: cannot reach the server at ${where}: ${code}`, true);
  if (code === "ENOTFOUND") return new ProviderError("postgres.unavailable", `postgres: ${what}: host of ${where} not found (ENOTFOUND)`, false);
  // node-postgres' own words for a connection lost or never made in time.
  if (/Connection terminated|timeout expired|timeout exceeded when trying to connect|Connection ended/i.test(message)) {
    return new ProviderError("postgres.unavailable", `postgres: ${what}: ${message} (server ${where})`, true);
  }
  if (/does not support SSL/i.test(message)) {
    return new ProviderError("postgres.ssl", `postgres: ${what}: the server at ${where} does not support SSL; set sslmode = "disable" (or "prefer") to connect without it`, false);
  }
  if (/certificate|self[- ]signed|SSL|TLS/i.test(message) || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || /CERT|SIGNATURE/.test(code)) {
    return new ProviderError("postgres.ssl", `postgres: ${what}: TLS with ${where} failed: ${message}`, false);
  }
  return new ProviderError("postgres.client", `postgres: ${what}: ${message}`, false);
}
