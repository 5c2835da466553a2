import { describe, expect, it } from "vitest";
import { createLogger, type Logger } from "../../src/sync/log.js";

const T0 = new Date("2025-03-01T12:00:00.000Z");

function capture(now: () => Date = () => T0): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger((l) => lines.push(l), now), lines };
}

describe("lxm-sync log", () => {
  it("writes one JSON line per event: time, level, event, repo, goal, then the rest by name", () => {
    const { log, lines } = capture();
    log("info", "reconciled", { zeta: 1, goal: "a".repeat(40), alpha: "x", repo: "https://h/r#main:.", Beta: true, result: "applied" });
    log("warn", "poll-failed");
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => !l.includes("\n"))).toBe(true);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(["time", "level", "event", "repo", "goal", "Beta", "alpha", "result", "zeta"]);
    expect(first).toEqual({ time: "2025-03-01T12:00:00.000Z", level: "info", event: "reconciled", repo: "https://h/r#main:.", goal: "a".repeat(40), Beta: true, alpha: "x", result: "applied", zeta: 1 });
    expect(JSON.parse(lines[1]!)).toEqual({ time: "2025-03-01T12:00:00.000Z", level: "warn", event: "poll-failed" });
  });

  it("writes the same line for the same fields whatever order they were given in", () => {
    const { log, lines } = capture();
    log("info", "e", { b: 1, repo: "r", a: 2, goal: null });
    log("info", "e", { goal: null, a: 2, repo: "r", b: 1 });
    expect(lines[0]).toBe(lines[1]);
    expect(lines[0]).toBe('{"time":"2025-03-01T12:00:00.000Z","level":"info","event":"e","repo":"r","goal":null,"a":2,"b":1}');
  });

  it("never throws on odd values", () => {
    const { log, lines } = capture();
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle["self"] = cycle;
    const shared = { n: 1 };
    const error = new Error("remote hung up");
    log("error", "odd", {
      big: 12345678901234567890n,
      cycle,
      error,
      nested: { errors: [new TypeError("bad"), 7n], when: new Date(0), bad: new Date(NaN) },
      twice: [shared, shared],
      nan: NaN,
      inf: -Infinity,
      gone: undefined,
      fn: function named() {},
      sym: Symbol("s"),
      map: new Map([["k", 1n]]),
      set: new Set(["x"]),
      bytes: new Uint8Array(3),
      text: "line one\nline two\u2028",
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.split("\n")).toHaveLength(1);
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(o).toEqual({
      time: T0.toISOString(),
      level: "error",
      event: "odd",
      big: "12345678901234567890",
      bytes: "[Uint8Array 3 bytes]",
      cycle: { name: "loop", self: "[Circular]" },
      error: "remote hung up",
      fn: "[function named]",
      inf: "-Infinity",
      map: { k: "1" },
      nan: "NaN",
      nested: { errors: ["bad", "7"], when: "1970-01-01T00:00:00.000Z", bad: "Invalid Date" },
      set: ["x"],
      sym: "Symbol(s)",
      text: "line one\nline two\u2028",
      twice: [{ n: 1 }, { n: 1 }],
    });
    expect("gone" in o).toBe(false);
  });

  it("says so instead of throwing when a value cannot be read, and keeps its own keys first", () => {
    const { log, lines } = capture();
    const hostile = {
      get boom(): string {
        throw new Error("getter exploded");
      },
    };
    log("warn", "hostile", { repo: "r", hostile });
    log("info", "json", { v: { toJSON: () => { throw new Error("toJSON exploded"); } } });
    log("info", "clash", { time: "mine", level: "debug", event: "other", repo: "r" });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: T0.toISOString(), level: "warn", event: "hostile", logError: "getter exploded" },
      { time: T0.toISOString(), level: "info", event: "json", logError: "toJSON exploded" },
      { time: T0.toISOString(), level: "info", event: "clash", repo: "r", "field.event": "other", "field.level": "debug", "field.time": "mine" },
    ]);
  });

  it("survives a clock that gives an invalid date, and deep nesting", () => {
    const { log, lines } = capture(() => new Date(NaN));
    let deep: unknown = "bottom";
    for (let i = 0; i < 20; i++) deep = { d: deep };
    log("info", "deep", { deep });
    const o = JSON.parse(lines[0]!) as { time: string; deep: unknown };
    expect(o.time).toBe("invalid-time");
    expect(JSON.stringify(o.deep)).toBe('{"d":'.repeat(8) + '"[…]"' + "}".repeat(8));
  });
});
