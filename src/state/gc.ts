/**
 * `lxm state gc`: packs the loose objects that state commits accumulate (about one per
 * changed resource per run) by running `git gc --prune=now --quiet` through the git CLI.
 * Safe at any time no other lxm or git process writes to the repository; see
 * docs/state-branch.md for when to run it.
 */
import { simpleGit } from "simple-git";
import { gitCommandFailed } from "../diag/catalog/runtime.js";

/** Runs `git gc --prune=now --quiet` in `workdir`'s repository; git failing → LXM4112. */
export async function gcState(args: { workdir: string }): Promise<void> {
  try {
    await simpleGit({ baseDir: args.workdir }).raw(["gc", "--prune=now", "--quiet"]);
  } catch (e) {
    throw gitCommandFailed.error("git gc --prune=now --quiet", (e as Error).message.trim());
  }
}
