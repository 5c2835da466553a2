/**
 * The code host on GitHub's REST API, through octokit with its retry and throttling plugins.
 *
 * - Retries: a 5xx, a failed or timed-out connection is retried with growing waits (1, 4,
 *   9 … seconds, or GitHub's `retry-after` when longer); a rate limit (429, or 403 with
 *   `x-ratelimit-remaining: 0` or a secondary-limit message) waits for `retry-after` or
 *   `x-ratelimit-reset`. Each at most `retries` times, and never longer than `maxWaitSeconds`
 *   per wait; then the call fails with a catalog error whose `kind` says why.
 * - Writes are serial: one queue per host (an upsert's read and write run as one step), and
 *   the throttling plugin spaces them as GitHub asks of integrations.
 * - Reads follow every page, 100 per page.
 * - Comments: only the token's own count. Its login comes from `GET /user`; an installation
 *   token gets 403 "Resource not accessible by integration" there and cannot learn its bot's
 *   login: the workflow's GITHUB_TOKEN writes as `github-actions[bot]`, a GitHub App's token
 *   as `<app-slug>[bot]`. Then a comment by `github-actions[bot]` is ours, else one by any
 *   bot account (never a person's), or by `login` when given.
 * - The token goes only into the `authorization` header: never into a message or a log line
 *   (octokit's logger is replaced by `log`, which is given no request objects).
 */
import Bottleneck from "bottleneck";
import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { catalog } from "../diag/index.js";
import { InternalError, type LexumError } from "../diag/diagnostic.js";
import { HostError } from "./host-error.js";
import { CHECK_OUTPUT_LIMIT, COMMENT_LIMIT } from "./types.js";
import type { CheckRunInput, CodeHost, HostComment, HostFailureKind, PullRequestRef, RecordedCheck, RunStatus, UpsertResult } from "./types.js";

export interface GitHubHostOptions {
  readonly token: string;
  /** The REST API's root, e.g. `https://api.github.com` (`GITHUB_API_URL`). */
  readonly apiUrl: string;
  /** `owner/name`. */
  readonly repository: string;
  /** How many times a 5xx, a failed connection or a rate limit is retried before the call fails (default 3). */
  readonly retries?: number;
  /** Where retries and octokit's warnings are reported, one line each (never the token); default nowhere. */
  readonly log?: (line: string) => void;
  /** Milliseconds in each second of wait GitHub asks for or a backoff computes (default 1000; tests shrink it). */
  readonly retryUnitMs?: number;
  /** The longest wait, in seconds, taken before a retry; a longer `retry-after` or rate-limit reset fails the call at once (default 120). */
  readonly maxWaitSeconds?: number;
  /** A request with no answer after this many milliseconds fails (and is retried) (default 60,000). */
  readonly timeoutMs?: number;
  /** The login the token comments as, when `GET /user` cannot say (a GitHub App's installation token: `<app-slug>[bot]`). */
  readonly login?: string;
}

/** Who an installation token (the workflow's GITHUB_TOKEN) writes as. */
export const INSTALLATION_LOGIN = "github-actions[bot]";

const GitHubOctokit = Octokit.plugin(restEndpointMethods, paginateRest, retry, throttling);
type Api = InstanceType<typeof GitHubOctokit>;

/** What a call was doing, for its error message: words, and the workflow permission it needs. */
interface Call {
  readonly what: string;
  readonly scope: string;
  readonly write: boolean;
}

/** The error octokit throws (a RequestError), as far as this module reads it. */
interface RequestFailure {
  readonly status: number;
  readonly message: string;
  readonly response?: { readonly headers: Record<string, string | number | undefined>; readonly data?: unknown };
  readonly request?: { readonly request?: { readonly retryCount?: number } };
}

// Statuses the retry plugin leaves alone: rate limits (429, and 403s) are the throttling plugin's.
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

