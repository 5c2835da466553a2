/**
 * Benchmark: canonical hashing of a whole 10k-resource state (target ≤ 1.5×).
 *
 * The state is what a snapshot commit hashes: every RecordedResource (one `hashValue` each)
 * plus the snapshot document listing their hashes. Baseline, same run: `JSON.stringify` +
 * sha256 of the same objects (no key sorting at all). Two shapes of the same state:
 *   - as loaded from the state branch (parsed from canonical text: keys already sorted);
 *   - as built by the runtime: a real `runPlan` of 10k creates through the `sim` provider
 *     (latency 0), whose records come straight from the provider's read-back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { buildPlan } from "../src/plan/index.js";
import { loadTypeCatalog } from "../src/program/schemas.js";
import type { RecordedResource } from "../src/plan/types.js";
import { canonicalize, hashValue, sha256 } from "../src/program/canonical.js";
import { runPlan } from "../src/runtime/index.js";
import { ProviderPool } from "../src/engine/providers.js";
import { builtinProjectProviders } from "../src/providers/project.js";
import { compileGenerated, ensureSchemas, generatedProject } from "./plan.js";

const N = 10_000;
const REPS = 7;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Records = { readonly [address: string]: RecordedResource };

/** The canonical way: hash each record, then the snapshot-like document of the hashes. */
function canonicalState(records: Records): string {
  const resources: Record<string, string> = {};
  for (const a of Object.keys(records).sort()) resources[a] = hashValue(records[a]);
  return hashValue({ format: "lexum.snapshot/v1", parent: null, resources });
}

/** The baseline: the same work with JSON.stringify (insertion order, no sorting). */
function plainState(records: Records): string {
  const resources: Record<string, string> = {};
  for (const a of Object.keys(records).sort()) resources[a] = "sha256:" + createHash("sha256").update(JSON.stringify(records[a])).digest("hex");
  return sha256(JSON.stringify({ format: "lexum.snapshot/v1", parent: null, resources }));
}

function measure(label: string, records: Records): { label: string; canonicalMs: number; plainMs: number; ratio: number } {
  const c: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < REPS; r++) {
    // Alternate the order so neither side always runs on a warmer heap.
    if (r % 2 === 0) {
      let t = performance.now();
      canonicalState(records);
      c.push(performance.now() - t);
      t = performance.now();
      plainState(records);
      p.push(performance.now() - t);
    } else {
      let t = performance.now();
      plainState(records);
      p.push(performance.now() - t);
      t = performance.now();
      canonicalState(records);
      c.push(performance.now() - t);
    }
  }
  const canonicalMs = median(c);
  const plainMs = median(p);
  return { label, canonicalMs, plainMs, ratio: canonicalMs / plainMs };
}

/** A real run of 10k creates through sim: the records exactly as the runtime builds them. */
async function runtimeRecords(): Promise<Records> {
  const dir = mkdtempSync(join(tmpdir(), "lexum-bench-hash-"));
  try {
    const { program, hash } = compileGenerated(generatedProject(N, 0));
    const prior = { snapshot: null, resources: {} };
    const plan = buildPlan({ program, programHash: hash, prior, catalog: loadTypeCatalog() }).plan!;
    const pool = new ProviderPool(program, prior, { projectDir: dir }, { secret: () => undefined, digest: (v) => v }, builtinProjectProviders());
    try {
      const run = await runPlan({ program, plan, prior, providers: pool.get, parallelism: 20, secret: () => undefined, digest: (v) => v, catalog: loadTypeCatalog() });
      if (run.status !== "quiescent") throw new Error(`bench run failed: ${run.failure?.message}`);
      return run.resources;
    } finally {
      await pool.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  ensureSchemas();
  const built = await runtimeRecords();
  const loaded = JSON.parse(canonicalize(built)) as Records;
  if (canonicalState(built) !== canonicalState(loaded)) throw new Error("the two shapes hash differently (bug)");
  const bytes = Buffer.byteLength(JSON.stringify(loaded));
  const results = [measure("as loaded from the branch (parsed JSON)", loaded), measure("as built by the runtime (runPlan via sim)", built)];
  console.log(`hashing: whole state of ${Object.keys(built).length} resources (${(bytes / 2 ** 20).toFixed(1)} MB of JSON), median of ${REPS}`);
  for (const r of results) {
    console.log(`  ${r.label}: canonical ${r.canonicalMs.toFixed(0)} ms vs JSON.stringify+sha256 ${r.plainMs.toFixed(0)} ms  ratio ${r.ratio.toFixed(2)}x (target <= 1.5x) ${r.ratio <= 1.5 ? "OK" : "MISSED"}`);
  }
  console.log(JSON.stringify({ bench: "hashing", resources: Object.keys(built).length, loadedRatio: Number(results[0]!.ratio.toFixed(2)), builtRatio: Number(results[1]!.ratio.toFixed(2)), loadedMs: Math.round(results[0]!.canonicalMs), builtMs: Math.round(results[1]!.canonicalMs) }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
