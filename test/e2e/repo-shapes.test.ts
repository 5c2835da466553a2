import { readFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { applyProject } from "../../src/engine/apply-project.js";
import { LexumError } from "../../src/diag/diagnostic.js";
import { baseEnv, cleanupRepos, expectHealthyState, git, headSnapshot, makeRepo, userView } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

const scratch: string[] = [];
afterAll(() => {
  cleanupRepos();
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder removed after this file's tests. */
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "lexum-shapes-"));
  scratch.push(d);
  return d;
}

/**
 * Every file under `dir` with its size: proof that nothing was written there. (Not mtimes:
 * git itself freshens a borrowed pack's mtime when the clone's `git commit` re-creates an
 * object the pack holds.)
 */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.push(`${relative(dir, p)} ${st.size}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The state branch, log, show, verify with replay, replay, trace (and a refreshed plan: no changes): every reader, all exit 0. */
async function readEverything(dir: string, refresh = true): Promise<void> {
  for (const args of [["state", "log"], ["state", "show"], ["state", "verify", "--replay"], ["replay"], ["trace"], ...(refresh ? [["plan", "--refresh"]] : [])]) {
    const r = await lxm(dir, args, baseEnv);
    expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 0, err: "" });
  }
}

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
    // Its state branch is derived from its path.
    expect(headSnapshot(repo, "lexum/state-infra").source.path).toBe("infra");
    expect(repo.git("branch", "--list", "lexum/state")).toBe("");
    expect(userView(repo)).toEqual(user);
    expect((await lxm(join(repo.dir, "infra"), ["plan"], baseEnv)).code).toBe(0);
    await expectHealthyState(repo, "lexum/state-infra");
  });

  it("a repository without any commit yet: apply needs --allow-dirty, and the snapshot has no goal commit", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("fresh") }, null);
    repo.git("add", "-A");
    const refused = await repo.lxm(["apply", "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("error[LXM4220]: the working tree differs from HEAD (no commit yet) in 1 file: added: site.lxm");
    expect(repo.stateHead()).toBeNull();
    const r = await repo.lxm(["apply", "--yes", "--allow-dirty"]);
    expect(r.code).toBe(0);
    expect(headSnapshot(repo).source).toEqual({ commit: null, path: "", dirty: ["site.lxm"] });
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

/** An origin repository holding a committed project, and clones of it that borrow its objects. */
function origin(): E2eRepo {
  const o = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("borrowed") });
  // Packed, as a CI cache usually is: the clone reads packs of its alternate, not only loose objects.
  o.git("gc", "-q");
  return o;
}

/**
 * Apply, re-plan, every reader, a second goal commit applied, `plan --rev`, then fsck: all in
 * `dir`, a clone whose objects are borrowed from `from`. Nothing is written to `from`'s objects.
 */
async function cycleInBorrowingClone(dir: string, fromObjects: string): Promise<void> {
  const before = listing(fromObjects);
  const r = await lxm(dir, ["apply", "--yes"], baseEnv);
  expect(r.err).not.toContain("error");
  expect(r.code).toBe(0);
  expect(readFileSync(join(dir, "out/index.html"), "utf8")).toBe("borrowed");
  expect((await lxm(dir, ["plan"], baseEnv)).code).toBe(0);
  await readEverything(dir);
  writeFileSync(join(dir, "site.lxm"), site("second"));
  git(dir, "commit", "-q", "-am", "second goal");
  const again = await lxm(dir, ["apply", "--yes"], baseEnv);
  expect(again.code).toBe(0);
  expect(readFileSync(join(dir, "out/index.html"), "utf8")).toBe("second");
  expect((await lxm(dir, ["plan", "--detailed-exitcode", "--rev", "HEAD~1"], baseEnv)).code).toBe(2);
  await readEverything(dir);
  expect(execFileSync("git", ["fsck", "--strict", "--no-dangling"], { cwd: dir, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] })).toBe("");
  // Lexum's objects went to the clone's own store; the borrowed one is untouched.
  const head = git(dir, "rev-parse", "lexum/state");
  expect(() => git(fromObjects, "--git-dir", join(fromObjects, ".."), "cat-file", "-e", head)).toThrow();
  expect(listing(fromObjects)).toEqual(before);
}

describe("repositories that borrow objects (objects/info/alternates)", () => {
  it("git clone --shared: plan, apply, state, replay and trace work; the origin is never written", async () => {
    const o = origin();
    const clone = join(tempDir(), "shared");
    git(tempDir(), "clone", "-q", "--shared", o.dir, clone);
    expect(existsSync(join(clone, ".git/objects/info/alternates"))).toBe(true);
    await cycleInBorrowingClone(clone, join(o.dir, ".git/objects"));
  });

  it("git clone --reference: the same, with the reference repository as the alternate", async () => {
    const o = origin();
    const cache = join(tempDir(), "cache.git");
    git(tempDir(), "clone", "-q", "--bare", o.dir, cache);
    const clone = join(tempDir(), "ref");
    git(tempDir(), "clone", "-q", "--reference", cache, o.dir, clone);
    expect(readFileSync(join(clone, ".git/objects/info/alternates"), "utf8")).toContain("cache.git");
    await cycleInBorrowingClone(clone, join(cache, "objects"));
  });

  it("a relative alternates path and an alternate's own alternates are followed, as git does", async () => {
    const o = origin();
    const middle = join(tempDir(), "middle");
    git(tempDir(), "clone", "-q", "--shared", o.dir, middle);
    const clone = join(tempDir(), "leaf");
    git(tempDir(), "clone", "-q", "--shared", "--no-checkout", middle, clone);
    // Relative to the clone's objects directory (gitrepository-layout(5)).
    writeFileSync(join(clone, ".git/objects/info/alternates"), relative(join(clone, ".git/objects"), join(middle, ".git/objects")) + "\n");
    git(clone, "checkout", "-q", "main");
    await cycleInBorrowingClone(clone, join(o.dir, ".git/objects"));
  });

  it("a borrowed object directory that is gone is named as the cause (LXM4121), never as corrupt refs to rewrite", async () => {
    const o = origin();
    const clone = join(tempDir(), "orphan");
    git(tempDir(), "clone", "-q", "--shared", o.dir, clone);
    rmSync(o.dir, { recursive: true, force: true });
    for (const args of [["apply", "--yes"], ["plan"]]) {
      const r = await lxm(clone, args, baseEnv);
      expect(r.code).toBe(1);
      expect(r.err).toContain("error[LXM4121]");
      expect(r.err).toContain(join(o.dir, ".git/objects"));
      expect(r.err).not.toContain("update-ref");
      expect(r.err).not.toContain("corrupt");
    }
    expect(existsSync(join(clone, ".git/lexum"))).toBe(false);
    expect(() => git(clone, "rev-parse", "--verify", "-q", "refs/heads/lexum/state")).toThrow();
  });
});

describe("worktrees and submodules", () => {
  it("a linked worktree with extensions.worktreeConfig: apply, every reader, the branch shared with the main checkout", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("borrowed") });
    repo.git("config", "extensions.worktreeConfig", "true");
    const wt = join(tempDir(), "wt");
    repo.git("worktree", "add", "-q", "-b", "feature", wt);
    expect(statSync(join(wt, ".git")).isFile()).toBe(true);
    const r = await lxm(wt, ["apply", "--yes"], baseEnv);
    expect(r.code).toBe(0);
    await readEverything(wt);
    expect(repo.stateHead()).toBe(git(wt, "rev-parse", "lexum/state"));
    // The journal and the lock live in the common dir, not the worktree's own gitdir.
    expect(existsSync(join(repo.dir, ".git/worktrees/wt/lexum"))).toBe(false);
    await readEverything(repo.dir, false); // the world (out/) is the worktree's
    await expectHealthyState(repo);
  });

  it("a submodule checkout (.git is a file pointing into the superproject's modules/): apply, every reader", async () => {
    const o = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("borrowed") });
    const sup = makeRepo({ "README.md": "super\n" });
    sup.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", o.dir, "infra");
    sup.commit("add infra");
    const sub = join(sup.dir, "infra");
    expect(readFileSync(join(sub, ".git"), "utf8")).toMatch(/^gitdir: /);
    const r = await lxm(sub, ["apply", "--yes"], baseEnv);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    expect(readFileSync(join(sub, "out/index.html"), "utf8")).toBe("borrowed");
    await readEverything(sub);
    // The state branch is the submodule's, in the superproject's .git/modules/infra.
    expect(existsSync(join(sup.dir, ".git/modules/infra/refs/heads/lexum/state"))).toBe(true);
    expect(() => sup.git("rev-parse", "--verify", "-q", "refs/heads/lexum/state")).toThrow();
  });
});

describe("shallow clones (git clone --depth, the usual CI checkout)", () => {
  it("apply and every reader work; a revision outside the fetched history is named as such (LXM4122), not as damage", async () => {
    const o = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("old") });
    o.write({ "site.lxm": site("borrowed") });
    o.commit("second");
    const clone = join(tempDir(), "shallow");
    git(tempDir(), "clone", "-q", "--depth", "1", `file://${o.dir}`, clone);
    const r = await lxm(clone, ["apply", "--yes"], baseEnv);
    expect(r.code).toBe(0);
    expect(readFileSync(join(clone, "out/index.html"), "utf8")).toBe("borrowed");
    await readEverything(clone);
    const old = await lxm(clone, ["plan", "--rev", "HEAD~1"], baseEnv);
    expect(old.code).toBe(1);
    expect(old.err).toContain("error[LXM4122]");
    expect(old.err).toContain("shallow clone");
    expect(old.err).toContain("git fetch --unshallow");
    expect(old.err).not.toContain("LXM4107");
  });
});

