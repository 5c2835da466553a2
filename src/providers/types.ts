import { isAbsolute, resolve } from "node:path";
import type { JsonObject } from "../program/types.js";

/**
 * The provider contract. Providers are the only code that touches the managed world.
 * Every call is idempotent: a retried create of an existing identical object succeeds,
 * a delete of an absent object succeeds.
 */

/** What a provider call may use besides its arguments. */
export interface CallContext {
  /** Aborted when the action's timeout (policy.timeout) expires. */
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

/** A path from a provider's configuration, absolute: a relative one resolves against the project directory. */
export function resolveConfigPath(env: ProviderEnv, p: string): string {
  return isAbsolute(p) ? resolve(p) : resolve(env.projectDir, p);
}

/** One configured provider block (`provider fs { root = "out" }`) ready to act. */
export interface ProviderInstance {
  /** Reads the real object named by the identity attributes in `attrs`; null when absent. Returns every attribute, computed ones included. */
  read(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject | null>;
  /** Creates the object (or accepts an identical existing one) and returns it as read back. */
  create(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject>;
  /** Brings an existing object to `attrs` and returns it as read back. `prior` is the recorded state. */
  update(type: string, prior: JsonObject, attrs: JsonObject, ctx: CallContext): Promise<JsonObject>;
  /** Deletes the object; succeeds when it is already absent. */
  delete(type: string, attrs: JsonObject, ctx: CallContext): Promise<void>;
  /** Releases resources (file handles, flushes a sim world). */
  close(): Promise<void>;
}

/** A provider kind (fs, sim, http, github). */
export interface Provider {
  readonly name: string;
  /** Fully-qualified resource types it manages, e.g. ["fs.dir", "fs.file", "fs.symlink"]. */
  readonly types: readonly string[];
  /** Binds a provider block's configuration. Throws a LexumError on bad configuration. */
  configure(config: JsonObject, env: ProviderEnv): ProviderInstance;
}

/** The longest wait a `ProviderError.retryAfterMs` can impose between two attempts (the runtime bounds it). */
export const RETRY_AFTER_MAX_MS = 60_000;

/**
 * A provider failure with a stable reason. `retryable` failures are retried up to the
 * domain's `retries`; others fail the action at once.
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
