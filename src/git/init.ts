import fs, { promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";
import git from "isomorphic-git";
import { gitWriteFailed } from "../diag/catalog/runtime.js";
import { hasObject } from "./pack.js";
import { createSafeFs } from "./safe-fs.js";

/**
 * Creates a git repository at `dir` (default branch main), or leaves the one there alone.
 * Crash-safe: it is made in a temporary folder beside `dir` and renamed into place, so a
 * killed creation leaves either nothing at `dir` or a whole repository (a leftover temporary
 * folder is removed by the next call). `bare: false` makes `dir/.git` with an empty work tree.
 */
export async function initRepo(dir: string, opts: { readonly bare: boolean }): Promise<void> {
  const marker = opts.bare ? join(dir, "HEAD") : join(dir, ".git", "HEAD");
  if (fs.existsSync(marker)) return;
  const parent = dirname(dir);
  await fsp.mkdir(parent, { recursive: true });
  for (const name of await fsp.readdir(parent)) {
    if (name.startsWith(`${basename(dir)}.init-`)) await fsp.rm(join(parent, name), { recursive: true, force: true });
  }
  const tmp = join(parent, `${basename(dir)}.init-${process.pid}`);
  try {
    await git.init({ fs, dir: tmp, bare: opts.bare, defaultBranch: "main" });
    // A folder left at `dir` without a repository (a work tree made by hand, or empty) is not
    // replaced: only an absent one is.
    await fsp.rename(tmp, dir);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    if (fs.existsSync(marker)) return; // another creator won the rename
    throw gitWriteFailed.error(dir, e instanceof Error ? e.message : String(e));
  }
}

/** True when `ancestor` is `descendant` or reachable from it; false when either commit is missing. */
export async function isAncestor(gitdir: string, ancestor: string, descendant: string): Promise<boolean> {
  if (ancestor === descendant) return true;
  if (!(await hasObject(gitdir, ancestor)) || !(await hasObject(gitdir, descendant))) return false;
  return git.isDescendent({ fs: createSafeFs(), gitdir, oid: descendant, ancestor, depth: -1 });
}
