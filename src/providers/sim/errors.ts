import { ProviderError } from "../types.js";

/**
 * The sim provider's failures, in one place so that each has a stable reason code
 * (docs/providers.md lists them).
 */

/** An injected `error` fault: retryable, like a flaky remote API. */
export function injectedError(op: string, what: string, n: number): ProviderError {
  return new ProviderError("sim.fault", `sim: injected error on ${op} of ${what} (matching call #${n})`, true);
}

/** The call was aborted (the action's timeout expired) while waiting: retryable. */
export function aborted(op: string, what: string): ProviderError {
  return new ProviderError("timeout", `sim: ${op} of ${what} timed out (aborted)`, true);
}

/** Returned only when the crash fault's kill function did not end the process (tests inject one). */
export function crashed(op: string, what: string): ProviderError {
  return new ProviderError("sim.crash", `sim: injected crash on ${op} of ${what}`, false);
}

/** An attribute has the wrong shape (the compiler checks schemas; this guards direct calls). */
export function badAttr(attr: string, why: string): ProviderError {
  return new ProviderError("sim.invalid_attr", `sim: sim.object.${attr} ${why}`, false);
}

/** The runtime asked for a type this provider does not manage (a bug upstream). */
export function unknownType(type: string): ProviderError {
  return new ProviderError("sim.unknown_type", `sim: unknown resource type ${type}`, false);
}

/** The world file changed on disk into something that is not a lexum.sim/v1 world. */
export function worldInvalid(message: string): ProviderError {
  return new ProviderError("sim.world_invalid", message, false);
}

/** Writing the world file failed; retryable (the in-memory world is rewritten whole next time). */
export function worldWrite(path: string, err: unknown): ProviderError {
  const detail = err instanceof Error ? err.message : String(err);
  return new ProviderError("sim.io", `sim: cannot write the world file ${path}: ${detail}`, true);
}
