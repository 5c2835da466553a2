import { describe, expect, test } from "vitest";
import { assertValidEvent, mergeGroupEvent, pullRequestEvent, pushEvent } from "./events.js";

const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);

describe("webhook event payloads", () => {
  test.each(["opened", "synchronize", "reopened", "closed"] as const)("pull_request %s moves the example to the test's repository and commits", (action) => {
    const e = pullRequestEvent({ action, owner: "acme", repo: "infra", number: 7, headSha: HEAD, headRef: "feature", baseRef: "main", baseSha: BASE });
    expect(e.action).toBe(action);
    expect(e.number).toBe(7);
    expect(e.repository).toMatchObject({ full_name: "acme/infra", name: "infra", default_branch: "main", owner: { login: "acme" } });
    expect(e.pull_request).toMatchObject({
      number: 7,
      state: action === "closed" ? "closed" : "open",
      head: { sha: HEAD, ref: "feature", label: "acme:feature", repo: { full_name: "acme/infra", fork: false } },
      base: { sha: BASE, ref: "main", repo: { full_name: "acme/infra" } },
    });
    expect(e.pull_request.url).toBe("https://api.github.com/repos/acme/infra/pulls/7");
    // No trace of the example's repository is left in any string.
    expect(JSON.stringify(e)).not.toContain("Hello-World");
    expect(() => assertValidEvent("pull_request", e)).not.toThrow();
  });

  test("pull_request from a fork: the head repository is another owner's", () => {
    const e = pullRequestEvent({ action: "opened", owner: "acme", repo: "infra", number: 7, headSha: HEAD, headRef: "patch", baseRef: "main", baseSha: BASE, fork: true, forkOwner: "stranger" });
    expect(e.pull_request.head.repo).toMatchObject({ full_name: "stranger/infra", fork: true, owner: { login: "stranger" } });
    expect(e.pull_request.head.label).toBe("stranger:patch");
    expect(e.pull_request.base.repo.full_name).toBe("acme/infra");
    expect(e.pull_request.head.repo.id).not.toBe(e.pull_request.base.repo.id);
  });

  test("pull_request closed by a merge carries the merge commit", () => {
    const e = pullRequestEvent({ action: "closed", owner: "acme", repo: "infra", number: 7, headSha: HEAD, headRef: "feature", baseRef: "main", baseSha: BASE, merged: true, mergeCommitSha: "c".repeat(40) });
    expect(e.pull_request).toMatchObject({ merged: true, merge_commit_sha: "c".repeat(40), state: "closed" });
    expect(typeof e.pull_request.merged_at).toBe("string");
  });

  test("push to the default branch", () => {
    const e = pushEvent({ owner: "acme", repo: "infra", ref: "refs/heads/main", before: BASE, after: HEAD, defaultBranch: "main" });
    expect(e).toMatchObject({ ref: "refs/heads/main", before: BASE, after: HEAD, created: false, deleted: false, head_commit: { id: HEAD } });
    expect(e.repository).toMatchObject({ full_name: "acme/infra", default_branch: "main", master_branch: "main" });
    expect(JSON.stringify(e)).not.toContain("Hello-World");
    const created = pushEvent({ owner: "acme", repo: "infra", ref: "refs/heads/new", before: "0".repeat(40), after: HEAD, defaultBranch: "main" });
    expect(created.created).toBe(true);
  });

  test("merge_group checks_requested", () => {
    const e = mergeGroupEvent({ owner: "acme", repo: "infra", headSha: HEAD, headRef: "refs/heads/gh-readonly-queue/main/pr-7-" + BASE, baseSha: BASE, baseRef: "refs/heads/main" });
    expect(e.action).toBe("checks_requested");
    expect(e.merge_group).toMatchObject({ head_sha: HEAD, base_sha: BASE, base_ref: "refs/heads/main", head_commit: { id: HEAD } });
    expect(e.repository).toMatchObject({ full_name: "acme/infra", default_branch: "main" });
    expect(JSON.stringify(e)).not.toContain("octo-repo");
  });

  test("the same arguments give the same payload", () => {
    const args = { owner: "acme", repo: "infra", ref: "refs/heads/main", before: BASE, after: HEAD, defaultBranch: "main" };
    expect(JSON.stringify(pushEvent(args))).toBe(JSON.stringify(pushEvent(args)));
  });

  test("a corrupted payload is refused with the schema's errors", () => {
    const e = pullRequestEvent({ action: "opened", owner: "acme", repo: "infra", number: 7, headSha: HEAD, headRef: "feature", baseRef: "main", baseSha: BASE });
    e.pull_request.number = "7";
    expect(() => assertValidEvent("pull_request", e)).toThrow(/pull-request-opened payload does not match GitHub's webhook schema: .*\/pull_request\/number must be integer/);
    const p = pushEvent({ owner: "acme", repo: "infra", ref: "refs/heads/main", before: BASE, after: HEAD, defaultBranch: "main" });
    delete p.repository;
    expect(() => assertValidEvent("push", p)).toThrow(/must have required property 'repository'/);
    expect(() => assertValidEvent("pull_request", { ...e, action: "exploded" })).toThrow(/no pull-request-exploded event/);
  });
});
