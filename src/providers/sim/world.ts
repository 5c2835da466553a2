import { close, fstat, mkdirSync, open, readFileSync, rename, statSync, unlink, write } from "node:fs";
import { dirname } from "node:path";
import * as catalog from "../../diag/catalog/runtime.js";
import type { Json, JsonObject } from "../../program/types.js";
import { tempPathFor } from "../fs/atomic.js";
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
    const o = doc.objects[key];
    const where = `objects[${JSON.stringify(key)}]`;
    if (!isObject(o)) return `${where} must be an object`;
    if (typeof o.kind !== "string" || typeof o.name !== "string") return `${where} needs string "kind" and "name"`;
    if (objectKey(o.kind, o.name) !== key) return `${where} is keyed wrongly: expected ${JSON.stringify(objectKey(o.kind, o.name))}`;
    if (!isObject(o.spec)) return `${where}.spec must be an object`;
    if (typeof o.uid !== "string") return `${where}.uid must be a string`;
    if (typeof o.generation !== "number" || !Number.isSafeInteger(o.generation) || o.generation < 1) return `${where}.generation must be an integer ≥ 1`;
    if (o.secretDigest !== undefined && typeof o.secretDigest !== "string") return `${where}.secretDigest must be a string`;
    const obj: SimObject = { kind: o.kind, name: o.name, spec: o.spec, uid: o.uid, generation: o.generation };
    out.set(key, typeof o.secretDigest === "string" ? { ...obj, secretDigest: o.secretDigest } : obj);
  }
  return out;
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

// One object's record as it appears in the file (nested at depth 2 under "objects").
function recordText(o: SimObject): string {
  const rec: JsonObject = { kind: o.kind, name: o.name, spec: o.spec, uid: o.uid, generation: o.generation };
  if (o.secretDigest !== undefined) rec.secretDigest = o.secretDigest;
  return pretty(rec, "    ");
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

/**
 * One world file held in memory, shared by every provider instance of the process that
 * names the same absolute path. Mutations apply to memory at once (JavaScript runs them
 * one at a time, so none is lost) and `commit()` makes them durable: writes are serialised
 * and grouped (one atomic temp + fsync + rename covers every mutation made before it began).
 */
export class WorldStore {
  private objects: Map<string, SimObject>;
  // Each object's serialized record, kept beside it (objects are immutable values).
  private texts = new Map<string, string>();
  /** The keys of `texts`, kept sorted as objects come and go. */
  private order: string[] = [];
  private version = 0;
  private flushed = 0;
  private writing: Promise<void> | null = null;
  private diskSig: string | null;
  /** The world's folder was made (once per store, not per write). */
  private dirReady = false;
  /** Open provider instances using this store. */
  refs = 0;

  private constructor(readonly path: string, objects: Map<string, SimObject>, sig: string | null) {
    this.objects = objects;
    this.diskSig = sig;
    this.retext();
  }

  private retext(): void {
    this.texts = new Map([...this.objects].map(([k, o]) => [k, entryLine(k, recordText(o))]));
    this.order = [...this.texts.keys()].sort();
  }

  /** Loads the world at `path` (absent: empty). Throws LexumError LXM4901 when the file is not a world. */
  static load(path: string): WorldStore {
    const sig = signature(path);
    if (sig === null) return new WorldStore(path, new Map(), null);
    const parsed = WorldStore.readParsed(path);
    if (typeof parsed === "string") throw catalog.simWorldInvalid.error(path, parsed);
    return new WorldStore(path, parsed, sig);
  }

  private static readParsed(path: string): Map<string, SimObject> | string {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      return `cannot read it (${err instanceof Error ? err.message : String(err)})`;
    }
    return parseWorld(text);
  }

  /**
   * Re-reads the file when it changed on disk since we last read or wrote it and nothing of
   * ours is pending (an edit made by hand or by another process, e.g. to simulate drift).
   * Synchronous on purpose: no other call can interleave between the check and the swap.
   * Returns a problem in words when the changed file is not a world (memory kept as is).
   */
  refresh(): string | null {
    if (this.writing !== null || this.flushed !== this.version) return null;
    const sig = signature(this.path);
    if (sig === this.diskSig) return null;
    if (sig === null) {
      this.objects = new Map();
      this.texts = new Map();
      this.order = [];
      this.diskSig = null;
      return null;
    }
    const parsed = WorldStore.readParsed(this.path);
    if (typeof parsed === "string") return catalog.simWorldInvalid.error(this.path, parsed).message;
    this.objects = parsed;
    this.diskSig = sig;
    this.retext();
    return null;
  }

  get(key: string): SimObject | undefined {
    return this.objects.get(key);
  }

  /** Every object, sorted by key. */
  all(): SimObject[] {
    return [...this.objects.keys()].sort().map((k) => this.objects.get(k)!);
  }

  set(obj: SimObject): void {
    const key = objectKey(obj.kind, obj.name);
    this.objects.set(key, obj);
    if (!this.texts.has(key)) this.order.splice(insertionPoint(this.order, key), 0, key);
    this.texts.set(key, entryLine(key, recordText(obj)));
    this.version += 1;
  }

  remove(key: string): void {
    if (this.texts.delete(key)) this.order.splice(insertionPoint(this.order, key), 1);
    if (this.objects.delete(key)) this.version += 1;
  }

  /** Resolves once every mutation made before the call is on disk. Throws a retryable ProviderError on I/O failure. */
  async commit(): Promise<void> {
    const want = this.version;
    while (this.flushed < want) {
      if (this.writing !== null) {
        // Someone else's write is in flight; it may or may not cover us. Wait, then re-check.
        await this.writing.catch(() => undefined);
        continue;
      }
      const w = this.writeNow();
      this.writing = w;
      try {
        await w;
      } finally {
        this.writing = null;
      }
    }
  }

  private async writeNow(): Promise<void> {
    const v = this.version;
    const text = assemble(this.order.map((k) => this.texts.get(k)!));
    try {
      if (!this.dirReady) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.dirReady = true;
      }
      this.diskSig = await replaceFile(this.path, text);
    } catch (err) {
      this.dirReady = false; // the folder may be gone: the retry re-creates it
      throw worldWrite(this.path, err);
    }
    this.flushed = v;
  }
}

