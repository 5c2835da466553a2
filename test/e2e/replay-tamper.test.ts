import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { gitc, makeRepo } from "../git/helpers.js";
import { hashValue, prettyCanonical, sha256 } from "../../src/program/canonical.js";

// A state branch of three runs, tampered with by hand the way an attacker (or a careless
// `git commit` on the branch) would, with git plumbing only: `git cat-file`, edit,
// `git hash-object -w`, `git mktree`, `git commit-tree`, `git update-ref`. Every kind of edit
// must be caught and the first bad commit named; an edit whose hashes were all fixed up is
// caught only by replay, which names the first diverging event.

const goal = (replicas: number, image: string): string => `domain app {
  provider sim { world = "world.json" }
  resource sim.object web {
    kind = "service"
    name = "web"
    spec = { replicas = ${replicas}, image = "${image}" }
  }
  resource sim.object db {
    kind = "database"
    name = "main"
    spec = { size = "small", users = [web.uid] }
  }
}
`;

const WEB = "resources/app/sim.object.web.json";
let repo: ReturnType<typeof makeRepo>;
/** The untampered state commits, oldest first. */
let c: string[];

const git = (...args: string[]): string => gitc(repo.dir, ...args);

/** `git hash-object -w` of a text, through stdin. */
function writeBlob(text: string): string {
  return execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo.dir, input: text, encoding: "utf8" }).trim();
}

/** The tree `tree` with the blob at `path` replaced (`git ls-tree` → edit → `git mktree`, one level at a time). */
function replaceInTree(tree: string, path: string, blob: string): string {
  const [head, ...rest] = path.split("/");
  const lines = git("ls-tree", tree).split("\n");
  const out = lines.map((l) => {
    const [meta, name] = l.split("\t");
    if (name !== head) return l;
    const [mode, type, oid] = meta!.split(" ");
    const next = rest.length === 0 ? blob : replaceInTree(oid!, rest.join("/"), blob);
    return `${mode} ${type} ${next}\t${name}`;
  });
  return execFileSync("git", ["mktree"], { cwd: repo.dir, input: out.join("\n") + "\n", encoding: "utf8" }).trim();
}

/** A new commit like `oid` with some files edited, on `parent` (`git commit-tree`). */
function rewrite(oid: string, parent: string | null, edits: Record<string, (text: string) => string> = {}, message?: (m: string) => string): string {
  let tree = git("rev-parse", `${oid}^{tree}`);
  for (const [path, edit] of Object.entries(edits)) {
    const before = git("cat-file", "blob", `${oid}:${path}`) + (path.endsWith(".json") || path.endsWith(".jsonl") ? "\n" : "");
    tree = replaceInTree(tree, path, writeBlob(edit(before)));
  }
  const msg = git("log", "-1", "--format=%B", oid);
  const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message ? message(msg) : msg];
  return git(...args);
}

/** Points the state branch at `oid` (`git update-ref`). */
function setBranch(oid: string): void {
  git("update-ref", "refs/heads/lexum/state", oid);
}

/** Re-hashes an edited snapshot.json consistently: its `hash` field as Lexum computes it. */
function rehash(text: string, edit: (s: Record<string, unknown>) => void): { text: string; hash: string } {
  const { hash: _old, ...s } = JSON.parse(text) as Record<string, unknown>;
  edit(s);
  const hash = hashValue(s);
  return { text: prettyCanonical({ ...s, hash }), hash };
}

const retrailer = (hash: string) => (m: string) => m.replace(/^Lexum-Snapshot: .*$/m, `Lexum-Snapshot: ${hash}`);

beforeAll(async () => {
  repo = makeRepo({ ".gitignore": "world.json\n", "app.lxm": goal(1, "web:1") });
  const commit = async (replicas: number, image: string) => {
    writeFileSync(join(repo.dir, "app.lxm"), goal(replicas, image));
    git("commit", "-q", "-am", `goal ${replicas} ${image}`);
  };
  expect((await lxm(repo.dir, ["apply", "--yes"])).code).toBe(0);
  await commit(2, "web:1");
  expect((await lxm(repo.dir, ["apply", "--yes"])).code).toBe(0);
  await commit(3, "web:2");
  expect((await lxm(repo.dir, ["apply", "--yes"])).code).toBe(0);
  c = git("rev-list", "--reverse", "lexum/state").split("\n");
  expect(c).toHaveLength(3);
}, 60_000);

