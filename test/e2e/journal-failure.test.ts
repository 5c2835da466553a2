import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-build.js";
import type { CliBuild } from "./cli-build.js";
import { baseEnv, cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

// A journal write that fails for real, in a real `lxm apply` process: the file-size limit
// (RLIMIT_FSIZE, bash's `ulimit -f`, in KiB) makes any write past it fail with EFBIG — as
// root too. Only the journal grows that large: each git object, output file and the plan
// stays far below the limit chosen.

let cli: CliBuild;
beforeAll(() => {
  cli = buildCli();
}, 120_000);
afterAll(() => {
  cli?.cleanup();
  cleanupRepos();
});

const N = 20; // ≤ 32 objects per state commit: each is a small loose object, never one large pack
const names = Array.from({ length: N }, (_, i) => `f${String(i).padStart(2, "0")}`);

function project(): Record<string, string> {
  const res = names.map((n) => `  resource fs.file ${n} {\n    path    = "${n}.txt"\n    content = "${n}"\n  }\n`).join("");
  return { ".gitignore": "out/\n", "site.lxm": `domain site {\n  provider fs { root = "out" }\n${res}}\n` };
}

/** `lxm apply --yes` as a child process whose files may not grow past `kib` KiB. */
function applyLimited(repo: E2eRepo, kib: number): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-c", `ulimit -f ${kib} && exec "$0" "$@"`, process.execPath, cli.main, "apply", "--yes"], {
    cwd: repo.dir,
    env: { ...process.env, ...baseEnv, NO_COLOR: "1" },
    encoding: "utf8",
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The size of the journal's first record: the plan, canonical, plus its envelope. */
function planBytes(repo: E2eRepo): number {
  expect(spawnSync(process.execPath, [cli.main, "plan", "--detailed-exitcode", "--out", "plan.json"], { cwd: repo.dir, env: { ...process.env, ...baseEnv } }).status).toBe(2);
  return statSync(join(repo.dir, "plan.json")).size;
}

const outFiles = (repo: E2eRepo): string[] => (existsSync(join(repo.dir, "out")) ? readdirSync(join(repo.dir, "out")).sort() : []);

describe("a journal write that fails during apply", () => {
  it("mid-run: no crash, exit 1 with LXM4123, no further change started, the run recorded as failed; the next apply converges", async () => {
    const repo = makeRepo(project());
    const limit = Math.ceil((planBytes(repo) + 1500) / 1024);
    const r = applyLimited(repo, limit);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/Unhandled|This is a bug|at async|node:internal/);
    expect(r.stderr).toContain("error[LXM4123]: cannot write the apply journal");
    expect(r.stderr).toContain("no further change was started");
    expect(r.status).toBe(1);
    // What happened is on the state branch: some files done, the rest refused, not started.
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("failed");
    const done = snap.dag!.done;
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(N);
    expect(snap.dag!.failed.length + snap.dag!.notStarted.length).toBe(N - done.length);
    expect(Object.keys(snap.resources).sort()).toEqual([...done].sort());
    expect(outFiles(repo)).toEqual(done.map((a) => `${a.replace("site/fs.file.", "")}.txt`).sort());
    expect(r.stdout).toContain("Recorded failed snapshot");
    // Nothing is lost: the next apply (no limit) plans from that record and converges.
    const again = spawnSync(process.execPath, [cli.main, "apply", "--yes"], { cwd: repo.dir, env: { ...process.env, ...baseEnv, NO_COLOR: "1" }, encoding: "utf8" });
    expect(again.stderr).not.toContain("error");
    expect(again.status).toBe(0);
    expect(headSnapshot(repo).status).toBe("quiescent");
    expect(outFiles(repo)).toEqual(names.map((n) => `${n}.txt`));
    for (const n of names) expect(readFileSync(join(repo.dir, "out", `${n}.txt`), "utf8")).toBe(n);
    expect(existsSync(join(repo.dir, ".git/lexum/journal/apply-lexum_state.jsonl"))).toBe(false);
    expect(await expectHealthyState(repo)).toBe(2);
  }, 120_000);

  it("its first record: exit 1 with LXM4123, the world and the state branch untouched", async () => {
    const repo = makeRepo(project());
    const limit = Math.floor(planBytes(repo) / 1024 / 2);
    const r = applyLimited(repo, limit);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/Unhandled|This is a bug|node:internal/);
    expect(r.stderr).toContain("error[LXM4123]");
    expect(r.status).toBe(1);
    expect(repo.stateHead()).toBeNull();
    expect(outFiles(repo)).toEqual([]);
    const again = spawnSync(process.execPath, [cli.main, "apply", "--yes"], { cwd: repo.dir, env: { ...process.env, ...baseEnv, NO_COLOR: "1" }, encoding: "utf8" });
    expect(again.status).toBe(0);
    expect(outFiles(repo).length).toBe(N);
    expect(await expectHealthyState(repo)).toBe(1);
  }, 120_000);
});
