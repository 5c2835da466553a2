/**
 * A crash-safe file system for isomorphic-git. isomorphic-git writes loose objects in place
 * (no temp file, no rename, no fsync), so a crash can leave a 0-byte or truncated object that
 * it later takes as present. This wrapper fixes that at the only place objects are written:
 *
 * - `writeFile` under `objects/` writes a temp file in the same directory, fsyncs it and
 *   renames it into place, so an object path is either absent or complete;
 * - `stat`/`lstat`/`readFile` of an EMPTY file under `objects/` report ENOENT, so a 0-byte
 *   object left by an earlier crash counts as absent and is rewritten (git objects are
 *   immutable and content-addressed: rewriting one is always safe);
 * - every directory that received a new object is remembered, and `syncDirs()` fsyncs them,
 *   so the renames are durable before a ref is moved to point at the objects;
 * - reads of the object store see its alternates (`objects/info/alternates`, see
 *   alternates.ts), as git does: a loose object or pack file absent from `objects/` is looked
 *   up in each borrowed object directory, and listings of `objects/pack` and of a fan-out
 *   directory include theirs. Writes always go to the repository's own `objects/`.
 *
 * Everything else is passed through to node:fs/promises.
 */
import { promises as fsp } from "node:fs";
import { dirname, sep } from "node:path";
import { alternateDirs } from "./alternates.js";

/** The subset of a promise-based fs that isomorphic-git calls, plus `syncDirs`. */
export interface SafeFs {
  readonly promises: SafeFsPromises;
  /** fsyncs every directory an object was renamed into since the last call. */
  syncDirs(): Promise<void>;
}

type Fsp = typeof fsp;
export interface SafeFsPromises {
  readFile: Fsp["readFile"];
  writeFile(path: string, data: string | Uint8Array, options?: unknown): Promise<void>;
  mkdir: Fsp["mkdir"];
  rmdir: Fsp["rmdir"];
  rm: Fsp["rm"];
  unlink: Fsp["unlink"];
  stat: Fsp["stat"];
  lstat: Fsp["lstat"];
  readdir: Fsp["readdir"];
  readlink: Fsp["readlink"];
  symlink: Fsp["symlink"];
}

// Unique temp names within a process; the pid separates concurrent processes. No randomness
// is needed because O_EXCL refuses a name that is somehow in use.
let tempCounter = 0;

function isObjectPath(p: string): boolean {
  const s = p.split(sep).join("/");
  return /\/objects\/[0-9a-f]{2}\/[0-9a-f]{38}$/.test(s);
}

/** `<objects dir>` and the path below it, for a loose object, a fan-out directory, `pack/` or a pack file. */
const STORE_PATH = /^(.*\/objects)\/((?:[0-9a-f]{2}(?:\/[0-9a-f]{38})?)|pack(?:\/[^/]+)?)$/;

function storePath(p: unknown): { objects: string; rest: string } | null {
  if (typeof p !== "string") return null;
  const m = STORE_PATH.exec(p.split(sep).join("/"));
  return m ? { objects: m[1]!, rest: m[2]! } : null;
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

const NO_PATH = Object.assign(new TypeError("readFile needs a path"), { code: "ERR_INVALID_ARG_TYPE" });

function enoent(path: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`ENOENT: empty object file treated as absent, '${path}'`);
  e.code = "ENOENT";
  return e;
}

/** Writes `data` to `path` atomically and durably: temp file, fsync, rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await renameInto(await writeTempFile(path, data), path);
}

/**
 * The first half of `writeFileAtomic`: writes `data` to a fresh temp file beside `path`
 * (read-only) and fsyncs it; returns the temp file's path. Nothing is visible under `path`
 * until `renameInto`; on failure the temp file is removed.
 */
export async function writeTempFile(path: string, data: string | Uint8Array): Promise<string> {
  const tmp = `${dirname(path)}/tmp_lxm_${process.pid}_${tempCounter++}`;
  const fh = await fsp.open(tmp, "wx", 0o444);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return tmp;
}

