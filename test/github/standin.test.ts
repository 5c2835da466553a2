import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startGitHubStandin, type Standin } from "./standin.js";

const BOT = "ghs_botTokenForTests0001";
const USER = "ghp_userTokenForTests0001";
const FORK = "ghs_forkTokenForTests0001";
const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);
const MERGE = "c".repeat(40);

let gh: Standin;

beforeEach(async () => {
  gh = await startGitHubStandin({
    tokens: [
      { token: BOT, login: "github-actions[bot]", kind: "installation" },
      { token: USER, login: "octo-user", kind: "user" },
      { token: FORK, login: "github-actions[bot]", kind: "installation", readOnly: true },
    ],
  });
  gh.addRepo({ owner: "acme", name: "infra", defaultBranch: "main" });
  gh.addPull({ owner: "acme", repo: "infra", number: 7, headSha: HEAD, headRef: "feature", baseRef: "main", baseSha: BASE, state: "open", merged: false });
});

afterEach(async () => {
  await gh.close();
});

async function call(method: string, path: string, opts: { token?: string | null; body?: unknown } = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { accept: "application/vnd.github+json" };
  const token = opts.token === undefined ? BOT : opts.token;
  if (token !== null) headers.authorization = `token ${token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${gh.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) };
}

const commentsPath = "/repos/acme/infra/issues/7/comments";

describe("the GitHub stand-in", () => {
  test("creates, lists, edits and deletes a comment with complete objects", async () => {
    const created = await call("POST", commentsPath, { body: { body: "hello" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ body: "hello", user: { login: "github-actions[bot]", type: "Bot" } });
    expect(created.headers.get("location")).toBe(created.body.url);
    const id = created.body.id as number;
    const edited = await call("PATCH", `/repos/acme/infra/issues/comments/${id}`, { body: { body: "edited" } });
    expect(edited.status).toBe(200);
    expect(edited.body.body).toBe("edited");
    expect(edited.body.updated_at > edited.body.created_at).toBe(true);
    expect(gh.comments("acme", "infra", 7).map((c) => [c.id, c.body])).toEqual([[id, "edited"]]);
    expect((await call("DELETE", `/repos/acme/infra/issues/comments/${id}`)).status).toBe(204);
    expect((await call("GET", `/repos/acme/infra/issues/comments/${id}`)).status).toBe(404);
    expect(gh.comments("acme", "infra", 7)).toEqual([]);
    expect(gh.writes().map((r) => [r.method, r.operationId, r.status])).toEqual([
      ["POST", "issues/create-comment", 201],
      ["PATCH", "issues/update-comment", 200],
      ["DELETE", "issues/delete-comment", 204],
    ]);
    expect(gh.violations).toEqual([]);
  });

  test("counts the writes in flight at once", async () => {
    await call("POST", commentsPath, { body: { body: "alone" } });
    expect(gh.maxConcurrentWrites).toBe(1);
    // A write whose body is still arriving is in flight while a second one is answered.
    const { request } = await import("node:http");
    const slow = request(`${gh.url}${commentsPath}`, { method: "POST", headers: { authorization: `token ${BOT}`, "content-type": "application/json" } });
    const slowDone = new Promise<number>((resolve, reject) => {
      slow.on("response", (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      slow.on("error", reject);
    });
    slow.write('{"body":');
    slow.flushHeaders();
    while (gh.inFlight < 1) await new Promise((r) => setImmediate(r));
    expect((await call("POST", commentsPath, { body: { body: "second" } })).status).toBe(201);
    slow.end('"first"}');
    expect(await slowDone).toBe(201);
    expect(gh.maxConcurrentWrites).toBe(2);
    expect(gh.comments("acme", "infra", 7).map((c) => c.body)).toEqual(["alone", "second", "first"]);
    expect(gh.violations).toEqual([]);
  });

  test("a write on a comment deleted meanwhile is 404", async () => {
    const id = (await call("POST", commentsPath, { body: { body: "mine" } })).body.id as number;
    gh.deleteComment(id);
    const res = await call("PATCH", `/repos/acme/infra/issues/comments/${id}`, { body: { body: "again" } });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe("Not Found");
    expect(gh.violations).toEqual([]);
  });

  test("a request body the description refuses is a violation and a 422", async () => {
    const res = await call("POST", "/repos/acme/infra/check-runs", { body: { name: "lexum", conclusion: "success" } });
    expect(res.status).toBe(422);
    expect(gh.violations).toHaveLength(1);
    expect(gh.violations[0]).toContain("checks/create");
    expect(gh.violations[0]).toContain("head_sha");
  });

  test("a query parameter of the wrong type is a violation", async () => {
    const res = await call("GET", `${commentsPath}?per_page=many`);
    expect(res.status).toBe(422);
    expect(gh.violations.join("\n")).toContain("per_page");
  });

  test("a misspelt query parameter or body field, which GitHub would ignore, is a violation", async () => {
    await call("GET", `/repos/acme/infra/commits/${HEAD}/check-runs?checkName=lexum`);
    await call("POST", "/repos/acme/infra/check-runs", {
      body: { name: "lexum", head_sha: HEAD, externalId: "plan:1", conclusion: "success", output: { title: "t", summary: "s", details: "x" } },
    });
    expect(gh.violations).toEqual([
      `GET /repos/acme/infra/commits/${HEAD}/check-runs (checks/list-for-ref): query parameter checkName is not in the description`,
      "POST /repos/acme/infra/check-runs (checks/create): request body field /externalId is not in the description",
      "POST /repos/acme/infra/check-runs (checks/create): request body field /output/details is not in the description",
    ]);
  });

  test("a response of the stand-in's own that breaks the description is a violation", async () => {
    gh.corruptNextResponse("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", (body) => ({ ...body, number: "seven" }));
    const res = await call("GET", "/repos/acme/infra/pulls/7");
    expect(res.status).toBe(200);
    expect(gh.violations).toHaveLength(1);
    expect(gh.violations[0]).toMatch(/pulls\/get.*response 200: \/number must be integer/);
    // Only the next response was corrupted: the same request now passes.
    gh.violations.length = 0;
    expect((await call("GET", "/repos/acme/infra/pulls/7")).body.number).toBe(7);
    expect(gh.violations).toEqual([]);
  });

  test("an operation it does not implement answers 501 and is a violation; an unknown path 404", async () => {
    const res = await call("GET", "/repos/acme/infra/issues/7/labels");
    expect(res.status).toBe(501);
    expect(gh.violations).toEqual(["GET /repos/acme/infra/issues/7/labels (issues/list-labels-on-issue): the stand-in does not implement this operation"]);
    gh.violations.length = 0;
    const unknown = await call("GET", "/repos/acme/infra/no-such-thing");
    expect(unknown.status).toBe(404);
    expect(gh.violations).toEqual(["GET /repos/acme/infra/no-such-thing: no such path in GitHub's REST description"]);
    expect(gh.requests.at(-1)!.operationId).toBeNull();
  });

  test("lists comments 30 to a page by default, at most 100, with a Link header", async () => {
    for (let i = 1; i <= 130; i++) gh.addComment("acme", "infra", 7, `comment ${i}`, "someone");
    const first = await call("GET", commentsPath);
    expect(first.body).toHaveLength(30);
    expect(first.body[0].body).toBe("comment 1");
    expect(first.headers.get("link")).toBe(
      `<${gh.url}${commentsPath}?page=2>; rel="next", <${gh.url}${commentsPath}?page=5>; rel="last"`,
    );
    const big = await call("GET", `${commentsPath}?per_page=500`);
    expect(big.body).toHaveLength(100);
    const second = await call("GET", `${commentsPath}?per_page=100&page=2`);
    expect(second.body.map((c: any) => c.body)).toEqual(Array.from({ length: 30 }, (_, i) => `comment ${101 + i}`));
    expect(second.headers.get("link")).toBe(
      `<${gh.url}${commentsPath}?per_page=100&page=1>; rel="prev", <${gh.url}${commentsPath}?per_page=100&page=1>; rel="first"`,
    );
    const single = await call("GET", "/repos/acme/infra/issues/8/comments");
    expect(single.status).toBe(404);
    expect(gh.violations).toEqual([]);
  });

  test("comments by others are listed with ours, each with its author", async () => {
    gh.addComment("acme", "infra", 7, "looks good", "reviewer");
    await call("POST", commentsPath, { body: { body: "plan" } });
    const res = await call("GET", commentsPath);
    expect(res.body.map((c: any) => [c.user.login, c.user.type, c.body])).toEqual([
      ["reviewer", "User", "looks good"],
      ["github-actions[bot]", "Bot", "plan"],
    ]);
    expect(gh.violations).toEqual([]);
  });

  test("a comment body over 65,536 characters is refused with GitHub's validation shape", async () => {
    const res = await call("POST", commentsPath, { body: { body: "x".repeat(65_537) } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "IssueComment", field: "data", message: "Body is too long (maximum is 65536 characters)" }],
    });
    expect((await call("POST", commentsPath, { body: { body: "x".repeat(65_536) } })).status).toBe(201);
    expect(gh.comments("acme", "infra", 7)).toHaveLength(1);
    expect(gh.violations).toEqual([]);
  });

  test("a read-only token is refused every write with 403, and may read", async () => {
    const res = await call("POST", commentsPath, { token: FORK, body: { body: "plan" } });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe("Resource not accessible by integration");
    expect((await call("GET", commentsPath, { token: FORK })).status).toBe(200);
    gh.setTokenReadOnly(BOT, true);
    expect((await call("POST", "/repos/acme/infra/check-runs", { body: { name: "lexum", head_sha: HEAD, conclusion: "success", output: { title: "t", summary: "s" } } })).status).toBe(403);
    gh.setTokenReadOnly(BOT, false);
    expect((await call("POST", commentsPath, { body: { body: "plan" } })).status).toBe(201);
    expect(gh.violations).toEqual([]);
  });

  test("a missing or unknown token is 401 Bad credentials, and no token is recorded", async () => {
    const none = await call("GET", commentsPath, { token: null });
    expect(none.status).toBe(401);
    expect(none.body.message).toBe("Bad credentials");
    const wrong = await call("GET", commentsPath, { token: "ghs_notAToken" });
    expect(wrong.status).toBe(401);
    expect(gh.requests.map((r) => r.login)).toEqual([null, null]);
    expect(JSON.stringify(gh.requests)).not.toContain("ghs_");
    expect(gh.violations).toEqual([]);
  });

  test("GET /user: a user token is its login, an installation token is 403", async () => {
    const user = await call("GET", "/user", { token: USER });
    expect(user.status).toBe(200);
    expect(user.body.login).toBe("octo-user");
    const bot = await call("GET", "/user");
    expect(bot.status).toBe(403);
    expect(bot.body.message).toBe("Resource not accessible by integration");
    expect(gh.violations).toEqual([]);
  });

  test("an injected secondary rate limit answers 429 with retry-after, then the real answer", async () => {
    gh.inject({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", status: 429, retryAfter: 3 });
    const limited = await call("POST", commentsPath, { body: { body: "plan" } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.body.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect(gh.comments("acme", "infra", 7)).toEqual([]);
    const ok = await call("POST", commentsPath, { body: { body: "plan" } });
    expect(ok.status).toBe(201);
    expect(gh.writes().map((r) => r.status)).toEqual([429, 201]);
    expect(gh.violations).toEqual([]);
  });

  test("an injected primary rate limit sets x-ratelimit-remaining 0 and a reset; 5xx as many times as asked", async () => {
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}", status: 403, kind: "primary", retryAfter: 60 });
    gh.inject({ method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}", status: 502, times: 2 });
    const primary = await call("GET", "/repos/acme/infra/pulls/7");
    expect(primary.status).toBe(403);
    expect(primary.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(primary.headers.get("x-ratelimit-reset"))).toBeGreaterThan(0);
    expect((await call("GET", "/repos/acme/infra/pulls/7")).status).toBe(502);
    expect((await call("GET", "/repos/acme/infra/pulls/7")).status).toBe(502);
    expect((await call("GET", "/repos/acme/infra/pulls/7")).status).toBe(200);
    expect(() => gh.inject({ method: "GET", route: "/repos/acme/infra/pulls/7", status: 502 })).toThrow(/path template/);
    expect(gh.violations).toEqual([]);
  });

  test("an injected 403 without retry-after is a refusal for permissions; with one, a secondary rate limit", async () => {
    const route = "/repos/{owner}/{repo}/check-runs";
    const body = { name: "lexum", head_sha: HEAD, conclusion: "success", output: { title: "t", summary: "s" } };
    gh.inject({ method: "POST", route, status: 403 });
    gh.inject({ method: "POST", route, status: 403, retryAfter: 2 });
    const refused = await call("POST", "/repos/acme/infra/check-runs", { body });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe("Resource not accessible by integration");
    expect(refused.headers.get("retry-after")).toBeNull();
    const limited = await call("POST", "/repos/acme/infra/check-runs", { body });
    expect(limited.status).toBe(403);
    expect(limited.body.message).toMatch(/secondary rate limit/);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect((await call("POST", "/repos/acme/infra/check-runs", { body })).status).toBe(201);
    expect(gh.violations).toEqual([]);
  });

  test("check runs: created complete, listed newest first, filtered by name and status", async () => {
    const make = (name: string, externalId: string) =>
      call("POST", "/repos/acme/infra/check-runs", {
        body: { name, head_sha: HEAD, external_id: externalId, conclusion: "success", output: { title: "Plan", summary: "Plan: 1 to create" } },
      });
    const first = await make("lexum", "plan:1");
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: "lexum", head_sha: HEAD, status: "completed", conclusion: "success", external_id: "plan:1", app: { slug: "github-actions" } });
    expect(first.body.pull_requests.map((p: any) => p.number)).toEqual([7]);
    await make("lexum", "plan:2");
    await make("other", "x");
    const latest = await call("GET", `/repos/acme/infra/commits/${HEAD}/check-runs?check_name=lexum`);
    expect(latest.body.check_runs.map((c: any) => c.external_id)).toEqual(["plan:2"]);
    const all = await call("GET", `/repos/acme/infra/commits/${HEAD}/check-runs?check_name=lexum&filter=all`);
    expect(all.body.total_count).toBe(2);
    expect(all.body.check_runs.map((c: any) => c.external_id)).toEqual(["plan:2", "plan:1"]);
    expect((await call("GET", `/repos/acme/infra/commits/${HEAD}/check-runs?status=queued`)).body.total_count).toBe(0);
    expect(gh.checkRuns("acme", "infra", HEAD).map((c) => c.external_id)).toEqual(["x", "plan:2", "plan:1"]);
    const user = await call("POST", "/repos/acme/infra/check-runs", { token: USER, body: { name: "lexum", head_sha: HEAD, conclusion: "success" } });
    expect(user.status).toBe(403);
    const badSha = await call("POST", "/repos/acme/infra/check-runs", { body: { name: "lexum", head_sha: "main", conclusion: "success" } });
    expect(badSha.status).toBe(422);
    expect(gh.violations).toEqual([]);
  });

  test("pull requests: by number, by commit (associated, head or merge commit), forks and deleted forks", async () => {
    gh.addPull({ owner: "acme", repo: "infra", number: 7, headSha: HEAD, headRef: "feature", baseRef: "main", baseSha: BASE, state: "closed", merged: true, mergeCommitSha: MERGE });
    gh.addPull({ owner: "acme", repo: "infra", number: 9, headSha: "d".repeat(40), headRef: "patch", baseRef: "main", baseSha: BASE, state: "open", merged: false, headRepo: "stranger/infra" });
    gh.addPull({ owner: "acme", repo: "infra", number: 10, headSha: "e".repeat(40), headRef: "gone", baseRef: "main", baseSha: BASE, state: "open", merged: false, headRepo: null });
    gh.associateCommit("acme", "infra", "f".repeat(40), [9]);
    const pr = await call("GET", "/repos/acme/infra/pulls/7");
    expect(pr.body).toMatchObject({ number: 7, state: "closed", merged: true, merge_commit_sha: MERGE, head: { sha: HEAD, ref: "feature", repo: { full_name: "acme/infra" } }, base: { ref: "main", sha: BASE } });
    const byMerge = await call("GET", `/repos/acme/infra/commits/${MERGE}/pulls`);
    expect(byMerge.body.map((p: any) => p.number)).toEqual([7]);
    const fork = await call("GET", `/repos/acme/infra/commits/${"f".repeat(40)}/pulls`);
    expect(fork.body.map((p: any) => [p.number, p.head.repo.full_name, p.head.repo.fork])).toEqual([[9, "stranger/infra", true]]);
    expect((await call("GET", "/repos/acme/infra/pulls/10")).body.head.repo).toBeNull();
    expect((await call("GET", "/repos/acme/infra/pulls/11")).status).toBe(404);
    expect(gh.violations).toEqual([]);
  });

  test("workflow runs registered by the test, unknown ones 404; the repository", async () => {
    gh.addRun("acme", "infra", 42, "in_progress", null);
    const run = await call("GET", "/repos/acme/infra/actions/runs/42");
    expect(run.body).toMatchObject({ id: 42, status: "in_progress", conclusion: null });
    expect((await call("GET", "/repos/acme/infra/actions/runs/43")).status).toBe(404);
    const repo = await call("GET", "/repos/acme/infra");
    expect(repo.body).toMatchObject({ full_name: "acme/infra", default_branch: "main" });
    expect((await call("GET", "/repos/acme/other")).status).toBe(404);
    expect(gh.violations).toEqual([]);
  });
});

describe("the GitHub stand-in's determinism", () => {
  test("the same calls give the same bodies in another stand-in (ids, timestamps, links)", async () => {
    const script = async (s: Standin): Promise<string> => {
      s.addRepo({ owner: "acme", name: "infra", defaultBranch: "main" });
      s.addPull({ owner: "acme", repo: "infra", number: 3, headSha: HEAD, headRef: "f", baseRef: "main", baseSha: BASE, state: "open", merged: false });
      s.addComment("acme", "infra", 3, "first", "reviewer");
      const send = (method: string, path: string, body?: unknown) =>
        fetch(`${s.url}${path}`, { method, headers: { authorization: `token ${BOT}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.text());
      const out = [
        await send("POST", "/repos/acme/infra/issues/3/comments", { body: "plan" }),
        await send("POST", "/repos/acme/infra/check-runs", { name: "lexum", head_sha: HEAD, conclusion: "success", output: { title: "t", summary: "s" } }),
        await send("GET", "/repos/acme/infra/issues/3/comments"),
        await send("GET", "/repos/acme/infra/pulls/3"),
      ].join("\n");
      expect(s.violations).toEqual([]);
      return out.split(s.url).join("API");
    };
    const fresh = () => startGitHubStandin({ tokens: [{ token: BOT, login: "github-actions[bot]", kind: "installation" }] });
    const [one, two] = [await fresh(), await fresh()];
    try {
      const first = await script(one);
      expect(first).toContain('"created_at":"2024-05-01T12:00:');
      expect(await script(two)).toBe(first);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe("the GitHub stand-in under octokit", () => {
  test("octokit paginates past page 1 and retries a secondary rate limit, with no violation", async () => {
    const { Octokit } = await import("@octokit/core");
    const { paginateRest } = await import("@octokit/plugin-paginate-rest");
    const { retry } = await import("@octokit/plugin-retry");
    const { throttling } = await import("@octokit/plugin-throttling");
    const Client = Octokit.plugin(paginateRest, retry, throttling);
    const limited: string[] = [];
    const octokit = new Client({
      auth: BOT,
      baseUrl: gh.url,
      throttle: {
        onRateLimit: () => true,
        onSecondaryRateLimit: (after: number, options: { method: string; url: string }) => {
          limited.push(`${options.method} ${options.url} after ${after}`);
          return true;
        },
      },
    });
    for (let i = 1; i <= 45; i++) gh.addComment("acme", "infra", 7, `comment ${i}`, "someone");
    gh.inject({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", status: 403, retryAfter: 1 });
    const created = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "acme", repo: "infra", issue_number: 7, body: "plan" });
    expect(created.status).toBe(201);
    expect(limited).toEqual(["POST /repos/{owner}/{repo}/issues/{issue_number}/comments after 1"]);
    const all = await octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "acme", repo: "infra", issue_number: 7, per_page: 30 });
    expect(all).toHaveLength(46);
    expect(all.at(-1)!.body).toBe("plan");
    expect(gh.requests.filter((r) => r.method === "GET").map((r) => r.query.page ?? "1")).toEqual(["1", "2"]);
    expect(gh.requests.every((r) => r.login === "github-actions[bot]")).toBe(true);
    expect(gh.maxConcurrentWrites).toBe(1);
    expect(gh.violations).toEqual([]);
  });
});
