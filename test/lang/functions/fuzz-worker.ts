/**
 * The fuzz test's worker (test/lang/functions/fuzz.test.ts bundles it and runs it in a worker
 * thread whose heap is capped): fast-check draws `batches` programs of `perBatch` generated
 * expressions from `seed` (bench/function-exprs.ts), compiles each, and checks every
 * invariant (the heap after every tenth program: see `held`). On a broken one it compiles
 * the program's expressions one by one to name the culprits, and stops (no shrinking: the
 * culprit is already one expression).
 *
 * In `{ seed, batches, perBatch, heavy }`; out `{ expressions, programs, problems, steps,
 * values, stopped, maxGrowth, gc }`.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import { expressionArbitrary, fuzzProgram } from "../../../bench/function-exprs.js";
import type { Callee } from "../../../bench/function-exprs.js";
import { BUILTINS } from "../../../src/lang/builtins.js";
import { compile } from "../../../src/lang/compile.js";
import { LIMITS } from "../../../src/lang/values.js";

const { seed, batches, perBatch, heavy } = workerData as { seed: number; batches: number; perBatch: number; heavy: number };
/** Every function a program can call (a splat's `[*]` is written `xs[*]`, generated as such), but file and secret. */
const callees: Callee[] = [...BUILTINS.values()].filter((b) => /^[a-z]/.test(b.name) && b.name !== "file" && b.name !== "secret").map((b) => ({ name: b.name, min: b.min, max: b.max }));
const HEAP_GROWTH = 256 * 1024 * 1024;
/**
 * A full collection, to measure what a compile kept rather than the garbage it left: the
 * process's `gc` (node --expose-gc), else one exposed to a fresh context of this worker's
 * isolate; undefined where neither can be had (growth is then measured garbage included,
 * and not asserted: the heap cap still bounds it).
 */
function findGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
const gc = findGc();
gc?.();
/** The heap before any program: what each compile's kept heap is measured against (a cache that grew would show). */
const baseline = process.memoryUsage().heapUsed;

let expressions = 0;
let programs = 0;
let steps = 0;
let values = 0;
let maxGrowth = 0;
/** Programs whose evaluation ran out of its step budget (LXM2160): their later lets were not evaluated. */
let stopped = 0;

/**
 * The results of the programs since the heap was last measured: held, so that what they
 * keep is measured too. The heap is measured after every tenth program (a collection in a
 * worker takes some 50 ms: one per program would double the test's time), with the results
 * of those ten held.
 */
const held: unknown[] = [];
const MEASURE_EVERY = 10;

/**
 * What is wrong with compiling `exprs` as one program (empty: nothing); counts what it did
 * when `count`, and measures the heap kept since the last measure when `measure`.
 */
function check(exprs: readonly string[], count: boolean, measure: boolean): string[] {
  const text = fuzzProgram(exprs);
  const stats = { steps: 0 };
  const found: string[] = [];
  try {
    const r = compile([{ path: "fuzz.lxm", text }], { readFile: () => null, stats });
    held.push(r);
    if (measure) {
      // What the compiles kept, their results held (after a collection; without one, garbage
      // included and only reported). A passing spike is the worker's heap cap's to catch.
      gc?.();
      const growth = process.memoryUsage().heapUsed - baseline;
      held.length = 0;
      if (count) maxGrowth = Math.max(maxGrowth, growth);
      if (gc && growth > HEAP_GROWTH) found.push(`the heap grew by ${(growth / 2 ** 20).toFixed(0)} MB (the results of the programs since the last measure held)`);
    }
    // A syntax error stops a program before evaluation: the generator must not write any.
    const syntax = r.diagnostics.find((d) => d.code.startsWith("LXM1"));
    if (syntax) found.push(`the generator wrote a syntax error: ${syntax.code} ${syntax.message} at ${syntax.span?.start}`);
    for (const d of r.diagnostics) {
      const s = d.span;
      if (!/^LXM\d{4}$/.test(d.code) || !s || s.file !== "fuzz.lxm" || s.start < 0 || s.start > s.end || s.end > text.length) {
        found.push(`a diagnostic without a code or a location in the file: ${JSON.stringify(d)}`);
      }
    }
    // The program's step budget; a built-in's result is counted once it is built, so the last
    // call may overshoot by at most one result (LIMITS.elements).
    if (stats.steps > LIMITS.steps + LIMITS.elements) found.push(`${stats.steps} evaluation steps`);
    if (count) {
      steps += stats.steps;
      // Lets that evaluated without an error: those no diagnostic points into.
      const failed = new Set(r.diagnostics.map((d) => text.lastIndexOf("\n  let v", d.span?.start ?? 0)));
      values += exprs.length - failed.size;
      if (r.diagnostics.some((d) => d.code === "LXM2160")) stopped++;
    }
  } catch (e) {
    found.push(`an exception: ${(e as Error).stack ?? String(e)}`);
  }
  return found;
}

const problems: string[] = [];
const details = fc.check(
  fc.property(fc.array(expressionArbitrary(callees, heavy), { minLength: perBatch, maxLength: perBatch }), (exprs) => {
    const found = check(exprs, true, programs % MEASURE_EVERY === MEASURE_EVERY - 1);
    programs++;
    expressions += exprs.length;
    if (found.length === 0) return true;
    problems.push(...found.map((f) => `program ${programs}: ${f}`));
    held.length = 0;
    for (const e of exprs) for (const f of check([e], false, true)) problems.push(`  ${f}\n    in: ${e.length > 2000 ? e.slice(0, 2000) + "…" : e}`);
    return false;
  }),
  { seed, numRuns: batches, endOnFailure: true },
);
if (details.failed && problems.length === 0) problems.push(`fast-check: ${String(details.errorInstance)}`);
if (details.failed) problems.push(`replay: seed ${details.seed}, path ${details.counterexamplePath}`);
parentPort!.postMessage({ expressions, programs, problems, steps, values, stopped, maxGrowth, gc: gc !== undefined });
