/**
 * Benchmark: the compiler on generated projects of 1k, 10k and 100k resources across 100
 * domains with imports between them (targets below).
 *
 * For each size, three child processes, one after the other:
 * - memory: generates the input, then compiles it once (no warm-up, nothing else kept) and
 *   reports the process's peak resident memory (`process.resourceUsage().maxRSS`), which is
 *   that of the compile (also reported: maxRSS before compiling, the input alone);
 * - time: the median time of compile() (parse + resolve + evaluate + schema checks +
 *   canonical JSON + sha256), 5 runs for 1k and 10k, 3 for 100k, each run's program dropped
 *   before the next;
 * - floor: JSON.parse of the program's canonical JSON, canonicalize and sha256 of the result
 *   (the program itself dropped first); and the ratio compile / floor.
 * The three must agree on the program hash.
 * Targets: 10k < 1 s, 100k < 10 s, t(100k) / t(10k) ≤ 11, peak < 500 MB at 100k.
 *
 * Run: `npm run bench -- compile`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compile } from "../src/lang/compile.js";
import { canonicalize, sha256 } from "../src/program/canonical.js";
import type { Program } from "../src/program/types.js";

const DOMAINS = 100;
const SIZES = [1_000, 10_000, 100_000];
const CHILD_FLAG = "--lexum-compile-bench-child";

/**
 * A project of `resources` resource instances over 100 domains, one file per domain. Each
 * domain has lets, an exported value and resource, imports from up to three earlier domains
 * (so the domain graph is a DAG with long chains), plain resources and `for` resources.
 */
export function generateProject(resources: number): { path: string; text: string }[] {
  const perDomain = Math.floor(resources / DOMAINS);
  const files: { path: string; text: string }[] = [];
  for (let d = 0; d < DOMAINS; d++) {
    const name = `d${String(d).padStart(3, "0")}`;
    const lines: string[] = [`domain ${name} {`, `  provider fs { root = "out" }`, ""];
    const imports = [d - 1, d - 7, d - 31].filter((j) => j >= 0);
    for (const j of imports) lines.push(`  import d${String(j).padStart(3, "0")}.base as base_${j}`);
    lines.push(`  let tier  = "${["web", "api", "db", "cache"][d % 4]}"`);
    lines.push(`  let port  = ${8000 + d}`);
    lines.push(`  let keys  = [${Array.from({ length: 10 }, (_, k) => `"k${k}"`).join(", ")}]`);
    lines.push(`  let label = "\${upper(tier)}-\${port}"${imports.map((j) => ` + base_${j}`).join("")}`);
    lines.push(`  export base = "/${name}"`, "");
    // Half the instances from `for` resources over 10 keys, half from plain resources.
    const forResources = Math.floor(perDomain / 2 / 10);
    const plain = perDomain - forResources * 10;
    for (let r = 0; r < plain; r++) {
      lines.push(`  resource fs.file f${r} {`);
      lines.push(`    path    = "${name}/f${r}.conf"`);
      lines.push(`    content = jsonencode({ port = port + ${r}, tier = tier, label = label, n = ${r} })`);
      lines.push(`    mode    = "0644"`);
      lines.push(`  }`);
    }
    for (let r = 0; r < forResources; r++) {
      lines.push(`  resource fs.file g${r} for k in keys {`);
      lines.push(`    path    = "${name}/g${r}/\${k}.txt"`);
      lines.push(`    content = "\${label}:\${k}:${r}"`);
      lines.push(`  }`);
    }
    lines.push(`  export f0`, "}", "");
    files.push({ path: `${name}.lxm`, text: lines.join("\n") });
  }
  return files;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** What a child measures: one compile for memory, the timed runs, or the floor. */
type Mode = "memory" | "time" | "floor";

interface MemoryResult {
  resources: number;
  domains: number;
  sourceBytes: number;
  /** maxRSS once the input is generated, before compiling. */
  inputRssMb: number;
  /** maxRSS after the single compile: the process's peak, reached while compiling. */
  maxRssMb: number;
  hash: string;
}

interface TimeResult {
  runs: number;
  ms: number[];
  hash: string;
}

const MB = 1024; // maxRSS is in KiB.

/** Compiles the generated project once; throws if it does not compile. */
function compileOnce(files: { path: string; text: string }[]): { program: Program; hash: string } {
  const r = compile(files);
  if (!r.program || !r.hash) throw new Error(`generated project does not compile: ${r.diagnostics.slice(0, 3).map((d) => d.message).join("; ")}`);
  return { program: r.program, hash: r.hash };
}

/** One measurement of one size, in this process (the child). */
function measure(mode: Mode, size: number): MemoryResult | TimeResult {
  const files = generateProject(size);
  const runs = size >= 100_000 ? 3 : 5;
  if (mode === "memory") {
    // No warm-up and nothing kept from an earlier run: the peak is that of one compile.
    const inputRssMb = process.resourceUsage().maxRSS / MB;
    const { program, hash } = compileOnce(files);
    const maxRssMb = process.resourceUsage().maxRSS / MB;
    const domains = Object.values(program.domains);
    return {
      resources: domains.reduce((n, d) => n + Object.keys(d.resources).length, 0),
      domains: domains.length,
      sourceBytes: files.reduce((n, f) => n + f.text.length, 0),
      inputRssMb,
      maxRssMb,
      hash,
    };
  }
  const ms: number[] = [];
  let hash = "";
  if (mode === "time") {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      hash = compileOnce(files).hash; // the program is dropped before the next run
      ms.push(performance.now() - t0);
    }
    return { runs, ms, hash };
  }
  // floor: the program's canonical JSON, then the program dropped before the timed runs.
  const once = compileOnce(files);
  const json = canonicalize(once.program);
  hash = once.hash;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const h = sha256(canonicalize(JSON.parse(json)));
    ms.push(performance.now() - t0);
    if (h !== hash) throw new Error("floor hash differs from the program hash");
  }
  return { runs, ms, hash };
}

