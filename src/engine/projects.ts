import { readdirSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { LexumError } from "../diag/diagnostic.js";
import { findRepo } from "../git/repo.js";
import { listIndexFiles, listUntrackedFiles } from "../git/worktree.js";
import { discoverProjects } from "../lang/project.js";

/**
 * The projects under a folder (discoverProjects): from the files git tracks or would track
 * there (as plan reads a project), or every file below it outside a repository. Paths
 * relative to the folder, "" for the folder itself, sorted.
 */
export async function findProjects(dir: string): Promise<string[]> {
  const abs = path.resolve(dir);
  // Not a folder: no project (the command says what is missing).
  if (!(await stat(abs).catch(() => null))?.isDirectory()) return [];
  let repo;
  try {
    repo = await findRepo(abs);
  } catch (e) {
    if (!(e instanceof LexumError)) throw e;
    return discoverProjects(walk(abs));
  }
  const subdir = path.relative(await realpath(repo.workdir), await realpath(abs)).split(path.sep).join("/");
  const args = { gitdir: repo.gitdir, workdir: repo.workdir, subdir };
  const [index, untracked] = await Promise.all([listIndexFiles(args), listUntrackedFiles(args)]);
  return discoverProjects([...index.map((f) => f.path), ...untracked]);
}

/** Every `.lxm` file and lexum.yaml below `dir` (node_modules and dot-folders skipped). */
function walk(dir: string, rel = "", out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(rel === "" ? dir : path.join(dir, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && !e.name.startsWith(".")) walk(dir, p, out);
    } else if (e.name.endsWith(".lxm") || e.name === "lexum.yaml") out.push(p);
  }
  return out;
}
