import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LexumError } from "../../src/diag/diagnostic.js";
import { catalog } from "../../src/diag/index.js";
import { applyProject } from "../../src/engine/apply-project.js";
import type { ApplyOutcome } from "../../src/engine/apply-project.js";
import { isPlanned, planProject } from "../../src/engine/plan-project.js";
import { resolveSnapshotRef, snapshotTrailer } from "../../src/engine/history.js";
import { verifyBranch } from "../../src/engine/verify.js";
import { beginLine } from "../../src/engine/recover-journal.js";
import { canonicalize } from "../../src/program/canonical.js";
import { listStateCommits, readStateFiles, writeStateCommit } from "../../src/state/store.js";
import { gitc, makeRepo } from "../git/helpers.js";

const BRANCH = "lexum/state";
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function project(version: number): string {
  return `domain a {
  provider sim { world = "world.json" }
  resource sim.object x {
    kind = "svc"
    name = "x"
    spec = { v = ${version} }
  }
  resource sim.object y {
    kind = "svc"
    name = "y"
  }
}
`;
}

function repo() {
  const r = makeRepo({ "main.lxm": project(1) });
  cleanups.push(r.cleanup);
  return r;
}

function commit(dir: string, version: number): void {
  writeFileSync(join(dir, "main.lxm"), project(version));
  gitc(dir, "commit", "-q", "-am", `v${version}`);
}

const env = { LXM_STATE_KEY: "test-key" };

async function apply(dir: string, planFile?: string): Promise<ApplyOutcome> {
  const out = await applyProject({ dir, cwd: dir, env, planFile });
  if (!("commits" in out)) throw new Error(out.diagnostics.map((d) => d.message).join("; "));
  return out;
}

async function savePlan(dir: string, name: string): Promise<string> {
  const planned = await planProject({ dir, cwd: dir, env });
  if (!isPlanned(planned)) throw new Error("did not plan");
  const file = join(dir, "..", `${dir.split("/").pop()}-${name}.json`);
  writeFileSync(file, canonicalize(planned.plan) + "\n");
  cleanups.push(() => rmSync(file, { force: true }));
  return file;
}

async function rejects(p: Promise<unknown>): Promise<LexumError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LexumError);
    return e as LexumError;
  }
  throw new Error("expected a LexumError");
}

describe("applyProject with a saved plan", () => {
  it("applies a fresh saved plan exactly, and journals less than the commit holds", async () => {
    const { dir } = repo();
    const file = await savePlan(dir, "fresh");
    const out = await apply(dir, file);
    expect(out.commits).toHaveLength(1);
    const files = await readStateFiles({ gitdir: join(dir, ".git"), oid: out.commits[0]!.oid });
    // The recorded plan is the saved one.
    expect(JSON.parse(new TextDecoder().decode(files.get("plan.json")!)).hash).toBe(JSON.parse(readFileSync(file, "utf8")).hash);
    expect(out.journalBytes).toBeGreaterThan(0);
    const stateBytes = [...files.values()].reduce((s, b) => s + b.length, 0);
    expect(out.journalBytes).toBeLessThan(3 * stateBytes);
  });

  it("refuses a plan made for another program (the goal moved)", async () => {
    const { dir } = repo();
    const file = await savePlan(dir, "old-goal");
    commit(dir, 2);
    const e = await rejects(apply(dir, file));
    expect(e.code).toBe(catalog.engine.stalePlan.code);
    expect(e.message).toMatch(/made for program sha256:/);
    expect(await listStateCommits({ gitdir: join(dir, ".git"), branch: BRANCH })).toEqual([]);
  });

  it("refuses a plan made against an older snapshot (the state moved)", async () => {
    const { dir } = repo();
    const file = await savePlan(dir, "old-state");
    await apply(dir);
    const e = await rejects(apply(dir, file));
    expect(e.code).toBe(catalog.engine.stalePlan.code);
    expect(e.message).toMatch(/made against snapshot none/);
    expect(await listStateCommits({ gitdir: join(dir, ".git"), branch: BRANCH })).toHaveLength(1);
  });

  it("refuses an edited plan file and one that is not a plan", async () => {
    const { dir } = repo();
    const file = await savePlan(dir, "edited");
    const plan = JSON.parse(readFileSync(file, "utf8"));
    plan.summary.create = 0;
    writeFileSync(file, JSON.stringify(plan));
    const e = await rejects(apply(dir, file));
    expect(e.code).toBe(catalog.engine.badPlanFile.code);
    expect(e.message).toMatch(/does not match its content/);
    writeFileSync(file, "{]");
    expect((await rejects(apply(dir, file))).code).toBe(catalog.engine.badPlanFile.code);
  });
});

