import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { applyProject } from "../../src/engine/apply-project.js";
import { LexumError } from "../../src/diag/diagnostic.js";
import { baseEnv, cleanupRepos, expectHealthyState, headSnapshot, makeRepo, userView } from "./helpers.js";

afterAll(cleanupRepos);

const site = (content: string) => `domain site {
  provider fs { root = "out" }
  resource fs.file index {
    path    = "index.html"
    content = "${content}"
  }
}
`;

describe("repository shapes", () => {
  it("a project in a subfolder, run from the top and from inside it", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "infra/site.lxm": site("sub"), "README.md": "x\n" });
    const user = userView(repo);
    const top = await repo.lxm(["plan", "--detailed-exitcode", "infra"]);
    expect(top.code).toBe(2);
    const inside = await lxm(join(repo.dir, "infra"), ["apply", "--yes"], baseEnv);
    expect(inside.code).toBe(0);
    // fs roots resolve against the working directory: infra/out here.
    expect(readFileSync(join(repo.dir, "infra/out/index.html"), "utf8")).toBe("sub");
    expect(headSnapshot(repo).source.path).toBe("infra");
    expect(userView(repo)).toEqual(user);
    expect((await lxm(join(repo.dir, "infra"), ["plan"], baseEnv)).code).toBe(0);
    await expectHealthyState(repo);
  });

  it("a repository without any commit yet: the goal is the work tree, no goal commit", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("fresh") }, null);
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(headSnapshot(repo).source.commit).toBeNull();
    expect(() => repo.git("rev-parse", "--verify", "-q", "HEAD")).toThrow(); // still unborn
    await expectHealthyState(repo);
  });

  it("packed refs and gc: lxm keeps working after `lxm state gc` and `git pack-refs --all`", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("one") });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const gc = await repo.lxm(["state", "gc"]);
    expect(gc.code).toBe(0);
    repo.git("pack-refs", "--all");
    expect(existsSync(join(repo.dir, ".git/refs/heads/lexum/state"))).toBe(false);
    repo.write({ "site.lxm": site("two") });
    repo.commit("two");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(repo.dir, "out/index.html"), "utf8")).toBe("two");
    expect(await expectHealthyState(repo)).toBe(2);
  });

  it("a linked worktree (git worktree add) shares the state branch with the main checkout", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("wt") });
    const wt = join(repo.dir, "..", `${repo.dir.split("/").pop()}-wt`);
    repo.git("worktree", "add", "-q", "--detach", wt);
    try {
      const r = await lxm(wt, ["apply", "--yes"], baseEnv);
      expect(r.code).toBe(0);
      expect(readFileSync(join(wt, "out/index.html"), "utf8")).toBe("wt");
      // The branch lives in the common git dir: the main checkout sees it.
      expect(repo.stateHead()).not.toBeNull();
      expect((await repo.lxm(["state", "verify"])).code).toBe(0);
      await expectHealthyState(repo);
    } finally {
      repo.git("worktree", "remove", "--force", wt);
    }
  });

  it("compare-and-swap: a branch moved by another run while this one waited is refused (LXM4101), nothing recorded on top", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("one") });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "site.lxm": site("two") });
    repo.commit("two");
    let moved: string | null = null;
    const attempt = applyProject({
      dir: repo.dir,
      cwd: repo.dir,
      env: { ...process.env, ...baseEnv },
      confirm: async () => {
        // Another apply in this repository waits for the lock (refused while this one holds it)…
        const other = await repo.lxm(["apply", "--yes"]);
        expect(other.code).toBe(1);
        expect(other.err).toContain("error[LXM4214]");
        // …but the branch can still move underneath, e.g. fetched from another clone that
        // applied first: simulate it with plumbing (a commit on top of the head).
        const head = repo.stateHead()!;
        const tree = repo.git("rev-parse", `${head}^{tree}`).trim();
        const next = repo.git("commit-tree", tree, "-p", head, "-m", "lexum: from another clone").trim();
        repo.git("update-ref", "refs/heads/lexum/state", next, head);
        moved = next;
        return true;
      },
    });
    const err = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LexumError);
    expect((err as LexumError).code).toBe("LXM4101");
    expect(repo.stateHead()).toBe(moved);
    // Nothing was recorded on top of the moved branch, and no journal is left behind.
    expect(repo.git("rev-list", "--count", "lexum/state").trim()).toBe("2");
    expect(repo.exists(".git/lexum/apply-lexum_state.lock")).toBe(false);
  });
});
