import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockDataDir } from "../../src/sync/data-dir.js";
import { cleanupScratch, tempDir } from "./harness.js";

afterAll(cleanupScratch);

describe("one agent per data_dir", () => {
  it("takes the lock, refuses a second holder while the first lives, releases it", () => {
    const dir = join(tempDir(), "data");
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, "lxm-sync.lock"), "utf8")).toBe(`${process.pid}\n`);
    // Another live process (the parent of this one is alive).
    expect(() => lockDataDir(dir, process.ppid)).toThrow(/in use by lxm-sync process/);
    try {
      lockDataDir(dir, process.ppid);
    } catch (e) {
      expect((e as { code: string }).code).toBe("LXM7011");
    }
    release();
    expect(existsSync(join(dir, "lxm-sync.lock"))).toBe(false);
  });

  it("takes over the lock of a process that is gone", async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid!;
    await new Promise((r) => child.on("exit", r));
    writeFileSync(join(dir, "lxm-sync.lock"), `${pid}\n`);
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, "lxm-sync.lock"), "utf8")).toBe(`${process.pid}\n`);
    release();
  });

  it("a data_dir that cannot be created is a clear error", () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "x");
    expect(() => lockDataDir(join(file, "data"))).toThrow(/cannot use data_dir .*: a part of the path is not a folder/);
  });
});
