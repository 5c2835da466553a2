import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HostError } from "../../src/host/host-error.js";
import { createGitHubHost, type GitHubHostOptions } from "../../src/host/github.js";
import { COMMENT_LIMIT, type CodeHost } from "../../src/host/types.js";
import { startGitHubStandin, type Standin } from "../github/standin.js";

// Distinctive tokens: every error message and log line is searched for them.
const APP_TOKEN = "ghs_AppT0kenNeverPrinted0123456789abcdef";
const USER_TOKEN = "ghp_UserT0kenNeverPrinted0123456789abcde";
const FORK_TOKEN = "ghs_ForkT0kenNeverPrinted0123456789abcde";
const TOKENS = [APP_TOKEN, USER_TOKEN, FORK_TOKEN];
const BOT = "github-actions[bot]";
const OWNER = "acme";
const KEY = "<!-- lexum:plan infra -->";


let gh: Standin;
let logs: string[];
let errors: unknown[];
let repoCount = 0;
let repo: string;

beforeEach(async () => {
  gh = await startGitHubStandin({
    tokens: [
      { token: APP_TOKEN, login: BOT, kind: "installation" },
      { token: USER_TOKEN, login: "octocat", kind: "user" },
      { token: FORK_TOKEN, login: BOT, kind: "installation", readOnly: true },
    ],
  });
  // A repository per test: the throttling plugin paces writes per repository, so tests do not wait on each other.
  repo = `infra${++repoCount}`;
  gh.addRepo({ owner: OWNER, name: repo, defaultBranch: "main" });
  logs = [];
  errors = [];
});

afterEach(async () => {
  expect(gh.violations).toEqual([]);
  const printed = [...logs, ...errors.map((e) => (e instanceof Error ? `${e.message} ${(e as HostError).hint ?? ""}` : String(e)))];
  for (const line of printed) for (const t of TOKENS) expect(line).not.toContain(t);
  for (const r of gh.requests) for (const t of TOKENS) expect(JSON.stringify([r.path, r.query, r.body])).not.toContain(t);
  await gh.close();
});

function host(o: Partial<GitHubHostOptions> = {}): CodeHost {
  return createGitHubHost({ token: APP_TOKEN, apiUrl: gh.url, repository: `${OWNER}/${repo}`, retryUnitMs: 1, log: (l) => logs.push(l), ...o });
}

/** The error a call rejects with (the test fails when it resolves). */
async function failure(p: Promise<unknown>): Promise<HostError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HostError);
  errors.push(e);
  return e as HostError;
}

/** An open pull request from a branch of the repository itself. */
function pull(number: number, headSha: string, more: Partial<Parameters<Standin["addPull"]>[0]> = {}): void {
  gh.addPull({ owner: OWNER, repo, number, headSha, headRef: `feature-${number}`, baseRef: "main", baseSha: "0".repeat(40), state: "open", merged: false, ...more });
}

const bodies = (issue: number) => gh.comments(OWNER, repo, issue).map((c: { body: string }) => c.body);
const writes = () => gh.writes().length;

