import React from "react";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { render } from "ink-testing-library";
import { TraceApp, TRACE_KEYS } from "../../src/cli/ui/trace-view.js";
import { loadRunView } from "../../src/viewer/load.js";
import type { RunView } from "../../src/viewer/model.js";
import { cleanupRepos, makeRepo } from "../e2e/helpers.js";
import { makeTraceFixture } from "../viewer/fixture.js";
import type { TraceFixture } from "../viewer/fixture.js";

let fx: TraceFixture;
let halted: RunView;
let rolledBack: RunView;

beforeAll(async () => {
  fx = await makeTraceFixture();
  const gitdir = join(fx.repo.dir, ".git");
  halted = await loadRunView({ gitdir, branch: "lexum/state", ref: fx.halted });
  rolledBack = await loadRunView({ gitdir, branch: "lexum/state", ref: fx.rolledBack });
});
afterAll(cleanupRepos);

const short = (h: string) => h.replace(/^sha256:/, "").slice(0, 12);
const FAIL_MSG = "update app/sim.object.api failed after 1 attempt: sim.fault: sim: injected error on update of app/sim.object.api (matching call #1)";
/** The message line as ink wraps it at 100 columns. */
const FAIL_MSG_LINES = ["message: update app/sim.object.api failed after 1 attempt: sim.fault: sim: injected error on update", "of app/sim.object.api (matching call #1)"];

/** The app at ink-testing-library's fixed width (100 columns); `press` waits for the next frame (or for a few ticks when a key changes nothing). */
function app(view: RunView) {
  const inst = render(<TraceApp view={view} />);
  const frame = (): string => stripVTControlCharacters(inst.lastFrame() ?? "");
  const press = async (key: string): Promise<string> => {
    const n = inst.frames.length;
    inst.stdin.write(key);
    for (let i = 0; i < 50 && inst.frames.length === n; i++) await new Promise((r) => setImmediate(r));
    return frame();
  };
  return { inst, frame, press };
}

const KEY = { right: "\x1b[C", left: "\x1b[D", home: "\x1b[H", end: "\x1b[F" };

