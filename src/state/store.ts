/**
 * The state branch's low-level store: one commit per run, written with git plumbing (no
 * working tree, no index, HEAD untouched), crash-safe and deterministic.
 *
 * - Objects: blobs and trees are hashed in memory first; only objects not already in the
 *   previous snapshot (or on disk) are written — a few as loose objects, 16 in flight, many
 *   as one pack — each complete before it is visible (temp + fsync + rename, see
 *   git/objects.ts and git/pack.ts).
 * - The commit's author and committer are a fixed identity and the given time, so identical
 *   inputs (files, message, time, parent) give the identical commit id in any repository.
 * - The branch moves last, by compare-and-swap under `<ref>.lock` (git/refs.ts): a crash at
 *   any point leaves it at its previous complete commit.
 *
 * The snapshot's semantic content (what the files say) is defined elsewhere (state/snapshot).
 */
import git from "isomorphic-git";
import { InternalError } from "../diag/diagnostic.js";
import { gitObjectUnreadable, stateBranchMoved, unknownRevision } from "../diag/catalog/runtime.js";
import { commonDir } from "../git/common-dir.js";
import { encodeCommit, encodeObject, encodeTree, PACK_THRESHOLD, writeObjects, type EncodedObject, type TreeEntryIn } from "../git/objects.js";
import { deflateGitAsync } from "../git/deflate.js";
import { catFileBatch, lsTreeRecursive } from "../git/cat-file.js";
import { assertRefUnlocked, branchRef, readRef, updateRefCAS } from "../git/refs.js";
import { gitErrorCause, readCommitInfo, readTreeEntries, resolveRev } from "../git/repo.js";
import { createSafeFs } from "../git/safe-fs.js";

/** Files at least this long that were not prepared are deflated on the thread pool during the commit. */
const THREAD_POOL_DEFLATE = 64 * 1024;

/** The default state branch. */
export const DEFAULT_STATE_BRANCH = "lexum/state";

/** The identity state commits are made with unless another is given. */
export const DEFAULT_IDENTITY = { name: "Lexum", email: "lexum@localhost" } as const;

/** One file of a state commit: a `/`-separated relative path and its content (strings as UTF-8). */
export interface StateFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** Commit time: the goal commit's time, never the clock. `tzOffsetMinutes` is minutes east of UTC. */
export interface CommitTime {
  readonly seconds: number;
  readonly tzOffsetMinutes: number;
}

/** A file's blob computed ahead (state/prepare.ts): its id and pack entry bytes, for exactly `content`. */
export interface PreparedBlob {
  readonly content: string;
  readonly oid: string;
  readonly packed: Uint8Array;
}

interface DirNode {
  readonly dirs: Map<string, DirNode>;
  readonly files: Map<string, string>; // name → blob oid
  oid?: string;
}

function newDir(): DirNode {
  return { dirs: new Map(), files: new Map() };
}

/** Checks a state path: relative, `/`-separated, no empty, `.` or `..` segment. A bad path is a caller bug. */
function splitPath(path: string): string[] {
  const parts = path.split("/");
  for (const p of parts) {
    if (p === "" || p === "." || p === ".." || p.includes("\0") || p === ".git") {
      throw new InternalError(`invalid state file path ${JSON.stringify(path)}`);
    }
  }
  return parts;
}

/** Builds the nested tree in memory and returns every blob and tree object, children first. */
function buildTree(
  files: readonly StateFile[],
  prior: ReadonlyMap<string, { content: string; oid: string }>,
  read: ReadonlyMap<string, { content: string; oid: string }>,
  prepared: ReadonlyMap<string, PreparedBlob>,
): { root: DirNode; objects: EncodedObject[]; blobsByPath: Map<string, { content: string; oid: string }> } {
  const next = new Map<string, { content: string; oid: string }>();
  const root = newDir();
  const objects: EncodedObject[] = [];
  const blobs = new Map<string, EncodedObject>();
  for (const f of files) {
    const parts = splitPath(f.path);
    let dir = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i]!;
      if (dir.files.has(name)) throw new InternalError(`state path ${f.path} runs through a file`);
      let next = dir.dirs.get(name);
      if (!next) dir.dirs.set(name, (next = newDir()));
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    if (dir.files.has(name) || dir.dirs.has(name)) throw new InternalError(`duplicate state path ${f.path}`);
    let oid: string;
    const ahead = prepared.get(f.path);
    const cached = typeof f.content === "string" ? (prior.get(f.path) ?? read.get(f.path)) : undefined;
    if (ahead && ahead.content === f.content) {
      oid = ahead.oid;
      if (!blobs.has(oid)) {
        const blob: EncodedObject = { oid, type: "blob", body: f.content, packed: ahead.packed };
        blobs.set(oid, blob);
        objects.push(blob);
      }
    } else if (cached && cached.content === f.content) {
      oid = cached.oid;
      // Still needed for the write list in case the parent is not the commit it came from.
      if (!blobs.has(oid)) {
        const blob: EncodedObject = { oid, type: "blob", body: f.content };
        blobs.set(oid, blob);
        objects.push(blob);
      }
    } else {
      const blob = encodeObject("blob", f.content);
      oid = blob.oid;
      if (!blobs.has(oid)) {
        blobs.set(oid, blob);
        objects.push(blob);
      }
    }
    dir.files.set(name, oid);
    if (typeof f.content === "string") next.set(f.path, { content: f.content, oid });
  }
  const seal = (dir: DirNode): string => {
    const entries: TreeEntryIn[] = [];
    for (const [name, sub] of dir.dirs) entries.push({ name, mode: "040000", oid: seal(sub) });
    for (const [name, oid] of dir.files) entries.push({ name, mode: "100644", oid });
    const tree = encodeTree(entries);
    dir.oid = tree.oid;
    objects.push(tree);
    return tree.oid;
  };
  seal(root);
  return { root, objects, blobsByPath: next };
}

