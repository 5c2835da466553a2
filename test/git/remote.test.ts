import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LexumError } from "../../src/diag/diagnostic.js";
import { deleteRemoteRef, fetchRefs, lsRemote, observeRemoteGit, pushRef, redactUrl, remoteUrl, tokenAuth } from "../../src/git/remote.js";
import type { Remote } from "../../src/git/remote.js";
import { gitc } from "./helpers.js";
import { startGitHttpServer } from "./http-backend.js";
import type { GitHttpServer } from "./http-backend.js";

const TOKEN = "ghs_RemoteTestToken0123456789abcdefXYZ";
const READ_ONLY = "ghs_ReadOnlyToken0123456789abcdefXYZ";
const B64 = (t: string) => Buffer.from(`x-access-token:${t}`).toString("base64");
/** Every form a credential could leak in. */
const SECRETS = [TOKEN, READ_ONLY, B64(TOKEN), B64(READ_ONLY)];

const STATE = "refs/heads/lexum/state";
const LOCK = "refs/lexum/locks/lexum/state";

let scratch: string;
let server: GitHttpServer;
let spawned: { argv: readonly string[]; pid: number | undefined }[] = [];
/** Every error this file's operations raised: none may carry a credential. */
const errors: LexumError[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "lexum-remote-"));
  server = await startGitHttpServer({ root: join(scratch, "srv"), token: TOKEN, readOnlyToken: READ_ONLY });
  observeRemoteGit((s) => spawned.push(s));
});

afterAll(async () => {
  observeRemoteGit(null);
  await server.close();
  // Nothing any test wrote (clones, bare repositories) holds a credential.
  expect(filesContaining(scratch, SECRETS)).toEqual([]);
  rmSync(scratch, { recursive: true, force: true });
});

afterEach(() => {
  // git was really started, and no argv of ours carried a credential or a URL's userinfo.
  for (const s of spawned) for (const secret of SECRETS) expect(s.argv.join(" ")).not.toContain(secret);
  for (const r of server.requests) for (const secret of SECRETS) expect(r.url).not.toContain(secret);
  for (const e of errors) for (const secret of SECRETS) expect(`${e.message} ${e.hint ?? ""}`).not.toContain(secret);
  spawned = [];
  errors.length = 0;
});

let n = 0;
interface Fixture {
  readonly url: string;
  readonly bare: string;
  readonly remote: Remote;
  /** The shallow clone, as actions/checkout leaves it. */
  readonly gitdir: string;
  readonly main: string;
  readonly mainParent: string;
  readonly state: string;
  readonly stateParent: string;
}

let fx: Fixture;
beforeEach(async () => {
  fx = await fixture();
});

/**
 * A bare repository on the server with `main` (2 commits) and `lexum/state` (2 commits,
 * its own history), and a depth-1 clone of it made the way actions/checkout makes one.
 */
async function fixture(): Promise<Fixture> {
  const name = `octo/infra-${++n}.git`;
  const bare = server.createBareRepo(name);
  const src = join(scratch, `src-${n}`);
  gitc(scratch, "init", "-q", "-b", "main", src);
  writeFileSync(join(src, "main.lxm"), "one\n");
  gitc(src, "add", "-A");
  gitc(src, "commit", "-q", "-m", "one");
  writeFileSync(join(src, "main.lxm"), "two\n");
  gitc(src, "commit", "-q", "-am", "two");
  gitc(src, "checkout", "-q", "--orphan", "lexum/state");
  gitc(src, "rm", "-q", "-rf", ".");
  writeFileSync(join(src, "snapshot.json"), "{}\n");
  gitc(src, "add", "-A");
  gitc(src, "commit", "-q", "-m", "run 1");
  writeFileSync(join(src, "snapshot.json"), '{"n":2}\n');
  gitc(src, "commit", "-q", "-am", "run 2");
  gitc(src, "push", "-q", bare, "main", "lexum/state");
  const url = server.url(name);
  const remote = { url, auth: tokenAuth(TOKEN) };
  const main = gitc(src, "rev-parse", "main");
  const gitdir = await shallowClone(url, main);
  return { url, bare, remote, gitdir, main, mainParent: gitc(src, "rev-parse", "main~1"), state: gitc(src, "rev-parse", "lexum/state"), stateParent: gitc(src, "rev-parse", "lexum/state~1") };
}

