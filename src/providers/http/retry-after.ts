import { RETRY_AFTER_MAX_MS } from "./limits.js";

/**
 * A `Retry-After` header as milliseconds to wait, or undefined when absent or unreadable:
 * delay-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, counted from `now`;
 * a date in the past is 0). Bounded by RETRY_AFTER_MAX_MS. This is the one place the http
 * provider reads the clock, and the result never reaches a record (ProviderError.retryAfterMs).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, RETRY_AFTER_MAX_MS);
  // An HTTP date always names its weekday and zone; a bare number-like string was handled above.
  if (!/^[A-Za-z]{3}, /.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), RETRY_AFTER_MAX_MS);
}
