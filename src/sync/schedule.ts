/**
 * When a remote is polled next. Healthy: its interval, ±10 % jitter (so that many agents, or
 * many repositories of one agent, do not poll in step). After errors: exponential backoff,
 * interval × 2^(failures−1), capped at the larger of ten minutes and the interval, ±10 %, and
 * never sooner than the interval: a remote in error is never polled faster than a healthy one.
 */

/** The backoff's ceiling (unless the interval itself is longer). */
export const MAX_BACKOFF_MS = 10 * 60 * 1000;

export function pollDelay(a: { readonly intervalMs: number; readonly failures: number; readonly random: () => number }): number {
  const jitter = 0.9 + 0.2 * clamp01(a.random());
  if (a.failures <= 0) return Math.round(a.intervalMs * jitter);
  const cap = Math.max(MAX_BACKOFF_MS, a.intervalMs);
  const base = Math.min(cap, a.intervalMs * 2 ** Math.min(a.failures - 1, 30));
  return Math.round(Math.max(a.intervalMs, base * jitter));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1) : 0.5;
}
