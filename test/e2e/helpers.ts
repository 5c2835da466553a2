import type { TraceEvent } from "../../src/runtime/types.js";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { expect } from "vitest";
import { lxm } from "../cli/capture.js";
import { readWorld } from "../../src/providers/sim/world.js";

/** The repository checkout (for fixtures). */
export const root = resolve(import.meta.dirname, "../..");

/** Environment every e2e run shares: a fixed state key (so digests match across repos) and the fixtures' secrets. */
export const baseEnv: NodeJS.ProcessEnv = {
  LXM_STATE_KEY: "e2e-state-key-0123456789abcdef",
  LXM_SECRET_DB_PASSWORD: "hunter2-e2e",
};

/** Git with a fixed identity and clock (commit ids are reproducible across repositories). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "E2E",
      GIT_AUTHOR_EMAIL: "e2e@lexum.invalid",
      GIT_COMMITTER_NAME: "E2E",
      GIT_COMMITTER_EMAIL: "e2e@lexum.invalid",
      GIT_AUTHOR_DATE: "1700000000 +0000",
      GIT_COMMITTER_DATE: "1700000000 +0000",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
    },
    stdio: ["pipe", "pipe", "pipe"],
  }).trim();
}

/** A scratch git repository driven through the real `git` CLI and the in-process `lxm`. */
export interface E2eRepo {
  readonly dir: string;
  git(...args: string[]): string;
  /** Writes files (relative paths); a null content deletes the file. */
  write(files: Record<string, string | null>): void;
  /** `git add -A && git commit`; returns the new commit id. */
  commit(message: string): string;
  lxm(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }>;
  read(rel: string): string;
  exists(rel: string): boolean;
  /** The sim world's objects (`<kind>/<name>` → record), {} when the file is absent. */
  world(rel?: string): Record<string, { kind: string; name: string; spec: unknown; uid: string; generation: number }>;
  /** `git rev-parse lexum/state`, or null when the branch does not exist. */
  stateHead(): string | null;
}

const made: string[] = [];

/** Creates a repository (git init, branch main) holding `files`, committed when `commit` is given. */
export function makeRepo(files: Record<string, string> = {}, commit: string | null = "goal v1"): E2eRepo {
  const dir = mkdtempSync(join(tmpdir(), "lexum-e2e-"));
  made.push(dir);
  const repo: E2eRepo = {
    dir,
    git: (...args) => git(dir, ...args),
    write(fs) {
      for (const [p, c] of Object.entries(fs)) {
        const abs = join(dir, p);
        if (c === null) rmSync(abs, { force: true });
        else {
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, c);
        }
      }
    },
    commit(message) {
      git(dir, "add", "-A");
      git(dir, "commit", "-q", "--allow-empty", "-m", message);
      return git(dir, "rev-parse", "HEAD");
    },
    lxm: (args, env = {}) => lxm(dir, args, { ...baseEnv, ...env }),
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    exists: (rel) => existsSync(join(dir, rel)),
    world(rel = "world.json") {
      // The world as the sim provider sees it: the file with its change log applied (a killed
      // run leaves its last changes in the log).
      const w = readWorld(join(dir, rel));
      if (typeof w === "string") throw new Error(`sim world ${rel}: ${w}`);
      return Object.fromEntries(w) as ReturnType<E2eRepo["world"]>;
    },
    stateHead() {
      try {
        return git(dir, "rev-parse", "--verify", "-q", "refs/heads/lexum/state");
      } catch {
        return null;
      }
    },
  };
  git(dir, "init", "-q", "-b", "main");
  repo.write(files);
  if (commit !== null) repo.commit(commit);
  return repo;
}

/** Removes every repository made by this test file (call from afterAll). */
export function cleanupRepos(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The .lxm files (and other files) of a fixture folder, as a `write` map. */
export function fixtureFiles(rel: string): Record<string, string> {
  const base = join(root, rel);
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      if (name.isDirectory()) walk(join(d, name.name), `${prefix}${name.name}/`);
      else out[`${prefix}${name.name}`] = readFileSync(join(d, name.name), "utf8");
    }
  };
  walk(base, "");
  return out;
}

/**
 * The user's side of the repository: HEAD, the index (as `git ls-files -s`) and the work
 * tree status. Apply must leave all three exactly as they were.
 */
export function userView(repo: E2eRepo): { head: string; symbolic: string; index: string; status: string } {
  return {
    head: repo.git("rev-parse", "HEAD"),
    symbolic: repo.git("symbolic-ref", "HEAD"),
    index: repo.git("ls-files", "-s"),
    status: repo.git("status", "--porcelain", "--untracked-files=all"),
  };
}

/**
 * What the issue demands after every test: the state branch readable by the git CLI
 * (`git log`, `git show :snapshot.json` parsing to a snapshot) and `git fsck --strict` clean;
 * and `lxm state verify` passing. Returns the number of state commits.
 */
export async function expectHealthyState(repo: E2eRepo, branch = "lexum/state"): Promise<number> {
  const fsck = execFileSync("git", ["fsck", "--strict", "--no-dangling"], { cwd: repo.dir, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
  expect(fsck).toBe("");
  if (repo.git("branch", "--list", branch) === "") return 0;
  const log = repo.git("log", "--format=%H %s", branch).split("\n");
  expect(log.length).toBeGreaterThan(0);
  const snap = JSON.parse(repo.git("show", `${branch}:snapshot.json`)) as { format: string; status: string };
  expect(snap.format).toBe("lexum.snapshot/v1");
  expect(["quiescent", "failed", "rolled-back"]).toContain(snap.status);
  const trailer = repo.git("log", "-1", "--format=%(trailers:key=Lexum-Snapshot,valueonly)", branch);
  expect(trailer).toMatch(/^sha256:[0-9a-f]{64}$/);
  const v = await repo.lxm(["state", "verify", "--branch", branch]);
  expect(v.err).toBe("");
  expect(v.code).toBe(0);
  return log.length;
}

/** The trace.jsonl events of a state commit (the branch head by default), as the git CLI shows the file. */
export function stateTrace(repo: E2eRepo, rev = "lexum/state"): TraceEvent[] {
  return repo
    .git("show", `${rev}:trace.jsonl`)
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TraceEvent);
}

/** The head snapshot as the git CLI shows it. */
export function headSnapshot(repo: E2eRepo, rev = "lexum/state"): {
  status: string;
  parent: string | null;
  lastQuiescent: string | null;
  source: { commit: string | null; path: string };
  plan: string;
  resources: Record<string, unknown>;
  dag?: { planned: string[]; done: string[]; failed: string[]; notStarted: string[] };
  [k: string]: unknown;
} {
  return JSON.parse(repo.git("show", `${rev}:snapshot.json`));
}
