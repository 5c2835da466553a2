import { Agent, request as httpRequest } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LexumError } from "../../src/diag/diagnostic.js";
import type { SyncRepository } from "../../src/sync/config.js";
import { GITHUB_BODY_LIMIT, startHttpServer, type HttpServer } from "../../src/sync/http.js";
import { createLogger } from "../../src/sync/log.js";
import { pollMatches } from "../../src/sync/match.js";
import { createMetrics, type Metrics } from "../../src/sync/metrics.js";
import type { AgentHandle, PollMatch, RepoStatus } from "../../src/sync/types.js";
import { signBody } from "../../src/sync/webhook.js";
import { pushEvent } from "../github/events.js";
import { githubExamples } from "./github-examples.js";
import { parseExposition } from "./prom-text.js";

const S1 = "s1-webhook-secret-infra";
const S2 = "s2-webhook-secret-release";

function repository(url: string, branch: string, intervalMs: number, webhookSecret: string | null, path = "."): SyncRepository {
  return { url, branch, path, environment: null, stateBranch: "lexum/state", intervalMs, driftIntervalMs: 600_000, drift: "report", token: null, webhookSecret };
}

// A and D share a secret; B watches another branch of A's repository with another secret; C has none.
const A = repository("https://github.com/octo/infra.git", "main", 30_000, S1);
const B = repository("https://github.com/octo/infra.git", "release", 60_000, S2);
const C = repository("https://git.example.com/team/app.git", "main", 10_000, null, "deploy");
const D = repository("https://github.com/octo/other", "main", 30_000, S1);
const REPOS = [A, B, C, D];
const entry = (r: SyncRepository) => `${r.url}#${r.branch}:${r.path}`;

function statusOf(r: SyncRepository): RepoStatus {
  return { repo: entry(r), url: r.url, branch: r.branch, path: r.path, stateBranch: r.stateBranch, goal: null, applied: null, lastSnapshot: null, skipped: [], drift: null, lastError: null, lastPoll: null, nextPoll: null, failures: 0, phase: "idle", lease: null };
}

