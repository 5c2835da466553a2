import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import git from "isomorphic-git";
import { encodeCommit, encodeObject, encodeTree, formatTz, writeObjects, PACK_THRESHOLD } from "../../src/git/objects.js";
import { hasObject } from "../../src/git/pack.js";
import { createSafeFs } from "../../src/git/safe-fs.js";
import { gitGc } from "../../src/git/gc.js";
import { gitc, repoFactory } from "./helpers.js";

const repo = repoFactory();

describe("object encoding", () => {
  it("hashes and orders trees exactly as git does", () => {
    const r = repo();
    const blob = encodeObject("blob", "hello\n");
    expect(blob.oid).toBe("ce013625030ba8dba906f756967f9e9ca394464a"); // git hash-object of "hello\n"
    // git sorts a directory "a" as "a/": after "a.txt" ('.' < '/'), before "a0".
    const tree = encodeTree([
      { name: "a0", mode: "100644", oid: blob.oid },
      { name: "a", mode: "040000", oid: "4b825dc642cb6eb9a060e54bf8d69288fbee4904" },
      { name: "a.txt", mode: "100644", oid: blob.oid },
    ]);
    expect(tree.oid).toBe(
      mktree(r.dir, `100644 blob ${blob.oid}\ta0\n040000 tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ta\n100644 blob ${blob.oid}\ta.txt\n`),
    );
    expect(formatTz(120)).toBe("+0200");
    expect(formatTz(-330)).toBe("-0530");
    expect(formatTz(0)).toBe("+0000");
    const c = encodeCommit({
      tree: tree.oid,
      parents: [],
      author: { name: "Lexum", email: "lexum@localhost", seconds: 1700000000, tzOffsetMinutes: -330 },
      committer: { name: "Lexum", email: "lexum@localhost", seconds: 1700000000, tzOffsetMinutes: -330 },
      message: "m\n\n\n",
    });
    expect(c.body).toBe(`tree ${tree.oid}\nauthor Lexum <lexum@localhost> 1700000000 -0530\ncommitter Lexum <lexum@localhost> 1700000000 -0530\n\nm\n`);
  });
});

function mktree(dir: string, input: string): string {
  // git mktree sorts its input itself, so its id does not depend on our order.
  return execFileSync("git", ["mktree", "--missing"], { cwd: dir, input, encoding: "utf8" }).trim();
}

describe("writing objects", () => {
  it("packs many objects readably by git and isomorphic-git, repairing a 0-byte loose one", async () => {
    const r = repo();
    const objs = Array.from({ length: PACK_THRESHOLD * 3 }, (_, i) => encodeObject("blob", `{"n":${i}}\n`));
    const victim = objs[7]!;
    mkdirSync(join(r.gitdir, "objects", victim.oid.slice(0, 2)), { recursive: true });
    const victimPath = join(r.gitdir, "objects", victim.oid.slice(0, 2), victim.oid.slice(2));
    writeFileSync(victimPath, "");
    const written = await writeObjects(r.gitdir, objs);
    expect(written).toBe(objs.length);
    expect(statSync(victimPath).size).toBeGreaterThan(0);
    const packs = readdirSync(join(r.gitdir, "objects", "pack")).sort();
    expect(packs.filter((n) => n.endsWith(".pack")).length).toBe(1);
    expect(packs.some((n) => n.startsWith("tmp_"))).toBe(false);
    gitc(r.dir, "verify-pack", join(r.gitdir, "objects", "pack", packs.find((n) => n.endsWith(".idx"))!));
    for (const o of [objs[0]!, objs[50]!, victim]) {
      expect(gitc(r.dir, "cat-file", "-p", o.oid)).toBe(String(o.body).trim());
      const { blob } = await git.readBlob({ fs: createSafeFs(), gitdir: r.gitdir, oid: o.oid });
      expect(Buffer.from(blob).toString()).toBe(o.body);
      expect(await hasObject(r.gitdir, o.oid)).toBe(true);
    }
    expect(await hasObject(r.gitdir, "f".repeat(40))).toBe(false);
    gitc(r.dir, "fsck", "--strict");
  });

  it("through isomorphic-git with the safe fs: a 0-byte object is rewritten, not trusted", async () => {
    const r = repo();
    const oid = encodeObject("blob", "payload\n").oid;
    const p = join(r.gitdir, "objects", oid.slice(0, 2), oid.slice(2));
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, "");
    const fs = createSafeFs();
    expect(await git.writeBlob({ fs, gitdir: r.gitdir, blob: Buffer.from("payload\n") })).toBe(oid);
    await fs.syncDirs();
    expect(statSync(p).size).toBeGreaterThan(0);
    expect(gitc(r.dir, "cat-file", "-p", oid)).toBe("payload");
  });

  it("gitGc packs reachable loose objects with the git CLI and keeps young unreachable ones (no --prune=now)", async () => {
    const r = repo();
    const loose = [encodeObject("blob", "loose one\n"), encodeObject("blob", "loose two\n")];
    await writeObjects(r.gitdir, loose);
    gitc(r.dir, "update-ref", "refs/heads/keep", gitc(r.dir, "rev-parse", "HEAD"));
    const count = () => Number(/count: (\d+)/.exec(gitc(r.dir, "count-objects", "-v"))![1]);
    expect(count()).toBe(5); // the commit, its tree and blob, and the two unreachable blobs
    await gitGc(r.gitdir);
    expect(count()).toBe(2); // only the unreachable ones are still loose: within git's grace period
    for (const o of loose) expect(gitc(r.dir, "cat-file", "-p", o.oid)).toBe(o.body.toString().trimEnd());
    expect(existsSync(join(r.gitdir, "objects", "pack"))).toBe(true);
    gitc(r.dir, "fsck", "--strict");
  });
});
