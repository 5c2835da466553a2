import { lstat, realpath } from "node:fs/promises";
import { dirname, join, posix, relative, sep } from "node:path";
import { escapesRoot, invalidPath, ioError, parentNotDir } from "./errors.js";

/** Where a managed path lives on disk, after every containment check passed. */
export interface Located {
  /** The path as the user wrote it (for messages and read-back attributes). */
  readonly rel: string;
  /** Absolute location of the object itself (never followed if it is a symlink). */
  readonly abs: string;
  /** Absolute location of its parent directory (inside the root, may not exist yet). */
  readonly parent: string;
}

/** True when `p` is `base` or lies below it (both absolute, normalised). */
export function isInside(base: string, p: string): boolean {
  if (p === base) return true;
  return p.startsWith(base.endsWith(sep) ? base : base + sep);
}

/**
 * Lexical check of a user path: relative, no NUL, not the root itself, no `..` that climbs
 * out. Returns the normalised segments. Throws a ProviderError naming the path.
 */
export function checkLexical(path: unknown, root: string): string[] {
  if (typeof path !== "string" || path.length === 0) throw invalidPath(String(path), "must be a non-empty string");
  if (path.includes("\0")) throw invalidPath(path, "contains a NUL byte");
  if (path.startsWith("/")) throw escapesRoot(path, root, undefined, "absolute paths are not allowed; write it relative to the root");
  const norm = posix.normalize(path).replace(/\/+$/, "");
  if (norm === "." || norm === "") throw invalidPath(path, "names the root itself");
  if (norm === ".." || norm.startsWith("../")) throw escapesRoot(path, root);
  return norm.split("/");
}

/**
 * The realpath of `p`, or, when `p` does not exist yet, the realpath of its deepest existing
 * ancestor joined with the missing rest. The root may not exist before the first write.
 */
async function realpathLoose(p: string): Promise<string> {
  const missing: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = await realpath(cur);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw ioError(cur, "resolve", err);
      const up = dirname(cur);
      if (up === cur) return p;
      missing.push(cur.slice(up.length).replace(/^[/\\]+/, ""));
      cur = up;
    }
  }
}

/**
 * Resolves `path` under `root` (absolute) and refuses anything that would land outside it:
 * absolute paths, `..` that climbs out, and existing parent components that are symlinks
 * resolving (via realpath) outside the root. The final component is never followed, so a
 * symlink there is seen as a symlink. Deterministic given the filesystem; no side effects.
 */
export async function locate(root: string, path: unknown): Promise<Located> {
  const segments = checkLexical(path, root);
  const rel = path as string;
  const realRoot = await realpathLoose(root);
  let cur = realRoot;
  for (let i = 0; i < segments.length - 1; i++) {
    const cand = join(cur, segments[i]!);
    let st;
    try {
      st = await lstat(cand);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw ioError(rel, "inspect", err);
      // Nothing exists from here down: the rest will be created inside `cur`, inside the root.
      cur = join(cand, ...segments.slice(i + 1, -1));
      break;
    }
    const shown = segments.slice(0, i + 1).join("/");
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = await realpath(cand);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw invalidPath(rel, `its parent ${JSON.stringify(shown)} is a dangling symlink`);
        throw ioError(rel, "resolve", err);
      }
      if (!isInside(realRoot, real)) throw escapesRoot(rel, root, shown);
      const target = await lstat(real);
      if (!target.isDirectory()) throw parentNotDir(rel, shown);
      cur = real;
    } else if (st.isDirectory()) {
      cur = cand;
    } else {
      throw parentNotDir(rel, shown);
    }
  }
  const abs = join(cur, segments[segments.length - 1]!);
  // Belt and braces: whatever happened above, the result must sit below the real root.
  if (!isInside(realRoot, abs) || relative(realRoot, abs).startsWith("..")) throw escapesRoot(rel, root);
  return { rel, abs, parent: cur };
}
