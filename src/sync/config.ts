import { readFileSync } from "node:fs";
import { dirname, posix, resolve } from "node:path";
import { defaultStateBranch } from "../lang/project.js";
import type { ErrorObject } from "ajv/dist/2020.js";
import { isMap, isScalar, parseDocument, visit, type Document } from "yaml";
import { LexumError } from "../diag/diagnostic.js";
import { SourceFile } from "../diag/source.js";
import * as sync from "../diag/catalog/sync.js";
import { plainProblem, precompiledValidator, showValue } from "../program/schemas.js";
import { branchNameProblem } from "../lang/project.js";
import { suggest } from "../lang/suggest.js";
import { yamlTooDeepAt } from "../lang/yaml-depth.js";

/**
 * The lxm-sync agent's configuration (lxm-sync.yaml): read, checked against
 * schemas/lxm-sync.yaml.json with its precompiled validator, then against what a schema
 * cannot say (durations, listen port, url form, branch names, credentials present in the
 * environment, no repository twice), with defaults filled and relative paths resolved.
 */

export type DriftMode = "report" | "correct" | "off";

/** One watched repository, defaults filled. */
export interface SyncRepository {
  /** An http(s) URL as written, or a local path made absolute (against the configuration file's folder). */
  readonly url: string;
  readonly branch: string;
  /** The project folder inside the repository, normalized posix ("." for the root, no trailing "/"). */
  readonly path: string;
  /** The project's environment (lexum.yaml `environments`), or null for none. */
  readonly environment: string | null;
  readonly stateBranch: string;
  readonly intervalMs: number;
  readonly driftIntervalMs: number;
  readonly drift: DriftMode;
  /** The bearer token read from the variable `token_env` names, or null without token_env. */
  readonly token: string | null;
  /** The webhook secret read from the variable `webhook_secret_env` names, or null without it. */
  readonly webhookSecret: string | null;
}

/** The whole configuration, defaults filled. */
export interface SyncConfig {
  /** Host without IPv6 brackets ("::1"), port 0–65535. */
  readonly listen: { readonly host: string; readonly port: number };
  /** Absolute. */
  readonly dataDir: string;
  readonly maxConcurrentPerHost: number;
  /** In the file's order, at least one. */
  readonly repositories: readonly SyncRepository[];
  /** Replicas sharing the repositories through leases; null: this agent works on every repository. */
  readonly coordination: SyncCoordination | null;
}

/** The `coordination` section, defaults filled (the replica's id and address are chosen at start when unset). */
export interface SyncCoordination {
  readonly backend: "postgres";
  /** The connection string read from the variable `url_env` names (a secret: never logged). */
  readonly url: string;
  readonly ttlMs: number;
  readonly replicaId: string | null;
  readonly address: string | null;
}

/** The defaults of schemas/lxm-sync.yaml.json (test/sync/config.test.ts checks they agree). */
export const SYNC_DEFAULTS = {
  listen: "127.0.0.1:9464",
  max_concurrent_per_host: 4,
  branch: "main",
  path: ".",
  interval: "30s",
  drift_interval: "10m",
  drift: "report" as DriftMode,
  backend: "postgres",
  ttl: "30s",
} as const;

/** The shortest lease TTL: renewed every third of it, each renewal a round trip to the database. */
export const MIN_TTL_MS = 3000;

/** The shortest interval or drift_interval. */
export const MIN_INTERVAL_MS = 1000;
/** The longest: Node.js fires a timer longer than 2^31 − 1 ms at once. */
export const MAX_INTERVAL_MS = 2 ** 31 - 1;
/** How deep the file may nest: the configuration needs 3 levels; far more is a mistake or an attack. */
const MAX_DEPTH = 64;
/** The most alias expansions the file may make (the `yaml` package's maxAliasCount). */
const MAX_ALIASES = 100;

const TOP_KEYS = ["listen", "data_dir", "max_concurrent_per_host", "repositories", "coordination"];
const COORDINATION_KEYS = ["backend", "url_env", "ttl", "replica_id", "address"];
const REPO_KEYS = ["url", "branch", "path", "environment", "state_branch", "interval", "drift_interval", "drift", "token_env", "webhook_secret_env"];

