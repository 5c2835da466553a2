import { readdirSync, unlinkSync, write } from "node:fs";
import { open, readdir, rename, symlink, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

// Temp names are unique within the process by a counter and across processes by the pid:
// no randomness, and a leftover from a crashed run can be traced to its process.
let counter = 0;

/**
 * Writes all of `data` at the descriptor's position (the end, for one opened to append),
 * continuing after a short write. Callback API on a raw descriptor: for writes on the way
 * back of every provider call, where the promise API's FileHandle bookkeeping cost more
 * than the I/O.
 */
export function writeAll(fd: number, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (offset: number): void =>
      write(fd, data, offset, data.length - offset, null, (err, n) => {
        if (err) reject(err);
        else if (offset + n < data.length) from(offset + n);
        else resolve();
      });
    from(0);
  });
}

/** A fresh temp path in the same directory as `abs` (so rename is atomic), hidden, `.tmp`-suffixed. */
export function tempPathFor(abs: string): string {
  counter += 1;
  // Keep the name under NAME_MAX (255) even for long base names.
  const base = basename(abs).slice(0, 100);
  return join(dirname(abs), `.${base}.lxm-${process.pid}-${counter}.tmp`);
}

/**
 * Creates a temp file (or link) for `abs` with `create`, on the next temp path when one
 * already exists: a process killed mid-write may have left one under a pid that is ours
 * now (pids are reused, in containers often), and the exclusive create must not fail on it
 * for ever. Any other error is thrown; nothing is created then.
 */
export async function withFreshTemp<T>(abs: string, create: (tmp: string) => Promise<T>): Promise<{ tmp: string; value: T }> {
  for (let tries = 1; ; tries++) {
    const tmp = tempPathFor(abs);
    try {
      return { tmp, value: await create(tmp) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || tries >= 1000) throw err;
    }
  }
}

// What tempPathFor writes: `.<base>.lxm-<pid>-<n>.tmp`.
const TEMP_NAME = /^\.(.*)\.lxm-(\d+)-\d+\.tmp$/s;

/**
 * The names in `names` that are temp files of a process that no longer runs (killed between
 * writing a temp file and renaming it), optionally only those made for the file `base`. A
 * live process's temp files, ours included, are never chosen; a pid reused by an unrelated
 * live process keeps its files until that process ends (the safe side).
 */
function staleTemps(names: readonly string[], base?: string): string[] {
  const want = base === undefined ? undefined : base.slice(0, 100);
  return names.filter((name) => {
    const m = TEMP_NAME.exec(name);
    if (!m || (want !== undefined && m[1] !== want)) return false;
    const pid = Number(m[2]);
    return pid !== process.pid && !processRuns(pid);
  });
}

function processRuns(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the stale temp files (see staleTemps) in `dir`, synchronously; returns their names. Best effort: an unreadable directory removes nothing. */
export function removeStaleTempsSync(dir: string, base?: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const stale = staleTemps(names, base);
  for (const name of stale) {
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Removed meanwhile by another cleaner.
    }
  }
  return stale;
}

/**
 * Removes stale temp files (see staleTemps) from each directory it is asked about, once per
 * directory for the sweeper's life (one provider instance): one directory listing per
 * directory written to, not per file.
 */
export class TempSweeper {
  private readonly seen = new Set<string>();

  async sweep(dir: string): Promise<void> {
    if (this.seen.has(dir)) return;
    this.seen.add(dir);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return; // absent (about to be created) or unreadable: nothing of ours to clean
    }
    for (const name of staleTemps(names)) await removeQuietly(join(dir, name));
  }
}

/** Flushes a directory's entries (the rename) to disk; best effort where unsupported. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    await fh?.close();
  }
}

async function removeQuietly(p: string): Promise<void> {
  try {
    await unlink(p);
  } catch {
    // Already gone, or never created: nothing to clean.
  }
}

/**
 * Replaces `abs` with `data` atomically: writes a temp file in the same directory with
 * `mode`, fsyncs it, renames it over `abs`, fsyncs the directory. Readers see the old or
 * the new content, never a mix; on failure the temp file is removed and `abs` is untouched.
 * `durable: false` skips both fsyncs (still atomic against a killed process, not power loss);
 * `exactMode: false` leaves the mode as open() set it (filtered by the umask), one I/O
 * round trip less.
 */
export async function writeFileAtomic(abs: string, data: string | Uint8Array, mode: number, opts: { durable?: boolean; exactMode?: boolean } = {}): Promise<void> {
  const durable = opts.durable ?? true;
  const { tmp, value: fh } = await withFreshTemp(abs, (t) => open(t, "wx", mode));
  try {
    try {
      await fh.writeFile(data);
      // open()'s mode is filtered by the umask; chmod sets exactly what was asked.
      if (opts.exactMode ?? true) await fh.chmod(mode);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, abs);
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
  if (durable) await fsyncDir(dirname(abs));
}

/** Creates or replaces the symlink `abs` → `target` atomically (temp link + rename). */
export async function symlinkAtomic(target: string, abs: string): Promise<void> {
  const { tmp } = await withFreshTemp(abs, (t) => symlink(target, t));
  try {
    await rename(tmp, abs);
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
  await fsyncDir(dirname(abs));
}
