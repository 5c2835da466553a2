import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LexumError } from "../../src/diag/diagnostic.js";
import { encodeObject, hashObject, writeObjects } from "../../src/git/objects.js";
import {
  clearStoreCaches,
  listStateCommits,
  readStateFile,
  readStateFiles,
  resolveStateRev,
  writeStateCommit,
  type StateFile,
} from "../../src/state/store.js";
import { gitc, repoFactory } from "../git/helpers.js";

const repo = repoFactory();

const TIME = { seconds: 1700000000, tzOffsetMinutes: 60 };
const BRANCH = "lexum/state";

function sampleFiles(n = 5, salt = ""): StateFile[] {
  const files: StateFile[] = [
    { path: "snapshot.json", content: `{"format":"lexum.snapshot/v1"${salt}}\n` },
    { path: "plan.json", content: "{}\n" },
    { path: "README.md", content: "# state\n" },
  ];
  for (let i = 0; i < n; i++) {
    files.push({ path: `resources/d${i % 2}/fs.file.f${i}.json`, content: `{"i":${i}}\n` });
  }
  return files;
}

function codeOf(e: unknown): string | undefined {
  return e instanceof LexumError ? e.code : undefined;
}

describe("writeStateCommit", () => {
  it("gives the identical commit id for identical inputs in two separate repositories", async () => {
    const a = repo({ "a.txt": "one\n" });
    const b = repo({ "b.txt": "two\n" });
    const ra = await writeStateCommit({ gitdir: a.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "Lexum state", time: TIME });
    // Input order must not matter either.
    const rb = await writeStateCommit({ gitdir: b.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles().reverse(), message: "Lexum state", time: TIME });
    expect(ra.oid).toBe(rb.oid);
    expect(gitc(a.dir, "rev-parse", BRANCH)).toBe(ra.oid);
    // The same tree as git itself would build from these files.
    expect(gitc(a.dir, "rev-parse", `${BRANCH}^{tree}`)).toBe(ra.tree);
    // A different time gives a different id (the time is part of the commit).
    const c = repo();
    const rc = await writeStateCommit({ gitdir: c.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "Lexum state", time: { seconds: TIME.seconds + 1, tzOffsetMinutes: 60 } });
    expect(rc.oid).not.toBe(ra.oid);
  });

  it("is readable by the git CLI: log, show, ls-tree, fsck --strict", async () => {
    const r = repo();
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "Lexum: apply abc\n\nLexum-Snapshot: sha256:00\nLexum-Source: abc", time: TIME });
    const second = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: sampleFiles(6, ',"x":1'), message: "second", time: { seconds: TIME.seconds + 10, tzOffsetMinutes: -330 } });
    expect(gitc(r.dir, "log", "--format=%H %P %an <%ae> %ct %cI %s", BRANCH).split("\n")).toEqual([
      `${second.oid} ${first.oid} Lexum <lexum@localhost> 1700000010 2023-11-14T16:43:30-05:30 second`,
      `${first.oid}  Lexum <lexum@localhost> 1700000000 2023-11-14T23:13:20+01:00 Lexum: apply abc`,
    ]);
    expect(gitc(r.dir, "log", "-1", "--format=%(trailers:key=Lexum-Snapshot,valueonly)", first.oid)).toBe("sha256:00");
    expect(gitc(r.dir, "show", `${BRANCH}:snapshot.json`)).toBe('{"format":"lexum.snapshot/v1","x":1}');
    expect(gitc(r.dir, "show", `${BRANCH}:resources/d1/fs.file.f5.json`)).toBe('{"i":5}');
    expect(gitc(r.dir, "ls-tree", "--name-only", BRANCH).split("\n")).toEqual(["README.md", "plan.json", "resources", "snapshot.json"]);
    gitc(r.dir, "fsck", "--strict", "--no-dangling");
    expect(gitc(r.dir, "reflog", "show", "--format=%H", BRANCH).split("\n")).toEqual([second.oid, first.oid]);
  });

  it("leaves the user's HEAD, index and working tree untouched", async () => {
    const r = repo({ "main.lxm": "x\n", "other.txt": "y\n" });
    writeFileSync(join(r.dir, "other.txt"), "modified\n");
    gitc(r.dir, "add", "other.txt");
    writeFileSync(join(r.dir, "untracked.txt"), "u\n");
    const before = { status: gitc(r.dir, "status", "--porcelain"), head: gitc(r.dir, "rev-parse", "HEAD"), sym: gitc(r.dir, "symbolic-ref", "HEAD"), index: readFileSync(join(r.gitdir, "index")) };
    await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "m", time: TIME });
    expect(gitc(r.dir, "status", "--porcelain")).toBe(before.status);
    expect(gitc(r.dir, "rev-parse", "HEAD")).toBe(before.head);
    expect(gitc(r.dir, "symbolic-ref", "HEAD")).toBe(before.sym);
    expect(readFileSync(join(r.gitdir, "index")).equals(before.index)).toBe(true);
    expect(existsSync(join(r.dir, "snapshot.json"))).toBe(false);
  });

  it("refuses by compare-and-swap when the branch moved, and changes nothing", async () => {
    const r = repo();
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "1", time: TIME });
    // Another run planned against "no branch" and arrives late.
    const late = writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(3), message: "late", time: TIME });
    await expect(late).rejects.toMatchObject({ code: "LXM4101" });
    await late.catch((e: Error) => {
      expect(e.message).toBe(`the state branch moved since this run planned (expected no branch, found ${first.oid}); re-plan`);
    });
    // A stale parent is refused too.
    const second = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: sampleFiles(4), message: "2", time: TIME });
    await expect(writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: sampleFiles(2), message: "3", time: TIME })).rejects.toMatchObject({ code: "LXM4101" });
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(second.oid);
    expect(existsSync(join(r.gitdir, "refs/heads/lexum/state.lock"))).toBe(false);
  });

  it("refuses with a clear error naming a stale lock file, and leaves the branch alone", async () => {
    const r = repo();
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "1", time: TIME });
    const lock = join(r.gitdir, "refs/heads/lexum/state.lock");
    writeFileSync(lock, "");
    let err: unknown;
    try {
      await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: sampleFiles(2), message: "2", time: TIME });
    } catch (e) {
      err = e;
    }
    expect(codeOf(err)).toBe("LXM4102");
    expect((err as LexumError).message).toContain(lock);
    expect((err as LexumError).hint).toContain(`rm ${lock}`);
    expect(existsSync(lock)).toBe(true); // someone else's lock is never removed by us
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(first.oid);
  });

  it("reports an empty ref file as corruption, never as a fresh branch", async () => {
    const r = repo();
    await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "1", time: TIME });
    writeFileSync(join(r.gitdir, "refs/heads/lexum/state"), "");
    await expect(writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "1", time: TIME })).rejects.toMatchObject({ code: "LXM4103" });
    await expect(listStateCommits({ gitdir: r.gitdir, branch: BRANCH })).rejects.toMatchObject({ code: "LXM4103" });
    await expect(resolveStateRev({ gitdir: r.gitdir, branch: BRANCH })).rejects.toMatchObject({ code: "LXM4103" });
    expect(readFileSync(join(r.gitdir, "refs/heads/lexum/state"), "utf8")).toBe("");
  });

  it("reports a garbage ref and a ref to a missing object as corruption", async () => {
    const r = repo();
    writeFileSync(join(r.gitdir, "refs/heads/broken"), "not an oid\n");
    await expect(listStateCommits({ gitdir: r.gitdir, branch: "broken" })).rejects.toMatchObject({ code: "LXM4103" });
    writeFileSync(join(r.gitdir, "refs/heads/dangling"), "0123456789012345678901234567890123456789\n");
    await expect(listStateCommits({ gitdir: r.gitdir, branch: "dangling" })).rejects.toMatchObject({ code: "LXM4103" });
  });

  it("rewrites a 0-byte object file left by a crash", async () => {
    const r = repo();
    const files = sampleFiles();
    const blobOid = hashObject("blob", Buffer.from("{\"i\":3}\n"));
    const objPath = join(r.gitdir, "objects", blobOid.slice(0, 2), blobOid.slice(2));
    // Simulate a crash of a naive writer: the object path exists but is empty.
    mkdirSync(join(r.gitdir, "objects", blobOid.slice(0, 2)), { recursive: true });
    writeFileSync(objPath, "");
    const res = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files, message: "m", time: TIME });
    expect(statSync(objPath).size).toBeGreaterThan(0);
    expect(gitc(r.dir, "cat-file", "-p", blobOid)).toBe('{"i":3}');
    gitc(r.dir, "fsck", "--strict", "--no-dangling");
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(res.oid);
    // No temp files are left behind in the object store.
    const tmp = readdirSync(join(r.gitdir, "objects", blobOid.slice(0, 2))).filter((n) => n.startsWith("tmp_"));
    expect(tmp).toEqual([]);
  });

  it("honours packed-refs and writes only changed objects on an incremental commit", async () => {
    const r = repo();
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(20), message: "1", time: TIME });
    expect(first.written).toBe(3 + 20 + 4 + 1); // blobs, trees (root, resources, d0, d1), commit
    gitc(r.dir, "pack-refs", "--all");
    gitc(r.dir, "gc", "--prune=now", "--quiet");
    expect(existsSync(join(r.gitdir, "refs/heads/lexum/state"))).toBe(false); // only in packed-refs now
    expect((await listStateCommits({ gitdir: r.gitdir, branch: BRANCH })).map((c) => c.oid)).toEqual([first.oid]);
    const files = sampleFiles(20).map((f) => (f.path === "resources/d1/fs.file.f7.json" ? { ...f, content: "{\"i\":7,\"changed\":true}\n" } : f));
    const second = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files, message: "2", time: TIME });
    expect(second.written).toBe(1 + 3 + 1); // the changed blob, trees root/resources/d1, commit
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(second.oid);
    expect(gitc(r.dir, "show", `${BRANCH}:resources/d1/fs.file.f7.json`)).toBe('{"i":7,"changed":true}');
    gitc(r.dir, "fsck", "--strict", "--no-dangling");
  });

  it("writes large commits as a pack; incremental commits read the parent back from it (cold caches)", async () => {
    const r = repo();
    const many = (v: number) => sampleFiles(200).map((f, i) => (i === 50 && v > 0 ? { ...f, content: `{"v":${v}}\n` } : f));
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: many(0), message: "1", time: TIME });
    expect(readdirSync(join(r.gitdir, "objects", "pack")).filter((n) => n.endsWith(".idx")).length).toBe(1);
    clearStoreCaches(); // as a new process would start
    const second = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: many(1), message: "2", time: TIME });
    expect(second.written).toBe(1 + 3 + 1);
    clearStoreCaches();
    const back = await readStateFiles({ gitdir: r.gitdir, oid: second.oid });
    expect(back.size).toBe(203);
    expect(gitc(r.dir, "ls-tree", "-r", "--name-only", BRANCH).split("\n").length).toBe(203);
    gitc(r.dir, "fsck", "--strict", "--no-dangling");
    // The same inputs in another repository give the same ids, pack or not.
    const other = repo();
    clearStoreCaches();
    const again = await writeStateCommit({ gitdir: other.gitdir, branch: BRANCH, expectedParent: null, files: many(0), message: "1", time: TIME });
    expect(again.oid).toBe(first.oid);
  });

  it("a commit on top of a parent read in full (fresh process) reuses its blob ids and gives the same commit as hashing everything", async () => {
    // Text read back from the branch stands in for hashing unchanged files; a BOM and
    // non-UTF-8 bytes must not be mistaken for equal text.
    const bytes = new Uint8Array([0xff, 0xfe, 0x41]);
    const files = (v: number): StateFile[] => [
      ...sampleFiles(6).map((f, i) => (i === 4 && v > 0 ? { ...f, content: `{"v":${v}}\n` } : f)),
      // v1: what a BOM-stripping or lossy decoding of the v0 bytes would give.
      { path: "bom.txt", content: v > 0 ? "text\n" : "\uFEFFtext\n" },
      { path: "bin.dat", content: v > 0 ? "\uFFFD\uFFFDA" : bytes },
    ];
    const viaRead = repo();
    const viaHash = repo();
    const ids: string[] = [];
    for (const r of [viaRead, viaHash]) {
      clearStoreCaches();
      const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: files(0), message: "1", time: TIME });
      clearStoreCaches(); // a new process
      if (r === viaRead) expect((await readStateFiles({ gitdir: r.gitdir, oid: first.oid })).get("bin.dat")).toEqual(bytes);
      const second = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: files(1), message: "2", time: TIME });
      ids.push(second.oid);
      expect(gitc(r.dir, "cat-file", "-s", `${BRANCH}:bom.txt`)).toBe("5"); // not the v0 blob with its BOM
      expect(gitc(r.dir, "cat-file", "-s", `${BRANCH}:bin.dat`)).toBe("7");
      gitc(r.dir, "fsck", "--strict", "--no-dangling");
    }
    expect(ids[0]).toBe(ids[1]);
  });

  it("after a crash between objects and ref, the branch is intact and the next run completes", async () => {
    const r = repo();
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "1", time: TIME });
    // The crashed run: its objects reached the store (one as a torn temp file), its ref did not.
    const crashed = sampleFiles(40, ',"crashed":1').map((f) => encodeObject("blob", f.content));
    await writeObjects(r.gitdir, crashed);
    writeFileSync(join(r.gitdir, "objects", "tmp_lxm_99999_0"), "partial");
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(first.oid);
    clearStoreCaches();
    const next = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: sampleFiles(40, ',"crashed":1'), message: "2", time: TIME });
    expect(next.written).toBeLessThan(crashed.length); // blobs already present are not rewritten
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(next.oid);
    gitc(r.dir, "fsck", "--strict", "--no-dangling");
  });

  it("fails cleanly without moving the branch when objects cannot be written", async () => {
    const r = repo();
    const first = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(), message: "1", time: TIME });
    // A file where the fan-out directory of one new blob must go: the write fails with
    // ENOTDIR, as a read-only store would, and unlike permissions this stops root too.
    const next = sampleFiles(9, ",\"y\":2");
    const taken = new Set(readdirSync(join(r.gitdir, "objects")));
    const fanout = next.map((f) => encodeObject("blob", f.content).oid.slice(0, 2)).find((k) => !taken.has(k))!;
    expect(fanout).toBeDefined();
    const blocker = join(r.gitdir, "objects", fanout);
    writeFileSync(blocker, "");
    try {
      const err = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: next, message: "2", time: TIME }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(codeOf(err)).toBe("LXM4109");
      expect((err as Error).message).toContain("ENOTDIR");
    } finally {
      rmSync(blocker);
    }
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(first.oid);
    // Once the cause is gone, the same write goes through.
    clearStoreCaches();
    const second = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: first.oid, files: next, message: "2", time: TIME });
    expect(gitc(r.dir, "rev-parse", BRANCH)).toBe(second.oid);
    gitc(r.dir, "fsck", "--strict", "--no-dangling");
  });
});

