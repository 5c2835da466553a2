/**
 * Benchmark: the compiler on generated projects of 1k, 10k and 100k resources across 100
 * domains with imports between them (issue 2 targets).
 *
 * For each size, in a child process of its own (so that its peak memory is its own):
 * - the median time of compile() (parse + resolve + evaluate + schema checks + canonical
 *   JSON + sha256), 5 runs for 1k and 10k, 3 for 100k;
 * - the floor, measured in the same process: JSON.parse of the program's canonical JSON,
 *   canonicalize and sha256 of the result; and the ratio compile / floor;
 * - the peak resident memory (`process.resourceUsage().maxRSS`) of that process.
 * Targets: 10k < 1 s, 100k < 10 s, t(100k) / t(10k) ≤ 11, peak < 500 MB at 100k.
 *
 * Run: `npm run bench -- compile`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compile } from "../src/lang/compile.js";
import { canonicalize, sha256 } from "../src/program/canonical.js";

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

interface ChildResult {
  resources: number;
  domains: number;
  sourceBytes: number;
  runs: number;
  compileMs: number[];
  floorMs: number[];
  maxRssMb: number;
  hash: string;
}

/** One size, measured in this process (the child). */
function measure(size: number): ChildResult {
  const files = generateProject(size);
  const runs = size >= 100_000 ? 3 : 5;
  const compileMs: number[] = [];
  let hash = "";
  let program: unknown = null;
  let count = 0;
  let domains = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = compile(files);
    compileMs.push(performance.now() - t0);
    if (!r.program || !r.hash) throw new Error(`generated project does not compile: ${r.diagnostics.slice(0, 3).map((d) => d.message).join("; ")}`);
    hash = r.hash;
    program = r.program;
    domains = Object.keys(r.program.domains).length;
    count = Object.values(r.program.domains).reduce((n, d) => n + Object.keys(d.resources).length, 0);
  }
  const json = canonicalize(program);
  program = null;
  const floorMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const h = sha256(canonicalize(JSON.parse(json)));
    floorMs.push(performance.now() - t0);
    if (h !== hash) throw new Error("floor hash differs from the program hash");
  }
  return {
    resources: count,
    domains,
    sourceBytes: files.reduce((n, f) => n + f.text.length, 0),
    runs,
    compileMs,
    floorMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    hash,
  };
}

/** Runs each size in a child process and prints the figures and a JSON summary. */
export async function main(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const results: ChildResult[] = [];
  for (const size of SIZES) {
    const p = spawnSync(process.execPath, [self, CHILD_FLAG, String(size)], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (p.status !== 0) {
      process.stdout.write(`${size}: child failed (exit ${p.status}): ${p.stderr.trim().split("\n").slice(-3).join(" | ")}\n`);
      process.exitCode = 1;
      return;
    }
    const r = JSON.parse(p.stdout) as ChildResult;
    results.push(r);
    const c = median(r.compileMs);
    const f = median(r.floorMs);
    process.stdout.write(
      `${String(r.resources).padStart(6)} resources, ${r.domains} domains, ${(r.sourceBytes / 1e6).toFixed(1)} MB source: ` +
        `compile median ${c.toFixed(0)} ms (${r.runs} runs), floor ${f.toFixed(1)} ms, ratio ${(c / f).toFixed(1)}, peak RSS ${r.maxRssMb.toFixed(0)} MB\n`,
    );
  }
  const at = (n: number) => results.find((r) => r.resources === n);
  const t10k = at(10_000);
  const t100k = at(100_000);
  const summary = {
    sizes: results.map((r) => ({ resources: r.resources, compileMs: Math.round(median(r.compileMs)), floorMs: Math.round(median(r.floorMs) * 10) / 10, peakRssMb: Math.round(r.maxRssMb) })),
    targets: {
      "10k under 1 s": t10k ? median(t10k.compileMs) < 1000 : null,
      "100k under 10 s": t100k ? median(t100k.compileMs) < 10_000 : null,
      "t(100k)/t(10k) at most 11": t10k && t100k ? Math.round((median(t100k.compileMs) / median(t10k.compileMs)) * 100) / 100 : null,
      "peak under 500 MB at 100k": t100k ? t100k.maxRssMb < 500 : null,
    },
  };
  process.stdout.write(JSON.stringify(summary) + "\n");
}

if (process.argv[2] === CHILD_FLAG) {
  process.stdout.write(JSON.stringify(measure(Number(process.argv[3]))));
}
