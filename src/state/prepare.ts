import { canonicalize, hashValue, prettyCanonical } from "../program/canonical.js";
import type { RecordedResource } from "../plan/types.js";
import type { TraceEvent } from "../runtime/types.js";
import { encodeObject } from "../git/objects.js";
import { deflateGitAsync } from "../git/deflate.js";
import type { PreparedBlob } from "./store.js";
import { resourcePath } from "./snapshot.js";

/**
 * Tasks run per turn of the event loop. Few: every turn also carries the run's I/O (a sim
 * world write is four round trips through the loop), and a turn's slice delays each of them.
 */
const TASKS_PER_TURN = 2;

/**
 * A snapshot's files prepared while the run that makes them waits on its providers, so the
 * commit at the end only assembles them: each record's hash and file text, the plan's text,
 * the trace's lines, and the blobs (id and pack-deflated bytes) of those files. The work is
 * done in small slices between the run's I/O callbacks (`setImmediate`), never ahead of a
 * provider call that is ready to go.
 *
 * Nothing here decides a byte of the snapshot: a prepared value is used only for the very
 * object (or the identical text) it was made from, so the commit is the same with or
 * without preparation, whatever was finished in time.
 */
export class SnapshotPrep {
  private readonly texts = new WeakMap<object, string>();
  private readonly hashes = new WeakMap<object, string>();
  private readonly lines = new WeakMap<TraceEvent, string>();
  private readonly prepared = new Map<string, PreparedBlob>();
  private readonly queue: (() => void)[] = [];
  private head = 0;
  private timer: NodeJS.Immediate | null = null;
  private stopped = false;

  /** `parent`: the records the run starts from; a record that is still the parent's object is already on the branch (only its text is prepared). */
  constructor(private readonly parent: { readonly [address: string]: RecordedResource } = {}) {}

  /** A resource's record as the run left it. */
  record(rec: RecordedResource): void {
    const unchanged = this.parent[rec.address] === rec;
    this.later(() => {
      if (!this.texts.has(rec)) this.texts.set(rec, prettyCanonical(rec));
    });
    if (unchanged) return;
    this.later(() => {
      if (!this.hashes.has(rec)) this.hashes.set(rec, hashValue(rec));
    });
    this.blob(() => resourcePath(rec.address), rec);
  }

  /** A file of the snapshot whose content is `prettyCanonical(value)`, e.g. plan.json. */
  file(path: string, value: object): void {
    this.later(() => {
      if (!this.texts.has(value)) this.texts.set(value, prettyCanonical(value));
    });
    this.blob(() => path, value);
  }

  /** A trace event: its line of trace.jsonl. */
  event(e: TraceEvent): void {
    this.later(() => this.traceLine(e));
  }

  /** The prepared `prettyCanonical(value)` of this very object, if done. */
  textOf(value: object): string | undefined {
    return this.texts.get(value);
  }

  /** The prepared `hashValue(value)` of this very object, if done. */
  hashOf(value: object): string | undefined {
    return this.hashes.get(value);
  }

  /** The prepared trace line of this very event, if done. */
  lineOf(e: TraceEvent): string | undefined {
    return this.lines.get(e);
  }

  /** The event's trace line (canonical JSON and a newline), made now if not prepared yet. */
  traceLine(e: TraceEvent): string {
    let line = this.lines.get(e);
    if (line === undefined) this.lines.set(e, (line = canonicalize(e) + "\n"));
    return line;
  }

  /** Blobs prepared so far, by state path, with the content they encode. */
  blobs(): ReadonlyMap<string, PreparedBlob> {
    return this.prepared;
  }

  /** Drops the work not yet done (the commit computes what it lacks). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearImmediate(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.head = 0;
  }

  /** `pathOf`: the file's path, worked out in the task (not on the run's own turn). */
  private blob(pathOf: () => string, value: object): void {
    this.later(() => {
      const content = this.texts.get(value);
      if (content === undefined) return;
      const path = pathOf();
      const { oid } = encodeObject("blob", content);
      // Deflated on libuv's thread pool, off the thread that runs the actors. Whichever
      // record of a path finishes last stays; the commit checks the content anyway.
      deflateGitAsync(content).then(
        (packed) => {
          if (!this.stopped) this.prepared.set(path, { content, oid, packed });
        },
        () => undefined, // the commit deflates it itself
      );
    });
  }

  private later(task: () => void): void {
    if (this.stopped) return;
    this.queue.push(task);
    this.timer ??= setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.timer = null;
    for (let n = 0; n < TASKS_PER_TURN && this.head < this.queue.length; n++) this.queue[this.head++]!();
    if (this.head < this.queue.length) this.timer = setImmediate(this.turn);
    else {
      this.queue.length = 0;
      this.head = 0;
    }
  };
}
