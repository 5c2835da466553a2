import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LexumError } from "../../src/diag/diagnostic.js";
import { listRemoteRefs } from "../../src/git/ls-refs.js";
import { lsRemote, tokenAuth } from "../../src/git/remote.js";
import type { Remote } from "../../src/git/remote.js";
import { gitc } from "./helpers.js";
import { startGitHttpServer } from "./http-backend.js";
import type { GitHttpServer } from "./http-backend.js";

const TOKEN = "ghs_LsRefsTestToken0123456789abcdefXYZ";
const B64 = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
const SECRETS = [TOKEN, B64];

const MAIN = "refs/heads/main";
const MAIN2 = "refs/heads/main2";
const STATE = "refs/heads/lexum/state";
const TAG = "refs/tags/v1";

let scratch: string;
let server: GitHttpServer;
let bare: string;
let url: string;
let remote: Remote;
/** A clone for the git CLI's `ls-remote`, the reference the answers are compared with. */
let cliGitdir: string;
const oids: Record<string, string> = {};
const errors: LexumError[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "lexum-ls-refs-"));
  server = await startGitHttpServer({ root: join(scratch, "srv"), token: TOKEN });
  bare = server.createBareRepo("octo/infra.git");
  const src = join(scratch, "src");
  gitc(scratch, "init", "-q", "-b", "main", src);
  writeFileSync(join(src, "main.lxm"), "one\n");
  gitc(src, "add", "-A");
  gitc(src, "commit", "-q", "-m", "one");
  gitc(src, "tag", "-a", "-m", "v1", "v1");
  writeFileSync(join(src, "main.lxm"), "two\n");
  gitc(src, "commit", "-q", "-am", "two");
  gitc(src, "branch", "main2", "main~1"); // a prefix sibling of main
  gitc(src, "checkout", "-q", "--orphan", "lexum/state");
  writeFileSync(join(src, "snapshot.json"), "{}\n");
  gitc(src, "add", "-A");
  gitc(src, "commit", "-q", "-m", "run 1");
  // Branches the poll does not ask for: none of them is listed.
  for (let i = 0; i < 20; i++) gitc(src, "branch", `feature/f${i}`, "main");
  gitc(src, "push", "-q", bare, "--all");
  gitc(src, "push", "-q", bare, "--tags");
  for (const r of [MAIN, MAIN2, STATE, TAG]) oids[r] = gitc(bare, "rev-parse", r);
  url = server.url("octo/infra.git");
  remote = { url, auth: tokenAuth(TOKEN) };
  cliGitdir = join(scratch, "cli");
  gitc(scratch, "init", "-q", "--bare", cliGitdir);
});

afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

afterEach(() => {
  // The credential is never in a request line or an error.
  for (const r of server.requests) for (const s of SECRETS) expect(r.url).not.toContain(s);
  for (const e of errors) for (const s of SECRETS) expect(`${e.message} ${e.hint ?? ""}`).not.toContain(s);
  errors.length = 0;
});

/** The requests `fn` made to `srv`. */
async function counting<T>(srv: GitHttpServer, fn: () => Promise<T>): Promise<{ value: T; requests: GitHttpServer["requests"] }> {
  const before = srv.requests.length;
  const value = await fn();
  return { value, requests: srv.requests.slice(before) };
}

/** Rejects with a LexumError of `code` naming `shown` with a hint. */
async function failsWith(p: Promise<unknown>, code: string, shown: string): Promise<LexumError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LexumError);
  const le = e as LexumError;
  errors.push(le);
  expect(le.code).toBe(code);
  expect(le.message).toContain(shown);
  expect(le.hint ?? "").not.toBe("");
  return le;
}

/** Every file under `dir` with its size and mtime: what a write would change. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${p} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

/**
 * A recording proxy in front of the remote: each request's method, path and body, so a test
 * can see what was asked (an `ls-refs` command with its prefixes, never a `fetch`).
 */
