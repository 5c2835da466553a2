import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { findRepo, headCommit, readCommitInfo, readTreeFiles, resolveRev } from "../../src/git/repo.js";
import { readRef } from "../../src/git/refs.js";
import { hasObject } from "../../src/git/pack.js";
import { alternateDirs } from "../../src/git/alternates.js";
import { checkRepoFormat, parseGitConfig } from "../../src/git/repo-format.js";
import { readStateFiles, writeStateCommit } from "../../src/state/store.js";
import { gitc, repoFactory } from "./helpers.js";

const repo = repoFactory();
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), "lexum-shape-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** An origin with one commit, packed, and a `git clone --shared` of it (which holds no objects of its own). */
function sharedClone(): { origin: ReturnType<typeof repo>; clone: string } {
  const origin = repo({ "infra/main.lxm": "domain a {}\n", "README.md": "x\n" });
  gitc(origin.dir, "gc", "-q");
  const clone = join(temp(), "clone");
  gitc(origin.dir, "clone", "-q", "--shared", origin.dir, clone);
  return { origin, clone };
}

const TIME = { seconds: 1_700_000_000, tzOffsetMinutes: 0 };

describe("objects borrowed through objects/info/alternates", () => {
  it("HEAD, revisions, commits and trees of a `git clone --shared` are read from the origin's store", async () => {
    const { origin, clone } = sharedClone();
    const head = gitc(origin.dir, "rev-parse", "HEAD");
    const r = await findRepo(clone);
    expect(await headCommit({ gitdir: r.gitdir })).toBe(head);
    expect(await readRef({ gitdir: r.gitdir, ref: "refs/heads/main" })).toBe(head);
    expect(await resolveRev({ gitdir: r.gitdir, rev: "origin/main" })).toBe(head);
    expect(await resolveRev({ gitdir: r.gitdir, rev: head.slice(0, 8) })).toBe(head);
    expect((await readCommitInfo({ gitdir: r.gitdir, oid: head })).message).toBe("initial\n");
    const files = await readTreeFiles({ gitdir: r.gitdir, oid: head, subdir: "infra" });
    expect(files.map((f) => [f.path, new TextDecoder().decode(f.bytes)])).toEqual([["main.lxm", "domain a {}\n"]]);
    expect(await hasObject(r.commondir, head)).toBe(true);
  });

  it("a state commit on top of borrowed objects is written to the clone's own store only", async () => {
    const { origin, clone } = sharedClone();
    const r = await findRepo(clone);
    const originObjects = readdirSync(join(origin.dir, ".git/objects")).sort();
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: "lexum/state", expectedParent: null, files: [{ path: "a.json", content: "1\n" }], message: "one", time: TIME });
    const second = await writeStateCommit({ gitdir: r.gitdir, branch: "lexum/state", expectedParent: first.oid, files: [{ path: "a.json", content: "2\n" }], message: "two", time: TIME });
    expect(new TextDecoder().decode((await readStateFiles({ gitdir: r.gitdir, oid: second.oid })).get("a.json"))).toBe("2\n");
    expect(gitc(clone, "cat-file", "-t", second.oid)).toBe("commit");
    expect(() => gitc(origin.dir, "cat-file", "-e", second.oid)).toThrow();
    expect(readdirSync(join(origin.dir, ".git/objects")).sort()).toEqual(originObjects);
    expect(gitc(clone, "fsck", "--strict", "--no-dangling")).toBe("");
  });

  it("follows relative entries, comments and an alternate's own alternates", async () => {
    const { origin, clone } = sharedClone();
    const leaf = join(temp(), "leaf");
    gitc(clone, "clone", "-q", "--shared", "--no-checkout", clone, leaf);
    writeFileSync(join(leaf, ".git/objects/info/alternates"), `# borrowed from the middle clone\n${relative(join(leaf, ".git/objects"), join(clone, ".git/objects"))}\n`);
    const dirs = await alternateDirs(join(leaf, ".git/objects"));
    expect(dirs).toEqual([
      { path: join(clone, ".git/objects"), present: true },
      { path: join(origin.dir, ".git/objects"), present: true },
    ]);
    const r = await findRepo(leaf);
    const head = gitc(origin.dir, "rev-parse", "HEAD");
    expect(await headCommit({ gitdir: r.gitdir })).toBe(head);
    expect((await readTreeFiles({ gitdir: r.gitdir, oid: head })).length).toBe(2);
  });

  it("an alternate that is gone is reported as LXM4121 naming it, not as a corrupt ref (LXM4103)", async () => {
    const { origin, clone } = sharedClone();
    const head = gitc(origin.dir, "rev-parse", "HEAD");
    rmSync(origin.dir, { recursive: true, force: true });
    const r = await findRepo(clone);
    for (const attempt of [
      () => headCommit({ gitdir: r.gitdir }),
      () => readRef({ gitdir: r.gitdir, ref: "refs/heads/main" }),
      () => readCommitInfo({ gitdir: r.gitdir, oid: head }),
    ]) {
      const err = (await attempt().catch((e: unknown) => e)) as { code?: string; message?: string; hint?: string };
      expect(err.code).toBe("LXM4121");
      expect(err.message).toContain(join(origin.dir, ".git/objects"));
      expect(err.hint).not.toContain("update-ref");
    }
  });
});