describe("state history: verifyBranch and resolveSnapshotRef", () => {
  async function twoRuns() {
    const r = repo();
    const one = await apply(r.dir);
    commit(r.dir, 2);
    const two = await apply(r.dir);
    // The second run re-hashed only what changed: y is the parent's very record object.
    const parent = two.planned.head!.loaded;
    expect(two.result!.resources["a/sim.object.y"]).toBe(parent.resources["a/sim.object.y"]);
    expect(two.result!.resources["a/sim.object.x"]).not.toBe(parent.resources["a/sim.object.x"]);
    return { ...r, one: one.commits[0]!, two: two.commits[0]! };
  }

  it("verifies a clean branch, and names the first commit whose parent chain is broken", async () => {
    const { dir, gitdir, one, two } = await twoRuns();
    expect(await verifyBranch(gitdir, BRANCH)).toEqual({ commits: 2, bad: null });
    gitc(dir, "fsck", "--strict", "--no-dangling");

    // Re-commit run one's self-consistent content on top: its snapshot.parent (null) no longer matches.
    const files = await readStateFiles({ gitdir, oid: one.oid });
    const content = [...files].map(([path, bytes]) => ({ path, content: new TextDecoder().decode(bytes) }));
    const msg = gitc(dir, "log", "-1", "--format=%B", one.oid) + "\n";
    const time = { seconds: 1_700_000_100, tzOffsetMinutes: 0 };
    const bad = await writeStateCommit({ gitdir, branch: BRANCH, expectedParent: two.oid, files: content, message: msg, time });
    const after = await writeStateCommit({ gitdir, branch: BRANCH, expectedParent: bad.oid, files: content, message: msg, time: { ...time, seconds: time.seconds + 1 } });
    const report = await verifyBranch(gitdir, BRANCH);
    expect(report.commits).toBe(4);
    expect(report.bad?.oid).toBe(bad.oid);
    expect(report.bad?.oid).not.toBe(after.oid);
    expect(report.bad?.problems.join("\n")).toMatch(`snapshot.parent is null but the parent commit holds ${two.hash}`);
  });

  it("resolves the head, revisions, commit ids and snapshot hashes (full or a prefix)", async () => {
    const { gitdir, one, two } = await twoRuns();
    expect((await resolveSnapshotRef(gitdir, BRANCH, undefined)).oid).toBe(two.oid);
    expect((await resolveSnapshotRef(gitdir, BRANCH, `${BRANCH}~1`)).oid).toBe(one.oid);
    expect((await resolveSnapshotRef(gitdir, BRANCH, one.oid)).oid).toBe(one.oid);
    expect((await resolveSnapshotRef(gitdir, BRANCH, one.hash)).oid).toBe(one.oid);
    const prefix = two.hash.slice("sha256:".length, "sha256:".length + 10);
    const hit = await resolveSnapshotRef(gitdir, BRANCH, prefix);
    expect(hit.oid).toBe(two.oid);
    expect(snapshotTrailer(hit.message)).toBe(two.hash);
    const missing = await rejects(resolveSnapshotRef(gitdir, BRANCH, "sha256:" + "0".repeat(64)));
    expect(missing.code).toMatch(/^LXM/);
  });

  it("reports an empty branch as no such snapshot", async () => {
    const { gitdir } = repo();
    const e = await rejects(resolveSnapshotRef(gitdir, BRANCH, undefined));
    expect(e.code).toBe(catalog.engine.noSuchSnapshot.code);
  });
});