describe("upsertComment", () => {
  it("creates, edits in place, writes nothing when unchanged, and recreates a deleted comment", async () => {
    pull(7, "a".repeat(40));
    const h = host();
    const created = await h.upsertComment(7, KEY, `${KEY}\nPlan: 1 to create, 0 to update, 0 to delete.`);
    expect(created.action).toBe("created");
    expect(bodies(7)).toEqual([`${KEY}\nPlan: 1 to create, 0 to update, 0 to delete.`]);
    expect(gh.comments(OWNER, repo, 7)[0].user.login).toBe(BOT);

    const updated = await h.upsertComment(7, KEY, `${KEY}\nPlan: 2 to create, 0 to update, 0 to delete.`);
    expect(updated).toMatchObject({ action: "updated", id: created.id });
    expect(gh.writes().map((w) => `${w.method} ${w.operationId}`)).toEqual(["POST issues/create-comment", "PATCH issues/update-comment"]);
    expect(bodies(7)).toEqual([`${KEY}\nPlan: 2 to create, 0 to update, 0 to delete.`]);

    const before = writes();
    const same = await h.upsertComment(7, KEY, `${KEY}\nPlan: 2 to create, 0 to update, 0 to delete.`);
    expect(same).toMatchObject({ action: "unchanged", id: created.id });
    expect(writes()).toBe(before);

    gh.deleteComment(created.id);
    const again = await h.upsertComment(7, KEY, `${KEY}\nPlan: 3 to create, 0 to update, 0 to delete.`);
    expect(again.action).toBe("created");
    expect(again.id).not.toBe(created.id);
    expect(bodies(7)).toEqual([`${KEY}\nPlan: 3 to create, 0 to update, 0 to delete.`]);
  });

  it("writes a new comment when its own was deleted between the listing and the edit", async () => {
    pull(8, "b".repeat(40));
    const h = host();
    const first = await h.upsertComment(8, KEY, `${KEY}\nold`);
    // GitHub answers 404 to the edit of a comment deleted after the listing.
    gh.inject({ method: "PATCH", route: "/repos/{owner}/{repo}/issues/comments/{comment_id}", status: 404, times: 1 });
    const r = await h.upsertComment(8, KEY, `${KEY}\nnew`);
    expect(r.action).toBe("created");
    expect(r.id).not.toBe(first.id);
    expect(bodies(8)).toEqual([`${KEY}\nold`, `${KEY}\nnew`]);
    expect(logs.some((l) => /is gone; writing a new one/.test(l))).toBe(true);
  });

  it("ignores others' comments that carry the marker (user token: the login from GET /user)", async () => {
    pull(9, "c".repeat(40));
    gh.addComment(OWNER, repo, 9, `${KEY}\nforged by someone else`, "mallory");
    gh.addComment(OWNER, repo, 9, `${KEY}\nwritten by the workflow`, BOT);
    const h = host({ token: USER_TOKEN });
    expect(await h.findComment(9, KEY)).toBeNull();
    const r = await h.upsertComment(9, KEY, `${KEY}\nmine`);
    expect(r.action).toBe("created");
    expect(bodies(9)).toEqual([`${KEY}\nforged by someone else`, `${KEY}\nwritten by the workflow`, `${KEY}\nmine`]);
    expect(await h.findComment(9, KEY)).toMatchObject({ id: r.id, author: "octocat", body: `${KEY}\nmine` });
  });

  it("an installation token takes a bot's keyed comment as its own when github-actions[bot] has none (a GitHub App's token), never a person's", async () => {
    pull(13, "f".repeat(40));
    gh.addComment(OWNER, repo, 13, `${KEY}\nforged`, "mallory");
    gh.addComment(OWNER, repo, 13, `${KEY}\nby the app`, "lexum-app[bot]");
    const found = await host().findComment(13, KEY);
    expect(found).toMatchObject({ author: "lexum-app[bot]", body: `${KEY}\nby the app` });
    pull(14, "e".repeat(40));
    gh.addComment(OWNER, repo, 14, `${KEY}\nforged`, "mallory");
    expect(await host().findComment(14, KEY)).toBeNull();
  });

  it("an installation token's own comments are github-actions[bot]'s (GET /user answers 403)", async () => {
    pull(10, "d".repeat(40));
    gh.addComment(OWNER, repo, 10, `${KEY}\nforged`, "mallory");
    gh.addComment(OWNER, repo, 10, `${KEY}\nours`, BOT);
    const found = await host().findComment(10, KEY);
    expect(found).toMatchObject({ author: BOT, body: `${KEY}\nours` });
    const r = await host().upsertComment(10, KEY, `${KEY}\nours, edited`);
    expect(r).toMatchObject({ action: "updated", id: found!.id });
    expect(bodies(10)).toEqual([`${KEY}\nforged`, `${KEY}\nours, edited`]);
  });

  it("finds its comment on page 2, behind 150 others' comments (per_page 100)", async () => {
    pull(11, "e".repeat(40));
    for (let i = 0; i < 150; i++) gh.addComment(OWNER, repo, 11, `${i % 3 === 0 ? KEY : "lgtm"} #${i}`, `reviewer${i % 5}`);
    gh.addComment(OWNER, repo, 11, `${KEY}\nours`, BOT);
    const r = await host().upsertComment(11, KEY, `${KEY}\nours, edited`);
    expect(r.action).toBe("updated");
    expect(bodies(11)).toHaveLength(151);
    expect(bodies(11)[150]).toBe(`${KEY}\nours, edited`);
    const lists = gh.requests.filter((q) => q.method === "GET" && q.path.endsWith("/issues/11/comments"));
    expect(lists.map((q) => q.query)).toEqual([{ per_page: "100" }, { per_page: "100", page: "2" }]);
  });

  it("finds its comment past the 30 a tool that does not paginate would see", async () => {
    pull(12, "f".repeat(40));
    for (let i = 0; i < 35; i++) gh.addComment(OWNER, repo, 12, `comment ${i}`, "reviewer");
    gh.addComment(OWNER, repo, 12, `${KEY}\nours`, BOT);
    expect(await host().upsertComment(12, KEY, `${KEY}\nours`)).toMatchObject({ action: "unchanged" });
  });

  it("refuses a body over 65,536 characters without a request, and sends one of exactly 65,536", async () => {
    pull(13, "1".repeat(40));
    const h = host();
    const before = gh.requests.length;
    const e = await failure(h.upsertComment(13, KEY, KEY + "x".repeat(COMMENT_LIMIT + 1 - KEY.length)));
    expect(e.kind).toBe("invalid");
    expect(e.code).toBe("LXM6007");
    expect(e.message).toContain("65537 characters");
    expect(gh.requests.length).toBe(before);
    const ok = await h.upsertComment(13, KEY, KEY + "x".repeat(COMMENT_LIMIT - KEY.length));
    expect(ok.action).toBe("created");
    expect(bodies(13)[0]).toHaveLength(COMMENT_LIMIT);
  });

  it("runs writes one at a time: two concurrent upserts of one key leave one comment", async () => {
    pull(14, "2".repeat(40));
    const h = host();
    const [a, b] = await Promise.all([
      h.upsertComment(14, KEY, `${KEY}\nfirst`),
      h.upsertComment(14, KEY, `${KEY}\nsecond`),
      h.createCheckRun({ name: "lexum plan", headSha: "2".repeat(40), externalId: "x", conclusion: "success", title: "t", summary: "s" }),
    ]);
    expect(a.action).toBe("created");
    expect(b).toMatchObject({ action: "updated", id: a.id });
    expect(bodies(14)).toEqual([`${KEY}\nsecond`]);
    expect(gh.writes()).toHaveLength(3);
    expect(gh.maxConcurrentWrites).toBe(1);
  });
});

