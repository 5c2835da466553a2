import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import git from "isomorphic-git";
import * as nodefs from "node:fs";
import { catFileBatch, lsTreeRecursive } from "../../src/git/cat-file.js";
import { LexumError } from "../../src/diag/diagnostic.js";
import { gitc, makeRepo } from "./helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function repo(files: Record<string, string>) {
  const r = makeRepo(files);
  cleanups.push(r.cleanup);
  return r;
}

describe("catFileBatch", () => {
  it("reads loose and packed blobs, in the order asked, byte for byte as isomorphic-git does", async () => {
    const r = repo({ "a.txt": "alpha\n", "b.bin": "\u00ff\u00fe\u0000x", "c.txt": "gamma\n".repeat(500) });
    const oids = ["a.txt", "b.bin", "c.txt", "a.txt"].map((p) => gitc(r.dir, "rev-parse", `HEAD:${p}`));
    const loose = await catFileBatch(r.gitdir, oids, "blob");
    gitc(r.dir, "gc", "--quiet", "--prune=now"); // now packed (and possibly deltified)
    const packed = await catFileBatch(r.gitdir, oids, "blob");
    for (const got of [loose, packed]) {
      expect(got).not.toBeNull();
      for (let i = 0; i < oids.length; i++) {
        const { blob } = await git.readBlob({ fs: nodefs, gitdir: r.gitdir, oid: oids[i]! });
        expect(got![i]).toEqual(blob);
      }
    }
    expect(await catFileBatch(r.gitdir, [], "blob")).toEqual([]);
  });

  it("leaves a missing object to isomorphic-git (null); names one of another type or not hashing to its id", async () => {
    const r = repo({ "a.txt": "alpha\n", "b.txt": "beta\n" });
    const a = gitc(r.dir, "rev-parse", "HEAD:a.txt");
    const b = gitc(r.dir, "rev-parse", "HEAD:b.txt");
    const tree = gitc(r.dir, "rev-parse", "HEAD^{tree}");
    const missing = "0123456789abcdef0123456789abcdef01234567";
    expect(await catFileBatch(r.gitdir, [a, missing], "blob")).toBeNull();
    await expect(catFileBatch(r.gitdir, [tree], "blob")).rejects.toThrow(/is a tree, not a blob/);
    // b's file replaced by a's (a valid object, the wrong one): git serves it, the id check does not.
    const file = (oid: string) => join(r.gitdir, "objects", oid.slice(0, 2), oid.slice(2));
    chmodSync(file(b), 0o644);
    copyFileSync(file(a), file(b));
    const err = await catFileBatch(r.gitdir, [a, b], "blob").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LexumError);
    expect((err as Error).message).toContain(b);
    expect((err as Error).message).toContain(`hashes to ${a}`);
  });

  it("lsTreeRecursive lists every blob and subtree of a tree with its full path, as git ls-tree does", async () => {
    const r = repo({ "top.txt": "t\n", "dir/a b.txt": "a\n", "dir/sub/ünï.json": "{}\n" });
    const tree = gitc(r.dir, "rev-parse", "HEAD^{tree}");
    const listed = await lsTreeRecursive(r.gitdir, tree);
    expect(listed!.map((e) => `${e.type} ${e.path}`)).toEqual(["tree dir", "blob dir/a b.txt", "tree dir/sub", "blob dir/sub/ünï.json", "blob top.txt"]);
    expect(listed!.find((e) => e.path === "dir/sub/ünï.json")!.oid).toBe(gitc(r.dir, "rev-parse", "HEAD:dir/sub/ünï.json"));
    expect(await lsTreeRecursive(r.gitdir, "0123456789abcdef0123456789abcdef01234567")).toBeNull(); // git fails: the caller walks with isomorphic-git
  });

  it("reads the repository named, whatever GIT_DIR or GIT_OBJECT_DIRECTORY say", async () => {
    const r = repo({ "a.txt": "alpha\n" });
    const other = repo({ "b.txt": "beta\n" });
    const a = gitc(r.dir, "rev-parse", "HEAD:a.txt");
    const saved = { dir: process.env.GIT_DIR, objects: process.env.GIT_OBJECT_DIRECTORY };
    process.env.GIT_DIR = other.gitdir;
    process.env.GIT_OBJECT_DIRECTORY = join(other.gitdir, "objects");
    try {
      expect(Buffer.from((await catFileBatch(r.gitdir, [a], "blob"))![0]!).toString()).toBe("alpha\n");
    } finally {
      for (const [k, v] of [["GIT_DIR", saved.dir], ["GIT_OBJECT_DIRECTORY", saved.objects]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("returns null when the git CLI cannot be run, so callers read through isomorphic-git", async () => {
    const r = repo({ "a.txt": "alpha\n" });
    const a = gitc(r.dir, "rev-parse", "HEAD:a.txt");
    const tree = gitc(r.dir, "rev-parse", "HEAD^{tree}");
    const path = process.env.PATH;
    const empty = join(r.dir, "no-git-here");
    mkdirSync(empty);
    process.env.PATH = empty;
    try {
      expect(await catFileBatch(r.gitdir, [a], "blob")).toBeNull();
      expect(await lsTreeRecursive(r.gitdir, tree)).toBeNull();
    } finally {
      process.env.PATH = path;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
