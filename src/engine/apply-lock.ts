import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { catalog } from "../diag/index.js";

/**
 * One apply at a time per state branch and repository: `<git common dir>/lexum/<name>.lock`,
 * created exclusively, holding the owner's pid and host. A lock whose process is gone (same
 * host, no such pid) was left by a killed apply and is taken over; a live one refuses.
 */
export async function acquireApplyLock(commondir: string, name: string): Promise<() => Promise<void>> {
  const file = path.join(commondir, "lexum", `${name}.lock`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const me = JSON.stringify({ pid: process.pid, host: os.hostname() }) + "\n";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, me, { flag: "wx" });
      return async () => {
        await fs.rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const owner = await readOwner(file);
    if (owner && owner.host === os.hostname() && !alive(owner.pid)) {
      await fs.rm(file, { force: true });
      continue;
    }
    throw catalog.engine.applyRunning.error(owner ? `pid ${owner.pid} on ${owner.host}` : "unknown owner", file);
  }
  throw catalog.engine.applyRunning.error("another apply", file);
}

async function readOwner(file: string): Promise<{ pid: number; host: string } | null> {
  try {
    const o = JSON.parse(await fs.readFile(file, "utf8")) as { pid?: unknown; host?: unknown };
    return typeof o.pid === "number" && typeof o.host === "string" ? { pid: o.pid, host: o.host } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
