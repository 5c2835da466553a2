/**
 * The fuzz test's worker (test/lang/functions/fuzz.test.ts bundles it and runs it in a worker
 * thread whose heap is capped): compiles the generated programs and reports every broken
 * invariant. Messages: in `{ seed, batches, perBatch, heavy }`, out `{ expressions, problems }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { fuzzProgram, generateExpressions } from "../../../bench/function-exprs.js";
import { FUNCTION_NAMES } from "../../../src/lang/builtins.js";
import { compile } from "../../../src/lang/compile.js";
import { LIMITS } from "../../../src/lang/values.js";

const { seed, batches, perBatch, heavy } = workerData as { seed: number; batches: number; perBatch: number; heavy: number };
const names = FUNCTION_NAMES.filter((n) => n !== "file" && n !== "secret");
const problems: string[] = [];
let expressions = 0;
let steps = 0;
let values = 0;
for (let b = 0; b < batches && problems.length < 20; b++) {
  const exprs = generateExpressions(seed + b, perBatch, names, heavy);
  const text = fuzzProgram(exprs);
  const stats = { steps: 0 };
  try {
    const r = compile([{ path: "fuzz.lxm", text }], { readFile: () => null, stats });
    // A syntax error stops a program before evaluation: the generator must not make any.
    const syntaxError = r.diagnostics.find((d) => d.code.startsWith("LXM1"));
    if (syntaxError) problems.push(`batch ${b}: the generator wrote a syntax error: ${syntaxError.message} at ${syntaxError.span?.start}`);
    steps += stats.steps;
    // Lets that evaluated without an error (a program with errors has no IR: counted by evaluating alone).
    values += exprs.length - new Set(r.diagnostics.map((d) => text.lastIndexOf("\n  let v", d.span?.start ?? 0))).size;
    for (const d of r.diagnostics) {
      const s = d.span;
      if (!/^LXM\d{4}$/.test(d.code) || !s || s.file !== "fuzz.lxm" || s.start < 0 || s.start > s.end || s.end > text.length) {
        problems.push(`batch ${b}: a diagnostic without a code or a location in the file: ${JSON.stringify(d)}`);
      }
    }
    if (stats.steps > LIMITS.steps + LIMITS.elements) problems.push(`batch ${b}: ${stats.steps} evaluation steps`);
  } catch (e) {
    problems.push(`batch ${b} (seed ${seed + b}): ${(e as Error).stack ?? String(e)}`);
  }
  expressions += exprs.length;
}
parentPort!.postMessage({ expressions, problems, steps, values });
