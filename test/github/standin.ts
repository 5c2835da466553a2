import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { restDescription } from "./schema.js";
import { injectedReply, type Injection, type Reply } from "./standin-inject.js";
import { validateRequest, validateResponse } from "./standin-validate.js";
import { Router, type Operation } from "./standin-routes.js";
import {
  checkRunObject,
  commentObject,
  fullRepositoryObject,
  pullObject,
  pullSimpleObject,
  userObject,
  workflowRunObject,
  type CheckRunFacts,
  type CommentFacts,
  type PullFacts,
  type RepoFacts,
  type RunFacts,
  type UserType,
} from "./standin-objects.js";

/**
 * A stand-in for GitHub's REST API on 127.0.0.1, for tests. A real HTTP server whose routes
 * are the operations of GitHub's OpenAPI description (`@octokit/openapi`): every request's
 * path parameters, query and JSON body, and every response it sends, are validated against
 * that description; a failure is recorded in `violations` (a test asserts it stays empty).
 * It implements the few operations Lexum's Action uses, over in-memory state, and the
 * rules the description does not state (body length, pagination, read-only tokens,
 * bad credentials, rate limits on demand). Deterministic: ids come from counters and names,
 * timestamps from a counter-based clock.
 */

/** A token the stand-in accepts. `installation` is what `GITHUB_TOKEN` is (its user is a Bot). */
export interface StandinToken {
  readonly token: string;
  readonly login: string;
  readonly kind: "installation" | "user";
  /** Every write answers 403 "Resource not accessible by integration" (a pull request from a fork). */
  readonly readOnly?: boolean;
}

/** A request as the stand-in saw it. Never holds the token. */
export interface RecordedRequest {
  readonly method: string;
  /** The path as sent, without the query. */
  readonly path: string;
  readonly query: Record<string, string>;
  /** The parsed JSON body; undefined when there was none. */
  readonly body: unknown;
  status: number;
  /** The operation of the description it matched; null for a path the description lacks. */
  operationId: string | null;
  /** The login of the token it carried; null without a valid token. */
  readonly login: string | null;
}


export type { Injection } from "./standin-inject.js";

export interface Standin {
  /** Base URL of the API, no trailing slash (what `GITHUB_API_URL` holds). */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** What broke GitHub's description or the stand-in's own contract; a test expects none. */
  readonly violations: string[];
  /** Every repository route answers 404 for a repository not added. */
  addRepo(repo: { owner: string; name: string; defaultBranch: string }): void;
  /** Adds or replaces pull request `number` (its comments are then listed and created; an issue number never added answers 404). `headRepo` is `owner/name` (default this repository; another one is a fork; null a deleted fork). */
  addPull(pull: {
    owner: string;
    repo: string;
    number: number;
    headSha: string;
    headRef: string;
    baseRef: string;
    baseSha: string;
    state: "open" | "closed";
    merged: boolean;
    mergeCommitSha?: string;
    headRepo?: string | null;
  }): void;
  /** Makes `GET /repos/{owner}/{repo}/commits/{sha}/pulls` list these pull requests (besides those whose head or merge commit is `sha`). */
  associateCommit(owner: string, repo: string, sha: string, prNumbers: number[]): void;
  /** Registers a workflow run (`GET /repos/{owner}/{repo}/actions/runs/{run_id}`). */
  addRun(owner: string, repo: string, runId: number, status: string, conclusion: string | null): void;
  /** A comment written by someone else (`login`), as if through the web UI. Returns its id. */
  addComment(owner: string, repo: string, issue: number, body: string, login: string): number;
  /** The comments of an issue or pull request as the API returns them, oldest first. */
  comments(owner: string, repo: string, issue: number): any[];
  /** Deletes a comment as if someone did in the web UI. */
  deleteComment(id: number): void;
  /** Every check run on commit `sha` as the API returns them, newest first. */
  checkRuns(owner: string, repo: string, sha: string): any[];
  /** The requests that write (method other than GET and HEAD). */
  writes(): RecordedRequest[];
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** The most writes that were in flight at once (GitHub asks for serial writes: 1 when they were). */
  readonly maxConcurrentWrites: number;
  inject(injection: Injection): void;
  /** Drops every injection not yet used up. */
  clearInjections(): void;
  /** Called as each request arrives, before it is answered (a test looks at the world at that moment). */
  onRequest: ((r: RecordedRequest) => void) | null;
  setTokenReadOnly(token: string, on: boolean): void;
  /** For the stand-in's own tests: the next response to `method route` is passed through `mutate` before it is validated and sent. */
  corruptNextResponse(method: string, route: string, mutate: (body: any) => unknown): void;
  close(): Promise<void>;
}

