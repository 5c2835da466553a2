import { isAbsolute, resolve } from "node:path";
import type { Json, JsonObject } from "../program/types.js";

/**
 * The provider contract: what a provider (built in, or an npm package named in lexum.yaml)
 * implements, exported from Lexum's package entry for provider authors
 * (docs/provider-sdk.md walks through writing one).
 *
 * Providers are the only code that touches the managed world. They map read/create/
 * update/delete onto the real system and read back the truth; the runtime owns ordering,
 * retries and timeouts. Every call is idempotent: a retried create of an existing identical
 * object succeeds, a delete of an absent object succeeds. The conformance kit
 * (conformance.ts) checks all of this against the real system.
 */

export type { Json, JsonObject };

/** What a provider call may use besides its arguments. */
export interface CallContext {
  /**
   * Aborted when the action's timeout (policy.timeout) expires. A call whose signal is
   * aborted must reject promptly (a retryable ProviderError, code `timeout`) and, if it has
   * not reached the real system yet, change nothing; already aborted on entry, it must not
   * start. Pass it on to whatever waits (`fetch(url, { signal })`, a query's cancel).
   */
  readonly signal: AbortSignal;
  /** 1 for the first try, 2 for the first retry, … (fault injection uses it). */
  readonly attempt: number;
  /** The resource's address (`domain/type.name[key]`) when the runtime knows it; sim faults match on it. */
  readonly address?: string;
}

/**
 * What a provider may know of where it runs. Every relative path in a provider's
 * configuration resolves against `projectDir` (`resolveConfigPath`), never against the
 * process's working directory: the same plan then means the same world from any folder.
 */
export interface ProviderEnv {
  /** The project directory (the folder holding the .lxm files), absolute. */
  readonly projectDir: string;
}

/**
 * A path from a provider's configuration, absolute: a relative one resolves against the
 * project directory, an absolute one is normalised. Use it for every path setting.
 */
export function resolveConfigPath(env: ProviderEnv, p: string): string {
  return isAbsolute(p) ? resolve(p) : resolve(env.projectDir, p);
}

/**
 * One configured provider block (`provider fs { root = "out" }`) ready to act. `type` is
 * always one of the provider's `types`; `attrs` are the resource's attributes as the user
 * set them (defaults from the schema filled, secrets in clear), never readOnly ones.
 * Results are plain JSON objects (no undefined, Date or class instances): every attribute
 * of the type, computed (readOnly) ones included. A sensitive attribute (x-lexum-sensitive)
 * may be returned in clear — Lexum records only a digest — or as the provider's own digest;
 * one it cannot read back (a write-only password) is left out.
 */
export interface ProviderInstance {
  /** Reads the real object named by the identity attributes in `attrs`; null when absent. Returns every attribute, computed ones included, as they are now (drift included). */
  read(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject | null>;
  /** Creates the object (or accepts an identical existing one untouched, or converges a different existing one to `attrs`) and returns it as read back. */
  create(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject>;
  /** Brings an existing object to `attrs` and returns it as read back. `prior` is the recorded state. Identity and x-lexum-replace-on attributes never change here (the plan replaces instead). */
  update(type: string, prior: JsonObject, attrs: JsonObject, ctx: CallContext): Promise<JsonObject>;
  /** Deletes the object; succeeds when it is already absent. */
  delete(type: string, attrs: JsonObject, ctx: CallContext): Promise<void>;
  /** Releases resources (connections, file handles, flushes a sim world). Called once, after the block's last call. */
  close(): Promise<void>;
}

/** A provider kind (fs, sim, or a package's): its name, the types it manages, and how to bind a block. */
export interface Provider {
  /** The name used in .lxm files (`provider acme { … }`, `resource acme.widget …`) and under `providers:` in lexum.yaml. */
  readonly name: string;
  /** Fully-qualified resource types it manages, `<name>.<type>`, e.g. ["fs.dir", "fs.file", "fs.symlink"]. */
  readonly types: readonly string[];
  /**
   * Binds a provider block's configuration (lexum.yaml defaults merged under the block,
   * validated against the provider schema, secrets resolved). Should not do I/O: connect on
   * the first call. Throws on bad configuration (a built-in throws a LexumError, LXM4900;
   * a package's Error becomes LXM4346 with its message).
   */
  configure(config: JsonObject, env: ProviderEnv): ProviderInstance;
}

/** The longest wait a `ProviderError.retryAfterMs` can impose between two attempts (the runtime bounds it). */
export const RETRY_AFTER_MAX_MS = 60_000;

/**
 * A provider failure with a stable reason. `retryable` failures are retried up to the
 * domain's `retries`; others fail the action at once. `code` is the provider's own reason,
 * `<provider>.<reason>` (`fs.escape`, `acme.conflict`), or `timeout` for an aborted call;
 * quote the remote's code (an HTTP status, a SQLSTATE) in the message so users can search
 * for it. Never put a secret in the message.
 */
export class ProviderError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /**
   * How long the remote asked to be left alone (an HTTP `Retry-After`), in milliseconds: the
   * runtime waits at least this long before the next attempt (bounded by RETRY_AFTER_MAX_MS
   * and the action's timeout).
   * Never recorded: it may be computed from the wall clock.
   */
  readonly retryAfterMs?: number;
  constructor(code: string, message: string, retryable: boolean, retryAfterMs?: number) {
    super(message);
    this.name = "ProviderError";
    this.code = code;
    this.retryable = retryable;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/**
 * True for a ProviderError, including one from another copy of this module (a provider
 * package bundling its own Lexum) or one made without it: any Error whose `name` is
 * "ProviderError" with a string `code` and a boolean `retryable`.
 */
export function isProviderError(e: unknown): e is ProviderError {
  if (e instanceof ProviderError) return true;
  if (!(e instanceof Error) || e.name !== "ProviderError") return false;
  const { code, retryable } = e as Error & { code?: unknown; retryable?: unknown };
  return typeof code === "string" && typeof retryable === "boolean";
}
