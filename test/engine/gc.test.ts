import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { acquireApplyLock } from "../../src/engine/apply-lock.js";
import { cleanupRepos, expectHealthyState, makeRepo } from "../e2e/helpers.js";
import type { E2eRepo } from "../e2e/helpers.js";

afterAll(cleanupRepos);

const site = `domain site {
  provider fs { root = "out" }
  resource fs.file index {
    path    = "index.html"
    content = "gc"
  }
}
`;

function looseCount(repo: E2eRepo): number {
  return Number(/^count: (\d+)$/m.exec(repo.git("count-objects", "-v"))![1]);
}

async function applied(): Promise<E2eRepo> {
  const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site });
  expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
  return repo;
}

describe("lxm state gc", () => {
  it("refuses with the apply lock's error (LXM4214, exit 1) while an apply holds it, and runs no git gc", async () => {
    const repo = await applied();
    const before = looseCount(repo);
    expect(before).toBeGreaterThan(0);
    for (const name of ["apply-lexum_state", "apply-other_state"]) {
      const release = await acquireApplyLock(path.join(repo.dir, ".git"), name);
      try {
        const r = await repo.lxm(["state", "gc"]);
        expect(r.code).toBe(1);
        expect(r.err).toContain("error[LXM4214]");
        expect(r.err).toContain(`pid ${process.pid}`);
        expect(looseCount(repo)).toBe(before);
      } finally {
        await release();
      }
    }
    // Free again: gc runs and packs the state branch's objects.
    expect((await repo.lxm(["state", "gc"])).code).toBe(0);
    expect(looseCount(repo)).toBe(0);
    expect(fs.readdirSync(path.join(repo.dir, ".git/lexum")).filter((n) => n.includes(".lock"))).toEqual([]);
    await expectHealthyState(repo);
  });

  it("never prunes with --prune=now: a fresh unreachable object (another process's write in progress) survives", async () => {
    const repo = await applied();
    const oid = spawnSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo.dir, input: "written by a process that has not committed yet\n", encoding: "utf8" }).stdout.trim();
    expect(oid).toMatch(/^[0-9a-f]{40}$/);
    const r = await repo.lxm(["state", "gc"]);
    expect(r.code).toBe(0);
    expect(repo.git("cat-file", "-t", oid)).toBe("blob");
    await expectHealthyState(repo);
  });

  it("takes over a lock left by a killed apply, and releases it", async () => {
    const repo = await applied();
    const dead = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    fs.writeFileSync(path.join(repo.dir, ".git/lexum/apply-lexum_state.lock"), JSON.stringify({ pid: dead, host: os.hostname() }));
    expect((await repo.lxm(["state", "gc"])).code).toBe(0);
    expect(fs.readdirSync(path.join(repo.dir, ".git/lexum")).filter((n) => n.includes(".lock"))).toEqual([]);
  });
});
