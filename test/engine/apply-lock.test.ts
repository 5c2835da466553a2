import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireApplyLock } from "../../src/engine/apply-lock.js";
import { LexumError } from "../../src/diag/diagnostic.js";
import { buildCli } from "../e2e/cli-build.js";
import type { CliBuild } from "../e2e/cli-build.js";

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

/** A pid that surely existed and has exited: a finished child's. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
}

/**
 * A contender: a separate node process that says "ready", waits for "go" on stdin, tries to
 * take the lock, prints "won" (then holds it until stdin closes) or the error code.
 */
function contender(lockModule: string, dir: string): ChildProcessWithoutNullStreams {
  const script = `
    const { acquireApplyLock } = await import(${JSON.stringify(pathToFileURL(lockModule).href)});
    process.stdin.setEncoding("utf8");
    let release = null;
    process.stdin.on("data", async (d) => {
      if (!d.includes("go") || release) return;
      try {
        release = await acquireApplyLock(${JSON.stringify(dir)}, "apply-main");
        process.stdout.write("won\\n");
      } catch (e) {
        process.stdout.write((e.code ?? String(e)) + "\\n");
      }
    });
    process.stdin.on("end", async () => { if (release) await release(); });
    process.stdout.write("ready\\n");
  `;
  return spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "pipe"] });
}

describe("stale lock takeover races", () => {
  let cli: CliBuild;
  beforeAll(() => {
    cli = buildCli("src/engine/apply-lock.ts"); // the lock and what it imports, for child processes
  }, 120_000);
  afterAll(() => cli.cleanup());

  it("of 8 processes finding a dead owner's lock at once, exactly one acquires it, round after round", async () => {
    const lockModule = path.join(path.dirname(cli.main), "..", "engine", "apply-lock.js");
    const ROUNDS = 5;
    const N = 8;
    for (let round = 0; round < ROUNDS; round++) {
      const dir = tmp();
      fs.mkdirSync(path.join(dir, "lexum"), { recursive: true });
      fs.writeFileSync(path.join(dir, "lexum", "apply-main.lock"), JSON.stringify({ pid: deadPid(), host: os.hostname() }));
      const kids = Array.from({ length: N }, () => contender(lockModule, dir));
      const readers = kids.map((k) => k.stdout[Symbol.asyncIterator]());
      const next = async (i: number): Promise<string> => {
        const r = await readers[i]!.next();
        if (r.done) throw new Error(`contender ${i} exited: ${kids[i]!.stderr.read() ?? ""}`);
        return String(r.value).trim();
      };
      expect(await Promise.all(kids.map((_, i) => next(i)))).toEqual(Array(N).fill("ready"));
      for (const k of kids) k.stdin.write("go\n");
      const results = await Promise.all(kids.map((_, i) => next(i)));
      const winners = results.filter((r) => r === "won").length;
      expect({ round, winners, others: results.filter((r) => r !== "won").sort() }).toEqual({ round, winners: 1, others: Array(N - 1).fill("LXM4214") });
      // The lock names the winner; no guard or temp file is left behind.
      const winner = kids[results.indexOf("won")]!;
      expect(JSON.parse(fs.readFileSync(path.join(dir, "lexum", "apply-main.lock"), "utf8")).pid).toBe(winner.pid);
      expect(fs.readdirSync(path.join(dir, "lexum"))).toEqual(["apply-main.lock"]);
      for (const k of kids) k.stdin.end();
      await Promise.all(kids.map((k) => (k.exitCode === null ? once(k, "exit") : null)));
      expect(fs.existsSync(path.join(dir, "lexum", "apply-main.lock"))).toBe(false);
    }
  }, 300_000);

  it("a guard left by a process killed while taking over is itself taken over", async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "lexum"), { recursive: true });
    const lock = path.join(dir, "lexum", "apply-main.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: os.hostname() }));
    const st = fs.statSync(lock, { bigint: true });
    fs.writeFileSync(`${lock}.takeover-${st.ino}-${st.ctimeNs}`, JSON.stringify({ pid: deadPid(), host: os.hostname() }));
    const release = await acquireApplyLock(dir, "apply-main");
    expect(JSON.parse(fs.readFileSync(lock, "utf8")).pid).toBe(process.pid);
    expect(fs.readdirSync(path.join(dir, "lexum"))).toEqual(["apply-main.lock"]);
    await release();
  });
});
