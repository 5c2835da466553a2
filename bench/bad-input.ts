/**
 * Benchmark: scaling of the compiler on bad and extreme input. For each case, the median
 * time at n and at 4n, printed as the ratio t(4n) / t(n): about 4 means linear, about 16
 * quadratic. Cases: error-heavy files (unbalanced attribute lines), a long run of invalid
 * characters in an attribute name through `fmt` and the caret renderer, and chains of
 * resources and lets each referring to the previous one. Nothing is asserted (machines
 * are shared and noisy).
 *
 * Run: `npm run bench -- bad-input`.
 */
import { renderText } from "../src/diag/render.js";
import { compile } from "../src/lang/compile.js";
import { formatSource } from "../src/lang/format.js";
import { parseFile } from "../src/lang/parser.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => void): number {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    f();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

const CASES: { name: string; n: number; run: (n: number) => void }[] = [
  {
    name: "unbalanced attribute lines (parse)",
    n: 5_000,
    run: (n) => {
      let s = "domain a {\n resource fs.dir r {\n";
      for (let i = 0; i < n; i++) s += `  a${i} = (\n`;
      parseFile("m.lxm", s + " }\n}\n");
    },
  },
  {
    name: "invalid characters in a name (fmt + render)",
    n: 10_000,
    run: (n) => {
      const text = `domain a {\n resource fs.dir r {\n ${"é".repeat(n)} = 1\n }\n}\n`;
      const r = formatSource("m.lxm", text);
      renderText(r.diagnostics, compile([{ path: "m.lxm", text }]).sources);
    },
  },
  {
    name: "chain of resources (compile)",
    n: 2_500,
    run: (n) => {
      let s = 'domain a {\n provider fs { root = "out" }\n resource fs.dir r0 { path = "p" }\n';
      for (let i = 1; i < n; i++) s += ` resource fs.file r${i} {\n  path = "f${i}"\n  content = r${i - 1}.path\n }\n`;
      compile([{ path: "m.lxm", text: s + "}\n" }]);
    },
  },
  {
    name: "chain of lets (compile)",
    n: 2_500,
    run: (n) => {
      let s = "domain a {\n let l0 = 1\n";
      for (let i = 1; i < n; i++) s += ` let l${i} = l${i - 1} + 1\n`;
      compile([{ path: "m.lxm", text: s + "}\n" }]);
    },
  },
];

export async function main(): Promise<void> {
  for (const c of CASES) {
    c.run(c.n); // warm-up
    const small = time(() => c.run(c.n));
    const large = time(() => c.run(4 * c.n));
    process.stdout.write(`${c.name}: n=${c.n} ${small.toFixed(0)} ms, 4n ${large.toFixed(0)} ms, ratio ${(large / small).toFixed(1)} (linear ≈ 4)\n`);
  }
}
