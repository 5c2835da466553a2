/**
 * `git gc` through the git CLI, for `lxm state gc`: packs the loose objects that state commits
 * accumulate (about one per changed resource per run) and the packs of large first runs.
 * Never with `--prune=now`: git's grace period (`gc.pruneExpire`, two weeks by default) keeps
 * young unreachable objects, which is what protects the objects another process has written
 * but not yet pointed a ref at (an apply on another state branch, a `git commit` under way).
 */
import { gitCommandFailed } from "../diag/catalog/runtime.js";
import { runGit } from "./cat-file.js";

/** Runs `git gc --quiet` on the repository of `gitdir` (a worktree's gitdir works too); git failing → LXM4112. */
export async function gitGc(gitdir: string): Promise<void> {
  try {
    await runGit(gitdir, ["gc", "--quiet"]);
  } catch (e) {
    throw gitCommandFailed.error("git gc --quiet", (e as Error).message.trim());
  }
}
