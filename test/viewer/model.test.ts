import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { LexumError } from "../../src/diag/diagnostic.js";
import { loadRunView } from "../../src/viewer/load.js";
import { assertionLabel, eventDetail, eventTitle, firstFailureIndex, frameAt, graphOf, instanceBase, lastEventIndex } from "../../src/viewer/model.js";
import type { RunView } from "../../src/viewer/model.js";
import { cleanupRepos, git } from "../e2e/helpers.js";
import { APP_V1_LXM, BASE_LXM, makeTraceFixture } from "./fixture.js";
import type { TraceFixture } from "./fixture.js";

let fx: TraceFixture;
let gitdir: string;
const views: Record<"quiescent" | "halted" | "failedBeforeRollback" | "rolledBack", RunView> = {} as never;

beforeAll(async () => {
  fx = await makeTraceFixture();
  gitdir = join(fx.repo.dir, ".git");
  for (const k of ["quiescent", "halted", "failedBeforeRollback", "rolledBack"] as const) {
    views[k] = await loadRunView({ gitdir, branch: "lexum/state", ref: fx[k] });
  }
});
afterAll(cleanupRepos);

const API = "app/sim.object.api";
const WORKER = "app/sim.object.worker";
const DB = "base/sim.object.db";

/** Index of the event with this phase on this address (or domain event of this domain). */
function at(view: RunView, phase: string, who: string): number {
  const i = view.events.findIndex((e) => e.phase === phase && (e.address === who || (e.address === undefined && e.domain === who)));
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

describe("loadRunView", () => {
  it("loads the run, its plan, its sources at the goal commit and the branch history", () => {
    const v = views.quiescent;
    expect(v.commit).toBe(fx.quiescent);
    expect(v.status).toBe("quiescent");
    expect(v.snapshot).toBe(JSON.parse(fx.repo.git("show", `${fx.quiescent}:snapshot.json`)).hash);
    expect(v.events.length).toBe(fx.repo.git("show", `${fx.quiescent}:trace.jsonl`).split("\n").length);
    expect(v.plan.hash).toBe(JSON.parse(fx.repo.git("show", `${fx.quiescent}:plan.json`)).hash);
    // The sources are those of v1, not of the working tree (which is at v3).
    expect(v.sources).toEqual({ "app.lxm": APP_V1_LXM, "base.lxm": BASE_LXM });
    expect(v.history.map((h) => [h.commit, h.status])).toEqual([
      [fx.rolledBack, "rolled-back"],
      [fx.failedBeforeRollback, "failed"],
      [fx.halted, "failed"],
      [fx.quiescent, "quiescent"],
    ]);
    expect(v.history[3]!.snapshot).toBe(v.snapshot);
    expect(v.history[3]!.goal).toBe(fx.repo.git("rev-parse", "HEAD~2"));
  });

  it("defaults to the head and accepts a snapshot hash prefix", async () => {
    expect((await loadRunView({ gitdir, branch: "lexum/state" })).commit).toBe(fx.rolledBack);
    const prefix = views.halted.snapshot.slice("sha256:".length, "sha256:".length + 10);
    expect((await loadRunView({ gitdir, branch: "lexum/state", ref: prefix })).commit).toBe(fx.halted);
  });

  it("gives {} sources when the goal commit is not in the repository", async () => {
    const other = mkdtempSync(join(tmpdir(), "lexum-viewer-"));
    git(other, "init", "-q", "-b", "main");
    git(other, "fetch", "-q", fx.repo.dir, "lexum/state:lexum/state");
    const v = await loadRunView({ gitdir: join(other, ".git"), branch: "lexum/state" });
    expect(v.sources).toEqual({});
    expect(v.events).toEqual(views.rolledBack.events);
    execFileSync("rm", ["-rf", other]);
  });

  it("refuses a state commit that does not verify (LXM4204, first problem named)", async () => {
    // A copy of the repository whose head has an edited trace.jsonl, committed with plumbing.
    const other = mkdtempSync(join(tmpdir(), "lexum-viewer-"));
    git(other, "init", "-q", "-b", "main");
    git(other, "fetch", "-q", fx.repo.dir, "lexum/state:lexum/state");
    const tree = git(other, "ls-tree", "lexum/state");
    const blob = execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: other, input: "{}\n", encoding: "utf8" }).trim();
    const edited = tree.replace(/^(100644 blob )[0-9a-f]{40}(\ttrace\.jsonl)$/m, `$1${blob}$2`);
    expect(edited).not.toBe(tree);
    const newTree = execFileSync("git", ["mktree"], { cwd: other, input: edited + "\n", encoding: "utf8" }).trim();
    const msg = git(other, "log", "-1", "--format=%B", "lexum/state");
    const commit = git(other, "commit-tree", newTree, "-p", "lexum/state^", "-m", msg);
    git(other, "update-ref", "refs/heads/lexum/state", commit);
    const err = await loadRunView({ gitdir: join(other, ".git"), branch: "lexum/state" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LexumError);
    expect((err as LexumError).code).toBe("LXM4204");
    expect((err as LexumError).message).toContain("trace.jsonl hashes to");
    execFileSync("rm", ["-rf", other]);
  });
});