describe("the journal's begin record", () => {
  it("is canonicalize() of the record, whether the planner's text of the plan is reused or not", async () => {
    const r = makeRepo();
    cleanups.push(r.cleanup);
    writeFileSync(join(r.dir, "main.lxm"), 'domain site {\n  provider fs {\n    root = "out"\n  }\n  resource fs.file a {\n    path = "a.txt"\n    content = "hi"\n  }\n}\n');
    gitc(r.dir, "add", "-A");
    gitc(r.dir, "commit", "-q", "-m", "goal");
    const planned = await planProject({ dir: r.dir, cwd: r.dir, env: { LXM_STATE_KEY: "k" }, keepPlanText: true });
    if (!isPlanned(planned)) throw new Error("not planned");
    expect(planned.planText).toBe(canonicalize(planned.plan));
    const begin = { parent: null, plan: planned.plan, programHash: planned.programHash, source: { commit: "c".repeat(40), path: "" }, time: { seconds: 1700000000, tzOffsetMinutes: -90 } };
    const expected = canonicalize({ format: "lexum.journal/v1", kind: "begin", ...begin });
    expect(beginLine(begin, planned.planText)).toBe(expected);
    expect(beginLine(begin)).toBe(expected);
  });
});

describe("concurrent applies: nothing touches the world before the lock and a head check", () => {
  /** A repository whose goal is committed at v1, v2 and v3 (HEAD); the sim world file is ignored. */
  async function threeGoals() {
    const r = makeRepo({ ".gitignore": "world.json*\n", "main.lxm": project(1) });
    cleanups.push(r.cleanup);
    await applyProject({ dir: r.dir, cwd: r.dir, env, rev: "HEAD" });
    commit(r.dir, 2);
    commit(r.dir, 3);
    return r;
  }
  const worldSpec = (dir: string, name: string) => (JSON.parse(readFileSync(join(dir, "world.json"), "utf8")) as { objects: Record<string, { spec: unknown }> }).objects[`svc/${name}`]!.spec;
  const recordedSpec = async (dir: string) => {
    const files = await readStateFiles({ gitdir: join(dir, ".git"), oid: gitc(dir, "rev-parse", BRANCH) });
    return (JSON.parse(Buffer.from(files.get("resources/a/sim.object.x.json")!).toString("utf8")) as { attrs: { spec: unknown } }).attrs.spec;
  };

  it("an apply whose plan went stale while it waited for the lock plans again from the new head", async () => {
    const { dir } = await threeGoals();
    let other: ApplyOutcome | null = null;
    const out = await applyProject({
      dir, cwd: dir, env, rev: "HEAD",
      // Another apply (goal v2) runs and commits between this plan (v1 → v3) and the lock.
      beforeLock: async (planned) => {
        expect(planned.plan.summary.update).toBe(1);
        other = (await applyProject({ dir, cwd: dir, env, rev: "HEAD~1" })) as ApplyOutcome;
      },
    });
    expect(other!.commits).toHaveLength(1);
    if (!("commits" in out)) throw new Error("did not plan");
    expect(out.planned.head!.oid).toBe(other!.commits[0]!.oid);
    expect(out.planned.plan.steps[0]!.domains[0]!.actions.find((a) => a.address === "a/sim.object.x")!.before).toMatchObject({ spec: { v: 2 } });
    expect(out.result!.status).toBe("quiescent");
    expect(worldSpec(dir, "x")).toEqual({ v: 3 });
    expect(await recordedSpec(dir)).toEqual({ v: 3 });
    expect(await listStateCommits({ gitdir: join(dir, ".git"), branch: BRANCH })).toHaveLength(3);
    expect((await verifyBranch(join(dir, ".git"), BRANCH)).bad).toBeNull();
  });

  it("a saved plan that went stale while waiting for the lock is refused (LXM4205) before any change", async () => {
    const { dir } = await threeGoals();
    const planned = await planProject({ dir, cwd: dir, env, rev: "HEAD" });
    if (!isPlanned(planned)) throw new Error("did not plan");
    const file = join(dir, "..", `${dir.split("/").pop()}-v3.json`);
    writeFileSync(file, canonicalize(planned.plan) + "\n");
    cleanups.push(() => rmSync(file, { force: true }));
    let ran = false;
    const e = await rejects(
      applyProject({
        dir, cwd: dir, env, rev: "HEAD", planFile: file,
        beforeLock: async () => {
          await applyProject({ dir, cwd: dir, env, rev: "HEAD~1" });
          ran = true;
        },
      }),
    );
    expect(ran).toBe(true);
    expect(e.code).toBe(catalog.engine.stalePlan.code);
    expect(worldSpec(dir, "x")).toEqual({ v: 2 });
    expect(await listStateCommits({ gitdir: join(dir, ".git"), branch: BRANCH })).toHaveLength(2);
  });

  it("a leftover state-branch lock file refuses the apply (LXM4102, naming the file) before the world changes", async () => {
    const { dir } = await threeGoals();
    const lock = join(dir, ".git/refs/heads/lexum/state.lock");
    writeFileSync(lock, "");
    const head = gitc(dir, "rev-parse", BRANCH);
    const e = await rejects(applyProject({ dir, cwd: dir, env, rev: "HEAD" }));
    expect(e.code).toBe("LXM4102");
    expect(e.message).toContain(lock);
    expect(e.hint).toContain(`rm ${lock}`);
    expect(worldSpec(dir, "x")).toEqual({ v: 1 });
    expect(gitc(dir, "rev-parse", BRANCH)).toBe(head);
    rmSync(lock);
    expect(((await applyProject({ dir, cwd: dir, env, rev: "HEAD" })) as ApplyOutcome).result!.status).toBe("quiescent");
    expect(worldSpec(dir, "x")).toEqual({ v: 3 });
  });
});

