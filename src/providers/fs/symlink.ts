import { mkdir, readlink, unlink } from "node:fs/promises";
import type { JsonObject } from "../../program/types.js";
import { symlinkAtomic } from "./atomic.js";
import type { TempSweeper } from "./atomic.js";
import { kindOf, lstatOrNull, stringAttr } from "./common.js";
import { badAttr, ioError, wrongKind } from "./errors.js";
import { locate } from "./paths.js";

const TYPE = "fs.symlink";

/** fs.symlink read: null when absent; path and the link's target, verbatim, otherwise. */
export async function readSymlinkResource(root: string, attrs: JsonObject): Promise<JsonObject | null> {
  const loc = await locate(root, attrs.path);
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st === null) return null;
  if (!st.isSymbolicLink()) throw wrongKind(loc.rel, "symlink", kindOf(st));
  try {
    return { path: loc.rel, target: await readlink(loc.abs) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw ioError(loc.rel, "read", err);
  }
}

/**
 * fs.symlink create and update: makes the link (missing parents created) or swaps an
 * existing link to the new target atomically. The target is stored as written and never
 * followed by Lexum, so it may point anywhere; only the link itself must be inside the root.
 */
export async function applySymlinkResource(root: string, attrs: JsonObject, sweeper?: TempSweeper): Promise<JsonObject> {
  const loc = await locate(root, attrs.path);
  const target = stringAttr(TYPE, attrs, "target");
  if (target.length === 0 || target.includes("\0")) throw badAttr(TYPE, "target", "must be a non-empty string without NUL bytes");
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st !== null && !st.isSymbolicLink()) throw wrongKind(loc.rel, "symlink", kindOf(st));
  try {
    const current = st === null ? null : await readlink(loc.abs);
    if (current !== target) {
      await mkdir(loc.parent, { recursive: true });
      await sweeper?.sweep(loc.parent);
      await symlinkAtomic(target, loc.abs);
    }
  } catch (err) {
    throw ioError(loc.rel, "create", err);
  }
  const back = await readSymlinkResource(root, attrs);
  if (back === null) throw ioError(loc.rel, "read back", new Error("the link vanished right after it was made"));
  return back;
}

/** fs.symlink delete: removes the link itself (never its target); succeeds when absent. */
export async function deleteSymlinkResource(root: string, attrs: JsonObject): Promise<void> {
  const loc = await locate(root, attrs.path);
  const st = await lstatOrNull(loc.abs, loc.rel);
  if (st === null) return;
  if (!st.isSymbolicLink()) throw wrongKind(loc.rel, "symlink", kindOf(st));
  try {
    await unlink(loc.abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw ioError(loc.rel, "delete", err);
  }
}
