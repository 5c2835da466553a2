/**
 * Counts in words for the command lines: the number and what it counts, singular or plural
 * (`1 action`, `3 actions`). English only; deterministic.
 */

/** `n` and the noun it counts: `count(1, "action")` → `1 action`; `count(3, "action")` → `3 actions`. */
export function count(n: number, singular: string, plural = singular + "s"): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