/** A depth-1 clone of `url` at `sha`, made as actions/checkout makes it (init, remote add, fetch --depth=1, detached checkout). */
async function shallowClone(url: string, sha: string): Promise<string> {
  const work = join(scratch, `work-${++n}`);
  gitc(scratch, "init", "-q", work);
  gitc(work, "remote", "add", "origin", url);
  const gitdir = join(work, ".git");
  await fetchRefs(gitdir, { url, auth: tokenAuth(TOKEN) }, [{ src: sha, dst: "refs/remotes/origin/main" }], { depth: 1 });
  gitc(work, "checkout", "-q", "--detach", sha);
  return gitdir;
}

/** Rejects with a LexumError of `code`: returns it after checking it names the remote without credentials. */
async function failsWith(p: Promise<unknown>, code: string, shownUrl: string): Promise<LexumError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LexumError);
  const le = e as LexumError;
  errors.push(le);
  expect(le.code).toBe(code);
  expect(le.message).toContain(shownUrl);
  expect(le.hint ?? "").not.toBe("");
  return le;
}

function bareRef(bare: string, ref: string): string | null {
  try {
    return gitc(bare, "rev-parse", "--verify", "-q", ref);
  } catch {
    return null;
  }
}

function hasObject(gitdir: string, oid: string): boolean {
  try {
    gitc(gitdir, "--git-dir", gitdir, "cat-file", "-e", oid);
    return true;
  } catch {
    return false;
  }
}

const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** A root commit like the apply lock's (an empty tree), written into `gitdir`. */
function lockCommit(gitdir: string, message: string): string {
  expect(execFileSync("git", ["--git-dir", gitdir, "hash-object", "-w", "-t", "tree", "--stdin"], { input: "" }).toString().trim()).toBe(EMPTY_TREE);
  return gitc(gitdir, "--git-dir", gitdir, "commit-tree", EMPTY_TREE, "-m", message);
}

/** A commit on top of `parent` (its tree kept), like the next state snapshot. */
function commitOn(gitdir: string, parent: string, message: string): string {
  return gitc(gitdir, "--git-dir", gitdir, "commit-tree", `${parent}^{tree}`, "-p", parent, "-m", message);
}

/** Paths of files under `dir` whose bytes contain any of `needles`. */
function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const bytes = readFileSync(p);
        if (needles.some((x) => bytes.includes(x))) hits.push(p);
      }
    }
  };
  walk(dir);
  return hits;
}

describe("redactUrl", () => {
  it("strips userinfo and nothing else", () => {
    expect(redactUrl("https://x-access-token:ghs_abc@github.com/octo/infra.git")).toBe("https://github.com/octo/infra.git");
    expect(redactUrl("https://user@host:8443/a/b?x=1")).toBe("https://host:8443/a/b?x=1");
    expect(redactUrl("http://a:b@c@host/x")).toBe("http://host/x");
    expect(redactUrl("git@github.com:octo/infra.git")).toBe("github.com:octo/infra.git");
    expect(redactUrl("https://github.com/octo/infra.git")).toBe("https://github.com/octo/infra.git");
    expect(redactUrl("/srv/git/infra.git")).toBe("/srv/git/infra.git");
  });
});

describe("tokenAuth", () => {
  it("is the header actions/checkout sends", () => {
    expect(tokenAuth("abc").header).toBe(`AUTHORIZATION: basic ${Buffer.from("x-access-token:abc").toString("base64")}`);
  });
});

describe("remoteUrl", () => {
  it("reads origin's URL, and names a missing remote (LXM4130)", async () => {
    expect(await remoteUrl(fx.gitdir)).toBe(fx.url);
    const e = (await remoteUrl(fx.gitdir, "upstream").catch((x: unknown) => x)) as LexumError;
    expect(e).toBeInstanceOf(LexumError);
    expect(e.code).toBe("LXM4130");
    expect(e.message).toContain('"upstream"');
  });
});

