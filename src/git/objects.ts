/**
 * Git object encoding in memory: hashing (`sha1("<type> <len>\0" + body)`), tree and commit
 * serialisation in git's exact byte format, and the deflated form written to
 * `objects/xx/yyyy…`. Pure functions except the two writers at the end.
 */
import { createHash, hash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { InternalError } from "../diag/diagnostic.js";
import { gitWriteFailed } from "../diag/catalog/runtime.js";
import { writeFileAtomic } from "./safe-fs.js";
import { writePack } from "./pack.js";
import { deflateGit, deflateGitAsync } from "./deflate.js";

export type ObjectType = "blob" | "tree" | "commit" | "tag";

/** An object ready to write: its id and its uncompressed body (a string is its UTF-8 bytes). */
export interface EncodedObject {
  readonly oid: string;
  readonly type: ObjectType;
  readonly body: string | Uint8Array;
  /** `deflateGit(body)` when computed ahead (see state/prepare.ts); a pack uses it as is. */
  readonly packed?: Uint8Array;
}

const enc = new TextEncoder();

/** The bytes of a string (UTF-8) or the bytes themselves. */
export function toBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? enc.encode(content) : content;
}

function header(type: ObjectType, body: string | Uint8Array): string {
  return `${type} ${typeof body === "string" ? Buffer.byteLength(body) : body.length}\0`;
}

/** The object id git gives `body` as an object of `type` (deterministic, same as `git hash-object`). */
export function hashObject(type: ObjectType, body: string | Uint8Array): string {
  // One update with the string (hashed as UTF-8) avoids encoding 10k bodies to buffers first.
  // crypto.hash is one-shot: no Hash object per call, which dominates for small bodies.
  if (typeof body === "string") return hash("sha1", header(type, body) + body, "hex");
  return createHash("sha1").update(header(type, body)).update(body).digest("hex");
}

/** `hashObject` packaged with its body. */
export function encodeObject(type: ObjectType, body: string | Uint8Array): EncodedObject {
  return { oid: hashObject(type, body), type, body };
}

/** The zlib-deflated loose-object form (`<type> <len>\0<body>`), as stored under objects/. */
export function deflateObject(o: EncodedObject): Buffer {
  return deflateGit(looseBytes(o));
}

/** Objects at least this large are deflated on libuv's thread pool when written loose. */
const THREAD_POOL_DEFLATE = 64 * 1024;

/** `deflateObject`, on the thread pool for a large object (the same bytes). */
function deflateObjectAsync(o: EncodedObject): Promise<Buffer> {
  if (o.body.length < THREAD_POOL_DEFLATE) return Promise.resolve(deflateObject(o));
  return deflateGitAsync(looseBytes(o));
}

function looseBytes(o: EncodedObject): Buffer {
  const h = header(o.type, o.body);
  return typeof o.body === "string" ? Buffer.from(h + o.body, "utf8") : Buffer.concat([Buffer.from(h), o.body]);
}

/** Git file modes Lexum writes or reads. */
export type TreeMode = "100644" | "100755" | "120000" | "040000" | "160000";

export interface TreeEntryIn {
  readonly name: string;
  readonly mode: TreeMode;
  readonly oid: string;
}

const ASCII = /^[\x20-\x7e]*$/;

/**
 * Serialises a tree in git's format, entries sorted the git way: by name bytes, a directory's
 * name compared as if it ended in "/". Throws InternalError on a bad name or duplicate.
 */
