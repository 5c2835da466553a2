import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LexumError } from "../../src/diag/diagnostic.js";
import { createSimProvider, resolveSimConfig, secretDigest, simProvider, simUid } from "../../src/providers/sim/provider.js";
import { parseWorld, readWorld, serializeWorld, worldLogPath, type SimObject } from "../../src/providers/sim/world.js";
import { ProviderError, type CallContext, type ProviderInstance } from "../../src/providers/types.js";

const ctx = (over: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, attempt: 1, ...over });

let dir: string;
const open: ProviderInstance[] = [];

function sim(config: Record<string, unknown> = {}, provider = simProvider): ProviderInstance {
  const p = provider.configure({ world: "world.json", ...config } as never, { projectDir: dir });
  open.push(p);
  return p;
}

// The world as a provider opening it would see it: world.json with its change log applied.
async function world(): Promise<{ format: string; objects: Record<string, Record<string, unknown>> }> {
  const w = readWorld(join(dir, "world.json"));
  if (typeof w === "string") throw new Error(w);
  return { format: "lexum.sim/v1", objects: Object.fromEntries(w) as unknown as Record<string, Record<string, unknown>> };
}

// What world.json alone holds (after a close has folded the change log into it).
async function worldFile(): Promise<{ format: string; objects: Record<string, Record<string, unknown>> }> {
  return JSON.parse(await readFile(join(dir, "world.json"), "utf8"));
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

// Resolves true if `p` is still pending after every queued callback and I/O poll ran once.
async function pending(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return !done;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lexum-sim-"));
});

afterEach(async () => {
  vi.useRealTimers();
  for (const p of open.splice(0)) await p.close();
  await rm(dir, { recursive: true, force: true });
});