async function recordingProxy(target: string): Promise<{ url: (name: string) => string; seen: { method: string; url: string; body: string }[]; close: () => Promise<void> }> {
  const seen: { method: string; url: string; body: string }[] = [];
  const to = new URL(target);
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? "", url: req.url ?? "", body: body.toString("utf8") });
      const out = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  const port = (proxy.address() as { port: number }).port;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        proxy.closeAllConnections();
        proxy.close(() => r());
      }),
  };
}

describe("listRemoteRefs over smart HTTP", () => {
  it("one ref: its exact value (not its prefix sibling main2) in 2 HTTP requests, ls-refs only, as git ls-remote sees it", async () => {
    const { value, requests } = await counting(server, () => listRemoteRefs(remote, [MAIN]));
    expect([...value]).toEqual([[MAIN, oids[MAIN]]]);
    expect(value.get(MAIN)).toBe(await lsRemote(cliGitdir, remote, [MAIN]).then((m) => m.get(MAIN)));
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /octo/infra.git/info/refs?service=git-upload-pack", "POST /octo/infra.git/git-upload-pack"]);
    for (const r of requests) {
      expect(r.headers["git-protocol"]).toBe("version=2");
      expect(r.headers.authorization).toBe(`basic ${B64}`);
    }
  });

  it("three refs and an absent one in one exchange: 2 requests, one ref-prefix each, no fetch, values equal to git ls-remote's", async () => {
    const proxy = await recordingProxy(url);
    try {
      const asked = [MAIN, STATE, TAG, "refs/heads/absent"];
      const via = { ...remote, url: proxy.url("octo/infra.git") };
      const { value, requests } = await counting(server, () => listRemoteRefs(via, asked));
      expect(Object.fromEntries(value)).toEqual({ [MAIN]: oids[MAIN], [STATE]: oids[STATE], [TAG]: oids[TAG] });
      expect(Object.fromEntries(value)).toEqual(Object.fromEntries(await lsRemote(cliGitdir, remote, asked)));
      expect(requests).toHaveLength(2);
      expect(proxy.seen).toHaveLength(2);
      const post = proxy.seen[1]!;
      expect(post.method).toBe("POST");
      expect(post.body).toContain("command=ls-refs");
      expect(post.body).not.toContain("command=fetch");
      expect(post.body.match(/ref-prefix [^\n]*\n/g)).toEqual(asked.map((r) => `ref-prefix ${r}\n`));
    } finally {
      await proxy.close();
    }
  });

  it("the remote's repository is left as it was (nothing written), and the same refs asked twice are asked once", async () => {
    const before = listing(bare);
    const { value, requests } = await counting(server, () => listRemoteRefs(remote, [STATE, STATE, MAIN2]));
    expect(Object.fromEntries(value)).toEqual({ [STATE]: oids[STATE], [MAIN2]: oids[MAIN2] });
    expect(requests).toHaveLength(2);
    expect(listing(bare)).toEqual(before);
  });

  it("a URL's userinfo travels as the Authorization header, never in a request line", async () => {
    const withUser = url.replace("http://", `http://x-access-token:${TOKEN}@`);
    const { value, requests } = await counting(server, () => listRemoteRefs({ url: withUser }, [MAIN]));
    expect(value.get(MAIN)).toBe(oids[MAIN]);
    expect(requests).toHaveLength(2);
    for (const r of requests) expect(r.headers.authorization).toBe(`basic ${B64}`);
  });

  it("no refs asked → no request", async () => {
    const { value, requests } = await counting(server, () => listRemoteRefs(remote, []));
    expect(value.size).toBe(0);
    expect(requests).toHaveLength(0);
  });

  it("a name that is not a full ref → LXM4137 before any request", async () => {
    const { requests } = await counting(server, () => failsWith(listRemoteRefs(remote, ["main"]), "LXM4137", url));
    expect(requests).toHaveLength(0);
  });

  it("no token → 401, LXM4132; a wrong token → LXM4132 without the token in the message", async () => {
    const e = await failsWith(listRemoteRefs({ url }, [MAIN]), "LXM4132", url);
    expect(e.message).toContain("HTTP 401");
    const wrong = "ghs_WrongToken0123456789abcdefXYZ";
    const w = await failsWith(listRemoteRefs({ url, auth: tokenAuth(wrong) }, [MAIN]), "LXM4132", url);
    expect(w.message).not.toContain(wrong);
    expect(w.message).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString("base64"));
  });

  it("no repository at the URL → LXM4133", async () => {
    const missing = server.url("octo/nope.git");
    await failsWith(listRemoteRefs({ url: missing, auth: tokenAuth(TOKEN) }, [MAIN]), "LXM4133", missing);
  });

  it("an HTTP 500 → LXM4136 quoting the status", async () => {
    server.failNext(500);
    const e = await failsWith(listRemoteRefs(remote, [MAIN]), "LXM4136", url);
    expect(e.message).toContain("HTTP 500");
  });

  it("a 500 on the ls-refs command itself (after the advertisement) → LXM4136", async () => {
    // The advertisement is answered, the command fails.
    const proxy = await recordingProxy(url);
    try {
      const via = { ...remote, url: proxy.url("octo/infra.git") };
      const first = server.requests.length;
      const p = listRemoteRefs(via, [MAIN]);
      // The second request is the one that fails: queue it once the first has arrived.
      while (server.requests.length === first) await new Promise((r) => setTimeout(r, 5));
      server.failNext(500);
      const e = await failsWith(p, "LXM4136", via.url);
      expect(e.message).toContain("HTTP 500");
      expect(proxy.seen.map((s) => s.method)).toEqual(["GET", "POST"]);
    } finally {
      await proxy.close();
    }
  });

  it("no answer within timeoutMs → the request is aborted, LXM4134", async () => {
    server.hangNext();
    const e = await failsWith(listRemoteRefs({ ...remote, timeoutMs: 300 }, [MAIN]), "LXM4134", url);
    expect(e.message).toContain("300 ms");
    // The next poll works as before.
    expect((await listRemoteRefs(remote, [MAIN])).get(MAIN)).toBe(oids[MAIN]);
  });
});

