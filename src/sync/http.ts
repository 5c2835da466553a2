import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LexumError } from "../diag/diagnostic.js";
import * as sync from "../diag/catalog/sync.js";
import { redactUrl } from "../git/remote.js";
import type { SyncRepository } from "./config.js";
import type { Logger, LogLevel } from "./log.js";
import type { Metrics } from "./metrics.js";
import type { AgentHandle, PollMatch, RepoStatus } from "./types.js";
import { DELIVERY_HEADER, EVENT_HEADER, parseDelivery, SIGNATURE_HEADER, verifySignature } from "./webhook.js";

/**
 * The lxm-sync agent's HTTP server on its listen address: probes (`/healthz`, `/readyz`),
 * Prometheus metrics (`/metrics`), every repository's status (`/status`), and the two
 * webhooks that trigger an immediate poll (`/hooks/github`, signed; `/hooks/poll`, plain).
 * Polling at each repository's interval goes on regardless: a webhook only brings a poll
 * forward. Nothing secret is ever logged or answered: not a signature, a body, or a URL's
 * user name and password.
 */

/**
 * The most a `/hooks/github` body may hold. GitHub caps payloads at 25 MB, but the body is
 * read before its signature can be checked, so anyone who can reach the port could make the
 * agent hold that much per connection; a push payload lists at most 20 commits and is far
 * smaller. A larger one is answered 413 and its commit is picked up by the next poll.
 */
export const GITHUB_BODY_LIMIT = 4 * 1024 * 1024;
/** The most a `/hooks/poll` body may hold: `{"url": …, "branch": …}` needs a few hundred bytes. */
export const POLL_BODY_LIMIT = 64 * 1024;
/** How long a client may take to send its request headers, and its whole request (slow clients hold a connection). */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long an idle keep-alive connection stays open. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Open connections at most (scrapers, probes and webhooks need a handful). */
export const MAX_CONNECTIONS = 128;
/** After close(), how long a request in flight may take to finish before its connection is cut. */
export const CLOSE_GRACE_MS = 1_000;

export interface HttpServerOptions {
  readonly host: string;
  /** 0 picks a free port (the returned `port` says which). */
  readonly port: number;
  readonly agent: AgentHandle;
  readonly metrics: Metrics;
  /** The configuration's repositories, in its order: `agent.status()` lists them in the same order. */
  readonly repositories: readonly SyncRepository[];
  /** Milliseconds since the epoch (wall clock; tests inject theirs). */
  readonly now: () => number;
  readonly log: Logger;
  /** Body limits in bytes (default GITHUB_BODY_LIMIT and POLL_BODY_LIMIT). */
  readonly bodyLimits?: { readonly github?: number; readonly poll?: number };
}

export interface HttpServer {
  /** The address bound (`127.0.0.1`, `::1`, …) and its port. */
  readonly host: string;
  readonly port: number;
  /** Stops listening, closes idle keep-alive connections at once and the others once their request is answered (at most CLOSE_GRACE_MS later). Safe to call twice. */
  close(): Promise<void>;
}

/** A repository that has not been polled recently enough for `/readyz`. */
export interface Laggard {
  readonly repo: string;
  /** ISO 8601 of its last poll, or null before the first. */
  readonly lastPoll: string | null;
  /** How old the last poll may be: twice the repository's interval, in seconds. */
  readonly limitSeconds: number;
}

/**
 * `/readyz`'s judgement at `nowMs`: every repository (`statuses[i]` is `repositories[i]`)
 * has a `lastPoll` no older than twice its interval. A repository never polled, or whose
 * status is missing, lags. A repository whose lease another replica holds is not this
 * replica's to poll: it is not judged. Deterministic.
 */