describe("applyProject: the reviewed plan and extra trailers", () => {
  it("applies only the plan with the expected hash; another is refused (LXM4250) before the world or the branch changes", async () => {
    const r = repo();
    const planned = await planProject({ dir: r.dir, cwd: r.dir, env });
    if (!isPlanned(planned)) throw new Error("did not plan");
    const reviewed = planned.plan.hash;
    commit(r.dir, 2); // the goal moved after the review
    const gitdir = join(r.dir, ".git");
    const before = await listStateCommits({ gitdir, branch: BRANCH });
    const err = await applyProject({ dir: r.dir, cwd: r.dir, env, expectPlan: reviewed }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LexumError);
    expect((err as LexumError).code).toBe(catalog.engine.notReviewedPlan.code);
    expect((err as LexumError).message).toContain(reviewed);
    expect(await listStateCommits({ gitdir, branch: BRANCH })).toEqual(before);
    expect(() => readFileSync(join(r.dir, "world.json"), "utf8")).toThrow();

    const now = await planProject({ dir: r.dir, cwd: r.dir, env });
    if (!isPlanned(now)) throw new Error("did not plan");
    const out = await applyProject({ dir: r.dir, cwd: r.dir, env, expectPlan: now.plan.hash, trailers: [{ key: "Lexum-Pull-Request", value: "octo/infra#12" }] });
    if (!("commits" in out)) throw new Error("did not apply");
    expect(out.commits).toHaveLength(1);
    const head = await resolveSnapshotRef(gitdir, BRANCH, undefined);
    expect(head.message).toContain("\nLexum-Pull-Request: octo/infra#12\n");
    expect(snapshotTrailer(head.message)).toBe(out.commits[0]!.hash);
    expect((await verifyBranch(gitdir, BRANCH)).bad).toBeNull();
  });

  it("refuses a malformed trailer before anything runs", async () => {
    const r = repo();
    for (const t of [{ key: "Lexum-Snapshot", value: "sha256:x" }, { key: "Bad Key", value: "v" }, { key: "K", value: "two\nlines" }]) {
      const err = await applyProject({ dir: r.dir, cwd: r.dir, env, trailers: [t] }).catch((e: unknown) => e);
      expect((err as LexumError).code).toBe(catalog.engine.badTrailer.code);
    }
    expect(() => readFileSync(join(r.dir, "world.json"), "utf8")).toThrow();
  });
});
