import { afterEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findRepo, headCommit, readCommitInfo, readTreeFiles, resolveRev } from "../../src/git/repo.js";
import { gitc, repoFactory } from "./helpers.js";

const repo = repoFactory();
// Extra folders (worktrees, non-repositories) made by single tests.
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe("findRepo", () => {
  it("walks up from a nested directory", async () => {
    const r = repo({ "infra/app/main.lxm": "x\n" });
    const found = await findRepo(join(r.dir, "infra", "app"));
    expect(found).toEqual({ workdir: r.dir, gitdir: join(r.dir, ".git"), commondir: join(r.dir, ".git") });
  });

  it("follows a linked worktree's .git file to its gitdir and common dir", async () => {
    const r = repo();
    const wt = join(r.dir, "..", `${r.dir.split("/").pop()}-wt`);
    cleanups.push(() => rmSync(wt, { recursive: true, force: true }));
    gitc(r.dir, "worktree", "add", "-q", wt, "-b", "other");
    const found = await findRepo(wt);
    expect(found.workdir).toBe(wt);
    expect(realpathSync(found.gitdir)).toBe(realpathSync(gitc(wt, "rev-parse", "--absolute-git-dir")));
    expect(realpathSync(found.commondir)).toBe(realpathSync(join(r.dir, ".git")));
    // HEAD is the worktree's own; refs resolve through the common dir.
    expect(await headCommit({ gitdir: found.gitdir })).toBe(gitc(wt, "rev-parse", "HEAD"));
    expect(await resolveRev({ gitdir: found.gitdir, rev: "main" })).toBe(gitc(r.dir, "rev-parse", "main"));
  });

  it("outside any repository: LXM4100 with a git init hint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lexum-norepo-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let err: { code?: string; hint?: string } = {};
    try {
      await findRepo(dir);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe("LXM4100");
    expect(err.hint).toContain("git init");
  });
});

describe("revisions and commits", () => {
  it("resolves HEAD, branches, annotated tags, short ids and ~N like git rev-parse", async () => {
    const r = repo({ "a.lxm": "1\n" });
    writeFileSync(join(r.dir, "a.lxm"), "2\n");
    gitc(r.dir, "commit", "-qam", "second");
    gitc(r.dir, "tag", "-a", "v1", "-m", "release", "HEAD~1");
    gitc(r.dir, "branch", "feature/x", "HEAD~1");
    for (const rev of ["HEAD", "main", "HEAD~1", "HEAD^", "main~1", "v1", "feature/x", "refs/heads/main"]) {
      expect(await resolveRev({ gitdir: r.gitdir, rev }), rev).toBe(gitc(r.dir, "rev-parse", `${rev}^{commit}`));
    }
    const head = gitc(r.dir, "rev-parse", "HEAD");
    expect(await resolveRev({ gitdir: r.gitdir, rev: head.slice(0, 7) })).toBe(head);
    await expect(resolveRev({ gitdir: r.gitdir, rev: "HEAD~5" })).rejects.toMatchObject({ code: "LXM4104" });
    await expect(resolveRev({ gitdir: r.gitdir, rev: "no-such-branch" })).rejects.toMatchObject({ code: "LXM4104" });
  });

  it("reads commit time with its zone (minutes east of UTC) and message", async () => {
    const r = repo();
    const info = await readCommitInfo({ gitdir: r.gitdir, oid: gitc(r.dir, "rev-parse", "HEAD") });
    expect(info.time).toEqual({ seconds: 1700000000, tzOffsetMinutes: 60 });
    expect(info.message).toBe("initial\n");
    expect(info.parents).toEqual([]);
    await expect(readCommitInfo({ gitdir: r.gitdir, oid: "1".repeat(40) })).rejects.toMatchObject({ code: "LXM4107" });
  });

  it("reads the .lxm files exactly as committed, not the working tree", async () => {
    const r = repo({ "infra/main.lxm": "committed\n", "infra/sub/b.lxm": "b\n", "infra/notes.txt": "n\n", "other/c.lxm": "c\n" });
    const rev = gitc(r.dir, "rev-parse", "HEAD");
    writeFileSync(join(r.dir, "infra/main.lxm"), "edited, not committed\n");
    mkdirSync(join(r.dir, "infra/new"), { recursive: true });
    writeFileSync(join(r.dir, "infra/new/untracked.lxm"), "u\n");
    const files = await readTreeFiles({ gitdir: r.gitdir, oid: rev, subdir: "infra", suffix: ".lxm" });
    expect(files.map((f) => [f.path, Buffer.from(f.bytes).toString()])).toEqual([
      ["main.lxm", "committed\n"],
      ["sub/b.lxm", "b\n"],
    ]);
    expect((await readTreeFiles({ gitdir: r.gitdir, oid: rev, suffix: ".lxm" })).map((f) => f.path)).toEqual([
      "infra/main.lxm",
      "infra/sub/b.lxm",
      "other/c.lxm",
    ]);
    await expect(readTreeFiles({ gitdir: r.gitdir, oid: rev, subdir: "missing" })).rejects.toMatchObject({ code: "LXM4108" });
  });
});
