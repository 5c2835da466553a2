import { lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo, userView } from "./helpers.js";

// One fs project taken through every action the planner has, each step a real commit.
const ignore = { ".gitignore": "out/\n" };

function goal(opts: { a: string; aMode?: string; link: string; withB: boolean; protectA?: boolean; withA?: boolean }): string {
  const a =
    opts.withA === false
      ? ""
      : `  resource fs.file a {
    path    = "\${conf.path}/a.txt"
    content = "${opts.a}"
    mode    = "${opts.aMode ?? "0644"}"${opts.protectA ? "\n    protect = true" : ""}
  }
`;
  const b = opts.withB ? `  resource fs.file b {\n    path    = "\${conf.path}/b.txt"\n    content = "bee"\n  }\n` : "";
  return `domain app {
  provider fs { root = "out" }

  resource fs.dir conf { path = "conf" }
${a}${b}  resource fs.symlink link {
    path   = "current"
    target = "${opts.link}"
  }

  policy { prune = true }
}
`;
}

afterAll(cleanupRepos);

describe("lifecycle: create → update → replace → delete → protect refusal", () => {
  it("walks a project through every action against a real git repository", async () => {
    const repo = makeRepo({ ...ignore, "app.lxm": goal({ a: "one", link: "conf/a.txt", withB: true }) });
    const out = (p: string) => join(repo.dir, "out", p);

    // create
    let user = userView(repo);
    let r = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Plan: 4 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(repo.stateHead()).toBeNull(); // plan writes nothing
    r = await repo.lxm(["apply", "--yes"]);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    expect(readFileSync(out("conf/a.txt"), "utf8")).toBe("one");
    expect(readFileSync(out("conf/b.txt"), "utf8")).toBe("bee");
    expect(readlinkSync(out("current"))).toBe("conf/a.txt");
    expect(userView(repo)).toEqual(user);
    expect(await expectHealthyState(repo)).toBe(1);
    const first = headSnapshot(repo);
    expect(first.status).toBe("quiescent");
    expect(first.parent).toBeNull();
    expect(Object.keys(first.resources).sort()).toEqual(["app/fs.dir.conf", "app/fs.file.a", "app/fs.file.b", "app/fs.symlink.link"]);
    const goalCommit = repo.git("rev-parse", "HEAD");
    expect(repo.git("log", "-1", "--format=%B", "lexum/state")).toContain(goalCommit.slice(0, 12));
    // Author/committer time of the state commit is the goal commit's time.
    expect(repo.git("log", "-1", "--format=%at %ct", "lexum/state")).toBe(repo.git("log", "-1", "--format=%at %ct", "HEAD"));

    // nothing to do: plan exits 0 and apply writes no commit
    expect((await repo.lxm(["plan"])).code).toBe(0);
    r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Nothing to apply");
    expect(Number(repo.git("rev-list", "--count", "lexum/state"))).toBe(1);

    // update: content and mode of one file
    repo.write({ "app.lxm": goal({ a: "two", aMode: "0600", link: "conf/a.txt", withB: true }) });
    repo.commit("update a");
    user = userView(repo);
    r = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.");
    expect(r.out).toContain('~ content = "one" -> "two"');
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(readFileSync(out("conf/a.txt"), "utf8")).toBe("two");
    expect(statSync(out("conf/a.txt")).mode & 0o777).toBe(0o600);
    expect(userView(repo)).toEqual(user);
    expect(await expectHealthyState(repo)).toBe(2);

    // replace: the symlink's target is x-lexum-replace-on
    repo.write({ "app.lxm": goal({ a: "two", aMode: "0600", link: "conf/b.txt", withB: true }) });
    repo.commit("repoint link");
    r = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("1 to replace");
    expect(r.out).toContain("-/+ fs.symlink.link");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(readlinkSync(out("current"))).toBe("conf/b.txt");
    expect(await expectHealthyState(repo)).toBe(3);

    // delete: b left the code and the domain prunes
    repo.write({ "app.lxm": goal({ a: "two", aMode: "0600", link: "conf/a.txt", withB: false }) });
    repo.commit("drop b");
    r = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/- fs\.file\.b/);
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(() => lstatSync(out("conf/b.txt"))).toThrow();
    expect(readFileSync(out("conf/a.txt"), "utf8")).toBe("two");
    expect(Object.keys(headSnapshot(repo).resources)).not.toContain("app/fs.file.b");
    expect(await expectHealthyState(repo)).toBe(4);

    // protect: mark a protected, apply, then remove it from the code → the plan refuses
    repo.write({ "app.lxm": goal({ a: "two", aMode: "0600", link: "conf/a.txt", withB: false, protectA: true }) });
    repo.commit("protect a");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const protectedHead = repo.stateHead();
    repo.write({ "app.lxm": goal({ a: "two", link: "conf/a.txt", withB: false, withA: false }) });
    repo.commit("try to drop a");
    user = userView(repo);
    r = await repo.lxm(["plan"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM3001]");
    expect(r.err).toContain("app/fs.file.a is protected (protect = true) and the plan would delete it");
    r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("LXM3001");
    // Refused before anything changed: the file, the branch and the user's view stay.
    expect(readFileSync(out("conf/a.txt"), "utf8")).toBe("two");
    expect(repo.stateHead()).toBe(protectedHead);
    expect(userView(repo)).toEqual(user);
    await expectHealthyState(repo);

    // state show: a snapshot's summary, one record, and an older revision's record of b.
    const show = await repo.lxm(["state", "show"]);
    expect(show.code).toBe(0);
    expect(show.out).toContain("status   quiescent");
    const rec = await repo.lxm(["state", "show", "app/fs.file.a"]);
    expect(rec.code).toBe(0);
    expect(JSON.parse(rec.out)).toMatchObject({ address: "app/fs.file.a", attrs: { content: "two", mode: "0600" }, protect: true });
    const old = await repo.lxm(["state", "show", "lexum/state~2", "app/fs.file.b"]);
    expect(old.code).toBe(0);
    expect(JSON.parse(old.out)).toMatchObject({ attrs: { content: "bee", path: "conf/b.txt" } });

    const log = await repo.lxm(["state", "log"]);
    expect(log.code).toBe(0);
    expect(log.out.trim().split("\n")).toHaveLength(Number(repo.git("rev-list", "--count", "lexum/state")));
  });
});
