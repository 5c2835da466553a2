import React from "react";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { render } from "ink-testing-library";
import { TraceApp, TRACE_KEYS } from "../../src/cli/ui/trace-view.js";
import { loadRunView } from "../../src/viewer/load.js";
import { frameAt } from "../../src/viewer/model.js";
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
        "event 4/4 · step 1/1 · domain app · domain rolled-back",
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
      "event 3/4 · step 1/1 · domain app · done update app/sim.object.api\nprogress: 1/1 actions done · app running\ndiff\n" +
        '  ~ generation 2 → 3\n  ~ spec {"db":"main","replicas":2} → {"db":"main","replicas":1}\n',
    );
    await a.press("q");
    const after = a.frame();
    expect(await a.press(KEY.home)).toBe(after); // unmounted: keys no longer move
    expect(after).toContain("event 3/4 ");
  });
});

// ---- a screen of 80×24 or 120×40 and a run of 200 instances ----------------------------------

// A hub and 200 `node` instances; the goal's second assertion fails on a read-back value.
const FLEET_LXM = `domain fleet {
  provider sim {
    world   = "world.json"
    latency = 0ms
  }

  resource sim.object hub {
    kind = "hub"
    name = "hub"
    spec = { note = "hello" }
  }

  resource sim.object node for i in range(200) {
    kind = "node"
    name = "n\${i}"
    spec = { i = i, hub = hub.name }
  }

  goal sized {
    assert len(node) == 200 : "two hundred nodes"
    assert hub.generation > 5 : "the hub is too young"
  }
}
`;

/** The app fitted to a screen of `columns`×`rows` (ink lays it out at that width too). */
function sized(view: RunView, columns: number, rows: number) {
  const size = { columns, rows };
  const a = app(view);
  Object.defineProperty(a.inst.stdout, "columns", { get: () => columns });
  a.inst.rerender(<TraceApp view={view} size={size} />);
  return a;
}

/** Whatever the event and the list's state: the header on top, every line within the width, the whole within the height (one line left for the cursor). */
function expectFits(frame: string, columns: number, rows: number): void {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(columns);
  expect(lines[0]).toMatch(/^lxm trace · snapshot [0-9a-f]{12} · failed · commit [0-9a-f]{12}$/);
  expect(lines[1]).toMatch(/^event \d+\/\d+ · step /);
}