/**
 * The object ids the previous snapshot already holds, found by walking only the subtrees
 * that differ from the new tree (an unchanged subtree is present with everything under it).
 */
async function presentInParent(gitdir: string, root: DirNode, parentTree: string, cache: object): Promise<Set<string>> {
  const present = new Set<string>();
  const fs = createSafeFs();
  const visit = async (dir: DirNode, oldTree: string): Promise<void> => {
    present.add(oldTree);
    if (dir.oid === oldTree) {
      markAll(dir, present);
      return;
    }
    const entries = await readTreeEntries(gitdir, oldTree, fs, cache);
    const jobs: Promise<void>[] = [];
    for (const e of entries) {
      if (e.type === "blob") present.add(e.oid);
      else if (e.type === "tree") {
        const sub = dir.dirs.get(e.path);
        if (sub) jobs.push(visit(sub, e.oid));
        else present.add(e.oid);
      }
    }
    await Promise.all(jobs);
  };
  await visit(root, parentTree);
  return present;
}

function markAll(dir: DirNode, present: Set<string>): void {
  if (dir.oid) present.add(dir.oid);
  for (const oid of dir.files.values()) present.add(oid);
  for (const sub of dir.dirs.values()) markAll(sub, present);
}

// The object ids of the last few state commits this process wrote or read in full. The next
// commit's parent is nearly always one of them (plan reads the prior snapshot, apply commits
// on top), so the unchanged 99 % is known present without reading any tree back.
const RECENT_MAX = 4;
const recentTrees = new Map<string, ReadonlySet<string>>();
function remember(commit: string, oids: ReadonlySet<string>): void {
  recentTrees.delete(commit);
  recentTrees.set(commit, oids);
  while (recentTrees.size > RECENT_MAX) recentTrees.delete(recentTrees.keys().next().value!);
}

// Blob ids of the last commit this process wrote, by path, with the content they hash. An
// unchanged string is recognised by equality (a memcmp), far cheaper than sha1, so a 1 %
// change re-hashes about 1 % of the files.
let lastBlobs = new Map<string, { content: string; oid: string }>();

// The same for the last state commit this process read in full (readStateFiles): a fresh
// `lxm apply` reads the branch head to plan, then commits on top of it. Only files that are
// valid UTF-8 are kept (their text encodes back to exactly the bytes that have that id).
let readBlobs = new Map<string, { content: string; oid: string }>();
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Forgets the in-process caches (as a fresh process would start); for benchmarks and tests. */
export function clearStoreCaches(): void {
  recentTrees.clear();
  lastBlobs = new Map();
  readBlobs = new Map();
}

/**
 * Writes one state commit and moves `branch` to it by compare-and-swap.
 *
 * `expectedParent` is the branch value the run planned against (null: the branch must not
 * exist yet); it becomes the commit's only parent. Any other current value → LXM4101 and
 * nothing moves. Deterministic: the same files, message, time, identity and parent give the
 * same commit id in any repository. Resolves once the branch durably points at the commit.
 */
