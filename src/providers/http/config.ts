import { readFileSync } from "node:fs";
import * as catalog from "../../diag/catalog/runtime.js";
import type { JsonObject } from "../../program/types.js";
import type { ProviderEnv } from "../types.js";
import { resolveConfigPath } from "../types.js";

/** The http provider's configuration, resolved. */
export interface HttpConfig {
  /** The base URL without a trailing "/": resource paths (which start with "/") are appended. */
  readonly base: string;
  readonly https: boolean;
  /** Header name (lower case) and value, sorted by name. */
  readonly headers: readonly (readonly [string, string])[];
  /** PEM text of the CAs to trust (root_ca_file), when set. */
  readonly ca?: string;
  /** Defaults for the resources that do not set their own. */
  readonly idAttribute: string;
  readonly createMethod: string;
  readonly updateMethod: string;
  readonly destroyMethod: string;
}

const SETTINGS = ["base_url", "create_method", "destroy_method", "headers", "id_attribute", "root_ca_file", "update_method"];

/** The methods each operation may use (the schemas' enums). */
export const METHODS = {
  create_method: ["POST", "PUT", "PATCH"],
  update_method: ["PUT", "PATCH", "POST"],
  destroy_method: ["DELETE", "POST", "PUT", "PATCH"],
} as const;

// RFC 9110 token characters: what a header name may hold.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const bad = (attr: string, problem: string, hint?: string) => catalog.providerConfigInvalid.error("http", attr, problem, hint);

const CREDENTIALS_HINT =
  'put credentials in a header, from a secret: headers = { Authorization = "Bearer ${secret("API_TOKEN")}" } (a URL is recorded and shown; headers never are)';

/**
 * Resolves an http provider block. `base_url` (required) must be an absolute http(s) URL with no
 * credentials, query or fragment; it is never quoted back, since it may hold a password.
 * `headers` is a map of strings, whose values are never quoted either; `root_ca_file`
 * resolves against `env.projectDir` and is read now. Throws a LexumError (LXM4900) on bad
 * configuration.
 */
export function resolveHttpConfig(config: JsonObject, env: ProviderEnv): HttpConfig {
  for (const key of Object.keys(config).sort()) {
    if (!SETTINGS.includes(key)) throw bad(key, `is not a setting of this provider (${SETTINGS.join(", ")})`);
  }
  const base_url = config.base_url;
  if (typeof base_url !== "string" || base_url.length === 0) throw bad("base_url", "is required: the base URL of the API, e.g. \"https://api.example.com/v1\"");
  let url: URL;
  try {
    url = new URL(base_url);
  } catch {
    throw bad("base_url", "is not an absolute URL (e.g. \"https://api.example.com/v1\")");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad("base_url", `must be an http:// or https:// URL, not ${url.protocol}//`);
  if (url.username !== "" || url.password !== "") throw bad("base_url", "holds credentials (user:password@host), which would be recorded and shown with the URL", CREDENTIALS_HINT);
  if (url.search !== "" || base_url.includes("?")) throw bad("base_url", "has a query (?…); resource paths are appended to it, and a key in it would be recorded and shown", CREDENTIALS_HINT);
  if (url.hash !== "" || base_url.includes("#")) throw bad("base_url", "has a fragment (#…)");

  const headers: [string, string][] = [];
  const given = config.headers ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) throw bad("headers", "must be a map of header names to strings");
  const seen = new Set<string>();
  for (const name of Object.keys(given).sort()) {
    const value = given[name];
    if (!TOKEN.test(name)) throw bad(`headers[${JSON.stringify(name)}]`, "is not a valid header name");
    // Values are never quoted: they are credentials more often than not.
    if (typeof value !== "string") throw bad(`headers[${JSON.stringify(name)}]`, "must be a string");
    if (/[\r\n\0]/.test(value)) throw bad(`headers[${JSON.stringify(name)}]`, "holds a line break or NUL byte (value not shown)");
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw bad(`headers[${JSON.stringify(name)}]`, "is given twice (header names ignore case)");
    seen.add(lower);
    headers.push([lower, value]);
  }
  headers.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  let ca: string | undefined;
  const caFile = config.root_ca_file;
  if (caFile !== undefined) {
    if (typeof caFile !== "string" || caFile.length === 0 || caFile.includes("\0")) throw bad("root_ca_file", "must be the path of a PEM file");
    if (url.protocol !== "https:") throw bad("root_ca_file", "is set but base_url is not https://");
    const path = resolveConfigPath(env, caFile);
    try {
      ca = readFileSync(path, "utf8");
    } catch (e) {
      throw bad("root_ca_file", `cannot be read (${path}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw bad("root_ca_file", `is not a PEM certificate file (${path}): no "-----BEGIN CERTIFICATE-----"`);
  }

  const idAttribute = config.id_attribute ?? "id";
  if (typeof idAttribute !== "string" || !validIdAttribute(idAttribute)) throw bad("id_attribute", "must be a key, or keys joined by \"/\" (\"id\", \"data/id\")");
  const method = (attr: keyof typeof METHODS, dflt: string): string => {
    const m = config[attr] ?? dflt;
    if (typeof m !== "string" || !(METHODS[attr] as readonly string[]).includes(m)) throw bad(attr, `must be one of ${METHODS[attr].join(", ")}`);
    return m;
  };
  return {
    base: url.href.replace(/\/+$/, ""),
    https: url.protocol === "https:",
    headers,
    ...(ca !== undefined ? { ca } : {}),
    idAttribute,
    createMethod: method("create_method", "POST"),
    updateMethod: method("update_method", "PUT"),
    destroyMethod: method("destroy_method", "DELETE"),
  };
}

/** An id_attribute: keys joined by "/", none empty. */
export function validIdAttribute(s: string): boolean {
  return s.length > 0 && s.split("/").every((k) => k.length > 0);
}