describe("the clone", () => {
  it("is shallow (depth 1), as actions/checkout leaves it, and no file of it holds the token", () => {
    expect(existsSync(join(fx.gitdir, "shallow"))).toBe(true);
    expect(hasObject(fx.gitdir, fx.main)).toBe(true);
    expect(hasObject(fx.gitdir, fx.mainParent)).toBe(false);
    const config = readFileSync(join(fx.gitdir, "config"), "utf8");
    expect(config).not.toContain("extraheader");
    expect(filesContaining(fx.gitdir, SECRETS)).toEqual([]);
    // The requests carried the header (the server answers 401 without it).
    const authed = server.requests.filter((r) => r.url.startsWith(new URL(fx.url).pathname));
    expect(authed.length).toBeGreaterThan(0);
    for (const r of authed) expect(r.headers.authorization).toBe(`basic ${B64(TOKEN)}`);
  });
});

describe("lsRemote", () => {
  it("maps exact ref names to ids; absent refs are missing", async () => {
    const refs = await lsRemote(fx.gitdir, fx.remote, ["refs/heads/main", STATE, "refs/heads/nope"]);
    expect(refs).toEqual(
      new Map([
        ["refs/heads/main", fx.main],
        [STATE, fx.state],
      ]),
    );
    expect((await lsRemote(fx.gitdir, fx.remote, [])).size).toBe(0);
  });
});

describe("fetchRefs from a shallow clone", () => {
  it("fetches a ref with its history into a local ref", async () => {
    await fetchRefs(fx.gitdir, fx.remote, [{ src: STATE, dst: STATE }]);
    expect(gitc(fx.gitdir, "--git-dir", fx.gitdir, "rev-parse", STATE)).toBe(fx.state);
    expect(hasObject(fx.gitdir, fx.stateParent)).toBe(true); // the history under the tip came too
    expect(hasObject(fx.gitdir, fx.mainParent)).toBe(false); // main stays shallow
  });

  it("fetches by commit id, with and without a local ref, at a depth", async () => {
    await fetchRefs(fx.gitdir, fx.remote, [{ src: fx.mainParent }], { depth: 1 });
    expect(hasObject(fx.gitdir, fx.mainParent)).toBe(true);
    await fetchRefs(fx.gitdir, fx.remote, [{ src: fx.stateParent, dst: "refs/heads/older" }], { depth: 1 });
    expect(gitc(fx.gitdir, "--git-dir", fx.gitdir, "rev-parse", "refs/heads/older")).toBe(fx.stateParent);
  });

  it("forces the local ref to the remote's value", async () => {
    gitc(fx.gitdir, "--git-dir", fx.gitdir, "update-ref", STATE, fx.main);
    await fetchRefs(fx.gitdir, fx.remote, [{ src: fx.state, dst: STATE }]);
    expect(gitc(fx.gitdir, "--git-dir", fx.gitdir, "rev-parse", STATE)).toBe(fx.state);
  });

  it("a ref or an object the remote lacks → LXM4135", async () => {
    const a = await failsWith(fetchRefs(fx.gitdir, fx.remote, [{ src: "refs/heads/nope", dst: "refs/heads/nope" }]), "LXM4135", fx.url);
    expect(a.message).toContain("refs/heads/nope");
    const b = await failsWith(fetchRefs(fx.gitdir, fx.remote, [{ src: "1".repeat(40) }]), "LXM4135", fx.url);
    expect(b.message).toContain("1".repeat(40));
  });
});