export async function writeStateCommit(args: {
  gitdir: string;
  branch: string;
  expectedParent: string | null;
  files: readonly StateFile[];
  message: string;
  time: CommitTime;
  author?: { name: string; email: string };
  /** Blobs computed ahead, by path (state/prepare.ts); used where the content is identical. */
  prepared?: ReadonlyMap<string, PreparedBlob>;
}): Promise<{ oid: string; tree: string; written: number }> {
  const gitdir = await commonDir(args.gitdir);
  const ref = branchRef(args.branch);
  // Fail fast before writing anything; the CAS below re-checks under the lock.
  const current = await readRef({ gitdir, ref });
  if (current !== args.expectedParent) throw stateBranchMoved.error(args.branch, args.expectedParent, current);

  // A first commit writes every object, as one pack when there are many: its large files
  // not prepared ahead (trace.jsonl, snapshot.json: a line per event or resource) are deflated
  // for the pack on libuv's thread pool while this thread builds the trees. (On top of a
  // parent, most of a large state is already there and few objects are written loose.)
  const prepared = args.prepared ?? new Map<string, PreparedBlob>();
  const deflating = new Map<string, Promise<Buffer | undefined>>();
  for (const f of args.expectedParent === null && args.files.length > PACK_THRESHOLD ? args.files : []) {
    if (typeof f.content !== "string" || f.content.length < THREAD_POOL_DEFLATE || prepared.get(f.path)?.content === f.content) continue;
    deflating.set(f.path, deflateGitAsync(f.content).catch(() => undefined)); // undefined: encodePack deflates it
  }
  const built = buildTree(args.files, lastBlobs, readBlobs, prepared);
  const { root, blobsByPath } = built;
  let objects = built.objects;
  if (deflating.size > 0) {
    const packed = new Map<string, Buffer>();
    for (const [path, p] of deflating) {
      const z = await p;
      const oid = blobsByPath.get(path)?.oid;
      if (z && oid) packed.set(oid, z);
    }
    objects = objects.map((o) => (o.packed === undefined && packed.has(o.oid) ? { ...o, packed: packed.get(o.oid)! } : o));
  }
  let present: ReadonlySet<string> = new Set<string>();
  const known = args.expectedParent === null ? undefined : recentTrees.get(args.expectedParent);
  if (known) present = known;
  else if (args.expectedParent !== null) {
    // One isomorphic-git cache, so a large pack's index is parsed once for all reads.
    const cache = {};
    const parent = await readCommitInfo({ gitdir, oid: args.expectedParent, cache });
    present = await presentInParent(gitdir, root, parent.tree, cache);
  }
  const identity = args.author ?? DEFAULT_IDENTITY;
  const sig = { name: identity.name, email: identity.email, seconds: args.time.seconds, tzOffsetMinutes: args.time.tzOffsetMinutes };
  const commit = encodeCommit({
    tree: root.oid!,
    parents: args.expectedParent === null ? [] : [args.expectedParent],
    author: sig,
    committer: sig,
    message: args.message,
  });
  const toWrite = objects.filter((o) => !present.has(o.oid));
  toWrite.push(commit);
  const written = await writeObjects(gitdir, toWrite);
  await updateRefCAS({
    gitdir,
    ref,
    expected: args.expectedParent,
    next: commit.oid,
    reflog: { ...sig, message: `lexum: ${args.message}` },
  });
  const all = new Set<string>();
  markAll(root, all);
  remember(commit.oid, all);
  lastBlobs = blobsByPath;
  return { oid: commit.oid, tree: root.oid!, written };
}

/**
 * Refuses (LXM4102, naming the file) when the branch's `<ref>.lock` exists: the commit at the
 * end of a run would be refused, so a run checks this before it changes the world.
 */
export async function assertStateBranchUnlocked(args: { gitdir: string; branch: string }): Promise<void> {
  await assertRefUnlocked({ gitdir: await commonDir(args.gitdir), ref: branchRef(args.branch) });
}