/**
 * Milliseconds of a duration written as whole numbers with a unit each, `ms`, `s`, `m` or
 * `h` (`500ms`, `30s`, `1m30s`), or null when `text` is not one or exceeds
 * Number.MAX_SAFE_INTEGER.
 */
export function parseDuration(text: string): number | null {
  if (!/^([0-9]+(ms|s|m|h))+$/.test(text)) return null;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return Number.isSafeInteger(total) ? total : null;
}

/**
 * Reads and checks the configuration file `file` (as named in messages; relative paths in
 * it resolve against its folder), taking credentials from `env`. Throws the first problem
 * in the file's order as a LexumError (LXM7000–7009) whose message starts with
 * `file:line:column:`; never a secret's value in it.
 */
export function loadSyncConfig(file: string, env: NodeJS.ProcessEnv): SyncConfig {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const cause = code === "ENOENT" ? "it does not exist" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (code ?? (e as Error).message);
    throw sync.configUnreadable.error(file, cause);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw sync.configUnreadable.error(file, "it is not UTF-8 text");
  }
  const { config, errors } = parseSyncConfig(text, file, env);
  if (config === null) throw errors[0]!;
  return config;
}

/**
 * The same from the file's text: every problem (in the file's order), or the configuration
 * when there is none. `file` names the file in messages and its folder anchors relative paths.
 */