describe("check runs", () => {
  it("creates completed check runs and lists those of a name newest first, with external_id", async () => {
    const sha = "3".repeat(40);
    const h = host();
    const one = await h.createCheckRun({ name: "lexum plan", headSha: sha, externalId: "lexum/v1 plan=sha256:1", conclusion: "success", title: "Plan: 1 to create, 0 to update, 0 to delete.", summary: "first" });
    await h.createCheckRun({ name: "lexum plan (other)", headSha: sha, externalId: "lexum/v1 plan=sha256:x", conclusion: "success", title: "t", summary: "s" });
    const two = await h.createCheckRun({ name: "lexum plan", headSha: sha, externalId: "lexum/v1 failed", conclusion: "failure", title: "2 errors", summary: "second", text: "details" });
    expect(two.id).not.toBe(one.id);
    const runs = await h.listCheckRuns(sha, "lexum plan");
    expect(runs).toEqual([
      { id: two.id, name: "lexum plan", headSha: sha, externalId: "lexum/v1 failed", status: "completed", conclusion: "failure" },
      { id: one.id, name: "lexum plan", headSha: sha, externalId: "lexum/v1 plan=sha256:1", status: "completed", conclusion: "success" },
    ]);
    const stored = gh.checkRuns(OWNER, repo, sha);
    expect(stored).toHaveLength(3);
    expect(await h.listCheckRuns("4".repeat(40), "lexum plan")).toEqual([]);
  });
});

describe("pull requests and runs", () => {
  it("maps the pull requests of a commit and a pull request", async () => {
    const merge = "5".repeat(40);
    pull(21, "6".repeat(40), { state: "closed", merged: true, mergeCommitSha: merge });
    pull(22, "7".repeat(40), { headRepo: "someone/fork" });
    gh.associateCommit(OWNER, repo, merge, [21]);
    const h = host();
    expect(await h.pullsForCommit(merge)).toEqual([
      { number: 21, headSha: "6".repeat(40), baseRef: "main", state: "closed", merged: true, mergeCommitSha: merge, headRepo: `${OWNER}/${repo}` },
    ]);
    expect(await h.getPull(22)).toEqual({ number: 22, headSha: "7".repeat(40), baseRef: "main", state: "open", merged: false, mergeCommitSha: null, headRepo: "someone/fork" });
    expect(await h.pullsForCommit("8".repeat(40))).toEqual([]);
    const e = await failure(h.getPull(99));
    expect(e.kind).toBe("not-found");
  });

  it("reads a workflow run's status, and null when the run is not there", async () => {
    gh.addRun(OWNER, repo, 4242, "in_progress", null);
    gh.addRun(OWNER, repo, 4243, "completed", "success");
    const h = host();
    expect(await h.runStatus(4242)).toEqual({ status: "in_progress", conclusion: null });
    expect(await h.runStatus(4243)).toEqual({ status: "completed", conclusion: "success" });
    expect(await h.runStatus(999)).toBeNull();
  });

  it("null when the token may not read Actions (403)", async () => {
    gh.addRun(OWNER, repo, 4244, "in_progress", null);
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/actions/runs/{run_id}", status: 403, message: "Resource not accessible by integration" });
    expect(await host().runStatus(4244)).toBeNull();
  });
});

