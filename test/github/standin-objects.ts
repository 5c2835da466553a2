import { restDescription } from "./schema.js";

/**
 * The objects the GitHub stand-in answers with, built from the examples in GitHub's own
 * OpenAPI description (so every field the schema requires is there, with a realistic value)
 * and retargeted to the stand-in's repositories, users, ids and clock. Deterministic: ids
 * are derived from names or counters, never from the wall clock.
 */

/** Where links point: the API root (the stand-in's URL) and the web root (`https://github.com`). */
export interface Site {
  readonly api: string;
  readonly web: string;
}

export type UserType = "User" | "Bot";

/** A stable positive id for a name (FNV-1a), the same in every run and whatever the order of calls. */
export function stableId(name: string, base = 10_000_000): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return base + (h % 80_000_000);
}

/** GitHub's legacy node id shape: base64 of `<len>:<Type><id>`. */
export function nodeId(type: string, id: number): string {
  const raw = `0${type.length}:${type}${id}`;
  return Buffer.from(raw, "utf8").toString("base64");
}

function example(name: string): any {
  const value = restDescription().doc.components.examples[name]?.value;
  if (value === undefined) throw new Error(`the OpenAPI description has no example ${name}`);
  return structuredClone(Array.isArray(value) ? value[0] : value);
}

/** Replaces every occurrence of each `from` in every string of `value` (deep; a copy). */
function retarget<T>(value: T, pairs: readonly (readonly [string, string])[]): T {
  let s = JSON.stringify(value);
  for (const [from, to] of pairs) s = s.split(from).join(JSON.stringify(to).slice(1, -1));
  return JSON.parse(s) as T;
}

function sitePairs(site: Site): [string, string][] {
  return [
    ["http://api.github.com/", `${site.api}/`],
    ["https://api.github.com/", `${site.api}/`],
    ["https://api.github.com", site.api],
    ["https://github.com/", `${site.web}/`],
  ];
}

