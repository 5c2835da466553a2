import fs from "node:fs/promises";
import path from "node:path";
import { gitGc } from "../git/gc.js";
import type { Repo } from "../git/repo.js";
import { acquireApplyLock } from "./apply-lock.js";
import { journalName } from "./recover-journal.js";

/**
 * `lxm state gc`: `git gc` (git's default grace period, never `--prune=now`; see git/gc.ts)
 * while holding the apply lock of `branch` and of every other state branch whose lock file
 * is present, so it never runs beside an apply of this repository: one that holds a lock
 * refuses gc with LXM4214 before git runs. The locks are released when gc ends.
 */
export async function collectGarbage(args: { repo: Repo; branch: string }): Promise<void> {
  const dir = path.join(args.repo.commondir, "lexum");
  const present = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".lock")).map((n) => n.slice(0, -".lock".length));
  const names = [...new Set([journalName(args.branch), ...present])].sort();
  const releases: (() => Promise<void>)[] = [];
  try {
    for (const name of names) releases.push(await acquireApplyLock(args.repo.commondir, name));
    await gitGc(args.repo.gitdir);
  } finally {
    for (const release of releases.reverse()) await release();
  }
}
