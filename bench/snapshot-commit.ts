/**
 * Benchmark: state commits of 10k resource files (targets below).
 *
 * 1. First snapshot commit of 10,000 ~300-byte JSON files under resources/<domain>/ with
 *    writeStateCommit, against the git CLI on the same content in the same run:
 *    `git hash-object -w --stdin-paths` + `git mktree` (nested, bottom-up) + `git commit-tree`.
 *    Target: ratio ≤ 2.5.
 * 2. An incremental commit with 1 % of the files changed. Target: < 150 ms. Measured warm
 *    (parent written by this process, in-process caches hot), cold (caches cleared) and cold
 *    with the parent read first (caches cleared, then readStateFiles, as a new `lxm apply`).
 *
 * Prints one line per figure and a JSON summary. Run: `npm run bench -- snapshot-commit`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { clearStoreCaches, readStateFiles, writeStateCommit, type StateFile } from "../src/state/store.js";

const N = 10_000;
const DOMAINS = 20;
const TIME = { seconds: 1_700_000_000, tzOffsetMinutes: 0 };

function resourceFile(i: number, version: number): StateFile {
  const domain = `d${String(i % DOMAINS).padStart(2, "0")}`;
  const name = `f${String(i).padStart(5, "0")}`;
  const attrs = {
    address: `${domain}/fs.file.${name}`,
    type: "fs.file",
    attributes: { path: `/srv/${domain}/${name}.html`, mode: "0644", size: 1000 + i + version, content_sha256: `sha256:${(i * 2654435761 + version).toString(16).padStart(64, "0")}` },
    hash: `sha256:${(i * 40503 + version).toString(16).padStart(64, "0")}`,
  };
  return { path: `resources/${domain}/fs.file.${name}.json`, content: JSON.stringify(attrs, null, 2) + "\n" };
}

function git(cwd: string, args: string[], input?: string): string {
  return execFileSync("git", args, { cwd, input, encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, GIT_AUTHOR_NAME: "B", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "B", GIT_COMMITTER_EMAIL: "b@b", GIT_AUTHOR_DATE: "1700000000 +0000", GIT_COMMITTER_DATE: "1700000000 +0000" } });
}

function newRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "lexum-bench-"));
  git(dir, ["init", "-q"]);
  return dir;
}

/** The git CLI baseline: files already on disk (written outside the timing), objects + trees + commit timed. */
function baseline(files: StateFile[]): { ms: number; tree: string } {
  const dir = newRepo();
  const src = join(dir, "..", `${dir.split("/").pop()}-src`);
  for (const f of files) {
    mkdirSync(dirname(join(src, f.path)), { recursive: true });
    writeFileSync(join(src, f.path), f.content);
  }
  const t0 = performance.now();
  const oids = git(dir, ["hash-object", "-w", "--stdin-paths"], files.map((f) => join(src, f.path)).join("\n") + "\n").trim().split("\n");
  // Nested mktree, bottom-up: group entries by directory.
  const dirs = new Map<string, string[]>();
  const add = (d: string, line: string) => {
    let l = dirs.get(d);
    if (!l) dirs.set(d, (l = []));
    l.push(line);
  };
  files.forEach((f, i) => {
    const slash = f.path.lastIndexOf("/");
    add(slash < 0 ? "" : f.path.slice(0, slash), `100644 blob ${oids[i]}\t${f.path.slice(slash + 1)}`);
  });
  for (const d of [...dirs.keys()]) {
    let p = d;
    while (p !== "") {
      const parent = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "";
      if (!dirs.has(parent)) dirs.set(parent, []);
      p = parent;
    }
  }
  const order = [...dirs.keys()].sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? -1 : 1));
  const treeOf = new Map<string, string>();
  for (const d of order) {
    if (d === "") continue;
    const oid = git(dir, ["mktree"], dirs.get(d)!.join("\n") + "\n").trim();
    treeOf.set(d, oid);
    const parent = d.includes("/") ? d.slice(0, d.lastIndexOf("/")) : "";
    add(parent, `040000 tree ${oid}\t${d.slice(d.lastIndexOf("/") + 1)}`);
  }
  const root = git(dir, ["mktree"], dirs.get("")!.join("\n") + "\n").trim();
  git(dir, ["commit-tree", root, "-m", "baseline"]);
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  rmSync(src, { recursive: true, force: true });
  return { ms, tree: root };
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  const v1 = [
    { path: "snapshot.json", content: "{}\n" },
    { path: "plan.json", content: "{}\n" },
    { path: "README.md", content: "# bench\n" },
    ...Array.from({ length: N }, (_, i) => resourceFile(i, 0)),
  ];
  const avgBytes = Math.round(v1.slice(3).reduce((s, f) => s + Buffer.byteLength(f.content as string), 0) / N);

  const base = baseline(v1);

  const dir = newRepo();
  const gitdir = join(dir, ".git");
  clearStoreCaches();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const first = await writeStateCommit({ gitdir, branch: "lexum/state", expectedParent: null, files: v1, message: "bench 1", time: TIME });
  const firstMs = performance.now() - t0;
  const firstCpu = process.cpuUsage(c0);
  if (first.tree !== base.tree) throw new Error(`tree mismatch with git: ${first.tree} vs ${base.tree}`);

  // 1 % changed per run: every 100th resource (a different hundredth each run) gets a new
  // version. "warm": the same process wrote the parent (the agent; plan-then-apply in one
  // process). "cold": in-process caches cleared first, as a fresh `lxm apply` would start.
  let parent = first.oid;
  let files = v1;
  let seconds = TIME.seconds;
  // CPU time (user + system, whole process) is reported next to wall time: on a loaded
  // machine wall time mostly measures the wait for a CPU, CPU time does not.
  const runs: { kind: string; ms: number; cpuMs: number; written: number }[] = [];
  // "cold+read": caches cleared, then the parent read in full (untimed), as `lxm apply` in a
  // new process reads the branch head to plan before it commits on top of it.
  for (let r = 0; r < 9; r++) {
    const kind = (["warm", "cold", "cold+read"] as const)[r % 3]!;
    files = files.map((f, i) => (i >= 3 && (i - 3) % 100 === r + 1 ? resourceFile(i - 3, r + 1) : f));
    if (kind !== "warm") clearStoreCaches();
    if (kind === "cold+read") await readStateFiles({ gitdir, oid: parent });
    const t = performance.now();
    const c = process.cpuUsage();
    const res = await writeStateCommit({ gitdir, branch: "lexum/state", expectedParent: parent, files, message: `bench inc ${r}`, time: { seconds: (seconds += 60), tzOffsetMinutes: 0 } });
    const cu = process.cpuUsage(c);
    runs.push({ kind, ms: performance.now() - t, cpuMs: (cu.user + cu.system) / 1000, written: res.written });
    parent = res.oid;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const warm = runs.filter((r) => r.kind === "warm").map((r) => r.ms);
  const cold = runs.filter((r) => r.kind === "cold").map((r) => r.ms);
  const warmCpu = median(runs.filter((r) => r.kind === "warm").map((r) => r.cpuMs));
  const coldCpu = median(runs.filter((r) => r.kind === "cold").map((r) => r.cpuMs));
  const read = runs.filter((r) => r.kind === "cold+read").map((r) => r.ms);
  const readCpu = median(runs.filter((r) => r.kind === "cold+read").map((r) => r.cpuMs));
  const readMs = median(read);
  const incMs = median(warm);
  const coldMs = median(cold);
  const written = runs[0]!.written;

  const fsck = spawnSync("git", ["fsck", "--strict", "--no-dangling"], { cwd: dir, encoding: "utf8" });
  rmSync(dir, { recursive: true, force: true });

  const ratio = firstMs / base.ms;
  console.log(`snapshot-commit: ${N} files, avg ${avgBytes} B, ${DOMAINS} domains (load average ${loadavg()[0]!.toFixed(1)})`);
  console.log(`  git CLI baseline (hash-object + mktree + commit-tree): ${base.ms.toFixed(0)} ms`);
  console.log(`  first commit (writeStateCommit):                     ${firstMs.toFixed(0)} ms  ratio ${ratio.toFixed(2)}x  (target <= 2.5x) ${ratio <= 2.5 ? "OK" : "MISSED"}  cpu ${((firstCpu.user + firstCpu.system) / 1000).toFixed(0)} ms`);
  console.log(`  incremental, 1% changed (${written} objects written), median of 3:`);
  console.log(`    warm (parent written by this process): ${incMs.toFixed(0)} ms  (target < 150 ms) ${incMs < 150 ? "OK" : "MISSED"}  [${warm.map((x) => x.toFixed(0)).join(", ")}]  cpu ${warmCpu.toFixed(0)} ms`);
  console.log(`    cold (caches cleared, parent never read): ${coldMs.toFixed(0)} ms  [${cold.map((x) => x.toFixed(0)).join(", ")}]  cpu ${coldCpu.toFixed(0)} ms`);
  console.log(`    cold, parent read first (a new \`lxm apply\` process): ${readMs.toFixed(0)} ms  (target < 150 ms) ${readMs < 150 ? "OK" : "MISSED"}  [${read.map((x) => x.toFixed(0)).join(", ")}]  cpu ${readCpu.toFixed(0)} ms`);
  console.log(`  git fsck --strict: ${fsck.status === 0 ? "clean" : "FAILED " + fsck.stderr}`);
  console.log(JSON.stringify({ bench: "snapshot-commit", files: N, baselineMs: Math.round(base.ms), firstMs: Math.round(firstMs), ratio: Number(ratio.toFixed(2)), incrementalWarmMs: Math.round(incMs), incrementalColdMs: Math.round(coldMs), incrementalWarmCpuMs: Math.round(warmCpu), incrementalColdCpuMs: Math.round(coldCpu), incrementalColdReadMs: Math.round(readMs), incrementalColdReadCpuMs: Math.round(readCpu), loadAverage1m: loadavg()[0], incrementalWritten: written, fsckClean: fsck.status === 0 }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
