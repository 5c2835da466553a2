/**
 * What git knows about a working tree: the files tracked in the index under a folder, the
 * untracked files git does not ignore, and the blobs a commit's tree holds under a folder
 * (ids and modes only, no contents). This is how a working-tree run decides which `.lxm`
 * files are the project (git decides, not a naming rule) and which of its inputs differ from
 * the goal commit. Read-only: nothing here writes to the repository or its index.
 *
 * The git CLI answers (its index reading covers every index version and extension); when it
 * cannot be run, isomorphic-git's status matrix does.
 */
import { spawn } from "node:child_process";
import git from "isomorphic-git";
import { gitEnv, lsTreeRecursive } from "./cat-file.js";
import { commonDir } from "./common-dir.js";
import { readCommitInfo, readTreeEntries } from "./repo.js";
import { createSafeFs } from "./safe-fs.js";

/** A file under the folder asked for: its path relative to that folder (posix) and its git mode. */
export interface GitFile {
  readonly path: string;
  /** `100644`, `100755`, `120000` (symlink), `160000` (submodule); "" when unknown (the isomorphic-git fallback). */
  readonly mode: string;
}

/** One blob of a commit's tree: path relative to the folder asked for, mode and blob id. */
export interface TreeBlob extends GitFile {
  readonly oid: string;
}

/** Where to look: the repository (`gitdir`, `workdir`) and a folder inside it ("" for the top). */
export interface WorktreeArgs {
  readonly gitdir: string;
  readonly workdir: string;
  /** Posix path from the top of the working tree; "" (or ".") for the whole tree. */
  readonly subdir: string;
}

function cleanSub(subdir: string): string {
  return subdir
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
}

/** Strips `sub/` from a top-relative path; null when the path is not under `sub`. */
function under(sub: string, top: string): string | null {
  if (sub === "") return top;
  return top.startsWith(sub + "/") ? top.slice(sub.length + 1) : null;
}

function sortByPath<T extends { path: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The files git tracks in the index under `subdir` (the staged set: a new file counts once
 * `git add`ed; a file removed with `git rm` no longer counts, deleted from disk or not),
 * sorted by path, each once (a conflicted file's stages are one entry).
 */
export async function listIndexFiles(args: WorktreeArgs): Promise<GitFile[]> {
  const sub = cleanSub(args.subdir);
  const out = await runGit(args, ["ls-files", "-z", "--stage", "--full-name", ...pathspec(sub)]);
  if (out !== null) {
    const seen = new Map<string, GitFile>();
    // "<mode> SP <oid> SP <stage> TAB <path> NUL"
    for (const record of out.toString("utf8").split("\0")) {
      const tab = record.indexOf("\t");
      if (tab < 0) continue;
      const rel = under(sub, record.slice(tab + 1));
      if (rel !== null && !seen.has(rel)) seen.set(rel, { path: rel, mode: record.slice(0, record.indexOf(" ")) });
    }
    return sortByPath([...seen.values()]);
  }
  const rows = await matrix(args, sub);
  return sortByPath(rows.filter((r) => r.stage !== 0).map((r) => ({ path: r.path, mode: "" })));
}

/** The untracked files under `subdir` that git does not ignore (.gitignore, info/exclude, core.excludesFile), sorted. */
export async function listUntrackedFiles(args: WorktreeArgs): Promise<string[]> {
  const sub = cleanSub(args.subdir);
  const out = await runGit(args, ["ls-files", "-z", "--others", "--exclude-standard", "--full-name", ...pathspec(sub)]);
  if (out !== null) {
    const paths: string[] = [];
    for (const top of out.toString("utf8").split("\0")) {
      const rel = top === "" || top.endsWith("/") ? null : under(sub, top);
      if (rel !== null) paths.push(rel);
    }
    return paths.sort();
  }
  const rows = await matrix(args, sub);
  return rows
    .filter((r) => r.head === 0 && r.stage === 0 && r.workdir !== 0)
    .map((r) => r.path)
    .sort();
}

/**
 * The blobs (files, symlinks) of commit `oid`'s tree under `subdir`, by path relative to it.
 * Submodules are left out. A `subdir` absent at that commit gives an empty map (a project
 * folder not committed yet); a missing or corrupt object → LXM4107.
 */
export async function listTreeBlobs(args: { gitdir: string; oid: string; subdir: string }): Promise<Map<string, TreeBlob>> {
  const gitdir = await commonDir(args.gitdir);
  const sub = cleanSub(args.subdir);
  const info = await readCommitInfo({ gitdir, oid: args.oid });
  const result = new Map<string, TreeBlob>();
  const listed = await lsTreeRecursive(gitdir, info.tree);
  if (listed !== null) {
    for (const e of listed) {
      const rel = e.type === "blob" ? under(sub, e.path) : null;
      if (rel !== null) result.set(rel, { path: rel, mode: e.mode, oid: e.oid });
    }
    return result;
  }
  const fs = createSafeFs();
  const cache = {};
  let tree = info.tree;
  for (const part of sub === "" ? [] : sub.split("/")) {
    const e = (await readTreeEntries(gitdir, tree, fs, cache)).find((x) => x.path === part);
    if (!e || e.type !== "tree") return result;
    tree = e.oid;
  }
  const walk = async (oid: string, prefix: string): Promise<void> => {
    for (const e of await readTreeEntries(gitdir, oid, fs, cache)) {
      const p = prefix === "" ? e.path : `${prefix}/${e.path}`;
      if (e.type === "tree") await walk(e.oid, p);
      else if (e.type === "blob") result.set(p, { path: p, mode: e.mode, oid: e.oid });
    }
  };
  await walk(tree, "");
  return result;
}

// `literal`: a folder name with `*` or `?` is matched as written.
function pathspec(sub: string): string[] {
  return sub === "" ? [] : ["--", `:(top,literal)${sub}`];
}

interface MatrixRow {
  readonly path: string;
  readonly head: number;
  readonly workdir: number;
  readonly stage: number;
}

/** isomorphic-git's status matrix under `sub`, paths relative to it. */
async function matrix(args: WorktreeArgs, sub: string): Promise<MatrixRow[]> {
  const rows = await git.statusMatrix({ fs: createSafeFs(), dir: args.workdir, gitdir: args.gitdir, filepaths: sub === "" ? undefined : [sub] });
  const out: MatrixRow[] = [];
  for (const [p, head, workdir, stage] of rows) {
    const rel = under(sub, p);
    if (rel !== null) out.push({ path: rel, head, workdir, stage });
  }
  return out;
}

/** Runs the git CLI in the working tree; null when it cannot be run or fails. */
function runGit(args: WorktreeArgs, argv: readonly string[]): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const p = spawn("git", ["--git-dir", args.gitdir, "--work-tree", args.workdir, ...argv], {
      cwd: args.workdir,
      stdio: ["ignore", "pipe", "ignore"],
      env: gitEnv(),
    });
    const chunks: Buffer[] = [];
    p.stdout.on("data", (c: Buffer) => chunks.push(c));
    p.on("error", () => resolve(null));
    p.on("close", (code) => resolve(code === 0 ? Buffer.concat(chunks) : null));
  });
}