describe("sim configuration", () => {
  it("resolves world against the project directory unless absolute, with defaults", () => {
    expect(resolveSimConfig({ world: "w/world.json" }, { projectDir: "/p" })).toEqual({ world: "/p/w/world.json", latency: 0, faults: [] });
    expect(resolveSimConfig({ world: "/abs/w.json", latency: 5 }, { projectDir: "/p" }).world).toBe("/abs/w.json");
  });

  it.each([
    [{}, "world"],
    [{ world: "w", latency: -1 }, "latency"],
    [{ world: "w", latency: 1.5 }, "latency"],
    [{ world: "w", faults: [{ kind: "boom" }] }, "faults[0].kind"],
    [{ world: "w", faults: [{ kind: "error", op: "list" }] }, "faults[0].op"],
    [{ world: "w", faults: [{ kind: "error" }, { kind: "error", call: 0 }] }, "faults[1].call"],
    [{ world: "w", faults: [{ kind: "error", times: 0 }] }, "faults[0].times"],
    [{ world: "w", faults: [{ kind: "error", when: 1 }] }, "faults[0].when"],
    [{ world: "w", colour: "red" }, "colour"],
  ])("rejects %j naming %s (LXM4900)", (config, attr) => {
    try {
      resolveSimConfig(config as never, { projectDir: "/p" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LexumError);
      expect((e as LexumError).code).toBe("LXM4900");
      expect((e as LexumError).message).toContain(`provider sim: ${attr} `);
    }
  });

  it("rejects a world file that is not a lexum.sim/v1 world (LXM4901), and an empty one", async () => {
    await writeFile(join(dir, "world.json"), JSON.stringify({ format: "other", objects: {} }));
    expect(() => sim()).toThrow(/format must be "lexum.sim\/v1"/);
    await writeFile(join(dir, "world.json"), "");
    try {
      sim();
      expect.unreachable();
    } catch (e) {
      expect((e as LexumError).code).toBe("LXM4901");
    }
    await writeFile(join(dir, "world.json"), JSON.stringify({ format: "lexum.sim/v1", objects: { "a/b": { kind: "a", name: "c", spec: {}, uid: "u", generation: 1 } } }));
    expect(() => sim()).toThrow(/keyed wrongly/);
  });
});

describe("sim.object", () => {
  it("create / read / update / delete with uid and generation, persisted in the world file", async () => {
    const s = sim();
    expect(await s.read("sim.object", { kind: "svc", name: "api" }, ctx())).toBeNull();
    const created = await s.create("sim.object", { kind: "svc", name: "api", spec: { replicas: 2 } }, ctx());
    expect(created).toEqual({ kind: "svc", name: "api", spec: { replicas: 2 }, uid: simUid("svc", "api"), generation: 1 });
    expect(created.uid).toMatch(/^[0-9a-f]{16}$/);
    expect((await world()).objects["svc/api"]).toEqual({ kind: "svc", name: "api", spec: { replicas: 2 }, uid: created.uid, generation: 1 });

    // An update that changes nothing keeps the generation; a real change bumps it.
    expect((await s.update("sim.object", created, { kind: "svc", name: "api", spec: { replicas: 2 } }, ctx())).generation).toBe(1);
    const updated = await s.update("sim.object", created, { kind: "svc", name: "api", spec: { replicas: 3 } }, ctx());
    expect(updated).toEqual({ ...created, spec: { replicas: 3 }, generation: 2 });
    expect(await s.read("sim.object", { kind: "svc", name: "api" }, ctx())).toEqual(updated);
    expect((await world()).objects["svc/api"]!.generation).toBe(2);

    await s.delete("sim.object", { kind: "svc", name: "api" }, ctx());
    expect(await s.read("sim.object", { kind: "svc", name: "api" }, ctx())).toBeNull();
    expect((await world()).objects).toEqual({});
    // Delete of an absent object succeeds.
    await s.delete("sim.object", { kind: "svc", name: "api" }, ctx());
    await s.close();
    expect(await worldFile()).toEqual({ format: "lexum.sim/v1", objects: {} });
    expect(await readdir(dir)).toEqual(["world.json"]);
  });

  it("a retried create of an identical object succeeds without a new generation", async () => {
    const s = sim();
    const a = await s.create("sim.object", { kind: "k", name: "n", spec: { x: [1, { y: 2 }] } }, ctx());
    const b = await s.create("sim.object", { kind: "k", name: "n", spec: { x: [1, { y: 2 }] } }, ctx({ attempt: 2 }));
    expect(b).toEqual(a);
    expect(b.generation).toBe(1);
    // A create over a different existing object converges it.
    const c = await s.create("sim.object", { kind: "k", name: "n", spec: {} }, ctx());
    expect(c).toEqual({ ...a, spec: {}, generation: 2 });
  });

  it("the uid is derived from kind and name only", async () => {
    const s = sim();
    const a = await s.create("sim.object", { kind: "k", name: "n" }, ctx());
    await s.delete("sim.object", { kind: "k", name: "n" }, ctx());
    const b = await s.create("sim.object", { kind: "k", name: "n", spec: { other: true } }, ctx());
    expect(b.uid).toBe(a.uid);
    // Pinned: docs/providers.md shows this uid for service/api.
    expect(simUid("service", "api")).toBe("2032ef840a1ecb0d");
    expect(simUid("k", "n")).not.toBe(simUid("k", "m"));
    expect(simUid("k", "n")).not.toBe(simUid("n", "k"));
  });

  it("never stores the secret in clear; reads back its digest; a changed secret bumps the generation", async () => {
    const s = sim();
    const a = await s.create("sim.object", { kind: "db", name: "main", secret: "hunter2" }, ctx());
    expect(a.secret).toBe(secretDigest("hunter2"));
    expect(a.secret).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await readFile(join(dir, "world.json.log"), "utf8")).not.toContain("hunter2");
    expect((await world()).objects["db/main"]!.secretDigest).toBe(secretDigest("hunter2"));

    expect((await s.update("sim.object", a, { kind: "db", name: "main", secret: "hunter2" }, ctx())).generation).toBe(1);
    const b = await s.update("sim.object", a, { kind: "db", name: "main", secret: "hunter3" }, ctx());
    expect(b.generation).toBe(2);
    expect(b.secret).toBe(secretDigest("hunter3"));
    // Dropping the secret removes the digest.
    const c = await s.update("sim.object", b, { kind: "db", name: "main" }, ctx());
    expect(c.generation).toBe(3);
    expect("secret" in c).toBe(false);
    expect((await world()).objects["db/main"]!.secretDigest).toBeUndefined();
    expect(await readFile(join(dir, "world.json.log"), "utf8")).not.toMatch(/hunter[23]/);
    await s.close();
    expect(await readFile(join(dir, "world.json"), "utf8")).not.toMatch(/hunter[23]/);
  });

  it("rejects malformed identity and spec as permanent errors", async () => {
    const s = sim();
    expect((await rejection(s.create("sim.object", { kind: "a/b", name: "n" }, ctx()))).code).toBe("sim.invalid_attr");
    expect((await rejection(s.create("sim.object", { kind: "k" }, ctx()))).code).toBe("sim.invalid_attr");
    const e = await rejection(s.create("sim.object", { kind: "k", name: "n", spec: [1] }, ctx()));
    expect([e.code, e.retryable]).toEqual(["sim.invalid_attr", false]);
    expect((await rejection(s.read("sim.thing", { kind: "k", name: "n" }, ctx()))).code).toBe("sim.unknown_type");
  });

  it("writes the world file deterministically, sorted, with no temp files left", async () => {
    const s = sim();
    await s.create("sim.object", { kind: "b", name: "2", spec: { z: 1, a: 2 } }, ctx());
    await s.create("sim.object", { kind: "a", name: "1" }, ctx());
    await s.close();
    const text = await readFile(join(dir, "world.json"), "utf8");
    expect(text).toBe(
      [
        "{",
        '  "format": "lexum.sim/v1",',
        '  "objects": {',
        '    "a/1": {',
        '      "generation": 1,',
        '      "kind": "a",',
        '      "name": "1",',
        '      "spec": {},',
        `      "uid": "${simUid("a", "1")}"`,
        "    },",
        '    "b/2": {',
        '      "generation": 1,',
        '      "kind": "b",',
        '      "name": "2",',
        '      "spec": {',
        '        "a": 2,',
        '        "z": 1',
        "      },",
        `      "uid": "${simUid("b", "2")}"`,
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    expect(await readdir(dir)).toEqual(["world.json"]);
  });

  it("the incrementally assembled file equals a fresh serialization of the world", async () => {
    const s = sim();
    for (const n of ["b", "a", "c"]) await s.create("sim.object", { kind: "k", name: n, spec: { n }, secret: n }, ctx());
    await s.delete("sim.object", { kind: "k", name: "c" }, ctx());
    await s.close();
    const text = await readFile(join(dir, "world.json"), "utf8");
    const parsed = parseWorld(text);
    expect(typeof parsed).not.toBe("string");
    expect(serializeWorld(parsed as Map<string, SimObject>)).toBe(text);
    expect(Object.keys((await world()).objects)).toEqual(["k/a", "k/b"]);
  });

  it("picks up edits made to the world file behind its back (drift)", async () => {
    const s = sim();
    await s.create("sim.object", { kind: "k", name: "n", spec: { v: 1 } }, ctx());
    const w = await world();
    w.objects["k/n"]!.spec = { v: 99 };
    await writeFile(join(dir, "world.json"), JSON.stringify(w));
    expect((await s.read("sim.object", { kind: "k", name: "n" }, ctx()))?.spec).toEqual({ v: 99 });
    await writeFile(join(dir, "world.json"), "{ broken");
    expect((await rejection(s.read("sim.object", { kind: "k", name: "n" }, ctx()))).code).toBe("sim.world_invalid");
  });
});

describe("sim change log", () => {
  it("a change reaches world.json.log before the call returns; the file is written when the last instance closes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }); // no idle fold in between
    const s = sim();
    await s.create("sim.object", { kind: "k", name: "a", spec: { v: 1 } }, ctx());
    await s.create("sim.object", { kind: "k", name: "b" }, ctx());
    await s.delete("sim.object", { kind: "k", name: "b" }, ctx());
    expect(await readdir(dir)).toEqual(["world.json.log"]);
    const lines = (await readFile(join(dir, "world.json.log"), "utf8")).split("\n");
    expect(lines).toHaveLength(4); // three changes and the final newline
    expect(JSON.parse(lines[0]!)).toEqual({ set: { kind: "k", name: "a", spec: { v: 1 }, uid: simUid("k", "a"), generation: 1 } });
    expect(JSON.parse(lines[2]!)).toEqual({ remove: "k/b" });
    await s.close();
    expect(await readdir(dir)).toEqual(["world.json"]);
    expect(Object.keys((await worldFile()).objects)).toEqual(["k/a"]);
  });

  it("folds the log into the file once the world has had no change for 100 ms, and not again on close", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const s = sim();
    await s.create("sim.object", { kind: "k", name: "a" }, ctx());
    await vi.advanceTimersByTimeAsync(60);
    await s.create("sim.object", { kind: "k", name: "b" }, ctx()); // a change restarts the wait
    await vi.advanceTimersByTimeAsync(60);
    expect(await readdir(dir)).toEqual(["world.json.log"]);
    await vi.advanceTimersByTimeAsync(40);
    for (let i = 0; i < 100 && !(await readdir(dir)).includes("world.json"); i++) await new Promise((r) => setImmediate(r));
    expect(Object.keys((await worldFile()).objects)).toEqual(["k/a", "k/b"]);
    expect(await readFile(join(dir, "world.json.log"), "utf8")).toBe("");
    const before = (await import("node:fs")).statSync(join(dir, "world.json")).ino;
    await s.close();
    expect(await readdir(dir)).toEqual(["world.json"]);
    expect((await import("node:fs")).statSync(join(dir, "world.json")).ino).toBe(before); // not rewritten
  });

  it("a change made while the log is being folded is not lost (it goes to the emptied log)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const s = sim();
    await s.create("sim.object", { kind: "k", name: "a" }, ctx());
    await vi.advanceTimersByTimeAsync(100); // the idle fold starts: its file write is in flight
    const b = s.create("sim.object", { kind: "k", name: "b" }, ctx());
    await b;
    for (let i = 0; i < 100 && !(await readdir(dir)).includes("world.json"); i++) await new Promise((r) => setImmediate(r));
    expect(Object.keys((await world()).objects)).toEqual(["k/a", "k/b"]);
    await s.close();
    expect(Object.keys((await worldFile()).objects)).toEqual(["k/a", "k/b"]);
  });

  it("a log left by a killed process is applied on opening (a torn last line ignored), left alone by a reader and folded by the next writer", async () => {
    const rec = (name: string, generation: number) => ({ kind: "k", name, spec: {}, uid: simUid("k", name), generation });
    await writeFile(join(dir, "world.json"), serializeWorld(new Map([["k/a", rec("a", 1)], ["k/b", rec("b", 1)]])));
    await writeFile(worldLogPath(join(dir, "world.json")), [JSON.stringify({ set: rec("a", 2) }), JSON.stringify({ remove: "k/b" }), JSON.stringify({ set: rec("c", 1) }), '{"set":{"kind":"k","na'].join("\n"));
    const s = sim();
    expect((await s.read("sim.object", { kind: "k", name: "a" }, ctx()))?.generation).toBe(2);
    expect(await s.read("sim.object", { kind: "k", name: "b" }, ctx())).toBeNull();
    expect(await s.read("sim.object", { kind: "k", name: "c" }, ctx())).not.toBeNull();
    await s.close();
    // Only read: the log may be another process's, still appending (a `--refresh` plan while
    // an apply runs); folding it here would lose that process's later changes.
    expect(await readdir(dir)).toEqual(["world.json", "world.json.log"]);
    const w = sim();
    await w.create("sim.object", { kind: "k", name: "d", spec: {} }, ctx());
    await w.close();
    expect(await readdir(dir)).toEqual(["world.json"]);
    expect(Object.keys((await worldFile()).objects)).toEqual(["k/a", "k/c", "k/d"]);
  });

  it("refuses a log with a bad line before its last (LXM4901)", async () => {
    await writeFile(worldLogPath(join(dir, "world.json")), 'not json\n{"remove":"k/a"}\n');
    const e = (() => {
      try {
        sim();
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(LexumError);
    expect((e as LexumError).code).toBe("LXM4901");
    expect((e as LexumError).message).toContain("line 1 of the change log");
  });

  it("folds a log that outgrew the file while the world stays open", async () => {
    const s = sim();
    const big = "x".repeat(64 * 1024);
    for (let i = 0; i < 20; i++) await s.create("sim.object", { kind: "k", name: `n${i}`, spec: { big, i } }, ctx());
    // 20 x 64 KB logged passes 1 MiB: the file now holds the world and the log restarted.
    expect(Object.keys((await worldFile()).objects).length).toBeGreaterThanOrEqual(16);
    expect((await readFile(join(dir, "world.json.log"), "utf8")).length).toBeLessThan(5 * 64 * 1024);
    expect(Object.keys((await world()).objects)).toHaveLength(20);
  });

  it("a log another process folded and removed meanwhile: the edited file is read, no error", async () => {
    const rec = (name: string) => ({ kind: "k", name, spec: {}, uid: simUid("k", name), generation: 1 });
    await writeFile(join(dir, "world.json"), serializeWorld(new Map([["k/a", rec("a")]])));
    await writeFile(worldLogPath(join(dir, "world.json")), JSON.stringify({ set: rec("b") }) + "\n");
    const s = sim();
    expect(await s.read("sim.object", { kind: "k", name: "b" }, ctx())).not.toBeNull();
    // The other process folds its log into the file and removes the log.
    await writeFile(join(dir, "world.json"), serializeWorld(new Map([["k/a", rec("a")], ["k/b", rec("b")], ["k/c", rec("c")]])));
    await rm(worldLogPath(join(dir, "world.json")));
    expect(await s.read("sim.object", { kind: "k", name: "c" }, ctx())).not.toBeNull();
    await s.close();
  });

  it("an edit of world.json during a run is the whole world: the log is emptied so it cannot replay over it", async () => {
    const s = sim();
    await s.create("sim.object", { kind: "k", name: "a" }, ctx());
    await writeFile(join(dir, "world.json"), serializeWorld(new Map()));
    expect(await s.read("sim.object", { kind: "k", name: "a" }, ctx())).toBeNull();
    expect((await world()).objects).toEqual({});
    await s.close();
    expect((await worldFile()).objects).toEqual({});
  });
});

describe("sim shared world", () => {
  it("two instances on the same file share one world and lose no parallel writes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }); // no idle fold in between
    const a = sim();
    const b = sim({ world: join(dir, "world.json") });
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      calls.push(a.create("sim.object", { kind: "a", name: `n${i}`, spec: { i } }, ctx()));
      calls.push(b.create("sim.object", { kind: "b", name: `n${i}`, spec: { i } }, ctx()));
    }
    await Promise.all(calls);
    expect(Object.keys((await world()).objects)).toHaveLength(80);
    expect(await b.read("sim.object", { kind: "a", name: "n7" }, ctx())).toMatchObject({ spec: { i: 7 } });
    // Parallel updates of one object through both instances: every one counts.
    const ups: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      const p = i % 2 === 0 ? a : b;
      ups.push(p.update("sim.object", {}, { kind: "a", name: "n0", spec: { round: i } }, ctx()));
    }
    await Promise.all(ups);
    expect((await world()).objects["a/n0"]!.generation).toBe(11);
    // Closing one instance makes its changes durable; the last one folds the log into the file.
    await a.close();
    expect(await readdir(dir)).toEqual(["world.json.log"]);
    await b.close();
    expect(await readdir(dir)).toEqual(["world.json"]);
    expect(Object.keys((await worldFile()).objects)).toHaveLength(80);
  });

  it("after every instance closed, a new one re-reads the file", async () => {
    const a = sim();
    await a.create("sim.object", { kind: "k", name: "n" }, ctx());
    await a.close();
    const w = await world();
    delete w.objects["k/n"];
    await writeFile(join(dir, "world.json"), JSON.stringify(w));
    const b = sim();
    expect(await b.read("sim.object", { kind: "k", name: "n" }, ctx())).toBeNull();
  });
});

