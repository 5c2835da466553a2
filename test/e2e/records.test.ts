import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LexumError } from "../../src/diag/diagnostic.js";
import { renderText } from "../../src/diag/render.js";
import { acquireApplyLock } from "../../src/engine/apply-lock.js";
import { isPlanned, planProject } from "../../src/engine/plan-project.js";
import type { Planned } from "../../src/engine/plan-project.js";
import { driftedAddresses, recordDrift } from "../../src/engine/record-drift.js";
import { recordFailure } from "../../src/engine/record-failure.js";
import { beginLine, journalName } from "../../src/engine/recover-journal.js";
import { replaySnapshot } from "../../src/engine/replay.js";
import { resolveSnapshotRef } from "../../src/engine/history.js";
import { verifyBranch } from "../../src/engine/verify.js";
import { newAjv } from "../../src/program/ajv.js";
import { hashValue, prettyCanonical, sha256 } from "../../src/program/canonical.js";
import { openJournal, removeJournal } from "../../src/state/journal.js";
import { loadRunView } from "../../src/viewer/load.js";
import { frameAt, recordNote } from "../../src/viewer/model.js";
import { baseEnv, cleanupRepos, makeRepo, root } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

// The two state commits that are not the record of a run, end to end on real repositories:
// a failure record (a goal commit that never ran) and a drift record (the world moved behind
// Lexum's back); what the branch's readers make of them; and what comes after them.

afterAll(cleanupRepos);

const BRANCH = "lexum/state";
const TIME = { seconds: 1700000000, tzOffsetMinutes: 0 }; // the e2e git clock
const snapshotSchema = newAjv().compile(JSON.parse(readFileSync(join(root, "schemas/snapshot.json"), "utf8")) as object);

const goal = (replicas: number): string => `domain app {
  provider sim { world = "world.json" }
  resource sim.object web {
    kind = "service"
    name = "web"
    spec = { replicas = ${replicas} }
  }
  resource sim.object db {
    kind   = "database"
    name   = "main"
    spec   = { size = "small" }
    secret = secret("DB_PASSWORD")
  }
  resource sim.object cache {
    kind = "cache"
    name = "c"
    spec = { ttl = 60 }
  }
  export web
}
`;
const BROKEN = `domain app {\n  resource sim.object web {\n    kind = \n}\n`;

/** A repository with the goal applied once (one quiescent snapshot). */
async function applied(): Promise<E2eRepo> {
  const repo = makeRepo({ ".gitignore": "world.json\n", "app.lxm": goal(2) });
  const r = await repo.lxm(["apply", "--yes"]);
  expect(r.code, r.err).toBe(0);
  return repo;
}

async function plan(repo: E2eRepo, refresh = false): Promise<Planned> {
  const p = await planProject({ dir: repo.dir, cwd: repo.dir, env: baseEnv, refresh });
  if (!isPlanned(p)) throw new Error(p.diagnostics.map((d) => d.message).join("; "));
  return p;
}

/** Commits a goal that does not compile; returns its id and the rendered diagnostics. */
async function commitBroken(repo: E2eRepo): Promise<{ commit: string; message: string }> {
  repo.write({ "app.lxm": BROKEN });
  const commit = repo.commit("broken goal");
  const p = await planProject({ dir: repo.dir, cwd: repo.dir, env: baseEnv });
  expect(isPlanned(p)).toBe(false);
  return { commit, message: renderText(p.diagnostics, p.sources).trimEnd() };
}

async function failureRecord(repo: E2eRepo) {
  const { commit, message } = await commitBroken(repo);
  const recorded = await recordFailure({
    gitdir: join(repo.dir, ".git"),
    branch: BRANCH,
    goal: { commit, time: TIME },
    path: "",
    reason: "compile-failed",
    message,
    trailers: [{ key: "Lexum-Agent", value: "lxm-sync test" }],
  });
  return { commit, message, recorded };
}

