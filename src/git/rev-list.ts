import { runGit } from "./cat-file.js";

const OID = /^[0-9a-f]{40}$/;

/**
 * The commits on `to`'s first-parent line that `from` does not reach, newest first, at most
 * `limit` (the commits a branch gained between two tips; `from` null: `to`'s own line). An
 * object the repository lacks (a shallow or partial history) gives what could be listed, or
 * [] — the caller only shows these, nothing depends on them.
 */
export async function firstParentCommits(gitdir: string, from: string | null, to: string, limit: number): Promise<string[]> {
  if (!OID.test(to) || (from !== null && !OID.test(from)) || limit <= 0) return [];
  const args = ["rev-list", "--first-parent", `--max-count=${Math.floor(limit)}`, to];
  if (from !== null) args.push(`^${from}`);
  try {
    const out = (await runGit(gitdir, args)).toString("utf8");
    return out.split("\n").filter((l) => OID.test(l));
  } catch {
    return [];
  }
}