afterEach(() => setBranch(c[2]!));
afterAll(() => repo?.cleanup());

/** Tampers with the middle commit and re-parents the head on it; returns [tampered middle, new head]. */
function tamperMiddle(edits: Record<string, (text: string) => string>): [string, string] {
  const middle = rewrite(c[1]!, c[0]!, edits);
  const top = rewrite(c[2]!, middle);
  setBranch(top);
  return [middle, top];
}

async function expectFirstBad(oid: string, problem: RegExp): Promise<void> {
  const r = await lxm(repo.dir, ["state", "verify"]);
  expect(r.code).toBe(1);
  expect(r.err).toContain(`error[LXM4022]: lexum/state does not verify: first bad commit ${oid}\n`);
  expect(r.err).toMatch(problem);
  // --replay runs after the hash and chain checks and names the same commit.
  const rr = await lxm(repo.dir, ["state", "verify", "--replay"]);
  expect(rr.code).toBe(1);
  expect(rr.err).toContain(`first bad commit ${oid}\n`);
}

describe("tampering with the state branch", () => {
  it("the untouched branch verifies and replays", async () => {
    const r = await lxm(repo.dir, ["state", "verify", "--replay"]);
    expect(r.err).toBe("");
    expect(r.out).toBe("ok: 3 snapshots on lexum/state verify and replay\n");
    expect(r.code).toBe(0);
  });

  it("an edited snapshot.json", async () => {
    const [bad] = tamperMiddle({ "snapshot.json": (t) => t.replace('"status": "quiescent"', '"status": "failed"') });
    await expectFirstBad(bad, /snapshot\.json states hash sha256:[0-9a-f]{64} but its content hashes to/);
  });

  it("an edited trace.jsonl", async () => {
    const [bad] = tamperMiddle({ "trace.jsonl": (t) => t.replace('"replicas":2', '"replicas":20') });
    await expectFirstBad(bad, /trace\.jsonl hashes to sha256:[0-9a-f]{64}, but snapshot\.json lists/);
  });

  it("an edited resource file", async () => {
    const [bad] = tamperMiddle({ [WEB]: (t) => t.replace('"replicas": 2', '"replicas": 5') });
    await expectFirstBad(bad, /resources\/app\/sim\.object\.web\.json hashes to sha256:[0-9a-f]{64}, but snapshot\.json lists/);
  });

  it("a rewritten parent: a consistently re-hashed first snapshot breaks the chain at the second", async () => {
    // Rewrite the first run so that it verifies on its own: record, its hash in snapshot.json,
    // the snapshot's hash and the commit trailer all fixed up.
    const rec = JSON.parse(git("cat-file", "blob", `${c[0]}:${WEB}`));
    rec.attrs.spec.replicas = 9;
    const snap = rehash(git("cat-file", "blob", `${c[0]}:snapshot.json`), (s) => {
      (s.resources as Record<string, string>)["app/sim.object.web"] = hashValue(rec);
    });
    const first = rewrite(c[0]!, null, { [WEB]: () => prettyCanonical(rec), "snapshot.json": () => snap.text }, retrailer(snap.hash));
    const second = rewrite(c[1]!, first);
    setBranch(rewrite(c[2]!, second));
    const alone = await lxm(repo.dir, ["state", "show", first]);
    expect(alone.out).not.toContain("DOES NOT VERIFY"); // the rewritten run is self-consistent
    await expectFirstBad(second, /snapshot\.parent is sha256:[0-9a-f]{64} but the parent commit holds sha256:/);
  });

  it("a consistently edited trace (hashes fixed) passes verify but not replay, which names the event", async () => {
    // Make the head's recorded observation of web say replicas 30, and fix every hash.
    const trace = git("cat-file", "blob", `${c[2]}:trace.jsonl`) + "\n";
    const lines = trace.split("\n");
    const i = lines.findIndex((l) => l.includes('"phase":"observe"') && l.includes('"address":"app/sim.object.web"'));
    expect(i).toBeGreaterThanOrEqual(0);
    const ev = JSON.parse(lines[i]!);
    expect(ev.observation.result.spec.replicas).toBe(3);
    lines[i] = lines[i]!.replace('"replicas":3', '"replicas":30');
    const edited = lines.join("\n");
    const snap = rehash(git("cat-file", "blob", `${c[2]}:snapshot.json`), (s) => {
      s.trace = sha256(edited);
    });
    const top = rewrite(c[2]!, c[1]!, { "trace.jsonl": () => edited, "snapshot.json": () => snap.text }, retrailer(snap.hash));
    setBranch(top);

    const v = await lxm(repo.dir, ["state", "verify"]);
    expect(v.err).toBe("");
    expect(v.code).toBe(0);

    const vr = await lxm(repo.dir, ["state", "verify", "--replay"]);
    expect(vr.code).toBe(1);
    expect(vr.err).toContain(`error[LXM4023]: lexum/state does not replay: first bad commit ${top}\n`);
    // The replayed done event of web carries the tampered observation; the recorded one does not.
    expect(vr.err).toMatch(/replay diverged at step 1, domain app, event \d+ \(app\/sim\.object\.web\): after\.spec\.replicas \(recorded 3, replayed 30\)/);

    const r = await lxm(repo.dir, ["replay"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain(`error[LXM4213]: snapshot ${snap.hash} (commit ${top.slice(0, 12)}) does not replay: replay diverged at step 1, domain app`);
    const json = JSON.parse((await lxm(repo.dir, ["replay", "--json"])).out);
    expect(json.outcome).toBe("diverged");
    expect(json.divergence).toMatchObject({ step: 1, domain: "app", address: "app/sim.object.web" });
    expect(json.divergence.expected.phase).toBe("done");
    // An older, untouched snapshot still replays.
    expect((await lxm(repo.dir, ["replay", "lexum/state~1"])).code).toBe(0);
  });
});

describe("verify checks every trailer, the subject and the ref file", () => {
  const withMessage = (edit: (m: string) => string) => {
    const top = rewrite(c[2]!, c[1]!, {}, edit);
    setBranch(top);
    return top;
  };
  const snapshotOf = (oid: string) => git("log", "-1", "--format=%(trailers:key=Lexum-Snapshot,valueonly)", oid).split("\n")[0]!;
  const other = () => snapshotOf(c[1]!);

  it("a second, wrong Lexum-Snapshot trailer after the right one", async () => {
    const top = withMessage((m) => m.replace(/^(Lexum-Snapshot: .*)$/m, `$1\nLexum-Snapshot: ${other()}`));
    await expectFirstBad(top, /exactly one Lexum-Snapshot trailer expected/);
  });

  it("a Lexum-Plan trailer naming another plan", async () => {
    const plan = git("log", "-1", "--format=%(trailers:key=Lexum-Plan,valueonly)", c[1]!).split("\n")[0]!;
    const top = withMessage((m) => m.replace(/^Lexum-Plan: .*$/m, `Lexum-Plan: ${plan}`));
    await expectFirstBad(top, /the commit message names plan sha256:[0-9a-f]{64} but snapshot\.json names sha256:/);
  });

  it("a Lexum-Source trailer naming another goal commit", async () => {
    const top = withMessage((m) => m.replace(/^Lexum-Source: \S+/m, `Lexum-Source: ${"0".repeat(40)}`));
    await expectFirstBad(top, /the commit message names source 0{40} \. but snapshot\.json names [0-9a-f]{40} \./);
  });

  it("a subject giving another status", async () => {
    const top = withMessage((m) => m.replace(/^lexum: quiescent snapshot/, "lexum: failed snapshot"));
    await expectFirstBad(top, /gives status failed but snapshot\.json says quiescent/);
  });

  it("a ref file with surrounding spaces is broken, as git says; verify names the ref", async () => {
    const file = join(repo.dir, ".git/refs/heads/lexum/state");
    writeFileSync(file, ` ${c[2]} \n`);
    expect(() => git("rev-parse", "--verify", "-q", "refs/heads/lexum/state")).toThrow();
    const r = await lxm(repo.dir, ["state", "verify"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM4103]");
    expect(r.err).toContain("ref refs/heads/lexum/state is corrupt");
    // A trailing newline (what git writes) and trailing spaces are fine.
    writeFileSync(file, `${c[2]}  \n`);
    expect((await lxm(repo.dir, ["state", "verify"])).code).toBe(0);
  });

  it("a missing object: the message names the commit and the object, in Lexum's words", async () => {
    // A head whose README.md blob is nowhere (a tree edited to name a blob that does not exist).
    const ghost = "1".repeat(40);
    const entries = git("ls-tree", `${c[2]}^{tree}`).split("\n").map((l) => (l.endsWith("\tREADME.md") ? l.replace(/blob [0-9a-f]{40}/, `blob ${ghost}`) : l));
    const tree = execFileSync("git", ["mktree", "--missing"], { cwd: repo.dir, input: entries.join("\n") + "\n", encoding: "utf8" }).trim();
    const top = git("commit-tree", tree, "-p", c[1]!, "-m", git("log", "-1", "--format=%B", c[2]!));
    setBranch(top);
    const r = await lxm(repo.dir, ["state", "verify"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error[LXM4204]: the state branch lexum/state is damaged at commit ${top}: cannot read git object ${ghost}`);
    expect(r.err).not.toMatch(/report this error|isomorphic-git/);
    const p = await lxm(repo.dir, ["plan"]);
    expect(p.code).toBe(1);
    expect(p.err).toContain(`damaged at commit ${top}`);
    expect(p.err).toContain(ghost);
    expect(p.err).not.toMatch(/report this error|isomorphic-git/);
  });
});

describe("plan and apply refuse a head that verify rejects (LXM4204), writing nothing", () => {
  const message = (oid: string) => git("log", "-1", "--format=%B", oid);
  const tree = (oid: string) => git("rev-parse", `${oid}^{tree}`);
  const commitTree = (t: string, parents: string[], msg: string) => git("commit-tree", t, ...parents.flatMap((p) => ["-p", p]), "-m", msg);
  const snapshotOf = (oid: string) => git("log", "-1", "--format=%(trailers:key=Lexum-Snapshot,valueonly)", oid).split("\n")[0]!;

  // Each makes a head (and, when the first bad commit is below it, says which that is).
  const cases: [string, () => string | [string, string], RegExp][] = [
    ["a wrong Lexum-Snapshot trailer", () => commitTree(tree(c[2]!), [c[1]!], message(c[2]!).replace(/^Lexum-Snapshot: .*$/m, `Lexum-Snapshot: ${snapshotOf(c[1]!)}`)), /names snapshot sha256:/],
    ["no Lexum-Snapshot trailer", () => commitTree(tree(c[2]!), [c[1]!], message(c[2]!).replace(/^Lexum-Snapshot: .*\n/m, "")), /names snapshot \(none\)/],
    ["a wrong Lexum-Snapshot trailer before the right one", () => commitTree(tree(c[2]!), [c[1]!], message(c[2]!).replace(/^(Lexum-Snapshot: .*)$/m, `Lexum-Snapshot: ${snapshotOf(c[1]!)}\n$1`)), /exactly one Lexum-Snapshot trailer/],
    ["the head re-parented (on the first commit)", () => commitTree(tree(c[2]!), [c[0]!], message(c[2]!)), /snapshot\.parent is sha256:[0-9a-f]{64} but the parent commit holds/],
    ["the head made a root", () => commitTree(tree(c[2]!), [], message(c[2]!)), /snapshot\.parent is sha256:[0-9a-f]{64} but the commit has no parent/],
    ["the head given a second parent", () => commitTree(tree(c[2]!), [c[1]!, c[0]!], message(c[2]!)), /2 parents/],
    ["the last two commits swapped", () => {
      const under = commitTree(tree(c[2]!), [c[0]!], message(c[2]!));
      return [commitTree(tree(c[1]!), [under], message(c[1]!)), under];
    }, /snapshot\.parent is sha256:[0-9a-f]{64} but the parent commit holds/],
  ];
  for (const [title, make, problem] of cases) {
    it(title, async () => {
      const made = make();
      const [top, firstBad] = typeof made === "string" ? [made, made] : made;
      setBranch(top);
      const world = readFileSync(join(repo.dir, "world.json"), "utf8");
      const v = await lxm(repo.dir, ["state", "verify"]);
      expect(v.code).toBe(1);
      expect(v.err).toContain(`first bad commit ${firstBad}\n`);
      expect(v.err).toMatch(problem);
      for (const args of [["plan"], ["apply", "--yes"], ["apply", "--yes", "--refresh"]]) {
        const r = await lxm(repo.dir, args);
        expect(r.code).toBe(1);
        expect(r.err).toContain(`error[LXM4204]: the state branch lexum/state is damaged at commit ${top}: `);
        expect(r.err).toMatch(problem);
        expect(r.err).toContain("lxm state verify");
        expect(git("rev-parse", "lexum/state")).toBe(top);
        expect(readFileSync(join(repo.dir, "world.json"), "utf8")).toBe(world);
      }
    });
  }
});
