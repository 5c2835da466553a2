/**
 * The viewer's runs in memory: each run is loaded once however many requests ask for it at
 * the same moment (they share the one load in flight), and at most `capacity` loaded runs are
 * kept, the least recently used dropped first. A failed load is not kept (the branch may
 * gain the commit later). Keys are state commit ids: a commit never changes, so a kept run
 * is never stale.
 */
export class RunCache<V> {
  // Map iteration order is insertion order: re-inserting on use makes the first key the least recent.
  private readonly entries = new Map<string, Promise<V>>();

  constructor(
    private readonly capacity: number,
    private readonly load: (key: string) => Promise<V>,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`RunCache capacity must be a whole number ≥ 1, got ${capacity}`);
  }

  get(key: string): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const loading = this.load(key);
    this.entries.set(key, loading);
    loading.catch(() => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return loading;
  }

  /** Puts an already loaded value in (the run the viewer opened on). */
  put(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, Promise.resolve(value));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** How many runs are kept or loading. */
  get size(): number {
    return this.entries.size;
  }
}

/** Shares one call in flight among everyone who asks while it runs (the runs list). */
export function singleFlight<V>(fn: () => Promise<V>): () => Promise<V> {
  let inFlight: Promise<V> | null = null;
  return () => {
    if (inFlight) return inFlight;
    const p = fn().finally(() => {
      inFlight = null;
    });
    inFlight = p;
    return p;
  };
}