describe("retries and failures", () => {
  it("a 429 with retry-after is retried and succeeds", async () => {
    const sha = "9".repeat(40);
    gh.inject({ method: "POST", route: "/repos/{owner}/{repo}/check-runs", status: 429, retryAfter: 1, times: 1 });
    const r = await host().createCheckRun({ name: "lexum plan", headSha: sha, externalId: "x", conclusion: "success", title: "t", summary: "s" });
    expect(gh.checkRuns(OWNER, repo, sha).map((c) => c.id)).toEqual([r.id]);
    expect(gh.requests.filter((q) => q.method === "POST" && q.path.endsWith("/check-runs"))).toHaveLength(2);
    expect(logs.some((l) => /rate limit .*retrying in 1 s/.test(l))).toBe(true);
  });

  it("a 502 once is retried", async () => {
    pull(31, "a".repeat(40));
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}", status: 502, retryAfter: 1, times: 1 });
    expect((await host().getPull(31)).number).toBe(31);
    expect(gh.requests.filter((q) => q.path.endsWith("/pulls/31"))).toHaveLength(2);
    expect(logs.some((l) => /answered 502.*retrying/.test(l))).toBe(true);
  });

  it("a persistent 503 fails as unavailable, after the retries allowed", async () => {
    pull(32, "b".repeat(40));
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}", status: 503, times: 100 });
    const e = await failure(host({ retries: 2 }).getPull(32));
    expect(e.kind).toBe("unavailable");
    expect(e.code).toBe("LXM6003");
    expect(e.message).toMatch(/GitHub is unavailable: the call to read pull request #32 failed with 503/);
    expect(e.hint).toContain("retried 2 times");
    expect(gh.requests.filter((q) => q.path.endsWith("/pulls/32"))).toHaveLength(3);
  });

  it("a secondary rate limit that persists fails as rate-limited, saying when to retry", async () => {
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/commits/{commit_sha}/pulls", status: 429, retryAfter: 1, times: 100 });
    const e = await failure(host({ retries: 1 }).pullsForCommit("c".repeat(40)));
    expect(e.kind).toBe("rate-limited");
    expect(e.message).toMatch(/rate limit/);
    expect(e.message).toMatch(/GitHub asked to wait 1 s|resets at/);
  });

  it("403 Resource not accessible by integration on a write names the permissions block", async () => {
    gh.inject({ method: "POST", route: "/repos/{owner}/{repo}/check-runs", status: 403, message: "Resource not accessible by integration" });
    const e = await failure(host().createCheckRun({ name: "lexum plan", headSha: "d".repeat(40), externalId: "x", conclusion: "success", title: "t", summary: "s" }));
    expect(e.kind).toBe("permissions");
    expect(e.code).toBe("LXM6000");
    expect(e.message).toContain("checks: write");
    for (const scope of ["contents: write", "pull-requests: write", "checks: write", "actions: read"]) expect(e.hint).toContain(scope);
  });

  it("a read-only token (a pull request from a fork): kind permissions, since GitHub answers it like a missing scope", async () => {
    pull(33, "e".repeat(40));
    const h = host({ token: FORK_TOKEN });
    // Reads work.
    expect(await h.findComment(33, KEY)).toBeNull();
    const e = await failure(h.upsertComment(33, KEY, `${KEY}\nplan`));
    expect(e.kind).toBe("permissions");
    expect(e.message).toContain("pull-requests: write");
    expect(bodies(33)).toEqual([]);
  });

  it("401: unauthorized", async () => {
    const e = await failure(host({ token: "ghs_UnknownT0ken" }).getPull(1));
    expect(e.kind).toBe("unauthorized");
    expect(e.code).toBe("LXM6004");
    expect(e.message).not.toContain("ghs_UnknownT0ken");
  });

  it("422: invalid, with GitHub's message", async () => {
    const e = await failure(host().createCheckRun({ name: "lexum plan", headSha: "not-a-commit", externalId: "x", conclusion: "success", title: "t", summary: "s" }));
    expect(e.kind).toBe("invalid");
    expect(e.code).toBe("LXM6006");
    expect(e.message).toContain("(422 Validation Failed: No commit found for SHA: not-a-commit)");
  });

  it("a personal access token may not create check runs: kind permissions, saying a GitHub App token is needed", async () => {
    const e = await failure(host({ token: USER_TOKEN }).createCheckRun({ name: "lexum plan", headSha: "f".repeat(40), externalId: "x", conclusion: "success", title: "t", summary: "s" }));
    expect(e.kind).toBe("permissions");
    expect(e.code).toBe("LXM6011");
    expect(e.hint).toContain("github-token");
  });

  it("the primary rate limit: waits for x-ratelimit-reset and retries", async () => {
    pull(34, "a".repeat(40));
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}", status: 403, kind: "primary", retryAfter: 1 });
    expect((await host().getPull(34)).number).toBe(34);
    expect(gh.requests.filter((q) => q.path.endsWith("/pulls/34"))).toHaveLength(2);
    expect(logs.some((l) => /GitHub: rate limit on GET .*retrying in \d+ s \(retry 1 of 3\)/.test(l))).toBe(true);
  });

  it("a primary rate limit that resets in an hour fails at once as rate-limited, saying when it resets", async () => {
    pull(35, "a".repeat(40));
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}", status: 429, kind: "primary", retryAfter: 3600 });
    const e = await failure(host().getPull(35));
    expect(e.kind).toBe("rate-limited");
    expect(e.code).toBe("LXM6002");
    expect(e.message).toMatch(/\(429 API rate limit exceeded for installation ID 1\.\); it resets at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(gh.requests.filter((q) => q.path.endsWith("/pulls/35"))).toHaveLength(1);
  });
});