export function parseSyncConfig(text: string, file: string, env: NodeJS.ProcessEnv): { config: SyncConfig | null; errors: LexumError[] } {
  const source = new SourceFile(file, text);
  const at = (offset: number): string => {
    const { line, column } = source.lineCol(offset);
    return `${file}:${line}:${column}`;
  };
  const fail = (errors: LexumError[]) => ({ config: null, errors });

  // Measured before parsing: the parser recurses per level (see yamlTooDeepAt).
  const deep = yamlTooDeepAt(text, MAX_DEPTH);
  if (deep !== null) return fail([sync.configSyntax.error(at(deep), `the document nests too deeply (more than ${MAX_DEPTH} levels)`)]);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return fail([sync.configSyntax.error(at(e.pos[0]), e.message.split("\n")[0]!)]);
  }
  let value: unknown;
  try {
    // An alias bomb (anchors expanding into anchors) is refused, not expanded.
    value = doc.toJS({ maxAliasCount: MAX_ALIASES }) as unknown;
  } catch (e) {
    return fail([sync.configSyntax.error(at(firstAliasOffset(doc)), (e as Error).message.split("\n")[0]!)]);
  }

  const validator = precompiledValidator("lxm-sync.yaml.json");
  if (!validator(value)) {
    const found = (validator.errors ?? []).map((err) => {
      const extra = err.keyword === "additionalProperties" ? String(err.params["additionalProperty"]) : null;
      const offset = nodeOffset(doc, err.instancePath, extra);
      return { offset, error: schemaError(err, at(offset)) };
    });
    return fail(found.sort((a, b) => a.offset - b.offset).map((f) => f.error));
  }

  const raw = value as RawConfig;
  const baseDir = dirname(resolve(file));
  const found: { offset: number; error: LexumError }[] = [];
  const report = (instancePath: string, make: (where: string) => LexumError) => {
    const offset = nodeOffset(doc, instancePath, null);
    found.push({ offset, error: make(at(offset)) });
  };

  const listenText = raw.listen ?? SYNC_DEFAULTS.listen;
  const listen = parseListen(listenText);
  if (listen === null) report("/listen", (w) => sync.badListen.error(w, listenText));

  const repositories: SyncRepository[] = [];
  const seen = new Map<string, number>();
  /** (url, state_branch) → the first entry recording there: two projects must not share one state branch. */
  const stateBranches = new Map<string, number>();
  raw.repositories.forEach((r, i) => {
    const p = `/repositories/${i}`;
    const url = checkUrl(r.url, baseDir);
    if (typeof url !== "string") report(`${p}/url`, (w) => sync.badRepositoryUrl.error(w, url.problem, url.hint));
    const branch = r.branch ?? SYNC_DEFAULTS.branch;
    const environment = r.environment ?? null;
    // As the CLI derives it from the project's path (lexum.yaml's own state_branch is not known here).
    const derived = defaultStateBranch(projectPath(r.path ?? SYNC_DEFAULTS.path) ?? ".");
    const stateBranch = r.state_branch ?? (environment === null ? derived : `${derived}/${environment}`);
    for (const [key, name] of [["branch", branch], ["state_branch", stateBranch]] as const) {
      const problem = branchNameProblem(name);
      if (problem) report(`${p}/${key}`, (w) => sync.badBranch.error(w, `${key} ${JSON.stringify(name)} ${problem}`));
    }
    if (branch === stateBranch) report(`${p}/${r.state_branch !== undefined ? "state_branch" : "branch"}`, (w) => sync.badBranch.error(w, `state_branch is the watched branch ${JSON.stringify(branch)}`));
    const path = projectPath(r.path ?? SYNC_DEFAULTS.path);
    if (path === null) report(`${p}/path`, (w) => sync.badProjectPath.error(w, r.path!));
    const intervals: Record<string, number> = {};
    for (const key of ["interval", "drift_interval"] as const) {
      const written = r[key] ?? SYNC_DEFAULTS[key];
      const ms = parseDuration(written);
      const why = ms === null || ms > MAX_INTERVAL_MS ? "is longer than 596h (the longest a timer waits)" : ms < MIN_INTERVAL_MS ? "is shorter than 1s" : null;
      if (why) report(`${p}/${key}`, (w) => sync.badDuration.error(w, key, written, why));
      intervals[key] = ms ?? 0;
    }
    const secrets: Record<string, string | null> = {};
    for (const key of ["token_env", "webhook_secret_env"] as const) {
      const name = r[key];
      secrets[key] = null;
      if (name === undefined) continue;
      const secret = env[name];
      if (secret === undefined || secret === "") report(`${p}/${key}`, (w) => (looksLikeSecret(name) ? sync.configInvalid.error(w, `${key} looks like a secret itself, not the name of an environment variable`, secretHint(key)) : sync.credentialUnset.error(w, key, name)));
      else secrets[key] = secret;
    }
    if (typeof url === "string" && path !== null) {
      const key = JSON.stringify([url, branch, path, environment]);
      const first = seen.get(key);
      const lineOf = (n: number): string => `line ${source.lineCol(nodeOffset(doc, `/repositories/${n}`, null)).line}`;
      const sharing = stateBranches.get(JSON.stringify([url, stateBranch]));
      if (first !== undefined) report(p, (w) => sync.duplicateRepository.error(w, lineOf(first)));
      else if (sharing !== undefined) report(r.state_branch !== undefined ? `${p}/state_branch` : p, (w) => sync.stateBranchShared.error(w, lineOf(sharing), stateBranch));
      else {
        seen.set(key, i);
        stateBranches.set(JSON.stringify([url, stateBranch]), i);
      }
    }
    repositories.push({
      url: typeof url === "string" ? url : "",
      branch,
      path: path ?? ".",
      environment,
      stateBranch,
      intervalMs: intervals["interval"]!,
      driftIntervalMs: intervals["drift_interval"]!,
      drift: r.drift ?? SYNC_DEFAULTS.drift,
      token: secrets["token_env"]!,
      webhookSecret: secrets["webhook_secret_env"]!,
    });
  });
  let coordination: SyncCoordination | null = null;
  if (raw.coordination !== undefined) {
    const c = raw.coordination;
    const written = c.ttl ?? SYNC_DEFAULTS.ttl;
    const ttlMs = parseDuration(written);
    const why = ttlMs === null || ttlMs > MAX_INTERVAL_MS ? "is longer than 596h (the longest a timer waits)" : ttlMs < MIN_TTL_MS ? "is shorter than 3s" : null;
    if (why) report("/coordination/ttl", (w) => sync.badDuration.error(w, "ttl", written, why));
    const url = env[c.url_env];
    if (url === undefined || url === "") report("/coordination/url_env", (w) => (looksLikeSecret(c.url_env) ? sync.configInvalid.error(w, "url_env looks like a secret itself, not the name of an environment variable", secretHint("url_env")) : sync.credentialUnset.error(w, "url_env", c.url_env)));
    else if (!/^postgres(ql)?:\/\//.test(url)) report("/coordination/url_env", (w) => sync.configInvalid.error(w, `the variable ${c.url_env} does not hold a postgres:// connection string`, `set ${c.url_env} to postgres://user:password@host:port/database`));
    coordination = { backend: c.backend ?? SYNC_DEFAULTS.backend, url: url ?? "", ttlMs: ttlMs ?? 0, replicaId: c.replica_id ?? null, address: c.address ?? null };
  }
  if (found.length > 0 || listen === null) return fail(found.sort((a, b) => a.offset - b.offset).map((f) => f.error));
  return {
    config: {
      listen,
      dataDir: resolve(baseDir, raw.data_dir),
      maxConcurrentPerHost: raw.max_concurrent_per_host ?? SYNC_DEFAULTS.max_concurrent_per_host,
      repositories,
      coordination,
    },
    errors: [],
  };
}

