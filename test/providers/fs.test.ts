import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LexumError } from "../../src/diag/diagnostic.js";
import { fsProvider, resolveFsRoot } from "../../src/providers/fs/provider.js";
import { ProviderError, type CallContext, type ProviderInstance } from "../../src/providers/types.js";

const ctx: CallContext = { signal: new AbortController().signal, attempt: 1 };

let base: string;
let root: string;
let fs: ProviderInstance;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "lexum-fs-"));
  root = join(base, "root");
  await mkdir(root);
  fs = fsProvider.configure({ root: "root" }, { projectDir: base });
});

afterEach(async () => {
  await fs.close();
  await rm(base, { recursive: true, force: true });
});

async function expectProviderError(p: Promise<unknown>, code: string, mentions: string): Promise<ProviderError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  const pe = err as ProviderError;
  expect(pe.code).toBe(code);
  expect(pe.message).toContain(mentions);
  return pe;
}

/** Every entry below `dir`, recursively, as relative paths (to spot stray temp files). */
async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    out.push(e.name);
    if (e.isDirectory()) for (const sub of await listAll(join(dir, e.name))) out.push(`${e.name}/${sub}`);
  }
  return out.sort();
}

const hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

describe("fs configuration", () => {
  it("resolves a relative root against the project directory, an absolute one as is, and defaults to the project directory", () => {
    expect(resolveFsRoot({ root: "out/x" }, { projectDir: "/p" })).toBe("/p/out/x");
    expect(resolveFsRoot({ root: "../shared" }, { projectDir: "/p/q" })).toBe("/p/shared");
    expect(resolveFsRoot({ root: "/abs/r" }, { projectDir: "/p" })).toBe("/abs/r");
    expect(resolveFsRoot({}, { projectDir: "/p" })).toBe("/p");
  });

  it("rejects a non-string root and unknown settings with LXM4900", () => {
    const env = { projectDir: "/p" };
    expect(() => fsProvider.configure({ root: 3 }, env)).toThrow(LexumError);
    try {
      fsProvider.configure({ rot: "x" }, env);
      expect.unreachable();
    } catch (e) {
      expect((e as LexumError).code).toBe("LXM4900");
      expect((e as LexumError).message).toContain("rot");
    }
  });
});