/** The agent as the server sees it: statuses the test sets, and every trigger recorded. */
class TestAgent implements AgentHandle {
  statuses: RepoStatus[];
  isAlive = true;
  readonly triggers: PollMatch[] = [];
  constructor(readonly repos: readonly SyncRepository[]) {
    this.statuses = repos.map(statusOf);
  }
  status(): RepoStatus[] {
    return this.statuses.map((s) => ({ ...s }));
  }
  alive(): boolean {
    return this.isAlive;
  }
  trigger(match: PollMatch): string[] {
    this.triggers.push(match);
    return this.repos.flatMap((r, i) => (pollMatches(match, r, this.statuses[i]!.repo) ? [this.statuses[i]!.repo] : []));
  }
  setPolled(r: SyncRepository, iso: string | null): void {
    const i = this.repos.indexOf(r);
    this.statuses[i] = { ...this.statuses[i]!, lastPoll: iso };
  }
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection. */
function send(port: number, method: string, path: string, opts: { headers?: Record<string, string | number>; body?: string | Buffer; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined && !opts.chunked) headers["Content-Length"] = Buffer.byteLength(opts.body);
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const json = (r: Reply) => JSON.parse(r.body) as any;

let agent: TestAgent;
let metrics: Metrics;
let server: HttpServer;
let clock = Date.parse("2025-03-01T12:00:00.000Z");
const logLines: string[] = [];

beforeAll(async () => {
  agent = new TestAgent(REPOS);
  metrics = createMetrics();
  const log = createLogger((l) => logLines.push(l), () => new Date(clock));
  server = await startHttpServer({ host: "127.0.0.1", port: 0, agent, metrics, repositories: REPOS, now: () => clock, log });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  agent.triggers.length = 0;
});

describe("lxm-sync HTTP: probes, status and metrics", () => {
  it("binds the port it was given (0: a free one)", () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
  });

  it("/healthz is ok while the loop is alive, 503 once it stopped; HEAD gives the headers only", async () => {
    const ok = await send(server.port, "GET", "/healthz");
    expect([ok.status, ok.body, ok.headers["content-type"]]).toEqual([200, "ok", "text/plain; charset=utf-8"]);
    const head = await send(server.port, "HEAD", "/healthz");
    expect([head.status, head.body, head.headers["content-length"]]).toEqual([200, "", "2"]);
    agent.isAlive = false;
    try {
      expect((await send(server.port, "GET", "/healthz")).status).toBe(503);
      expect((await send(server.port, "HEAD", "/healthz")).status).toBe(503);
    } finally {
      agent.isAlive = true;
    }
  });

  it("/readyz waits for every repository's first poll, then for each to be polled within twice its interval", async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    for (const r of REPOS) agent.setPolled(r, null);
    const before = await send(server.port, "GET", "/readyz");
    expect(before.status).toBe(503);
    expect(json(before)).toEqual({ ready: false, laggards: REPOS.map((r) => ({ repo: entry(r), lastPoll: null, limitSeconds: (2 * r.intervalMs) / 1000 })) });

    for (const r of REPOS) agent.setPolled(r, iso(clock));
    agent.setPolled(B, null);
    expect(json(await send(server.port, "GET", "/readyz")).laggards.map((l: any) => l.repo)).toEqual([entry(B)]);

    agent.setPolled(B, iso(clock));
    const ready = await send(server.port, "GET", "/readyz");
    expect([ready.status, json(ready)]).toEqual([200, { ready: true }]);

    // 20s + 1ms on: C (10s interval) is past its 20s; the others are within theirs.
    const start = clock;
    clock = start + 20_001;
    try {
      const late = await send(server.port, "GET", "/readyz");
      expect(late.status).toBe(503);
      expect(json(late).laggards).toEqual([{ repo: entry(C), lastPoll: iso(start), limitSeconds: 20 }]);
      clock = start + 20_000;
      expect((await send(server.port, "GET", "/readyz")).status).toBe(200);
      // 60s on: A and D (30s) lag too, B (60s: limit 120s) does not.
      clock = start + 60_001;
      expect(json(await send(server.port, "GET", "/readyz")).laggards.map((l: any) => l.repo)).toEqual([entry(A), entry(C), entry(D)]);
      expect((await send(server.port, "HEAD", "/readyz")).status).toBe(503);
    } finally {
      clock = start;
    }
  });

  it("/status serves every repository's status in the configuration's order", async () => {
    agent.statuses[0] = { ...agent.statuses[0]!, goal: "a".repeat(40), applied: "b".repeat(40), nextPoll: "2025-03-01T12:00:30.000Z", phase: "polling" };
    const r = await send(server.port, "GET", "/status");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(json(r)).toEqual({ repositories: agent.status() });
    expect(json(r).repositories.map((s: RepoStatus) => s.repo)).toEqual(REPOS.map(entry));
  });

  it("/metrics serves the registry in Prometheus text format", async () => {
    const a = entry(A);
    metrics.observe({ type: "reconcile", repo: a, result: "applied", seconds: 1.5 });
    metrics.observe({ type: "git-request", repo: a, request: "ls-refs", ok: true });
    metrics.observe({ type: "git-request", repo: a, request: "push", ok: false });
    metrics.observe({ type: "push-conflict", repo: a });
    metrics.observe({ type: "push-conflict", repo: a });
    metrics.observe({ type: "drift", repo: a, resources: 2 });
    metrics.observe({ type: "revision", repo: a, goal: "1".repeat(40), applied: null });
    metrics.observe({ type: "revision", repo: a, goal: "2".repeat(40), applied: "1".repeat(40) });
    const r = await send(server.port, "GET", "/metrics");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe(metrics.contentType);
    const x = parseExposition(r.body);
    for (const [name, type] of [
      ["lexum_reconcile_total", "counter"],
      ["lexum_reconcile_duration_seconds", "histogram"],
      ["lexum_git_request_total", "counter"],
      ["lexum_state_push_conflicts_total", "counter"],
      ["lexum_drift", "gauge"],
      ["lexum_repo_info", "gauge"],
    ]) {
      expect(x.type.get(name!), name).toBe(type);
      expect(r.body, name).toMatch(new RegExp(`^# HELP ${name} \\S`, "m"));
    }
    expect(x.series("lexum_reconcile_total")).toEqual([{ name: "lexum_reconcile_total", labels: { repo: a, result: "applied" }, value: 1 }]);
    expect(x.series("lexum_git_request_total").map((s) => [s.labels["request_type"], s.value])).toEqual([["ls-refs", 1], ["push", 1]]);
    expect(x.series("lexum_state_push_conflicts_total")).toEqual([{ name: "lexum_state_push_conflicts_total", labels: {}, value: 2 }]);
    expect(x.series("lexum_drift")).toEqual([{ name: "lexum_drift", labels: { repo: a }, value: 2 }]);
    expect(x.series("lexum_repo_info")).toEqual([{ name: "lexum_repo_info", labels: { repo: a, goal_revision: "2".repeat(40), applied_revision: "1".repeat(40) }, value: 1 }]);
    expect(x.series("process_cpu_seconds_total")).toHaveLength(1);
    const head = await send(server.port, "HEAD", "/metrics");
    expect([head.status, head.body, head.headers["content-type"]]).toEqual([200, "", metrics.contentType]);
  });

  it("answers an unknown path 404 and a wrong method 405 with Allow", async () => {
    for (const path of ["/", "/healthz/", "/HEALTHZ", "/hooks", "/metrics.txt", "/constructor", "/__proto__"]) {
      expect((await send(server.port, "GET", path)).status, path).toBe(404);
    }
    const cases: [string, string, string][] = [
      ["POST", "/healthz", "GET, HEAD"],
      ["DELETE", "/readyz", "GET, HEAD"],
      ["PUT", "/metrics", "GET, HEAD"],
      ["POST", "/status", "GET, HEAD"],
      ["GET", "/hooks/github", "POST"],
      ["HEAD", "/hooks/poll", "POST"],
      ["OPTIONS", "/hooks/poll", "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const r = await send(server.port, method, path);
      expect([r.status, r.headers["allow"]], `${method} ${path}`).toEqual([405, allow]);
    }
    expect(agent.triggers).toEqual([]);
  });

  it("ignores the query of a probe", async () => {
    expect((await send(server.port, "GET", "/healthz?verbose=1")).status).toBe(200);
  });
});

/** A push to `ref` of octo/<repo> as GitHub sends it (schema-valid), and its bytes. */
function push(repo: string, ref: string, after = "c".repeat(40)): string {
  return JSON.stringify(pushEvent({ owner: "octo", repo, ref, before: "d".repeat(40), after, defaultBranch: "main" }));
}

function deliver(event: string | null, body: string | Buffer, signature: string | null, headers: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { "Content-Type": "application/json", "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", ...headers };
  if (event !== null) h["X-GitHub-Event"] = event;
  if (signature !== null) h["X-Hub-Signature-256"] = signature;
  return send(server.port, "POST", "/hooks/github", { headers: h, body });
}

const INFRA_URLS = ["https://github.com/octo/infra.git", "https://github.com/octo/infra", "git@github.com:octo/infra.git", "git://github.com/octo/infra.git"];

describe("lxm-sync HTTP: POST /hooks/github", () => {
  it("triggers a poll of the repositories a validly signed push names", async () => {
    const body = push("infra", "refs/heads/main");
    const r = await deliver("push", body, signBody(body, S1));
    expect(r.status).toBe(202);
    expect(json(r)).toEqual({ matched: [entry(A)] });
    // Only the entries configured with S1 (A and D) may match.
    expect(agent.triggers).toEqual([{ urls: INFRA_URLS, ref: "refs/heads/main", entries: [entry(A), entry(D)] }]);
  });

  it("lets a secret trigger only the repositories configured with it", async () => {
    const release = push("infra", "refs/heads/release");
    const byS2 = await deliver("push", release, signBody(release, S2));
    expect(json(byS2)).toEqual({ matched: [entry(B)] });
    // A's branch, signed with B's secret: verified, but no entry of S2 watches main.
    const main = push("infra", "refs/heads/main");
    const crossed = await deliver("push", main, signBody(main, S2));
    expect(crossed.status).toBe(202);
    expect(json(crossed).matched).toEqual([]);
    expect(json(crossed).ignored).toMatch(/no watched repository/);
    expect(agent.triggers.map((t) => t.entries)).toEqual([[entry(B)], [entry(B)]]);
  });

  it("answers a push nobody watches (a tag, another repository) 202 with nothing matched", async () => {
    const tag = push("infra", "refs/tags/v1.0.0");
    expect(json(await deliver("push", tag, signBody(tag, S1))).matched).toEqual([]);
    const other = push("elsewhere", "refs/heads/main");
    expect(json(await deliver("push", other, signBody(other, S1))).matched).toEqual([]);
  });

  it("refuses a bad, missing, foreign or truncated signature with 401 and triggers nothing", async () => {
    const body = push("infra", "refs/heads/main");
    const good = signBody(body, S1);
    const flipped = good.slice(0, -1) + (good.endsWith("0") ? "1" : "0");
    const cases: [string, string | null, Record<string, string>?][] = [
      ["bad", flipped],
      ["missing", null],
      ["sha1 only", null, { "X-Hub-Signature": `sha1=${"0".repeat(40)}` }],
      ["another secret", signBody(body, "not-a-configured-secret")],
      ["truncated hex", good.slice(0, 7 + 40)],
      ["no prefix", good.slice(7)],
      ["empty", ""],
      ["signed body of another payload", signBody(push("infra", "refs/heads/release"), S1)],
    ];
    for (const [what, signature, extra] of cases) {
      const r = await deliver("push", body, signature, extra);
      expect(r.status, what).toBe(401);
      expect(json(r).error.code, what).toBe("LXM7021");
      expect(r.headers["www-authenticate"], what).toMatch(/^X-Hub-Signature-256/);
    }
    expect(agent.triggers).toEqual([]);
  });

  it("checks the signature before reading the payload: unsigned garbage is 401, signed garbage 400", async () => {
    expect((await deliver("push", "{not json", null)).status).toBe(401);
    const signedGarbage = await deliver("push", "{not json", signBody("{not json", S1));
    expect([signedGarbage.status, json(signedGarbage).error.code]).toEqual([400, "LXM7022"]);
    const body = push("infra", "refs/heads/main");
    const noEvent = await deliver(null, body, signBody(body, S1));
    expect([noEvent.status, json(noEvent).error.code]).toEqual([400, "LXM7022"]);
    expect(agent.triggers).toEqual([]);
  });

  it("answers ping 200 and other events 202, polling nothing", async () => {
    const ping = JSON.stringify(githubExamples("ping")[0]);
    const r = await deliver("ping", ping, signBody(ping, S2));
    expect([r.status, json(r)]).toEqual([200, { ok: true, event: "ping" }]);
    const issue = JSON.stringify(githubExamples("issues")[0]);
    const ignored = await deliver("issues", issue, signBody(issue, S1));
    expect(ignored.status).toBe(202);
    expect(json(ignored)).toEqual({ matched: [], ignored: "the issues event does not trigger polls" });
    expect(agent.triggers).toEqual([]);
  });

  it("reads GitHub's form encoding (payload=…), signed over the form's bytes", async () => {
    const form = new URLSearchParams({ payload: push("infra", "refs/heads/main") }).toString();
    const r = await deliver("push", form, signBody(form, S1), { "Content-Type": "application/x-www-form-urlencoded" });
    expect(json(r)).toEqual({ matched: [entry(A)] });
  });

  it("answers 413 to a body declared larger than the limit, before reading it", async () => {
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: server.port, method: "POST", path: "/hooks/github", agent: false, headers: { "Content-Length": GITHUB_BODY_LIMIT + 1, "X-GitHub-Event": "push", "X-Hub-Signature-256": signBody("", S1) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            req.destroy();
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
          });
        },
      );
      req.on("error", reject);
      // The headers only: the server must answer without waiting for the 4 MiB.
      req.flushHeaders();
    });
    expect([r.status, json(r).error.code, r.headers["connection"]]).toEqual([413, "LXM7023", "close"]);
    expect(json(r).error.message).toContain("4 MiB");
    expect(agent.triggers).toEqual([]);
  });
});

