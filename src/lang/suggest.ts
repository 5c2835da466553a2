/**
 * "Did you mean" suggestions by edit distance. Deterministic: ties break by the length
 * closest to the name's, then by the smaller candidate in code-unit order.
 */

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = new Array<number>(n + 1).fill(0);
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur: number[] = new Array<number>(n + 1).fill(0);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/**
 * The closest candidate to `name`, or null when none is close enough (distance at most a
 * third of the name's length, at least 1; a case-only difference always counts).
 */
export function suggest(name: string, candidates: Iterable<string>): string | null {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c);
    if (d > limit) continue;
    // On a tie, the candidate closest in length wins (`pagse` → `pages`, not `page`).
    const closer = best === null ? 0 : Math.abs(c.length - name.length) - Math.abs(best.length - name.length);
    if (d < bestD || (d === bestD && best !== null && (closer < 0 || (closer === 0 && c < best)))) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