describe("reading state", () => {
  it("reads back every file, one file, and lists commits newest first", async () => {
    const r = repo();
    const files = sampleFiles(4);
    const a = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files, message: "a", time: TIME });
    const b = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: a.oid, files: sampleFiles(2), message: "b", time: { seconds: 1700000100, tzOffsetMinutes: 0 } });
    const all = await readStateFiles({ gitdir: r.gitdir, oid: a.oid });
    expect([...all.keys()]).toEqual(["README.md", "plan.json", "resources/d0/fs.file.f0.json", "resources/d0/fs.file.f2.json", "resources/d1/fs.file.f1.json", "resources/d1/fs.file.f3.json", "snapshot.json"]);
    expect(Buffer.from(all.get("resources/d1/fs.file.f3.json")!).toString()).toBe('{"i":3}\n');
    expect(Buffer.from((await readStateFile({ gitdir: r.gitdir, oid: b.oid, path: "plan.json" }))!).toString()).toBe("{}\n");
    expect(await readStateFile({ gitdir: r.gitdir, oid: b.oid, path: "resources/d1/fs.file.f3.json" })).toBeNull();
    expect(await readStateFile({ gitdir: r.gitdir, oid: b.oid, path: "resources" })).toBeNull();
    const log = await listStateCommits({ gitdir: r.gitdir, branch: BRANCH });
    expect(log.map((c) => [c.oid, c.parents, c.message, c.time.seconds])).toEqual([
      [b.oid, [a.oid], "b\n", 1700000100],
      [a.oid, [], "a\n", 1700000000],
    ]);
    expect(log[1]!.time.tzOffsetMinutes).toBe(60);
    expect(await listStateCommits({ gitdir: r.gitdir, branch: "lexum/none" })).toEqual([]);
  });

  it("resolves branch, branch~N, full and short ids, and rejects unknown revisions", async () => {
    const r = repo();
    const a = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: null, files: sampleFiles(1), message: "a", time: TIME });
    const b = await writeStateCommit({ gitdir: r.gitdir, branch: BRANCH, expectedParent: a.oid, files: sampleFiles(2), message: "b", time: TIME });
    expect(await resolveStateRev({ gitdir: r.gitdir, branch: BRANCH })).toBe(b.oid);
    expect(await resolveStateRev({ gitdir: r.gitdir, branch: BRANCH, rev: BRANCH })).toBe(b.oid);
    expect(await resolveStateRev({ gitdir: r.gitdir, branch: BRANCH, rev: `${BRANCH}~1` })).toBe(a.oid);
    expect(await resolveStateRev({ gitdir: r.gitdir, branch: BRANCH, rev: a.oid })).toBe(a.oid);
    expect(await resolveStateRev({ gitdir: r.gitdir, branch: BRANCH, rev: a.oid.slice(0, 8) })).toBe(a.oid);
    expect(await resolveStateRev({ gitdir: r.gitdir, branch: BRANCH, rev: `${b.oid.slice(0, 10)}~1` })).toBe(a.oid);
    await expect(resolveStateRev({ gitdir: r.gitdir, branch: BRANCH, rev: `${BRANCH}~2` })).rejects.toMatchObject({ code: "LXM4104" });
    await expect(resolveStateRev({ gitdir: r.gitdir, branch: BRANCH, rev: "nope" })).rejects.toMatchObject({ code: "LXM4104" });
  });
});