/**
 * Replaces `path` with `text` through a temp file and a rename: atomic against a killed
 * process, but not fsynced (the sim models remote systems and crashes of Lexum, not power
 * loss). Its mode is whatever the umask leaves of 0644. Resolves to the new file's
 * `signature`, read from the temp file before the rename (which keeps inode, size and
 * mtime). Callback API on a raw descriptor: this sits on the way back of every mutating
 * call, and the promise API's FileHandle bookkeeping cost more than the I/O.
 */
function replaceFile(path: string, text: string): Promise<string> {
  const tmp = tempPathFor(path);
  const data = Buffer.from(text, "utf8");
  return new Promise((resolve, reject) => {
    const fail = (err: Error, fd?: number): void => {
      const clean = (): void => unlink(tmp, () => reject(err));
      if (fd === undefined) clean();
      else close(fd, clean);
    };
    open(tmp, "wx", 0o644, (err, fd) => {
      if (err) return fail(err);
      const from = (offset: number): void =>
        write(fd, data, offset, data.length - offset, null, (werr, n) => {
          if (werr) return fail(werr, fd);
          if (offset + n < data.length) return from(offset + n); // a short write: the rest
          fstat(fd, (serr, st) => {
            if (serr) return fail(serr, fd);
            close(fd, (cerr) => {
              if (cerr) return fail(cerr);
              rename(tmp, path, (rerr) => (rerr ? fail(rerr) : resolve(`${st.ino}:${st.size}:${st.mtimeMs}`)));
            });
          });
        });
      from(0);
    });
  });
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

/** Flushes and drops one reference; the last one forgets the store, so a later open re-reads the file. */
export async function releaseWorld(w: WorldStore): Promise<void> {
  try {
    await w.commit();
  } finally {
    w.refs -= 1;
    if (w.refs <= 0 && worlds.get(w.path) === w) worlds.delete(w.path);
  }
}