/** Edits the sim world behind Lexum's back: web scaled, db resized, the cache deleted. */
function driftWorld(repo: E2eRepo): void {
  const file = join(repo.dir, "world.json");
  const w = JSON.parse(readFileSync(file, "utf8")) as { objects: Record<string, { spec: Record<string, unknown>; generation: number }> };
  w.objects["service/web"]!.spec.replicas = 7;
  w.objects["database/main"]!.spec.size = "large";
  delete w.objects["cache/c"];
  writeFileSync(file, JSON.stringify(w, null, 2));
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

const show = (repo: E2eRepo, path: string, rev = BRANCH) => repo.git("show", `${rev}:${path}`);
const snapshotOf = (repo: E2eRepo, rev = BRANCH) => JSON.parse(show(repo, "snapshot.json", rev)) as Record<string, unknown> & { resources: Record<string, string> };
const files = (repo: E2eRepo, rev = BRANCH) => repo.git("ls-tree", "-r", "--name-only", rev).split("\n");
const ctx = (repo: E2eRepo) => ({ gitdir: join(repo.dir, ".git"), commondir: join(repo.dir, ".git"), branch: BRANCH, env: baseEnv });

// ---- plumbing to tamper with a state commit (as replay-tamper.test.ts does) -------------

function writeBlob(repo: E2eRepo, text: string): string {
  return execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo.dir, input: text, encoding: "utf8" }).trim();
}
function replaceInTree(repo: E2eRepo, tree: string, path: string, blob: string): string {
  const [head, ...rest] = path.split("/");
  const out = repo
    .git("ls-tree", tree)
    .split("\n")
    .map((l) => {
      const [meta, name] = l.split("\t");
      if (name !== head) return l;
      const [mode, type, oid] = meta!.split(" ");
      return `${mode} ${type} ${rest.length === 0 ? blob : replaceInTree(repo, oid!, rest.join("/"), blob)}\t${name}`;
    });
  return execFileSync("git", ["mktree"], { cwd: repo.dir, input: out.join("\n") + "\n", encoding: "utf8" }).trim();
}
/** A commit like the head with files edited (snapshot.json re-hashed and the trailer fixed when `rehash`), put on the branch. */
function tamperHead(repo: E2eRepo, edits: Record<string, (text: string) => string>, rehash?: (s: Record<string, unknown>) => void, subject?: (m: string) => string): string {
  const head = repo.stateHead()!;
  let tree = repo.git("rev-parse", `${head}^{tree}`);
  const put = (path: string, text: string) => (tree = replaceInTree(repo, tree, path, writeBlob(repo, text)));
  for (const [path, edit] of Object.entries(edits)) put(path, edit(show(repo, path, head) + (path.endsWith(".md") ? "" : "\n")));
  let msg = repo.git("log", "-1", "--format=%B", head);
  if (rehash) {
    const { hash: _old, ...s } = JSON.parse(repo.git("cat-file", "blob", `${tree}:snapshot.json`)) as Record<string, unknown>;
    rehash(s);
    const hash = hashValue(s);
    put("snapshot.json", prettyCanonical({ ...s, hash }));
    msg = msg.replace(/^Lexum-Snapshot: .*$/m, `Lexum-Snapshot: ${hash}`);
  }
  if (subject) msg = subject(msg);
  const parents = repo.git("rev-list", "--parents", "-n", "1", head).split(" ").slice(1);
  const oid = repo.git("commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-m", msg);
  repo.git("update-ref", `refs/heads/${BRANCH}`, oid);
  return oid;
}

