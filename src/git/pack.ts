/**
 * Writing many objects at once as one packfile (+ its v2 index) instead of thousands of loose
 * files: one fsync per file instead of one per object. Crash-safe: the pack and the
 * index are each written to a temp file, fsynced and renamed; the index (which is what makes
 * git and isomorphic-git see the pack) is renamed last, so a crash leaves either no visible
 * pack or a complete one. Git and isomorphic-git both read these packs; `git gc` repacks them.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { deflateGit } from "./deflate.js";
import { InternalError } from "../diag/diagnostic.js";
import { gitWriteFailed } from "../diag/catalog/runtime.js";
import type { EncodedObject } from "./objects.js";
import { renameInto, syncDir, writeTempFile } from "./safe-fs.js";
import { alternateDirs } from "./alternates.js";

const TYPE_CODE = { commit: 1, tree: 2, blob: 3, tag: 4 } as const;

/** Bytes of a pack entry's header: type and size, 4 bits then 7 per byte, low bits first. */
function entryHeaderLength(size: number): number {
  let n = 1;
  for (let rest = Math.floor(size / 16); rest > 0; rest = Math.floor(rest / 128)) n++;
  return n;
}

/** Writes the entry header at `at` in `out`; returns the offset after it. */
function writeEntryHeader(out: Buffer, at: number, type: keyof typeof TYPE_CODE, size: number): number {
  let b = (TYPE_CODE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    out[at++] = b | 0x80;
    b = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  out[at++] = b;
  return at;
}

/** The bytes of a pack holding `objects` (distinct oids) and of its v2 index. Pure. */
export function encodePack(objects: readonly EncodedObject[]): { pack: Buffer; idx: Buffer; name: string } {
  // Two passes over the objects and one buffer: sizes first, then headers and deflated
  // bodies written in place, and the checksum and CRCs taken over the finished bytes (one
  // native call each, not several per object: this runs once, after the run, unoptimised).
  const seen = new Set<string>();
  const sizes = new Array<number>(objects.length);
  const bodies = new Array<Uint8Array>(objects.length);
  let total = 12;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    if (seen.has(o.oid)) throw new InternalError(`duplicate object ${o.oid} in pack`);
    seen.add(o.oid);
    const size = typeof o.body === "string" ? Buffer.byteLength(o.body, "utf8") : o.body.length;
    const z = o.packed ?? deflateGit(o.body); // a pack entry's data: the body deflated
    sizes[i] = size;
    bodies[i] = z;
    total += entryHeaderLength(size) + z.length;
  }
  if (total > 0x7fffffff) throw new InternalError("pack too large for a 32-bit index");
  const pack = Buffer.allocUnsafe(total + 20);
  pack.write("PACK", 0, "latin1");
  pack.writeUInt32BE(2, 4);
  pack.writeUInt32BE(objects.length, 8);
  const entries: { hex: string; crc: number; offset: number }[] = new Array(objects.length);
  let offset = 12;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const z = bodies[i]!;
    const end = writeEntryHeader(pack, offset, o.type, sizes[i]!);
    pack.set(z, end);
    entries[i] = { hex: o.oid, crc: crc32(pack.subarray(offset, end + z.length)), offset };
    offset = end + z.length;
  }
  const packSum = createHash("sha1").update(pack.subarray(0, total)).digest();
  packSum.copy(pack, total);

  // Lowercase hex ids sort exactly as their bytes do.
  entries.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  const n = entries.length;
  // header, fan-out, oids, crc32s, offsets, pack checksum, index checksum
  const idx = Buffer.alloc(8 + 256 * 4 + n * 20 + n * 4 + n * 4 + 20 + 20);
  const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  view.setUint32(0, 0xff744f63);
  view.setUint32(4, 2);
  const fanout = new Uint32Array(256);
  for (const e of entries) fanout[parseInt(e.hex.slice(0, 2), 16)]!++;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += fanout[i]!;
    view.setUint32(8 + i * 4, acc);
  }
  let p = 8 + 256 * 4;
  for (const e of entries) p += idx.write(e.hex, p, "hex");
  for (const e of entries) {
    view.setUint32(p, e.crc >>> 0);
    p += 4;
  }
  for (const e of entries) {
    view.setUint32(p, e.offset);
    p += 4;
  }
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
 * index, in `<gitdir>/objects` or one of its alternates (objects/info/alternates). Cheap (no
 * object is inflated): how refs are checked for pointing at something real.
 */
export async function hasObject(gitdir: string, oid: string): Promise<boolean> {
  const own = join(gitdir, "objects");
  if (await storeHas(own, oid)) return true;
  for (const alt of await alternateDirs(own)) if (alt.present && (await storeHas(alt.path, oid))) return true;
  return false;
}

/** `hasObject` for one object directory. */
async function storeHas(objects: string, oid: string): Promise<boolean> {
  try {
    if ((await fsp.stat(join(objects, oid.slice(0, 2), oid.slice(2)))).size > 0) return true;
  } catch {
    /* not loose */
  }
  let names: string[];
  try {
    names = await fsp.readdir(join(objects, "pack"));
  } catch {
    return false;
  }
  const key = Buffer.from(oid, "hex");
  for (const n of names.filter((x) => x.endsWith(".idx")).sort()) {
    const idx = await fsp.readFile(join(objects, "pack", n)).catch(() => null);
    if (idx && idxHas(idx, key)) return true;
  }
  return false;
}
