import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { chmod, readdir, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { conformanceChecks, type ConformanceSubject } from "../../src/providers/conformance.js";
import { fsProvider } from "../../src/providers/fs/provider.js";

// The project directory must exist when the checks are listed (collection time).
const project = mkdtempSync(join(tmpdir(), "lexum-conf-fs-"));
const root = join(project, "out");

const subject: ConformanceSubject = {
  provider: fsProvider,
  config: { root: "out" },
  env: { projectDir: project },
  cases: [
    {
      type: "fs.file",
      goal: { path: "a.txt", content: "hello\n", mode: "0644" },
      updates: { content: "goodbye\n", mode: "0600" },
      replace: { path: "b.txt" },
      drift: async () => {
        const changed = "edited by hand\n";
        await writeFile(join(root, "a.txt"), changed);
        await chmod(join(root, "a.txt"), 0o640);
        return { content: changed, mode: "0640", size: Buffer.byteLength(changed), sha256: createHash("sha256").update(changed).digest("hex") };
      },
    },
    {
      // A file inside a directory the case needs: cleanup must delete the file before the directory.
      type: "fs.file",
      needs: [{ type: "fs.dir", goal: { path: "sub" } }],
      goal: { path: "sub/f.txt", content: "x" },
      updates: { content: "y" },
    },
    {
      type: "fs.dir",
      goal: { path: "d", mode: "0755" },
      updates: { mode: "0700" },
      replace: { path: "e" },
      drift: async () => {
        await chmod(join(root, "d"), 0o711);
        return { mode: "0711" };
      },
    },
    {
      type: "fs.symlink",
      goal: { path: "link", target: "a.txt" },
      // `target` replaces the link (x-lexum-replace-on): no attribute is updated in place.
      updates: {},
      replace: { path: "link2" },
      drift: async () => {
        await unlink(join(root, "link"));
        await symlink("elsewhere", join(root, "link"));
        return { target: "elsewhere" };
      },
    },
  ],
};

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe("the conformance kit over the fs provider", () => {
  const checks = conformanceChecks(subject);

  it("lists every check for every case", () => {
    expect(checks.map((c) => c.name)).toEqual([
      "fs.file: create then read equals the goal",
      "fs.file: a second create of the same goal is accepted and changes nothing",
      "fs.file: update of content",
      "fs.file: update of mode",
      "fs.file: replace on identity change",
      "fs.file: delete of an absent object succeeds",
      "fs.file: read of an absent object is null",
      "fs.file: a call whose signal is aborted stops and changes nothing",
      "fs.file: drift made outside is seen by read",
      "fs.file #2: create then read equals the goal",
      "fs.file #2: a second create of the same goal is accepted and changes nothing",
      "fs.file #2: update of content",
      "fs.file #2: delete of an absent object succeeds",
      "fs.file #2: read of an absent object is null",
      "fs.file #2: a call whose signal is aborted stops and changes nothing",
      "fs.dir: create then read equals the goal",
      "fs.dir: a second create of the same goal is accepted and changes nothing",
      "fs.dir: update of mode",
      "fs.dir: replace on identity change",
      "fs.dir: delete of an absent object succeeds",
      "fs.dir: read of an absent object is null",
      "fs.dir: a call whose signal is aborted stops and changes nothing",
      "fs.dir: drift made outside is seen by read",
      "fs.symlink: create then read equals the goal",
      "fs.symlink: a second create of the same goal is accepted and changes nothing",
      "fs.symlink: replace on identity change",
      "fs.symlink: delete of an absent object succeeds",
      "fs.symlink: read of an absent object is null",
      "fs.symlink: a call whose signal is aborted stops and changes nothing",
      "fs.symlink: drift made outside is seen by read",
    ]);
  });

  for (const c of checks) it(c.name, c.run, 30_000);

  it("each check cleaned up what it created: the root is empty", async () => {
    expect(await readdir(root)).toEqual([]);
  });
});
