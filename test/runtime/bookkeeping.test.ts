import { describe, expect, it } from "vitest";
import { Bookkeeping } from "../../src/runtime/bookkeeping.js";

describe("Bookkeeping", () => {
  it("runs queued tasks in order, after the current turn, and a task queued by a running task at once", async () => {
    const book = new Bookkeeping();
    const seen: string[] = [];
    book.later(() => {
      seen.push("a");
      book.later(() => seen.push("a.inner")); // comes from the running task: next in order
    });
    book.later(() => seen.push("b"));
    seen.push("sync");
    expect(seen).toEqual(["sync"]); // nothing ran on the caller's turn
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["sync", "a", "a.inner", "b"]);
  });

  it("settle() runs what is pending now, and later() after it queues again", async () => {
    const book = new Bookkeeping();
    const seen: number[] = [];
    book.later(() => seen.push(1));
    book.settle();
    expect(seen).toEqual([1]);
    book.later(() => seen.push(2));
    expect(seen).toEqual([1]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1, 2]);
  });

  it("keeps a task's error for the next settle() instead of throwing from the event loop", async () => {
    const book = new Bookkeeping();
    const seen: string[] = [];
    book.later(() => {
      throw new Error("bug in a task");
    });
    book.later(() => seen.push("after")); // the rest still runs
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["after"]);
    expect(() => book.settle()).toThrow("bug in a task");
    expect(() => book.settle()).not.toThrow(); // reported once
  });
});
