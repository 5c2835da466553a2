import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * The compiler fed 10⁵ generated expressions over the built-in functions
 * (bench/function-exprs.ts: hostile regexes, alias bombs, huge ranges and products, enormous
 * format widths, wrong types and counts), 500 programs of 200, in a worker thread whose heap
 * is capped at 256 MB: a compile that allocated more would kill the worker and fail the
 * test. Every program must compile without an exception, every diagnostic have a code and a
 * location in the file, and evaluation stay within its step budget. Time per expression is
 * the bench's to measure (`npm run bench -- functions-fuzz`), never asserted here.
 */
const root = join(import.meta.dirname, "../../..");
// Beside the repository's node_modules, two levels below the top, so that the bundle finds
// the packages (left external) and schemas/ (src/program/schema-files.ts) as src/ does.
const outDir = join(root, "node_modules/.lexum-fuzz");

describe("the function library under fuzzing", () => {
  it("compiles 10⁵ generated expressions: no exception, located diagnostics, bounded work, heap under 256 MB", async () => {
    mkdirSync(outDir, { recursive: true });
    const worker = join(outDir, "worker.mjs");
    await build({
      entryPoints: [join(root, "test/lang/functions/fuzz-worker.ts")],
      outfile: worker,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "silent",
    });
    const result = await new Promise<{ expressions: number; problems: string[]; steps: number; values: number }>((resolve, reject) => {
      const w = new Worker(worker, { workerData: { seed: 15_000, batches: 500, perBatch: 200, heavy: 0.0005 }, resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 } });
      w.once("message", resolve);
      w.once("error", reject);
      w.once("exit", (code) => reject(new Error(`the fuzz worker exited (${code}) before reporting`)));
    });
    expect(result.problems).toEqual([]);
    expect(result.expressions).toBeGreaterThanOrEqual(100_000);
    // The programs were evaluated, not stopped early: work was done, and many lets succeeded.
    expect(result.steps).toBeGreaterThan(1_000_000);
    expect(result.values).toBeGreaterThan(10_000);
  }, 600_000);
});