async function walkFiles(gitdir: string, treeOid: string, seen: Set<string>): Promise<{ path: string; oid: string }[]> {
  // One `git ls-tree -r -t` when the git CLI is there; else every subtree through isomorphic-git.
  const listed = await lsTreeRecursive(gitdir, treeOid);
  if (listed) {
    seen.add(treeOid);
    const files: { path: string; oid: string }[] = [];
    for (const e of listed) {
      if (e.type === "tree") seen.add(e.oid);
      else if (e.type === "blob") files.push({ path: e.path, oid: e.oid });
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  const fs = createSafeFs();
  const cache = {};
  const out: { path: string; oid: string }[] = [];
  const walk = async (oid: string, prefix: string): Promise<void> => {
    seen.add(oid);
    const entries = await readTreeEntries(gitdir, oid, fs, cache);
    const subs: Promise<void>[] = [];
    for (const e of entries) {
      const path = prefix === "" ? e.path : `${prefix}/${e.path}`;
      if (e.type === "tree") subs.push(walk(e.oid, path));
      else if (e.type === "blob") out.push({ path, oid: e.oid });
    }
    await Promise.all(subs);
  };
  await walk(treeOid, "");
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/** Every file of state commit `oid`, keyed by path, in path order. Missing objects → LXM4107. */
export async function readStateFiles(args: { gitdir: string; oid: string }): Promise<Map<string, Uint8Array>> {
  const gitdir = await commonDir(args.gitdir);
  const info = await readCommitInfo({ gitdir, oid: args.oid });
  const seen = new Set<string>();
  const files = await walkFiles(gitdir, info.tree, seen);
  // All blobs in one `git cat-file --batch` (each checked against its id); through
  // isomorphic-git, 16 in flight, when the git CLI is not there.
  const blobs: Uint8Array[] = (await catFileBatch(gitdir, files.map((f) => f.oid), "blob")) ?? new Array<Uint8Array>(files.length);
  const fs = createSafeFs();
  const cache = {};
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      if (blobs[i]) continue;
      try {
        blobs[i] = (await git.readBlob({ fs, gitdir, oid: files[i]!.oid, cache })).blob;
      } catch (e) {
        throw gitObjectUnreadable.error(files[i]!.oid, gitErrorCause(e));
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const out = new Map<string, Uint8Array>();
  const texts = new Map<string, { content: string; oid: string }>();
  files.forEach((f, i) => {
    out.set(f.path, blobs[i]!);
    seen.add(f.oid);
    try {
      texts.set(f.path, { content: utf8.decode(blobs[i]!), oid: f.oid });
    } catch {
      // Not UTF-8: never equal to a string's encoding; hashed if written again.
    }
  });
  remember(args.oid, seen);
  readBlobs = texts;
  return out;
}

/** One file of state commit `oid`, or null when the commit has no such file. */
export async function readStateFile(args: { gitdir: string; oid: string; path: string }): Promise<Uint8Array | null> {
  const gitdir = await commonDir(args.gitdir);
  const info = await readCommitInfo({ gitdir, oid: args.oid });
  const parts = args.path.split("/").filter((p) => p !== "");
  let tree = info.tree;
  for (let i = 0; i < parts.length; i++) {
    const e = (await readTreeEntries(gitdir, tree)).find((x) => x.path === parts[i]);
    if (!e) return null;
    if (i === parts.length - 1) {
      if (e.type !== "blob") return null;
      try {
        return (await git.readBlob({ fs: createSafeFs(), gitdir, oid: e.oid })).blob;
      } catch (err) {
        throw gitObjectUnreadable.error(e.oid, gitErrorCause(err));
      }
    }
    if (e.type !== "tree") return null;
    tree = e.oid;
  }
  return null;
}

/** One state commit as `lxm state log` lists it. */
export interface StateCommit {
  readonly oid: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly time: CommitTime;
}

/**
 * The state branch's commits, newest first, following first parents (the branch is linear).
 * [] when the branch does not exist; a corrupt ref → LXM4103.
 */
export async function listStateCommits(args: { gitdir: string; branch: string; limit?: number }): Promise<StateCommit[]> {
  const gitdir = await commonDir(args.gitdir);
  let oid = await readRef({ gitdir, ref: branchRef(args.branch) });
  const out: StateCommit[] = [];
  const limit = args.limit ?? Infinity;
  while (oid !== null && out.length < limit) {
    const c = await readCommitInfo({ gitdir, oid });
    out.push({ oid, parents: c.parents, message: c.message, time: c.time });
    oid = c.parents[0] ?? null;
  }
  return out;
}

/**
 * Resolves a revision of the state branch to a commit id: the branch name (its head, read
 * strictly: an empty ref is corruption), `branch~N`, a full or short commit id, or anything
 * `resolveRev` accepts. Unknown → LXM4104.
 */
export async function resolveStateRev(args: { gitdir: string; branch: string; rev?: string }): Promise<string> {
  const gitdir = await commonDir(args.gitdir);
  const rev = args.rev ?? args.branch;
  const m = /^(.*?)((?:~\d*|\^1?)*)$/.exec(rev);
  const base = m?.[1] ?? rev;
  const suffix = m?.[2] ?? "";
  const ref = branchRef(args.branch);
  if (base === args.branch || base === ref) {
    let oid = await readRef({ gitdir, ref });
    if (oid === null) throw unknownRevision.error(rev);
    let steps = 0;
    for (const op of suffix.match(/~\d*|\^1?/g) ?? []) steps += op.startsWith("~") ? (op.length > 1 ? Number(op.slice(1)) : 1) : 1;
    for (let i = 0; i < steps; i++) {
      const parent: string | undefined = (await readCommitInfo({ gitdir, oid })).parents[0];
      if (parent === undefined) throw unknownRevision.error(rev);
      oid = parent;
    }
    return oid;
  }
  return resolveRev({ gitdir, rev });
}
