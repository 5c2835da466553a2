import { afterEach } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Runs the real git CLI in `cwd` with a fixed identity and clock; returns trimmed stdout. */
export function gitc(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "T",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "T",
      GIT_COMMITTER_EMAIL: "t@example.com",
      GIT_AUTHOR_DATE: "1700000000 +0100",
      GIT_COMMITTER_DATE: "1700000000 +0100",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: tmpdir(),
    },
    stdio: ["pipe", "pipe", "pipe"],
  }).trim();
}

/** A fresh repository made with `git init` and one commit of `files`; `cleanup` removes it. */
export function makeRepo(files: Record<string, string> = { "README.md": "hello\n" }): { dir: string; gitdir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "lexum-git-"));
  gitc(dir, "init", "-q", "-b", "main");
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  gitc(dir, "add", "-A");
  gitc(dir, "commit", "-q", "-m", "initial");
  return { dir, gitdir: join(dir, ".git"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * For one test file: a `repo(files?)` that makes a temporary repository (makeRepo) and
 * removes every one it made after each test.
 */
export function repoFactory(): (files?: Record<string, string>) => ReturnType<typeof makeRepo> {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });
  return (files) => {
    const r = makeRepo(files);
    cleanups.push(r.cleanup);
    return r;
  };
}
