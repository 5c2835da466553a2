import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The servers the http provider's tests talk to, all on 127.0.0.1, started and stopped by the tests. */

const root = resolve(import.meta.dirname, "../../..");

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One raw request, as a user with curl would make it (no provider code involved). */
export function raw(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, headers: payload === undefined ? headers : { ...headers, "content-type": "application/json" } }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", rej);
    req.end(payload);
  });
}

export interface JsonServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly dir: string;
  /** The whole database as json-server holds it (GET /db: its file is written asynchronously). */
  db(): Promise<Record<string, unknown[]>>;
  stop(): Promise<void>;
}

/**
 * json-server 0.17.4 (the devDependency) on a free port over `db`, with one middleware of
 * ours that stamps `createdAt` on every POST (a field the server computes) and, given
 * `token`, refuses requests without `Authorization: Bearer <token>` (GET /db excepted: the
 * tests' own view). Resolves once it answers.
 */
export async function startJsonServer(db: Record<string, unknown[]>, token?: string): Promise<JsonServer> {
  const dir = mkdtempSync(join(tmpdir(), "lexum-json-server-"));
  writeFileSync(join(dir, "db.json"), JSON.stringify(db));
  const port = await freePort();
  const bin = join(root, "node_modules/.bin/json-server");
  const middleware = join(import.meta.dirname, "middleware.cjs");
  const child: ChildProcess = spawn(bin, ["db.json", "--middlewares", middleware, "--host", "127.0.0.1", "--port", String(port), "--quiet"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...(token !== undefined ? { LXM_TEST_REQUIRE_AUTH: token } : {}) },
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`json-server exited ${child.exitCode}: ${stderr}`);
    const up = await raw(`${url}/db`, "GET").then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`json-server did not answer on ${url}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    dir,
    db: async () => JSON.parse((await raw(`${url}/db`, "GET")).body) as Record<string, unknown[]>,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A request the fault server received. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** What the fault server does with one request: answer it, or never answer (until the client gives up). */
export type Reply = { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string } | "hang";

export interface FaultServer {
  readonly url: string;
  readonly received: Received[];
  /** Replies to the next requests, in order; once used up, `fallback` answers. */
  queue(...replies: Reply[]): void;
  close(): Promise<void>;
}

/**
 * A small HTTP server of the tests' own that answers from a script: statuses with headers
 * and bodies, or a hang. Every request is recorded. `tls` serves https with that key/cert.
 */
export async function startFaultServer(fallback: (r: Received) => Reply, tls?: { key: string; cert: string }): Promise<FaultServer> {
  const received: Received[] = [];
  const script: Reply[] = [];
  const hanging: ServerResponse[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(r);
      const reply = script.shift() ?? fallback(r);
      if (reply === "hang") {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body ?? "");
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    received,
    queue: (...replies) => void script.push(...replies),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl CLI in `dir`. */
export function makeCertificates(dir: string): { caFile: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Lexum test CA");
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
  return { caFile: join(dir, "ca.pem"), key: readFileSync(join(dir, "server.key"), "utf8"), cert: readFileSync(join(dir, "server.pem"), "utf8") };
}
