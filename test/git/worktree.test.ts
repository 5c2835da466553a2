import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listIndexFiles, listTreeBlobs, listUntrackedFiles } from "../../src/git/worktree.js";
import { gitc, makeRepo } from "./helpers.js";

const repo = makeRepo({
  "infra/main.lxm": "a\n",
  "infra/.hidden/copy.lxm": "b\n",
  "infra/data/x.json": "{}\n",
  "infra/exec.sh": "#!/bin/sh\n",
  "other/o.lxm": "o\n",
  ".gitignore": "infra/ignored/\n",
});
afterAll(repo.cleanup);
gitc(repo.dir, "update-index", "--chmod=+x", "infra/exec.sh");
gitc(repo.dir, "commit", "-q", "-m", "exec");
const head = gitc(repo.dir, "rev-parse", "HEAD");
const write = (files: Record<string, string>): void => {
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(repo.dir, p)), { recursive: true });
    writeFileSync(join(repo.dir, p), c);
  }
};
write({ "infra/new.lxm": "n\n", "infra/staged.lxm": "s\n", "infra/ignored/i.lxm": "i\n", "infra/sub dir/u.lxm": "u\n" });
gitc(repo.dir, "add", "infra/staged.lxm");
rmSync(join(repo.dir, "infra/data/x.json"));

const args = { gitdir: repo.gitdir, workdir: repo.dir, subdir: "infra" };

describe("what git knows of a working tree", () => {
  it("lists the index under a folder (staged files in, files deleted only from disk still in), with modes", async () => {
    expect(await listIndexFiles(args)).toEqual([
      { path: ".hidden/copy.lxm", mode: "100644" },
      { path: "data/x.json", mode: "100644" },
      { path: "exec.sh", mode: "100755" },
      { path: "main.lxm", mode: "100644" },
      { path: "staged.lxm", mode: "100644" },
    ]);
    expect((await listIndexFiles({ ...args, subdir: "" })).map((f) => f.path)).toContain("other/o.lxm");
  });

  it("lists untracked files git does not ignore", async () => {
    expect(await listUntrackedFiles(args)).toEqual(["new.lxm", "sub dir/u.lxm"]);
  });

  it("lists a commit's blobs under a folder; a folder absent at that commit is empty", async () => {
    const blobs = await listTreeBlobs({ gitdir: repo.gitdir, oid: head, subdir: "infra" });
    expect([...blobs.keys()]).toEqual([".hidden/copy.lxm", "data/x.json", "exec.sh", "main.lxm"]);
    expect(blobs.get("exec.sh")!.mode).toBe("100755");
    expect(blobs.get("main.lxm")!.oid).toBe(gitc(repo.dir, "rev-parse", "HEAD:infra/main.lxm"));
    expect((await listTreeBlobs({ gitdir: repo.gitdir, oid: head, subdir: "nowhere" })).size).toBe(0);
  });

  it("answers the same without the git CLI (isomorphic-git), modes aside", async () => {
    const withCli = { index: await listIndexFiles(args), untracked: await listUntrackedFiles(args), blobs: await listTreeBlobs({ gitdir: repo.gitdir, oid: head, subdir: "infra" }) };
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect((await listIndexFiles(args)).map((f) => f.path)).toEqual(withCli.index.map((f) => f.path));
      expect(await listUntrackedFiles(args)).toEqual(withCli.untracked);
      expect(await listTreeBlobs({ gitdir: repo.gitdir, oid: head, subdir: "infra" })).toEqual(withCli.blobs);
    } finally {
      process.env.PATH = path;
    }
  });
});
