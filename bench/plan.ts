/**
 * Benchmark: planning 10k and 100k resources (targets below).
 *
 * The goal is generated `.lxm` text (20 domains of `sim.object` resources made by `for`
 * expressions) compiled once, outside the timing. The prior state is what applying that
 * goal records (every attribute plus the computed `uid` and `generation`), round-tripped
 * through canonical JSON text as it is when read from the state branch. Timed: `buildPlan`
 * alone (it hashes the plan too), two cases:
 *   - no-op: the goal equals the prior;
 *   - 10 % changed: the goal's last tenth of each domain has a new `spec`.
 * Each size runs in its own child process so the child's peak RSS (`maxRSS`) is the plan's
 * (plus the compiled program and prior it needs), not the parent's.
 *
 * Figures: median time per case, peak memory, t(100k)/t(10k); the baseline measured in the
 * same run is `JSON.stringify` + sha256 of the same prior state (the cost of merely reading
 * every record once). Targets: 10k under 1 s, < 500 MB, t(100k)/t(10k) ≤ 12.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, symlinkSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compile } from "../src/lang/index.js";
import { buildPlan } from "../src/plan/index.js";
import { loadTypeCatalog } from "../src/program/schemas.js";
import type { Plan, PriorState, RecordedResource } from "../src/plan/types.js";
import type { Program } from "../src/program/types.js";
import { canonicalize } from "../src/program/canonical.js";

const DOMAINS = 20;

/**
 * The compiled benchmarks live one folder deeper (dist-bench/src/…) than the build
 * (dist/…), so src/program/schemas.ts's `../../schemas/` lands in dist-bench/: link it to
 * the repository's schemas/ (idempotent).
 */
export function ensureSchemas(): void {
  const link = fileURLToPath(new URL("../schemas", import.meta.url));
  const target = fileURLToPath(new URL("../../schemas", import.meta.url));
  if (!existsSync(link) && existsSync(target)) symlinkSync(target, link, "dir");
}
const REPS = 5;

/**
 * The generated project text: `n` sim.object resources in 20 domains. The first nine
 * tenths of each domain come from `for i in range(…)` block `a`, the last tenth from block
 * `b`; `version` goes into block b's spec, so changing it changes exactly 10 %.
 */
export function generatedProject(n: number, version: number, latencyMs = 0): string {
  const per = Math.floor(n / DOMAINS);
  const changed = Math.floor(per / 10);
  const out: string[] = [];
  for (let d = 0; d < DOMAINS; d++) {
    const dn = `d${String(d).padStart(2, "0")}`;
    out.push(
      `domain ${dn} {`,
      `  provider sim {`,
      `    world   = "world-${dn}.json"`,
      `    latency = ${latencyMs}`,
      `  }`,
      `  resource sim.object a for i in range(${per - changed}) {`,
      `    kind = "svc"`,
      `    name = "${dn}-a\${i}"`,
      `    spec = { replicas = 2, image = "app:1.0", port = 8000 + i }`,
      `  }`,
      `  resource sim.object b for i in range(${changed}) {`,
      `    kind = "svc"`,
      `    name = "${dn}-b\${i}"`,
      `    spec = { replicas = 2, image = "app:1.${version}", port = 9000 + i }`,
      `  }`,
      `}`,
      ``,
    );
  }
  return out.join("\n");
}

