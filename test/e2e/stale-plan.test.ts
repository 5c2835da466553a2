import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo, userView } from "./helpers.js";

afterAll(cleanupRepos);

const goal = (content: string, extra = "") => `domain site {
  provider fs { root = "out" }
  resource fs.file index {
    path    = "index.html"
    content = "${content}"
  }
${extra}}
`;
const ignore = { ".gitignore": "out/\n*.plan.json\n" };

describe("saved plans: apply --plan applies exactly that plan and refuses a stale one", () => {
  it("applies a fresh saved plan byte for byte", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal("v1") });
    const r = await repo.lxm(["plan", "--detailed-exitcode", "--out", "p.plan.json"]);
    expect(r.code).toBe(2);
    const saved = JSON.parse(readFileSync(join(repo.dir, "p.plan.json"), "utf8")) as { hash: string };
    const a = await repo.lxm(["apply", "--plan", "p.plan.json"]);
    expect(a.code).toBe(0);
    expect(JSON.parse(repo.git("show", "lexum/state:plan.json"))).toEqual(JSON.parse(readFileSync(join(repo.dir, "p.plan.json"), "utf8")));
    expect(headSnapshot(repo).plan).toBe(saved.hash);
    expect(readFileSync(join(repo.dir, "out/index.html"), "utf8")).toBe("v1");
    await expectHealthyState(repo);
  });

  it("refuses a plan whose goal moved (a new commit): exit 1, clear message, nothing written", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal("v1") });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "site.lxm": goal("v2") });
    repo.commit("v2");
    expect((await repo.lxm(["plan", "--detailed-exitcode", "--out", "p.plan.json"])).code).toBe(2);
    repo.write({ "site.lxm": goal("v3") });
    repo.commit("v3");
    const head = repo.stateHead();
    const user = userView(repo);
    const r = await repo.lxm(["apply", "--plan", "p.plan.json"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM4205]");
    expect(r.err).toMatch(/the saved plan is stale: it was made for program sha256:[0-9a-f]+, the goal is now sha256:/);
    expect(r.err).toContain("lxm plan --out FILE");
    expect(repo.stateHead()).toBe(head);
    expect(readFileSync(join(repo.dir, "out/index.html"), "utf8")).toBe("v1");
    expect(userView(repo)).toEqual(user);
    await expectHealthyState(repo);
  });

  it("refuses a plan whose state moved (another apply ran since): exit 1, nothing written", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal("v1") });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "site.lxm": goal("v2") });
    repo.commit("v2");
    expect((await repo.lxm(["plan", "--detailed-exitcode", "--out", "p.plan.json"])).code).toBe(2);
    // Someone applies the same goal first: the branch moves, the program is the same.
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    writeFileSync(join(repo.dir, "out/index.html"), "tampered");
    const head = repo.stateHead();
    const r = await repo.lxm(["apply", "--plan", "p.plan.json"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM4205]");
    expect(r.err).toMatch(/it was made against snapshot sha256:[0-9a-f]+, the state branch is now at sha256:/);
    expect(repo.stateHead()).toBe(head);
    expect(readFileSync(join(repo.dir, "out/index.html"), "utf8")).toBe("tampered"); // nothing ran
    await expectHealthyState(repo);
  });

  it("refuses an edited plan file (hash mismatch) with LXM4206", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal("v1") });
    expect((await repo.lxm(["plan", "--detailed-exitcode", "--out", "p.plan.json"])).code).toBe(2);
    const file = join(repo.dir, "p.plan.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"v1"', '"evil"'));
    const r = await repo.lxm(["apply", "--plan", "p.plan.json"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM4206]");
    expect(r.err).toContain("its hash does not match its content");
    expect(repo.stateHead()).toBeNull();
    expect(repo.exists("out/index.html")).toBe(false);
  });
});

describe("--rev compiles exactly the committed files", () => {
  it("ignores uncommitted edits and new files; records the revision as the goal commit", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal("committed") });
    const committed = repo.git("rev-parse", "HEAD");
    // An uncommitted edit and an untracked file that would add a resource.
    repo.write({
      "site.lxm": goal("uncommitted"),
      "more.lxm": `domain more {\n  provider fs { root = "out" }\n  resource fs.file x { path = "x.txt" }\n}\n`,
    });
    const user = userView(repo);
    const wt = await repo.lxm(["plan", "--detailed-exitcode", "--json"]);
    const atRev = await repo.lxm(["plan", "--detailed-exitcode", "--rev", "HEAD", "--json"]);
    expect(wt.code).toBe(2);
    expect(atRev.code).toBe(2);
    expect(wt.out).toContain('"uncommitted"');
    expect(atRev.out).not.toContain("uncommitted");
    expect(atRev.out).not.toContain("more/fs.file.x");
    expect(atRev.out).toContain('"committed"');

    const r = await repo.lxm(["apply", "--rev", "HEAD", "--yes"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(repo.dir, "out/index.html"), "utf8")).toBe("committed");
    expect(repo.exists("out/x.txt")).toBe(false);
    const snap = headSnapshot(repo);
    expect(snap.source).toEqual({ commit: committed, path: "" });
    expect(userView(repo)).toEqual(user);
    // A plan of the same revision now has nothing to do, whatever the work tree says.
    expect((await repo.lxm(["plan", "--rev", committed.slice(0, 10)])).code).toBe(0);
    await expectHealthyState(repo);
  });

  it("an older revision plans the way back", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal("one") });
    repo.write({ "site.lxm": goal("two") });
    repo.commit("two");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const r = await repo.lxm(["plan", "--detailed-exitcode", "--rev", "HEAD~1"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('~ content = "two" -> "one"');
    const bad = await repo.lxm(["plan", "--rev", "no-such-rev"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("LXM4104");
  });
});
