import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readWorld } from "../../src/providers/sim/world.js";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { startGitHttpServer } from "../git/http-backend.js";
import { startGitHubStandin } from "../github/standin.js";
import { mergeGroupEvent, pullRequestEvent, pushEvent } from "../github/events.js";

/** The repository checkout: the Action under test is its committed bundle. */
export const root = resolve(import.meta.dirname, "../..");
export const BUNDLE = join(root, "action/dist/index.js");

export const OWNER = "octo";
export const REPO = "infra";
const FORK_OWNER = "contributor";
/** The workflow's token: GitHub's default installation token, as the stand-in and the git remote know it. */
export const TOKEN = "ghs_TestToken0123456789abcdefABCDEF0123";
export const STATE_KEY = "action-e2e-state-key-0123456789";

/** Git with a fixed identity and clock, for the developer's side (never the Action's). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Dev",
      GIT_AUTHOR_EMAIL: "dev@lexum.invalid",
      GIT_COMMITTER_NAME: "Dev",
      GIT_COMMITTER_EMAIL: "dev@lexum.invalid",
      GIT_AUTHOR_DATE: "1700000000 +0000",
      GIT_COMMITTER_DATE: "1700000000 +0000",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
    },
    stdio: ["pipe", "pipe", "pipe"],
  }).trim();
}

/** A project of `n` sim objects in one domain (or more), whose world lives outside every checkout (it is the real system). */
export function project(world: string, objects: Record<string, number>, domain = "app"): string {
  const res = Object.keys(objects)
    .sort()
    .map((name) => `  resource sim.object ${name} {\n    kind = "svc"\n    name = "${name}"\n    spec = { v = ${objects[name]} }\n  }\n`)
    .join("");
  return `domain ${domain} {\n  provider sim { world = ${JSON.stringify(world)} }\n${res}}\n`;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly workspace: string;
  /** Every file the run's checkout and runner files hold, concatenated (for token scans). */
  readonly files: () => Buffer[];
}

export interface RunOptions {
  readonly inputs?: Record<string, string>;
  readonly env?: NodeJS.ProcessEnv;
  /** GITHUB_RUN_ID (default: a fresh one per run). */
  readonly runId?: number;
  readonly runAttempt?: number;
}

/** A repository on a git remote served by `git http-backend`, a GitHub stand-in, and runs of the Action. */
export class ActionWorld {
  readonly dir: string;
  readonly bare: string;
  readonly dev: string;
  readonly worldFile: string;
  private runs = 0;
  private readonly pulls = new Map<number, Parameters<ActionWorld["github"]["addPull"]>[0]>();
  private constructor(
    dir: string,
    readonly http: Awaited<ReturnType<typeof startGitHttpServer>>,
    readonly github: Awaited<ReturnType<typeof startGitHubStandin>>,
  ) {
    this.dir = dir;
    this.bare = join(dir, "remote", `${OWNER}/${REPO}.git`);
    this.dev = join(dir, "dev");
    this.worldFile = join(dir, "world", "world.json");
  }

  /** `files(worldFile)`: the first commit of main, given where the managed world lives. */
  static async start(files: (worldFile: string) => Record<string, string>): Promise<ActionWorld> {
    const dir = mkdtempSync(join(tmpdir(), "lexum-action-"));
    mkdirSync(join(dir, "remote"), { recursive: true });
    mkdirSync(join(dir, "world"), { recursive: true });
    const http = await startGitHttpServer({ root: join(dir, "remote"), token: TOKEN });
    const github = await startGitHubStandin({ tokens: [{ token: TOKEN, login: "github-actions[bot]", kind: "installation" }], serverUrl: "https://github.com" });
    const w = new ActionWorld(dir, http, github);
    http.createBareRepo(`${OWNER}/${REPO}.git`);
    github.addRepo({ owner: OWNER, name: REPO, defaultBranch: "main" });
    mkdirSync(w.dev, { recursive: true });
    git(w.dev, "init", "-q", "-b", "main");
    git(w.dev, "remote", "add", "origin", w.bare);
    w.write(files(w.worldFile));
    git(w.dev, "add", "-A");
    git(w.dev, "commit", "-q", "-m", "initial");
    git(w.dev, "push", "-q", "origin", "main");
    return w;
  }

  get url(): string {
    return this.http.url(`${OWNER}/${REPO}.git`);
  }