describe("pushRef: compare-and-swap", () => {
  it("creates a ref only if absent (a root lock commit from the shallow clone), idempotently", async () => {
    const lock = lockCommit(fx.gitdir, "lock A");
    expect(await pushRef(fx.gitdir, fx.remote, { oid: lock, ref: LOCK, expect: null })).toEqual({ ok: true });
    expect(bareRef(fx.bare, LOCK)).toBe(lock);
    // A rerun pushing the same commit: the remote already has it.
    expect(await pushRef(fx.gitdir, fx.remote, { oid: lock, ref: LOCK, expect: null })).toEqual({ ok: true });
    // Another lock while one is held: moved, the held one stays.
    const other = lockCommit(fx.gitdir, "lock B");
    const r = await pushRef(fx.gitdir, fx.remote, { oid: other, ref: LOCK, expect: null });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe("moved");
      expect(r.detail).toContain(lock);
    }
    expect(bareRef(fx.bare, LOCK)).toBe(lock);
  });

  it("fast-forwards the state branch from a shallow clone when it still is `expect`", async () => {
    await fetchRefs(fx.gitdir, fx.remote, [{ src: fx.state, dst: STATE }]);
    const next = commitOn(fx.gitdir, fx.state, "run 3");
    expect(await pushRef(fx.gitdir, fx.remote, { oid: next, ref: STATE, expect: fx.state })).toEqual({ ok: true });
    expect(bareRef(fx.bare, STATE)).toBe(next);
    expect(gitc(fx.bare, "rev-parse", `${next}~1`)).toBe(fx.state);
    // Pushed again with the old expectation: the remote already has it → ok.
    expect(await pushRef(fx.gitdir, fx.remote, { oid: next, ref: STATE, expect: fx.state })).toEqual({ ok: true });
  });

  it("moved: another runner pushed in between; the remote keeps the other's commit", async () => {
    const other = await shallowClone(fx.url, fx.main); // a second runner
    await fetchRefs(fx.gitdir, fx.remote, [{ src: STATE, dst: STATE }]);
    await fetchRefs(other, fx.remote, [{ src: STATE, dst: STATE }]);
    const theirs = commitOn(other, fx.state, "their run 3");
    expect(await pushRef(other, fx.remote, { oid: theirs, ref: STATE, expect: fx.state })).toEqual({ ok: true });
    const ours = commitOn(fx.gitdir, fx.state, "our run 3");
    const r = await pushRef(fx.gitdir, fx.remote, { oid: ours, ref: STATE, expect: fx.state });
    expect(r).toEqual({ ok: false, reason: "moved", detail: `${STATE} on ${fx.url} is ${theirs}, not ${fx.state}`, moved: [STATE] });
    expect(bareRef(fx.bare, STATE)).toBe(theirs);
  });

  it("moved: the ref is expected but absent on the remote", async () => {
    const lock = lockCommit(fx.gitdir, "lock");
    const r = await pushRef(fx.gitdir, fx.remote, { oid: lock, ref: LOCK, expect: fx.state });
    expect(r.ok === false && r.reason).toBe("moved");
    expect(bareRef(fx.bare, LOCK)).toBe(null);
  });

  it("refused: a protected branch's hook declines it, with the remote's message", async () => {
    await fetchRefs(fx.gitdir, fx.remote, [{ src: fx.state, dst: STATE }]);
    const next = commitOn(fx.gitdir, fx.state, "run 3");
    server.refusePushes(true);
    try {
      const r = await pushRef(fx.gitdir, fx.remote, { oid: next, ref: STATE, expect: fx.state });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe("refused");
        expect(r.detail).toContain("GH006: Protected branch update failed for refs/heads/lexum/state");
        expect(r.detail).toContain("pre-receive hook declined");
      }
    } finally {
      server.refusePushes(false);
    }
    expect(bareRef(fx.bare, STATE)).toBe(fx.state);
  });

  it("refused: a token that may only read gets 403 on the push, said plainly", async () => {
    const ro = { url: fx.url, auth: tokenAuth(READ_ONLY) };
    expect((await lsRemote(fx.gitdir, ro, [STATE])).get(STATE)).toBe(fx.state); // it may read
    const lock = lockCommit(fx.gitdir, "lock");
    const r = await pushRef(fx.gitdir, ro, { oid: lock, ref: LOCK, expect: null });
    expect(r).toEqual({ ok: false, reason: "refused", detail: "HTTP 403: the credentials may not push: Permission to " + new URL(fx.url).pathname.slice(1) + " denied to github-actions[bot]." });
    expect(bareRef(fx.bare, LOCK)).toBe(null);
  });
});

