import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, unlink } from "node:fs/promises";
import type { JsonObject } from "../../program/types.js";
import { writeFileAtomic } from "./atomic.js";
import type { TempSweeper } from "./atomic.js";
import { formatMode, kindOf, lstatOrNull, parseMode, stringAttr } from "./common.js";
import { ioError, wrongKind } from "./errors.js";
import { locate } from "./paths.js";

const TYPE = "fs.file";

/** fs.file read: null when absent; path, content, mode and the computed size and sha256 otherwise. */
export async function readFileResource(root: string, attrs: JsonObject): Promise<JsonObject | null> {
  const loc = await locate(root, attrs.path);
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st === null) return null;
  if (!st.isFile()) throw wrongKind(loc.rel, "file", kindOf(st));
  let bytes: Buffer;
  try {
    bytes = await readFile(loc.abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw ioError(loc.rel, "read", err);
  }
  return {
    path: loc.rel,
    content: bytes.toString("utf8"),
    mode: formatMode(st.mode),
    size: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

/**
 * fs.file create and update: converges the file to `attrs` (missing parents created,
 * content written atomically, mode applied) and returns it as read back. An existing
 * identical file is left untouched (no rewrite, mtime kept), so retries are free.
 */
export async function applyFileResource(root: string, attrs: JsonObject, sweeper?: TempSweeper): Promise<JsonObject> {
  const loc = await locate(root, attrs.path);
  const content = Buffer.from(stringAttr(TYPE, attrs, "content", ""), "utf8");
  const mode = parseMode(TYPE, attrs.mode, "0644");
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st !== null && !st.isFile()) throw wrongKind(loc.rel, "file", kindOf(st));
  try {
    let same = false;
    if (st !== null && st.size === content.length) {
      same = (await readFile(loc.abs)).equals(content);
    }
    if (!same) {
      await mkdir(loc.parent, { recursive: true });
      await sweeper?.sweep(loc.parent);
      await writeFileAtomic(loc.abs, content, mode);
    } else if ((st!.mode & 0o7777) !== mode) {
      await chmod(loc.abs, mode);
    }
  } catch (err) {
    throw ioError(loc.rel, "write", err);
  }
  const back = await readFileResource(root, attrs);
  if (back === null) throw ioError(loc.rel, "read back", new Error("the file vanished right after it was written"));
  return back;
}

/** fs.file delete: removes the file; succeeds when it is absent; refuses another kind. */
export async function deleteFileResource(root: string, attrs: JsonObject): Promise<void> {
  const loc = await locate(root, attrs.path);
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st === null) return;
  if (!st.isFile()) throw wrongKind(loc.rel, "file", kindOf(st));
  try {
    await unlink(loc.abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw ioError(loc.rel, "delete", err);
  }
}