/** Compiles generated text; throws on diagnostics (a bug in the generator). */
export function compileGenerated(text: string): { program: Program; hash: string } {
  const r = compile([{ path: "main.lxm", text }]);
  if (!r.program || !r.hash) throw new Error(`generated project does not compile: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return { program: r.program, hash: r.hash };
}

/** What a quiescent apply of `program` through sim records (uid/generation as sim computes them), as parsed from the branch. */
export function appliedState(program: Program, snapshot: string): PriorState {
  const resources: Record<string, RecordedResource> = {};
  for (const d of Object.keys(program.domains).sort()) {
    const dom = program.domains[d]!;
    for (const address of Object.keys(dom.resources).sort()) {
      const r = dom.resources[address]!;
      const p = dom.providers[r.provider]!;
      const uid = createHash("sha256").update(canonicalize([r.attrs["kind"], r.attrs["name"]])).digest("hex").slice(0, 16);
      resources[address] = {
        address,
        domain: d,
        type: r.type,
        provider: { alias: r.provider, type: p.type, config: p.config },
        identity: r.identity,
        attrs: { ...r.attrs, generation: 1, uid },
        sensitive: {},
        dependsOn: [...r.dependsOn],
        protect: r.protect,
      };
    }
  }
  // As read back from the state branch: parsed from canonical text.
  return JSON.parse(canonicalize({ snapshot, resources })) as PriorState;
}

interface ChildResult {
  n: number;
  noopMs: number[];
  changedMs: number[];
  /** CPU time (user + system) of the same runs: less sensitive to other load on a shared machine. */
  noopCpuMs: number[];
  changedCpuMs: number[];
  baselineMs: number[];
  noopSummary: Plan["summary"];
  changedSummary: Plan["summary"];
  maxRssMB: number;
  setupRssMB: number;
  /** The plan body's keys are already in canonical order (canonicalize's fastest path applies). */
  sortedNoop: boolean;
  sortedChanged: boolean;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One size, in this process: compile (untimed), then REPS timed plans of each case. */
function child(n: number): ChildResult {
  ensureSchemas();
  const v1 = compileGenerated(generatedProject(n, 0));
  const v2 = compileGenerated(generatedProject(n, 1));
  const prior = appliedState(v1.program, "sha256:" + "0".repeat(64));
  if (Object.keys(prior.resources).length !== n) throw new Error(`expected ${n} resources, got ${Object.keys(prior.resources).length}`);
  const setupRssMB = process.memoryUsage().rss / 2 ** 20;
  const noopMs: number[] = [];
  const changedMs: number[] = [];
  const noopCpuMs: number[] = [];
  const changedCpuMs: number[] = [];
  const cpu = (since: NodeJS.CpuUsage): number => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  const baselineMs: number[] = [];
  let noopSummary: Plan["summary"] | undefined;
  let changedSummary: Plan["summary"] | undefined;
  // Each timed section starts from a collected heap (untimed `gc()`), so it does not pay for
  // the garbage of the section before it (the baseline's large string, the previous plan):
  // what is timed is one plan and the collection of its own garbage.
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  for (let r = 0; r < REPS; r++) {
    collect();
    let t = performance.now();
    createHash("sha256").update(JSON.stringify(prior)).digest("hex");
    baselineMs.push(performance.now() - t);
    collect();
    t = performance.now();
    let c = process.cpuUsage();
    const a = buildPlan({ program: v1.program, programHash: v1.hash, prior, catalog: loadTypeCatalog() });
    noopMs.push(performance.now() - t);
    noopCpuMs.push(cpu(c));
    collect();
    t = performance.now();
    c = process.cpuUsage();
    const b = buildPlan({ program: v2.program, programHash: v2.hash, prior, catalog: loadTypeCatalog() });
    changedMs.push(performance.now() - t);
    changedCpuMs.push(cpu(c));
    if (!a.plan || !b.plan) throw new Error("plan failed");
    noopSummary = a.plan.summary;
    changedSummary = b.plan.summary;
  }
  const sorted = (p: Plan): boolean => {
    const { hash: _hash, ...body } = p;
    return JSON.stringify(body) === canonicalize(body);
  };
  const a = buildPlan({ program: v1.program, programHash: v1.hash, prior, catalog: loadTypeCatalog() }).plan!;
  const b = buildPlan({ program: v2.program, programHash: v2.hash, prior, catalog: loadTypeCatalog() }).plan!;
  return {
    n,
    noopMs,
    changedMs,
    noopCpuMs,
    changedCpuMs,
    baselineMs,
    noopSummary: noopSummary!,
    changedSummary: changedSummary!,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    setupRssMB,
    sortedNoop: sorted(a),
    sortedChanged: sorted(b),
  };
}

function runChild(n: number): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ["--max-old-space-size=4096", "--expose-gc", self, "--child", String(n)], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`plan bench child (${n}) failed: ${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as ChildResult;
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  const small = runChild(10_000);
  const large = runChild(100_000);
  const show = (c: ChildResult): void => {
    const base = median(c.baselineMs);
    const noop = median(c.noopMs);
    const changed = median(c.changedMs);
    console.log(`plan: ${c.n} resources in ${DOMAINS} domains (median of ${REPS})`);
    console.log(`  baseline JSON.stringify+sha256 of the prior: ${base.toFixed(0)} ms`);
    console.log(`  no-op plan:      ${noop.toFixed(0)} ms  (${(noop / base).toFixed(1)}x baseline)  summary ${JSON.stringify(c.noopSummary)}  [${c.noopMs.map((x) => x.toFixed(0)).join(", ")}]`);
    console.log(`  10% changed:     ${changed.toFixed(0)} ms  (${(changed / base).toFixed(1)}x baseline)  summary ${JSON.stringify(c.changedSummary)}  [${c.changedMs.map((x) => x.toFixed(0)).join(", ")}]`);
    console.log(`  cpu time (median): no-op ${median(c.noopCpuMs).toFixed(0)} ms, 10% changed ${median(c.changedCpuMs).toFixed(0)} ms (includes GC threads)`);
    console.log(`  plan objects built in canonical key order (fast hashing path): no-op ${c.sortedNoop}, changed ${c.sortedChanged}`);
    console.log(`  peak RSS (child maxRSS): ${c.maxRssMB.toFixed(0)} MB (of which ${c.setupRssMB.toFixed(0)} MB held before planning: program x2 + prior)`);
  };
  show(small);
  show(large);
  const sNoop = median(small.noopMs);
  const sChanged = median(small.changedMs);
  const scaleNoop = median(large.noopMs) / sNoop;
  const scaleChanged = median(large.changedMs) / sChanged;
  const ok = (b: boolean): string => (b ? "OK" : "MISSED");
  console.log(`  10k no-op < 1 s: ${ok(sNoop < 1000)}; 10k 10% changed < 1 s: ${ok(sChanged < 1000)}; 10k peak < 500 MB: ${ok(small.maxRssMB < 500)}`);
  console.log(`  scaling t(100k)/t(10k): no-op ${scaleNoop.toFixed(1)}, changed ${scaleChanged.toFixed(1)} (target <= 12) ${ok(scaleNoop <= 12 && scaleChanged <= 12)}`);
  console.log(
    JSON.stringify({
      bench: "plan",
      noop10kMs: Math.round(sNoop),
      changed10kMs: Math.round(sChanged),
      noop100kMs: Math.round(median(large.noopMs)),
      changed100kMs: Math.round(median(large.changedMs)),
      baseline10kMs: Math.round(median(small.baselineMs)),
      noop10kCpuMs: Math.round(median(small.noopCpuMs)),
      changed10kCpuMs: Math.round(median(small.changedCpuMs)),
      peak10kMB: Math.round(small.maxRssMB),
      peak100kMB: Math.round(large.maxRssMB),
      scaleNoop: Number(scaleNoop.toFixed(2)),
      scaleChanged: Number(scaleChanged.toFixed(2)),
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === "--child") {
    process.stdout.write(JSON.stringify(child(Number(process.argv[3]))) + "\n");
  } else {
    main().catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}
