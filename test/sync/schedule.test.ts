import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_BACKOFF_MS, pollDelay } from "../../src/sync/schedule.js";

describe("pollDelay", () => {
  it("healthy: the interval ±10 %", () => {
    expect(pollDelay({ intervalMs: 30_000, failures: 0, random: () => 0 })).toBe(27_000);
    expect(pollDelay({ intervalMs: 30_000, failures: 0, random: () => 1 })).toBe(33_000);
    expect(pollDelay({ intervalMs: 30_000, failures: 0, random: () => 0.5 })).toBe(30_000);
  });

  it("errors: doubles per failure from the interval, capped at ten minutes", () => {
    const mid = (failures: number) => pollDelay({ intervalMs: 30_000, failures, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6, 7].map(mid)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
  });

  it("an interval longer than the cap is the cap", () => {
    expect(pollDelay({ intervalMs: 3_600_000, failures: 9, random: () => 0.5 })).toBe(3_600_000);
  });

  it("property: within ±10 % of the interval when healthy; never below the interval in error; never above the cap +10 %", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1, noNaN: true }), (intervalMs, failures, r) => {
        const d = pollDelay({ intervalMs, failures, random: () => r });
        if (failures === 0) {
          expect(d).toBeGreaterThanOrEqual(Math.floor(intervalMs * 0.9));
          expect(d).toBeLessThanOrEqual(Math.ceil(intervalMs * 1.1));
        } else {
          expect(d).toBeGreaterThanOrEqual(intervalMs);
          expect(d).toBeLessThanOrEqual(Math.ceil(Math.max(MAX_BACKOFF_MS, intervalMs) * 1.1));
        }
      }),
    );
  });

  it("a random source out of range does not escape the bounds", () => {
    expect(pollDelay({ intervalMs: 1000, failures: 0, random: () => Number.NaN })).toBe(1000);
    expect(pollDelay({ intervalMs: 1000, failures: 0, random: () => 7 })).toBe(1100);
  });
});
