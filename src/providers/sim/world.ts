import { close, closeSync, existsSync, fstat, ftruncateSync, mkdirSync, open, openSync, readFileSync, rename, statSync, unlink, unlinkSync } from "node:fs";
import { basename, dirname } from "node:path";
import * as catalog from "../../diag/catalog/runtime.js";
import type { Json, JsonObject } from "../../program/types.js";
import { removeStaleTempsSync, withFreshTemp, writeAll } from "../fs/atomic.js";
import { worldWrite } from "./errors.js";

/** The world file's format tag. */
export const WORLD_FORMAT = "lexum.sim/v1";

/** One object of the simulated world, as stored in the world file. */
export interface SimObject {
  readonly kind: string;
  readonly name: string;
  readonly spec: JsonObject;
  readonly uid: string;
  readonly generation: number;
  /** `sha256:<hex>` of the secret; the secret itself is never stored. */
  readonly secretDigest?: string;
}

/** The key of an object in the world: `<kind>/<name>`. */
export function objectKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks one stored record (`where` names it in the problem); returns the object or a problem in words. */
function parseRecord(o: unknown, where: string): SimObject | string {
  if (!isObject(o)) return `${where} must be an object`;
  if (typeof o.kind !== "string" || typeof o.name !== "string") return `${where} needs string "kind" and "name"`;
  if (!isObject(o.spec)) return `${where}.spec must be an object`;
  if (typeof o.uid !== "string") return `${where}.uid must be a string`;
  if (typeof o.generation !== "number" || !Number.isSafeInteger(o.generation) || o.generation < 1) return `${where}.generation must be an integer ≥ 1`;
  if (o.secretDigest !== undefined && typeof o.secretDigest !== "string") return `${where}.secretDigest must be a string`;
  const obj: SimObject = { kind: o.kind, name: o.name, spec: o.spec, uid: o.uid, generation: o.generation };
  return typeof o.secretDigest === "string" ? { ...obj, secretDigest: o.secretDigest } : obj;
}

/**
 * Parses a world file's text. Returns the objects, or a problem in words. Every object
 * must sit under its own `<kind>/<name>` key.
 */
export function parseWorld(text: string): Map<string, SimObject> | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `not valid JSON (${err instanceof Error ? err.message : String(err)})`;
  }
  if (!isObject(doc)) return "the top level must be an object";
  if (doc.format !== WORLD_FORMAT) return `format must be "${WORLD_FORMAT}", found ${JSON.stringify(doc.format ?? null)}`;
  if (!isObject(doc.objects)) return `"objects" must be an object`;
  const out = new Map<string, SimObject>();
  for (const key of Object.keys(doc.objects).sort()) {
    const where = `objects[${JSON.stringify(key)}]`;
    const o = parseRecord(doc.objects[key], where);
    if (typeof o === "string") return o;
    if (objectKey(o.kind, o.name) !== key) return `${where} is keyed wrongly: expected ${JSON.stringify(objectKey(o.kind, o.name))}`;
    out.set(key, o);
  }
  return out;
}

/** The change log kept beside a world file: `<world>.log`. */
export function worldLogPath(path: string): string {
  return `${path}.log`;
}

/** One line of the change log: an object's new record, or the key of a removed object. */
function logLine(change: { set: SimObject } | { remove: string }): string {
  return JSON.stringify("set" in change ? { set: storedRecord(change.set) } : change) + "\n";
}

/**
 * Applies a change log's text to `objects` (in place). A last line without its newline was
 * torn by a killed process (its call never returned) and is ignored; any other bad line is
 * a problem in words.
 */