describe("listRemoteRefs when the server is gone", () => {
  it("a server that never answers: past timeoutMs the connection is closed by us (aborted, not left open), LXM4134", async () => {
    let closed!: () => void;
    const socketClosed = new Promise<void>((r) => (closed = r));
    const silent = createServer((req) => {
      req.resume();
      req.socket.on("close", () => closed());
    });
    // None of the server's own timers may close the connection: only an abort by the client does.
    silent.keepAliveTimeout = 0;
    silent.headersTimeout = 0;
    silent.requestTimeout = 0;
    silent.timeout = 0;
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    try {
      const at = `http://127.0.0.1:${(silent.address() as { port: number }).port}/x.git`;
      await failsWith(listRemoteRefs({ url: at, timeoutMs: 200 }, [MAIN]), "LXM4134", at);
      await socketClosed; // left open, it would close only when Node's agent drops it after 5 s idle: past this test's limit
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 3000);

  it("a stopped server → LXM4131", async () => {
    const own = await startGitHttpServer({ root: join(scratch, "own") });
    own.createBareRepo("a.git");
    const gone = own.url("a.git");
    await own.close();
    await failsWith(listRemoteRefs({ url: gone }, [MAIN]), "LXM4131", gone);
  });
});

describe("listRemoteRefs of a local path", () => {
  it("a bare repository's path or file:// URL answers through git ls-remote, exact names only", async () => {
    const before = listing(bare);
    const asked = [MAIN, STATE, "refs/heads/absent"];
    const want = { [MAIN]: oids[MAIN], [STATE]: oids[STATE] };
    expect(Object.fromEntries(await listRemoteRefs({ url: bare }, asked))).toEqual(want);
    expect(Object.fromEntries(await listRemoteRefs({ url: pathToFileURL(bare).href }, asked))).toEqual(want);
    expect(Object.fromEntries(await listRemoteRefs({ url: bare }, asked, { gitdir: cliGitdir }))).toEqual(want);
    expect(listing(bare)).toEqual(before);
  });

  it("an ssh URL without a gitdir → LXM4137", async () => {
    await failsWith(listRemoteRefs({ url: "git@example.com:octo/infra.git" }, [MAIN]), "LXM4137", "example.com:octo/infra.git");
  });
});