describe("failure records: a goal commit that never ran", () => {
  it("holds the parent's state exactly, names no plan, and is the same commit in identical repositories", async () => {
    const [a, b] = [await applied(), await applied()];
    const parentA = a.stateHead()!;
    expect(parentA).toBe(b.stateHead()); // the same inputs: the same commits so far
    const ra = await failureRecord(a);
    const rb = await failureRecord(b);
    expect(ra.commit).toBe(rb.commit);
    expect(ra.recorded.oid).toBe(rb.recorded.oid);
    expect(ra.recorded).toEqual({ oid: a.stateHead(), hash: ra.recorded.hash, status: "failed" });
    expect(a.git("rev-parse", `${BRANCH}~1`)).toBe(parentA);

    const s = snapshotOf(a);
    const parent = snapshotOf(a, `${BRANCH}~1`);
    expect(Object.keys(parent.exports as object)).toEqual(["app.web"]);
    expect(s).toEqual({
      dag: { done: [], failed: [], notStarted: [], planned: [] },
      domains: {},
      exports: parent.exports,
      failure: { address: null, domain: null, message: ra.message, reason: "compile-failed" },
      format: "lexum.snapshot/v1",
      hash: ra.recorded.hash,
      kind: "failure",
      lastQuiescent: parent.hash,
      parent: parent.hash,
      plan: null,
      program: null,
      resources: parent.resources,
      source: { commit: ra.commit, path: "" },
      status: "failed",
      trace: sha256(""),
    });
    expect(snapshotSchema(s), JSON.stringify(snapshotSchema.errors)).toBe(true);
    // The same record files, byte for byte: the very same tree of resources.
    expect(a.git("rev-parse", `${BRANCH}:resources`)).toBe(a.git("rev-parse", `${BRANCH}~1:resources`));
    expect(files(a)).not.toContain("plan.json");
    expect(a.git("cat-file", "-s", `${BRANCH}:trace.jsonl`)).toBe("0");
    expect(ra.message).toContain("error[");
    const message = a.git("log", "-1", "--format=%B", BRANCH);
    expect(message).toBe(
      [
        `lexum: failed snapshot ${ra.recorded.hash.slice(7, 19)} for ${ra.commit.slice(0, 12)}`,
        "",
        `Failure (compile-failed): ${ra.message.split("\n")[0]}`,
        "",
        `Lexum-Snapshot: ${ra.recorded.hash}`,
        "Lexum-Plan: none",
        `Lexum-Source: ${ra.commit} .`,
        "Lexum-Agent: lxm-sync test",
      ].join("\n"),
    );
    expect(a.git("log", "-1", "--format=%at %ct %an", BRANCH)).toBe("1700000000 1700000000 Lexum");

    // The readers: verify, replay (rebuilt from the parent), log, show, trace, the viewer.
    expect(await verifyBranch(join(a.dir, ".git"), BRANCH)).toEqual({ commits: 2, bad: null });
    const report = await replaySnapshot(ctx(a), await resolveSnapshotRef(join(a.dir, ".git"), BRANCH, undefined));
    expect(report).toMatchObject({ outcome: "recorded", recorded: ra.recorded.hash, replayed: ra.recorded.hash, divergence: null });
    const v = await a.lxm(["state", "verify", "--replay"]);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toBe(`ok: 2 snapshots on ${BRANCH} verify and replay (1 failure or drift record rebuilt from its parent)\n`);
    const rp = await a.lxm(["replay"]);
    expect(rp.code).toBe(0);
    expect(rp.out).toBe(`rebuilt ${ra.recorded.hash} = recorded (a failure record (compile-failed): goal commit ${ra.commit} never ran; rebuilt from its parent, whose resources and exports it holds)\n`);
    const log = await a.lxm(["state", "log"]);
    const [top, run] = log.out.trimEnd().split("\n");
    expect(top).toBe(
      `${ra.recorded.hash.slice(7, 19)}  failed       goal ${ra.commit.slice(0, 12)}  3 resources recorded; failure record (compile-failed): ${ra.message.split("\n")[0]}  (commit ${ra.recorded.oid.slice(0, 12)})`,
    );
    expect(run).toContain("quiescent    goal");
    expect(run).toContain("3 actions done, 0 failed, 0 not started");
    const rows = JSON.parse((await a.lxm(["state", "log", "--json"])).out) as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ kind: "failure", status: "failed", reason: "compile-failed", drifted: null, verified: true });
    expect(rows[1]).toMatchObject({ kind: "run", status: "quiescent", reason: null });
    const shown = (await a.lxm(["state", "show"])).out;
    expect(shown).toContain("kind     failure record: the goal commit never ran; the resources are the parent's\n");
    expect(shown).toContain("program  none\nplan     none\n");
    expect(shown).toContain(`failure  (compile-failed) ${ra.message.split("\n")[0]}\n`);
    const trace = await a.lxm(["trace"]);
    expect(trace.out).toContain(": 0 events\na failure record (compile-failed): the goal commit never ran — ");
    const view = await loadRunView({ gitdir: join(a.dir, ".git"), branch: BRANCH });
    expect(view).toMatchObject({ status: "failed", kind: "failure", events: [] });
    expect(view.plan.steps).toEqual([]);
    expect(recordNote(view)).toBe(`a failure record (compile-failed): the goal commit never ran — ${ra.message.split("\n")[0]}`);
  });

  it("the next good goal is planned against the parent's resources and recorded (the last run failed)", async () => {
    const repo = await applied();
    const first = snapshotOf(repo);
    await failureRecord(repo);
    // The goal as it was: nothing to change, but a snapshot to record.
    repo.write({ "app.lxm": goal(2) });
    repo.commit("fixed");
    let r = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("No resource changes, but apply will record a new snapshot: the last run failed.");
    r = await repo.lxm(["apply", "--yes"]);
    expect(r.code, r.err).toBe(0);
    const s = snapshotOf(repo);
    expect(s.status).toBe("quiescent");
    expect(s.kind).toBeUndefined();
    expect(s.lastQuiescent).toBe(first.hash);
    expect(s.resources).toEqual(first.resources);
    // A real change on top: planned against the recorded resources.
    repo.write({ "app.lxm": goal(3) });
    repo.commit("scale");
    r = await repo.lxm(["apply", "--yes"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.");
    expect(repo.world()["service/web"]!.spec).toEqual({ replicas: 3 });
    const v = await repo.lxm(["state", "verify", "--replay"]);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toContain("ok: 4 snapshots");
  });

  it("a fetch failure on an empty branch is the first commit, holding nothing", async () => {
    const repo = makeRepo({ ".gitignore": "world.json\n", "app.lxm": goal(2) });
    const commit = repo.git("rev-parse", "HEAD");
    const rec = await recordFailure({ gitdir: join(repo.dir, ".git"), branch: BRANCH, goal: { commit, time: TIME }, path: "", reason: "fetch-failed", message: "could not fetch: HTTP 503" });
    const s = snapshotOf(repo);
    expect(s).toMatchObject({ parent: null, lastQuiescent: null, resources: {}, exports: {}, kind: "failure", failure: { reason: "fetch-failed", message: "could not fetch: HTTP 503" } });
    expect(snapshotSchema(s)).toBe(true);
    expect(repo.git("rev-list", "--count", BRANCH)).toBe("1");
    expect(rec.hash).toBe(s.hash);
    // The first run on top: there is no quiescent snapshot yet.
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code, r.err).toBe(0);
    expect(snapshotOf(repo)).toMatchObject({ status: "quiescent", parent: s.hash, lastQuiescent: null });
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
  });

  it("writes nothing when the head moved, a trailer is bad, an apply runs, or a killed apply awaits recovery", async () => {
    const repo = await applied();
    const gitdir = join(repo.dir, ".git");
    const before = repo.stateHead();
    const { commit } = await commitBroken(repo);
    const base = { gitdir, branch: BRANCH, goal: { commit, time: TIME }, path: "", reason: "compile-failed" as const, message: "m" };

    // Compare-and-swap: written only on the head the caller decided on.
    let e = await rejects(recordFailure({ ...base, expectedHead: "0".repeat(40) }));
    expect(e.code).toBe("LXM4101");
    e = await rejects(recordFailure({ ...base, expectedHead: null }));
    expect(e.code).toBe("LXM4101");
    e = await rejects(recordFailure({ ...base, trailers: [{ key: "Lexum-Plan", value: "x" }] }));
    expect(e.code).toBe("LXM4251");
    const release = await acquireApplyLock(gitdir, journalName(BRANCH));
    e = await rejects(recordFailure(base));
    expect(e.code).toBe("LXM4214");
    await release();
    const journal = await openJournal({ gitdir, name: journalName(BRANCH) });
    const planned = await plan(makeRepo({ "app.lxm": goal(2) }));
    await journal.appendCanonical(beginLine({ parent: before, plan: planned.plan, programHash: planned.programHash, source: { commit, path: "" }, time: TIME }));
    await journal.close();
    e = await rejects(recordFailure(base));
    expect(e.code).toBe("LXM4253");
    expect(e.message).toContain(journalName(BRANCH));
    await removeJournal({ gitdir, name: journalName(BRANCH) });
    await expect(recordFailure({ ...base, goal: { commit: "abc", time: TIME } })).rejects.toThrow(/40 hex digits/);
    expect(repo.stateHead()).toBe(before);

    // On the head it was told: written.
    const ok = await recordFailure({ ...base, expectedHead: before });
    expect(repo.stateHead()).toBe(ok.oid);
  });

  it("cuts a long message on a line and keeps it under 16 KiB", async () => {
    const repo = await applied();
    const { commit } = await commitBroken(repo);
    const message = Array.from({ length: 1000 }, (_, i) => `app.lxm:${i + 1}:1: error[LXM2001]: something is wrong here (${i})`).join("\n");
    await recordFailure({ gitdir: join(repo.dir, ".git"), branch: BRANCH, goal: { commit, time: TIME }, path: "", reason: "compile-failed", message });
    const recorded = (snapshotOf(repo).failure as { message: string }).message;
    expect(Buffer.byteLength(recorded)).toBeLessThanOrEqual(16 * 1024);
    expect(message.startsWith(recorded.slice(0, recorded.lastIndexOf("\n")))).toBe(true);
    expect(recorded).toMatch(/\n… \(\d+ more lines cut: a failure message is kept to 16 KiB\)$/);
  });

  it("tampering is caught: edited resources or exports (hashes fixed), an edited status; replay catches reformatted record bytes", async () => {
    const repo = await applied();
    await failureRecord(repo);
    const good = repo.stateHead()!;
    const web = "resources/app/sim.object.web.json";

    // A record changed, its hash fixed in snapshot.json, snapshot hash and trailer fixed.
    const edited = (t: string) => t.replace('"replicas": 2', '"replicas": 9');
    const recHash = hashValue(JSON.parse(edited(show(repo, web))));
    const bad1 = tamperHead(repo, { [web]: edited }, (s) => ((s.resources as Record<string, string>)["app/sim.object.web"] = recHash));
    let v = await repo.lxm(["state", "verify"]);
    expect(v.code).toBe(1);
    expect(v.err).toContain(`first bad commit ${bad1}`);
    expect(v.err).toContain("a failure record holds its parent's resources, but snapshot.json's differ from the parent commit's");
    repo.git("update-ref", `refs/heads/${BRANCH}`, good);

    const bad2 = tamperHead(repo, {}, (s) => (s.exports = { "app.x": 1 }));
    v = await repo.lxm(["state", "verify"]);
    expect(v.err).toContain(`first bad commit ${bad2}`);
    expect(v.err).toContain("a failure record holds its parent's exports");
    repo.git("update-ref", `refs/heads/${BRANCH}`, good);

    const bad3 = tamperHead(repo, {}, (s) => (s.status = "quiescent"), (m) => m.replace("lexum: failed snapshot", "lexum: quiescent snapshot"));
    v = await repo.lxm(["state", "verify"]);
    expect(v.err).toContain(`first bad commit ${bad3}`);
    expect(v.err).toContain("a failure record has status failed, but snapshot.json says quiescent");
    repo.git("update-ref", `refs/heads/${BRANCH}`, good);

    // The same record content laid out otherwise: the hashes hold, the bytes are not the parent's.
    const bad4 = tamperHead(repo, { [web]: (t) => JSON.stringify(JSON.parse(t)) + "\n" });
    expect((await repo.lxm(["state", "verify"])).code).toBe(0);
    const r = await repo.lxm(["state", "verify", "--replay"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(bad4);
    expect(r.err).toContain("the failure record's resources/app/sim.object.web.json is not byte for byte its parent's");
  });
});

describe("drift records: the world moved behind Lexum's back", () => {
  it("records what was read back, only once, the same commit in identical repositories, and no secret", async () => {
    const [a, b] = [await applied(), await applied()];
    const parentHead = a.stateHead()!;
    driftWorld(a);
    driftWorld(b);
    const pa = await plan(a, true);
    expect(pa.reality).toBeDefined();
    expect(driftedAddresses(pa)).toEqual(["app/sim.object.cache", "app/sim.object.db", "app/sim.object.web"]);
    const ra = await recordDrift(pa, { trailers: [{ key: "Lexum-Agent", value: "lxm-sync test" }] });
    const rb = await recordDrift(await plan(b, true), { trailers: [{ key: "Lexum-Agent", value: "lxm-sync test" }] });
    expect(ra).not.toBeNull();
    expect(ra!.recorded.oid).toBe(rb!.recorded.oid);
    expect(ra!.drifted).toEqual(["app/sim.object.cache", "app/sim.object.db", "app/sim.object.web"]);
    expect(ra!.recorded).toEqual({ oid: a.stateHead(), hash: ra!.recorded.hash, status: "drifted" });

    const s = snapshotOf(a);
    const parent = snapshotOf(a, `${BRANCH}~1`);
    expect(s).toMatchObject({
      kind: "drift",
      status: "drifted",
      parent: parent.hash,
      lastQuiescent: parent.hash,
      program: parent.program,
      source: parent.source,
      plan: pa.plan.hash,
      exports: parent.exports,
      domains: {},
      failure: null,
      dag: { done: [], failed: [], notStarted: [], planned: [] },
    });
    expect(snapshotSchema(s), JSON.stringify(snapshotSchema.errors)).toBe(true);
    expect(Object.keys(s.resources)).toEqual(["app/sim.object.db", "app/sim.object.web"]);
    const webRec = JSON.parse(show(a, "resources/app/sim.object.web.json")) as { attrs: Record<string, unknown> };
    expect(webRec.attrs.spec).toEqual({ replicas: 7 });
    const dbRec = JSON.parse(show(a, "resources/app/sim.object.db.json")) as { attrs: Record<string, unknown>; sensitive: Record<string, string> };
    const dbBefore = JSON.parse(show(a, "resources/app/sim.object.db.json", `${BRANCH}~1`)) as typeof dbRec;
    expect(dbRec.attrs).toEqual({ ...dbBefore.attrs, spec: { size: "large" } });
    expect(dbRec.sensitive).toEqual(dbBefore.sensitive);
    expect(Object.keys(dbRec.attrs).sort()).toEqual(["kind", "name", "spec"]); // secret, uid, generation: digests only
    expect(JSON.parse(show(a, "plan.json"))).toEqual(pa.plan);
    const trace = show(a, "trace.jsonl").split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(trace.map((e) => [e.phase, e.address, e.step, e.domain, e.seq])).toEqual([
      ["drift", "app/sim.object.cache", 1, "app", 0],
      ["drift", "app/sim.object.db", 1, "app", 1],
      ["drift", "app/sim.object.web", 1, "app", 2],
    ]);
    expect(trace[0]!.after).toBeNull();
    expect(trace[2]!.before).toEqual((JSON.parse(show(a, "resources/app/sim.object.web.json", `${BRANCH}~1`)) as typeof webRec).attrs);
    // Neither the secret nor its digest reaches the branch in clear.
    const worldSecret = (JSON.parse(readFileSync(join(a.dir, "world.json"), "utf8")) as { objects: Record<string, { secretDigest?: string }> }).objects["database/main"]!.secretDigest!;
    for (const f of files(a)) {
      const text = show(a, f);
      expect(text).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD!);
      expect(text).not.toContain(worldSecret);
    }
    const message = a.git("log", "-1", "--format=%B", BRANCH).split("\n");
    expect(message.slice(0, 4)).toEqual([
      `lexum: drifted snapshot ${ra!.recorded.hash.slice(7, 19)} for ${(parent.source as { commit: string }).commit.slice(0, 12)}`,
      "",
      "Drift: 3 resources read back other than recorded (2 changed, 1 gone): app/sim.object.cache (gone), app/sim.object.db, app/sim.object.web",
      "Correction plan: Plan: 1 to create, 2 to update, 0 to replace, 0 to delete.",
    ]);
    expect(message).toContain(`Lexum-Plan: ${pa.plan.hash}`);
    expect(message).toContain("Lexum-Agent: lxm-sync test");
    // Its time is the parent state commit's.
    expect(a.git("log", "-1", "--format=%at", BRANCH)).toBe(a.git("log", "-1", "--format=%at", parentHead));

    // The same reality read again: the record now tells the truth, nothing to write; the
    // goal still differs from the world, so the plan has actions.
    const again = await plan(a, true);
    expect(driftedAddresses(again)).toEqual([]);
    expect(again.plan.summary).toMatchObject({ create: 1, update: 2 });
    expect(await recordDrift(again)).toBeNull();
    expect(a.stateHead()).toBe(ra!.recorded.oid);

    // The readers.
    expect(await verifyBranch(join(a.dir, ".git"), BRANCH)).toEqual({ commits: 2, bad: null });
    const v = await a.lxm(["state", "verify", "--replay"]);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toContain("(1 failure or drift record rebuilt from its parent)");
    expect((await a.lxm(["replay"])).out).toBe(`rebuilt ${ra!.recorded.hash} = recorded (a drift record: rebuilt from its parent and the 3 observations in its trace)\n`);
    const log = (await a.lxm(["state", "log"])).out.split("\n")[0];
    expect(log).toBe(`${ra!.recorded.hash.slice(7, 19)}  drifted      goal ${(parent.source as { commit: string }).commit.slice(0, 12)}  2 resources recorded; drift record: 3 resources read back other than recorded  (commit ${ra!.recorded.oid.slice(0, 12)})`);
    const shown = (await a.lxm(["state", "show"])).out;
    expect(shown).toContain("status   drifted\nkind     drift record: reality read back other than recorded; nothing was applied\n");
    expect(shown).toContain("drifted (3):\n  app/sim.object.cache  gone\n  app/sim.object.db  changed\n  app/sim.object.web  changed\n");
    const at0 = JSON.parse((await a.lxm(["state", "show", "--at", "0", "--json"])).out) as { resources: Record<string, { spec: unknown }>; lastStep: number };
    const at1 = JSON.parse((await a.lxm(["state", "show", "--at", "1", "--json"])).out) as typeof at0;
    expect(at0.lastStep).toBe(1);
    expect(Object.keys(at0.resources)).toHaveLength(3);
    expect(at1.resources["app/sim.object.web"]!.spec).toEqual({ replicas: 7 });
    expect(at1.resources["app/sim.object.cache"]).toBeUndefined();
    const traced = (await a.lxm(["trace"])).out;
    expect(traced).toContain("#1 step 1 app  drift  app/sim.object.cache (gone outside Lexum)\n");
    expect(traced).toContain("#3 step 1 app  drift  app/sim.object.web (changed outside Lexum)\n");
    const view = await loadRunView({ gitdir: join(a.dir, ".git"), branch: BRANCH });
    expect(view).toMatchObject({ status: "drifted", kind: "drift" });
    const frame = frameAt(view, 2);
    expect(frame.resources["app/sim.object.web"]).toBe("drifted");
    expect(frame.resources["app/sim.object.cache"]).toBe("drifted");
    expect(frame.diff).toEqual([{ attr: "spec", before: { replicas: 2 }, after: { replicas: 7 } }]);
    expect(frame.domains).toEqual({ app: "pending" }); // nothing ran in any domain
    expect(recordNote(view)).toBe("a drift record: 3 resources read back other than recorded; its plan is the correction plan");
  });

  it("lxm apply after a drift record restores the goal and records a quiescent snapshot", async () => {
    const repo = await applied();
    const first = snapshotOf(repo);
    driftWorld(repo);
    await recordDrift(await plan(repo, true));
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("Plan: 1 to create, 2 to update, 0 to replace, 0 to delete.");
    const world = repo.world();
    expect(world["service/web"]!.spec).toEqual({ replicas: 2 });
    expect(world["database/main"]!.spec).toEqual({ size: "small" });
    expect(world["cache/c"]!.spec).toEqual({ ttl: 60 });
    const s = snapshotOf(repo);
    expect(s).toMatchObject({ status: "quiescent", lastQuiescent: first.hash });
    expect(s.kind).toBeUndefined();
    expect((await repo.lxm(["plan", "--refresh", "--detailed-exitcode"])).code).toBe(0);
    const v = await repo.lxm(["state", "verify", "--replay"]);
    expect(v.code, v.err).toBe(0);
  });

  it("a drifted head with nothing to apply still records a quiescent snapshot (a drifted state is never a rollback target)", async () => {
    const repo = await applied();
    const file = join(repo.dir, "world.json");
    const w = JSON.parse(readFileSync(file, "utf8")) as { objects: Record<string, { generation: number }> };
    w.objects["service/web"]!.generation = 42; // computed: the plan never compares it
    writeFileSync(file, JSON.stringify(w, null, 2));
    const rec = await recordDrift(await plan(repo, true));
    expect(rec!.drifted).toEqual(["app/sim.object.web"]);
    const p = await plan(repo);
    expect(p.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(p.plan.writesSnapshot).toBe("the last snapshot recorded drift");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code, r.err).toBe(0);
    expect(snapshotOf(repo).status).toBe("quiescent");
    expect((JSON.parse(show(repo, "resources/app/sim.object.web.json")) as { attrs: { generation: number } }).attrs.generation).toBe(42);
  });

  it("writes nothing when the branch moved since the plan, or the plan did not read reality", async () => {
    const repo = await applied();
    driftWorld(repo);
    const planned = await plan(repo, true);
    const before = repo.stateHead();
    // Another writer records first.
    const { commit } = await commitBroken(repo);
    const moved = await recordFailure({ gitdir: join(repo.dir, ".git"), branch: BRANCH, goal: { commit, time: TIME }, path: "", reason: "compile-failed", message: "m" });
    expect(moved.oid).not.toBe(before);
    const e = await rejects(recordDrift(planned));
    expect(e.code).toBe("LXM4101");
    expect(repo.stateHead()).toBe(moved.oid);
    expect(() => driftedAddresses({ ...planned, reality: undefined })).toThrow(/refresh/);
  });

  it("a drift record on top of a failure record carries the goal it was planned against", async () => {
    const repo = await applied();
    const first = snapshotOf(repo);
    await failureRecord(repo);
    repo.write({ "app.lxm": goal(2) });
    const fixed = repo.commit("fixed");
    driftWorld(repo);
    const rec = await recordDrift(await plan(repo, true));
    const s = snapshotOf(repo);
    expect(s).toMatchObject({ kind: "drift", program: first.program, source: { commit: fixed, path: "" }, lastQuiescent: first.hash });
    expect(rec!.recorded.hash).toBe(s.hash);
    const v = await repo.lxm(["state", "verify", "--replay"]);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toContain("(2 failure or drift records rebuilt from their parents)");
  });

  it("tampering is caught: an edited record (hashes fixed), an edited observation, a plan not against the parent", async () => {
    const repo = await applied();
    driftWorld(repo);
    await recordDrift(await plan(repo, true));
    const good = repo.stateHead()!;
    const web = "resources/app/sim.object.web.json";

    // A record that is not what the trace observed (its hash fixed up): verify holds, replay diverges.
    const edited = (t: string) => t.replace('"replicas": 7', '"replicas": 8');
    const recHash = hashValue(JSON.parse(edited(show(repo, web))));
    const bad1 = tamperHead(repo, { [web]: edited }, (s) => ((s.resources as Record<string, string>)["app/sim.object.web"] = recHash));
    expect((await repo.lxm(["state", "verify"])).code).toBe(0);
    let r = await repo.lxm(["state", "verify", "--replay"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(bad1);
    expect(r.err).toContain("the drift record is not its parent with the observations in its trace: it differs in resources");
    repo.git("update-ref", `refs/heads/${BRANCH}`, good);

    // An observation whose `before` is not the parent's record.
    const bad2 = tamperHead(repo, { "trace.jsonl": (t) => t.replace('"before":{"generation":1', '"before":{"generation":5') }, (s) => (s.trace = sha256(show(repo, "trace.jsonl").replace('"before":{"generation":1', '"before":{"generation":5') + "\n")));
    expect((await repo.lxm(["state", "verify"])).code).toBe(0);
    r = await repo.lxm(["replay"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(bad2.slice(0, 12));
    expect(r.err).toContain("trace event 1/app/0: its before is not the parent's record of app/sim.object.cache");
    repo.git("update-ref", `refs/heads/${BRANCH}`, good);

    // A plan.json swapped for one not planned against the parent (every hash fixed up).
    const other: Record<string, unknown> = { ...(JSON.parse(show(repo, "plan.json")) as Record<string, unknown>), prior: null };
    const { hash: _h, ...body } = other;
    const planHash = hashValue(body);
    const bad3 = tamperHead(
      repo,
      { "plan.json": () => prettyCanonical({ ...body, hash: planHash }) },
      (s) => (s.plan = planHash),
      (m) => m.replace(/^Lexum-Plan: .*$/m, `Lexum-Plan: ${planHash}`),
    );
    expect((await repo.lxm(["state", "verify"])).code).toBe(0);
    r = await repo.lxm(["replay"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(bad3.slice(0, 12));
    expect(r.err).toContain("its plan.json is not a correction planned against its parent with reality read");
  });
});

describe("failure reasons of runs", () => {
  it("a run that fails in the runtime records apply-failed; one recorded without a reason (an older Lexum) still verifies and replays", async () => {
    const faulty = goal(2).replace('provider sim { world = "world.json" }', 'provider sim {\n    world  = "world.json"\n    faults = [{ address = "app/sim.object.cache", kind = "error", times = 9 }]\n  }\n  policy { retries = 0 }');
    const repo = makeRepo({ ".gitignore": "world.json\n", "app.lxm": faulty });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    const s = snapshotOf(repo);
    expect(s.status).toBe("failed");
    expect(s.failure).toMatchObject({ domain: "app", address: "app/sim.object.cache", reason: "apply-failed" });
    expect(snapshotSchema(s), JSON.stringify(snapshotSchema.errors)).toBe(true);
    expect(repo.git("log", "-1", "--format=%B", BRANCH)).toContain("\nFailure (apply-failed): app app/sim.object.cache: ");

    // The same snapshot as an older Lexum wrote it: no reason, the message without one.
    tamperHead(
      repo,
      {},
      (doc) => delete (doc.failure as Record<string, unknown>).reason,
      (m) => m.replace("Failure (apply-failed): ", "Failure: "),
    );
    const old = snapshotOf(repo);
    expect(old.failure).not.toHaveProperty("reason");
    expect(snapshotSchema(old)).toBe(true);
    expect(await verifyBranch(join(repo.dir, ".git"), BRANCH)).toEqual({ commits: 1, bad: null });
    const report = await replaySnapshot(ctx(repo), await resolveSnapshotRef(join(repo.dir, ".git"), BRANCH, undefined));
    expect(report).toMatchObject({ outcome: "reproduced", recorded: old.hash, replayed: old.hash });
    // And the next run on top of it plans as after any failed run.
    const p = await plan(repo);
    expect(p.prior.snapshot).toBe(old.hash);
  });
});