export function createGitHubHost(o: GitHubHostOptions): CodeHost {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(o.repository);
  if (!m) throw fail(catalog.github.badRepository.error(o.repository), "invalid");
  const owner = m[1]!;
  const repo = m[2]!;
  const retries = o.retries ?? 3;
  const unit = o.retryUnitMs ?? 1000;
  const maxWait = o.maxWaitSeconds ?? 120;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const scrub = (s: string) => (o.token === "" ? s : s.split(o.token).join("***"));
  const log = (line: string) => o.log?.(scrub(line));
  const api = makeOctokit(o, { retries, unit, maxWait, timeoutMs, log, scrub });
  const repository = `${owner}/${repo}`;

  /** Runs `fn`, turning octokit's failure into a HostError that names the call. */
  const call = async <T>(c: Call, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw classify(e, c, { repository, retries, scrub });
    }
  };

  // One queue per host: each write waits for the one before it, failed or not.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };

  // null: an installation token, whose bot login its token cannot read.
  let me: Promise<string | null> | null = o.login ? Promise.resolve(o.login) : null;
  const identity = (): Promise<string | null> => {
    me ??= whoAmI(api, (e) => classify(e, { what: "read the token's login", scope: "no permission", write: false }, { repository, retries, scrub })).catch((e: unknown) => {
      me = null;
      throw e;
    });
    return me;
  };

  const findOwn = async (pr: number, key: string): Promise<HostComment | null> => {
    const login = await identity();
    const comments = await call({ what: `list the comments of pull request #${pr}`, scope: "`pull-requests: read`", write: false }, () =>
      api.paginate(api.rest.issues.listComments, { owner, repo, issue_number: pr, per_page: 100 }),
    );
    // GitHub lists oldest first: the first one is the one every earlier run edited.
    const keyed = comments.filter((c) => (c.body ?? "").startsWith(key));
    const own =
      login !== null
        ? keyed.find((c) => c.user?.login === login)
        : (keyed.find((c) => c.user?.login === INSTALLATION_LOGIN) ?? keyed.find((c) => c.user?.type === "Bot"));
    return own ? { id: Number(own.id), body: own.body ?? "", author: own.user?.login ?? null, url: own.html_url } : null;
  };

  const createComment = (pr: number, body: string) =>
    call({ what: `comment on pull request #${pr}`, scope: "`pull-requests: write`", write: true }, async () => {
      const r = await api.rest.issues.createComment({ owner, repo, issue_number: pr, body });
      return { action: "created", id: Number(r.data.id), url: r.data.html_url } as const;
    });

  return {
    findComment: (pr, key) => findOwn(pr, key),

    upsertComment: (pr, key, body, same = (existing: string) => existing === body) =>
      serial(async (): Promise<UpsertResult> => {
        if (!body.startsWith(key)) throw new InternalError(`the comment for pull request #${pr} does not start with its key`);
        const chars = codePoints(body);
        if (chars > COMMENT_LIMIT) throw fail(catalog.github.commentTooLong.error(pr, chars, COMMENT_LIMIT), "invalid");
        const found = await findOwn(pr, key);
        if (found === null) return createComment(pr, body);
        if (same(found.body)) return { action: "unchanged", id: found.id, url: found.url };
        try {
          return await call({ what: `edit comment ${found.id} on pull request #${pr}`, scope: "`pull-requests: write`", write: true }, async () => {
            const r = await api.rest.issues.updateComment({ owner, repo, comment_id: found.id, body });
            return { action: "updated", id: Number(r.data.id), url: r.data.html_url } as const;
          });
        } catch (e) {
          // Deleted between the listing and the edit: write it again.
          if (e instanceof HostError && e.kind === "not-found") {
            log(`GitHub: comment ${found.id} on pull request #${pr} is gone; writing a new one`);
            return createComment(pr, body);
          }
          throw e;
        }
      }),

    createCheckRun: (check: CheckRunInput) =>
      serial(async () => {
        for (const [field, text] of [["summary", check.summary], ["text", check.text ?? ""]] as const) {
          const chars = codePoints(text);
          if (chars > CHECK_OUTPUT_LIMIT) throw fail(catalog.github.checkOutputTooLong.error(field, chars, CHECK_OUTPUT_LIMIT), "invalid");
        }
        return call({ what: `create check run "${check.name}" on commit ${check.headSha}`, scope: "`checks: write`", write: true }, async () => {
          const r = await api.rest.checks.create({
            owner,
            repo,
            name: check.name,
            head_sha: check.headSha,
            external_id: check.externalId,
            status: "completed",
            conclusion: check.conclusion,
            output: { title: check.title, summary: check.summary, ...(check.text !== undefined ? { text: check.text } : {}) },
          });
          return { id: Number(r.data.id), url: r.data.html_url ?? r.data.url };
        });
      }),

    listCheckRuns: async (sha, name): Promise<RecordedCheck[]> => {
      const runs = await call({ what: `list the check runs "${name}" of commit ${sha}`, scope: "`checks: read`", write: false }, () =>
        // filter=all: every run of that name, not only the latest.
        api.paginate(api.rest.checks.listForRef, { owner, repo, ref: sha, check_name: name, filter: "all", per_page: 100 }),
      );
      return runs
        .filter((r) => r.name === name)
        .map((r) => ({ id: Number(r.id), name: r.name, headSha: r.head_sha, externalId: r.external_id ?? null, status: r.status, conclusion: r.conclusion ?? null }))
        .sort((a, b) => b.id - a.id); // ids grow with creation: newest first
    },

    pullsForCommit: async (sha) => {
      const pulls = await call({ what: `find the pull requests of commit ${sha}`, scope: "`contents: read`", write: false }, () =>
        api.paginate(api.rest.repos.listPullRequestsAssociatedWithCommit, { owner, repo, commit_sha: sha, per_page: 100 }),
      );
      return pulls.map(pullRef);
    },

    getPull: (number) =>
      call({ what: `read pull request #${number}`, scope: "`pull-requests: read`", write: false }, async () => {
        const r = await api.rest.pulls.get({ owner, repo, pull_number: number });
        return pullRef(r.data);
      }),

    runStatus: async (runId): Promise<RunStatus | null> => {
      try {
        return await call({ what: `read workflow run ${runId}`, scope: "`actions: read`", write: false }, async () => {
          const r = await api.rest.actions.getWorkflowRun({ owner, repo, run_id: runId });
          return { status: r.data.status ?? "unknown", conclusion: r.data.conclusion ?? null };
        });
      } catch (e) {
        // Without `actions: read` GitHub answers 403 (or 404): the caller then judges by age.
        if (e instanceof HostError && (e.kind === "permissions" || e.kind === "not-found" || (e.kind === "other" && e.status === 403))) {
          log(`GitHub: cannot read workflow run ${runId} (${e.status}); give the job \`actions: read\` to let the apply lock tell a finished run`);
          return null;
        }
        throw e;
      }
    },
  };
}