export function readiness(repositories: readonly SyncRepository[], statuses: readonly RepoStatus[], nowMs: number): { ready: boolean; laggards: Laggard[] } {
  const laggards: Laggard[] = [];
  repositories.forEach((r, i) => {
    const s = statuses[i];
    if (s?.lease && !s.lease.held) return;
    const limitMs = 2 * r.intervalMs;
    const polled = s?.lastPoll == null ? NaN : Date.parse(s.lastPoll);
    if (Number.isNaN(polled) || nowMs - polled > limitMs) laggards.push({ repo: s?.repo ?? r.url, lastPoll: s?.lastPoll ?? null, limitSeconds: limitMs / 1000 });
  });
  return { ready: laggards.length === 0, laggards };
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<Outcome>;
/** What a request came to, for its log line (undefined: not worth a line). */
type Outcome = { readonly status: number; readonly fields?: Record<string, unknown> } | undefined;

/**
 * Starts the server on `host:port`; resolves once listening. Rejects with LXM7020 when the
 * address cannot be bound. See the module comment and docs for each route's answers.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const { agent, metrics, repositories, now, log } = opts;
  const limits = { github: opts.bodyLimits?.github ?? GITHUB_BODY_LIMIT, poll: opts.bodyLimits?.poll ?? POLL_BODY_LIMIT };
  // Distinct, in the configuration's order: a request is checked against each once.
  const secrets = [...new Set(repositories.flatMap((r) => (r.webhookSecret === null ? [] : [r.webhookSecret])))];
  let closing = false;
  // Responses not yet finished: told to close their connection when the server closes.
  const inFlight = new Set<ServerResponse>();

  const probe = (handler: (res: ServerResponse) => Promise<number> | number): Handler => async (_req, res) => {
    const status = await handler(res);
    // Probes and scrapes come every few seconds: only an unexpected answer is worth a line.
    return status >= 500 && status !== 503 ? { status } : undefined;
  };

  const routes: Record<string, { readonly methods: readonly string[]; readonly handle: Handler }> = {
    "/healthz": {
      methods: ["GET", "HEAD"],
      handle: probe((res) => (agent.alive() ? send(res, 200, "ok", TEXT) : send(res, 503, "the agent's loop has stopped", TEXT))),
    },
    "/readyz": {
      methods: ["GET", "HEAD"],
      handle: probe((res) => {
        const { ready, laggards } = readiness(repositories, agent.status(), now());
        return ready ? sendJson(res, 200, { ready: true }) : sendJson(res, 503, { ready: false, laggards });
      }),
    },
    "/metrics": {
      methods: ["GET", "HEAD"],
      handle: probe(async (res) => send(res, 200, await metrics.text(), metrics.contentType)),
    },
    "/status": {
      methods: ["GET", "HEAD"],
      handle: probe((res) => {
        const replica = agent.replica?.() ?? null;
        return sendJson(res, 200, { repositories: agent.status(), ...(replica ? { replica } : {}) });
      }),
    },
    "/hooks/github": { methods: ["POST"], handle: (req, res) => github(req, res) },
    "/hooks/poll": { methods: ["POST"], handle: (req, res, url) => poll(req, res, url) },
  };

  /** POST /hooks/github: 404 disabled, 413, 401, 400, 200 ping, 202 push or ignored event. */
  const github = async (req: IncomingMessage, res: ServerResponse): Promise<Outcome> => {
    const delivery = headerText(req.headers[DELIVERY_HEADER]);
    const githubEvent = headerText(req.headers[EVENT_HEADER]);
    const base = { delivery, githubEvent };
    if (secrets.length === 0) return refuse(res, 404, sync.webhooksDisabled.error(), base);
    const read = await readBody(req, res, limits.github);
    if (read.kind === "aborted") return undefined;
    if (read.kind === "too-large") return refuse(res, 413, sync.bodyTooLarge.error(bytesText(limits.github)), base);
    const body = read.bytes;
    const signature = verifySignature(body, req.headers[SIGNATURE_HEADER], secrets);
    if (!signature.ok) {
      res.setHeader("WWW-Authenticate", 'X-Hub-Signature-256 realm="lxm-sync"');
      return refuse(res, 401, sync.webhookSignature.error(signature.problem), base);
    }
    const d = parseDelivery(req.headers[EVENT_HEADER], req.headers["content-type"], body);
    switch (d.kind) {
      case "invalid":
        return refuse(res, 400, sync.webhookPayload.error(d.problem), base);
      case "ping":
        sendJson(res, 200, { ok: true, event: "ping" });
        return { status: 200, fields: { ...base, hookId: d.hookId } };
      case "ignored":
        sendJson(res, 202, { matched: [], ignored: `the ${d.event} event does not trigger polls` });
        return { status: 202, fields: base };
      case "push": {
        const statuses = agent.status();
        // Only the entries configured with the secret that signed the request.
        const entries = repositories.flatMap((r, i) => (r.webhookSecret === signature.secret && statuses[i] ? [statuses[i].repo] : []));
        const matched = agent.trigger({ ...d.match, entries });
        const answer = matched.length > 0 ? { matched } : { matched, ignored: `no watched repository signed with this secret matches ${d.match.ref}` };
        sendJson(res, 202, answer);
        return { status: 202, fields: { ...base, ...(matched.length === 1 ? { repo: matched[0] } : {}), goal: d.after, ref: d.match.ref, matched } };
      }
    }
  };

  /** POST /hooks/poll: 413, 400, 404 nothing matches, 202 with the entries matched. */
  const poll = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<Outcome> => {
    const read = await readBody(req, res, limits.poll);
    if (read.kind === "aborted") return undefined;
    if (read.kind === "too-large") return refuse(res, 413, sync.bodyTooLarge.error(bytesText(limits.poll)));
    const request = pollRequest(url.searchParams, read.bytes);
    if (typeof request === "string") return refuse(res, 400, sync.pollRequestInvalid.error(request));
    const match: PollMatch = { urls: [request.url], ref: request.branch === null ? null : `refs/heads/${request.branch}` };
    const shown = { url: redactUrl(request.url), branch: request.branch };
    const matched = agent.trigger(match);
    if (matched.length === 0) return refuse(res, 404, sync.noMatchingRepository.error(`${shown.url}${request.branch === null ? "" : ` (branch ${request.branch})`}`), shown);
    sendJson(res, 202, { matched });
    return { status: 202, fields: { ...shown, ...(matched.length === 1 ? { repo: matched[0] } : {}), matched } };
  };

  const server = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, connectionsCheckingInterval: 1_000 }, (req, res) => {
    if (closing) res.setHeader("Connection", "close");
    inFlight.add(res);
    res.on("close", () => inFlight.delete(res));
    const method = req.method ?? "GET";
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://lxm-sync.invalid");
    } catch {
      sendJson(res, 400, { error: { message: "the request target is not a path" } });
      return;
    }
    const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname]! : undefined;
    const logged = (o: Outcome): void => {
      if (o === undefined) return;
      const level: LogLevel = o.status >= 500 ? "error" : o.status >= 400 ? "warn" : "info";
      const event = url.pathname === "/hooks/github" ? "webhook" : url.pathname === "/hooks/poll" ? "poll-request" : "http-request";
      log(level, event, { ...o.fields, method, path: url.pathname, status: o.status, remote: req.socket.remoteAddress ?? null });
    };
    if (!route) {
      sendJson(res, 404, { error: { message: `no such path; the paths are ${Object.keys(routes).join(", ")}` } });
      return logged({ status: 404 });
    }
    if (!route.methods.includes(method)) {
      res.setHeader("Allow", route.methods.join(", "));
      sendJson(res, 405, { error: { message: `${url.pathname} answers ${route.methods.join(" and ")}` } });
      return logged({ status: 405 });
    }
    route.handle(req, res, url).then(logged, (e: unknown) => {
      // A bug or a failing agent: the message may be anything, so the client is told nothing of it.
      if (!res.headersSent) sendJson(res, 500, { error: { message: "internal error; see the agent's log" } });
      else res.destroy();
      logged({ status: 500, fields: { error: e } });
    });
  });
  server.maxConnections = MAX_CONNECTIONS;

  const bound = await listen(server, opts.host, opts.port);
  let closed: Promise<void> | null = null;
  return {
    host: bound.address,
    port: bound.port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}

