import { describe, expect, it } from "vitest";
import { assign, ownerOf } from "../../src/sync/coordination/rendezvous.js";

const repos = Array.from({ length: 1000 }, (_, i) => `https://git.example.com/org/repo-${i}.git#main:.`);
const counts = (m: Map<string, string[]>) => [...m.values()].map((v) => v.length);

describe("rendezvous hashing", () => {
  it("spreads 1,000 repositories over 3 replicas with max/min at most 1.2", () => {
    const c = counts(assign(repos, ["replica-a", "replica-b", "replica-c"]));
    expect(c.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.max(...c) / Math.min(...c)).toBeLessThanOrEqual(1.2);
  });

  it("moves only what must move: a join takes only repositories for the newcomer, a leave gives up only the leaver's", () => {
    const three = ["replica-a", "replica-b", "replica-c"];
    const before = new Map(repos.map((r) => [r, ownerOf(r, three)]));
    const joined = new Map(repos.map((r) => [r, ownerOf(r, [...three, "replica-d"])]));
    const moved = repos.filter((r) => joined.get(r) !== before.get(r));
    expect(moved.every((r) => joined.get(r) === "replica-d")).toBe(true);
    expect(moved.length).toBeGreaterThan(150);
    expect(moved.length).toBeLessThan(350);
    const left = new Map(repos.map((r) => [r, ownerOf(r, ["replica-a", "replica-c"])]));
    expect(repos.filter((r) => left.get(r) !== before.get(r)).every((r) => before.get(r) === "replica-b")).toBe(true);
  });

  it("is deterministic and independent of the replicas' order; no replica, no owner", () => {
    expect(repos.slice(0, 50).map((r) => ownerOf(r, ["x", "y", "z"]))).toEqual(repos.slice(0, 50).map((r) => ownerOf(r, ["z", "x", "y"])));
    expect(ownerOf("r", [])).toBeNull();
  });
});
