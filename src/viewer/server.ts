import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { catalog } from "../diag/index.js";
import { LexumError } from "../diag/diagnostic.js";
import { resolveSnapshotRef } from "../engine/history.js";
import { firstFailureIndex, frameAt, graphOf, lastEventIndex, recordNote } from "./model.js";
import type { GraphDomain, RunView } from "./model.js";
import { loadHistory, loadRunView } from "./load.js";
import { RunCache, singleFlight } from "./run-cache.js";
import { pageHtml } from "./page/shell.js";

/**
 * `lxm trace --web`: a read-only HTTP server on 127.0.0.1 serving one self-contained page
 * and the state branch's runs as JSON. Every Frame it sends is computed by the model's
 * frameAt, the same function the terminal view renders, so both show the same state at
 * the same event. Routes (GET only; other methods 405, other paths 404):
 *   /                                  the page (inline script and style, no network)
 *   /api/runs                          the branch's history, newest first (RunsResponse)
 *   /api/resolve?ref=<REF|HASH>        the state commit a revision or snapshot hash names ({ commit })
 *   /api/run/<commit>                  one run's summary and graph (RunSummary)
 *   /api/run/<commit>/frame/<index>    frameAt(run, index) (a Frame)
 */

/** The default port of `lxm trace --web`. */
export const DEFAULT_VIEWER_PORT = 7357;

/** The only address the viewer binds to. */
export const VIEWER_HOST = "127.0.0.1";

/** GET /api/runs: the state branch, newest first, and the run the viewer was opened on. */
export interface RunsResponse {
  readonly branch: string;
  readonly selected: string;
  readonly runs: RunView["history"];
}

/** GET /api/run/<commit>: what the page needs besides frames. */
export interface RunSummary {
  readonly commit: string;
  readonly snapshot: string;
  readonly status: RunView["status"];
  /** Number of events (frames are 0 … total-1). */
  readonly total: number;
  readonly firstFailure: number | null;
  readonly graph: { domains: GraphDomain[] };
  /** The .lxm texts at the goal commit by project-relative path ({} when unavailable). */
  readonly sources: RunView["sources"];
  /** Each address the trace names → the index of its last event (what clicking its node selects). */
  readonly lastEvents: { readonly [address: string]: number };
  /** What a failure or drift record says about itself (recordNote); null for a run. */
  readonly note: string | null;
}

/** A running viewer. */
export interface Viewer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  /** The state commit the viewer opened on (the resolved REF). */
  readonly commit: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts the viewer for the state branch `branch` of the repository at `gitdir`, opened on
 * `ref` (anything `lxm state show` accepts; omitted → the branch head). `port` 0 picks a
 * free port; default DEFAULT_VIEWER_PORT. Resolves once listening. Rejects with a
 * LexumError when REF names no run (LXM4210), the run does not verify (LXM4204) or the
 * port is taken (LXM5005).
 */
export async function startViewer(args: { gitdir: string; branch: string; ref?: string; port?: number }): Promise<Viewer> {
  const { gitdir, branch } = args;
  // Resolve and check the run now, so a bad REF fails the command instead of the page.
  const first = await loadRunView({ gitdir, branch, ...(args.ref === undefined ? {} : { ref: args.ref }) });
  const page = await buildPage();
  // A state commit never changes, so its view can be kept; only the history is re-read.
  const views = new RunCache<RunView>(VIEWER_RUNS_KEPT, (commit) => loadRunView({ gitdir, branch, ref: commit }));
  views.put(first.commit, first);
  const viewOf = (commit: string): Promise<RunView> => views.get(commit);
  const ctx: Ctx = {
    page,
    resolve: async (ref) => (await resolveSnapshotRef(gitdir, branch, ref)).oid,
    runs: singleFlight(async () => ({ branch, selected: first.commit, runs: await loadHistory({ gitdir, branch }) })),
    viewOf,
    port: 0,
  };
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((e: unknown) => send(res, 500, json({ error: { message: String((e as Error)?.message ?? e) } })));
  });
  const port = await listen(server, args.port ?? DEFAULT_VIEWER_PORT);
  ctx.port = port;
  return {
    url: `http://${VIEWER_HOST}:${port}/`,
    port,
    commit: first.commit,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * `lxm trace --web`: starts the viewer (startViewer), prints `Lexum trace viewer on URL`,
 * and serves until SIGINT or SIGTERM (or until `stop` settles, for callers that embed it).
 * `port` is the --port text: digits, at most 65535 (0 → a free port); omitted → 7357.
 * Returns exit code 0 once stopped; bad input rejects with a LexumError before listening.
 */
export async function serveTrace(args: {
  gitdir: string;
  branch: string;
  ref?: string | undefined;
  port?: string | undefined;
  out: (text: string) => void;
  stop?: Promise<unknown>;
}): Promise<number> {
  const port = parsePort(args.port);
  const viewer = await startViewer({ gitdir: args.gitdir, branch: args.branch, port, ...(args.ref === undefined ? {} : { ref: args.ref }) });
  args.out(`Lexum trace viewer on ${viewer.url}\n(run ${viewer.commit.slice(0, 12)}; read-only; press Ctrl-C to stop)\n`);
  let onSignal: () => void = () => {};
  const signalled = new Promise<void>((resolve) => {
    onSignal = () => resolve();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  try {
    await Promise.race(args.stop ? [signalled, args.stop.then(() => undefined, () => undefined)] : [signalled]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await viewer.close();
  }
  return 0;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_VIEWER_PORT;
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
    throw catalog.host.usage.error(`--port takes a number from 0 to 65535 (0 picks a free port), not '${text}'`);
  }
  return Number(text);
}

interface Ctx {
  readonly page: Page;
  readonly runs: () => Promise<RunsResponse>;
  readonly viewOf: (commit: string) => Promise<RunView>;
  readonly resolve: (ref: string) => Promise<string>;
  port: number;
}

interface Page {
  readonly html: string;
  readonly csp: string;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") reject(catalog.host.usage.error(`port ${port} is already in use on ${VIEWER_HOST}; pass --port N, or --port 0 for a free one`));
      else reject(e);
    });
    server.listen({ host: VIEWER_HOST, port, exclusive: true }, () => resolve((server.address() as AddressInfo).port));
  });
}

