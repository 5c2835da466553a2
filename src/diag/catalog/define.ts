import type { Diagnostic, Related, Severity } from "../diagnostic.js";
import type { Span } from "../span.js";
import { LexumError } from "../diagnostic.js";

/** Documentation of one code: what it means, an example, the fix (docs/diagnostics.md mirrors it). */
export interface CodeDoc {
  readonly code: string;
  readonly title: string;
  readonly severity: Severity;
  /** One line: what it means and how to fix it. */
  readonly doc: string;
}

const registry = new Map<string, CodeDoc>();

/** Every registered code, sorted by code. */
export function allCodes(): CodeDoc[] {
  return [...registry.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

export interface Message {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/**
 * Declares a code. `build` turns the call's arguments into the message and hint.
 * Returns a factory: `(span, ...args) => Diagnostic`, and `.error(...args)` for a typed
 * runtime error (LexumError) with the same words.
 */
export function code<A extends unknown[]>(
  code: string,
  title: string,
  doc: string,
  build: (...args: A) => { message: string; hint?: string },
  severity: Severity = "error",
) {
  if (registry.has(code)) throw new Error(`duplicate diagnostic code ${code}`);
  registry.set(code, { code, title, severity, doc });
  const at = (span: Span | undefined, ...args: A): Diagnostic => {
    const m = build(...args);
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code, severity, message: m.message };
    if (span) d.span = span;
    if (m.hint) d.hint = m.hint;
    return d;
  };
  const withRelated = (span: Span | undefined, related: Related[], ...args: A): Diagnostic => ({
    ...at(span, ...args),
    related,
  });
  const error = (...args: A): LexumError => {
    const m = build(...args);
    return new LexumError(code, m.message, m.hint);
  };
  return Object.assign(at, { code, title, at, withRelated, error });
}