/** GitHub's limit on an issue comment's body, in characters. */
export const COMMENT_BODY_LIMIT = 65_536;

const docs = "https://docs.github.com/rest";
const clockStart = Date.UTC(2024, 4, 1, 12, 0, 0);

interface Ctx {
  readonly op: Operation;
  readonly params: Record<string, any>;
  readonly query: Record<string, any>;
  readonly body: any;
  readonly token: StandinToken;
  readonly userType: UserType;
  /** The request URL (for Link headers). */
  readonly url: URL;
}

class HttpError {
  constructor(readonly reply: Reply) {}
}

function error(status: number, message: string, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError({ status, body: { message, documentation_url: docs, status: String(status), ...extra } });
}

const notFound = (): HttpError => error(404, "Not Found");

/** GitHub's 422 shape for a field it refused. */
function validationFailed(resource: string, field: string, message: string, code = "custom"): HttpError {
  return error(422, "Validation Failed", { errors: [{ resource, code, field, message }] });
}

export async function startGitHubStandin(opts: { tokens: StandinToken[]; serverUrl?: string }): Promise<Standin> {
  // Read the description now rather than on the first request.
  restDescription();
  const router = new Router();
  const tokens = new Map(opts.tokens.map((t) => [t.token, { ...t }]));
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const repos = new Map<string, RepoFacts>();
  const pulls = new Map<string, PullFacts>();
  const issues = new Set<string>();
  const associations = new Map<string, number[]>();
  const runs = new Map<string, RunFacts>();
  const comments = new Map<number, CommentFacts>();
  const checkRuns: CheckRunFacts[] = [];
  const injections: { inj: Injection; left: number }[] = [];
  const corruptions: { method: string; route: string; mutate: (body: any) => unknown }[] = [];
  let tick = 0;
  let nextCommentId = 2_000_000_001;
  let nextCheckRunId = 3_000_000_001;
  let nextCheckSuiteId = 4_000_000_001;
  let rateRemaining = 5000;
  let writesInFlight = 0;
  let inFlight = 0;
  let maxConcurrentWrites = 0;
  // The API root is known once the server listens.
  const site: { api: string; web: string } = { api: "", web: opts.serverUrl ?? "https://github.com" };

  const now = (): string => new Date(clockStart + 1000 * tick++).toISOString().replace(/\.000Z$/, "Z");
  const key = (owner: string, repo: string): string => `${owner}/${repo}`.toLowerCase();
  const userTypeOf = (login: string): UserType => {
    for (const t of tokens.values()) if (t.login === login) return t.kind === "installation" ? "Bot" : "User";
    return login.endsWith("[bot]") ? "Bot" : "User";
  };
  const repoFacts = (fullName: string): RepoFacts => {
    const known = repos.get(fullName.toLowerCase());
    if (known) return known;
    const [owner, name] = fullName.split("/");
    return { owner: owner!, name: name!, defaultBranch: "main", fork: true };
  };
  const repoOf = (params: Record<string, any>): RepoFacts => {
    const r = repos.get(key(params.owner, params.repo));
    if (!r) throw notFound();
    return r;
  };

  function paginate<T>(items: readonly T[], ctx: Ctx): { page: T[]; link: string | null } {
    const perPage = Math.min(Math.max(Number(ctx.query.per_page ?? 30), 1), 100);
    const page = Math.max(Number(ctx.query.page ?? 1), 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const href = (n: number): string => {
      const u = new URL(ctx.url.pathname + ctx.url.search, site.api + "/");
      u.searchParams.set("page", String(n));
      return `${site.api}${u.pathname}${u.search}`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`<${href(Math.min(page - 1, last))}>; rel="prev"`);
    if (page < last) rels.push(`<${href(page + 1)}>; rel="next"`, `<${href(last)}>; rel="last"`);
    if (page > 1) rels.push(`<${href(1)}>; rel="first"`);
    return { page: items.slice((page - 1) * perPage, page * perPage), link: rels.length > 0 ? rels.join(", ") : null };
  }

  const withLink = (status: number, body: unknown, link: string | null): Reply => ({ status, body, headers: link ? { link } : {} });

  function checkCommentBody(body: string): void {
    if ([...body].length > COMMENT_BODY_LIMIT) {
      throw validationFailed("IssueComment", "data", `Body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`, "unprocessable");
    }
  }

  function liveComment(ctx: Ctx): CommentFacts {
    const r = repoOf(ctx.params);
    const c = comments.get(ctx.params.comment_id);
    if (!c || key(c.owner, c.repo) !== key(r.owner, r.name)) throw notFound();
    return c;
  }

  function pullsOfHead(owner: string, repo: string, sha: string): PullFacts[] {
    return [...pulls.values()]
      .filter((p) => key(p.owner, p.repo) === key(owner, repo) && p.state === "open" && p.headSha === sha)
      .sort((a, b) => a.number - b.number);
  }

  const handlers: Record<string, (ctx: Ctx) => Reply> = {
    "users/get-authenticated": (ctx) => {
      if (ctx.token.kind === "installation") {
        throw new HttpError({
          status: 403,
          body: { message: "Resource not accessible by integration", documentation_url: `${docs}/users/users#get-the-authenticated-user`, status: "403" },
        });
      }
      return {
        status: 200,
        body: {
          ...userObject(site, ctx.token.login, "User"),
          name: null,
          company: null,
          blog: "",
          location: null,
          email: null,
          hireable: null,
          bio: null,
          twitter_username: null,
          public_repos: 0,
          public_gists: 0,
          followers: 0,
          following: 0,
          created_at: "2024-01-01T00:00:00Z",
          updated_at: "2024-01-01T00:00:00Z",
        },
      };
    },
    "repos/get": (ctx) => {
      const r = repoOf(ctx.params);
      return { status: 200, body: fullRepositoryObject(site, r, { push: !ctx.token.readOnly }) };
    },
    "issues/list-comments": (ctx) => {
      const r = repoOf(ctx.params);
      if (!issues.has(`${key(r.owner, r.name)}#${ctx.params.issue_number}`)) throw notFound();
      let list = [...comments.values()].filter((c) => key(c.owner, c.repo) === key(r.owner, r.name) && c.issue === ctx.params.issue_number);
      if (typeof ctx.query.since === "string") list = list.filter((c) => c.updatedAt >= ctx.query.since);
      list.sort((a, b) => a.id - b.id);
      const { page, link } = paginate(list, ctx);
      return withLink(200, page.map((c) => commentObject(site, c)), link);
    },
    "issues/create-comment": (ctx) => {
      const r = repoOf(ctx.params);
      if (!issues.has(`${key(r.owner, r.name)}#${ctx.params.issue_number}`)) throw notFound();
      checkCommentBody(ctx.body.body);
      const at = now();
      const c: CommentFacts = {
        id: nextCommentId++,
        owner: r.owner,
        repo: r.name,
        issue: ctx.params.issue_number,
        body: ctx.body.body,
        login: ctx.token.login,
        userType: ctx.userType,
        viaApp: ctx.token.kind === "installation",
        createdAt: at,
        updatedAt: at,
      };
      comments.set(c.id, c);
      const body = commentObject(site, c);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
    "issues/get-comment": (ctx) => ({ status: 200, body: commentObject(site, liveComment(ctx)) }),
    "issues/update-comment": (ctx) => {
      const c = liveComment(ctx);
      checkCommentBody(ctx.body.body);
      c.body = ctx.body.body;
      c.updatedAt = now();
      return { status: 200, body: commentObject(site, c) };
    },
    "issues/delete-comment": (ctx) => {
      const c = liveComment(ctx);
      comments.delete(c.id);
      return { status: 204 };
    },
    "checks/create": (ctx) => {
      const r = repoOf(ctx.params);
      if (ctx.token.kind !== "installation") throw error(403, "You must authenticate via a GitHub App.");
      const b = ctx.body;
      if (!/^[0-9a-f]{40}$/.test(b.head_sha)) throw validationFailed("CheckRun", "head_sha", `No commit found for SHA: ${b.head_sha}`, "invalid");
      const status = b.conclusion !== undefined ? "completed" : (b.status ?? "queued");
      if (status === "completed" && b.conclusion === undefined) throw validationFailed("CheckRun", "conclusion", "Conclusion can't be blank", "missing_field");
      const at = now();
      const c: CheckRunFacts = {
        id: nextCheckRunId++,
        owner: r.owner,
        repo: r.name,
        name: b.name,
        headSha: b.head_sha,
        externalId: b.external_id ?? "",
        detailsUrl: b.details_url ?? null,
        status,
        conclusion: status === "completed" ? b.conclusion : null,
        startedAt: b.started_at ?? at,
        completedAt: status === "completed" ? (b.completed_at ?? at) : null,
        output: {
          title: b.output?.title ?? null,
          summary: b.output?.summary ?? null,
          text: b.output?.text ?? null,
          annotationsCount: b.output?.annotations?.length ?? 0,
        },
        checkSuiteId: nextCheckSuiteId++,
      };
      checkRuns.push(c);
      return { status: 201, body: checkRunObject(site, c, pullsOfHead(r.owner, r.name, c.headSha)) };
    },
    "checks/list-for-ref": (ctx) => {
      const r = repoOf(ctx.params);
      let list = checkRuns.filter((c) => key(c.owner, c.repo) === key(r.owner, r.name) && c.headSha === ctx.params.ref).sort((a, b) => b.id - a.id);
      if (typeof ctx.query.check_name === "string") list = list.filter((c) => c.name === ctx.query.check_name);
      if (typeof ctx.query.status === "string") list = list.filter((c) => c.status === ctx.query.status);
      if ((ctx.query.filter ?? "latest") === "latest") {
        const seen = new Set<string>();
        list = list.filter((c) => !seen.has(c.name) && seen.add(c.name) !== undefined);
      }
      const { page, link } = paginate(list, ctx);
      const objects = page.map((c) => checkRunObject(site, c, pullsOfHead(r.owner, r.name, c.headSha)));
      return withLink(200, { total_count: list.length, check_runs: objects }, link);
    },
    "repos/list-pull-requests-associated-with-commit": (ctx) => {
      const r = repoOf(ctx.params);
      const sha = ctx.params.commit_sha;
      const numbers = new Set(associations.get(`${key(r.owner, r.name)}@${sha}`) ?? []);
      for (const p of pulls.values()) {
        if (key(p.owner, p.repo) === key(r.owner, r.name) && (p.headSha === sha || p.mergeCommitSha === sha)) numbers.add(p.number);
      }
      const list = [...numbers].sort((a, b) => a - b).map((n) => pulls.get(`${key(r.owner, r.name)}#${n}`)).filter((p): p is PullFacts => p !== undefined);
      const { page, link } = paginate(list, ctx);
      return withLink(200, page.map((p) => pullSimpleObject(site, p, repoFacts)), link);
    },
    "pulls/get": (ctx) => {
      const r = repoOf(ctx.params);
      const p = pulls.get(`${key(r.owner, r.name)}#${ctx.params.pull_number}`);
      if (!p) throw notFound();
      return { status: 200, body: pullObject(site, p, repoFacts) };
    },
    "actions/get-workflow-run": (ctx) => {
      const r = repoOf(ctx.params);
      const run = runs.get(`${key(r.owner, r.name)}@${ctx.params.run_id}`);
      if (!run) throw notFound();
      return { status: 200, body: workflowRunObject(site, run, r) };
    },
  };

  function violation(req: RecordedRequest, what: string): void {
    violations.push(`${req.method} ${req.path}${req.operationId ? ` (${req.operationId})` : ""}: ${what}`);
  }

  function dispatch(req: RecordedRequest, method: string, url: URL, rawBody: string, authorization: string | undefined): { reply: Reply; op: Operation | null } {
    const m = router.match(method, url.pathname);
    if (m.kind === "path-unknown") {
      violation(req, "no such path in GitHub's REST description");
      return { reply: notFound().reply, op: null };
    }
    if (m.kind === "method-unknown") {
      violation(req, `${m.route} has no ${method} operation in GitHub's REST description`);
      return { reply: notFound().reply, op: null };
    }
    const op = m.operation;
    req.operationId = op.operationId;
    const token = authorization ? tokens.get(authorization.replace(/^(token|bearer)\s+/i, "").trim()) : undefined;
    if (!token) return { reply: error(401, "Bad credentials").reply, op };
    let body: unknown;
    if (rawBody.trim() !== "") {
      try {
        body = JSON.parse(rawBody);
      } catch {
        violation(req, "the body is not JSON");
        return { reply: error(400, "Problems parsing JSON").reply, op };
      }
    }
    const checked = validateRequest(op, m.params, url, body);
    if (checked.problems.length > 0) {
      for (const p of checked.problems) violation(req, p);
      return { reply: error(422, `Invalid request.\n\n${checked.problems.join("\n")}`).reply, op };
    }
    const inj = injections.find((i) => i.left > 0 && i.inj.method.toUpperCase() === method && i.inj.route === op.route);
    if (inj) {
      inj.left--;
      return { reply: injectedReply(inj.inj), op };
    }
    if (method !== "GET" && method !== "HEAD" && token.readOnly) {
      return { reply: error(403, "Resource not accessible by integration").reply, op };
    }
    const handler = handlers[op.operationId];
    if (!handler) {
      violation(req, "the stand-in does not implement this operation");
      return { reply: error(501, `${op.operationId} is not implemented by the GitHub stand-in`).reply, op };
    }
    const ctx: Ctx = { op, params: checked.params, query: checked.query, body, token, userType: token.kind === "installation" ? "Bot" : "User", url };
    try {
      return { reply: handler(ctx), op };
    } catch (e) {
      if (e instanceof HttpError) return { reply: e.reply, op };
      throw e;
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const writing = req.method !== "GET" && req.method !== "HEAD";
    if (writing) maxConcurrentWrites = Math.max(maxConcurrentWrites, ++writesInFlight);
    inFlight++;
    try {
      await answer(req, res);
    } finally {
      inFlight--;
      if (writing) writesInFlight--;
    }
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", site.api + "/");
    const method = (req.method ?? "GET").toUpperCase();
    const authorization = req.headers.authorization;
    const login = authorization ? (tokens.get(authorization.replace(/^(token|bearer)\s+/i, "").trim())?.login ?? null) : null;
    let parsedForLog: unknown;
    try {
      parsedForLog = rawBody.trim() === "" ? undefined : JSON.parse(rawBody);
    } catch {
      parsedForLog = rawBody;
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parsedForLog,
      status: 0,
      operationId: null,
      login,
    };
    requests.push(record);
    standin.onRequest?.(record);
    let reply: Reply;
    let op: Operation | null = null;
    try {
      ({ reply, op } = dispatch(record, method, url, rawBody, authorization));
    } catch (e) {
      violation(record, `the stand-in failed: ${(e as Error).stack ?? String(e)}`);
      reply = { status: 500, body: { message: "Server Error", documentation_url: docs, status: "500" } };
    }
    let body = reply.body;
    if (op) {
      const ci = corruptions.findIndex((c) => c.method.toUpperCase() === method && c.route === op!.route);
      if (ci >= 0) body = corruptions.splice(ci, 1)[0]!.mutate(structuredClone(body));
      for (const p of validateResponse(op, reply.status, body)) violation(record, p);
    }
    record.status = reply.status;
    rateRemaining = Math.max(rateRemaining - 1, 0);
    const headers: Record<string, string> = {
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": `0000:${String(requests.length).padStart(4, "0")}`,
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(rateRemaining),
      "x-ratelimit-reset": String(Math.floor(clockStart / 1000) + 3600),
      "x-ratelimit-used": String(5000 - rateRemaining),
      "x-ratelimit-resource": "core",
      ...(reply.headers ?? {}),
    };
    if (body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
    res.writeHead(reply.status, headers);
    await new Promise<void>((resolve) => res.end(body === undefined ? undefined : JSON.stringify(body), () => resolve()));
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      violations.push(`the stand-in failed: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  site.api = `http://127.0.0.1:${port}`;

  const requireRepo = (owner: string, repo: string): RepoFacts => {
    const r = repos.get(key(owner, repo));
    if (!r) throw new Error(`GitHub stand-in: repository ${owner}/${repo} was not added (call addRepo first)`);
    return r;
  };

  const standin: Standin = {
    url: site.api,
    requests,
    violations,
    addRepo({ owner, name, defaultBranch }) {
      repos.set(key(owner, name), { owner, name, defaultBranch, fork: false });
    },
    addPull(p) {
      const r = requireRepo(p.owner, p.repo);
      const k = `${key(r.owner, r.name)}#${p.number}`;
      const prior = pulls.get(k);
      const at = now();
      pulls.set(k, {
        owner: r.owner,
        repo: r.name,
        number: p.number,
        headSha: p.headSha,
        headRef: p.headRef,
        baseRef: p.baseRef,
        baseSha: p.baseSha,
        state: p.state,
        merged: p.merged,
        mergeCommitSha: p.mergeCommitSha ?? null,
        headRepo: p.headRepo === undefined ? `${r.owner}/${r.name}` : p.headRepo,
        createdAt: prior?.createdAt ?? at,
        updatedAt: at,
        author: prior?.author ?? "octocat",
      });
      issues.add(k);
    },
    associateCommit(owner, repo, sha, prNumbers) {
      const r = requireRepo(owner, repo);
      associations.set(`${key(r.owner, r.name)}@${sha}`, [...prNumbers]);
    },
    addRun(owner, repo, runId, status, conclusion) {
      const r = requireRepo(owner, repo);
      runs.set(`${key(r.owner, r.name)}@${runId}`, { owner: r.owner, repo: r.name, id: runId, status, conclusion });
    },
    addComment(owner, repo, issue, body, login) {
      const r = requireRepo(owner, repo);
      issues.add(`${key(r.owner, r.name)}#${issue}`);
      const at = now();
      const c: CommentFacts = {
        id: nextCommentId++,
        owner: r.owner,
        repo: r.name,
        issue,
        body,
        login,
        userType: userTypeOf(login),
        viaApp: false,
        createdAt: at,
        updatedAt: at,
      };
      comments.set(c.id, c);
      return c.id;
    },
    comments(owner, repo, issue) {
      return [...comments.values()]
        .filter((c) => key(c.owner, c.repo) === key(owner, repo) && c.issue === issue)
        .sort((a, b) => a.id - b.id)
        .map((c) => commentObject(site, c));
    },
    deleteComment(id) {
      if (!comments.delete(id)) throw new Error(`GitHub stand-in: no comment ${id}`);
    },
    checkRuns(owner, repo, sha) {
      return checkRuns
        .filter((c) => key(c.owner, c.repo) === key(owner, repo) && c.headSha === sha)
        .sort((a, b) => b.id - a.id)
        .map((c) => checkRunObject(site, c, pullsOfHead(c.owner, c.repo, c.headSha)));
    },
    writes() {
      return requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
    },
    get inFlight() {
      return inFlight;
    },
    get maxConcurrentWrites() {
      return maxConcurrentWrites;
    },
    inject(inj) {
      // A misspelt route would never match and the test would pass without its failure.
      if (!restDescription().doc.paths[inj.route]?.[inj.method.toLowerCase()]) {
        throw new Error(`GitHub stand-in: inject for ${inj.method} ${inj.route}, an operation GitHub's description does not have (give the path template, e.g. /repos/{owner}/{repo}/check-runs)`);
      }
      injections.push({ inj, left: inj.times ?? 1 });
    },
    clearInjections() {
      injections.length = 0;
    },
    onRequest: null,
    setTokenReadOnly(token, on) {
      const t = tokens.get(token);
      if (!t) throw new Error("GitHub stand-in: setTokenReadOnly for a token it was not given");
      tokens.set(token, { ...t, readOnly: on });
    },
    corruptNextResponse(method, route, mutate) {
      corruptions.push({ method, route, mutate });
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return standin;
}
