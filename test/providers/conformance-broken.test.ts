import { describe, expect, it } from "vitest";
import { canonicalize } from "../../src/program/canonical.js";
import type { JsonObject } from "../../src/program/types.js";
import { ConformanceFailure, conformanceChecks, type ConformanceCase } from "../../src/providers/conformance.js";
import { ProviderError, type CallContext, type Provider } from "../../src/providers/types.js";

/** The defects a provider may have; each makes a memory provider break one rule of the contract. */
type Defect =
  | "create-not-idempotent" // a second create of an existing object fails
  | "create-bumps-on-retry" // a second create of an identical object changes it
  | "delete-absent-throws" // delete of an absent object fails
  | "read-ignores-drift" // read answers from a cache made at create time
  | "ignores-abort" // an aborted call goes ahead
  | "read-absent-empty" // read of an absent object returns {} instead of null
  | "update-ignored" // update answers the goal but changes nothing
  | "create-drops-attr"; // create keeps `color` only when it is "red"

/**
 * A provider keeping `mem.item` objects (identity `id`) in a map: correct with no defect.
 * `outside` is the managed system itself, which a drift edits behind the provider's back.
 */
function memoryProvider(defects: readonly Defect[], outside: Map<string, JsonObject>): Provider {
  const has = (d: Defect) => defects.includes(d);
  return {
    name: "mem",
    types: ["mem.item"],
    configure() {
      const cache = new Map<string, JsonObject>();
      const check = (ctx: CallContext) => {
        if (ctx.signal.aborted && !has("ignores-abort")) throw new ProviderError("timeout", "mem: aborted", true);
      };
      const key = (attrs: JsonObject) => String(attrs.id);
      const put = (attrs: JsonObject): JsonObject => {
        const prev = outside.get(key(attrs));
        const stored: JsonObject = { ...attrs, revision: ((prev?.revision as number | undefined) ?? 0) + 1 };
        if (has("create-drops-attr") && attrs.color !== "red") delete stored.color;
        if (prev !== undefined && !has("create-bumps-on-retry") && canonicalize({ ...prev, revision: 0 }) === canonicalize({ ...stored, revision: 0 })) return prev;
        outside.set(key(attrs), stored);
        cache.set(key(attrs), stored);
        return stored;
      };
      return {
        async read(_type, attrs, ctx) {
          check(ctx);
          const source = has("read-ignores-drift") ? cache : outside;
          return source.get(key(attrs)) ?? (has("read-absent-empty") ? {} : null);
        },
        async create(_type, attrs, ctx) {
          check(ctx);
          if (has("create-not-idempotent") && outside.has(key(attrs))) throw new ProviderError("mem.exists", "mem: already exists", false);
          return put(attrs);
        },
        async update(_type, _prior, attrs, ctx) {
          check(ctx);
          if (has("update-ignored")) return { ...attrs, revision: 1 };
          return put(attrs);
        },
        async delete(_type, attrs, ctx) {
          check(ctx);
          if (has("delete-absent-throws") && !outside.has(key(attrs))) throw new ProviderError("mem.not_found", "mem: no such item", false);
          outside.delete(key(attrs));
          cache.delete(key(attrs));
        },
        async close() {},
      };
    },
  };
}

function memCase(outside: Map<string, JsonObject>): ConformanceCase {
  return {
    type: "mem.item",
    goal: { id: "one", color: "red", size: 1 },
    updates: { color: "blue", size: 2 },
    replace: { id: "two" },
    drift: async () => {
      const o = outside.get("one")!;
      outside.set("one", { ...o, color: "green" });
      return { color: "green" };
    },
  };
}

/** Runs every check over a memory provider with `defects`; the names of those that failed, with their messages. */
async function failures(defects: readonly Defect[]): Promise<{ failed: string[]; messages: string[]; left: string[] }> {
  const outside = new Map<string, JsonObject>();
  const checks = conformanceChecks({ provider: memoryProvider(defects, outside), config: {}, env: { projectDir: "/nonexistent" }, cases: [memCase(outside)] });
  const failed: string[] = [];
  const messages: string[] = [];
  for (const c of checks) {
    try {
      await c.run();
    } catch (e) {
      expect(e).toBeInstanceOf(ConformanceFailure);
      failed.push(c.name.replace("mem.item: ", ""));
      messages.push((e as Error).message);
    }
  }
  return { failed, messages, left: [...outside.keys()] };
}

