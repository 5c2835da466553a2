/**
 * A linked worktree's gitdir (`.git/worktrees/<name>`) holds only HEAD and the index; objects
 * and refs live in the common dir named by its `commondir` file. Every function that reads or
 * writes objects or refs resolves through here, so callers can pass either directory.
 */
import { promises as fsp } from "node:fs";
import { resolve } from "node:path";

/**
 * Answers by git directory: whether a directory is a linked worktree's does not change
 * while it exists, and an apply asks about a dozen times (each a failed file read).
 */
const known = new Map<string, string>();

/** The directory holding objects/ and refs/ for `gitdir` (itself for a main repository). */
export async function commonDir(gitdir: string): Promise<string> {
  const hit = known.get(gitdir);
  if (hit !== undefined) return hit;
  let text: string | null = null;
  try {
    text = await fsp.readFile(resolve(gitdir, "commondir"), "utf8");
  } catch (e) {
    // Only a missing file says "main repository"; anything else is asked again next time.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") return gitdir;
  }
  const dir = text === null ? gitdir : resolve(gitdir, text.trim());
  if (known.size > 1000) known.clear(); // a long-lived agent over many repositories: stay small
  known.set(gitdir, dir);
  return dir;
}