  write(files: Record<string, string | null>): void {
    for (const [p, c] of Object.entries(files)) {
      const f = join(this.dev, p);
      if (c === null) rmSync(f, { force: true });
      else {
        mkdirSync(dirname(f), { recursive: true });
        writeFileSync(f, c);
      }
    }
  }

  /** Commits `files` straight on main (someone else's merge) and pushes; returns the commit. */
  commitMain(files: Record<string, string | null>, message = "change on main"): string {
    git(this.dev, "checkout", "-q", "main");
    this.write(files);
    git(this.dev, "add", "-A");
    git(this.dev, "commit", "-q", "-m", message);
    git(this.dev, "push", "-q", "origin", "main");
    return git(this.dev, "rev-parse", "HEAD");
  }

  /** Opens (or pushes to) pull request `n` from branch `pr-<n>` with `files` changed; returns its head commit. */
  pushPull(n: number, files: Record<string, string | null>, message = `change ${n}`): { headSha: string; baseSha: string } {
    const branch = `pr-${n}`;
    const exists = git(this.dev, "branch", "--list", branch) !== "";
    git(this.dev, "checkout", "-q", exists ? branch : "-b", ...(exists ? [] : [branch, "main"]));
    this.write(files);
    git(this.dev, "add", "-A");
    git(this.dev, "commit", "-q", "-m", message);
    const headSha = git(this.dev, "rev-parse", "HEAD");
    const baseSha = git(this.dev, "rev-parse", "main");
    // What GitHub keeps for a pull request: its head, and a test merge with the base (what actions/checkout checks out).
    git(this.dev, "push", "-q", "-f", "origin", `${branch}:refs/heads/${branch}`, `${headSha}:refs/pull/${n}/head`);
    git(this.dev, "checkout", "-q", "--detach", "main");
    git(this.dev, "merge", "-q", "--no-ff", "-m", `Merge ${headSha} into main`, headSha);
    git(this.dev, "push", "-q", "-f", "origin", `HEAD:refs/pull/${n}/merge`);
    git(this.dev, "checkout", "-q", branch);
    this.addPull({ owner: OWNER, repo: REPO, number: n, headSha, headRef: branch, baseRef: "main", baseSha, state: "open", merged: false });
    return { headSha, baseSha };
  }

  /** Merges pull request `n` into main (a merge commit) and pushes; GitHub then knows the commit's pull request. */
  mergePull(n: number): { sha: string; before: string } {
    const branch = `pr-${n}`;
    git(this.dev, "checkout", "-q", "main");
    const before = git(this.dev, "rev-parse", "HEAD");
    const headSha = git(this.dev, "rev-parse", branch);
    git(this.dev, "merge", "-q", "--no-ff", "-m", `Merge pull request #${n}`, branch);
    git(this.dev, "push", "-q", "origin", "main");
    const sha = git(this.dev, "rev-parse", "HEAD");
    const baseSha = before;
    this.addPull({ ...this.pulls.get(n)!, headSha, baseSha, state: "closed", merged: true, mergeCommitSha: sha });
    this.github.associateCommit(OWNER, REPO, sha, [n]);
    return { sha, before };
  }

  private addPull(pull: Parameters<ActionWorld["github"]["addPull"]>[0]): void {
    this.pulls.set(pull.number, pull);
    this.github.addPull(pull);
  }

  /** The `pull_request` event of pull request `n`; `fork`: its head is in a contributor's fork (GitHub then gives a read-only token). */
  pullEvent(n: number, action: "opened" | "synchronize" | "reopened" = "opened", fork = false): { name: string; payload: unknown; sha: string; ref: string } {
    if (fork) this.addPull({ ...this.pulls.get(n)!, headRepo: `${FORK_OWNER}/${REPO}` });
    const headSha = git(this.dev, "rev-parse", `pr-${n}`);
    const baseSha = git(this.dev, "rev-parse", "main");
    const merge = git(this.bare, "rev-parse", `refs/pull/${n}/merge`);
    return {
      name: "pull_request",
      payload: pullRequestEvent({ action, owner: OWNER, repo: REPO, number: n, headSha, headRef: `pr-${n}`, baseRef: "main", baseSha, fork, forkOwner: FORK_OWNER }),
      sha: merge,
      ref: `refs/pull/${n}/merge`,
    };
  }