describe("without the stand-in", () => {
  it("a request with no answer times out, is retried, and fails as unavailable", async () => {
    let seen = 0;
    const sockets = new Set<import("node:net").Socket>();
    const silent = http.createServer(() => void seen++);
    silent.on("connection", (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const h = createGitHubHost({ token: APP_TOKEN, apiUrl: url, repository: "acme/infra", retries: 1, retryUnitMs: 1, timeoutMs: 200, log: (l) => logs.push(l) });
      const e = await failure(h.getPull(1));
      expect(e.kind).toBe("unavailable");
      expect(e.message).toMatch(/no answer/);
      expect(seen).toBe(2);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("a token GitHub quotes back is masked in the message and the log", async () => {
    const echo = http.createServer((req, res) => {
      // A deprecation header makes octokit warn: the warning must reach `log`, not the console.
      res.writeHead(req.method === "GET" ? 502 : 422, { "content-type": "application/json", deprecation: "true", sunset: "2030-01-01" });
      res.end(JSON.stringify({ message: `token ${String(req.headers.authorization).replace(/^token /, "")} is odd` }));
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const h = createGitHubHost({ token: APP_TOKEN, apiUrl: url, repository: "acme/infra", retries: 1, retryUnitMs: 1, log: (l) => logs.push(l) });
      const warn = vi.spyOn(console, "warn");
      const e = await failure(h.getPull(1)).finally(() => warn.mockRestore());
      expect(warn).not.toHaveBeenCalled();
      expect(logs.some((l) => /GitHub warning: .*is deprecated/.test(l))).toBe(true);
      expect(e.kind).toBe("unavailable");
      expect(e.message).toContain("token *** is odd");
      expect(logs.some((l) => l.includes("token *** is odd"))).toBe(true);
      const c = await failure(h.createCheckRun({ name: "n", headSha: "0".repeat(40), externalId: "x", conclusion: "success", title: "t", summary: "s" }));
      expect(c.kind).toBe("invalid");
      expect(c.message).toContain("token *** is odd");
    } finally {
      await new Promise((r) => echo.close(r));
    }
  });

  it("a repository that is not owner/name is refused", () => {
    let e: unknown;
    try {
      createGitHubHost({ token: APP_TOKEN, apiUrl: "http://127.0.0.1:1", repository: "acme" });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(HostError);
    expect((e as HostError).code).toBe("LXM6009");
  });
});