describe("lxm-sync HTTP: POST /hooks/poll", () => {
  it("triggers the entries a JSON body or the query names", async () => {
    const byBody = await send(server.port, "POST", "/hooks/poll", { body: JSON.stringify({ url: "https://github.com/octo/infra", branch: "main" }) });
    expect([byBody.status, json(byBody)]).toEqual([202, { matched: [entry(A)] }]);
    const anyBranch = await send(server.port, "POST", "/hooks/poll", { headers: { "Content-Type": "application/json" }, body: '{"url":"https://GITHUB.com/octo/infra.git/"}' });
    expect(json(anyBranch)).toEqual({ matched: [entry(A), entry(B)] });
    const byQuery = await send(server.port, "POST", `/hooks/poll?url=${encodeURIComponent(C.url)}&branch=main`);
    expect(json(byQuery)).toEqual({ matched: [entry(C)] });
    expect(agent.triggers).toEqual([
      { urls: ["https://github.com/octo/infra"], ref: "refs/heads/main" },
      { urls: ["https://GITHUB.com/octo/infra.git/"], ref: null },
      { urls: [C.url], ref: "refs/heads/main" },
    ]);
  });

  it("answers 404 when no watched repository matches", async () => {
    const r = await send(server.port, "POST", "/hooks/poll", { body: JSON.stringify({ url: "https://github.com/octo/infra", branch: "feature" }) });
    expect([r.status, json(r).error.code]).toEqual([404, "LXM7025"]);
    expect(json(r).error.message).toBe("no watched repository matches https://github.com/octo/infra (branch feature)");
    expect(agent.triggers).toHaveLength(1);
  });

  it("never repeats a url's password in its answer or log", async () => {
    const from = logLines.length;
    const r = await send(server.port, "POST", "/hooks/poll", { body: JSON.stringify({ url: "https://user:hunter2-token@example.com/nothing.git" }) });
    expect(r.status).toBe(404);
    expect(r.body).not.toContain("hunter2");
    expect(r.body).toContain("https://example.com/nothing.git");
    const lines = logLines.slice(from);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("hunter2");
  });

  it("answers 400 to bad input and triggers nothing", async () => {
    const bad: [string, string][] = [
      ["/hooks/poll", ""],
      ["/hooks/poll", "{not json"],
      ["/hooks/poll", "[]"],
      ["/hooks/poll", '"https://github.com/octo/infra"'],
      ["/hooks/poll", '{"url":""}'],
      ["/hooks/poll", '{"url":7}'],
      ["/hooks/poll", '{"url":"https://github.com/octo/infra","ref":"refs/heads/main"}'],
      ["/hooks/poll", '{"url":"https://github.com/octo/infra","branch":"refs/heads/main"}'],
      ["/hooks/poll", '{"url":"https://github.com/octo/infra","branch":5}'],
      ["/hooks/poll?url=https://github.com/octo/infra", '{"url":"https://github.com/octo/infra"}'],
      ["/hooks/poll?url=a&url=b", ""],
      ["/hooks/poll?branch=main", ""],
    ];
    for (const [path, body] of bad) {
      const r = await send(server.port, "POST", path, { body });
      expect([r.status, json(r).error.code], `${path} ${body}`).toEqual([400, "LXM7024"]);
    }
    expect(agent.triggers).toEqual([]);
  });
});