/** Runs one child (this file with CHILD_FLAG) and parses its JSON answer; null (reported) on failure. */
function child<T>(self: string, mode: Mode, size: number): T | null {
  const p = spawnSync(process.execPath, [self, CHILD_FLAG, mode, String(size)], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (p.status !== 0) {
    process.stdout.write(`${size} ${mode}: child failed (exit ${p.status}): ${p.stderr.trim().split("\n").slice(-3).join(" | ")}\n`);
    process.exitCode = 1;
    return null;
  }
  return JSON.parse(p.stdout) as T;
}

interface SizeResult {
  memory: MemoryResult;
  compileMs: number;
  floorMs: number;
}

/** Runs each size in child processes of its own and prints the figures and a JSON summary. */
export async function main(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    const memory = child<MemoryResult>(self, "memory", size);
    const time = memory && child<TimeResult>(self, "time", size);
    const floor = time && child<TimeResult>(self, "floor", size);
    if (!memory || !time || !floor) return;
    if (time.hash !== memory.hash || floor.hash !== memory.hash) {
      process.stdout.write(`${size}: the children's program hashes differ\n`);
      process.exitCode = 1;
      return;
    }
    const r: SizeResult = { memory, compileMs: median(time.ms), floorMs: median(floor.ms) };
    results.push(r);
    process.stdout.write(
      `${String(memory.resources).padStart(6)} resources, ${memory.domains} domains, ${(memory.sourceBytes / 1e6).toFixed(1)} MB source: ` +
        `compile median ${r.compileMs.toFixed(0)} ms (${time.runs} runs), floor ${r.floorMs.toFixed(1)} ms, ratio ${(r.compileMs / r.floorMs).toFixed(1)}, ` +
        `peak RSS ${memory.maxRssMb.toFixed(0)} MB (${memory.inputRssMb.toFixed(0)} MB before compiling)\n`,
    );
  }
  const at = (n: number) => results.find((r) => r.memory.resources === n);
  const t10k = at(10_000);
  const t100k = at(100_000);
  const summary = {
    sizes: results.map((r) => ({
      resources: r.memory.resources,
      compileMs: Math.round(r.compileMs),
      floorMs: Math.round(r.floorMs * 10) / 10,
      peakRssMb: Math.round(r.memory.maxRssMb),
      inputRssMb: Math.round(r.memory.inputRssMb),
    })),
    targets: {
      "10k under 1 s": t10k ? t10k.compileMs < 1000 : null,
      "100k under 10 s": t100k ? t100k.compileMs < 10_000 : null,
      "t(100k)/t(10k) at most 11": t10k && t100k ? Math.round((t100k.compileMs / t10k.compileMs) * 100) / 100 : null,
      "peak under 500 MB at 100k": t100k ? t100k.memory.maxRssMb < 500 : null,
    },
  };
  process.stdout.write(JSON.stringify(summary) + "\n");
}

if (process.argv[2] === CHILD_FLAG) {
  process.stdout.write(JSON.stringify(measure(process.argv[3] as Mode, Number(process.argv[4]))));
}