const TEXT = "text/plain; charset=utf-8";

/** Sends `body` with its length and no caching; returns the status (HEAD gets the headers only: Node.js drops the body). */
function send(res: ServerResponse, status: number, body: string, contentType: string): number {
  const bytes = Buffer.from(body, "utf8");
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": bytes.length, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.end(bytes);
  return status;
}

function sendJson(res: ServerResponse, status: number, value: unknown): number {
  return send(res, status, `${JSON.stringify(value, null, 2)}\n`, "application/json; charset=utf-8");
}

/** Answers with a catalog error as `{ error: { code, message, hint } }`; the outcome logs its code. */
function refuse(res: ServerResponse, status: number, e: LexumError, fields: Record<string, unknown> = {}): Outcome {
  sendJson(res, status, { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
  return { status, fields: { ...fields, code: e.code, reason: e.message } };
}

/** What reading a request's body came to. */
type Body = { readonly kind: "read"; readonly bytes: Buffer } | { readonly kind: "too-large" } | { readonly kind: "aborted" };

/**
 * Reads the request's body up to `limit` bytes. Past it, the connection is marked to close,
 * so the rest is never read (a declared Content-Length is judged before any byte is). A
 * client that goes away mid-body is `aborted`: there is no one to answer.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Body> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    res.setHeader("Connection", "close");
    return Promise.resolve({ kind: "too-large" });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Body): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onAbort);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        res.setHeader("Connection", "close");
        done({ kind: "too-large" });
      }
    };
    const onEnd = (): void => done({ kind: "read", bytes: Buffer.concat(chunks) });
    const onAbort = (): void => done({ kind: "aborted" });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onAbort);
  });
}

/** A header's value when given once (a repeated header is no value). */
function headerText(v: string | string[] | undefined): string | null {
  return typeof v === "string" ? v : null;
}

/** `/hooks/poll`'s request: from the JSON body or the query (not both), or what is wrong with it. */
function pollRequest(query: URLSearchParams, body: Buffer): { url: string; branch: string | null } | string {
  const text = body.toString("utf8");
  const fromQuery = query.has("url") || query.has("branch");
  let url: unknown;
  let branch: unknown;
  if (text.trim() !== "") {
    if (fromQuery) return "names the repository both in its body and in its query";
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return "has a body that is not JSON";
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return "has a body that is not a JSON object";
    const extra = Object.keys(value).filter((k) => k !== "url" && k !== "branch");
    if (extra.length > 0) return `has unknown keys ${extra.map((k) => JSON.stringify(k)).join(", ")} (only url and branch)`;
    ({ url, branch } = value as Record<string, unknown>);
  } else {
    if (query.getAll("url").length > 1 || query.getAll("branch").length > 1) return "gives url or branch more than once";
    url = query.get("url") ?? undefined;
    branch = query.get("branch") ?? undefined;
  }
  if (typeof url !== "string" || url.trim() === "") return "has no url";
  if (url.length > 4096) return "has a url longer than 4096 characters";
  if (branch === undefined || branch === null) return { url, branch: null };
  if (typeof branch !== "string" || branch === "" || /[\s\0]/.test(branch) || branch.startsWith("refs/")) return "has a branch that is not a branch name (give main, not refs/heads/main)";
  return { url, branch };
}

function bytesText(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

/** Binds `server`; LXM7020 when it cannot. */
function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const causes: Record<string, string> = {
        EADDRINUSE: "another process is listening on that port",
        EADDRNOTAVAIL: "that address is not one of this machine's",
        EACCES: "permission denied (ports below 1024 need privileges)",
        ENOTFOUND: "that host name does not resolve",
        EAI_AGAIN: "that host name does not resolve",
      };
      const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
      reject(sync.listenFailed.error(address, causes[e.code ?? ""] ?? e.code ?? e.message));
    };
    server.once("error", onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
