/**
 * Many objects read at once through `git cat-file --batch`: one process, native zlib and
 * pack access, where isomorphic-git pays per object for a loose-file probe, a pack slice
 * inflated in JavaScript and a WebCrypto SHA-1. Every object is still checked against its
 * id here (SHA-1 of git's header and the bytes), so a tampered object is caught exactly as
 * before.
 *
 * Returns null when the git CLI cannot be run (not installed), fails (a corrupt pack, say)
 * or does not find an object: callers then read through isomorphic-git, as without this
 * module, and its error names the object at fault.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { gitObjectUnreadable } from "../diag/catalog/runtime.js";

/** The contents of `oids` (all of type `type`), in order; null when the git CLI is unavailable. */
export async function catFileBatch(gitdir: string, oids: readonly string[], type: "blob" | "tree" | "commit"): Promise<Uint8Array[] | null> {
  if (oids.length === 0) return [];
  let out: Buffer;
  try {
    out = await run(gitdir, oids.join("\n") + "\n");
  } catch {
    return null;
  }
  // Each answer: "<oid> <type> <size>\n<bytes>\n", or "<oid> missing\n".
  const result: Uint8Array[] = new Array(oids.length);
  let at = 0;
  for (let i = 0; i < oids.length; i++) {
    const oid = oids[i]!;
    const nl = out.indexOf(10, at);
    if (nl < 0) throw gitObjectUnreadable.error(oid, "git cat-file --batch ended early");
    const [got, kind, sizeText] = out.toString("latin1", at, nl).split(" ");
    // git not finding an object that isomorphic-git may (another object store configured for
    // git, say): isomorphic-git reads the batch and has the last word.
    if (kind === "missing") return null;
    if (got !== oid || sizeText === undefined) throw gitObjectUnreadable.error(oid, "unexpected answer from git cat-file");
    if (kind !== type) throw gitObjectUnreadable.error(oid, `is a ${kind}, not a ${type}`);
    const size = Number(sizeText);
    const body = out.subarray(nl + 1, nl + 1 + size);
    if (body.length !== size) throw gitObjectUnreadable.error(oid, "git cat-file --batch ended early");
    const sum = createHash("sha1").update(`${kind} ${size}\0`).update(body).digest("hex");
    if (sum !== oid) throw gitObjectUnreadable.error(oid, `its content hashes to ${sum}`);
    result[i] = new Uint8Array(body.buffer, body.byteOffset, body.length); // plain bytes, as isomorphic-git gives
    at = nl + 1 + size + 1;
  }
  return result;
}

/** Variables that would point git at other objects or another repository than `--git-dir`. */
const REDIRECTS = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_INDEX_FILE", "GIT_NAMESPACE"];

/** The environment for a git CLI child: no pager, no lazy fetch, none of the variables that would redirect it. */
export function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_PAGER: "cat", GIT_NO_LAZY_FETCH: "1" };
  for (const k of REDIRECTS) delete env[k];
  return env;
}

/** One entry of a recursive tree listing: a blob (file) or a subtree, with its path from the root. */
export interface ListedEntry {
  readonly mode: string;
  readonly type: "blob" | "tree" | "commit";
  readonly oid: string;
  readonly path: string;
}

/**
 * Every entry under tree `treeOid`, subtrees included, through one `git ls-tree -r -t -z`
 * (isomorphic-git reads each subtree as one more object). Null when the git CLI cannot be
 * run or fails: callers then walk the tree through isomorphic-git.
 */
export async function lsTreeRecursive(gitdir: string, treeOid: string): Promise<ListedEntry[] | null> {
  let out: Buffer;
  try {
    out = await run(gitdir, "", ["ls-tree", "-r", "-t", "-z", treeOid]);
  } catch {
    return null;
  }
  // "<mode> SP <type> SP <oid> TAB <path> NUL", paths unquoted with -z.
  const entries: ListedEntry[] = [];
  for (const record of out.toString("utf8").split("\0")) {
    if (record === "") continue;
    const tab = record.indexOf("\t");
    const [mode, type, oid] = record.slice(0, tab).split(" ");
    const path = record.slice(tab + 1);
    if (tab < 0 || !mode || !oid || (type !== "blob" && type !== "tree" && type !== "commit")) return null; // not git's format: let isomorphic-git say what is wrong
    entries.push({ mode, type, oid, path });
  }
  return entries;
}

/**
 * Runs `git --git-dir <gitdir> --no-replace-objects <args>` with `input` on stdin (no
 * repository discovery, no pager, no environment redirections); resolves with stdout,
 * rejects with git's stderr when it exits non-zero or cannot be started.
 */
export function runGit(gitdir: string, args: readonly string[], input = ""): Promise<Buffer> {
  return run(gitdir, input, args);
}

function run(gitdir: string, input: string, args: readonly string[] = ["cat-file", "--batch"]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // No repository discovery, no pager, no replacement objects: exactly the objects named.
    const p = spawn("git", ["--git-dir", gitdir, "--no-replace-objects", ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: gitEnv(),
    });
    const chunks: Buffer[] = [];
    const errs: Buffer[] = [];
    p.stdout.on("data", (c: Buffer) => chunks.push(c));
    p.stderr.on("data", (c: Buffer) => errs.push(c));
    p.on("error", reject);
    p.stdin.on("error", () => undefined); // git exiting early surfaces through "close"
    p.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(Buffer.concat(errs).toString("utf8").trim() || `exit code ${code}`));
    });
    p.stdin.end(input);
  });
}
