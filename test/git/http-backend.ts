/**
 * A real git remote over smart HTTP for tests: a Node HTTP server on 127.0.0.1 that runs
 * `git http-backend` as a CGI program for every request, as Apache or nginx+fcgiwrap do in
 * front of a git host. Authentication follows GitHub's rules for tokens over HTTPS: basic
 * auth whose password is the token (any user name), 401 with `WWW-Authenticate` without it,
 * 403 on a push with a token that may only read. Failures can be injected (an HTTP status,
 * a request that never answers, a protected-branch refusal, the server going away), and
 * every request is recorded with its headers so tests can check where credentials travel.
 */
import { execFileSync } from "node:child_process";
import { runGitHttpBackend } from "../../src/git/http-backend.js";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface GitHttpServer {
  /** The clone URL of repository `name` (a path under the root, e.g. "octo/infra.git"). */
  url(name: string): string;
  /** Every request received, in order (those answered with an injected failure too). */
  readonly requests: RecordedRequest[];
  /** Creates an empty bare repository `name` under the root (default branch main); returns its path. */
  createBareRepo(name: string): string;
  /** While on, every push is declined by a pre-receive hook, as GitHub declines a protected branch. */
  refusePushes(on: boolean): void;
  /** The next `times` (default 1) requests are answered with HTTP `status` and no git. */
  failNext(status: number, times?: number): void;
  /** The next request is never answered (until the server stops). */
  hangNext(): void;
  /** The server disappears: the port stops listening and open connections are cut. */
  stop(): Promise<void>;
  /** Stops the server and removes its scratch files; safe after stop(). */
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  /** The folder the repositories live under (GIT_PROJECT_ROOT). */
  readonly root: string;
  /** When set, every request must carry it as the basic-auth password. */
  readonly token?: string;
  /** A token that may fetch but gets 403 on a push. */
  readonly readOnlyToken?: string;
}

const PRE_RECEIVE = `#!/bin/sh
while read old new ref; do
  echo "error: GH006: Protected branch update failed for $ref." >&2
  echo "error: Changes must be made through a pull request." >&2
done
exit 1
`;

export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  const scratch = mkdtempSync(join(tmpdir(), "lexum-git-http-"));
  const hooks = join(scratch, "refusing-hooks");
  mkdirSync(hooks);
  writeFileSync(join(hooks, "pre-receive"), PRE_RECEIVE);
  chmodSync(join(hooks, "pre-receive"), 0o755);
  const home = join(scratch, "home");
  mkdirSync(home);

  const requests: RecordedRequest[] = [];
  const failures: number[] = [];
  let hangs = 0;
  let refusing = false;
  const sockets = new Set<Socket>();
  const children = new Set<ChildProcess>();

  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: { ...req.headers } });
    if (hangs > 0) {
      hangs--;
      req.resume(); // read the body, never answer
      return;
    }
    const failure = failures.shift();
    if (failure !== undefined) {
      req.resume();
      res.writeHead(failure, { "Content-Type": "text/plain" }).end(`injected failure ${failure}\n`);
      return;
    }
    handle(req, res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("git http server: no port");
  const base = `http://127.0.0.1:${address.port}`;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", base);
    const pushing = url.pathname.endsWith("/git-receive-pack") || url.searchParams.get("service") === "git-receive-pack";
    let user = "anonymous";
    if (opts.token !== undefined) {
      const password = basicPassword(req.headers.authorization);
      if (password === null || (password.password !== opts.token && password.password !== opts.readOnlyToken)) {
        req.resume();
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="GitHub"', "Content-Type": "text/plain" }).end("Authentication required\n");
        return;
      }
      if (pushing && password.password === opts.readOnlyToken) {
        req.resume();
        const repo = url.pathname.replace(/^\//, "").replace(/\/(info\/refs|git-receive-pack)$/, "");
        res.writeHead(403, { "Content-Type": "text/plain" }).end(`Permission to ${repo} denied to github-actions[bot].\n`);
        return;
      }
      user = password.user || "x-access-token";
    }
    const cgi = runGitHttpBackend(req, res, base, { root: opts.root, home, user, ...(refusing ? { config: { "core.hooksPath": hooks } } : {}) });
    children.add(cgi);
    cgi.on("close", () => children.delete(cgi));
  }

  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const s of sockets) s.destroy();
    await closed;
  }

  return {
    url: (name) => `${base}/${name}`,
    requests,
    createBareRepo(name) {
      const dir = join(opts.root, name);
      mkdirSync(dir, { recursive: true });
      execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: home }, stdio: "pipe" });
      return dir;
    },
    refusePushes(on) {
      refusing = on;
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    hangNext() {
      hangs++;
    },
    stop,
    async close() {
      await stop();
      for (const c of children) c.kill("SIGKILL");
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** The user and password of a basic Authorization header (scheme case-insensitive, as curl and git send it); null otherwise. */
function basicPassword(header: string | undefined): { user: string; password: string } | null {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m) return null;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