  pushMainEvent(sha: string, before: string): { name: string; payload: unknown; sha: string; ref: string } {
    return { name: "push", payload: pushEvent({ owner: OWNER, repo: REPO, ref: "refs/heads/main", before, after: sha, defaultBranch: "main" }), sha, ref: "refs/heads/main" };
  }

  /** A merge-queue group for pull request `n`: main with the PR merged, on a gh-readonly-queue branch. */
  mergeGroup(n: number): { name: string; payload: unknown; sha: string; ref: string } {
    const branch = `pr-${n}`;
    git(this.dev, "checkout", "-q", "--detach", "main");
    const baseSha = git(this.dev, "rev-parse", "HEAD");
    git(this.dev, "merge", "-q", "--no-ff", "-m", `Merge queue #${n}`, branch);
    const sha = git(this.dev, "rev-parse", "HEAD");
    const ref = `refs/heads/gh-readonly-queue/main/pr-${n}-${baseSha}`;
    git(this.dev, "push", "-q", "-f", "origin", `HEAD:${ref}`);
    git(this.dev, "checkout", "-q", "main");
    return { name: "merge_group", payload: mergeGroupEvent({ owner: OWNER, repo: REPO, headSha: sha, headRef: ref, baseSha, baseRef: "refs/heads/main" }), sha, ref };
  }

  /** Checks out `sha` as actions/checkout does (depth 1, origin = the HTTPS remote, no credentials kept), and runs the bundle. */
  async run(event: { name: string; payload: unknown; sha: string; ref: string }, opts: RunOptions = {}): Promise<RunResult> {
    this.runs += 1;
    const runDir = join(this.dir, `run-${this.runs}`);
    const ws = join(runDir, "workspace");
    mkdirSync(ws, { recursive: true });
    git(ws, "init", "-q");
    git(ws, "remote", "add", "origin", this.url);
    git(ws, "fetch", "-q", "--depth=1", "--no-tags", this.bare, event.sha);
    git(ws, "checkout", "-q", "--detach", event.sha);
    const eventPath = join(runDir, "event.json");
    writeFileSync(eventPath, JSON.stringify(event.payload));
    const outputFile = join(runDir, "output");
    const summaryFile = join(runDir, "summary.md");
    writeFileSync(outputFile, "");
    writeFileSync(summaryFile, "");
    const inputs: Record<string, string> = { path: ".", "state-branch": "", mode: "auto", "github-token": TOKEN, "require-reviewed-plan": "true", comment: "on-change", parallelism: "", ...opts.inputs };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: runDir,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_SHA: event.sha,
      GITHUB_REF: event.ref,
      GITHUB_API_URL: this.github.url,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_WORKSPACE: ws,
      GITHUB_RUN_ID: String(opts.runId ?? 1000 + this.runs),
      GITHUB_RUN_ATTEMPT: String(opts.runAttempt ?? 1),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: join(runDir, "tmp"),
      LXM_STATE_KEY: STATE_KEY,
      ...opts.env,
    };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((res, rej) => {
      const child = spawn(process.execPath, [BUNDLE], { cwd: ws, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr.on("data", (b: Buffer) => (err += b.toString()));
      child.on("error", rej);
      child.on("close", (c) => res({ code: c ?? -1, stdout: out, stderr: err }));
    });
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputs(readFileSync(outputFile, "utf8")),
      summary: readFileSync(summaryFile, "utf8"),
      workspace: ws,
      files: () => allFiles(runDir),
    };
  }

  /** The state branch on the remote: its commits, newest first (empty when absent). */
  stateLog(branch = "lexum/state"): { oid: string; message: string }[] {
    let out: string;
    try {
      out = git(this.bare, "log", "--format=%H%x00%B%x01", `refs/heads/${branch}`);
    } catch {
      return [];
    }
    return out
      .split("\x01")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => {
        const [oid, message] = s.split("\x00");
        return { oid: oid!, message: message ?? "" };
      });
  }

  /** The managed world's objects (`<kind>/<name>` → record). */
  world(): Record<string, { spec: unknown; generation: number }> {
    const w = readWorld(this.worldFile);
    if (typeof w === "string") throw new Error(`sim world: ${w}`);
    return Object.fromEntries(w);
  }

  async close(): Promise<void> {
    await this.http.close();
    await this.github.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Parses `$GITHUB_OUTPUT` (`name=value` lines and `name<<DELIM` blocks). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join("\n");
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

function allFiles(dir: string): Buffer[] {
  const out: Buffer[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}
