import { ProviderError } from "../types.js";

/**
 * The fs provider's failures, in one place so that every message has a stable reason code
 * (docs/providers.md lists them). Each names the path it is about, as the user wrote it.
 */

/** The path is not a usable relative path (empty, absolute, NUL byte, the root itself). */
export function invalidPath(path: string, why: string): ProviderError {
  return new ProviderError("fs.invalid_path", `fs: invalid path ${JSON.stringify(path)}: ${why}`, false);
}

/** The path (lexically, or through a symlinked parent) leaves the provider's root. */
export function escapesRoot(path: string, root: string, via?: string, why?: string): ProviderError {
  const how = via === undefined ? "" : ` (through the symlink ${JSON.stringify(via)})`;
  const tail = why === undefined ? "" : `: ${why}`;
  return new ProviderError("fs.escape", `fs: path ${JSON.stringify(path)} escapes the root ${root}${how}${tail}`, false);
}

/** Something of another kind sits at the path (a directory where a file is wanted, …). */
export function wrongKind(path: string, wanted: string, found: string): ProviderError {
  return new ProviderError("fs.wrong_kind", `fs: ${JSON.stringify(path)} is a ${found}, not a ${wanted}`, false);
}

/** A parent component of the path exists but is not a directory. */
export function parentNotDir(path: string, parent: string): ProviderError {
  return new ProviderError("fs.wrong_kind", `fs: cannot reach ${JSON.stringify(path)}: ${JSON.stringify(parent)} is not a directory`, false);
}

/** fs.dir delete refuses a directory that still holds entries. */
export function dirNotEmpty(path: string): ProviderError {
  return new ProviderError("fs.dir_not_empty", `fs: directory ${JSON.stringify(path)} is not empty; delete its contents first`, false);
}

/** An attribute has the wrong shape (the compiler checks schemas; this guards direct calls). */
export function badAttr(type: string, attr: string, why: string): ProviderError {
  return new ProviderError("fs.invalid_attr", `fs: ${type}.${attr} ${why}`, false);
}

/** The runtime asked for a type this provider does not manage (a bug upstream). */
export function unknownType(type: string): ProviderError {
  return new ProviderError("fs.unknown_type", `fs: unknown resource type ${type}`, false);
}

// Transient conditions worth a retry; everything else is permanent.
const TRANSIENT = new Set(["EAGAIN", "EBUSY", "EMFILE", "ENFILE", "EINTR", "ETIMEDOUT"]);

/** Wraps an unexpected I/O failure; retryable when the errno is transient. */
export function ioError(path: string, op: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = (err as NodeJS.ErrnoException)?.code ?? "EUNKNOWN";
  const detail = err instanceof Error ? err.message : String(err);
  return new ProviderError("fs.io", `fs: cannot ${op} ${JSON.stringify(path)}: ${detail}`, TRANSIENT.has(code));
}
