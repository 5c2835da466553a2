import fs from "node:fs";
import path from "node:path";

/**
 * The bytes of project files on disk: takes a project-relative posix path and returns the
 * file's bytes, or null when it is absent, unreadable, or resolves (through `..` or a
 * symlink) outside the project directory.
 */
export function projectFileBytes(projectDir: string): (rel: string) => Uint8Array | null {
  let root: string;
  try {
    root = fs.realpathSync(projectDir);
  } catch {
    return () => null;
  }
  return (rel: string) => {
    if (path.posix.isAbsolute(rel) || rel.split("/").includes("..")) return null;
    try {
      const real = fs.realpathSync(path.join(root, ...rel.split("/")));
      if (real !== root && !real.startsWith(root + path.sep)) return null;
      return fs.readFileSync(real);
    } catch {
      return null;
    }
  };
}

/**
 * The `file()` reader for a project on disk: takes a project-relative posix path and
 * returns the file's UTF-8 text, or null when it is absent, unreadable, not UTF-8, or
 * resolves (through `..` or a symlink) outside the project directory.
 */
export function projectFileReader(projectDir: string): (rel: string) => string | null {
  const bytes = projectFileBytes(projectDir);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  return (rel: string) => {
    const b = bytes(rel);
    if (b === null) return null;
    try {
      return decoder.decode(b);
    } catch {
      return null;
    }
  };
}

/** A `file()` reader over an in-memory set of files (a commit's tree). */
export function memoryFileReader(files: ReadonlyMap<string, Uint8Array>): (rel: string) => string | null {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  return (rel: string) => {
    const bytes = files.get(path.posix.normalize(rel));
    if (!bytes) return null;
    try {
      return decoder.decode(bytes);
    } catch {
      return null;
    }
  };
}

/**
 * The files of the goal that `fileexists`, `fileset`, `filebase64` and the file hashes read:
 * a commit's tree, or a working tree's files as git sees them. Paths are project-relative,
 * posix.
 */
export interface ProjectFiles {
  /** A file's bytes; null when absent or outside the project. */
  bytes(rel: string): Uint8Array | null;
  /** Every file's path, sorted in code-unit order. */
  list(): readonly string[];
}

/** ProjectFiles over an in-memory set of files (a commit's tree). */
export function memoryProjectFiles(files: ReadonlyMap<string, Uint8Array>): ProjectFiles {
  const paths = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { bytes: (rel) => files.get(path.posix.normalize(rel)) ?? null, list: () => paths };
}

/**
 * ProjectFiles over a directory on disk outside git: every regular file below it, except
 * under `.git` and `node_modules` (listed once, when first asked).
 */
export function diskProjectFiles(projectDir: string): ProjectFiles {
  const bytes = projectFileBytes(projectDir);
  let listed: string[] | undefined;
  const list = (): string[] => {
    if (listed) return listed;
    const out: string[] = [];
    const walk = (abs: string, rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(abs, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const r = rel === "" ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) {
          if (e.name !== ".git" && e.name !== "node_modules") walk(path.join(abs, e.name), r);
        } else if (e.isFile()) out.push(r);
      }
    };
    walk(projectDir, "");
    listed = out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return listed;
  };
  return { bytes, list };
}
