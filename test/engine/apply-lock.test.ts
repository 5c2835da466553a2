import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { acquireApplyLock } from "../../src/engine/apply-lock.js";
import { LexumError } from "../../src/diag/diagnostic.js";

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "lexum-lock-"));
}

describe("apply lock", () => {
  it("is exclusive while held and free again once released", async () => {
    const dir = tmp();
    const release = await acquireApplyLock(dir, "apply-main");
    const err = await acquireApplyLock(dir, "apply-main").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LexumError);
    expect((err as LexumError).code).toBe("LXM4214");
    expect((err as LexumError).message).toContain(`pid ${process.pid}`);
    await release();
    const again = await acquireApplyLock(dir, "apply-main");
    await again();
    expect(fs.existsSync(path.join(dir, "lexum", "apply-main.lock"))).toBe(false);
  });
  it("takes over a lock left by a process that is gone (a killed apply)", async () => {
    const dir = tmp();
    // A pid that surely existed and has exited: a finished child's.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    fs.mkdirSync(path.join(dir, "lexum"), { recursive: true });
    fs.writeFileSync(path.join(dir, "lexum", "apply-main.lock"), JSON.stringify({ pid: Number(dead.stdout), host: os.hostname() }));
    const release = await acquireApplyLock(dir, "apply-main");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "lexum", "apply-main.lock"), "utf8")).pid).toBe(process.pid);
    await release();
  });
  it("refuses a lock held on another host (it cannot tell whether that process lives)", async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "lexum"), { recursive: true });
    fs.writeFileSync(path.join(dir, "lexum", "apply-main.lock"), JSON.stringify({ pid: 1, host: "elsewhere.invalid" }));
    const err = await acquireApplyLock(dir, "apply-main").catch((e: unknown) => e);
    expect((err as LexumError).code).toBe("LXM4214");
    expect((err as LexumError).hint).toContain("apply-main.lock");
  });
});

describe("lxm apply while another apply holds the branch", () => {
  it("refuses with LXM4214, exit 1, and writes nothing", async () => {
    const { makeRepo, fixtureFiles } = await import("../e2e/helpers.js");
    const repo = makeRepo({ ...fixtureFiles("fixtures/demo/v1") });
    const release = await acquireApplyLock(path.join(repo.dir, ".git"), "apply-lexum_state");
    try {
      const r = await repo.lxm(["apply", "--yes"]);
      expect(r.code).toBe(1);
      expect(r.err).toContain("error[LXM4214]");
      expect(repo.stateHead()).toBeNull();
      expect(fs.existsSync(path.join(repo.dir, "out"))).toBe(false);
    } finally {
      await release();
    }
    const ok = await repo.lxm(["apply", "--yes"]);
    expect(ok.code).toBe(0);
  });
});