/** The second half: renames a temp file from `writeTempFile` over `path` (removed if that fails). */
export async function renameInto(tmp: string, path: string): Promise<void> {
  try {
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** fsyncs a directory so that renames into it survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates a fresh wrapper (each keeps its own set of directories to fsync). */
export function createSafeFs(): SafeFs {
  const dirty = new Set<string>();
  // The borrowed object directories of each object store read through this wrapper (present ones).
  const alternates = new Map<string, Promise<string[]>>();
  const borrowed = (objects: string): Promise<string[]> => {
    let hit = alternates.get(objects);
    if (!hit) alternates.set(objects, (hit = alternateDirs(objects).then((l) => l.filter((a) => a.present).map((a) => a.path))));
    return hit;
  };
  /** `read(path)`; when the object-store path is absent, the same path in each alternate, in order. */
  const withAlternates = async <T>(path: unknown, read: (p: string) => Promise<T>): Promise<T> => {
    try {
      return await read(path as string);
    } catch (e) {
      const at = isMissing(e) ? storePath(path) : null;
      if (!at) throw e;
      for (const alt of await borrowed(at.objects)) {
        try {
          return await read(`${alt}/${at.rest}`);
        } catch (e2) {
          if (!isMissing(e2)) throw e2;
        }
      }
      throw e;
    }
  };
  const promises: SafeFsPromises = {
    readFile: (async (path: Parameters<Fsp["readFile"]>[0], options?: Parameters<Fsp["readFile"]>[1]) => {
      // isomorphic-git calls readFile() without a path twice per API call, to see whether it
      // returns a promise; Node's own refusal builds an error with a stack trace each time.
      // Refuse it with one prepared error instead.
      if (path === undefined) throw NO_PATH;
      return withAlternates(path, async (p) => {
        const data = await fsp.readFile(p, options);
        if (typeof p === "string" && data.length === 0 && isObjectPath(p)) throw enoent(p);
        return data;
      });
    }) as Fsp["readFile"],
    writeFile: async (path, data) => {
      if (!isObjectPath(path)) {
        await fsp.writeFile(path, data);
        return;
      }
      await writeFileAtomic(path, data);
      const dir = dirname(path);
      if (!dirty.has(dir)) {
        dirty.add(dir);
        // A fan-out directory created by this run must itself be durable in objects/.
        dirty.add(dirname(dir));
      }
    },
    mkdir: fsp.mkdir.bind(fsp),
    rmdir: fsp.rmdir.bind(fsp),
    rm: fsp.rm.bind(fsp),
    unlink: fsp.unlink.bind(fsp),
    stat: (async (path: string, opts?: unknown) =>
      withAlternates(path, async (p) => {
        const st = await fsp.stat(p, opts as undefined);
        if (st.size === 0 && isObjectPath(p)) throw enoent(p);
        return st;
      })) as Fsp["stat"],
    lstat: (async (path: string, opts?: unknown) =>
      withAlternates(path, async (p) => {
        const st = await fsp.lstat(p, opts as undefined);
        if (st.size === 0 && isObjectPath(p)) throw enoent(p);
        return st;
      })) as Fsp["lstat"],
    readdir: (async (path: string, opts?: unknown) => {
      const at = storePath(path);
      if (!at || at.rest.includes("/") || opts !== undefined) return fsp.readdir(path, opts as undefined);
      // A fan-out directory or objects/pack: its entries here and in every alternate (a name
      // is a content hash, so one found twice is the same object or pack).
      const names = new Set<string>();
      let found = false;
      for (const dir of [at.objects, ...(await borrowed(at.objects))]) {
        try {
          for (const n of await fsp.readdir(`${dir}/${at.rest}`)) names.add(n);
          found = true;
        } catch (e) {
          if (!isMissing(e)) throw e;
        }
      }
      if (!found) return fsp.readdir(path);
      return [...names].sort();
    }) as Fsp["readdir"],
    readlink: fsp.readlink.bind(fsp),
    symlink: fsp.symlink.bind(fsp),
  };
  return {
    promises,
    async syncDirs() {
      const dirs = [...dirty].sort();
      dirty.clear();
      await Promise.all(dirs.map((d) => syncDir(d)));
    },
  };
}