describe("the conformance kit over deliberately broken providers", () => {
  it("passes a correct provider and leaves nothing behind", async () => {
    expect(await failures([])).toEqual({ failed: [], messages: [], left: [] });
  });

  it("a create that refuses an existing object fails the idempotence check", async () => {
    const r = await failures(["create-not-idempotent"]);
    expect(r.failed).toEqual(["a second create of the same goal is accepted and changes nothing"]);
    expect(r.messages[0]).toContain("a second create of the same goal rejected: mem.exists: mem: already exists");
  });

  it("a create that rewrites an identical object fails the idempotence check, naming the attribute", async () => {
    const r = await failures(["create-bumps-on-retry"]);
    expect(r.failed).toEqual(["a second create of the same goal is accepted and changes nothing"]);
    expect(r.messages[0]).toContain("`revision` was 1, is 2");
  });

  it("a delete of an absent object that throws fails the delete check and the replace check does not mask it", async () => {
    const r = await failures(["delete-absent-throws"]);
    expect(r.failed).toEqual(["delete of an absent object succeeds"]);
    expect(r.messages[0]).toContain("delete of an object that never existed rejected: mem.not_found");
    expect(r.left).toEqual([]);
  });

  it("a read that ignores drift fails the drift check only", async () => {
    const r = await failures(["read-ignores-drift"]);
    expect(r.failed).toEqual(["drift made outside is seen by read"]);
    expect(r.messages[0]).toContain('at `color`: expected "green", got "red"');
  });

  it("a provider that ignores an aborted signal fails the abort check", async () => {
    const r = await failures(["ignores-abort"]);
    expect(r.failed).toEqual(["a call whose signal is aborted stops and changes nothing"]);
    expect(r.messages[0]).toContain("create with an already-aborted signal resolved");
    expect(r.left).toEqual([]);
  });

  it("a read of an absent object that is not null fails the checks that read an absent object", async () => {
    const r = await failures(["read-absent-empty"]);
    expect(r.failed).toEqual([
      "replace on identity change",
      "delete of an absent object succeeds",
      "read of an absent object is null",
      "a call whose signal is aborted stops and changes nothing",
    ]);
    expect(r.messages[2]).toBe("mem.item: read of an absent object must return null, got {}");
  });

  it("an update that changes nothing fails each update check on read", async () => {
    const r = await failures(["update-ignored"]);
    expect(r.failed).toEqual(["update of color", "update of size"]);
    expect(r.messages[0]).toContain('read after the update of color differs from the goal at `color`: expected "blue", got "red"');
  });

  it("a provider that drops an attribute on write fails the update that sets it to that value", async () => {
    const r = await failures(["create-drops-attr"]);
    expect(r.failed).toEqual(["update of color"]);
    expect(r.messages[0]).toContain("lacks `color`");
  });

  it("a call that never settles fails its check with a timeout instead of hanging (abort check)", async () => {
    const hanging: Provider = {
      name: "mem",
      types: ["mem.item"],
      configure: () => ({
        read: async () => null,
        create: () => new Promise<never>(() => undefined),
        update: () => new Promise<never>(() => undefined),
        delete: async () => undefined,
        close: async () => undefined,
      }),
    };
    const [check] = conformanceChecks({ provider: hanging, config: {}, env: { projectDir: "/x" }, cases: [{ type: "mem.item", goal: { id: "a" }, updates: {} }] }).filter((c) => c.name.includes("aborted"));
    await expect(check!.run()).rejects.toThrow("create with an already-aborted signal did not settle within 5 s");
  }, 15_000);

  it("a case whose type the provider does not list fails every check", async () => {
    const checks = conformanceChecks({ provider: memoryProvider([], new Map()), config: {}, env: { projectDir: "/x" }, cases: [{ type: "mem.other", goal: { id: "a" }, updates: {} }] });
    for (const c of checks) await expect(c.run()).rejects.toThrow('the provider "mem" does not list this type in provider.types (mem.item)');
  });

  it("never shows a write-only value in a failure message", async () => {
    const outside = new Map<string, JsonObject>();
    const c: ConformanceCase = { type: "mem.item", goal: { id: "one", password: "hunter2-secret" }, updates: {}, writeOnly: ["password"] };
    const checks = conformanceChecks({ provider: memoryProvider(["read-absent-empty", "create-bumps-on-retry"], outside), config: {}, env: { projectDir: "/x" }, cases: [c] });
    const messages: string[] = [];
    for (const check of checks) await check.run().catch((e: Error) => messages.push(e.message));
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) expect(m).not.toContain("hunter2");
  });
});