/** How many loaded runs the viewer keeps in memory (a run's view holds its whole trace). */
export const VIEWER_RUNS_KEPT = 8;

const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const INDEX = /^(?:0|[1-9][0-9]{0,8})$/;
// A revision of the state branch or a snapshot hash; never starting with `-`, so git can never read it as an option.
const REF = /^[A-Za-z0-9][A-Za-z0-9._/~^:@{}-]*$/;

async function handle(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!hostAllowed(req.headers.host, ctx.port)) {
    // A page on another origin that rebinds its DNS name to 127.0.0.1 must not read runs.
    return send(res, 403, json({ error: { message: "forbidden host" } }));
  }
  if (req.method !== "GET") {
    return send(res, 405, json({ error: { message: "method not allowed: the viewer is read-only" } }), { Allow: "GET" });
  }
  // The raw request target is matched exactly: no decoding, no normalisation, so `..`,
  // `%2e%2e` or a doubled slash can only ever miss every route.
  const target = req.url ?? "";
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  if (path === "/") {
    return send(res, 200, ctx.page.html, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": ctx.page.csp,
    });
  }
  if (path === "/api/runs") return send(res, 200, json(await ctx.runs()));
  if (path === "/api/resolve") {
    // A deep link names its run as the CLI would (`lexum/state~1`, a snapshot hash prefix):
    // the text only ever reaches the branch's revision parser, never a path.
    const ref = new URLSearchParams(q < 0 ? "" : target.slice(q + 1)).get("ref");
    if (ref === null || ref.length === 0 || ref.length > 200 || !REF.test(ref)) return notFound(res);
    try {
      return send(res, 200, json({ commit: await ctx.resolve(ref) }));
    } catch (e) {
      if (e instanceof LexumError) return send(res, 404, json({ error: { code: e.code, message: e.message } }));
      throw e;
    }
  }
  const m = /^\/api\/run\/([^/]+)(?:\/frame\/([^/]+))?$/.exec(path);
  if (!m || !COMMIT.test(m[1]!) || (m[2] !== undefined && !INDEX.test(m[2]))) return notFound(res);
  let view: RunView;
  try {
    view = await ctx.viewOf(m[1]!);
  } catch (e) {
    // A commit that does not verify is a damaged branch (409); anything else names no run here.
    if (e instanceof LexumError) return send(res, e.code === catalog.engine.corruptState.code ? 409 : 404, json({ error: { code: e.code, message: e.message } }));
    throw e;
  }
  if (m[2] === undefined) return send(res, 200, json(summaryOf(view)));
  const index = Number(m[2]);
  if (index >= view.events.length) return notFound(res);
  return send(res, 200, json(frameAt(view, index)));
}

/** The page's summary of a run (pure). */
export function summaryOf(view: RunView): RunSummary {
  return {
    commit: view.commit,
    snapshot: view.snapshot,
    status: view.status,
    total: view.events.length,
    firstFailure: firstFailureIndex(view),
    graph: graphOf(view),
    sources: view.sources,
    lastEvents: lastEventIndex(view),
    note: recordNote(view),
  };
}

function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `${VIEWER_HOST}:${port}` || host === `localhost:${port}`;
}

function notFound(res: ServerResponse): void {
  send(res, 404, json({ error: { message: "not found" } }));
}

function json(v: unknown): string {
  return JSON.stringify(v);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    ...headers,
    "Content-Length": String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/**
 * The page: the shell with the compiled page script inlined, and a Content-Security-Policy
 * that allows exactly that script and style (by hash) and requests to this server only.
 */
async function buildPage(): Promise<Page> {
  const script = await pageScript();
  const { html, style } = pageHtml(script);
  const hash = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { html, csp };
}

let scriptCache: string | null = null;

/**
 * The page script: page/app.js as tsc built it next to this module (dist), or, when running
 * from the sources (tests, development), page/app.ts transpiled with the TypeScript compiler.
 */
async function pageScript(): Promise<string> {
  if (scriptCache !== null) return scriptCache;
  const built = fileURLToPath(new URL("./page/app.js", import.meta.url));
  let js: string;
  if (existsSync(built)) {
    js = readFileSync(built, "utf8");
  } else {
    const source = fileURLToPath(new URL("./page/app.ts", import.meta.url));
    const ts = (await import("typescript")).default;
    js = ts.transpileModule(readFileSync(source, "utf8"), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, sourceMap: false },
    }).outputText;
  }
  // The map file is not served; the comment would only make the browser ask for it.
  scriptCache = js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  return scriptCache;
}
