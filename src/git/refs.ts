/**
 * Refs, read and moved safely. `readRef` honours packed-refs and reports an empty,
 * unparsable or dangling ref as corruption (LXM4103) — never as "branch does not exist",
 * which would silently restart state from nothing. `updateRefCAS` moves a ref like git does:
 * `<ref>.lock` created with O_EXCL, the current value re-read under the lock and compared
 * (compare-and-swap), the new value fsynced into the lock file, then renamed over the ref.
 */
import { promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { InternalError } from "../diag/diagnostic.js";
import { alternateMissing, corruptRef, gitWriteFailed, invalidRefName, refLocked, stateBranchMoved } from "../diag/catalog/runtime.js";
import git from "isomorphic-git";
import { createSafeFs, syncDir } from "./safe-fs.js";
import { hasObject } from "./pack.js";
import { formatTz } from "./objects.js";
import { commonDir } from "./common-dir.js";
import { missingAlternates } from "./alternates.js";

const OID = /^[0-9a-f]{40}$/;

/**
 * True when `name` is a valid full ref name for Lexum to write (`refs/...`), following
 * `git check-ref-format`'s rules.
 */
export function isValidRefName(name: string): boolean {
  if (!name.startsWith("refs/")) return false;
  if (name.endsWith("/") || name.endsWith(".") || name.includes("..") || name.includes("//") || name.includes("@{")) return false;
  // Control characters, space and git's forbidden punctuation.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  for (const part of name.split("/")) {
    if (part === "" || part.startsWith(".") || part.endsWith(".lock")) return false;
  }
  return true;
}

/** `lexum/state` → `refs/heads/lexum/state`; a full `refs/...` name is kept. Throws LXM4106 when invalid. */
export function branchRef(branch: string): string {
  const ref = branch.startsWith("refs/") ? branch : `refs/heads/${branch}`;
  if (!isValidRefName(ref)) throw invalidRefName.error(branch);
  return ref;
}

async function readPackedRef(gitdir: string, ref: string): Promise<string | null> {
  let text: string;
  try {
    text = await fsp.readFile(join(gitdir, "packed-refs"), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#") || line.startsWith("^")) continue;
    const sp = line.indexOf(" ");
    if (sp < 0) continue;
    if (line.slice(sp + 1) === ref) {
      const oid = line.slice(0, sp);
      if (!OID.test(oid)) throw corruptRef.error(ref, join(gitdir, "packed-refs"), `unparsable value ${JSON.stringify(oid)}`);
      return oid;
    }
  }
  return null;
}

/**
 * The object id a ref holds (loose file first, then packed-refs; symbolic refs followed),
 * without checking that the object exists: null when the ref does not exist, LXM4103 when
 * the ref file is empty or unparsable. `gitdir` must be the common dir.
 */
export async function readRefValue(gitdir: string, ref: string, depth = 0): Promise<string | null> {
  const file = join(gitdir, ref);
  let text: string | null = null;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent path component is a file (e.g. branch `lexum` exists); EISDIR: the name
    // is a folder of refs (`lexum` when `lexum/state` exists); ENAMETOOLONG: no ref can have
    // that name. None of them is a ref.
    if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EISDIR" && code !== "ENAMETOOLONG") throw e;
  }
  if (text === null) return readPackedRef(gitdir, ref);
  if (text.trim() === "") throw corruptRef.error(ref, file, "the ref file is empty (a crash while it was written?)");
  // Read the way git reads a loose ref: `ref: <name>`, or 40 hex digits at the very start
  // followed by nothing or whitespace. Anything else (a leading space, say) git calls broken.
  if (text.startsWith("ref:") && depth < 5) return readRefValue(gitdir, text.slice(4).trim(), depth + 1);
  const m = /^([0-9a-f]{40})(?:\s|$)/.exec(text);
  if (!m) throw corruptRef.error(ref, file, `unparsable value ${JSON.stringify(text.slice(0, 80))} (git calls this ref broken)`);
  return m[1]!;
}

async function checkObjectExists(gitdir: string, ref: string, oid: string): Promise<void> {
  if (!(await hasObject(gitdir, oid))) {
    // A clone that borrows objects from a directory that is gone: the ref is fine.
    const missing = await missingAlternates(gitdir);
    if (missing.length > 0) throw alternateMissing.error(oid, missing, join(gitdir, "objects", "info", "alternates"));
    throw corruptRef.error(ref, join(gitdir, ref), `it points at ${oid}, which is in neither the object store nor its alternates`);
  }
}

/**
 * The commit a ref points at, or null when the ref does not exist (neither loose nor in
 * packed-refs). An empty or unparsable ref file, or one naming an object absent from the
 * object store and its alternates, throws LXM4103; an object that cannot be found because a
 * borrowed object directory (objects/info/alternates) is gone throws LXM4121. `gitdir` may
 * be a worktree's gitdir: refs are read from the common dir.
 */
