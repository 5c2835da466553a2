/**
 * Benchmark: an end-to-end apply, through `applyProject` on a temp git
 * repository: 1,000 independent `sim.object` resources in 20 domains, sim latency 10 ms,
 * parallelism 4.
 *
 * 1. Apply time against the ideal, round trips on the critical path × latency ÷ parallelism
 *    = 1000 × 2 × 10 ms ÷ 4 = 5 s (each new object is read, then created: Lexum never
 *    overwrites an object it did not make) (target ≤ 1.2×); also against the same schedule of bare `setTimeout(10)` sleeps
 *    measured in this run (what the timers of this machine allow).
 * 2. Bytes serialised during the apply (the journal: `ApplyOutcome.journalBytes`) against
 *    the final snapshot commit's size (the sum of its files' bytes). Target < 3×.
 * 3. A second commit changing 1 % of the resources (10): how many resource hashes the
 *    snapshot recomputed (records that are not the parent's very object; target ≈ 1 %),
 *    and the incremental snapshot commit's time (buildStateTree + writeStateCommit, redone
 *    on a copy of the repository taken before the apply, cold caches; target < 150 ms).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { applyProject } from "../src/engine/apply-project.js";
import type { ApplyOutcome } from "../src/engine/apply-project.js";
import { verifyBranch } from "../src/engine/verify.js";
import { readStateHead } from "../src/engine/state-head.js";
import { buildStateTree } from "../src/state/snapshot.js";
import { writeStateCommit } from "../src/state/store.js";
import { getProvider } from "../src/providers/index.js";
import { ensureSchemas } from "./plan.js";

const DOMAINS = 20;
const PER = 50;
const LATENCY = 10;
const PARALLELISM = 4;
const BRANCH = "lexum/state";

/** 20 domains × 50 sim objects; domains below `bumped` get `version` in their object c0's spec (1 % of 1000 per 10 domains). */
function project(version: number, bumped: number): string {
  const out: string[] = [];
  for (let d = 0; d < DOMAINS; d++) {
    const dn = `d${String(d).padStart(2, "0")}`;
    out.push(
      `domain ${dn} {`,
      `  provider sim {`,
      `    world   = "world-${dn}.json"`,
      `    latency = ${LATENCY}`,
      `  }`,
      `  resource sim.object a for i in range(${PER - 1}) {`,
      `    kind = "svc"`,
      `    name = "${dn}-a\${i}"`,
      `    spec = { image = "app:1.0", port = 8000 + i }`,
      `  }`,
      `  resource sim.object c {`,
      `    kind = "svc"`,
      `    name = "${dn}-c"`,
      `    spec = { image = "app:1.${d < bumped ? version : 0}" }`,
      `  }`,
      `}`,
      ``,
    );
  }
  return out.join("\n");
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, GIT_AUTHOR_NAME: "B", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "B", GIT_COMMITTER_EMAIL: "b@b", GIT_AUTHOR_DATE: "1700000000 +0000", GIT_COMMITTER_DATE: "1700000000 +0000" },
  }).trim();
}

/** Round trips per new object: the read that looks for an object already there, then the create. */
const CALLS = 2;

/** The same schedule as the ideal apply, with nothing but timers: 4 workers × 500 sleeps of 10 ms. */
async function timerBaseline(): Promise<number> {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const t = performance.now();
  await Promise.all(Array.from({ length: PARALLELISM }, async () => {
    for (let i = 0; i < (DOMAINS * PER * CALLS) / PARALLELISM; i++) await sleep(LATENCY);
  }));
  return performance.now() - t;
}

/** The same schedule against the sim provider alone (no runtime, no git): 20 worlds, 4 at a time, 50 sequential reads and creates each. */
async function providerBaseline(dir: string): Promise<number> {
  const sim = getProvider("sim")!;
  const signal = new AbortController().signal;
  const t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: PARALLELISM }, async () => {
    for (let d = next++; d < DOMAINS; d = next++) {
      const inst = sim.configure({ world: `baseline-${d}.json`, latency: LATENCY }, { projectDir: dir });
      for (let i = 0; i < PER; i++) {
        const goal = { kind: "svc", name: `b${d}-${i}`, spec: { image: "app:1.0" } };
        await inst.read("sim.object", goal, { signal, attempt: 1 });
        await inst.create("sim.object", goal, { signal, attempt: 1 });
      }
      await inst.close();
    }
  }));
  return performance.now() - t;
}

async function apply(dir: string): Promise<{ outcome: ApplyOutcome; ms: number; runMs: number }> {
  let first = 0;
  let last = 0;
  const t = performance.now();
  const outcome = await applyProject({
    dir,
    cwd: dir,
    env: { ...process.env, LXM_STATE_KEY: "bench-key" },
    parallelism: PARALLELISM,
    onEvent: () => {
      const now = performance.now();
      if (!first) first = now;
      last = now;
    },
  });
  const ms = performance.now() - t;
  if (!("commits" in outcome)) throw new Error(`apply did not plan: ${outcome.diagnostics.map((d) => d.message).join("; ")}`);
  if (outcome.result?.status !== "quiescent") throw new Error(`apply failed: ${outcome.result?.failure?.message}`);
  return { outcome, ms, runMs: last - first };
}