interface Tuning {
  readonly retries: number;
  readonly unit: number;
  readonly maxWait: number;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  readonly scrub: (s: string) => string;
}

function makeOctokit(o: GitHubHostOptions, t: Tuning): Api {
  // octokit's logger would print objects; these lines carry only strings, scrubbed.
  const line = (level: string) => (message: unknown, ...rest: unknown[]) => {
    const extra = rest.map((r) => (r instanceof Error ? r.message : "")).filter((s) => s !== "");
    t.log(`GitHub ${level}: ${typeof message === "string" ? message : message instanceof Error ? message.message : "(details withheld)"}${extra.length ? ` (${extra.join("; ")})` : ""}`);
  };
  const quiet = { debug: () => undefined, info: line("info"), warn: line("warning"), error: line("error") };
  const onLimit = (kind: string) => (after: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
    const again = retryCount < t.retries && after <= t.maxWait;
    t.log(
      `GitHub: ${kind} on ${options.method} ${options.url}: ${
        again ? `retrying in ${after} s (retry ${retryCount + 1} of ${t.retries})` : after > t.maxWait ? `it asks to wait ${after} s, longer than ${t.maxWait} s: giving up` : `giving up after ${t.retries} retries`
      }`,
    );
    return again;
  };
  const api = new GitHubOctokit({
    auth: o.token,
    baseUrl: o.apiUrl.replace(/\/+$/, ""),
    userAgent: "lexum",
    log: quiet,
    request: { fetch: timedFetch(t.timeoutMs), log: quiet },
    retry: { retries: t.retries, retryAfterBaseValue: t.unit, doNotRetry: DO_NOT_RETRY },
    throttle: {
      id: `lexum ${o.repository}`,
      // Writes are already serial and a run makes a handful; the plugin's default second
      // between writes would only add time. The spacing between new comments (notifications)
      // stays as GitHub asks, and every rate limit is still honoured by the handlers below.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      retryAfterBaseValue: t.unit,
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
    },
  });
  // The retry plugin backs off 1, 4, 9 … s on a 5xx; GitHub's `retry-after`, when longer, wins.
  const backoff = api.retry.retryRequest;
  api.retry.retryRequest = (error, allowed, after) => {
    const f = error as unknown as RequestFailure;
    const asked = retryAfterSeconds(f);
    const wait = asked !== null && asked > after ? asked : after;
    const attempt = f.request?.request?.retryCount ?? 0;
    if (wait > t.maxWait) {
      t.log(`GitHub: ${describe(f, t.scrub)}: it asks to wait ${wait} s, longer than ${t.maxWait} s: giving up`);
      return backoff(error, 0, wait);
    }
    if (attempt < allowed) t.log(`GitHub: ${describe(f, t.scrub)}: retrying in ${wait} s (retry ${attempt + 1} of ${allowed})`);
    return backoff(error, allowed, wait);
  };
  return api;
}

/** fetch with a deadline: a connection that hangs fails like a reset one, and is retried. */
function timedFetch(ms: number): typeof fetch {
  return (url, init) => {
    const deadline = AbortSignal.timeout(ms);
    return fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}

async function whoAmI(api: Api, classifyError: (e: unknown) => Error): Promise<string | null> {
  try {
    const r = await api.rest.users.getAuthenticated();
    return r.data.login;
  } catch (e) {
    // An installation token (GITHUB_TOKEN, a GitHub App's) may not read /user.
    if (isFailure(e) && e.status === 403 && /Resource not accessible by integration/i.test(replyOf(e, (s) => s))) return null;
    throw classifyError(e);
  }
}

function pullRef(p: {
  number: number;
  state: string;
  merged?: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string; repo: { full_name: string } | null };
  base: { ref: string };
}): PullRequestRef {
  return {
    number: p.number,
    headSha: p.head.sha,
    baseRef: p.base.ref,
    state: p.state === "open" ? "open" : "closed",
    // The commit's pull requests list carries no `merged`; `merged_at` says the same.
    merged: p.merged ?? p.merged_at !== null,
    mergeCommitSha: p.merge_commit_sha ?? null,
    headRepo: p.head.repo?.full_name ?? null,
  };
}