export async function readRef(args: { gitdir: string; ref: string }): Promise<string | null> {
  const gitdir = await commonDir(args.gitdir);
  const oid = await readRefValue(gitdir, args.ref);
  if (oid !== null) await checkObjectExists(gitdir, args.ref, oid);
  return oid;
}

/**
 * Throws LXM4102 (naming the file) when `<ref>.lock` exists: another process is moving the
 * ref, or one crashed while doing so, and `updateRefCAS` would refuse. `gitdir` must be the
 * common dir.
 */
export async function assertRefUnlocked(args: { gitdir: string; ref: string }): Promise<void> {
  const lock = `${join(args.gitdir, args.ref)}.lock`;
  try {
    await fsp.lstat(lock);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw e;
  }
  throw refLocked.error(args.ref, lock);
}

/** Optional reflog entry, so `git reflog <branch>` shows each state commit. */
export interface ReflogEntry {
  readonly name: string;
  readonly email: string;
  /** The commit's own time (never the clock), so the reflog is deterministic too. */
  readonly seconds: number;
  readonly tzOffsetMinutes: number;
  readonly message: string;
}

const ZERO = "0".repeat(40);

/**
 * Compare-and-swap: moves `ref` from `expected` (null = must not exist) to `next`.
 * Refuses with LXM4101 when the ref holds anything else, with LXM4102 when `<ref>.lock`
 * exists (naming the file), LXM4103 when the current value is corrupt. On any refusal the
 * ref is unchanged. The new value is durable (fsync of the file and its directory) when
 * this resolves.
 */
export async function updateRefCAS(args: {
  gitdir: string;
  ref: string;
  expected: string | null;
  next: string;
  reflog?: ReflogEntry;
}): Promise<void> {
  const { ref, expected, next } = args;
  if (!isValidRefName(ref)) throw invalidRefName.error(ref);
  if (!OID.test(next)) throw new InternalError(`updateRefCAS: next is not an oid: ${next}`);
  const gitdir = await commonDir(args.gitdir);
  const file = join(gitdir, ref);
  const lock = `${file}.lock`;
  try {
    await fsp.mkdir(dirname(file), { recursive: true });
  } catch (e) {
    throw gitWriteFailed.error(dirname(file), (e as Error).message);
  }
  let fh: import("node:fs/promises").FileHandle;
  try {
    fh = await fsp.open(lock, "wx", 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw refLocked.error(ref, lock);
    throw gitWriteFailed.error(lock, (e as Error).message);
  }
  let renamed = false;
  try {
    // Re-read under the lock: only now is the comparison race-free.
    const found = await readRefValue(gitdir, ref);
    if (found !== expected) throw stateBranchMoved.error(ref.replace(/^refs\/heads\//, ""), expected, found);
    try {
      await fh.writeFile(`${next}\n`);
      await fh.sync();
      await fh.close();
      await fsp.rename(lock, file);
      renamed = true;
      await syncDir(dirname(file));
    } catch (e) {
      throw gitWriteFailed.error(file, (e as Error).message);
    }
  } finally {
    if (!renamed) {
      await fh.close().catch(() => undefined);
      await fsp.unlink(lock).catch(() => undefined);
    }
  }
  if (args.reflog) await appendReflog(gitdir, ref, expected, next, args.reflog);
}

async function appendReflog(gitdir: string, ref: string, old: string | null, next: string, r: ReflogEntry): Promise<void> {
  const file = join(gitdir, "logs", ref);
  const subject = r.message.split("\n")[0] ?? "";
  const line = `${old ?? ZERO} ${next} ${r.name} <${r.email}> ${r.seconds} ${formatTz(r.tzOffsetMinutes)}\t${subject}\n`;
  // The reflog is a convenience for `git reflog`; the ref itself is already durable, so a
  // failure here must not turn a completed commit into an error.
  try {
    await fsp.mkdir(dirname(file), { recursive: true });
    await fsp.appendFile(file, line);
  } catch {
    /* best effort */
  }
}

/**
 * Deletes a branch of a clone that only its own process writes (the agent's, under its
 * data_dir lock): the loose ref and its packed-refs line (isomorphic-git), only while it is
 * still `expected`.
 */
export async function deleteRef(args: { gitdir: string; ref: string; expected: string }): Promise<void> {
  if (!isValidRefName(args.ref)) throw invalidRefName.error(args.ref);
  const gitdir = await commonDir(args.gitdir);
  const now = await readRefValue(gitdir, args.ref);
  if (now === null) return;
  if (now !== args.expected) throw stateBranchMoved.error(args.ref, args.expected, now);
  await git.deleteRef({ fs: createSafeFs(), gitdir, ref: args.ref });
}
