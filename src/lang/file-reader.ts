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
