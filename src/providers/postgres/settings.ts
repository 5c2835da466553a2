import { readFileSync } from "node:fs";
import * as catalog from "../../diag/catalog/runtime.js";
import type { Json, JsonObject } from "../../program/types.js";
import type { ProviderEnv } from "../types.js";
import { resolveConfigPath } from "../types.js";

/** How the connection uses TLS: libpq's sslmode values that node-postgres can honour. */
export type SslMode = "disable" | "prefer" | "require" | "verify-ca" | "verify-full";
const SSL_MODES: readonly SslMode[] = ["disable", "prefer", "require", "verify-ca", "verify-full"];

/** A postgres provider block's configuration, checked, with defaults filled in. */
export interface PostgresSettings {
  readonly host: string;
  readonly port: number;
  /** The role Lexum connects as. */
  readonly user: string;
  readonly password: string | undefined;
  /** The database connected to for cluster-wide objects (roles, databases). */
  readonly database: string;
  readonly sslmode: SslMode;
  /** The CA certificate's path (absolute) and PEM text, when `sslrootcert` is set. */
  readonly sslrootcert: { readonly path: string; readonly pem: string } | undefined;
  /** Milliseconds to wait for a connection; 0 = no limit. */
  readonly connectTimeoutMs: number;
  /** Connections per database at most. */
  readonly maxConnections: number;
}

const SETTINGS = ["connect_timeout", "database", "host", "max_connections", "password", "port", "sslmode", "sslrootcert", "user", "username"];

const invalid = (attr: string, problem: string) => catalog.providerConfigInvalid.error("postgres", attr, problem);

function optString(config: JsonObject, key: string): string | undefined {
  const v: Json | undefined = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length === 0) throw invalid(key, "must be a non-empty string");
  if (v.includes("\0")) throw invalid(key, "contains a NUL byte");
  return v;
}

function optInt(config: JsonObject, key: string, min: number, max: number): number | undefined {
  const v: Json | undefined = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw invalid(key, `must be an integer from ${min} to ${max}`);
  return v;
}

/**
 * Checks a postgres provider block and fills in Terraform's defaults (host "localhost", port
 * 5432, user "postgres", database "postgres", sslmode "prefer", connect_timeout 180 s,
 * max_connections 20). `user` and `username` are the same setting (Terraform spells it
 * `username`). A relative `sslrootcert` resolves against the project directory and is read
 * now. Throws a LexumError (LXM4900) naming the setting on bad configuration; never puts the
 * password in a message.
 */
export function resolvePostgresSettings(config: JsonObject, env: ProviderEnv): PostgresSettings {
  for (const key of Object.keys(config).sort()) {
    if (!SETTINGS.includes(key)) throw invalid(key, `is not a setting of this provider (${SETTINGS.join(", ")})`);
  }
  if (config["user"] !== undefined && config["username"] !== undefined) throw invalid("user", "and `username` are the same setting: set only one");
  const password = config["password"];
  if (password !== undefined && password !== null && typeof password !== "string") throw invalid("password", "must be a string");
  const sslmode = config["sslmode"] ?? "prefer";
  if (typeof sslmode !== "string" || !SSL_MODES.includes(sslmode as SslMode)) throw invalid("sslmode", `must be one of ${SSL_MODES.map((m) => `"${m}"`).join(", ")}`);
  const rootPath = optString(config, "sslrootcert");
  let sslrootcert: PostgresSettings["sslrootcert"];
  if (rootPath !== undefined) {
    const path = resolveConfigPath(env, rootPath);
    try {
      sslrootcert = { path, pem: readFileSync(path, "utf8") };
    } catch (err) {
      throw invalid("sslrootcert", `cannot be read (${path}): ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return {
    host: optString(config, "host") ?? "localhost",
    port: optInt(config, "port", 1, 65535) ?? 5432,
    user: optString(config, "user") ?? optString(config, "username") ?? "postgres",
    password: typeof password === "string" ? password : undefined,
    database: optString(config, "database") ?? "postgres",
    sslmode: sslmode as SslMode,
    sslrootcert,
    connectTimeoutMs: (optInt(config, "connect_timeout", 0, 86_400) ?? 180) * 1000,
    maxConnections: optInt(config, "max_connections", 1, 1000) ?? 20,
  };
}
