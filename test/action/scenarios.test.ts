import { afterEach, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { applyProject } from "../../src/engine/apply-project.js";
import { ActionWorld, OWNER, REPO, STATE_KEY, TOKEN, git, project } from "./harness.js";

// The committed bundle (action/dist/index.js) run as a child process with the runner's
// environment, against a real git remote (git http-backend) and a GitHub stand-in that
// validates every request and response against GitHub's OpenAPI description.

let world: ActionWorld | null = null;
afterEach(async () => {
  if (world) {
    expect(world.github.violations).toEqual([]);
    await world.close();
    world = null;
  }
});

async function start(objects: Record<string, number> = { a: 1 }): Promise<ActionWorld> {
  // The managed world lives outside every checkout, as a real system does.
  world = await ActionWorld.start((worldFile) => ({ "main.lxm": project(worldFile, objects) }));
  return world;
}

const planComments = (w: ActionWorld, pr: number) => w.github.comments(OWNER, REPO, pr).filter((c: { body: string }) => c.body.startsWith("<!-- lexum:plan "));
const appliedComments = (w: ActionWorld, pr: number) => w.github.comments(OWNER, REPO, pr).filter((c: { body: string }) => c.body.startsWith("<!-- lexum:apply "));
const checks = (w: ActionWorld, sha: string) => w.github.checkRuns(OWNER, REPO, sha) as { name: string; conclusion: string | null; external_id: string | null }[];

describe("the Action on pull requests", () => {
  it("open → one comment, a check run pinning the plan, the job summary and the outputs", async () => {
    const w = await start();
    const { headSha } = w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    const r = await w.run(w.pullEvent(1));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const comments = planComments(w, 1);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body as string;
    expect(body).toContain("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(body).toContain(r.outputs["plan-hash"]!);
    const runs = checks(w, headSha);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.name).toBe("lexum plan");
    expect(runs[0]!.conclusion).toBe("success");
    expect(runs[0]!.external_id).toContain(`plan=${r.outputs["plan-hash"]}`);
    expect(r.outputs["has-changes"]).toBe("true");
    expect(r.outputs.summary).toBe("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(r.summary).toContain(r.outputs["plan-hash"]!);
    expect(r.summary).toContain("sim.object");
    // Planning changes nothing: no world, no state branch on the remote.
    expect(w.world()).toEqual({});
    expect(w.stateLog()).toEqual([]);
  });

  it("push twice → the same comment edited in place; the same plan again → no write at all; deleted → recreated", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    const first = planComments(w, 1)[0]!;
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 3 }) });
    const writesBefore = w.github.writes().length;
    expect((await w.run(w.pullEvent(1, "synchronize"))).code).toBe(0);
    const after = planComments(w, 1);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(first.id);
    expect(after[0]!.body).not.toBe(first.body);
    const edits = w.github.writes().slice(writesBefore).filter((q: { method: string; path: string }) => q.method === "PATCH" && q.path.includes("/issues/comments/"));
    expect(edits).toHaveLength(1);

    // Re-run on the same head: the comment is already right; only the check run is recorded again.
    const n = w.github.writes().length;
    expect((await w.run(w.pullEvent(1, "synchronize"))).code).toBe(0);
    expect(w.github.writes().slice(n).filter((q: { path: string }) => q.path.includes("/comments"))).toEqual([]);

    w.github.deleteComment(after[0]!.id);
    expect((await w.run(w.pullEvent(1, "synchronize"))).code).toBe(0);
    const recreated = planComments(w, 1);
    expect(recreated).toHaveLength(1);
    expect(recreated[0]!.id).not.toBe(first.id);
  });

  it("a plan over 65,536 characters → a valid shortened comment that keeps the summary and points to the job summary", async () => {
    const objects: Record<string, number> = {};
    for (let i = 0; i < 900; i++) objects[`object_with_a_long_name_${i}`] = i;
    const w = await start({ seed: 0 });
    w.pushPull(1, { "main.lxm": project(w.worldFile, { seed: 0, ...objects }) });
    const r = await w.run(w.pullEvent(1));
    expect(r.code).toBe(0);
    const body = planComments(w, 1)[0]!.body as string;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("Plan: 901 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(body).toContain("/actions/runs/");
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
    // The job summary holds the whole plan.
    expect(r.summary).toContain("object_with_a_long_name_899");
  });

  it("a compile error → annotations on the right file and line, a failing check, a failed step", async () => {
    const w = await start();
    const bad = `domain app {\n  provider sim { world = ${JSON.stringify(w.worldFile)} }\n  resource sim.object a {\n    kind = "svc"\n    name = "a"\n    spec = { v = nope }\n  }\n}\n`;
    const { headSha } = w.pushPull(1, { "main.lxm": bad });
    const r = await w.run(w.pullEvent(1));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=main\.lxm,line=6,col=\d+.*title=LXM\d{4}::/m);
    expect(checks(w, headSha).map((c) => c.conclusion)).toEqual(["failure"]);
    expect(r.summary).toContain("main.lxm:6:");
  });

  it("a plan without changes: comment on-change writes nothing, the check run still pins it; comment always writes it", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    const m1 = w.mergePull(1);
    expect((await w.run(w.pushMainEvent(m1.sha, m1.before))).code).toBe(0);
    const { headSha } = w.pushPull(2, { "README.md": "docs only\n" });
    const quiet = await w.run(w.pullEvent(2));
    expect(quiet.code).toBe(0);
    expect(quiet.outputs["has-changes"]).toBe("false");
    expect(planComments(w, 2)).toEqual([]);
    expect(checks(w, headSha).map((c) => c.conclusion)).toEqual(["success"]);
    expect(checks(w, headSha)[0]!.external_id).toContain(`plan=${quiet.outputs["plan-hash"]}`);
    const loud = await w.run(w.pullEvent(2, "synchronize"), { inputs: { comment: "always" } });
    expect(loud.code).toBe(0);
    expect(planComments(w, 2)).toHaveLength(1);
    expect(planComments(w, 2)[0]!.body).toContain("No changes. The goal matches the last snapshot");
  });

  it("a pull request from a fork (read-only token) plans into the job summary and says why it could not comment", async () => {
    const w = await start();
    w.github.setTokenReadOnly?.(TOKEN, true);
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    const r = await w.run(w.pullEvent(1, "opened", true));
    expect(r.code).toBe(0);
    expect(planComments(w, 1)).toHaveLength(0);
    expect(r.summary).toContain("Plan: 2 to create");
    expect(r.summary).toContain("fork");
  });
});

