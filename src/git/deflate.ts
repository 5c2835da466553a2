/**
 * zlib settings for git objects. Level 1: object ids hash the uncompressed bytes, so only
 * the size changes, and `git gc` repacks tighter. The window and hash table are sized to the
 * input: setting up zlib's defaults (32 KB window, 128 KB hash) costs more than deflating a
 * small record or tree, and a window as long as the input finds every match the default one
 * would. Any zlib reader inflates the result.
 */
import { deflate, deflateSync, type ZlibOptions } from "node:zlib";

const BY_BITS = new Map<number, ZlibOptions>();

/** Options for deflating `length` units (bytes, or a string's length: only a size hint). */
export function deflateOptions(length: number): ZlibOptions {
  // zlib needs the window to cover the input plus its 262-byte lookahead; 9 is its minimum.
  let bits = 9;
  while (bits < 15 && 1 << bits < length + 262) bits++;
  let o = BY_BITS.get(bits);
  if (!o) BY_BITS.set(bits, (o = { level: 1, windowBits: bits, memLevel: Math.max(1, Math.min(8, bits - 7)) }));
  return o;
}

/** Deflates `data` for a git object store (loose file or pack entry). */
export function deflateGit(data: string | Uint8Array): Buffer {
  return deflateSync(data, deflateOptions(data.length));
}

/** `deflateGit` on libuv's thread pool (the same bytes). */
export function deflateGitAsync(data: string | Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => deflate(data, deflateOptions(data.length), (err, out) => (err ? reject(err) : resolve(out))));
}