/** Sum of the bytes of every file in the commit's tree. */
function commitBytes(dir: string, rev: string): number {
  return git(dir, "ls-tree", "-r", "-l", rev)
    .split("\n")
    .reduce((s, line) => s + Number(line.split(/\s+/)[3]), 0);
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  ensureSchemas();
  const dir = mkdtempSync(join(tmpdir(), "lexum-bench-apply-"));
  const copy = `${dir}-copy`;
  try {
    git(dir, "init", "-q", "-b", "main");
    writeFileSync(join(dir, "main.lxm"), project(0, 0));
    git(dir, "add", "main.lxm");
    git(dir, "commit", "-q", "-m", "v1");

    const timers = await timerBaseline();
    const providerOnly = await providerBaseline(`${dir}-sim`);
    // From a collected heap (untimed; the bench runs with --expose-gc), as the compile and
    // plan benches do: the apply does not pay for the baselines' garbage.
    (globalThis as { gc?: () => void }).gc?.();
    const v1 = await apply(dir);
    const ideal = (DOMAINS * PER * CALLS * LATENCY) / PARALLELISM;
    const stateBytes = commitBytes(dir, BRANCH);
    const journalRatio = v1.outcome.journalBytes / stateBytes;

    // 1 % changed: object c of domains d00..d09.
    writeFileSync(join(dir, "main.lxm"), project(1, 10));
    git(dir, "commit", "-q", "-am", "v2");
    cpSync(dir, copy, { recursive: true });
    const v2 = await apply(dir);
    const o2 = v2.outcome;
    const parent = o2.planned.head!.loaded;
    const run = o2.result!;
    const addresses = Object.keys(run.resources);
    // buildStateTree re-hashes exactly the records that are not the parent's very object.
    const rehashed = addresses.filter((a) => run.resources[a] !== parent.resources[a]).length;
    const changed = o2.planned.plan.summary.update + o2.planned.plan.summary.create + o2.planned.plan.summary.replace;

    // The incremental commit again, on the copy taken before the apply (objects not yet there).
    // Planning reads the head first (untimed); the run keeps the records it did not touch as
    // the very objects of the parent it planned from, so the commit is built on that parent
    // (the same commit as `head`, read by the apply) exactly as the apply builds it.
    const cgit = join(copy, ".git");
    const head = await readStateHead({ gitdir: cgit, branch: BRANCH });
    if (head!.loaded.hash !== parent.hash) throw new Error("the copy's state head is not the apply's parent");
    (globalThis as { gc?: () => void }).gc?.(); // this timed section too starts from a collected heap
    const t = performance.now();
    const tree = buildStateTree({ parent, status: run.status, source: { commit: o2.planned.workspace.goal.commit, path: o2.planned.workspace.projectPath }, programHash: o2.planned.programHash, plan: o2.planned.plan, run });
    const built = performance.now() - t;
    const written = await writeStateCommit({ gitdir: cgit, branch: BRANCH, expectedParent: head!.oid, files: tree.files, message: tree.message, time: o2.planned.workspace.goal.time });
    const incMs = performance.now() - t;
    const sameCommit = written.oid === o2.commits[0]!.oid;

    const verify = await verifyBranch(join(dir, ".git"), BRANCH);
    const ok = (b: boolean): string => (b ? "OK" : "MISSED");
    console.log(`apply: ${DOMAINS * PER} independent sim objects in ${DOMAINS} domains, latency ${LATENCY} ms, parallelism ${PARALLELISM} (applyProject, end to end)`);
    console.log(`  ideal (round trips on the critical path x latency / parallelism): ${ideal} ms; same schedule of bare timers here: ${timers.toFixed(0)} ms; of sim reads and creates alone (no runtime): ${providerOnly.toFixed(0)} ms`);
    console.log(`  first apply: ${v1.ms.toFixed(0)} ms total (run phase ${v1.runMs.toFixed(0)} ms)  ratio to ideal ${(v1.ms / ideal).toFixed(2)}x (target <= 1.2x) ${ok(v1.ms / ideal <= 1.2)}; to timers ${(v1.ms / timers).toFixed(2)}x; to sim alone ${(v1.ms / providerOnly).toFixed(2)}x`);
    console.log(`  journal bytes ${v1.outcome.journalBytes} vs final snapshot commit ${stateBytes} B: ${journalRatio.toFixed(2)}x (target < 3x) ${ok(journalRatio < 3)}`);
    console.log(`  1% changed (${changed} of ${addresses.length} planned as changes): apply ${v2.ms.toFixed(0)} ms; journal ${o2.journalBytes} B vs commit ${commitBytes(dir, BRANCH)} B`);
    console.log(`  resource hashes recomputed: ${rehashed} of ${addresses.length} (${((100 * rehashed) / addresses.length).toFixed(1)} %)`);
    console.log(`  incremental snapshot commit (buildStateTree ${built.toFixed(0)} ms + writeStateCommit, ${written.written} objects): ${incMs.toFixed(0)} ms (target < 150 ms) ${ok(incMs < 150)}; same commit id as the apply's: ${sameCommit}`);
    console.log(`  state verify: ${verify.bad ? "FAILED " + verify.bad.problems.join("; ") : `clean (${verify.commits} commits)`}`);
    console.log(
      JSON.stringify({
        bench: "apply",
        applyMs: Math.round(v1.ms),
        runMs: Math.round(v1.runMs),
        idealMs: ideal,
        timersMs: Math.round(timers),
        simAloneMs: Math.round(providerOnly),
        ratio: Number((v1.ms / ideal).toFixed(2)),
        journalBytes: v1.outcome.journalBytes,
        stateBytes,
        journalRatio: Number(journalRatio.toFixed(2)),
        rehashed,
        resources: addresses.length,
        incrementalCommitMs: Math.round(incMs),
        sameCommit,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
    rmSync(`${dir}-sim`, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