describe("lxm trace terminal view", () => {
  it("shows the first event, then steps with arrows and h/l, and jumps with Home/End", async () => {
    const header = `lxm trace · snapshot ${short(halted.snapshot)} · failed · commit ${short(halted.commit)}`;
    const dbSource = [
      "source base.lxm:7",
      "     5 │   }",
      "     6 │",
      ">    7 │   resource sim.object db {",
      '>    8 │     kind = "database"',
      '>    9 │     name = "main"',
      '>   10 │     spec = { size = "small" }',
      ">   11 │   }",
      "    12 │",
      "    13 │   export db",
    ];
    const first = [
      header,
      "event 1/8 · step 1/2 · domain base · start noop base/sim.object.db",
      "progress: 0/1 actions done · app pending · base running",
      "diff",
      "  (no changes)",
      ...dbSource,
      "causes (none)",
      "resources",
      "  pending app/sim.object.api",
      "  pending app/sim.object.worker",
      "  running base/sim.object.db",
      TRACE_KEYS,
    ].join("\n");
    const second = [
      header,
      "event 2/8 · step 1/2 · domain base · done noop base/sim.object.db",
      "progress: 0/1 actions done · app pending · base running",
      "diff",
      "  (no changes)",
      ...dbSource,
      "causes (none)",
      "resources",
      "  pending   app/sim.object.api",
      "  pending   app/sim.object.worker",
      "  unchanged base/sim.object.db",
      TRACE_KEYS,
    ].join("\n");
    const last = [
      header,
      "event 8/8 · step 2/2 · domain app · domain failed",
      ...FAIL_MSG_LINES,
      "progress: 0/1 actions done · app failed · base quiescent",
      "diff",
      "  (no changes)",
      "source app.lxm:1",
      ">    1 │ domain app {",
      "     2 │   provider sim {",
      '     3 │     world   = "world.json"',
      "causes base",
      "resources",
      "  failed    app/sim.object.api",
      "  pending   app/sim.object.worker",
      "  unchanged base/sim.object.db",
      TRACE_KEYS,
    ].join("\n");

    const a = app(halted);
    expect(a.frame()).toBe(first);
    expect(await a.press(KEY.left)).toBe(first); // nothing before the first event
    expect(await a.press(KEY.right)).toBe(second);
    expect(await a.press("h")).toBe(first);
    expect(await a.press("l")).toBe(second);
    expect(await a.press(KEY.end)).toBe(last);
    expect(await a.press(KEY.right)).toBe(last); // nothing after the last
    expect(await a.press(KEY.home)).toBe(first);
    a.inst.unmount();
  });

  it("f jumps to the first failure: the failed resource, its message, its source and causes", async () => {
    const a = app(halted);
    const at4 = await a.press("l").then(() => a.press("l")).then(() => a.press("l"));
    // The update about to run: the planned change, with the record's computed attributes kept.
    expect(at4).toContain("event 4/8 · step 2/2 · domain app · start update app/sim.object.api\n");
    expect(at4).toContain('diff\n  ~ spec {"db":"main","replicas":1} → {"db":"main","replicas":2}\nsource app.lxm:9\n');
    expect(await a.press("f")).toBe(
      [
        `lxm trace · snapshot ${short(halted.snapshot)} · failed · commit ${short(halted.commit)}`,
        "event 7/8 · step 2/2 · domain app · failed update app/sim.object.api",
        ...FAIL_MSG_LINES,
        "progress: 0/1 actions done · app running · base quiescent",
        "diff",
        "  (no changes)",
        "source app.lxm:9",
        "     7 │   import base.db",
        "     8 │",
        ">    9 │   resource sim.object api {",
        '>   10 │     kind = "service"',
        '>   11 │     name = "api"',
        ">   12 │     spec = { replicas = 2, db = db.name }",
        ">   13 │   }",
        "    14 │",
        "    15 │   resource sim.object worker {",
        "causes base, base/sim.object.db",
        "resources",
        "  failed    app/sim.object.api",
        "  pending   app/sim.object.worker",
        "  unchanged base/sim.object.db",
        TRACE_KEYS,
      ].join("\n"),
    );
    a.inst.unmount();
  });

  it("a rolled-back run: the restored resource shows rolled-back with the diff that restored it; q quits", async () => {
    const a = app(rolledBack);
    expect(await a.press("f")).toContain("event 1/4 "); // no failure in the compensating run: stays put
    const end = await a.press(KEY.end);
    expect(end).toBe(
      [
        `lxm trace · snapshot ${short(rolledBack.snapshot)} · rolled-back · commit ${short(rolledBack.commit)}`,
        "event 4/4 · step 2/2 · domain app · domain rolled-back",
        "progress: 1/1 actions done · app rolled-back",
        "diff",
        "  (no changes)",
        "source app.lxm:1",
        ">    1 │ domain app {",
        "     2 │   provider sim {",
        '     3 │     world   = "world.json"',
        "causes (none)",
        "resources",
        "  rolled-back app/sim.object.api",
        TRACE_KEYS,
      ].join("\n"),
    );
    expect(await a.press(KEY.left)).toContain(
      "event 3/4 · step 2/2 · domain app · done update app/sim.object.api\nprogress: 1/1 actions done · app running\ndiff\n" +
        '  ~ generation 2 → 3\n  ~ spec {"db":"main","replicas":2} → {"db":"main","replicas":1}\n',
    );
    await a.press("q");
    const after = a.frame();
    expect(await a.press(KEY.home)).toBe(after); // unmounted: keys no longer move
    expect(after).toContain("event 3/4 ");
  });
});

describe("lxm trace without a TTY", () => {
  it("prints one line per event, and --json prints trace.jsonl", async () => {
    const r = await fx.repo.lxm(["trace", fx.halted]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `trace of failed snapshot ${short(halted.snapshot)} (commit ${short(fx.halted)}): 8 events`,
        "#1 step 1 base  start  noop base/sim.object.db",
        "#2 step 1 base  done  noop base/sim.object.db",
        "#3 step 1 base  domain  quiescent",
        "#4 step 2 app  start  update app/sim.object.api",
        "#5 step 2 app  observe  update app/sim.object.api (update #1 error sim.fault)",
        "#6 step 2 app  observe  update app/sim.object.api (read #1 ok)",
        `#7 step 2 app  failed  update app/sim.object.api — ${FAIL_MSG}`,
        `#8 step 2 app  domain  failed — ${FAIL_MSG}`,
        "",
      ].join("\n"),
    );
    const head = await fx.repo.lxm(["trace"]);
    expect(head.out.split("\n")[0]).toBe(`trace of rolled-back snapshot ${short(rolledBack.snapshot)} (commit ${short(fx.rolledBack)}): 4 events`);
    const json = await fx.repo.lxm(["trace", "--json", short(halted.snapshot)]);
    expect(json.code).toBe(0);
    expect(json.out).toBe(fx.repo.git("show", `${fx.halted}:trace.jsonl`) + "\n");
  });

  it("names a missing state branch and a bad revision as typed errors", async () => {
    const empty = makeRepo({ "a.lxm": "domain a {\n}\n" });
    const r = await empty.lxm(["trace"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM4210]");
    const bad = await fx.repo.lxm(["trace", "no-such-rev"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/error\[LXM41\d\d\]/);
  });
});