describe("repository format (core.repositoryformatversion, extensions.*)", () => {
  it("parses git's config syntax: case, quotes, escapes, comments, subsections, continuation", () => {
    const c = parseGitConfig(
      [
        "[core]",
        "\trepositoryFormatVersion = 1 ; a comment",
        "\tbare",
        '[remote "origin"]',
        "\turl = x",
        "[Extensions] objectFormat = \"sha\\",
        '256" # quoted, continued',
        "[branch.main]",
        "\tremote = origin",
      ].join("\n"),
    );
    expect(c.get("core.repositoryformatversion")).toBe("1");
    expect(c.get("core.bare")).toBe("true");
    expect(c.get("extensions.objectformat")).toBe("sha256");
    expect(c.has("remote.url")).toBe(false);
    expect(c.has("branch.remote")).toBe(false);
  });

  it("refuses a SHA-256 repository made by git, with the documented message", async () => {
    const dir = temp();
    gitc(dir, "init", "-q", "--object-format=sha256");
    const err = (await findRepo(dir).catch((e: unknown) => e)) as { code: string; message: string; hint: string };
    expect(err.code).toBe("LXM4120");
    expect(err.message).toBe(
      "unsupported repository format: extensions.objectFormat = sha256 (Lexum reads and writes SHA-1 repositories with the files ref backend)",
    );
    expect(err.hint).toContain(join(dir, ".git", "config"));
  });

  it("accepts the extensions it handles and refuses every other one", async () => {
    const accepted: [string, string][] = [
      ["extensions.noop", "true"],
      ["extensions.worktreeConfig", "true"],
      ["extensions.preciousObjects", "true"],
      ["extensions.objectFormat", "sha1"],
      ["extensions.refStorage", "files"],
    ];
    const refused: [string, string, string][] = [
      ["extensions.refStorage", "reftable", "extensions.refStorage = reftable"],
      ["extensions.partialClone", "origin", "extensions.partialClone = origin"],
      ["extensions.compatObjectFormat", "sha256", "extensions.compatObjectFormat = sha256"],
      ["extensions.somethingNew", "1", "extensions.somethingnew = 1"],
      ["core.repositoryformatversion", "2", "core.repositoryformatversion = 2"],
    ];
    for (const [key, value] of accepted) {
      const r = repo();
      gitc(r.dir, "config", "core.repositoryformatversion", "1");
      gitc(r.dir, "config", key, value);
      await expect(checkRepoFormat(r.gitdir)).resolves.toBeUndefined();
    }
    for (const [key, value, shown] of refused) {
      const r = repo();
      gitc(r.dir, "config", key, value);
      const err = (await findRepo(r.dir).catch((e: unknown) => e)) as { code: string; message: string };
      expect(err.code).toBe("LXM4120");
      expect(err.message).toContain(`unsupported repository format: ${shown} (`);
    }
  });
});
