/**
 * Writing many objects at once as one packfile (+ its v2 index) instead of thousands of loose
 * files: one fsync per file instead of one per object, which is what makes a 10k-resource
 * snapshot commit cost about what `git hash-object -w` does. Crash-safe: the pack and the
 * index are each written to a temp file, fsynced and renamed; the index (which is what makes
 * git and isomorphic-git see the pack) is renamed last, so a crash leaves either no visible
 * pack or a complete one. Git and isomorphic-git both read these packs; `git gc` repacks them.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { crc32, deflate, deflateSync } from "node:zlib";
import { InternalError } from "../diag/diagnostic.js";
import { gitWriteFailed } from "../diag/catalog/runtime.js";
import type { EncodedObject } from "./objects.js";
import { renameInto, syncDir, writeTempFile } from "./safe-fs.js";

const TYPE_CODE = { commit: 1, tree: 2, blob: 3, tag: 4 } as const;

function entryHeader(type: keyof typeof TYPE_CODE, size: number): Buffer {
  const bytes: number[] = [];
  let b = (TYPE_CODE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(b | 0x80);
    b = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(b);
  return Buffer.from(bytes);
}

// Level 1: object ids hash the uncompressed bytes, so only the size changes; `git gc` repacks tighter.
const PACK_DEFLATE = { level: 1 } as const;

/** A pack entry's data: the object's body deflated. */
export function packEntryBody(body: string | Uint8Array): Buffer {
  return deflateSync(body, PACK_DEFLATE);
}

/** `packEntryBody` on libuv's thread pool (the same bytes). */
export function packEntryBodyAsync(body: string | Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => deflate(body, PACK_DEFLATE, (err, out) => (err ? reject(err) : resolve(out))));
}

/** The bytes of a pack holding `objects` (distinct oids) and of its v2 index. Pure. */
export function encodePack(objects: readonly EncodedObject[]): { pack: Buffer; idx: Buffer; name: string } {
  const parts: Uint8Array[] = [];
  const head = Buffer.alloc(12);
  head.write("PACK", 0, "latin1");
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(objects.length, 8);
  parts.push(head);
  let offset = 12;
  const entries: { hex: string; crc: number; offset: number }[] = [];
  const seen = new Set<string>();
  const sum = createHash("sha1").update(head);
  for (const o of objects) {
    if (seen.has(o.oid)) throw new InternalError(`duplicate object ${o.oid} in pack`);
    seen.add(o.oid);
    const h = entryHeader(o.type, typeof o.body === "string" ? Buffer.byteLength(o.body, "utf8") : o.body.length);
    const z = o.packed ?? packEntryBody(o.body);
    entries.push({ hex: o.oid, crc: crc32(z, crc32(h)), offset });
    parts.push(h, z);
    sum.update(h).update(z);
    offset += h.length + z.length;
  }
  if (offset > 0x7fffffff) throw new InternalError("pack too large for a 32-bit index");
  const packSum = sum.digest();
  parts.push(packSum);
  const pack = Buffer.concat(parts, offset + packSum.length);

  // Lowercase hex ids sort exactly as their bytes do.
  entries.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  const n = entries.length;
  // header, fan-out, oids, crc32s, offsets, pack checksum, index checksum
  const idx = Buffer.alloc(8 + 256 * 4 + n * 20 + n * 4 + n * 4 + 20 + 20);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  const fanout = new Array<number>(256).fill(0);
  for (const e of entries) fanout[parseInt(e.hex.slice(0, 2), 16)]!++;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += fanout[i]!;
    idx.writeUInt32BE(acc, 8 + i * 4);
  }
  let p = 8 + 256 * 4;
  for (const e of entries) p += idx.write(e.hex, p, "hex");
  for (const e of entries) p = idx.writeUInt32BE(e.crc >>> 0, p);
  for (const e of entries) p = idx.writeUInt32BE(e.offset, p);
  p += packSum.copy(idx, p);
  const idxSum = createHash("sha1").update(idx.subarray(0, p)).digest();
  idxSum.copy(idx, p);
  return { pack, idx, name: `pack-${packSum.toString("hex")}` };
}

/**
 * Writes `objects` as one pack under `objects/pack/`, durably (see the module comment).
 * Returns the pack's base name. An empty list writes nothing and returns null.
 */
export async function writePack(gitdir: string, objects: readonly EncodedObject[]): Promise<string | null> {
  if (objects.length === 0) return null;
  const { pack, idx, name } = encodePack(objects);
  const dir = join(gitdir, "objects", "pack");
  try {
    await fsp.mkdir(dir, { recursive: true });
    // Both written and fsynced at once; then the pack is renamed into place before its
    // index, which is what makes readers see it, so a visible index has a complete pack.
    const temps = await Promise.allSettled([writeTempFile(join(dir, `${name}.pack`), pack), writeTempFile(join(dir, `${name}.idx`), idx)]);
    const failed = temps.find((t) => t.status === "rejected");
    if (failed) {
      for (const t of temps) if (t.status === "fulfilled") await fsp.unlink(t.value).catch(() => undefined);
      throw failed.reason;
    }
    const [packTmp, idxTmp] = temps.map((t) => (t as PromiseFulfilledResult<string>).value) as [string, string];
    await renameInto(packTmp, join(dir, `${name}.pack`));
    // (Should this fail, the pack stays: invisible without its index, and `git gc` drops it.)
    await renameInto(idxTmp, join(dir, `${name}.idx`));
    await syncDir(dir);
  } catch (e) {
    throw gitWriteFailed.error(join(dir, `${name}.pack`), (e as Error).message);
  }
  return name;
}

/** Looks `oid` up in one v2 pack index (fan-out, then binary search). */
function idxHas(idx: Buffer, oid: Buffer): boolean {
  if (idx.length < 8 + 1024 || idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return false;
  const first = oid[0]!;
  let lo = first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4);
  let hi = idx.readUInt32BE(8 + first * 4);
  const base = 8 + 1024;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(idx.subarray(base + mid * 20, base + mid * 20 + 20), oid);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/**
 * True when the object store holds `oid`: a non-empty loose object, or an entry in a pack
 * index. Cheap (no object is inflated): how refs are checked for pointing at something real.
 */
export async function hasObject(gitdir: string, oid: string): Promise<boolean> {
  try {
    if ((await fsp.stat(join(gitdir, "objects", oid.slice(0, 2), oid.slice(2)))).size > 0) return true;
  } catch {
    /* not loose */
  }
  let names: string[];
  try {
    names = await fsp.readdir(join(gitdir, "objects", "pack"));
  } catch {
    return false;
  }
  const key = Buffer.from(oid, "hex");
  for (const n of names.filter((x) => x.endsWith(".idx")).sort()) {
    const idx = await fsp.readFile(join(gitdir, "objects", "pack", n)).catch(() => null);
    if (idx && idxHas(idx, key)) return true;
  }
  return false;
}