describe("frameAt on a quiescent run", () => {
  it("folds statuses step by step", () => {
    const v = views.quiescent;
    const f0 = frameAt(v, 0);
    expect(f0.resources).toEqual({ [API]: "pending", [WORKER]: "pending", [DB]: "running" });
    expect(f0.domains).toEqual({ app: "pending", base: "running" });
    expect(f0.progress).toEqual({ step: 1, steps: 2, done: 0, planned: 3 });

    const fBase = frameAt(v, at(v, "domain", "base"));
    expect(fBase.resources).toEqual({ [API]: "pending", [WORKER]: "pending", [DB]: "done" });
    expect(fBase.domains).toEqual({ app: "pending", base: "quiescent" });

    const fApi = frameAt(v, at(v, "done", API));
    expect(fApi.resources).toEqual({ [API]: "done", [WORKER]: "pending", [DB]: "done" });
    expect(fApi.domains).toEqual({ app: "running", base: "quiescent" });
    expect(fApi.progress).toEqual({ step: 2, steps: 2, done: 2, planned: 3 });

    // Three creates, each read first: 3 × (start, read, create, done) and 2 domain events.
    const last = frameAt(v, v.events.length - 1);
    expect(last.index).toBe(13);
    expect(last.total).toBe(14);
    expect(last.resources).toEqual({ [API]: "done", [WORKER]: "done", [DB]: "done" });
    expect(last.domains).toEqual({ app: "quiescent", base: "quiescent" });
    expect(last.progress.done).toBe(3);
    // Out-of-range indexes clamp.
    expect(frameAt(v, 99).index).toBe(13);
    expect(frameAt(v, -5).index).toBe(0);
    expect(firstFailureIndex(v)).toBeNull();
  });

  it("diffs the event's resource: the goal while running, the read-back once done", () => {
    const v = views.quiescent;
    expect(frameAt(v, at(v, "start", API)).diff).toEqual([
      { attr: "kind", after: "service" },
      { attr: "name", after: "api" },
      { attr: "spec", after: { db: "main", replicas: 1 } },
    ]);
    expect(frameAt(v, at(v, "done", API)).diff).toEqual([
      { attr: "generation", after: 1 },
      { attr: "kind", after: "service" },
      { attr: "name", after: "api" },
      { attr: "spec", after: { db: "main", replicas: 1 } },
      { attr: "uid", after: expect.stringMatching(/^[0-9a-f]{16}$/) },
    ]);
    // A domain event has no resource.
    expect(frameAt(v, at(v, "domain", "app")).diff).toEqual([]);
  });

  it("gives causes: dependencies and imports", () => {
    const v = views.quiescent;
    expect(frameAt(v, at(v, "start", DB)).causes).toEqual([]);
    expect(frameAt(v, at(v, "start", API)).causes).toEqual(["base", DB]);
    // The observe event carries no causes of its own: the model adds the action's.
    expect(frameAt(v, at(v, "observe", WORKER)).causes).toEqual([API, "base"]);
    expect(frameAt(v, at(v, "domain", "app")).causes).toEqual(["base"]);
  });

  it("marks the span's lines with two lines of context", () => {
    const v = views.quiescent;
    const s = frameAt(v, at(v, "start", WORKER)).source!;
    const lines = APP_V1_LXM.split("\n");
    const first = lines.indexOf("  resource sim.object worker {") + 1;
    expect(s.file).toBe("app.lxm");
    expect(s.line).toBe(first);
    expect(s.lines.map((l) => [l.n, l.marked])).toEqual([
      [first - 2, false],
      [first - 1, false],
      [first, true],
      [first + 1, true],
      [first + 2, true],
      [first + 3, true],
      [first + 4, true],
      [first + 5, false],
      [first + 6, false],
    ]);
    expect(s.lines[2]!.text).toBe("  resource sim.object worker {");
    expect(s.lines[6]!.text).toBe("  }");
    // The observe event has no span of its own: it shows its resource's.
    expect(v.events[at(v, "observe", WORKER)]!.span).toBeUndefined();
    expect(frameAt(v, at(v, "observe", WORKER)).source).toEqual(s);
    // Sources unavailable: the place is still named, with no lines.
    expect(frameAt({ ...v, sources: {} }, at(v, "start", WORKER)).source).toEqual({ file: "app.lxm", line: first, lines: [] });
  });
});