export function encodeTree(entries: readonly TreeEntryIn[]): EncodedObject {
  let ascii = true;
  const keyed = entries.map((e) => {
    if (e.name === "" || e.name === "." || e.name === ".." || e.name.includes("/") || e.name.includes("\0")) {
      throw new InternalError(`invalid tree entry name ${JSON.stringify(e.name)}`);
    }
    if (e.oid.length !== 40) throw new InternalError(`invalid oid ${e.oid}`);
    if (ascii && !ASCII.test(e.name)) ascii = false;
    return { e, key: e.mode === "040000" ? e.name + "/" : e.name };
  });
  // For printable ASCII, code-unit order is byte order; otherwise compare UTF-8 bytes.
  if (ascii) keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else keyed.sort((a, b) => Buffer.compare(Buffer.from(a.key, "utf8"), Buffer.from(b.key, "utf8")));
  let size = 0;
  for (const { e } of keyed) size += (e.mode === "040000" ? 5 : 6) + 1 + Buffer.byteLength(e.name) + 1 + 20;
  const body = Buffer.alloc(size);
  let p = 0;
  for (let i = 0; i < keyed.length; i++) {
    const { e } = keyed[i]!;
    if (i > 0 && keyed[i - 1]!.e.name === e.name) throw new InternalError(`duplicate tree entry ${e.name}`);
    // git writes directory modes without the leading zero.
    p += body.write(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`, p, "utf8");
    if (body.write(e.oid, p, "hex") !== 20) throw new InternalError(`invalid oid ${e.oid}`);
    p += 20;
  }
  return encodeObject("tree", body);
}

/** A person line's identity and time. `tzOffsetMinutes` is minutes EAST of UTC ("+0200" = 120). */
export interface Signature {
  readonly name: string;
  readonly email: string;
  readonly seconds: number;
  readonly tzOffsetMinutes: number;
}

/** Formats a tz offset the git way: 120 → "+0200", -330 → "-0530", 0 → "+0000". */
export function formatTz(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `${sign}${String(h).padStart(2, "0")}${String(m).padStart(2, "0")}`;
}

function checkSignature(s: Signature): void {
  if (/[<>\n\0]/.test(s.name) || /[<>\n\0]/.test(s.email)) throw new InternalError(`invalid identity ${s.name} <${s.email}>`);
  if (!Number.isInteger(s.seconds) || s.seconds < 0) throw new InternalError(`invalid commit time ${s.seconds}`);
  if (!Number.isInteger(s.tzOffsetMinutes) || Math.abs(s.tzOffsetMinutes) >= 100 * 60) {
    throw new InternalError(`invalid tz offset ${s.tzOffsetMinutes}`);
  }
}

/**
 * Serialises a commit in git's format. The message is normalised to end with exactly one
 * newline (as `git commit` does), so equal inputs always give equal ids.
 */
export function encodeCommit(c: {
  tree: string;
  parents: readonly string[];
  author: Signature;
  committer: Signature;
  message: string;
}): EncodedObject {
  checkSignature(c.author);
  checkSignature(c.committer);
  const person = (s: Signature) => `${s.name} <${s.email}> ${s.seconds} ${formatTz(s.tzOffsetMinutes)}`;
  let text = `tree ${c.tree}\n`;
  for (const p of c.parents) text += `parent ${p}\n`;
  text += `author ${person(c.author)}\ncommitter ${person(c.committer)}\n\n`;
  text += c.message.replace(/\r/g, "").replace(/\n+$/, "") + "\n";
  return encodeObject("commit", text);
}

/** Runs `fn` over `items` with at most `limit` promises in flight; resolves when all are done. */
export async function forEachPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** How many object writes are kept in flight (one at a time leaves the disk idle between fsyncs). */
export const WRITE_CONCURRENCY = 16;

/**
 * Writes objects as loose objects, crash-safely: an object already present with non-empty
 * content is skipped; a missing or 0-byte one (a crashed naive writer) is written to a temp
 * file in its fan-out directory, fsynced and renamed into place, so its path only ever holds
 * a complete object. Up to WRITE_CONCURRENCY writes are in flight. Returns how many were
 * written. Like git, the fan-out directories are not fsynced one by one: the ref update that
 * follows fsyncs the ref's directory, and on journaling file systems (ext4, xfs, btrfs, apfs)
 * that commits the earlier renames too.
 */
export async function writeLooseObjects(gitdir: string, objects: readonly EncodedObject[]): Promise<number> {
  let written = 0;
  await forEachPool(objects, WRITE_CONCURRENCY, async (o) => {
    const dir = join(gitdir, "objects", o.oid.slice(0, 2));
    const path = join(dir, o.oid.slice(2));
    try {
      if ((await fsp.stat(path)).size > 0) return; // objects are immutable: present means done
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw gitWriteFailed.error(path, (e as Error).message);
    }
    const data = await deflateObjectAsync(o);
    try {
      await writeFileAtomic(path, data);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw gitWriteFailed.error(path, (e as Error).message);
      try {
        await fsp.mkdir(dir, { recursive: true });
        await writeFileAtomic(path, data);
      } catch (e2) {
        throw gitWriteFailed.error(path, (e2 as Error).message);
      }
    }
    written++;
  });
  return written;
}

/** Above this many objects, one pack is written instead of loose objects (one fsync, not N). */
export const PACK_THRESHOLD = 32;

/**
 * Writes the objects not yet present, durably, each visible only once complete: up to
 * PACK_THRESHOLD as loose objects (`writeLooseObjects`), more as one pack (`writePack`).
 * Before packing, the loose store is scanned by fan-out directory: a present non-empty loose
 * object is skipped, a 0-byte one (left by a crashed naive writer) is rewritten in place so
 * no reader ever trips on it. An object that is already in another pack may be packed again;
 * duplicates are harmless and `git gc` drops them. Returns how many objects were written.
 */
export async function writeObjects(gitdir: string, objects: readonly EncodedObject[]): Promise<number> {
  const unique = new Map<string, EncodedObject>();
  for (const o of objects) unique.set(o.oid, o);
  const list = [...unique.values()];
  if (list.length <= PACK_THRESHOLD) return writeLooseObjects(gitdir, list);
  const byFanout = new Map<string, EncodedObject[]>();
  for (const o of list) {
    const k = o.oid.slice(0, 2);
    let l = byFanout.get(k);
    if (!l) byFanout.set(k, (l = []));
    l.push(o);
  }
  const present = new Set<string>();
  const repair: EncodedObject[] = [];
  // Only the fan-out directories that exist are listed (a packed store has few or none).
  const existing = new Set(await fsp.readdir(join(gitdir, "objects")).catch(() => [] as string[]));
  await forEachPool([...byFanout.keys()].filter((k) => existing.has(k)).sort(), WRITE_CONCURRENCY, async (k) => {
    let names: string[];
    try {
      names = await fsp.readdir(join(gitdir, "objects", k));
    } catch {
      return; // no such fan-out directory: none of these is loose
    }
    const have = new Set(names);
    for (const o of byFanout.get(k)!) {
      if (!have.has(o.oid.slice(2))) continue;
      const size = (await fsp.stat(join(gitdir, "objects", k, o.oid.slice(2))).catch(() => null))?.size ?? 0;
      if (size > 0) present.add(o.oid);
      else repair.push(o);
    }
  });
  const repaired = new Set(repair.map((o) => o.oid));
  const toPack = list.filter((o) => !present.has(o.oid) && !repaired.has(o.oid));
  await writePack(gitdir, toPack);
  const fixed = await writeLooseObjects(gitdir, repair);
  return toPack.length + fixed;
}
