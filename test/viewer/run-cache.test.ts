import { describe, expect, it } from "vitest";
import { RunCache, singleFlight } from "../../src/viewer/run-cache.js";

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

describe("RunCache", () => {
  it("loads a run once however many ask while it loads", async () => {
    const loads: string[] = [];
    const gate = deferred<void>();
    const cache = new RunCache<string>(4, async (k) => {
      loads.push(k);
      await gate.promise;
      return `view of ${k}`;
    });
    const asked = Array.from({ length: 50 }, () => cache.get("c1"));
    gate.resolve();
    expect(new Set(await Promise.all(asked))).toEqual(new Set(["view of c1"]));
    expect(await cache.get("c1")).toBe("view of c1");
    expect(loads).toEqual(["c1"]);
  });

  it("keeps at most `capacity` runs, dropping the least recently used", async () => {
    const loads: string[] = [];
    const cache = new RunCache<string>(3, async (k) => {
      loads.push(k);
      return k;
    });
    for (const k of ["a", "b", "c"]) await cache.get(k);
    await cache.get("a"); // a is now the most recent: b is the least
    await cache.get("d");
    expect(cache.size).toBe(3);
    await cache.get("a");
    await cache.get("c");
    await cache.get("b"); // was dropped: loaded again
    expect(loads).toEqual(["a", "b", "c", "d", "b"]);
    for (let i = 0; i < 100; i++) await cache.get(`x${i}`);
    expect(cache.size).toBe(3);
  });

  it("does not keep a failed load", async () => {
    let fail = true;
    const cache = new RunCache<string>(2, async (k) => {
      if (fail) throw new Error("not yet");
      return k;
    });
    await expect(cache.get("a")).rejects.toThrow("not yet");
    await Promise.resolve();
    fail = false;
    expect(await cache.get("a")).toBe("a");
  });
});

describe("singleFlight", () => {
  it("shares the call in flight, then calls again", async () => {
    let calls = 0;
    const gate = deferred<void>();
    const list = singleFlight(async () => {
      calls += 1;
      await gate.promise;
      return calls;
    });
    const a = list();
    const b = list();
    gate.resolve();
    expect([await a, await b]).toEqual([1, 1]);
    expect(await list()).toBe(2);
  });
});
