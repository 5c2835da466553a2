/**
 * An HTTP proxy on 127.0.0.1 in front of a git remote (test/git/http-backend.ts) that reads
 * every request and counts what it was: the ref advertisement (`GET info/refs`), a protocol
 * v2 `ls-refs` or `fetch` command, a protocol v0/v1 fetch (want lines), a push. What the
 * agent costs an idle remote is these counts.
 */
import { createServer, request } from "node:http";
import type { Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import type { GitHttpServer } from "../git/http-backend.js";

export interface Counts {
  requests: number;
  advertisement: number;
  lsRefs: number;
  fetch: number;
  push: number;
  other: number;
}

export interface CountingProxy {
  /** The clone URL of `name` through the proxy. */
  url(name: string): string;
  /** Counts over every repository. */
  totals(): Counts;
  /** Counts per repository path (`r1.git`). */
  byRepo(): Map<string, Counts>;
  reset(): void;
  close(): Promise<void>;
}

const zero = (): Counts => ({ requests: 0, advertisement: 0, lsRefs: 0, fetch: 0, push: 0, other: 0 });

/** What one request was, from its method, path, query and body. */
export function classify(method: string, path: string, query: URLSearchParams, body: Buffer): keyof Omit<Counts, "requests"> {
  if (method === "GET" && path.endsWith("/info/refs")) return query.get("service") === "git-receive-pack" ? "push" : "advertisement";
  if (method === "POST" && path.endsWith("/git-receive-pack")) return "push";
  if (method === "POST" && path.endsWith("/git-upload-pack")) {
    const text = body.toString("latin1");
    if (/^[0-9a-f]{4}command=ls-refs/.test(text)) return "lsRefs";
    if (/^[0-9a-f]{4}command=fetch/.test(text) || /^[0-9a-f]{4}want [0-9a-f]{40}/.test(text)) return "fetch";
  }
  return "other";
}

export async function startCountingProxy(target: GitHttpServer): Promise<CountingProxy> {
  const upstream = new URL(target.url(""));
  const per = new Map<string, Counts>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://proxy");
      let body = raw;
      if (/gzip/i.test(String(req.headers["content-encoding"] ?? ""))) {
        try {
          body = gunzipSync(raw);
        } catch {
          body = raw;
        }
      }
      const repo = url.pathname.replace(/^\//, "").replace(/\/(info\/refs|git-upload-pack|git-receive-pack)$/, "");
      const c = per.get(repo) ?? zero();
      per.set(repo, c);
      c.requests += 1;
      c[classify(req.method ?? "", url.pathname, url.searchParams, body)] += 1;
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on("error", (e) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`proxy: ${e.message}\n`);
      });
      out.end(raw);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("counting proxy: no port");
  const base = `http://127.0.0.1:${address.port}`;
  return {
    url: (name) => `${base}/${name}`,
    totals() {
      const t = zero();
      for (const c of per.values()) for (const k of Object.keys(t) as (keyof Counts)[]) t[k] += c[k];
      return t;
    },
    byRepo: () => new Map([...per].map(([k, v]) => [k, { ...v }])),
    reset: () => per.clear(),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
