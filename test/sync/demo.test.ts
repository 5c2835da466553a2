import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyBranch } from "../../src/engine/verify.js";
import { runDemo } from "../../src/sync/demo.js";
import { cleanupScratch, tempDir } from "./harness.js";

afterAll(cleanupScratch);

describe("lxm-sync demo: the whole GitOps loop on loopback", () => {
  it("two pushes, each applied by the agent and recorded on the remote's state branch", async () => {
    const dir = join(tempDir(), "demo");
    let out = "";
    const code = await runDemo(dir, { out: (t) => (out += t) });
    expect(code).toBe(0);
    const bare = join(dir, "remote/infra.git");
    const git = (...args: string[]) => execFileSync("git", ["--git-dir", bare, ...args], { encoding: "utf8" }).trim();
    const main = git("rev-list", "--first-parent", "refs/heads/main").split("\n");
    expect(main).toHaveLength(2);
    const states = git("log", "--format=%H %s", "refs/heads/lexum/state").split("\n");
    expect(states).toHaveLength(2);
    // The snapshots name the two pushed goals, newest first.
    const sources = git("log", "--format=%(trailers:key=Lexum-Source,valueonly)", "refs/heads/lexum/state").split("\n").filter(Boolean);
    expect(sources).toEqual([`${main[0]} .`, `${main[1]} .`]);
    expect((await verifyBranch(bare, "lexum/state")).bad).toBeNull();
    expect(out).toMatch(/agent: applied [0-9a-f]{12}, snapshot [0-9a-f]{12} pushed to lexum\/state/);
    expect(out).toContain("lxm state verify: 2 snapshots");
    expect(out).toMatch(/lexum_reconcile_total\{repo="[^"]+",result="applied"\} 2/);
    // The fs provider's files, written by the agent in its clone: v2's pages.
    const agentDir = join(dir, "agent");
    const clone = readdirSync(agentDir).find((n) => n !== "lxm-sync.lock")!;
    expect(existsSync(join(agentDir, clone, "out"))).toBe(true);
    expect(existsSync(join(agentDir, "lxm-sync.lock"))).toBe(false);
  }, 120_000);

  it("refuses a folder that is not empty", async () => {
    const dir = tempDir();
    execFileSync("git", ["init", "-q", dir]);
    await expect(runDemo(dir, { out: () => undefined })).rejects.toThrow(/not empty/);
  });
});