export function applyWorldLog(objects: Map<string, SimObject>, text: string): string | null {
  const lines = text.split("\n");
  lines.pop(); // "" after the final newline, or a torn last line
  for (let i = 0; i < lines.length; i++) {
    const where = `line ${i + 1} of the change log`;
    let entry: unknown;
    try {
      entry = JSON.parse(lines[i]!);
    } catch (err) {
      return `${where} is not valid JSON (${err instanceof Error ? err.message : String(err)})`;
    }
    if (isObject(entry) && typeof entry.remove === "string") {
      objects.delete(entry.remove);
      continue;
    }
    if (!isObject(entry) || entry.set === undefined) return `${where} is neither {"set": record} nor {"remove": key}`;
    const o = parseRecord(entry.set, `${where}: set`);
    if (typeof o === "string") return o;
    objects.set(objectKey(o.kind, o.name), o);
  }
  return null;
}

/**
 * Reads the world at `path` as a provider opening it would see it: the world file (absent:
 * empty) with its change log applied. Returns the objects, or a problem in words.
 */
export function readWorld(path: string): Map<string, SimObject> | string {
  let objects = new Map<string, SimObject>();
  const text = readIfPresent(path);
  if (text !== null && typeof text === "object") return text.problem;
  if (text !== null) {
    const parsed = parseWorld(text);
    if (typeof parsed === "string") return parsed;
    objects = parsed;
  }
  const log = readIfPresent(worldLogPath(path));
  if (log !== null && typeof log === "object") return log.problem;
  if (log !== null) {
    const problem = applyWorldLog(objects, log);
    if (problem !== null) return `${worldLogPath(path)}: ${problem}`;
  }
  return new Map([...objects.keys()].sort().map((k) => [k, objects.get(k)!]));
}

function readIfPresent(path: string): string | null | { problem: string } {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    return { problem: `cannot read ${path} (${err instanceof Error ? err.message : String(err)})` };
  }
}

// Pretty, key-sorted JSON: deterministic bytes that read well in a diff or an editor.
function pretty(v: Json, indent: string): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const inner = indent + "  ";
    return "[\n" + v.map((x) => inner + pretty(x, inner)).join(",\n") + "\n" + indent + "]";
  }
  if (isObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    if (keys.length === 0) return "{}";
    const inner = indent + "  ";
    return "{\n" + keys.map((k) => inner + JSON.stringify(k) + ": " + pretty(v[k]!, inner)).join(",\n") + "\n" + indent + "}";
  }
  return JSON.stringify(v);
}

// An object as stored, in the world file and in the change log.
function storedRecord(o: SimObject): JsonObject {
  const rec: JsonObject = { kind: o.kind, name: o.name, spec: o.spec, uid: o.uid, generation: o.generation };
  if (o.secretDigest !== undefined) rec.secretDigest = o.secretDigest;
  return rec;
}

// One object's record as it appears in the file (nested at depth 2 under "objects").
function recordText(o: SimObject): string {
  return pretty(storedRecord(o), "    ");
}

// One object's entry line in the file's "objects" map.
function entryLine(key: string, text: string): string {
  return `    ${JSON.stringify(key)}: ${text}`;
}

// Assembles the file from entry lines already in key order: joining them is the only
// per-write work that grows with the world, so large worlds stay cheap to rewrite.
function assemble(lines: readonly string[]): string {
  if (lines.length === 0) return `{\n  "format": ${JSON.stringify(WORLD_FORMAT)},\n  "objects": {}\n}\n`;
  return `{\n  "format": ${JSON.stringify(WORLD_FORMAT)},\n  "objects": {\n${lines.join(",\n")}\n  }\n}\n`;
}

