import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/sync/agent.js";
import { loadSyncConfig } from "../../src/sync/config.js";
import { startGitHttpServer } from "../git/http-backend.js";
import { startCountingProxy } from "./counting-proxy.js";
import { cleanupScratch, simGoal, tempDir, writeConfig } from "./harness.js";
import { git } from "../e2e/helpers.js";

afterAll(cleanupScratch);

/** Every file under `dir` with its size and mtime: anything written shows. */
function snapshotOfFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p, `${st.size}:${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

describe("lxm-sync idle: one ref exchange per repository per poll, nothing else", () => {
  it("3 entries over 2 repositories: per poll cycle one ls-refs exchange (2 requests) per repository, 0 fetches, nothing written", async () => {
    const root = tempDir();
    const server = await startGitHttpServer({ root });
    const proxy = await startCountingProxy(server);
    try {
      const worlds = tempDir();
      const author = tempDir();
      git(author, "init", "-q", "-b", "main");
      const { writeFileSync, mkdirSync } = await import("node:fs");
      mkdirSync(join(author, "a"));
      mkdirSync(join(author, "b"));
      writeFileSync(join(author, "a/app.lxm"), simGoal(join(worlds, "a.json"), { n: 1 }));
      writeFileSync(join(author, "b/app.lxm"), simGoal(join(worlds, "b.json"), { n: 1 }));
      git(author, "add", "-A");
      git(author, "commit", "-q", "-m", "goal");
      for (const name of ["one.git", "two.git"]) git(author, "push", "-q", server.createBareRepo(name), "main");

      const dir = tempDir();
      const file = writeConfig(dir, [
        { url: proxy.url("one.git"), path: "a", state_branch: "lexum/a", drift: "off" },
        { url: proxy.url("one.git"), path: "b", state_branch: "lexum/b", drift: "off" },
        { url: proxy.url("two.git"), path: "a", drift: "off" },
      ]);
      const config = loadSyncConfig(file, {});
      const agent = new Agent({ config, env: {}, log: () => undefined });
      await agent.open();
      await agent.once(); // the goals applied: from here nothing moves
      expect(agent.status().map((s) => s.applied !== null && s.applied === s.goal)).toEqual([true, true, true]);
      const before = snapshotOfFiles(config.dataDir);

      proxy.reset();
      const CYCLES = 3;
      for (let i = 0; i < CYCLES; i++) await agent.once();
      const by = proxy.byRepo();
      expect([...by.keys()].sort()).toEqual(["one.git", "two.git"]);
      for (const repo of ["one.git", "two.git"]) {
        expect(by.get(repo)).toEqual({ requests: 2 * CYCLES, advertisement: CYCLES, lsRefs: CYCLES, fetch: 0, push: 0, other: 0 });
      }
      expect(snapshotOfFiles(config.dataDir)).toEqual(before);
      await agent.stop();
    } finally {
      await proxy.close();
      await server.close();
    }
  }, 120_000);
});
