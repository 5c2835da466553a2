/** Bounds of the http provider, named once. */

export { RETRY_AFTER_MAX_MS } from "../types.js";

/** The most characters of a failing answer's body quoted in an error (after redaction). */
export const EXCERPT_MAX_CHARS = 512;

/** The largest answer read: an object bigger than this is refused, not buffered. */
export const BODY_MAX_BYTES = 16 * 1024 * 1024;

/** What replaces a credential in an excerpt. */
export const REDACTED = "(redacted)";