describe("fs.file", () => {
  it("creates with parents, reads back computed attributes, updates and deletes", async () => {
    const created = await fs.create("fs.file", { path: "a/b/c.txt", content: "héllo\n", mode: "0640" }, ctx);
    expect(created).toEqual({ path: "a/b/c.txt", content: "héllo\n", mode: "0640", size: 7, sha256: hex("héllo\n") });
    expect(await readFile(join(root, "a/b/c.txt"), "utf8")).toBe("héllo\n");
    expect((await stat(join(root, "a/b/c.txt"))).mode & 0o7777).toBe(0o640);
    expect((await stat(join(root, "a/b"))).isDirectory()).toBe(true);

    expect(await fs.read("fs.file", { path: "a/b/c.txt" }, ctx)).toEqual(created);

    const updated = await fs.update("fs.file", created, { path: "a/b/c.txt", content: "bye", mode: "0600" }, ctx);
    expect(updated).toEqual({ path: "a/b/c.txt", content: "bye", mode: "0600", size: 3, sha256: hex("bye") });
    expect(await readFile(join(root, "a/b/c.txt"), "utf8")).toBe("bye");

    await fs.delete("fs.file", { path: "a/b/c.txt" }, ctx);
    expect(await fs.read("fs.file", { path: "a/b/c.txt" }, ctx)).toBeNull();
    // The parent directories are not the file's to remove.
    expect((await stat(join(root, "a/b"))).isDirectory()).toBe(true);
  });

  it("fills defaults: empty content, mode 0644 regardless of the umask", async () => {
    const got = await fs.create("fs.file", { path: "empty" }, ctx);
    expect(got).toEqual({ path: "empty", content: "", mode: "0644", size: 0, sha256: hex("") });
  });

  it("is idempotent: a retried create of an identical file leaves it untouched", async () => {
    const attrs = { path: "f.txt", content: "x", mode: "0644" };
    const first = await fs.create("fs.file", attrs, ctx);
    const ino = (await stat(join(root, "f.txt"))).ino;
    const second = await fs.create("fs.file", attrs, ctx);
    expect(second).toEqual(first);
    // Same inode: not rewritten through a temp file.
    expect((await stat(join(root, "f.txt"))).ino).toBe(ino);
  });

  it("create converges an existing different file to the goal; a mode-only change just chmods", async () => {
    await writeFile(join(root, "f.txt"), "old");
    await chmod(join(root, "f.txt"), 0o600);
    const got = await fs.create("fs.file", { path: "f.txt", content: "new", mode: "0644" }, ctx);
    expect(got.content).toBe("new");
    expect(got.mode).toBe("0644");
    const ino = (await stat(join(root, "f.txt"))).ino;
    const again = await fs.update("fs.file", got, { path: "f.txt", content: "new", mode: "0600" }, ctx);
    expect(again.mode).toBe("0600");
    expect((await stat(join(root, "f.txt"))).ino).toBe(ino);
  });

  it("reads back a mode changed behind its back (drift)", async () => {
    await fs.create("fs.file", { path: "f", content: "c", mode: "0644" }, ctx);
    await chmod(join(root, "f"), 0o755);
    expect((await fs.read("fs.file", { path: "f" }, ctx))?.mode).toBe("0755");
  });

  it("writes atomically: no temp file is left behind, and the old content survives a failed write", async () => {
    for (let i = 0; i < 5; i++) await fs.create("fs.file", { path: "d/f.txt", content: `v${i}` }, ctx);
    expect(await listAll(root)).toEqual(["d", "d/f.txt"]);
    // A file whose own path is exactly PATH_MAX - 1 (4095 bytes on Linux) long: the temp file
    // beside it gets a longer path, so creating it fails (ENAMETOOLONG) with the old file in
    // place. Unlike a read-only directory, this stops root too.
    // (The file's own name stays short: the temp name keeps only 100 characters of it.)
    const real = await realpath(root);
    const segments: string[] = [];
    for (let left = 4095 - real.length - 1 - "f.txt".length; left > 0; ) {
      const n = left - 1 <= 200 ? left - 1 : Math.min(200, left - 101);
      segments.push("d".repeat(n));
      left -= n + 1;
    }
    const rel = [...segments, "f.txt"].join("/");
    const abs = join(real, rel);
    expect(abs.length).toBe(4095);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, "old");
    const e = await expectProviderError(fs.update("fs.file", {}, { path: rel, content: "new" }, ctx), "fs.io", rel);
    expect(e.message).toContain("ENAMETOOLONG");
    expect(await readFile(abs, "utf8")).toBe("old");
    expect(await readdir(dirname(abs))).toEqual([basename(abs)]);
  });

  it("rejects a bad mode without touching the disk", async () => {
    await expectProviderError(fs.create("fs.file", { path: "f", mode: "644" }, ctx), "fs.invalid_attr", "mode");
    await expectProviderError(fs.create("fs.file", { path: "f", mode: "0999" }, ctx), "fs.invalid_attr", "mode");
    expect(await listAll(root)).toEqual([]);
  });

  it("a directory where a file is wanted is a clear, permanent error on every op", async () => {
    await mkdir(join(root, "x"));
    const e = await expectProviderError(fs.read("fs.file", { path: "x" }, ctx), "fs.wrong_kind", '"x" is a directory, not a file');
    expect(e.retryable).toBe(false);
    await expectProviderError(fs.create("fs.file", { path: "x", content: "" }, ctx), "fs.wrong_kind", "x");
    await expectProviderError(fs.delete("fs.file", { path: "x" }, ctx), "fs.wrong_kind", "x");
    expect((await stat(join(root, "x"))).isDirectory()).toBe(true);
  });

  it("refuses to write through a symlink at the file's own path", async () => {
    await writeFile(join(base, "outside.txt"), "secret");
    await symlink(join(base, "outside.txt"), join(root, "link"));
    await expectProviderError(fs.create("fs.file", { path: "link", content: "pwned" }, ctx), "fs.wrong_kind", "symlink");
    expect(await readFile(join(base, "outside.txt"), "utf8")).toBe("secret");
  });

  it("a parent that is a file is a clear error", async () => {
    await writeFile(join(root, "plain"), "");
    await expectProviderError(fs.create("fs.file", { path: "plain/x" }, ctx), "fs.wrong_kind", '"plain" is not a directory');
  });

  it("delete of an absent file succeeds, twice", async () => {
    await fs.delete("fs.file", { path: "nope/never" }, ctx);
    await fs.delete("fs.file", { path: "nope/never" }, ctx);
    expect(await listAll(root)).toEqual([]);
  });

  it("creates the root itself when it does not exist yet", async () => {
    const p = fsProvider.configure({ root: "fresh/out" }, { projectDir: base });
    await p.create("fs.file", { path: "f", content: "1" }, ctx);
    expect(await readFile(join(base, "fresh/out/f"), "utf8")).toBe("1");
    expect(await p.read("fs.file", { path: "g" }, ctx)).toBeNull();
  });

  it("an aborted signal fails fast with a retryable timeout", async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await expectProviderError(fs.create("fs.file", { path: "f" }, { signal: ac.signal, attempt: 1 }), "timeout", "aborted");
    expect(e.retryable).toBe(true);
    expect(await listAll(root)).toEqual([]);
  });
});

