import { ProviderError } from "../types.js";

/**
 * The http provider's failures, in one place so that each has a stable reason code
 * (docs/providers.md lists them). Messages name the method and URL, and quote the server's
 * status; they never hold a header value (excerpts of bodies are redacted first, redact.ts).
 */

/** An attribute has the wrong shape (the compiler checks schemas; this guards direct calls). */
export function badAttr(attr: string, why: string): ProviderError {
  return new ProviderError("http.invalid_attr", `http: http.object.${attr} ${why}`, false);
}

/** The runtime asked for a type this provider does not manage (a bug upstream). */
export function unknownType(type: string): ProviderError {
  return new ProviderError("http.unknown_type", `http: unknown resource type ${type}`, false);
}

/** The call was aborted (the action's timeout expired) before the answer came: retryable. */
export function aborted(method: string, url: string): ProviderError {
  return new ProviderError("timeout", `http: ${method} ${url} timed out (aborted)`, true);
}

/** The server could not be reached or dropped the connection: retryable. */
export function connectionFailed(method: string, url: string, detail: string): ProviderError {
  return new ProviderError("http.connection", `http: ${method} ${url} failed: ${detail}`, true);
}

/** The server's certificate is not trusted (or TLS could not be set up): a retry cannot help. */
export function tlsFailed(method: string, url: string, detail: string): ProviderError {
  return new ProviderError("http.tls", `http: ${method} ${url}: TLS failed: ${detail}`, false);
}

/** The server answered something that is not what the call needs (not JSON, not an object, no id). */
export function badResponse(method: string, url: string, why: string): ProviderError {
  return new ProviderError("http.bad_response", `http: ${method} ${url}: ${why}`, false);
}

/**
 * The reason code of a failing status: 408 and 429 (the server asks for a later retry), 5xx
 * (its own failure) are retryable; any other 4xx, and statuses a call does not expect (1xx,
 * 3xx: redirects are not followed), are not.
 */
export function statusCode(status: number): { code: string; retryable: boolean } {
  if (status === 408) return { code: "http.request_timeout", retryable: true };
  if (status === 429) return { code: "http.too_many_requests", retryable: true };
  if (status >= 500 && status <= 599) return { code: "http.server_error", retryable: true };
  if (status >= 400 && status <= 499) return { code: "http.client_error", retryable: false };
  return { code: "http.unexpected_status", retryable: false };
}

/** A failing answer: its status, its reason phrase and a redacted excerpt of its body; retryable ones carry the server's Retry-After. */
export function statusFailed(method: string, url: string, status: number, reason: string, excerpt: string, retryAfterMs: number | undefined): ProviderError {
  const { code, retryable } = statusCode(status);
  const phrase = reason ? ` ${reason}` : "";
  const body = excerpt ? `: ${excerpt}` : "";
  return new ProviderError(code, `http: ${method} ${url} answered ${status}${phrase}${body}`, retryable, retryable ? retryAfterMs : undefined);
}
