import type { Span } from "./span.js";
import { compareSpans } from "./span.js";

export type Severity = "error" | "warning";

/** A related location, e.g. "the other resource with this identity is here". */
export interface Related {
  readonly span: Span;
  readonly message: string;
}

/**
 * One finding about user input. Built only through the catalog (catalog/*.ts), never
 * with an inline string, so that every message has a stable code and a documented meaning.
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** The tight span the finding is about; absent for findings about the project as a whole. */
  readonly span?: Span;
  readonly hint?: string;
  readonly related?: readonly Related[];
}

/** Deterministic order: by span (unspanned first), then code, then message. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    if (a.span && b.span) {
      const c = compareSpans(a.span, b.span);
      if (c !== 0) return c;
    } else if (a.span || b.span) {
      return a.span ? 1 : -1;
    }
    if (a.code !== b.code) return a.code < b.code ? -1 : 1;
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
  });
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === "error");
}

/**
 * A user-facing failure outside compilation (git, state, providers): typed, with a code
 * and a hint. Throw it at I/O edges; the CLI prints it as one clear line and exits 1.
 */
export class LexumError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = "LexumError";
    this.code = code;
    this.hint = hint;
  }
}

/** A bug in Lexum itself (never the user's input). */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = "InternalError";
  }
}