describe("the Action on merge", () => {
  async function reviewedAndMerged(w: ActionWorld, n: number, objects: Record<string, number>) {
    w.pushPull(n, { "main.lxm": project(w.worldFile, objects) });
    const plan = await w.run(w.pullEvent(n));
    expect(plan.code).toBe(0);
    return { plan, merge: w.mergePull(n) };
  }

  it("with the reviewed hash → applied, the state branch pushed with a trailer naming the PR, then the applied comment; a rerun does nothing", async () => {
    const w = await start();
    // First the world as main has it (a first merge).
    const { plan, merge } = await reviewedAndMerged(w, 1, { a: 1, b: 2 });
    // The state commit reaches the remote before any comment is written.
    const stateAtComment: string[] = [];
    w.github.onRequest = (q) => {
      if (q.method !== "GET" && q.path.includes("/comments")) stateAtComment.push(git(w.bare, "for-each-ref", "--format=%(objectname)", "refs/heads/lexum/state"));
    };
    const r = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.outputs["plan-hash"]).toBe(plan.outputs["plan-hash"]);
    const log = w.stateLog();
    expect(log).toHaveLength(1);
    expect(log[0]!.message).toContain(`Lexum-Pull-Request: ${OWNER}/${REPO}#1`);
    expect(log[0]!.message).toContain(`Lexum-Snapshot: ${r.outputs.snapshot}`);
    expect(log[0]!.message).toContain(`Lexum-Source: ${merge.sha} .`);
    expect(Object.keys(w.world()).sort()).toEqual(["svc/a", "svc/b"]);
    const applied = appliedComments(w, 1);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.body).toContain(`Applied plan ${plan.outputs["plan-hash"]} → snapshot ${r.outputs.snapshot}`);
    expect(stateAtComment).toEqual([log[0]!.oid]);
    w.github.onRequest = null;

    const again = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(again.code).toBe(0);
    expect(w.stateLog()).toHaveLength(1);
    expect(appliedComments(w, 1)).toHaveLength(1);
  });

  it("a comment that cannot be written never loses the apply: the state is on the remote, the step fails, a rerun comments", async () => {
    const w = await start();
    const { merge } = await reviewedAndMerged(w, 1, { a: 1, b: 2 });
    w.github.inject({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", status: 500, times: 1000 });
    const r = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(r.code).toBe(1);
    expect(w.stateLog()).toHaveLength(1);
    expect(Object.keys(w.world()).sort()).toEqual(["svc/a", "svc/b"]);
    expect(appliedComments(w, 1)).toEqual([]);
    w.github.clearInjections();
    const again = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(again.code).toBe(0);
    expect(w.stateLog()).toHaveLength(1);
    expect(appliedComments(w, 1)).toHaveLength(1);
    expect(appliedComments(w, 1)[0]!.body).toContain(`→ snapshot ${r.outputs.snapshot}`);
  });

  it("an apply that fails → the failed snapshot pushed, the failure comment with what ran and what did not, a failed step", async () => {
    const w = await start();
    const failing = `domain app {\n  provider sim {\n    world = ${JSON.stringify(w.worldFile)}\n    faults = [{ op = "create", address = "app/sim.object.b", kind = "error", times = 50 }]\n  }\n  resource sim.object a {\n    kind = "svc"\n    name = "a"\n    spec = { v = 1 }\n  }\n  resource sim.object b {\n    kind = "svc"\n    name = "b"\n    spec = { v = 2 }\n  }\n}\n`;
    w.pushPull(1, { "main.lxm": failing });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    const merge = w.mergePull(1);
    const r = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(r.code).toBe(1);
    expect(w.stateLog().length).toBeGreaterThanOrEqual(1);
    const body = appliedComments(w, 1)[0]!.body as string;
    expect(body).toContain(r.outputs.snapshot!);
    expect(body).toContain("app/sim.object.b");
    expect(body).toMatch(/fail/i);
  });

  it("after main moved → refused with the new plan on the PR and nothing applied", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    // Someone else changes main after the review: the merge commit is not what was reviewed.
    w.commitMain({ "other.lxm": project(w.worldFile, { c: 1 }, "other") });
    const merge = w.mergePull(1);
    const r = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error .*LXM6060::.*main moved/);
    expect(w.stateLog()).toEqual([]);
    expect(w.world()).toEqual({});
    expect(planComments(w, 1)[0]!.body).toContain("main moved");
  });

  it("after the state moved → refused", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    const m1 = w.mergePull(1);
    expect((await w.run(w.pushMainEvent(m1.sha, m1.before))).code).toBe(0);
    w.pushPull(2, { "main.lxm": project(w.worldFile, { a: 1, b: 2, c: 3 }) });
    expect((await w.run(w.pullEvent(2))).code).toBe(0);
    // Someone corrects drift from a laptop after the review: the state branch moves, main does not.
    rmSync(w.worldFile);
    git(w.dev, "checkout", "-q", "main");
    git(w.dev, "fetch", "-q", "origin", "lexum/state:lexum/state");
    const out = await applyProject({ dir: w.dev, cwd: w.dev, env: { LXM_STATE_KEY: STATE_KEY }, refresh: true });
    expect("commits" in out && out.commits.length).toBe(1);
    git(w.dev, "push", "-q", "origin", "lexum/state");
    const m2 = w.mergePull(2);
    const r = await w.run(w.pushMainEvent(m2.sha, m2.before));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error .*LXM6060::.*state moved/);
    expect(w.stateLog()).toHaveLength(2);
    expect(planComments(w, 2)[0]!.body).toContain("state moved");
  });

  it("require-reviewed-plan: false → the merge's plan is applied whatever was reviewed", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    w.commitMain({ "other.lxm": project(w.worldFile, { c: 1 }, "other") });
    const merge = w.mergePull(1);
    const r = await w.run(w.pushMainEvent(merge.sha, merge.before), { inputs: { "require-reviewed-plan": "false" } });
    expect(r.code).toBe(0);
    expect(Object.keys(w.world()).sort()).toEqual(["svc/a", "svc/b", "svc/c"]);
    expect(w.stateLog()).toHaveLength(1);
  });

  it("a project in a folder (path input, state-branch input): its own check name, comment key and state branch", async () => {
    const w = await start();
    const { headSha } = w.pushPull(1, { "infra/prod/main.lxm": project(w.worldFile, { p: 1 }, "prod") });
    const inputs = { path: "infra/prod", "state-branch": "lexum/prod" };
    const r = await w.run(w.pullEvent(1), { inputs });
    expect(r.code).toBe(0);
    expect(checks(w, headSha).map((c) => c.name)).toEqual(["lexum plan (infra/prod)"]);
    expect(w.github.comments(OWNER, REPO, 1).map((c: { body: string }) => c.body.split("\n")[0])).toEqual(["<!-- lexum:plan path=infra%2Fprod -->"]);
    const merge = w.mergePull(1);
    const applied = await w.run(w.pushMainEvent(merge.sha, merge.before), { inputs });
    expect(applied.code).toBe(0);
    expect(w.stateLog("lexum/prod")).toHaveLength(1);
    expect(w.stateLog()).toEqual([]);
    expect(w.world()).toHaveProperty("svc/p");
  });

  it("environments (environment input): one check run and one comment per environment, each applied to its own state branch", async () => {
    const w = await start();
    const settings = "inputs:\n  name: { type: string }\nenvironments:\n  staging:\n    inputs: { name: s1 }\n  production:\n    inputs: { name: p1 }\n";
    const main = `domain app {\n  provider sim { world = ${JSON.stringify(w.worldFile)} }\n  resource sim.object o {\n    kind = "svc"\n    name = input("name")\n  }\n}\n`;
    const { headSha } = w.pushPull(1, { "lexum.yaml": settings, "main.lxm": main });
    for (const environment of ["staging", "production"]) expect((await w.run(w.pullEvent(1), { inputs: { environment } })).code).toBe(0);
    expect(checks(w, headSha).map((c) => c.name).sort()).toEqual(["lexum plan (production)", "lexum plan (staging)"]);
    expect(planComments(w, 1).map((c: { body: string }) => c.body.split("\n")[0]).sort()).toEqual(["<!-- lexum:plan path=. env=production -->", "<!-- lexum:plan path=. env=staging -->"]);
    const merge = w.mergePull(1);
    for (const environment of ["staging", "production"]) expect((await w.run(w.pushMainEvent(merge.sha, merge.before), { inputs: { environment } })).code).toBe(0);
    expect(w.stateLog("lexum/state/staging")).toHaveLength(1);
    expect(w.stateLog("lexum/state/production")).toHaveLength(1);
    expect(w.world()).toHaveProperty("svc/s1");
    expect(w.world()).toHaveProperty("svc/p1");
  });

  it("several projects in one repository: one check run, one comment and one derived state branch per project; outputs gathered", async () => {
    const w = await start();
    const main = (name: string) => `domain app {\n  provider sim { world = ${JSON.stringify(w.worldFile)} }\n  resource sim.object o {\n    kind = "svc"\n    name = "${name}"\n  }\n}\n`;
    const { headSha } = w.pushPull(1, { "infra/lexum.yaml": "parallelism: 2\n", "infra/main.lxm": main("infra"), "web/lexum.yaml": "parallelism: 2\n", "web/main.lxm": main("web") });
    const planned = await w.run(w.pullEvent(1));
    expect(planned.code, planned.stdout).toBe(0);
    // The repository's top is a project too (its main.lxm): three projects.
    expect(checks(w, headSha).map((c) => c.name).sort()).toEqual(["lexum plan", "lexum plan (infra)", "lexum plan (web)"]);
    expect(planComments(w, 1).map((c: { body: string }) => c.body.split("\n")[0]).sort()).toEqual(["<!-- lexum:plan path=. -->", "<!-- lexum:plan path=infra -->", "<!-- lexum:plan path=web -->"]);
    expect(planned.outputs["has-changes"]).toBe("true");
    expect(planned.outputs["summary"]).toBe(
      ".: Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.\ninfra: Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.\nweb: Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.",
    );
    expect(Object.keys(JSON.parse(planned.outputs["plan-hash"]!) as object)).toEqual([".", "infra", "web"]);
    const merge = w.mergePull(1);
    const applied = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(applied.code, applied.stdout).toBe(0);
    expect(w.stateLog("lexum/state-infra")).toHaveLength(1);
    expect(w.stateLog("lexum/state-web")).toHaveLength(1);
    expect(w.stateLog()).toHaveLength(1);
    expect(w.world()).toHaveProperty("svc/infra");
    expect(w.world()).toHaveProperty("svc/web");
    // One state-branch input cannot hold both.
    const shared = await w.run(w.pullEvent(1), { inputs: { "state-branch": "lexum/all" } });
    expect(shared.code).toBe(1);
    expect(shared.stdout).toMatch(/^::error title=LXM6070::/m);
  });

  it("a remote that refuses pushes → the apply lock is refused before anything is applied (LXM6063)", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    const merge = w.mergePull(1);
    w.http.refusePushes(true);
    const r = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error title=LXM6063::/m);
    expect(w.world()).toEqual({});
    expect(w.stateLog()).toEqual([]);
    expect(appliedComments(w, 1)).toEqual([]);
  });

  it("a remote that is gone → a clear error naming it, nothing planned or written", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    const event = w.pullEvent(1);
    await w.http.stop();
    const r = await w.run(event);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error title=LXM4131::.*127\.0\.0\.1/m);
    expect(w.github.writes()).toEqual([]);
  });

  it("merge_group with a stale plan → a failing check on the queue's head", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    const fresh = w.mergeGroup(1);
    expect((await w.run(fresh)).code).toBe(0);
    expect(checks(w, fresh.sha).map((c) => c.conclusion)).toEqual(["success"]);
    w.commitMain({ "other.lxm": project(w.worldFile, { c: 1 }, "other") });
    const stale = w.mergeGroup(1);
    const r = await w.run(stale);
    expect(r.code).toBe(1);
    expect(checks(w, stale.sha).map((c) => c.conclusion)).toEqual(["failure"]);
  });

  it("two merges racing → exactly one snapshot per goal, no lost update", async () => {
    const w = await start();
    w.pushPull(1, { "one.lxm": project(w.worldFile, { p: 1 }, "one") });
    expect((await w.run(w.pullEvent(1))).code).toBe(0);
    const m1 = w.mergePull(1);
    // The second run of the same merge starts at the same time (a re-run racing the first).
    const [a, b] = await Promise.all([w.run(w.pushMainEvent(m1.sha, m1.before), { runId: 7001 }), w.run(w.pushMainEvent(m1.sha, m1.before), { runId: 7002 })]);
    expect([a.code, b.code].sort()).toEqual([0, 0]);
    const log = w.stateLog();
    expect(log.filter((c) => c.message.includes(`Lexum-Source: ${m1.sha} `))).toHaveLength(1);
    expect(git(w.bare, "for-each-ref", "refs/lexum/locks")).toBe("");
  });
});

