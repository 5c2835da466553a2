import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { TempSweeper, removeStaleTempsSync, symlinkAtomic, tempPathFor, writeFileAtomic } from "../../src/providers/fs/atomic.js";
import { fsProvider } from "../../src/providers/fs/provider.js";
import { simProvider } from "../../src/providers/sim/provider.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lexum-atomic-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("atomic writes", () => {
  it("temp paths sit in the same directory, hidden, unique per call", () => {
    const a = tempPathFor(join(dir, "f.txt"));
    const b = tempPathFor(join(dir, "f.txt"));
    expect(a).not.toBe(b);
    expect(a.startsWith(join(dir, ".f.txt.lxm-"))).toBe(true);
    expect(a.endsWith(".tmp")).toBe(true);
    expect(tempPathFor(join(dir, "x".repeat(250))).length - dir.length).toBeLessThan(255);
  });

  it("replaces content with the exact mode and leaves nothing else", async () => {
    await writeFile(join(dir, "f"), "old");
    await writeFileAtomic(join(dir, "f"), "new", 0o600);
    expect(await readFile(join(dir, "f"), "utf8")).toBe("new");
    expect((await stat(join(dir, "f"))).mode & 0o7777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["f"]);
  });

  it("sets the exact mode past the umask unless told to leave open()'s (exactMode: false)", async () => {
    const old = process.umask(0o022);
    try {
      await writeFileAtomic(join(dir, "exact"), "x", 0o666);
      await writeFileAtomic(join(dir, "umasked"), "x", 0o666, { exactMode: false });
    } finally {
      process.umask(old);
    }
    expect((await stat(join(dir, "exact"))).mode & 0o7777).toBe(0o666);
    expect((await stat(join(dir, "umasked"))).mode & 0o7777).toBe(0o644);
  });

  it("removes its temp file when the final rename fails, leaving the target intact", async () => {
    // Renaming a file over a non-empty directory fails after the temp file was written.
    await mkdir(join(dir, "busy"));
    await writeFile(join(dir, "busy", "keep"), "k");
    await expect(writeFileAtomic(join(dir, "busy"), "data", 0o644)).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["busy"]);
    expect(await readFile(join(dir, "busy", "keep"), "utf8")).toBe("k");
  });

  it("symlinkAtomic swaps a link and cleans up on failure", async () => {
    await symlinkAtomic("a", join(dir, "l"));
    await symlinkAtomic("b", join(dir, "l"));
    expect(await readdir(dir)).toEqual(["l"]);
    await mkdir(join(dir, "d"));
    await writeFile(join(dir, "d", "x"), "");
    await expect(symlinkAtomic("c", join(dir, "d"))).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["d", "l"]);
  });
});

describe("temp files left by a killed write", () => {
  // A pid that has certainly ended: a child that already exited (and was reaped).
  const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;

  it("removes a dead process's temp files and keeps a live process's", async () => {
    const dead = deadPid();
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      await writeFile(join(dir, `.f.txt.lxm-${dead}-3.tmp`), "torn");
      await writeFile(join(dir, `.g.txt.lxm-${dead}-1.tmp`), "torn");
      await writeFile(join(dir, `.f.txt.lxm-${live.pid}-1.tmp`), "being written");
      await writeFile(join(dir, `.f.txt.lxm-${process.pid}-9.tmp`), "ours");
      await writeFile(join(dir, `f.txt.lxm-${dead}-3.tmp`), "not our name");
      expect(removeStaleTempsSync(dir, "f.txt")).toEqual([`.f.txt.lxm-${dead}-3.tmp`]);
      expect((await readdir(dir)).sort()).toEqual([`.f.txt.lxm-${live.pid}-1.tmp`, `.f.txt.lxm-${process.pid}-9.tmp`, `.g.txt.lxm-${dead}-1.tmp`, `f.txt.lxm-${dead}-3.tmp`].sort());
      await new TempSweeper().sweep(dir);
      expect((await readdir(dir)).sort()).toEqual([`.f.txt.lxm-${live.pid}-1.tmp`, `.f.txt.lxm-${process.pid}-9.tmp`, `f.txt.lxm-${dead}-3.tmp`].sort());
    } finally {
      live.kill("SIGKILL");
    }
  });

  it("the fs provider cleans the directory it writes to; a sim world cleans beside itself when opened", async () => {
    const dead = deadPid();
    await mkdir(join(dir, "site"), { recursive: true });
    await writeFile(join(dir, "site", `.index.html.lxm-${dead}-1.tmp`), "torn");
    const fs = fsProvider.configure({ root: dir }, { projectDir: dir });
    const ctx = { signal: new AbortController().signal, attempt: 1, address: "d/fs.file.index" };
    await fs.create("fs.file", { path: "site/index.html", content: "<h1>hi</h1>" }, ctx);
    expect(await readdir(join(dir, "site"))).toEqual(["index.html"]);

    await writeFile(join(dir, `.world.json.lxm-${dead}-7.tmp`), "{ torn");
    const sim = simProvider.configure({ world: "world.json", latency: 0 }, { projectDir: dir });
    await sim.close();
    expect((await readdir(dir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});

describe("a temp name already taken", () => {
  it("a leftover under our own pid (a reused pid) does not block the write: the next name is used", async () => {
    const abs = join(dir, "f.txt");
    const probe = tempPathFor(abs);
    const n = Number(/-(\d+)\.tmp$/.exec(probe)![1]);
    const taken = [1, 2, 3].map((k) => probe.replace(/-\d+\.tmp$/, `-${n + k}.tmp`));
    for (const t of taken) await writeFile(t, "left by a killed process that had our pid");
    await writeFileAtomic(abs, "new", 0o644);
    expect(await readFile(abs, "utf8")).toBe("new");
    await symlinkAtomic("f.txt", join(dir, "link"));
    for (const t of taken) expect(await readFile(t, "utf8")).toBe("left by a killed process that had our pid");
  });
});