describe("lxm-sync HTTP: log", () => {
  it("writes JSON lines for hooks and errors, fields in order, nothing secret", async () => {
    const from = logLines.length;
    const body = push("infra", "refs/heads/main", "e".repeat(40));
    const signature = signBody(body, S1);
    await deliver("push", body, signature);
    await deliver("push", body, signature.replace(/.$/, (c) => (c === "0" ? "1" : "0")));
    await send(server.port, "GET", "/nowhere");
    await send(server.port, "GET", "/healthz");
    const lines = logLines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l["level"], l["event"], l["status"]])).toEqual([
      ["info", "webhook", 202],
      ["warn", "webhook", 401],
      ["warn", "http-request", 404],
    ]);
    expect(Object.keys(lines[0]!).slice(0, 5)).toEqual(["time", "level", "event", "repo", "goal"]);
    expect(lines[0]).toMatchObject({ time: "2025-03-01T12:00:00.000Z", repo: entry(A), goal: "e".repeat(40), githubEvent: "push", delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958", matched: [entry(A)], path: "/hooks/github", method: "POST" });
    expect(lines[1]).toMatchObject({ code: "LXM7021" });
    for (const l of lines) {
      const rest = Object.keys(l).slice(3).filter((k) => k !== "repo" && k !== "goal");
      expect(rest).toEqual([...rest].sort());
    }
    // Over every line the server wrote in this file: no secret, signature or body.
    const all = logLines.join("\n");
    for (const secret of [S1, S2, signature.slice(7), '"commits"', "hunter2"]) expect(all).not.toContain(secret);
  });
});

