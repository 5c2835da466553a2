/**
 * A linked worktree's gitdir (`.git/worktrees/<name>`) holds only HEAD and the index; objects
 * and refs live in the common dir named by its `commondir` file. Every function that reads or
 * writes objects or refs resolves through here, so callers can pass either directory.
 */
import { promises as fsp } from "node:fs";
import { resolve } from "node:path";

/** The directory holding objects/ and refs/ for `gitdir` (itself for a main repository). */
export async function commonDir(gitdir: string): Promise<string> {
  let text: string;
  try {
    text = await fsp.readFile(resolve(gitdir, "commondir"), "utf8");
  } catch {
    return gitdir;
  }
  return resolve(gitdir, text.trim());
}