describe("lxm trace terminal view on a small screen, 200 instances", () => {
  let fleet: RunView;
  let header: string;
  let repo: ReturnType<typeof makeRepo>;
  beforeAll(async () => {
    repo = makeRepo({ ".gitignore": "world.json\n", "fleet.lxm": FLEET_LXM });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(1);
    fleet = await loadRunView({ gitdir: join(repo.dir, ".git"), branch: "lexum/state" });
    expect(Object.keys(frameAt(fleet, 0).resources)).toHaveLength(201);
    header = `lxm trace · snapshot ${short(fleet.snapshot)} · failed · commit ${short(fleet.commit)}`;
  });

  const keys80 = ["←/h →/l event · Home/End · f failure", "↑/k ↓/j PgUp/PgDn scroll · x fold · +/- all · q quit"];

  it("at 80×24: instances folded under their resource, the list windowed around the selection, natural order", async () => {
    const a = sized(fleet, 80, 24);
    expect(a.frame()).toBe(
      [
        header,
        "event 1/807 · step 1/1 · domain fleet · start create fleet/sim.object.hub",
        "progress: 0/201 actions done · fleet running",
        "diff",
        '  + kind "hub"',
        '  + name "hub"',
        '  + spec {"note":"hello"}',
        "source fleet.lxm:7",
        "     6 │",
        ">    7 │   resource sim.object hub {",
        '>    8 │     kind = "hub"',
        '>    9 │     name = "hub"',
        '>   10 │     spec = { note = "hello" }',
        "causes (none)",
        "resources",
        "  running fleet/sim.object.hub",
        "  pending fleet/sim.object.node[…] 200 instances (200 pending) ▸",
        ...keys80,
      ].join("\n"),
    );
    // Each create reads first, then creates: start, two observations, done.
    for (let k = 0; k < 7; k++) await a.press("l");
    // The event's instance is listed under its folded resource.
    expect(a.frame()).toContain(
      ["resources", "  done  fleet/sim.object.hub", "  mixed fleet/sim.object.node[…] 200 instances (199 pending, 1 done) ▸", "  done    fleet/sim.object.node[0]", ...keys80].join("\n"),
    );
    // + unfolds every group: the list is windowed around the selection.
    expect(await a.press("+")).toBe(
      [
        header,
        "event 8/807 · step 1/1 · domain fleet · done create fleet/sim.object.node[0]",
        "progress: 2/201 actions done · fleet running",
        "diff",
        "  + generation 1",
        '  + kind "node"',
        "  … 3 more attributes",
        "source fleet.lxm:13",
        "    12 │",
        ">   13 │   resource sim.object node for i in range(200) {",
        '>   14 │     kind = "node"',
        '>   15 │     name = "n${i}"',
        ">   16 │     spec = { i = i, hub = hub.name }",
        "causes fleet/sim.object.hub",
        "resources",
        "  … 1 more",
        "  mixed   fleet/sim.object.node[…] 200 instances (199 pending, 1 done)",
        "  done      fleet/sim.object.node[0]",
        "  pending   fleet/sim.object.node[1]",
        "  pending   fleet/sim.object.node[2]",
        "  … 197 more",
        ...keys80,
      ].join("\n"),
    );
    // j scrolls the list one row; PgDn a page; the header stays.
    expect(await a.press("j")).toContain("resources\n  … 2 more\n  done      fleet/sim.object.node[0]\n");
    const paged = await a.press("\x1b[6~");
    expectFits(paged, 80, 24);
    expect(paged).toMatch(/resources\n  … \d+ more\n  pending   fleet\/sim\.object\.node\[\d+\]\n/);
    // Natural order: node[9] then node[10].
    for (let k = 0; k < 3; k++) await a.press("j");
    const all: string[] = [];
    for (let k = 0; k < 60; k++) all.push(...(await a.press("j")).split("\n").filter((l) => l.includes("node[")));
    const order = [...new Set(all.map((l) => Number(/node\[(\d+)\]$/.exec(l)?.[1] ?? -1)).filter((n) => n >= 0))];
    expect(order).toEqual([...order].sort((x, y) => x - y));
    // - folds them again.
    expect(await a.press("-")).toContain("  mixed fleet/sim.object.node[…] 200 instances (199 pending, 1 done) ▸\n  done    fleet/sim.object.node[0]\n");
    a.inst.unmount();
  });

  it("fits every frame at 80×24 and at 120×40, whatever the keys", async () => {
    for (const [columns, rows] of [
      [80, 24],
      [120, 40],
    ] as const) {
      const a = sized(fleet, columns, rows);
      expectFits(a.frame(), columns, rows);
      for (const key of ["l", "l", "+", "j", "\x1b[6~", "\x1b[6~", "f", "x", "x", "k", "\x1b[5~", KEY.end, "-", KEY.home, "x", "+", "\x1b[6~"]) {
        expectFits(await a.press(key), columns, rows);
      }
      a.inst.unmount();
    }
  });

  it("at 120×40: a failed assertion with its location, expression and operands", async () => {
    // The runtime records the expression and its operands on assert events; this run's are set here.
    const failure = fleet.events.findIndex((e) => e.phase === "assert" && e.ok === false);
    const events = fleet.events.map((e, i) => (i === failure ? { ...e, expr: "hub.generation > 5", operands: [{ text: "hub.generation", value: 1 }] } : e));
    const view = { ...fleet, events };
    const a = sized(view, 120, 40);
    expect(await a.press("f")).toBe(
      [
        header,
        `event ${failure + 1}/807 · step 1/1 · domain fleet · assert goal sized, assertion 2 FAILED`,
        "message: goal fleet.sized, assertion 2 failed: the hub is too young",
        "location: fleet.lxm:21:5",
        "expression: hub.generation > 5",
        "  hub.generation = 1",
        "progress: 201/201 actions done · fleet running",
        "diff",
        "  (no changes)",
        "source fleet.lxm:21",
        "    19 │   goal sized {",
        '    20 │     assert len(node) == 200 : "two hundred nodes"',
        '>   21 │     assert hub.generation > 5 : "the hub is too young"',
        "    22 │   }",
        "    23 │ }",
        "causes (none)",
        "resources",
        "  done fleet/sim.object.hub",
        "  done fleet/sim.object.node[…] 200 instances (200 done) ▸",
        `  done   ${fleet.events.slice(0, failure).reverse().find((e) => e.address !== undefined)!.address}`,
        TRACE_KEYS,
      ].join("\n"),
    );
    a.inst.unmount();
  });

  it("without a TTY, a broken assertion's line is followed by its detail, numbered from 1", async () => {
    const failure = fleet.events.findIndex((e) => e.phase === "assert" && e.ok === false);
    const r = await repo.lxm(["trace"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `\n#${failure + 1} step 1 fleet  assert  goal sized, assertion 2 FAILED — goal fleet.sized, assertion 2 failed: the hub is too young\n    location: fleet.lxm:21:5\n    expression: hub.generation > 5\n      hub.generation = 1\n#${failure + 2} step 1 fleet  domain  failed — goal fleet.sized, assertion 2 failed: the hub is too young\n`,
    );
    expect(r.out).toContain(`\n#${failure} step 1 fleet  assert  goal sized, assertion 1 ok — two hundred nodes\n#${failure + 1} `);
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
