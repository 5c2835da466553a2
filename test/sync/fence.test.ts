import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LexumError } from "../../src/diag/diagnostic.js";
import { readRef } from "../../src/git/index.js";
import { observeRemoteGit } from "../../src/git/remote.js";
import { Fence, fenceRef, leaseTrailers } from "../../src/sync/fence.js";
import { syncStateBranch } from "../../src/sync/state-sync.js";
import { git } from "../e2e/helpers.js";
import { startGitHttpServer } from "../git/http-backend.js";
import type { GitHttpServer } from "../git/http-backend.js";
import { cleanupScratch, tempDir } from "./harness.js";

/**
 * The fence ref against a real remote (git http-backend on 127.0.0.1): a replica whose lease
 * was taken over cannot push, however late it wakes up.
 */

let server: GitHttpServer;
let bare: string;
let url: string;
const STATE = "lexum/state";
const STATE_REF = `refs/heads/${STATE}`;

beforeAll(async () => {
  server = await startGitHttpServer({ root: tempDir("lexum-fence-remote-") });
  bare = server.createBareRepo("infra.git");
  url = server.url("infra.git");
});
afterAll(async () => {
  await server?.close();
  cleanupScratch();
});

/** A replica's clone: a bare repository of its own. */
function clone(): string {
  const d = tempDir("lexum-fence-clone-");
  git(d, "init", "-q", "--bare");
  return d;
}

/** A state commit on `parent` carrying the lease trailers of (epoch, replica). */
function stateCommit(gitdir: string, parent: string | null, epoch: number, replica: string, n: number): string {
  const tree = git(gitdir, "--git-dir", gitdir, "hash-object", "-t", "tree", "-w", "/dev/null");
  const args = ["--git-dir", gitdir, "commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", `snapshot ${n}\n\nLexum-Epoch: ${epoch}\nLexum-Replica: ${replica}`];
  const oid = git(gitdir, ...args);
  git(gitdir, "--git-dir", gitdir, "update-ref", STATE_REF, oid);
  return oid;
}

const remoteTip = (ref: string): string | null => {
  try {
    return git(bare, "--git-dir", bare, "rev-parse", "--verify", "-q", ref);
  } catch {
    return null;
  }
};

const take = (gitdir: string, epoch: number, replica: string, confirm: () => Promise<boolean> = async () => true) =>
  Fence.take({ gitdir, remote: { url }, stateBranch: STATE, repo: "infra", epoch, replica, confirm });

async function lost(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LexumError);
  expect((e as LexumError).code).toBe("LXM7015");
  return (e as LexumError).message;
}

describe("the remote fence", () => {
  it("lets the holder of the newest epoch push and refuses a replica whose lease was taken over, whole", async () => {
    const a = clone();
    const fa = await take(a, 1, "a");
    expect(leaseTrailers(git(bare, "--git-dir", bare, "log", "-1", "--format=%B", fenceRef(STATE)))).toEqual({ epoch: 1, replica: "a" });
    const s1 = stateCommit(a, null, 1, "a", 1);
    expect(await fa.push(s1, null)).toEqual({ ok: true });
    expect(remoteTip(STATE_REF)).toBe(s1);
    // Each push moves the fence one step: a chain of empty commits.
    expect(git(bare, "--git-dir", bare, "rev-list", "--count", fenceRef(STATE))).toBe("2");

    // b takes the lease over (a was paused past its TTL) and fences the remote at epoch 2.
    const b = clone();
    const fb = await take(b, 2, "b");
    // a wakes up with a snapshot to push: the coordination server is not asked again in this
    // test (it says yes); the remote refuses the whole atomic push, state branch included.
    const s2 = stateCommit(a, s1, 1, "a", 2);
    expect(await lost(fa.push(s2, s1))).toContain("a replica with a newer lease fenced the remote");
    expect(remoteTip(STATE_REF)).toBe(s1);
    // Nor can it fence again at its old epoch.
    expect(await lost(take(a, 1, "a"))).toContain("the remote is fenced at epoch 2 by b");
    // b's pushes go through.
    git(b, "--git-dir", b, "fetch", "-q", bare, `${STATE_REF}:${STATE_REF}`);
    const s3 = stateCommit(b, s1, 2, "b", 3);
    expect(await fb.push(s3, s1)).toEqual({ ok: true });
    expect(remoteTip(STATE_REF)).toBe(s3);
    expect(git(bare, "--git-dir", bare, "log", "--format=%(trailers:key=Lexum-Epoch,valueonly)", fenceRef(STATE)).split("\n").filter(Boolean)).toEqual(["2", "2", "1", "1"]);
  });

  it("asks the coordination server before a push, and pushes nothing when it says the lease is gone", async () => {
    const c = clone();
    let holds = true;
    const f = await take(c, 7, "c", async () => holds);
    git(c, "--git-dir", c, "fetch", "-q", bare, `+${STATE_REF}:${STATE_REF}`);
    const before = remoteTip(STATE_REF);
    const s = stateCommit(c, before, 7, "c", 4);
    holds = false;
    const spawned: string[][] = [];
    observeRemoteGit((p) => spawned.push([...p.argv]));
    try {
      expect(await lost(f.push(s, before))).toContain("the coordination server no longer gives it to this replica");
    } finally {
      observeRemoteGit(null);
    }
    expect(spawned).toEqual([]);
    expect(remoteTip(STATE_REF)).toBe(before);
    expect(await lost(take(c, 8, "c", async () => false))).toContain("no longer gives it");
  });

  it("drops local snapshots written under an older lease instead of pushing them, and pushes its own", async () => {
    const d = clone();
    git(d, "--git-dir", d, "fetch", "-q", bare, `+${STATE_REF}:${STATE_REF}`);
    const tip = remoteTip(STATE_REF)!;
    const stale = stateCommit(d, tip, 3, "d", 5); // written under epoch 3, never pushed
    const f = await take(d, 9, "d");
    expect(await f.wrote(stale)).toBe(false);
    const r = await syncStateBranch(d, { url }, STATE, tip, f);
    expect(r).toEqual({ tip, pushed: false, dropped: stale });
    expect(await readRef({ gitdir: d, ref: STATE_REF })).toBe(tip);
    expect(remoteTip(STATE_REF)).toBe(tip);
    const own = stateCommit(d, tip, 9, "d", 6);
    expect(await f.wrote(own)).toBe(true);
    expect(await syncStateBranch(d, { url }, STATE, tip, f)).toEqual({ tip: own, pushed: true });
    expect(remoteTip(STATE_REF)).toBe(own);
  });
});
