/**
 * Git's smart HTTP protocol served from a folder of bare repositories: a Node HTTP server that
 * runs `git http-backend` as a CGI program per request, as Apache or nginx+fcgiwrap do in
 * front of a git host. It serves loopback only, without authentication: the lxm-sync demo's
 * remote, and the base the tests' remotes build on (test/git/http-backend.ts).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface GitCgiOptions {
  /** The folder the repositories live under (GIT_PROJECT_ROOT). */
  readonly root: string;
  /** HOME for git (an empty folder: no user configuration leaks in). */
  readonly home: string;
  /** REMOTE_USER (push needs one). */
  readonly user?: string;
  /** Extra git configuration for this request (`core.hooksPath`, …), passed in git's environment. */
  readonly config?: Readonly<Record<string, string>>;
}

/** Answers one request with `git http-backend`; returns the CGI process (already wired to `res`). */
export function runGitHttpBackend(req: IncomingMessage, res: ServerResponse, base: string, opts: GitCgiOptions): ChildProcess {
  const url = new URL(req.url ?? "/", base);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: opts.home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_PROJECT_ROOT: opts.root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: "HTTP/1.1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    REMOTE_USER: opts.user ?? "anonymous",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
  };
  if (req.headers["content-type"]) env.CONTENT_TYPE = req.headers["content-type"];
  if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
  // CGI hands every request header over as HTTP_*: git http-backend reads Content-Encoding
  // (git sends gzip bodies) and Git-Protocol (protocol v2) from there.
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === "authorization" || value === undefined) continue;
    env[`HTTP_${name.toUpperCase().replace(/-/g, "_")}`] = Array.isArray(value) ? value.join(", ") : value;
  }
  const config = Object.entries(opts.config ?? {});
  if (config.length) {
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });
  }
  const cgi = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  const errs: Buffer[] = [];
  cgi.stderr.on("data", (c: Buffer) => errs.push(c));
  cgi.stdin.on("error", () => undefined);
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headDone = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (headDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (end === null) return;
    headDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString("latin1"));
    res.writeHead(status, headers);
    const rest = head.subarray(end.at + end.length);
    if (rest.length) res.write(rest);
  });
  cgi.on("error", (e) => {
    if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
    res.end(`git http-backend: ${e.message}\n`);
  });
  cgi.on("close", (code) => {
    if (!headDone) {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`git http-backend exited ${code}: ${Buffer.concat(errs).toString("utf8")}\n`);
      return;
    }
    res.end();
  });
  return cgi;
}

export interface GitHttpBackendServer {
  /** The clone URL of repository `name` (a path under the root, e.g. "infra.git"). */
  url(name: string): string;
  close(): Promise<void>;
}

/** Serves `root`'s repositories over smart HTTP on 127.0.0.1 (a free port), fetch and push, no authentication. */
export async function startGitHttpBackend(opts: { readonly root: string; readonly home: string }): Promise<GitHttpBackendServer> {
  const sockets = new Set<Socket>();
  const children = new Set<ChildProcess>();
  let base = "";
  const server = createServer((req, res) => {
    const cgi = runGitHttpBackend(req, res, base, { root: opts.root, home: opts.home, user: "lexum" });
    children.add(cgi);
    cgi.on("close", () => children.delete(cgi));
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
  base = `http://127.0.0.1:${address.port}`;
  return {
    url: (name) => `${base}/${name}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      for (const c of children) c.kill("SIGKILL");
      await closed;
    },
  };
}

function headerEnd(buf: Buffer): { at: number; length: number } | null {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return null;
}

/** CGI response headers: `Status: 404 Not Found` sets the status (200 without it), the rest pass through. */
function parseCgiHeaders(text: string): { status: number; headers: Record<string, string | string[]> } {
  let status = 200;
  const headers: Record<string, string | string[]> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") {
      status = Number(value.split(" ")[0]) || 500;
      continue;
    }
    const prior = headers[name];
    headers[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return { status, headers };
}