/** Where `key` is, or would go, in the sorted array `keys` (plain code-unit order). */
function insertionPoint(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The world file's bytes for these objects: pretty, key-sorted, newline-terminated; deterministic. */
export function serializeWorld(objects: ReadonlyMap<string, SimObject>): string {
  return assemble([...objects.keys()].sort().map((k) => entryLine(k, recordText(objects.get(k)!))));
}

// Identifies a version of the file on disk, to notice edits made behind our back.
function signature(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** The change log is folded into the world file once it outgrows this and the file itself. */
const LOG_FOLD_BYTES = 1 << 20;

/** ... and once the world has had no change for this long (ms). */
const IDLE_FOLD_MS = 100;

/**
 * One world file held in memory, shared by every provider instance of the process that
 * names the same absolute path. Mutations apply to memory at once (JavaScript runs them
 * one at a time, so none is lost) and `commit()` makes them durable by appending one line
 * per change to the change log `<world>.log` (appends are serialised and grouped: one write
 * covers every change made before it began). Rewriting the whole file per change would
 * cost O(objects) per call; the log costs O(change). The log is folded into the world file
 * (atomic temp + rename, then the log is emptied) when the last instance closes, once the
 * world has had no change for IDLE_FOLD_MS (its domain is done, typically: folded while
 * the rest of the run goes on) and whenever it outgrows the file; a process killed in
 * between leaves the log, which the next process to open the world applies.
 */
export class WorldStore {
  private objects: Map<string, SimObject>;
  // Each object's entry line in the file, made when the file is next written (objects are
  // immutable values, so a line stays valid until its object is replaced).
  private texts = new Map<string, string>();
  /** The keys of `objects`, kept sorted as objects come and go. */
  private order: string[];
  /** Log lines of changes not yet appended, oldest first. */
  private pending: string[] = [];
  private version = 0;
  private flushed = 0;
  private writing: Promise<void> | null = null;
  private diskSig: string | null;
  /** The open change log (created by the first append), and what it holds. */
  private log: number | null = null;
  private logBytes = 0;
  /** A log file exists on disk (opened by us, or found when the world was loaded). */
  private logFile: boolean;
  /** The log holds changes the world file lacks (appended since it was written, or found on loading). */
  private unfolded: boolean;
  /** Folds the log into the file once the world has been left alone for IDLE_FOLD_MS. */
  private idle: NodeJS.Timeout | null = null;
  /** An append failed part-way: the log's tail may be torn, so the next commit rewrites the file. */
  private logBroken = false;
  private fileBytes = 0;
  /** Open provider instances using this store. */
  refs = 0;

  private constructor(readonly path: string, objects: Map<string, SimObject>, sig: string | null, logFile: boolean) {
    this.objects = objects;
    this.order = [...objects.keys()].sort();
    this.diskSig = sig;
    this.logFile = logFile;
    this.unfolded = logFile;
    this.fileBytes = sig === null ? 0 : statSync(path).size;
  }

  /** Loads the world at `path` (absent: empty) with its change log. Throws LexumError LXM4901 when it is not a world. */
  static load(path: string): WorldStore {
    // A fold killed before its rename left a temp file beside the world: remove it.
    removeStaleTempsSync(dirname(path), basename(path));
    const sig = signature(path);
    const parsed = readWorld(path);
    if (typeof parsed === "string") throw catalog.simWorldInvalid.error(path, parsed);
    return new WorldStore(path, parsed, sig, existsSync(worldLogPath(path)));
  }

  /**
   * Re-reads the file when it changed on disk since we last read or wrote it and nothing of
   * ours is pending (an edit made by hand or by another process, e.g. to simulate drift).
   * The edited file is the whole world: our change log is emptied, so it cannot replay
   * older changes over the edit later. Synchronous on purpose: no other call can interleave
   * between the check and the swap. Returns a problem in words when the changed file is not
   * a world (memory kept as is).
   */
  refresh(): string | null {
    if (this.writing !== null || this.flushed !== this.version) return null;
    const sig = signature(this.path);
    if (sig === this.diskSig) return null;
    let objects = new Map<string, SimObject>();
    if (sig !== null) {
      const text = readIfPresent(this.path);
      const parsed = typeof text === "string" ? parseWorld(text) : text === null ? objects : text.problem;
      if (typeof parsed === "string") return catalog.simWorldInvalid.error(this.path, parsed).message;
      objects = parsed;
      this.fileBytes = typeof text === "string" ? text.length : 0;
    }
    try {
      this.emptyLogSync();
    } catch (err) {
      return `sim: cannot empty the change log ${worldLogPath(this.path)}: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.objects = objects;
    this.texts = new Map();
    this.order = [...objects.keys()].sort();
    this.diskSig = sig;
    return null;
  }

  get(key: string): SimObject | undefined {
    return this.objects.get(key);
  }

  /** Every object, sorted by key. */
  all(): SimObject[] {
    return this.order.map((k) => this.objects.get(k)!);
  }

  set(obj: SimObject): void {
    const key = objectKey(obj.kind, obj.name);
    if (!this.objects.has(key)) this.order.splice(insertionPoint(this.order, key), 0, key);
    this.objects.set(key, obj);
    this.texts.delete(key);
    this.pending.push(logLine({ set: obj }));
    this.version += 1;
  }

  remove(key: string): void {
    if (!this.objects.delete(key)) return;
    this.order.splice(insertionPoint(this.order, key), 1);
    this.texts.delete(key);
    this.pending.push(logLine({ remove: key }));
    this.version += 1;
  }

  /** Resolves once every mutation made before the call is on disk. Throws a retryable ProviderError on I/O failure. */
  async commit(): Promise<void> {
    const want = this.version;
    while (this.flushed < want) await this.serialised(() => (this.logBroken ? this.writeFile() : this.append()));
    // A log grown past the file it amends is folded in: replaying it stays cheap, and the
    // bytes written stay proportional to the changes.
    await this.serialised(async () => {
      if (this.logBytes > Math.max(LOG_FOLD_BYTES, this.fileBytes)) await this.writeFile();
    });
  }

  /**
   * Makes every change durable, folds the change log into the world file (when anything
   * was logged, or a log was found on opening) and removes the log. What the last
   * instance's close does.
   */
  async fold(): Promise<void> {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
    // A process that only read (a `--refresh` plan) leaves the file and a log it found alone:
    // the log may belong to another process's apply, still appending to it.
    if (this.version === 0) return;
    await this.commit();
    await this.serialised(async () => {
      if (!this.unfolded && !this.logBroken && !this.logFile) return;
      if (this.unfolded || this.logBroken) await this.writeFile();
      const fd = this.log;
      this.log = null;
      try {
        if (fd !== null) await new Promise<void>((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
        await new Promise<void>((resolve, reject) => unlink(worldLogPath(this.path), (err) => (err && err.code !== "ENOENT" ? reject(err) : resolve())));
      } catch (err) {
        throw worldWrite(worldLogPath(this.path), err);
      }
      this.logFile = false;
    });
  }

  // The world was left alone (its domain is done, typically): fold the log into the file
  // now, while other work waits on its providers, rather than all worlds at the end. A
  // failure here loses nothing (the log still holds every change; close folds again).
  private readonly foldIdle = (): void => {
    this.idle = null;
    this.serialised(async () => {
      if (this.unfolded && this.pending.length === 0 && !this.logBroken) await this.writeFile();
    }).catch(() => undefined);
  };

  // Runs writes one at a time, in the order asked.
  private async serialised(write: () => Promise<void>): Promise<void> {
    while (this.writing !== null) await this.writing.catch(() => undefined);
    const w = write();
    this.writing = w;
    try {
      await w;
    } finally {
      this.writing = null;
    }
  }

  // Appends the pending changes with one write (a short write continues where it stopped).
  private async append(): Promise<void> {
    const v = this.version;
    const n = this.pending.length;
    if (n === 0) {
      this.flushed = v;
      return;
    }
    const data = Buffer.from(this.pending.join(""), "utf8");
    try {
      if (this.log === null) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.log = openSync(worldLogPath(this.path), "a", 0o644);
        this.logFile = true;
      }
      await writeAll(this.log, data);
    } catch (err) {
      // Part of it may have reached the log: rewrite the whole file next time instead.
      this.logBroken = true;
      throw worldWrite(worldLogPath(this.path), err);
    }
    this.pending.splice(0, n);
    this.logBytes += data.length;
    this.unfolded = true;
    this.flushed = v;
    if (this.idle !== null) this.idle.refresh();
    else {
      this.idle = setTimeout(this.foldIdle, IDLE_FOLD_MS);
      this.idle.unref(); // never what keeps a process alive
    }
  }

  // Writes the whole world file (atomic: temp + rename), then empties the log it includes.
  private async writeFile(): Promise<void> {
    const v = this.version;
    const n = this.pending.length;
    const lines = this.order.map((k) => {
      let line = this.texts.get(k);
      if (line === undefined) this.texts.set(k, (line = entryLine(k, recordText(this.objects.get(k)!))));
      return line;
    });
    const text = assemble(lines);
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.diskSig = await replaceFile(this.path, text);
    } catch (err) {
      throw worldWrite(this.path, err);
    }
    this.fileBytes = text.length;
    // The file holds every change made before it was assembled; later ones stay pending.
    this.pending.splice(0, n);
    try {
      this.emptyLogSync();
    } catch (err) {
      // The file is complete; a log that could not be emptied replays changes it already has.
      this.logBroken = true;
      throw worldWrite(worldLogPath(this.path), err);
    }
    this.logBroken = false;
    this.flushed = v;
  }

  // Empties the change log (its changes are in the file now, or overridden by an edit).
  // Changes still pending (made while the file was being written) stay pending: they go to
  // the emptied log next.
  private emptyLogSync(): void {
    if (this.log !== null) ftruncateSync(this.log, 0);
    else if (this.logFile) {
      try {
        unlinkSync(worldLogPath(this.path));
      } catch (err) {
        // Another process folded the log into the file and removed it: already empty.
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    this.logFile = this.log !== null;
    this.logBytes = 0;
    this.unfolded = false;
  }
}

/**
 * Replaces `path` with `text` through a temp file and a rename: atomic against a killed
 * process, but not fsynced (the sim models remote systems and crashes of Lexum, not power
 * loss). Its mode is whatever the umask leaves of 0644. Resolves to the new file's
 * `signature`, read from the temp file before the rename (which keeps inode, size and mtime).
 */
async function replaceFile(path: string, text: string): Promise<string> {
  const created = await withFreshTemp(path, (t) => new Promise<number>((resolve, reject) => open(t, "wx", 0o644, (err, f) => (err ? reject(err) : resolve(f)))));
  const tmp = created.tmp;
  let fd: number | null = created.value;
  try {
    await writeAll(fd, Buffer.from(text, "utf8"));
    const st = await new Promise<{ ino: number; size: number; mtimeMs: number }>((resolve, reject) => fstat(fd!, (err, s) => (err ? reject(err) : resolve(s))));
    const opened = fd;
    fd = null;
    await new Promise<void>((resolve, reject) => close(opened, (err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) => rename(tmp, path, (err) => (err ? reject(err) : resolve())));
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch (err) {
    if (fd !== null) closeSync(fd);
    await new Promise<void>((resolve) => unlink(tmp, () => resolve()));
    throw err;
  }
}

const worlds = new Map<string, WorldStore>();

/** The process-wide store for the world file at absolute `path`, loaded on first use; counts a reference. */
export function openWorld(path: string): WorldStore {
  let w = worlds.get(path);
  if (w === undefined) {
    w = WorldStore.load(path);
    worlds.set(path, w);
  }
  w.refs += 1;
  return w;
}

/**
 * Drops one reference after making its changes durable; the last one folds the change log
 * into the world file and forgets the store, so a later open re-reads the file.
 */
export async function releaseWorld(w: WorldStore): Promise<void> {
  // Counted down first: instances closed together (Promise.all) must agree on which is last.
  w.refs -= 1;
  const last = w.refs <= 0;
  try {
    if (last) await w.fold();
    else await w.commit();
  } finally {
    // Reopened while folding: the store lives on (the next append reopens the log).
    if (last && w.refs <= 0 && worlds.get(w.path) === w) worlds.delete(w.path);
  }
}