function fail(e: LexumError, kind: HostFailureKind, status?: number): HostError {
  return new HostError(e, kind, status);
}

function isFailure(e: unknown): e is RequestFailure {
  return e instanceof Error && typeof (e as { status?: unknown }).status === "number";
}

/** Octokit's failure as a catalog error with its kind. */
function classify(e: unknown, c: Call, ctx: { repository: string; retries: number; scrub: (s: string) => string }): Error {
  if (e instanceof HostError || !isFailure(e)) return e instanceof Error ? e : new Error(String(e));
  const g = catalog.github;
  const status = e.status;
  const reply = replyOf(e, ctx.scrub);
  if (e.response === undefined) {
    // No answer at all: a refused or reset connection, or the deadline (octokit says 500).
    return fail(g.unavailable.error(c.what, `no answer (${reply})`, ctx.retries), "unavailable");
  }
  if (status === 401) return fail(g.unauthorized.error(c.what, reply), "unauthorized", status);
  if (status === 429 || (status === 403 && (header(e, "x-ratelimit-remaining") === "0" || /rate limit/i.test(reply)))) {
    return fail(g.rateLimited.error(c.what, `${status} ${reply}`, resetsOf(e), ctx.retries), "rate-limited", status);
  }
  if (status === 403) {
    if (/Resource not accessible by (integration|personal access token)/i.test(reply)) return fail(g.permissions.error(c.what, c.scope, reply), "permissions", status);
    if (/must authenticate via a GitHub App/i.test(reply)) return fail(g.needsAppToken.error(c.what), "permissions", status);
    if (c.write) return fail(g.readOnly.error(c.what, reply), "read-only", status);
    return fail(g.unexpected.error(c.what, status, reply), "other", status);
  }
  if (status === 404 || status === 410) return fail(g.notFound.error(c.what, ctx.repository), "not-found", status);
  if (status === 422) return fail(g.refused.error(c.what, reply), "invalid", status);
  if (status >= 500) return fail(g.unavailable.error(c.what, `${status} ${reply}`, ctx.retries), "unavailable", status);
  return fail(g.unexpected.error(c.what, status, reply), "other", status);
}

/** GitHub's own reason: its `message`, and each of its `errors`. */
function replyOf(e: RequestFailure, scrub: (s: string) => string): string {
  const data = e.response?.data;
  let text = e.message;
  if (typeof data === "object" && data !== null) {
    const d = data as { message?: unknown; errors?: unknown };
    if (typeof d.message === "string") text = d.message;
    if (Array.isArray(d.errors) && d.errors.length > 0) {
      const details = d.errors.map((x: unknown) =>
        typeof x === "string" ? x : typeof x === "object" && x !== null ? String((x as { message?: unknown }).message ?? `${(x as { field?: unknown }).field ?? ""} ${(x as { code?: unknown }).code ?? ""}`.trim()) : String(x),
      );
      text = `${text}: ${details.join("; ")}`;
    }
  } else if (typeof data === "string" && data.trim() !== "") {
    text = data.trim().slice(0, 200);
  }
  return scrub(text);
}

function header(e: RequestFailure, name: string): string | undefined {
  const v = e.response?.headers[name];
  return v === undefined ? undefined : String(v);
}

function retryAfterSeconds(e: RequestFailure): number | null {
  const v = Number(header(e, "retry-after"));
  return header(e, "retry-after") !== undefined && Number.isFinite(v) && v >= 0 ? Math.ceil(v) : null;
}

/** When a rate limit lifts, as GitHub said it (no clock is read). */
function resetsOf(e: RequestFailure): string | null {
  const reset = Number(header(e, "x-ratelimit-reset"));
  if (header(e, "x-ratelimit-reset") !== undefined && Number.isFinite(reset) && reset > 0) return `it resets at ${new Date(reset * 1000).toISOString()}`;
  const after = retryAfterSeconds(e);
  return after !== null ? `GitHub asked to wait ${after} s` : null;
}

function describe(e: RequestFailure, scrub: (s: string) => string): string {
  return e.response === undefined ? `no answer (${scrub(e.message)})` : `answered ${e.status} (${replyOf(e, scrub)})`;
}

/** Characters as GitHub counts them (code points, not UTF-16 units). */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
