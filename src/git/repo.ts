/**
 * Finding the repository and reading commits as they were committed: revisions, commit
 * metadata, and the files of a commit's tree (how `lxm plan --rev REV` compiles the goal
 * commit, not the working tree). Read-only: nothing here writes to the repository.
 */
import { promises as fsp } from "node:fs";
import { dirname, join, resolve } from "node:path";
import git from "isomorphic-git";
import { InternalError } from "../diag/diagnostic.js";
import {
  ambiguousRevision,
  noSuchPathAtRev,
  notAGitRepository,
  unknownRevision,
} from "../diag/catalog/runtime.js";
import { commonDir } from "./common-dir.js";
import { objectUnreadable } from "./missing-object.js";
import { checkRepoFormat } from "./repo-format.js";
import { isValidRefName, readRef, readRefValue } from "./refs.js";
import { createSafeFs } from "./safe-fs.js";

/** Where a repository lives. `gitdir` holds HEAD (a worktree's own dir for linked worktrees). */
export interface Repo {
  /** The top of the working tree. */
  readonly workdir: string;
  /** The git directory: `<workdir>/.git`, or a linked worktree's `.git/worktrees/<name>`. */
  readonly gitdir: string;
  /** Where objects and refs live (equals `gitdir` except in linked worktrees). */
  readonly commondir: string;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Walks up from `startDir` to the nearest directory with a `.git` (a directory, or a file
 * `gitdir: <path>` as in linked worktrees and submodules). Not inside a repository →
 * LexumError LXM4100 with a `git init` hint. A repository whose format Lexum does not
 * implement (SHA-256, reftable, an unknown extension: see repo-format.ts) → LXM4120, before
 * anything else is read.
 */
export async function findRepo(startDir: string): Promise<Repo> {
  const repo = await locateRepo(startDir);
  await checkRepoFormat(repo.commondir);
  return repo;
}

async function locateRepo(startDir: string): Promise<Repo> {
  let dir = resolve(startDir);
  for (;;) {
    const dotgit = join(dir, ".git");
    let st;
    try {
      st = await fsp.stat(dotgit);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      return { workdir: dir, gitdir: dotgit, commondir: await commonDir(dotgit) };
    }
    if (st?.isFile()) {
      const text = await fsp.readFile(dotgit, "utf8");
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(text);
      if (m && (await isDir(resolve(dir, m[1]!)))) {
        const gitdir = resolve(dir, m[1]!);
        return { workdir: dir, gitdir, commondir: await commonDir(gitdir) };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw notAGitRepository.error(resolve(startDir));
    dir = parent;
  }
}

const HEX = /^[0-9a-f]{4,40}$/;

async function resolveHead(gitdir: string): Promise<string | null> {
  let text: string;
  try {
    text = (await fsp.readFile(join(gitdir, "HEAD"), "utf8")).trim();
  } catch {
    return null;
  }
  if (text.startsWith("ref:")) return readRef({ gitdir, ref: text.slice(4).trim() });
  return /^[0-9a-f]{40}$/.test(text) ? text : null;
}

/** Peels tags until a commit; null when the object is not (or does not lead to) a commit. */
async function peelToCommit(gitdir: string, oid: string): Promise<string | null> {
  const fs = createSafeFs();
  for (let i = 0; i < 16; i++) {
    let type: string;
    let object: unknown;
    try {
      ({ type, object } = await git.readObject({ fs, gitdir, oid, format: "parsed" }));
    } catch {
      return null;
    }
    if (type === "commit") return oid;
    if (type !== "tag") return null;
    oid = (object as { object: string }).object;
  }
  return null;
}

async function resolveBase(gitdir: string, rev: string): Promise<string | null> {
  const common = await commonDir(gitdir);
  if (rev === "HEAD") return resolveHead(gitdir);
  // git's lookup order for a name (gitrevisions(7)).
  const candidates = rev.startsWith("refs/")
    ? [rev]
    : [`refs/${rev}`, `refs/tags/${rev}`, `refs/heads/${rev}`, `refs/remotes/${rev}`, `refs/remotes/${rev}/HEAD`];
  for (const ref of candidates) {
    // A name git could not hold as a ref (`..`, `a//b`, a control character) names none.
    if (!isValidRefName(ref)) continue;
    const oid = await readRefValue(common, ref);
    if (oid !== null) return oid;
  }
  if (HEX.test(rev)) {
    if (rev.length === 40) return rev;
    const matches = await expandShort(common, rev);
    if (matches.length > 1) throw ambiguousRevision.error(rev, matches.length);
    return matches[0] ?? null;
  }
  return null;
}

async function expandShort(gitdir: string, prefix: string): Promise<string[]> {
  const found = new Set<string>();
  try {
    const names = await fsp.readdir(join(gitdir, "objects", prefix.slice(0, 2)));
    for (const n of names) if ((prefix.slice(0, 2) + n).startsWith(prefix) && n.length === 38) found.add(prefix.slice(0, 2) + n);
  } catch {
    /* no such fan-out directory */
  }
  try {
    const oid = await git.expandOid({ fs: createSafeFs(), gitdir, oid: prefix });
    found.add(oid);
  } catch (e) {
    if ((e as { code?: string }).code === "AmbiguousError") found.add("ambiguous-" + prefix);
  }
  return [...found].sort();
}

/**
 * Resolves a revision to a commit id: `HEAD`, a branch, tag (peeled), remote branch, full
 * or short (≥ 4 hex) commit id, each optionally followed by `~N` or `^` (first parent).
 * Unknown → LXM4104; ambiguous short id → LXM4105.
 */
export async function resolveRev(args: { gitdir: string; rev: string }): Promise<string> {
  const { gitdir, rev } = args;
  const m = /^(.*?)((?:~\d*|\^1?)*)$/.exec(rev);
  const base = m?.[1] ?? rev;
  const suffix = m?.[2] ?? "";
  if (base === "") throw unknownRevision.error(rev);
  const baseOid = await resolveBase(gitdir, base);
  const common = await commonDir(gitdir);
  let oid = baseOid === null ? null : await peelToCommit(common, baseOid);
  if (oid === null) throw unknownRevision.error(rev);
  let steps = 0;
  for (const op of suffix.match(/~\d*|\^1?/g) ?? []) steps += op.startsWith("~") ? (op.length > 1 ? Number(op.slice(1)) : 1) : 1;
  for (let i = 0; i < steps; i++) {
    const info = await readCommitInfo({ gitdir: common, oid });
    const parent = info.parents[0];
    if (parent === undefined) throw unknownRevision.error(rev);
    oid = parent;
  }
  return oid;
}

/** The commit HEAD points at, or null on an unborn branch (a fresh `git init`). */
export async function headCommit(args: { gitdir: string }): Promise<string | null> {
  return resolveHead(args.gitdir);
}

/** A commit's metadata. `tzOffsetMinutes` is minutes EAST of UTC (git's "+0200" = 120). */
export interface CommitInfo {
  readonly oid: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly author: { name: string; email: string };
  readonly time: { seconds: number; tzOffsetMinutes: number };
}

/**
 * Why isomorphic-git could not read an object, in a few words for a Lexum message: never its
 * "please report this error to that application's developers" text (a damaged repository is
 * not a bug to report). Missing → "not in the object store"; wrong type → what it is;
 * anything else → the underlying cause, one line.
 */
export function gitErrorCause(e: unknown): string {
  const err = e as { code?: string; message?: string; data?: { what?: string; actual?: string; expected?: string; message?: string } };
  switch (err?.code) {
    case "NotFoundError":
      return "not in the object store (missing)";
    case "ObjectTypeError":
      return err.data?.actual && err.data.expected ? `it is a ${err.data.actual}, not a ${err.data.expected}` : "an object of the wrong type";
    case "InternalError":
      return `corrupt or unreadable${err.data?.message ? ` (${firstLine(err.data.message)})` : ""}`;
  }
  const message = firstLine(err?.message ?? String(e));
  return /report this error|isomorphic-git/i.test(message) ? "corrupt or unreadable" : message;
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim() !== "") ?? s).trim();
}

/** Reads a commit; a missing or non-commit object → LXM4107. Pass one `cache` across calls to parse pack indexes once. */
export async function readCommitInfo(args: { gitdir: string; oid: string; cache?: object }): Promise<CommitInfo> {
  const gitdir = await commonDir(args.gitdir);
  let c;
  try {
    c = (await git.readCommit({ fs: createSafeFs(), gitdir, oid: args.oid, cache: args.cache ?? {} })).commit;
  } catch (e) {
    throw await objectUnreadable(gitdir, args.oid, gitErrorCause(e));
  }
  // isomorphic-git reports offsets like Date#getTimezoneOffset (minutes WEST); `|| 0` avoids -0.
  return {
    oid: args.oid,
    tree: c.tree,
    parents: c.parent,
    message: c.message,
    author: { name: c.author.name, email: c.author.email },
    time: { seconds: c.committer.timestamp, tzOffsetMinutes: -c.committer.timezoneOffset || 0 },
  };
}

/** One file of a commit's tree, its path relative to the requested subdirectory. */
export interface TreeFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * The regular files under `subdir` ("" or "." for the whole tree) of commit `oid` whose names
 * end in `suffix`, exactly as committed, sorted by path (plain code-unit order). Symlinks and
 * submodules are skipped. `subdir` missing at that commit → LXM4108.
 */
export async function readTreeFiles(args: { gitdir: string; oid: string; subdir?: string; suffix?: string }): Promise<TreeFile[]> {
  const gitdir = await commonDir(args.gitdir);
  const fs = createSafeFs();
  const cache = {};
  const info = await readCommitInfo({ gitdir, oid: args.oid });
  const sub = (args.subdir ?? "").split("/").filter((p) => p !== "" && p !== ".");
  let treeOid = info.tree;
  for (let i = 0; i < sub.length; i++) {
    const entries = await readTreeEntries(gitdir, treeOid, fs, cache);
    const e = entries.find((x) => x.path === sub[i]);
    if (!e || e.type !== "tree") throw noSuchPathAtRev.error(sub.slice(0, i + 1).join("/"), args.oid.slice(0, 12));
    treeOid = e.oid;
  }
  const suffix = args.suffix ?? "";
  const files: { path: string; oid: string }[] = [];
  const walk = async (oid: string, prefix: string): Promise<void> => {
    for (const e of await readTreeEntries(gitdir, oid, fs, cache)) {
      const path = prefix === "" ? e.path : `${prefix}/${e.path}`;
      if (e.type === "tree") await walk(e.oid, path);
      else if (e.type === "blob" && e.mode !== "120000" && path.endsWith(suffix)) files.push({ path, oid: e.oid });
    }
  };
  await walk(treeOid, "");
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out: TreeFile[] = [];
  for (const f of files) {
    try {
      const { blob } = await git.readBlob({ fs, gitdir, oid: f.oid, cache });
      out.push({ path: f.path, bytes: blob });
    } catch (e) {
      throw await objectUnreadable(gitdir, f.oid, gitErrorCause(e));
    }
  }
  return out;
}

/** The entries of one tree object; a missing or corrupt tree → LXM4107. */
export async function readTreeEntries(
  gitdir: string,
  oid: string,
  fs = createSafeFs(),
  cache: object = {},
): Promise<{ mode: string; path: string; oid: string; type: "blob" | "tree" | "commit" }[]> {
  try {
    const { tree } = await git.readTree({ fs, gitdir, oid, cache });
    return tree.map((e) => ({ mode: e.mode, path: e.path, oid: e.oid, type: e.type as "blob" | "tree" | "commit" }));
  } catch (e) {
    if (e instanceof InternalError) throw e;
    throw await objectUnreadable(await commonDir(gitdir), oid, gitErrorCause(e));
  }
}