describe("lxm-sync HTTP: lifecycle and limits", () => {
  function quietLog(): { log: ReturnType<typeof createLogger>; lines: string[] } {
    const lines: string[] = [];
    return { log: createLogger((l) => lines.push(l), () => new Date(0)), lines };
  }

  it("answers /hooks/github 404 when no repository has a webhook secret", async () => {
    const repos = [C];
    const s = await startHttpServer({ host: "127.0.0.1", port: 0, agent: new TestAgent(repos), metrics: createMetrics(), repositories: repos, now: () => 0, log: quietLog().log });
    try {
      const body = push("infra", "refs/heads/main");
      const r = await send(s.port, "POST", "/hooks/github", { headers: { "X-GitHub-Event": "push", "X-Hub-Signature-256": signBody(body, S1) }, body });
      expect([r.status, json(r).error.code]).toEqual([404, "LXM7026"]);
    } finally {
      await s.close();
    }
  });

  it("answers 413 to a chunked body that grows past the limit, and reads a body at the limit", async () => {
    const a = new TestAgent(REPOS);
    const s = await startHttpServer({ host: "127.0.0.1", port: 0, agent: a, metrics: createMetrics(), repositories: REPOS, now: () => 0, log: quietLog().log, bodyLimits: { github: 2048, poll: 64 } });
    try {
      const big = JSON.stringify({ ref: "refs/heads/main", pad: "x".repeat(4096) });
      const r = await send(s.port, "POST", "/hooks/github", { headers: { "X-GitHub-Event": "push", "X-Hub-Signature-256": signBody(big, S1) }, body: big, chunked: true });
      expect([r.status, json(r).error.code]).toEqual([413, "LXM7023"]);
      expect(json(r).error.message).toContain("2 KiB");
      const poll = await send(s.port, "POST", "/hooks/poll", { body: JSON.stringify({ url: A.url, branch: "main", pad: "y".repeat(64) }), chunked: true });
      expect([poll.status, json(poll).error.code]).toEqual([413, "LXM7023"]);
      const exact = JSON.stringify({ url: A.url, branch: "main" });
      const atLimit = exact + " ".repeat(64 - exact.length);
      expect((await send(s.port, "POST", "/hooks/poll", { body: atLimit })).status).toBe(202);
      expect(a.triggers).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("close() stops listening and ends idle keep-alive connections", async () => {
    const s = await startHttpServer({ host: "127.0.0.1", port: 0, agent: new TestAgent(REPOS), metrics: createMetrics(), repositories: REPOS, now: () => 0, log: quietLog().log });
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    // Wrapped in an object: a promise resolved with a promise would wait for the socket to close.
    const { closedSocket } = await new Promise<{ closedSocket: Promise<void> }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: s.port, path: "/healthz", agent: keepAlive }, (res) => {
        res.resume();
        res.on("end", () => resolve({ closedSocket: new Promise<void>((done) => req.socket!.once("close", () => done())) }));
      });
      req.on("error", reject);
      req.end();
    });
    await s.close();
    // The idle connection the client kept is closed by the server, not by the client's agent.
    await closedSocket;
    await expect(send(s.port, "GET", "/healthz")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await s.close();
    keepAlive.destroy();
  });

  it("rejects with LXM7020 when the port is taken", async () => {
    const error = await startHttpServer({ host: "127.0.0.1", port: server.port, agent: new TestAgent(REPOS), metrics: createMetrics(), repositories: REPOS, now: () => 0, log: quietLog().log }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LexumError);
    expect((error as LexumError).code).toBe("LXM7020");
    expect((error as LexumError).message).toBe(`cannot listen on 127.0.0.1:${server.port}: another process is listening on that port`);
  });
});