describe("repository formats Lexum does not implement are refused up front (LXM4120), nothing written", () => {
  const MSG = "(Lexum reads and writes SHA-1 repositories with the files ref backend)";

  async function expectRefused(dir: string, setting: string): Promise<void> {
    for (const args of [["apply", "--yes"], ["plan"], ["state", "log"], ["state", "gc"], ["replay"], ["trace"]]) {
      const r = await lxm(dir, args, baseEnv);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.err).toContain(`error[LXM4120]: unsupported repository format: ${setting} ${MSG}`);
      expect(r.err).toContain("hint: ");
      expect(r.err).not.toContain("update-ref");
    }
    expect(existsSync(join(dir, ".git/lexum"))).toBe(false);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(existsSync(join(dir, ".git/refs/heads/lexum"))).toBe(false);
  }

  it("SHA-256 object ids (git init --object-format=sha256)", async () => {
    const dir = tempDir();
    git(dir, "init", "-q", "-b", "main", "--object-format=sha256");
    writeFileSync(join(dir, "site.lxm"), site("x"));
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "sha256 goal");
    await expectRefused(dir, "extensions.objectFormat = sha256");
  });

  it("the reftable ref backend (extensions.refStorage)", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("x") });
    repo.git("config", "core.repositoryformatversion", "1");
    repo.git("config", "extensions.refStorage", "reftable");
    await expectRefused(repo.dir, "extensions.refStorage = reftable");
  });

  it("a partial clone, an unknown extension, a format version above 1", async () => {
    const cases: [string, string, string][] = [
      ["extensions.partialClone", "origin", "extensions.partialClone = origin"],
      ["extensions.frobnicate", "yes", "extensions.frobnicate = yes"],
      ["core.repositoryformatversion", "2", "core.repositoryformatversion = 2"],
    ];
    for (const [key, value, shown] of cases) {
      const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("x") });
      if (key.startsWith("extensions.")) repo.git("config", "core.repositoryformatversion", "1");
      repo.git("config", key, value);
      await expectRefused(repo.dir, shown);
    }
  });

  it("a linked worktree is checked against the common dir's config", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("x") });
    const wt = join(tempDir(), "wt");
    repo.git("worktree", "add", "-q", "--detach", wt);
    repo.git("config", "core.repositoryformatversion", "1");
    repo.git("config", "extensions.objectFormat", "sha256");
    const r = await lxm(wt, ["apply", "--yes"], baseEnv);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error[LXM4120]: unsupported repository format: extensions.objectFormat = sha256 ${MSG}`);
    expect(existsSync(join(wt, "out"))).toBe(false);
  });

  it("extensions Lexum handles are accepted: preciousObjects, noop, objectFormat = sha1", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": site("fine") });
    repo.git("config", "core.repositoryformatversion", "1");
    repo.git("config", "extensions.preciousObjects", "true");
    repo.git("config", "extensions.noop", "true");
    repo.git("config", "extensions.objectFormat", "sha1");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    expect((await repo.lxm(["state", "gc"])).code).toBe(0);
    await readEverything(repo.dir);
  });
});
