import { LexumError } from "../diag/diagnostic.js";
import type { HostFailureKind } from "./types.js";

/**
 * A code host's failure: a catalog error (code, message, hint) that also says, as data, why
 * the call failed (`kind`), so callers decide without reading the words — a pull request from
 * a fork, for one, turns `permissions` and `read-only` into a note instead of a failure.
 */
export class HostError extends LexumError {
  readonly kind: HostFailureKind;
  /** The HTTP status GitHub answered, when it answered. */
  readonly status: number | undefined;
  constructor(from: LexumError, kind: HostFailureKind, status?: number) {
    super(from.code, from.message, from.hint);
    this.name = "HostError";
    this.kind = kind;
    this.status = status;
  }
}

/** The failure kind of an error a host call threw (undefined when it is not a host failure). */
export function hostFailureKind(e: unknown): HostFailureKind | undefined {
  return e instanceof HostError ? e.kind : undefined;
}
