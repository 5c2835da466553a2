/**
 * Waits `ms` milliseconds, rejecting with `onAbort()` as soon as `signal` aborts (or at
 * once if it already has). `ms <= 0` resolves without a timer.
 */
export function sleep(ms: number, signal: AbortSignal, onAbort: () => Error): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal.addEventListener("abort", abort, { once: true });
  });
}

/** Never resolves; rejects with `onAbort()` when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal, onAbort: () => Error): Promise<never> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise((_resolve, reject) => {
    signal.addEventListener("abort", () => reject(onAbort()), { once: true });
  });
}