describe("deleteRemoteRef", () => {
  it("deletes only when the ref is `expect`; ok when it is already gone", async () => {
    const lock = lockCommit(fx.gitdir, "lock");
    expect(await pushRef(fx.gitdir, fx.remote, { oid: lock, ref: LOCK, expect: null })).toEqual({ ok: true });
    const stale = await deleteRemoteRef(fx.gitdir, fx.remote, LOCK, fx.state);
    expect(stale.ok === false && stale.reason).toBe("moved");
    expect(bareRef(fx.bare, LOCK)).toBe(lock);
    expect(await deleteRemoteRef(fx.gitdir, fx.remote, LOCK, lock)).toEqual({ ok: true });
    expect(bareRef(fx.bare, LOCK)).toBe(null);
    expect(await deleteRemoteRef(fx.gitdir, fx.remote, LOCK, lock)).toEqual({ ok: true });
  });

  it("refused when the remote's hook declines the deletion", async () => {
    const lock = lockCommit(fx.gitdir, "lock");
    expect(await pushRef(fx.gitdir, fx.remote, { oid: lock, ref: LOCK, expect: null })).toEqual({ ok: true });
    server.refusePushes(true);
    try {
      const r = await deleteRemoteRef(fx.gitdir, fx.remote, LOCK, lock);
      expect(r.ok === false && r.reason).toBe("refused");
    } finally {
      server.refusePushes(false);
    }
    expect(bareRef(fx.bare, LOCK)).toBe(lock);
  });
});

describe("credentials", () => {
  it("no token → 401 → LXM4132", async () => {
    const e = await failsWith(lsRemote(fx.gitdir, { url: fx.url }, [STATE]), "LXM4132", fx.url);
    expect(e.message).toContain("HTTP 401");
    await failsWith(fetchRefs(fx.gitdir, { url: fx.url }, [{ src: STATE }]), "LXM4132", fx.url);
  });

  it("a wrong token → 401 → LXM4132, without the token in the message", async () => {
    const e = await failsWith(lsRemote(fx.gitdir, { url: fx.url, auth: tokenAuth("ghs_WrongToken0123456789") }, [STATE]), "LXM4132", fx.url);
    expect(e.message).not.toContain("ghs_WrongToken0123456789");
  });

  it("our header wins over a wrong one a checkout persisted in .git/config", async () => {
    const origin = new URL(fx.url).origin;
    gitc(fx.gitdir, "--git-dir", fx.gitdir, "config", `http.${origin}/.extraheader`, tokenAuth("ghs_StalePersisted0123456789").header);
    expect((await lsRemote(fx.gitdir, fx.remote, [STATE])).get(STATE)).toBe(fx.state);
    const last = server.requests[server.requests.length - 1]!;
    expect(last.headers.authorization).toBe(`basic ${B64(TOKEN)}`);
  });

  it("a token in the URL's userinfo travels as a header: never in argv or a request URL, redacted in messages", async () => {
    const u = new URL(fx.url);
    const withToken = `${u.protocol}//x-access-token:${TOKEN}@${u.host}${u.pathname}`;
    expect((await lsRemote(fx.gitdir, { url: withToken }, [STATE])).get(STATE)).toBe(fx.state);
    expect(server.requests[server.requests.length - 1]!.headers.authorization).toBe(`basic ${B64(TOKEN)}`);
    const e = await failsWith(fetchRefs(fx.gitdir, { url: withToken }, [{ src: "refs/heads/nope" }]), "LXM4135", fx.url);
    expect(e.message).not.toContain("x-access-token");
  });
});