/** The file's shape once the schema accepted it. */
interface RawConfig {
  listen?: string;
  data_dir: string;
  max_concurrent_per_host?: number;
  repositories: {
    url: string;
    branch?: string;
    path?: string;
    environment?: string;
    state_branch?: string;
    interval?: string;
    drift_interval?: string;
    drift?: DriftMode;
    token_env?: string;
    webhook_secret_env?: string;
  }[];
  coordination?: { backend?: "postgres"; url_env: string; ttl?: string; replica_id?: string; address?: string };
}

/** "127.0.0.1:9464" → host and port; "[::1]:80" → "::1"; null when the port is past 65535. */
function parseListen(text: string): { host: string; port: number } | null {
  const colon = text.lastIndexOf(":");
  const port = Number(text.slice(colon + 1));
  if (colon < 1 || !Number.isInteger(port) || port > 65535) return null;
  const host = text.slice(0, colon);
  return { host: host.startsWith("[") ? host.slice(1, -1) : host, port };
}

/** The url as the agent uses it (a local path made absolute), or why it cannot be used; the value itself is never quoted (it may hold a password). */
function checkUrl(url: string, baseDir: string): string | { problem: string; hint: string } {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== "http" && name !== "https") return { problem: `uses ${name}://, which lxm-sync does not speak`, hint: "use the repository's http:// or https:// URL (git's smart HTTP), or a local path" };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { problem: "is not a valid URL", hint: "write it as http://host[:port]/path" };
    }
    if (parsed.username !== "" || parsed.password !== "") return { problem: "holds a user name or password", hint: "remove the credentials from the URL and name the variable that holds the token in token_env" };
    return url;
  }
  // git's scp-like form, user@host:path, is ssh.
  if (/^[^/]*:/.test(url)) return { problem: "looks like an ssh address (host:path), which lxm-sync does not speak", hint: "use the repository's http:// or https:// URL (git's smart HTTP), or a local path" };
  return resolve(baseDir, url);
}

/** The normalized project folder ("." for the root), or null when it leaves the repository or is absolute. */
function projectPath(path: string): string | null {
  if (path.startsWith("/") || path.includes("\\")) return null;
  const n = posix.normalize(path).replace(/\/+$/, "");
  if (n === ".." || n.startsWith("../")) return null;
  return n === "" ? "." : n;
}

/** A value given where a variable's name belongs that is a token, by the prefixes of common token formats. */
function looksLikeSecret(name: string): boolean {
  return /^(gh[pousr]_|github_pat_|glpat|xox[abp])/.test(name) || (name.length >= 32 && /[0-9]/.test(name) && /[a-z]/.test(name) && !/_/.test(name));
}

function secretHint(key: string): string {
  return `${key} holds the NAME of an environment variable (e.g. INFRA_TOKEN); put the secret in that variable, never in the file`;
}

/**
 * A schema violation in words. The value of a `*_env` key is never quoted: a secret written
 * there by mistake must not reach a log.
 */