/** A `simple-user` for `login`. */
export function userObject(site: Site, login: string, type: UserType): Record<string, unknown> {
  const id = type === "Bot" && login === "github-actions[bot]" ? 41898282 : stableId(`user:${login}`);
  const u = `${site.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId(type === "Bot" ? "Bot" : "User", id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: u,
    html_url: type === "Bot" ? `${site.web}/apps/${encodeURIComponent(login.replace(/\[bot\]$/, ""))}` : `${site.web}/${encodeURIComponent(login)}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** The GitHub Actions app, as `performed_via_github_app` and a check run's `app` show it. */
export function actionsApp(site: Site): Record<string, unknown> {
  const app = retarget(example("integration"), sitePairs(site));
  return {
    ...app,
    id: 15368,
    slug: "github-actions",
    node_id: nodeId("App", 15368),
    owner: { ...userObject(site, "github", "User"), type: "Organization" },
    name: "GitHub Actions",
    description: "Automate your workflow from idea to production",
    external_url: "https://help.github.com/en/actions",
    html_url: `${site.web}/apps/github-actions`,
    created_at: "2018-07-30T09:30:17Z",
    updated_at: "2024-04-10T20:33:16Z",
  };
}

/** A repository as the stand-in knows it. */
export interface RepoFacts {
  readonly owner: string;
  readonly name: string;
  readonly defaultBranch: string;
  readonly fork: boolean;
}

export function repoId(owner: string, name: string): number {
  return stableId(`repo:${owner.toLowerCase()}/${name.toLowerCase()}`, 100_000_000);
}

const exampleRepoNames = ["octocat/Hello-World", "octo-org/octo-repo", "github/hello-world"];

function repoPairs(site: Site, r: RepoFacts): [string, string][] {
  const full = `${r.owner}/${r.name}`;
  return [...sitePairs(site), ...exampleRepoNames.map((n) => [n, full] as [string, string])];
}

function repoCore(site: Site, r: RepoFacts): Record<string, unknown> {
  const id = repoId(r.owner, r.name);
  return {
    id,
    node_id: nodeId("Repository", id),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: userObject(site, r.owner, "User"),
    private: false,
    fork: r.fork,
    description: null,
    html_url: `${site.web}/${r.owner}/${r.name}`,
    url: `${site.api}/repos/${r.owner}/${r.name}`,
    clone_url: `${site.web}/${r.owner}/${r.name}.git`,
    default_branch: r.defaultBranch,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    pushed_at: "2024-01-01T00:00:00Z",
  };
}

/** A `repository` (the shape in a pull request's head and base). */
export function repositoryObject(site: Site, r: RepoFacts, perms?: { push: boolean }): Record<string, unknown> {
  const base = retarget(example("pull-request").base.repo, repoPairs(site, r));
  return {
    ...base,
    ...repoCore(site, r),
    permissions: { admin: false, maintain: false, push: perms?.push ?? false, triage: false, pull: true },
    topics: [],
    language: null,
    template_repository: null,
  };
}

/** A `full-repository` (`GET /repos/{owner}/{repo}`). */
export function fullRepositoryObject(site: Site, r: RepoFacts, perms: { push: boolean }): Record<string, unknown> {
  const base = retarget(example("full-repository-default-response"), repoPairs(site, r));
  delete base.parent;
  delete base.source;
  delete base.organization;
  delete base.template_repository;
  delete base.security_and_analysis;
  return {
    ...base,
    ...repoCore(site, r),
    language: null,
    topics: [],
    permissions: { admin: false, maintain: false, push: perms.push, triage: false, pull: true },
    license: null,
    homepage: null,
  };
}

/** A `minimal-repository` (a workflow run's repository). */
export function minimalRepositoryObject(site: Site, r: RepoFacts): Record<string, unknown> {
  const base = retarget(example("workflow-run").repository, repoPairs(site, r));
  return { ...base, ...repoCore(site, r) };
}

/** A comment as the stand-in stores it. */
export interface CommentFacts {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly issue: number;
  body: string;
  readonly login: string;
  readonly userType: UserType;
  /** Written through an installation token (shows `performed_via_github_app`). */
  readonly viaApp: boolean;
  readonly createdAt: string;
  updatedAt: string;
}

/** An `issue-comment`. */
export function commentObject(site: Site, c: CommentFacts): Record<string, unknown> {
  const repo = `${site.api}/repos/${c.owner}/${c.repo}`;
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${repo}/issues/comments/${c.id}`,
    html_url: `${site.web}/${c.owner}/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    body: c.body,
    user: userObject(site, c.login, c.userType),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${repo}/issues/${c.issue}`,
    author_association: c.userType === "Bot" ? "NONE" : "CONTRIBUTOR",
    performed_via_github_app: c.viaApp ? actionsApp(site) : null,
    reactions: {
      url: `${repo}/issues/comments/${c.id}/reactions`,
      total_count: 0,
      "+1": 0,
      "-1": 0,
      laugh: 0,
      confused: 0,
      heart: 0,
      hooray: 0,
      eyes: 0,
      rocket: 0,
    },
  };
}

/** A pull request as the stand-in stores it. */
export interface PullFacts {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  state: "open" | "closed";
  merged: boolean;
  mergeCommitSha: string | null;
  /** `owner/name` of the head repository; null when the fork was deleted. */
  headRepo: string | null;
  readonly createdAt: string;
  updatedAt: string;
  readonly author: string;
}

/** A `pull-request` (`GET /repos/{owner}/{repo}/pulls/{pull_number}`). */
export function pullObject(site: Site, p: PullFacts, repos: (fullName: string) => RepoFacts): Record<string, unknown> {
  const baseRepo = repos(`${p.owner}/${p.repo}`);
  const ex = retarget(example("pull-request"), repoPairs(site, baseRepo));
  const id = stableId(`pull:${p.owner}/${p.repo}#${p.number}`, 1_000_000_000);
  const api = `${site.api}/repos/${p.owner}/${p.repo}`;
  const web = `${site.web}/${p.owner}/${p.repo}`;
  const headRepo = p.headRepo === null ? null : repos(p.headRepo);
  const headOwner = headRepo ? headRepo.owner : p.owner;
  const closedAt = p.state === "closed" ? p.updatedAt : null;
  return {
    ...ex,
    url: `${api}/pulls/${p.number}`,
    id,
    node_id: nodeId("PullRequest", id),
    html_url: `${web}/pull/${p.number}`,
    diff_url: `${web}/pull/${p.number}.diff`,
    patch_url: `${web}/pull/${p.number}.patch`,
    issue_url: `${api}/issues/${p.number}`,
    commits_url: `${api}/pulls/${p.number}/commits`,
    review_comments_url: `${api}/pulls/${p.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${p.number}/comments`,
    statuses_url: `${api}/statuses/${p.headSha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: `Pull request ${p.number}`,
    user: userObject(site, p.author, "User"),
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: closedAt,
    merged_at: p.merged ? closedAt : null,
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headOwner}:${p.headRef}`,
      ref: p.headRef,
      sha: p.headSha,
      user: userObject(site, headOwner, "User"),
      repo: headRepo ? repositoryObject(site, headRepo) : null,
    },
    base: {
      label: `${p.owner}:${p.baseRef}`,
      ref: p.baseRef,
      sha: p.baseSha,
      user: userObject(site, p.owner, "User"),
      repo: repositoryObject(site, baseRepo),
    },
    _links: {
      self: { href: `${api}/pulls/${p.number}` },
      html: { href: `${web}/pull/${p.number}` },
      issue: { href: `${api}/issues/${p.number}` },
      comments: { href: `${api}/issues/${p.number}/comments` },
      review_comments: { href: `${api}/pulls/${p.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${p.number}/commits` },
      statuses: { href: `${api}/statuses/${p.headSha}` },
    },
    author_association: "CONTRIBUTOR",
    auto_merge: null,
    draft: false,
    merged: p.merged,
    mergeable: p.state === "open" ? true : null,
    rebaseable: p.state === "open" ? true : null,
    mergeable_state: p.state === "open" ? "clean" : "unknown",
    merged_by: p.merged ? userObject(site, p.owner, "User") : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

/** A `pull-request-simple` (the items of `GET /repos/{owner}/{repo}/commits/{sha}/pulls`): the full object cut to its schema's fields. */
export function pullSimpleObject(site: Site, p: PullFacts, repos: (fullName: string) => RepoFacts): Record<string, unknown> {
  const full = pullObject(site, p, repos);
  const keys = Object.keys(restDescription().doc.components.schemas["pull-request-simple"].properties);
  return Object.fromEntries(keys.filter((k) => k in full).map((k) => [k, full[k]]));
}

/** A check run as the stand-in stores it. */
export interface CheckRunFacts {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly name: string;
  readonly headSha: string;
  readonly externalId: string | null;
  readonly detailsUrl: string | null;
  readonly status: "queued" | "in_progress" | "completed";
  readonly conclusion: string | null;
  readonly startedAt: string;
  readonly completedAt: string | null;
  readonly output: { title: string | null; summary: string | null; text: string | null; annotationsCount: number };
  readonly checkSuiteId: number;
}

/** A `check-run`; `pulls` are the open pull requests of this repository whose head is the run's commit. */
export function checkRunObject(site: Site, c: CheckRunFacts, pulls: readonly PullFacts[]): Record<string, unknown> {
  const api = `${site.api}/repos/${c.owner}/${c.repo}`;
  const repoRef = { id: repoId(c.owner, c.repo), url: api, name: c.repo };
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: nodeId("CheckRun", c.id),
    external_id: c.externalId,
    url: `${api}/check-runs/${c.id}`,
    html_url: `${site.web}/${c.owner}/${c.repo}/runs/${c.id}`,
    details_url: c.detailsUrl ?? `${site.web}/${c.owner}/${c.repo}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: c.output.annotationsCount,
      annotations_url: `${api}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.checkSuiteId },
    app: actionsApp(site),
    pull_requests: pulls.map((p) => ({
      url: `${api}/pulls/${p.number}`,
      id: stableId(`pull:${p.owner}/${p.repo}#${p.number}`, 1_000_000_000),
      number: p.number,
      head: { ref: p.headRef, sha: p.headSha, repo: repoRef },
      base: { ref: p.baseRef, sha: p.baseSha, repo: repoRef },
    })),
  };
}

/** A workflow run as the test registers it. */
export interface RunFacts {
  readonly owner: string;
  readonly repo: string;
  readonly id: number;
  status: string;
  conclusion: string | null;
}

/** A `workflow-run`. */
export function workflowRunObject(site: Site, r: RunFacts, repo: RepoFacts): Record<string, unknown> {
  const ex = retarget(example("workflow-run"), repoPairs(site, repo));
  const api = `${site.api}/repos/${r.owner}/${r.repo}/actions/runs/${r.id}`;
  return {
    ...ex,
    id: r.id,
    node_id: nodeId("WorkflowRun", r.id),
    head_branch: repo.defaultBranch,
    path: `.github/workflows/lexum.yml@${repo.defaultBranch}`,
    status: r.status,
    conclusion: r.conclusion,
    url: api,
    html_url: `${site.web}/${r.owner}/${r.repo}/actions/runs/${r.id}`,
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: null,
    run_attempt: 1,
    referenced_workflows: [],
    pull_requests: [],
    repository: minimalRepositoryObject(site, repo),
    head_repository: minimalRepositoryObject(site, repo),
  };
}
