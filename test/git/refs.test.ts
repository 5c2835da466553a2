import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { branchRef, readRef, updateRefCAS } from "../../src/git/refs.js";
import { gitc, repoFactory } from "./helpers.js";

const repo = repoFactory();

describe("refs", () => {
  it("creates, moves and refuses by compare-and-swap", async () => {
    const r = repo();
    const c1 = gitc(r.dir, "rev-parse", "HEAD");
    const c2 = gitc(r.dir, "commit-tree", "HEAD^{tree}", "-p", c1, "-m", "two");
    const ref = "refs/heads/lexum/state";
    expect(await readRef({ gitdir: r.gitdir, ref })).toBeNull();
    await updateRefCAS({ gitdir: r.gitdir, ref, expected: null, next: c1 });
    expect(readFileSync(join(r.gitdir, ref), "utf8")).toBe(`${c1}\n`);
    await expect(updateRefCAS({ gitdir: r.gitdir, ref, expected: null, next: c2 })).rejects.toMatchObject({
      code: "LXM4101",
      message: `the state branch moved since this run planned (expected no branch, found ${c1}); re-plan`,
    });
    await updateRefCAS({ gitdir: r.gitdir, ref, expected: c1, next: c2 });
    await expect(updateRefCAS({ gitdir: r.gitdir, ref, expected: c1, next: c1 })).rejects.toMatchObject({
      message: `the state branch moved since this run planned (expected ${c1}, found ${c2}); re-plan`,
    });
    expect(gitc(r.dir, "rev-parse", "lexum/state")).toBe(c2);
    expect(existsSync(join(r.gitdir, `${ref}.lock`))).toBe(false);
  });

  it("reads a ref that lives only in packed-refs, and CAS-moves it", async () => {
    const r = repo();
    const c1 = gitc(r.dir, "rev-parse", "HEAD");
    gitc(r.dir, "update-ref", "refs/heads/lexum/state", c1);
    gitc(r.dir, "pack-refs", "--all");
    expect(existsSync(join(r.gitdir, "refs/heads/lexum/state"))).toBe(false);
    expect(await readRef({ gitdir: r.gitdir, ref: "refs/heads/lexum/state" })).toBe(c1);
    const c2 = gitc(r.dir, "commit-tree", "HEAD^{tree}", "-p", c1, "-m", "two");
    await expect(updateRefCAS({ gitdir: r.gitdir, ref: "refs/heads/lexum/state", expected: null, next: c2 })).rejects.toMatchObject({ code: "LXM4101" });
    await updateRefCAS({ gitdir: r.gitdir, ref: "refs/heads/lexum/state", expected: c1, next: c2 });
    expect(gitc(r.dir, "rev-parse", "lexum/state")).toBe(c2);
  });

  it("treats empty, garbage and dangling refs as corruption", async () => {
    const r = repo();
    const c1 = gitc(r.dir, "rev-parse", "HEAD");
    writeFileSync(join(r.gitdir, "refs/heads/empty"), "");
    await expect(readRef({ gitdir: r.gitdir, ref: "refs/heads/empty" })).rejects.toMatchObject({ code: "LXM4103" });
    // CAS re-reads under the lock: an empty ref is never "absent", even when expecting absence.
    await expect(updateRefCAS({ gitdir: r.gitdir, ref: "refs/heads/empty", expected: null, next: c1 })).rejects.toMatchObject({ code: "LXM4103" });
    expect(readFileSync(join(r.gitdir, "refs/heads/empty"), "utf8")).toBe("");
    writeFileSync(join(r.gitdir, "refs/heads/garbage"), "xyz\n");
    await expect(readRef({ gitdir: r.gitdir, ref: "refs/heads/garbage" })).rejects.toMatchObject({ code: "LXM4103" });
    writeFileSync(join(r.gitdir, "refs/heads/dangling"), `${"ab".repeat(20)}\n`);
    await expect(readRef({ gitdir: r.gitdir, ref: "refs/heads/dangling" })).rejects.toMatchObject({ code: "LXM4103" });
  });

  it("refuses while a lock file exists, naming it, and leaves it in place", async () => {
    const r = repo();
    const c1 = gitc(r.dir, "rev-parse", "HEAD");
    const lock = join(r.gitdir, "refs/heads/main.lock");
    writeFileSync(lock, "");
    await expect(updateRefCAS({ gitdir: r.gitdir, ref: "refs/heads/main", expected: c1, next: c1 })).rejects.toMatchObject({
      code: "LXM4102",
      message: `cannot update refs/heads/main: lock file ${lock} exists`,
    });
    expect(existsSync(lock)).toBe(true);
  });

  it("validates branch names like git check-ref-format", () => {
    expect(branchRef("lexum/state")).toBe("refs/heads/lexum/state");
    for (const bad of ["a..b", "a b", "x.lock", "/x", "x/", "a~1", "a:b", ".hidden", "a//b"]) {
      expect(() => branchRef(bad), bad).toThrow(expect.objectContaining({ code: "LXM4106" }));
    }
  });
});