describe("frameAt on failed runs", () => {
  it("halt: the failing resource is failed, its noop sibling never starts, the first failure is found", () => {
    const v = views.halted;
    const i = firstFailureIndex(v)!;
    expect(i).toBe(at(v, "failed", API));
    const f = frameAt(v, i);
    expect(f.event.phase).toBe("failed");
    expect(f.resources).toEqual({ [API]: "failed", [WORKER]: "pending", [DB]: "unchanged" });
    expect(f.domains).toEqual({ app: "running", base: "quiescent" });
    // The failed update changed nothing: the read-back equals the start.
    expect(f.diff).toEqual([]);
    expect(f.progress).toEqual({ step: 2, steps: 2, done: 0, planned: 1 });
    expect(frameAt(v, v.events.length - 1).domains).toEqual({ app: "failed", base: "quiescent" });
    // While the update runs, the diff shows what it is about to do.
    expect(frameAt(v, at(v, "start", API)).diff).toEqual([{ attr: "spec", before: { db: "main", replicas: 1 }, after: { db: "main", replicas: 2 } }]);
  });

  it("rollback: the failed run, then the compensating run whose restored resources show rolled-back", () => {
    const failed = views.failedBeforeRollback;
    expect(failed.status).toBe("failed");
    expect(firstFailureIndex(failed)).toBe(at(failed, "failed", WORKER));
    expect(frameAt(failed, failed.events.length - 1).resources).toEqual({ [API]: "done", [WORKER]: "failed", [DB]: "unchanged" });

    const rb = views.rolledBack;
    expect(rb.status).toBe("rolled-back");
    expect(firstFailureIndex(rb)).toBeNull();
    expect(frameAt(rb, 0).resources).toEqual({ [API]: "running" });
    const last = frameAt(rb, rb.events.length - 1);
    expect(last.resources).toEqual({ [API]: "rolled-back" });
    expect(last.domains).toEqual({ app: "rolled-back" });
    expect(frameAt(rb, at(rb, "done", API)).diff).toEqual([
      { attr: "generation", before: 2, after: 3 },
      { attr: "spec", before: { db: "main", replicas: 2 }, after: { db: "main", replicas: 1 } },
    ]);
  });
});

describe("graphOf", () => {
  it("lists domains by step with imports and resources with dependencies", () => {
    expect(graphOf(views.quiescent)).toEqual({
      domains: [
        { name: "base", step: 1, after: [], resources: [{ address: DB, type: "sim.object", dependsOn: [] }] },
        {
          name: "app",
          step: 2,
          after: ["base"],
          resources: [
            { address: API, type: "sim.object", dependsOn: [DB] },
            { address: WORKER, type: "sim.object", dependsOn: [API] },
          ],
        },
      ],
    });
  });
});

