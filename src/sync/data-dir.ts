import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync, constants } from "node:fs";
import { join } from "node:path";
import { dataDirInUse, dataDirUnusable } from "../diag/catalog/sync.js";

/**
 * One agent per data_dir: `lxm-sync.lock` holds the owner's pid. A lock whose process is gone
 * (a SIGKILL, a power cut) is taken over; a live one refuses the start. Several agents may
 * watch one repository, each with its own data_dir: the state branch's compare-and-swap on
 * the remote keeps them apart, not this file.
 */
export function lockDataDir(dir: string, pid = process.pid): () => void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw dataDirUnusable.error(dir, causeOf(e));
  }
  const file = join(dir, "lxm-sync.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
      writeFileSync(fd, `${pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw dataDirUnusable.error(dir, causeOf(e));
    }
    const owner = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== pid && alive(owner)) throw dataDirInUse.error(dir, owner);
    // Stale: moved aside atomically, so that of two starting agents only one takes it over.
    try {
      renameSync(file, `${file}.stale-${pid}`);
      rmSync(`${file}.stale-${pid}`, { force: true });
    } catch {
      // another starting agent moved it first: try to create again
    }
  }
  throw dataDirUnusable.error(dir, "its lock file lxm-sync.lock keeps reappearing");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function causeOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOTDIR" ? "a part of the path is not a folder" : code === "EROFS" ? "read-only file system" : (code ?? String(e));
}