describe("fs root containment", () => {
  it("refuses `..` that climbs out, naming the path", async () => {
    for (const path of ["../x", "a/../../x", ".."]) {
      await expectProviderError(fs.create("fs.file", { path, content: "x" }, ctx), "fs.escape", JSON.stringify(path));
    }
    expect(await listAll(base)).toEqual(["root"]);
  });

  it("allows `..` that stays inside and lands on the normalised location", async () => {
    await fs.create("fs.file", { path: "a/../b.txt", content: "in" }, ctx);
    expect(await readFile(join(root, "b.txt"), "utf8")).toBe("in");
  });

  it("refuses absolute paths", async () => {
    await expectProviderError(fs.read("fs.file", { path: "/etc/passwd" }, ctx), "fs.escape", "/etc/passwd");
    await expectProviderError(fs.delete("fs.file", { path: "/etc/passwd" }, ctx), "fs.escape", "/etc/passwd");
  });

  it("refuses the root itself and empty paths", async () => {
    await expectProviderError(fs.delete("fs.dir", { path: "." }, ctx), "fs.invalid_path", "root itself");
    await expectProviderError(fs.create("fs.dir", { path: "" }, ctx), "fs.invalid_path", "non-empty");
  });

  it("refuses a path whose parent is a symlink pointing outside the root", async () => {
    const outside = join(base, "outside");
    await mkdir(outside);
    await symlink(outside, join(root, "evil"));
    const e = await expectProviderError(fs.create("fs.file", { path: "evil/x.txt", content: "x" }, ctx), "fs.escape", '"evil/x.txt"');
    expect(e.message).toContain('symlink "evil"');
    await expectProviderError(fs.create("fs.dir", { path: "evil/sub" }, ctx), "fs.escape", "evil/sub");
    await expectProviderError(fs.read("fs.file", { path: "evil/x.txt" }, ctx), "fs.escape", "evil/x.txt");
    expect(await readdir(outside)).toEqual([]);
  });

  it("refuses a relative symlinked parent that climbs out, even nested", async () => {
    await mkdir(join(root, "a"));
    await symlink("../..", join(root, "a/up"));
    await expectProviderError(fs.create("fs.file", { path: "a/up/x", content: "x" }, ctx), "fs.escape", "a/up/x");
  });

  it("follows a symlinked parent that stays inside the root", async () => {
    await mkdir(join(root, "real"));
    await symlink("real", join(root, "alias"));
    await fs.create("fs.file", { path: "alias/f", content: "ok" }, ctx);
    expect(await readFile(join(root, "real/f"), "utf8")).toBe("ok");
  });

  it("works when the root itself is reached through a symlink", async () => {
    await symlink(root, join(base, "rootlink"));
    const p = fsProvider.configure({ root: "rootlink" }, { projectDir: base });
    await p.create("fs.file", { path: "d/f", content: "ok" }, ctx);
    expect(await readFile(join(root, "d/f"), "utf8")).toBe("ok");
  });
});

