/**
 * Benchmark: the GitHub Action on a pull request of a 1,000-resource project, from process
 * start to the comment written, as a ratio to `lxm plan` on the same checkout.
 *
 * The Action is the committed bundle `action/dist/index.js`, run as the runner runs it (a
 * child process with the GITHUB_* and INPUT_* environment), against a git remote served by
 * `git http-backend` on 127.0.0.1 and the GitHub stand-in (both from test/). Each run plans
 * the pull request's head against the remote's state branch, creates the check run and
 * creates the comment (the comment is deleted between runs so that every run writes it);
 * the comment is its last write and the process exits right after it. The baseline is the
 * CLI (`node dist-bench/src/cli/main.js plan`) in the same checkout: process start to exit.
 * Median of 5 of each, interleaved. Target: ≤ 1.5× (the Action adds little beyond the plan).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startGitHttpServer } from "../test/git/http-backend.js";
import { startGitHubStandin } from "../test/github/standin.js";
import { pullRequestEvent } from "../test/github/events.js";
import { generatedProject, ensureSchemas } from "./plan.js";

const N = 1000;
const REPS = 5;
const OWNER = "octo";
const REPO = "infra";
const TOKEN = "ghs_BenchToken0123456789abcdefABCDEF01234";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const BUNDLE = join(root, "action/dist/index.js");
const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "B", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "B", GIT_COMMITTER_EMAIL: "b@b", GIT_AUTHOR_DATE: "1700000000 +0000", GIT_COMMITTER_DATE: "1700000000 +0000", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  }).trim();
}

/** Runs `node <args>` and returns its wall time (ms) and exit code. */
function timed(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number; out: string }> {
  return new Promise((res, rej) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", rej);
    child.on("close", (code) => res({ ms: performance.now() - t, code: code ?? -1, out }));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  ensureSchemas();
  const dir = mkdtempSync(join(tmpdir(), "lexum-bench-action-"));
  mkdirSync(join(dir, "remote"));
  const http = await startGitHttpServer({ root: join(dir, "remote"), token: TOKEN });
  const github = await startGitHubStandin({ tokens: [{ token: TOKEN, login: "github-actions[bot]", kind: "installation" }] });
  try {
    const bare = http.createBareRepo(`${OWNER}/${REPO}.git`);
    github.addRepo({ owner: OWNER, name: REPO, defaultBranch: "main" });
    const dev = join(dir, "dev");
    mkdirSync(dev);
    git(dev, "init", "-q", "-b", "main");
    writeFileSync(join(dev, "README.md"), "infra\n");
    git(dev, "add", "-A");
    git(dev, "commit", "-q", "-m", "initial");
    const baseSha = git(dev, "rev-parse", "HEAD");
    git(dev, "push", "-q", bare, "main");
    git(dev, "checkout", "-q", "-b", "pr-1");
    writeFileSync(join(dev, "main.lxm"), generatedProject(N, 0));
    git(dev, "add", "-A");
    git(dev, "commit", "-q", "-m", "1,000 resources");
    const headSha = git(dev, "rev-parse", "HEAD");
    git(dev, "push", "-q", bare, `pr-1:refs/heads/pr-1`, `${headSha}:refs/pull/1/head`);
    github.addPull({ owner: OWNER, repo: REPO, number: 1, headSha, headRef: "pr-1", baseRef: "main", baseSha, state: "open", merged: false });

    // The workspace as actions/checkout leaves it: one commit, origin the HTTPS remote.
    const ws = join(dir, "workspace");
    mkdirSync(ws);
    git(ws, "init", "-q");
    git(ws, "remote", "add", "origin", http.url(`${OWNER}/${REPO}.git`));
    git(ws, "fetch", "-q", "--depth=1", "--no-tags", bare, headSha);
    git(ws, "checkout", "-q", "--detach", headSha);
    const eventPath = join(dir, "event.json");
    writeFileSync(eventPath, JSON.stringify(pullRequestEvent({ action: "synchronize", owner: OWNER, repo: REPO, number: 1, headSha, headRef: "pr-1", baseRef: "main", baseSha })));
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LXM_STATE_KEY: "bench-key" };
    const actionEnv = (i: number): NodeJS.ProcessEnv => {
      writeFileSync(join(dir, "output"), "");
      writeFileSync(join(dir, "summary.md"), "");
      return {
        ...base,
        GITHUB_ACTIONS: "true",
        GITHUB_EVENT_NAME: "pull_request",
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
        GITHUB_SHA: headSha,
        GITHUB_REF: "refs/pull/1/merge",
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_WORKSPACE: ws,
        GITHUB_RUN_ID: String(100 + i),
        GITHUB_RUN_ATTEMPT: "1",
        GITHUB_OUTPUT: join(dir, "output"),
        GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
        "INPUT_GITHUB-TOKEN": TOKEN,
        INPUT_COMMENT: "always",
      };
    };

    const plan: number[] = [];
    const action: number[] = [];
    for (let i = 0; i < REPS + 1; i++) {
      const p = await timed([CLI, "plan", ws], ws, base);
      if (p.code !== 0) throw new Error(`lxm plan failed (${p.code}): ${p.out}`);
      for (const c of github.comments(OWNER, REPO, 1)) github.deleteComment(c.id);
      const a = await timed([BUNDLE], ws, actionEnv(i));
      if (a.code !== 0) throw new Error(`the Action failed (${a.code}): ${a.out}`);
      if (github.comments(OWNER, REPO, 1).length !== 1) throw new Error("the Action wrote no comment");
      // The first of each is a warm-up (disk caches, the remote's first pack).
      if (i > 0) {
        plan.push(p.ms);
        action.push(a.ms);
      }
    }
    if (github.violations.length) throw new Error(`stand-in violations: ${github.violations.join("; ")}`);
    const ratio = median(action) / median(plan);
    const ok = ratio <= 1.5 ? "OK" : "MISSED";
    console.log(`action: pull request of ${N} sim objects; the bundle from process start to its comment written, vs lxm plan on the same checkout (median of ${REPS})`);
    console.log(`  lxm plan: ${median(plan).toFixed(0)} ms; the Action: ${median(action).toFixed(0)} ms (state fetch, check run, comment over 127.0.0.1)`);
    console.log(`  ratio ${ratio.toFixed(2)}x (target <= 1.5x) ${ok}`);
    console.log(JSON.stringify({ bench: "action", resources: N, planMs: Math.round(median(plan)), actionMs: Math.round(median(action)), ratio: Number(ratio.toFixed(2)) }));
  } finally {
    await http.close();
    await github.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