describe("sim latency", () => {
  it("waits the configured latency before answering", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const s = sim({ latency: 1000 });
    let done = false;
    const p = s.read("sim.object", { kind: "k", name: "n" }, ctx()).then((v) => {
      done = true;
      return v;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await p).toBeNull();
    expect(done).toBe(true);
  });

  it("splits the latency around the effect: an abort on the way back keeps the effect (a lost response)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const s = sim({ latency: 1000 });
    const ac = new AbortController();
    const p = s.create("sim.object", { kind: "k", name: "n" }, ctx({ signal: ac.signal }));
    p.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(499);
    // Halfway there: nothing has happened to the world yet.
    await expect(readdir(dir)).resolves.toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    // The effect is applied and written while the response travels back.
    for (let i = 0; i < 100 && !(await readdir(dir)).includes("world.json.log"); i++) await new Promise((r) => setImmediate(r));
    expect(Object.keys((await world()).objects)).toEqual(["k/n"]);
    ac.abort();
    const e = await rejection(p);
    expect(e.code).toBe("timeout");
    // The retry finds the object already there and succeeds without a new generation.
    const retry = s.create("sim.object", { kind: "k", name: "n" }, ctx({ attempt: 2 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect((await retry).generation).toBe(1);
  });

  it("an abort during the latency rejects promptly with a retryable timeout and changes nothing", async () => {
    const s = sim({ latency: 3_600_000 });
    const ac = new AbortController();
    const p = s.create("sim.object", { kind: "k", name: "n" }, ctx({ signal: ac.signal }));
    expect(await pending(p)).toBe(true);
    ac.abort();
    const e = await rejection(p);
    expect([e.code, e.retryable]).toEqual(["timeout", true]);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("sim faults", () => {
  it("error: fails matching calls `call`..`call+times-1` with a retryable sim.fault, others pass", async () => {
    const s = sim({ faults: [{ op: "create", kind: "error", call: 2, times: 2 }] });
    const results: string[] = [];
    for (let i = 1; i <= 4; i++) {
      try {
        await s.create("sim.object", { kind: "k", name: `n${i}` }, ctx());
        results.push("ok");
      } catch (e) {
        expect(e).toBeInstanceOf(ProviderError);
        expect((e as ProviderError).retryable).toBe(true);
        results.push((e as ProviderError).code);
      }
      // Reads do not match an op:create fault and do not advance its count.
      await s.read("sim.object", { kind: "k", name: "x" }, ctx());
    }
    expect(results).toEqual(["ok", "sim.fault", "sim.fault", "ok"]);
    expect(Object.keys((await world()).objects)).toEqual(["k/n1", "k/n4"]);
  });

  it("error without `call` fails the first matching call only; the retry succeeds", async () => {
    const s = sim({ faults: [{ kind: "error" }] });
    const e = await rejection(s.create("sim.object", { kind: "k", name: "n" }, ctx()));
    expect(e.code).toBe("sim.fault");
    expect((await s.create("sim.object", { kind: "k", name: "n" }, ctx({ attempt: 2 }))).generation).toBe(1);
  });

  it("matches by address when given", async () => {
    const s = sim({ faults: [{ address: "d/sim.object.b", kind: "error", times: 5 }] });
    await s.create("sim.object", { kind: "k", name: "a" }, ctx({ address: "d/sim.object.a" }));
    const e = await rejection(s.create("sim.object", { kind: "k", name: "b" }, ctx({ address: "d/sim.object.b" })));
    expect(e.message).toContain("d/sim.object.b");
    await s.create("sim.object", { kind: "k", name: "c" }, ctx());
    expect(Object.keys((await world()).objects)).toEqual(["k/a", "k/c"]);
  });

  it("timeout: the call hangs until the signal aborts, then rejects with a retryable timeout", async () => {
    const s = sim({ faults: [{ op: "update", kind: "timeout" }] });
    await s.create("sim.object", { kind: "k", name: "n", spec: { v: 1 } }, ctx());
    const ac = new AbortController();
    const p = s.update("sim.object", {}, { kind: "k", name: "n", spec: { v: 2 } }, ctx({ signal: ac.signal }));
    expect(await pending(p)).toBe(true);
    ac.abort();
    const e = await rejection(p);
    expect([e.code, e.retryable]).toEqual(["timeout", true]);
    expect((await world()).objects["k/n"]!.spec).toEqual({ v: 1 });
    // times = 1: the retry goes through.
    expect((await s.update("sim.object", {}, { kind: "k", name: "n", spec: { v: 2 } }, ctx())).generation).toBe(2);
  });

  it("crash: kills the process with SIGKILL before touching the world", async () => {
    const kill = vi.fn();
    const provider = createSimProvider({ kill });
    const s = sim({ faults: [{ op: "delete", kind: "crash" }] }, provider);
    await s.create("sim.object", { kind: "k", name: "n" }, ctx());
    expect(kill).not.toHaveBeenCalled();
    const e = await rejection(s.delete("sim.object", { kind: "k", name: "n" }, ctx()));
    expect(kill).toHaveBeenCalledTimes(1);
    expect(kill).toHaveBeenCalledWith(process.pid, "SIGKILL");
    expect(e.code).toBe("sim.crash");
    expect(Object.keys((await world()).objects)).toEqual(["k/n"]);
  });

  it("counts calls per configured block: a fresh block starts from zero", async () => {
    const faults = [{ op: "read", kind: "error" }];
    const a = sim({ faults });
    expect((await rejection(a.read("sim.object", { kind: "k", name: "n" }, ctx()))).code).toBe("sim.fault");
    expect(await a.read("sim.object", { kind: "k", name: "n" }, ctx())).toBeNull();
    const b = sim({ faults });
    expect((await rejection(b.read("sim.object", { kind: "k", name: "n" }, ctx()))).code).toBe("sim.fault");
  });
});
