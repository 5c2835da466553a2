import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { catalog } from "../diag/index.js";

/**
 * One apply at a time per state branch and repository: `<git common dir>/lexum/<name>.lock`,
 * holding the owner's pid and host. It appears complete (written to a temp file, then
 * hard-linked into place, which fails when the lock exists). A lock whose process is gone
 * (same host, no such pid) was left by a killed apply and is taken over; a live one, or one
 * on another host, refuses with LXM4214.
 *
 * Taking over is atomic: of any number of processes that find the same dead owner's lock at
 * once, exactly one gets it. Each first creates a guard file named after that very version of
 * the lock (its inode and change time) with the same exclusive create; the one that gets the
 * guard checks that the lock is still that version and renames its own lock over it (no
 * moment without a lock); the others refuse. A guard left by a process killed while taking
 * over is itself stale and taken over the same way.
 */
export async function acquireApplyLock(commondir: string, name: string): Promise<() => Promise<void>> {
  const file = path.join(commondir, "lexum", `${name}.lock`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const me = JSON.stringify({ pid: process.pid, host: os.hostname() }) + "\n";
  const got = await acquire(file, me, 0);
  if (got !== true) throw catalog.engine.applyRunning.error(got ? `pid ${got.pid} on ${got.host}` : "unknown owner", file);
  return async () => {
    // Only our own lock is removed (never one that replaced it).
    const now = await fs.readFile(file, "utf8").catch(() => null);
    if (now === me) await fs.rm(file, { force: true });
  };
}

/** How deep guards of guards go (each level needs a process killed inside the level below). */
const MAX_DEPTH = 3;

interface Owner {
  readonly pid: number;
  readonly host: string;
}

/** true when `file` now holds `content` for us; otherwise the live owner found (null: unreadable). */
async function acquire(file: string, content: string, depth: number): Promise<true | Owner | null> {
  // A bounded loop: each turn either acquires, refuses, or saw the lock change under it.
  for (let attempt = 0; attempt < 8; attempt++) {
    if (await createExclusive(file, content)) return true;
    const seen = await observe(file);
    if (seen === null) continue; // released meanwhile: try to create it again
    const owner = parseOwner(seen.text);
    if (!owner || owner.host !== os.hostname() || alive(owner.pid) || depth >= MAX_DEPTH) return owner;
    // A dead owner's lock: replace it, under a guard that only one process can hold for this version.
    const guard = `${file}.takeover-${seen.version}`;
    if ((await acquire(guard, content, depth + 1)) !== true) return owner;
    try {
      const now = await observe(file);
      if (now === null || now.version !== seen.version || now.text !== seen.text) continue; // someone else took it over first
      const tmp = await writeTemp(file, content);
      try {
        await fs.rename(tmp, file);
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw e;
      }
      return true;
    } finally {
      await fs.rm(guard, { force: true });
    }
  }
  return parseOwner((await observe(file))?.text ?? "");
}

let tempCounter = 0;

/** A temp file beside `file` holding `content` (pid and a counter keep names unique). */
async function writeTemp(file: string, content: string): Promise<string> {
  const tmp = `${file}.${process.pid}.${tempCounter++}.tmp`;
  await fs.writeFile(tmp, content, { flag: "wx" });
  return tmp;
}

/** Creates `file` holding `content` only if it does not exist; false when it does. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = await writeTemp(file, content);
  try {
    await fs.link(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // A file system without hard links: an exclusive create (the content follows at once).
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") {
      try {
        await fs.writeFile(file, content, { flag: "wx" });
        return true;
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw e2;
      }
    }
    throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** The lock's content and a name for this version of it (inode and change time); null when absent. */
async function observe(file: string): Promise<{ text: string; version: string } | null> {
  try {
    const fh = await fs.open(file, "r");
    try {
      const st = await fh.stat({ bigint: true });
      return { text: await fh.readFile("utf8"), version: `${st.ino}-${st.ctimeNs}` };
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function parseOwner(text: string): Owner | null {
  try {
    const o = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return typeof o.pid === "number" && typeof o.host === "string" ? { pid: o.pid, host: o.host } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
