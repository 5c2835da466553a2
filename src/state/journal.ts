/**
 * The apply journal: an append-only progress log for an apply in progress, at
 * `$gitdir/lexum/journal/<name>.jsonl`, one canonical JSON record per line.
 *
 * Progress is appended, never rewritten, so the bytes written grow linearly with the records
 * (no quadratic "rewrite the whole state per finished resource"). Each `append` call is
 * fsynced before it resolves, so a record that was acknowledged survives a crash. A crash
 * mid-write can only tear the LAST line; `readJournal` drops such a line and reports it.
 * A failed append rejects with LXM4123 (what the apply does then: engine/apply-project.ts).
 * What the records mean is the runtime's business; this module only stores them.
 */
import fs, { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { FileHandle } from "node:fs/promises";
import { canonicalize } from "../program/canonical.js";
import { corruptJournal, gitWriteFailed, invalidJournalName, journalWriteFailed } from "../diag/catalog/runtime.js";
import { commonDir } from "../git/common-dir.js";
import { syncDir } from "../git/safe-fs.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

async function journalDir(gitdir: string): Promise<string> {
  return join(await commonDir(gitdir), "lexum", "journal");
}

async function journalPath(gitdir: string, name: string): Promise<string> {
  if (!NAME.test(name) || name.endsWith(".lock")) throw invalidJournalName.error(name);
  return join(await journalDir(gitdir), `${name}.jsonl`);
}

/** An open journal. Not safe for concurrent `append` calls from one process: await each. */
export interface Journal {
  readonly path: string;
  /** Appends records (one canonical JSON line each) and fsyncs them before resolving; a failed write or fsync → LXM4123. */
  append(...records: unknown[]): Promise<void>;
  /** The same for records the caller already serialised as canonical JSON (one line each, no newline). */
  appendCanonical(...lines: string[]): Promise<void>;
  /** Total bytes this handle appended (for the "bytes serialised" budget). */
  readonly bytesWritten: number;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) journal `name` for appending. If the file ends in a torn line
 * (an earlier crash mid-append, never acknowledged), that fragment is cut off first.
 */
export async function openJournal(args: { gitdir: string; name: string }): Promise<Journal> {
  const path = await journalPath(args.gitdir, args.name);
  let fh: FileHandle;
  try {
    await fsp.mkdir(join(path, ".."), { recursive: true });
    fh = await fsp.open(path, "a");
    const size = (await fh.stat()).size;
    if (size > 0) {
      // Cut a torn last line (never acknowledged) so the next record starts on its own line.
      const tail = await lastNewlineEnd(path, size);
      if (tail < size) {
        await fh.truncate(tail);
        await fh.sync();
      }
    } else {
      // A new file's directory entry must be durable, or a crash could lose the whole journal
      // (its content is made durable by the fdatasync of each append).
      await syncDir(join(path, ".."));
    }
  } catch (e) {
    throw gitWriteFailed.error(path, (e as Error).message);
  }
  // Appends go through the raw descriptor and callback API: one write and one fdatasync per
  // batch, without the promise API's per-call FileHandle bookkeeping (this runs on the
  // thread that drives the providers, once per batch of finished actions).
  const fd = fh.fd;
  let bytes = 0;
  const appendCanonical = async (...lines: string[]): Promise<void> => {
    if (lines.length === 0) return;
    const data = Buffer.from(lines.join("\n") + "\n", "utf8");
    try {
      await new Promise<void>((resolve, reject) => {
        const from = (offset: number): void =>
          fs.write(fd, data, offset, data.length - offset, null, (err, n) => {
            if (err) reject(err);
            else if (offset + n < data.length) from(offset + n); // a short write: the rest
            else fs.fdatasync(fd, (e) => (e ? reject(e) : resolve()));
          });
        from(0);
      });
    } catch (e) {
      throw journalWriteFailed.error(path, (e as Error).message);
    }
    bytes += data.length;
  };
  return {
    path,
    get bytesWritten() {
      return bytes;
    },
    append: (...records: unknown[]) => appendCanonical(...records.map((r) => canonicalize(r))),
    appendCanonical,
    async close() {
      await fh.close();
    },
  };
}

/** The length of the file up to and including its last "\n" (0 when it has none). */
async function lastNewlineEnd(path: string, size: number): Promise<number> {
  const r = await fsp.open(path, "r");
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await r.read(chunk, 0, end - start, start);
      const i = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (i >= 0) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    await r.close();
  }
}

/** The records of a journal in order, and whether a torn last line was dropped. */
export interface JournalContents {
  readonly records: unknown[];
  readonly tornTail: boolean;
}

/**
 * Reads journal `name`; null when it does not exist. A last line that is incomplete or not
 * valid JSON (a crash mid-append) is dropped and reported as `tornTail`; a bad line before
 * the last is corruption (LXM4110).
 */
export async function readJournal(args: { gitdir: string; name: string }): Promise<JournalContents | null> {
  const path = await journalPath(args.gitdir, args.name);
  let text: string;
  try {
    text = await fsp.readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  const lines = text.split("\n");
  // A complete file ends with "\n", leaving one empty string after the split.
  const complete = lines[lines.length - 1] === "";
  if (complete) lines.pop();
  const records: unknown[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isLast = i === lines.length - 1;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      if (isLast && !complete) {
        tornTail = true;
        continue;
      }
      throw corruptJournal.error(path, i + 1);
    }
    if (isLast && !complete) {
      // Parsed, but its newline never reached the disk: the append was not acknowledged.
      tornTail = true;
      continue;
    }
    records.push(rec);
  }
  return { records, tornTail };
}

/** Deletes journal `name` (once its progress is recorded on the state branch). Missing is fine. */
export async function removeJournal(args: { gitdir: string; name: string }): Promise<void> {
  const path = await journalPath(args.gitdir, args.name);
  try {
    await fsp.unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/** The names of the journals present (interrupted or running applies), sorted. */
export async function listJournals(gitdir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(await journalDir(gitdir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".jsonl"))
    .map((n) => n.slice(0, -".jsonl".length))
    .sort();
}