describe("GitHub's limits and the token", () => {
  it("a secondary rate limit (429 with retry-after) and a 502 are retried; the comment is written once", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    w.github.inject({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", status: 429, retryAfter: 1, kind: "secondary", times: 1 });
    w.github.inject({ method: "POST", route: "/repos/{owner}/{repo}/check-runs", status: 502, times: 1 });
    const r = await w.run(w.pullEvent(1));
    expect(r.code).toBe(0);
    expect(planComments(w, 1)).toHaveLength(1);
  });

  it("missing permissions → a clear failure naming the permissions: block", async () => {
    const w = await start();
    w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 2 }) });
    w.github.inject({ method: "POST", route: "/repos/{owner}/{repo}/check-runs", status: 403, times: 100 });
    const r = await w.run(w.pullEvent(1));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error .*checks: write/);
  });

  it("the token appears in no byte written anywhere: files, outputs, summary, comments, state, request URLs", async () => {
    const w = await start();
    const { plan, merge } = await (async () => {
      w.pushPull(1, { "main.lxm": project(w.worldFile, { a: 1, b: 1 }) });
      const p = await w.run(w.pullEvent(1));
      return { plan: p, merge: w.mergePull(1) };
    })();
    const applied = await w.run(w.pushMainEvent(merge.sha, merge.before));
    expect(applied.code).toBe(0);
    const b64 = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
    for (const r of [plan, applied]) {
      for (const f of r.files()) {
        expect(f.includes(TOKEN)).toBe(false);
        expect(f.includes(b64)).toBe(false);
      }
      expect(r.stdout.replace(`::add-mask::${TOKEN}`, "")).not.toContain(TOKEN);
      expect(r.stderr).not.toContain(TOKEN);
    }
    for (const c of w.github.comments(OWNER, REPO, 1)) expect(c.body).not.toContain(TOKEN);
    for (const q of w.github.requests) expect(q.path + JSON.stringify(q.query) + JSON.stringify(q.body ?? null)).not.toContain(TOKEN);
    for (const q of w.http.requests) expect(q.url).not.toContain(TOKEN);
    expect(git(w.bare, "log", "-p", "--all").includes(TOKEN)).toBe(false);
  });
});