describe("remote failures", () => {
  it("a missing repository → LXM4133", async () => {
    const url = server.url("octo/none.git");
    await failsWith(lsRemote(fx.gitdir, { url, auth: tokenAuth(TOKEN) }, [STATE]), "LXM4133", url);
  });

  it("HTTP 500 → LXM4136 with the status and the server's words", async () => {
    server.failNext(500);
    const e = await failsWith(lsRemote(fx.gitdir, fx.remote, [STATE]), "LXM4136", fx.url);
    expect(e.message).toContain("HTTP 500");
    expect(e.message).toContain("injected failure 500");
    // The next request is served again.
    expect((await lsRemote(fx.gitdir, fx.remote, [STATE])).get(STATE)).toBe(fx.state);
  });

  it("HTTP 500 on a push → LXM4136, nothing moved", async () => {
    const lock = lockCommit(fx.gitdir, "lock");
    server.failNext(500);
    await failsWith(pushRef(fx.gitdir, fx.remote, { oid: lock, ref: LOCK, expect: null }), "LXM4136", fx.url);
    expect(bareRef(fx.bare, LOCK)).toBe(null);
  });
});

describe("a remote that hangs or goes away", () => {
  let own: GitHttpServer;
  let f: { url: string; remote: Remote };
  beforeEach(async () => {
    own = await startGitHttpServer({ root: join(scratch, `own-${++n}`), token: TOKEN });
    own.createBareRepo("octo/infra.git");
    f = { url: own.url("octo/infra.git"), remote: { url: own.url("octo/infra.git"), auth: tokenAuth(TOKEN) } };
  });
  afterEach(async () => {
    for (const r of own.requests) for (const secret of SECRETS) expect(r.url).not.toContain(secret);
    await own.close();
  });

  it("no answer past the overall limit → the process group is killed, LXM4134", async () => {
    own.hangNext();
    const e = await failsWith(lsRemote(fx.gitdir, { ...f.remote, timeoutMs: 1500 }, [STATE]), "LXM4134", f.url);
    expect(e.message).toContain("1500 ms");
    expect(own.requests.length).toBe(1);
    // git and its HTTP helper were killed together: no live process of the group is left
    // (a killed child may linger as a zombie until init reaps it).
    const group = spawned[spawned.length - 1]!.pid!;
    let live = liveInGroup(group);
    for (let i = 0; i < 250 && live.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      live = liveInGroup(group);
    }
    expect(live).toEqual([]);
  });

  it("a stalled transfer is cut by curl → LXM4134", async () => {
    own.hangNext();
    const e = await failsWith(lsRemote(fx.gitdir, { ...f.remote, stallSeconds: 1 }, [STATE]), "LXM4134", f.url);
    expect(e.message).toContain("no progress for 1 s");
  });

  it("a stopped server → LXM4131", async () => {
    await own.stop();
    await failsWith(lsRemote(fx.gitdir, f.remote, [STATE]), "LXM4131", f.url);
    await failsWith(fetchRefs(fx.gitdir, f.remote, [{ src: STATE }]), "LXM4131", f.url);
  });

  it("while git talks to the remote, no process of it carries the token in its argv", async () => {
    own.hangNext();
    const pending = lsRemote(fx.gitdir, f.remote, [STATE]).catch((x: unknown) => x);
    while (own.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    const root = spawned[spawned.length - 1]!.pid!;
    const tree = processTree(root);
    const argvs = tree.map((pid) => readFileSync(`/proc/${pid}/cmdline`).toString("utf8").split("\0").join(" "));
    // git itself and the helper that makes the HTTP requests, both seen live.
    expect(argvs.some((a) => a.includes("ls-remote"))).toBe(true);
    expect(argvs.some((a) => a.includes("remote-http") && a.includes(f.url))).toBe(true);
    for (const a of argvs) for (const secret of SECRETS) expect(a).not.toContain(secret);
    // The header is there, in the environment only.
    const environ = readFileSync(`/proc/${root}/environ`).toString("utf8");
    expect(environ).toContain(B64(TOKEN));
    await own.stop(); // the server goes away mid-request
    const e = (await pending) as LexumError;
    errors.push(e);
    expect(e.code).toBe("LXM4131");
  });
});

/** Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, … (null when the process is gone). */
function procStat(pid: string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** Processes of process group `pgid` that are not zombies. */
function liveInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = procStat(name);
    if (f && Number(f[2]) === pgid && f[0] !== "Z") live.push(Number(name));
  }
  return live;
}

/** `root` and its descendants, from /proc/<pid>/stat's parent ids. */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = procStat(name);
    if (f) parent.set(Number(name), Number(f[1]));
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}
