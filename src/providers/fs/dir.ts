import { chmod, mkdir, rmdir } from "node:fs/promises";
import type { JsonObject } from "../../program/types.js";
import { formatMode, kindOf, lstatOrNull, parseMode } from "./common.js";
import { dirNotEmpty, ioError, wrongKind } from "./errors.js";
import { locate } from "./paths.js";

const TYPE = "fs.dir";

/** fs.dir read: null when absent; path and mode otherwise. */
export async function readDirResource(root: string, attrs: JsonObject): Promise<JsonObject | null> {
  const loc = await locate(root, attrs.path);
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st === null) return null;
  if (!st.isDirectory()) throw wrongKind(loc.rel, "directory", kindOf(st));
  return { path: loc.rel, mode: formatMode(st.mode) };
}

/**
 * fs.dir create and update: makes the directory (and missing parents, with default
 * permissions) and sets its mode; an existing directory is only chmod-ed if needed.
 */
export async function applyDirResource(root: string, attrs: JsonObject): Promise<JsonObject> {
  const loc = await locate(root, attrs.path);
  const mode = parseMode(TYPE, attrs.mode, "0755");
  let st = await lstatOrNull(loc.abs, loc.rel);
  if (st !== null && !st.isDirectory()) throw wrongKind(loc.rel, "directory", kindOf(st));
  try {
    if (st === null) {
      await mkdir(loc.parent, { recursive: true });
      try {
        await mkdir(loc.abs, { mode });
      } catch (err) {
        // Another writer may have made it between lstat and mkdir: fine if it is a directory.
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      st = await lstatOrNull(loc.abs, loc.rel);
      if (st !== null && !st.isDirectory()) throw wrongKind(loc.rel, "directory", kindOf(st));
    }
    // mkdir's mode is filtered by the umask; chmod sets exactly what was asked.
    if (st === null || (st.mode & 0o7777) !== mode) await chmod(loc.abs, mode);
  } catch (err) {
    throw ioError(loc.rel, "create", err);
  }
  const back = await readDirResource(root, attrs);
  if (back === null) throw ioError(loc.rel, "read back", new Error("the directory vanished right after it was made"));
  return back;
}

/**
 * fs.dir delete: removes the directory only when it is empty (contents are other
 * resources' business); succeeds when absent; a non-empty directory is a permanent error.
 */
export async function deleteDirResource(root: string, attrs: JsonObject): Promise<void> {
  const loc = await locate(root, attrs.path);
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st === null) return;
  if (!st.isDirectory()) throw wrongKind(loc.rel, "directory", kindOf(st));
  try {
    await rmdir(loc.abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTEMPTY" || code === "EEXIST") throw dirNotEmpty(loc.rel);
    throw ioError(loc.rel, "delete", err);
  }
}