describe("the words both viewers show", () => {
  const assertEvent = { step: 2, domain: "web", seq: 7, phase: "assert" as const, goal: "served", index: 1, ok: false, message: "goal web.served, assertion 2 failed: too small" };

  it("numbers assertions from 1 and names the goal", () => {
    expect(assertionLabel(assertEvent)).toBe("goal served, assertion 2");
    expect(eventTitle(assertEvent)).toBe("goal served, assertion 2 FAILED");
    expect(eventTitle({ ...assertEvent, index: 0, ok: true })).toBe("goal served, assertion 1 ok");
  });

  it("details a failed assertion: location file:line:col, the expression, one line per operand (sensitive ones as recorded)", () => {
    const e = {
      ...assertEvent,
      span: { file: "web.lxm", line: 22, column: 5, endLine: 22, endColumn: 40 },
      expr: 'page["index"].size > limit',
      operands: [
        { text: 'page["index"].size', value: 6 },
        { text: "limit", value: "(sensitive)" },
        { text: "unknown", value: null },
      ],
    };
    expect(eventDetail(e)).toEqual(["location: web.lxm:22:5", 'expression: page["index"].size > limit', '  page["index"].size = 6', '  limit = "(sensitive)"', "  unknown = null"]);
    // An older trace without the expression still says where.
    expect(eventDetail({ ...assertEvent, span: e.span })).toEqual(["location: web.lxm:22:5"]);
  });

  it("details an observation: call, attempt, then the result or the error", () => {
    const base = { step: 1, domain: "app", seq: 3, phase: "observe" as const, action: "update" as const, address: "app/sim.object.api" };
    expect(eventDetail({ ...base, observation: { call: "read", attempt: 1, result: { b: 2, a: "x" } } })).toEqual(["observation: read, attempt 1", 'result: {"a":"x","b":2}']);
    expect(eventDetail({ ...base, observation: { call: "delete", attempt: 2, result: null } })).toEqual(["observation: delete, attempt 2", "result: (absent)"]);
    expect(eventDetail({ ...base, observation: { call: "update", attempt: 1, result: null, error: { code: "sim.fault", message: "boom", retryable: true } } })).toEqual([
      "observation: update, attempt 1",
      "error: sim.fault: boom (retryable)",
    ]);
    expect(eventDetail({ step: 1, domain: "app", seq: 0, phase: "domain", status: "quiescent" })).toEqual([]);
  });

  it("tells a `for` instance's resource", () => {
    expect(instanceBase('web/fs.file.page["index"]')).toBe("web/fs.file.page");
    expect(instanceBase("fleet/sim.object.node[10]")).toBe("fleet/sim.object.node");
    expect(instanceBase('web/fs.file.page["a[b]"]')).toBe("web/fs.file.page");
    expect(instanceBase("web/fs.file.page")).toBeNull();
  });
});

describe("frameAt: natural order and finished deletes", () => {
  // A synthetic run: node[10] and node[2] created, node[3] deleted.
  const action = (address: string, kind: "create" | "delete") => ({ address, action: kind, type: "sim.object", dependsOn: [], before: null, after: null });
  const view = {
    commit: "c".repeat(40),
    snapshot: "sha256:" + "0".repeat(64),
    status: "quiescent" as const,
    sources: {},
    history: [],
    plan: { steps: [{ step: 1, domains: [{ domain: "d", step: 1, after: [], actions: [action("d/sim.object.node[10]", "create"), action("d/sim.object.node[2]", "create"), action("d/sim.object.node[3]", "delete")] }] }] },
    events: [
      { step: 1, domain: "d", seq: 0, phase: "start" as const, action: "delete" as const, address: "d/sim.object.node[3]" },
      { step: 1, domain: "d", seq: 1, phase: "done" as const, action: "delete" as const, address: "d/sim.object.node[3]", after: null },
      { step: 1, domain: "d", seq: 2, phase: "done" as const, action: "create" as const, address: "d/sim.object.node[10]", after: {} },
    ],
  } as unknown as RunView;

  it("lists addresses naturally and shows a finished delete as deleted, not done", () => {
    expect(Object.keys(frameAt(view, 0).resources)).toEqual(["d/sim.object.node[2]", "d/sim.object.node[3]", "d/sim.object.node[10]"]);
    expect(frameAt(view, 0).resources["d/sim.object.node[3]"]).toBe("running");
    expect(frameAt(view, 2).resources).toEqual({ "d/sim.object.node[2]": "pending", "d/sim.object.node[3]": "deleted", "d/sim.object.node[10]": "done" });
    expect(graphOf(view).domains[0]!.resources.map((r) => r.address)).toEqual(["d/sim.object.node[2]", "d/sim.object.node[3]", "d/sim.object.node[10]"]);
    expect(lastEventIndex(view)).toEqual({ "d/sim.object.node[3]": 1, "d/sim.object.node[10]": 2 });
  });
});