function schemaError(err: ErrorObject, where: string): LexumError {
  const segs = err.instancePath.split("/").slice(1);
  const key = segs.map((s, i) => (/^[0-9]+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
  const last = segs[segs.length - 1] ?? "";
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "additionalProperties": {
      const extra = String(p["additionalProperty"]);
      const known = segs.length === 0 ? TOP_KEYS : segs[0] === "coordination" ? COORDINATION_KEYS : REPO_KEYS;
      const s = suggest(extra, known);
      return sync.configInvalid.error(where, `unknown setting \`${extra}\`${key ? ` in ${key}` : ""}`, s ? `did you mean \`${s}\`?` : `the settings here are ${known.join(", ")}`);
    }
    case "required": {
      const missing = String(p["missingProperty"]);
      return sync.configInvalid.error(where, `${key || "the configuration"} is missing \`${missing}\``, missing === "repositories" ? "list the repositories to watch under repositories:, each with at least a url" : `add ${missing}:`);
    }
    case "type": {
      const want = String(p["type"]);
      const got = err.data === null ? "nothing" : Array.isArray(err.data) ? "a list" : typeof err.data === "object" ? "a map" : `${typeof err.data === "boolean" ? "the bool" : "the number"} ${String(err.data)}`;
      const words: Record<string, string> = { string: "a string", integer: "an integer", array: "a list", object: "a map" };
      const hint =
        last === "interval" || last === "drift_interval" || last === "ttl"
          ? "write a duration with its unit, such as 30s, 10m or 1h"
          : want === "string" && (typeof err.data === "number" || typeof err.data === "boolean")
            ? `quote it if you mean the text: ${last}: "${String(err.data)}"`
            : "see schemas/lxm-sync.yaml.json for each setting's type";
      return sync.configInvalid.error(where, `${key || "the configuration"} must be ${words[want] ?? want}, got ${got}`, hint);
    }
    case "enum": {
      const allowed = (p["allowedValues"] as unknown[]).map((v) => String(v));
      const s = typeof err.data === "string" ? suggest(err.data, allowed) : null;
      return sync.configInvalid.error(where, `${key} must be one of ${allowed.join(", ")}, got ${showValue(err.data)}`, s ? `did you mean \`${s}\`?` : `write one of ${allowed.join(", ")}`);
    }
    case "pattern":
      if (last === "replica_id") return sync.configInvalid.error(where, "replica_id must be letters, digits and . _ : - (at most 128, starting with a letter or digit)", "for example replica_id: sync-1");
      if (last === "interval" || last === "drift_interval" || last === "ttl") return sync.badDuration.error(where, last, String(err.data), "is not a duration");
      if (last === "listen") return sync.badListen.error(where, String(err.data));
      if (last.endsWith("_env")) return sync.configInvalid.error(where, `${last} must be the name of an environment variable (letters, digits and _, not starting with a digit)`, secretHint(last));
      break;
    case "minItems":
      return sync.configInvalid.error(where, `${key} must list at least one repository`, "add an entry with at least a url");
    case "minLength":
      return sync.configInvalid.error(where, `${key} must not be empty`, "give it a value, or remove it for its default");
    case "minimum":
      return sync.configInvalid.error(where, `${key} must be at least ${String(p["limit"])}, got ${showValue(err.data)}`, "give it a positive whole number");
  }
  return sync.configInvalid.error(where, plainProblem(err).problem, "see schemas/lxm-sync.yaml.json");
}

/**
 * Where a node is in the text: the value at `instancePath` (a JSON pointer), or the key
 * `extraKey` of the map there; the document's start when there is none (an empty file).
 */
function nodeOffset(doc: Document, instancePath: string, extraKey: string | null): number {
  const path = instancePath
    .split("/")
    .slice(1)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: unknown = path.length ? doc.getIn(path, true) : doc.contents;
  if (extraKey !== null && isMap(node)) node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === extraKey)?.key;
  return (node as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
}

/** Where resolving aliases failed: the first alias without an anchor before it, else the first alias (an alias bomb expands from there). */
function firstAliasOffset(doc: Document): number {
  const anchors = new Set<string>();
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Node(_, node) {
      if (node.anchor) anchors.add(node.anchor);
    },
    Alias(_, node) {
      if (!node.range) return undefined;
      first ??= node.range[0];
      if (!anchors.has(node.source)) {
        unresolved = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first ?? 0;
}
