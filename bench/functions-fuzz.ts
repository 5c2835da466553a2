/**
 * Benchmark: the time the function-library fuzz test (test/lang/functions/fuzz.test.ts)
 * never asserts. Compiles, one program each, every value of HEAVY (bench/function-exprs.ts:
 * huge ranges and products, alias bombs, catastrophic regexes, enormous widths), 500 hostile
 * calls, and 2,000 expressions of the test's generator with one leaf in ten heavy (all from
 * fast-check, seeded), and prints the median and the slowest single expression, in
 * milliseconds and as multiples of a baseline measured in the same run (the compile of
 * `let v0 = 1 + 1`).
 * Target: every expression under 1 s.
 *
 * Run: `npm run bench -- functions-fuzz`.
 */
import fc from "fast-check";
import { BUILTINS } from "../src/lang/builtins.js";
import { compile } from "../src/lang/compile.js";
import { fuzzProgram, generateExpressions, HEAVY, hostile } from "./function-exprs.js";

function timeOne(expr: string): number {
  const text = fuzzProgram([expr]);
  const t0 = performance.now();
  compile([{ path: "fuzz.lxm", text }], { readFile: () => null });
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function main(): Promise<void> {
  const callees = [...BUILTINS.values()].filter((b) => /^[a-z]/.test(b.name) && b.name !== "file" && b.name !== "secret").map((b) => ({ name: b.name, min: b.min, max: b.max }));
  for (let i = 0; i < 50; i++) timeOne("1 + 1"); // warm-up
  const baseline = median(Array.from({ length: 200 }, () => timeOne("1 + 1")));
  const exprs = [...HEAVY, ...fc.sample(hostile, { seed: 7, numRuns: 500 }), ...generateExpressions(7, 2_000, callees, 0.1)];
  const times = exprs.map((e) => ({ e, t: timeOne(e) }));
  const sorted = [...times].sort((a, b) => b.t - a.t);
  const med = median(times.map((x) => x.t));
  const worst = sorted[0]!;
  const out = (s: string) => process.stdout.write(s + "\n");
  out(`baseline (let v0 = 1 + 1): ${baseline.toFixed(3)} ms`);
  out(`${exprs.length} expressions: median ${med.toFixed(2)} ms (${(med / baseline).toFixed(1)}x), slowest ${worst.t.toFixed(0)} ms (${(worst.t / baseline).toFixed(0)}x)`);
  out("slowest five:");
  for (const x of sorted.slice(0, 5)) out(`  ${x.t.toFixed(0).padStart(6)} ms  ${x.e.length > 100 ? x.e.slice(0, 100) + "…" : x.e}`);
  out(`target: every expression < 1000 ms: ${worst.t < 1000 ? "met" : "NOT met"}`);
  out(JSON.stringify({ bench: "functions-fuzz", baselineMs: baseline, medianMs: med, medianRatio: med / baseline, slowestMs: worst.t, slowestRatio: worst.t / baseline, expressions: exprs.length }));
}