describe("fs.dir", () => {
  it("creates with parents, applies the mode, reads back, updates the mode, deletes when empty", async () => {
    const got = await fs.create("fs.dir", { path: "x/y", mode: "0700" }, ctx);
    expect(got).toEqual({ path: "x/y", mode: "0700" });
    expect((await stat(join(root, "x/y"))).mode & 0o7777).toBe(0o700);
    expect(await fs.read("fs.dir", { path: "x/y" }, ctx)).toEqual(got);
    expect(await fs.update("fs.dir", got, { path: "x/y", mode: "0755" }, ctx)).toEqual({ path: "x/y", mode: "0755" });
    await fs.delete("fs.dir", { path: "x/y" }, ctx);
    expect(await fs.read("fs.dir", { path: "x/y" }, ctx)).toBeNull();
    await fs.delete("fs.dir", { path: "x/y" }, ctx);
  });

  it("defaults the mode to 0755 and accepts an existing directory", async () => {
    await mkdir(join(root, "d"), { mode: 0o700 });
    expect(await fs.create("fs.dir", { path: "d" }, ctx)).toEqual({ path: "d", mode: "0755" });
    expect(await fs.create("fs.dir", { path: "d" }, ctx)).toEqual({ path: "d", mode: "0755" });
  });

  it("refuses to delete a non-empty directory, permanently, and leaves it intact", async () => {
    await fs.create("fs.file", { path: "d/f", content: "keep" }, ctx);
    const e = await expectProviderError(fs.delete("fs.dir", { path: "d" }, ctx), "fs.dir_not_empty", '"d"');
    expect(e.retryable).toBe(false);
    expect(await readFile(join(root, "d/f"), "utf8")).toBe("keep");
  });

  it("a file where a directory is wanted is an error", async () => {
    await writeFile(join(root, "f"), "");
    await expectProviderError(fs.create("fs.dir", { path: "f" }, ctx), "fs.wrong_kind", '"f" is a file, not a directory');
  });
});

describe("fs.symlink", () => {
  it("creates with parents, stores the target verbatim, swaps it atomically, deletes only the link", async () => {
    await writeFile(join(root, "target.txt"), "t");
    const got = await fs.create("fs.symlink", { path: "links/l", target: "../target.txt" }, ctx);
    expect(got).toEqual({ path: "links/l", target: "../target.txt" });
    expect(await readlink(join(root, "links/l"))).toBe("../target.txt");
    expect(await readFile(join(root, "links/l"), "utf8")).toBe("t");

    expect(await fs.update("fs.symlink", got, { path: "links/l", target: "elsewhere" }, ctx)).toEqual({ path: "links/l", target: "elsewhere" });
    expect(await listAll(join(root, "links"))).toEqual(["l"]);

    await fs.delete("fs.symlink", { path: "links/l" }, ctx);
    expect(await fs.read("fs.symlink", { path: "links/l" }, ctx)).toBeNull();
    expect(await readFile(join(root, "target.txt"), "utf8")).toBe("t");
  });

  it("may point outside the root (the target is data), and a retried create is a no-op", async () => {
    const attrs = { path: "l", target: "/etc/passwd" };
    await fs.create("fs.symlink", attrs, ctx);
    const before = await lstat(join(root, "l"));
    expect(await fs.create("fs.symlink", attrs, ctx)).toEqual(attrs);
    expect((await lstat(join(root, "l"))).ino).toBe(before.ino);
  });

  it("the link's own path must be inside the root", async () => {
    await expectProviderError(fs.create("fs.symlink", { path: "../l", target: "x" }, ctx), "fs.escape", "../l");
  });

  it("a regular file where a link is wanted is an error", async () => {
    await writeFile(join(root, "f"), "");
    await expectProviderError(fs.create("fs.symlink", { path: "f", target: "x" }, ctx), "fs.wrong_kind", "is a file, not a symlink");
    await expectProviderError(fs.delete("fs.symlink", { path: "f" }, ctx), "fs.wrong_kind", "f");
  });
});

describe("fs types", () => {
  it("an unknown type is a permanent error", async () => {
    await expectProviderError(fs.read("fs.socket", { path: "x" }, ctx), "fs.unknown_type", "fs.socket");
  });
});
