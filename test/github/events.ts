import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describeErrors, webhooksDescription } from "./schema.js";
import { repoId } from "./standin-objects.js";

/**
 * Webhook event payloads for tests, as the runner writes them to `GITHUB_EVENT_PATH`: the
 * example GitHub documents for the event and action (`@octokit/webhooks-examples`), moved
 * to the test's repository, commits and branches, and validated against the event's schema
 * (`@octokit/openapi-webhooks`). Deterministic: the same arguments give the same bytes.
 */

export type EventName = "pull_request" | "push" | "merge_group";

interface ExampleSet {
  readonly name: string;
  readonly examples: any[];
}

let examplesCache: ExampleSet[] | null = null;

function examples(event: EventName): any[] {
  if (!examplesCache) {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve("@octokit/webhooks-examples/package.json"));
    examplesCache = JSON.parse(readFileSync(join(root, "api.github.com/index.json"), "utf8")) as ExampleSet[];
  }
  const set = examplesCache.find((s) => s.name === event);
  if (!set) throw new Error(`@octokit/webhooks-examples has no ${event} examples`);
  return set.examples;
}

function pick(event: EventName, accept: (e: any) => boolean): any {
  const found = examples(event).find(accept);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event} example that fits`);
  const copy = structuredClone(found);
  // Mended before the test's values go in, so those are checked strictly, never mended.
  mend(event, copy);
  return copy;
}

/** Every string in `value` with `from` replaced by `to` (a copy). */
function retarget<T>(value: T, from: string, to: string): T {
  return JSON.parse(JSON.stringify(value).split(from).join(to)) as T;
}

/** The smallest value `schema` accepts: null where allowed, else false, 0, "", [], or an object of its required fields. */
function neutral(schema: any, depth = 0): unknown {
  const d = webhooksDescription();
  const s = d.deref(schema);
  if (!s || typeof s !== "object" || depth > 12) return null;
  const alternatives: any[] = s.anyOf ?? s.oneOf ?? [];
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes("null") || alternatives.some((a) => d.deref(a)?.type === "null")) return null;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.allOf) return Object.assign({}, ...s.allOf.map((a: any) => neutral(a, depth + 1)));
  if (alternatives.length > 0) return neutral(alternatives[0], depth + 1);
  switch (types[0]) {
    case "boolean":
      return false;
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 0;
    case "string":
      return s.format === "date-time" ? "2024-05-01T12:00:00Z" : s.format === "uri" ? "https://github.com" : "";
    case "array":
      return [];
    default: {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = neutral(s.properties?.[k] ?? {}, depth + 1);
      return o;
    }
  }
}

/**
 * GitHub's examples predate fields its schemas now require, and a few of their values no
 * longer pass (an empty homepage where a URI or null is due). Each such gap is filled with
 * the neutral value the schema allows, until the payload validates or nothing more can be
 * mended; what is left is reported by `assertValidEvent`.
 */
function mend(event: EventName, payload: Record<string, any>): void {
  const v = validatorFor(event, payload);
  for (let round = 0; round < 50 && !v(payload); round++) {
    let changed = false;
    for (const e of v.errors ?? []) {
      const path = e.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
      let parent: any = payload;
      for (const p of path.slice(0, -1)) parent = parent?.[p];
      if (e.keyword === "required") {
        const target = path.length === 0 ? payload : parent?.[path[path.length - 1]!];
        const missing = (e.params as { missingProperty: string }).missingProperty;
        if (target && typeof target === "object" && !(missing in target)) {
          target[missing] = neutral(e.parentSchema?.properties?.[missing] ?? {});
          changed = true;
        }
      } else if (e.keyword === "format" && parent && path.length > 0) {
        const key = path[path.length - 1]!;
        if (parent[key] !== null) {
          parent[key] = null;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
}

function validatorFor(event: EventName, payload: unknown) {
  const action = (payload as { action?: unknown } | null)?.action;
  const key = event === "push" ? "push" : `${event.replace(/_/g, "-")}-${String(action).replace(/_/g, "-")}`;
  const d = webhooksDescription();
  const entry = d.doc.webhooks[key];
  if (!entry) throw new Error(`GitHub's webhook description has no ${key} event`);
  const ref: string = entry.post.requestBody.content["application/json"].schema.$ref;
  return Object.assign(d.validator(ref.slice(1)), { key });
}

/**
 * Throws unless `payload` is a valid `event` payload per GitHub's webhook schemas; the
 * message lists ajv's errors. `action` is read from the payload (push has none).
 */
export function assertValidEvent(event: EventName, payload: unknown): void {
  const v = validatorFor(event, payload);
  if (!v(payload)) throw new Error(`the ${v.key} payload does not match GitHub's webhook schema: ${describeErrors(v.errors)}`);
}

/** Moves the example's repository object to `owner/name` (ids, names, owner, every URL). */
function moveRepository(repo: any, owner: string, name: string, defaultBranch: string, fork: boolean): any {
  const moved = retarget(repo, repo.full_name, `${owner}/${name}`);
  moved.id = repoId(owner, name);
  moved.name = name;
  moved.full_name = `${owner}/${name}`;
  moved.fork = fork;
  moved.default_branch = defaultBranch;
  if ("master_branch" in moved) moved.master_branch = defaultBranch;
  const oldLogin: string = repo.owner.login;
  moved.owner = retarget(moved.owner, `/${oldLogin}`, `/${owner}`);
  moved.owner.login = owner;
  if ("name" in moved.owner) moved.owner.name = owner;
  return moved;
}

/** A `pull_request` event. `fork`: the head is a branch of another owner's copy of the repository. */
export function pullRequestEvent(args: {
  action: "opened" | "synchronize" | "reopened" | "closed";
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  fork?: boolean;
  /** The fork's owner (default `<owner>-fork`). */
  forkOwner?: string;
  /** Default `baseRef`. */
  defaultBranch?: string;
  /** For `closed`: whether it was merged (default false), and the merge commit. */
  merged?: boolean;
  mergeCommitSha?: string;
}): Record<string, any> {
  const ex = pick("pull_request", (e) => e.action === args.action);
  const defaultBranch = args.defaultBranch ?? args.baseRef;
  const oldFull: string = ex.repository.full_name;
  const full = `${args.owner}/${args.repo}`;
  const p = retarget(ex, oldFull, full);
  p.action = args.action;
  p.number = args.number;
  p.repository = moveRepository(ex.repository, args.owner, args.repo, defaultBranch, false);
  const pr = p.pull_request;
  const api = `https://api.github.com/repos/${full}`;
  const web = `https://github.com/${full}`;
  const oldNumber: number = ex.pull_request.number;
  let renumbered = pr;
  for (const seg of ["pulls", "pull", "issues"]) renumbered = retarget(renumbered, `/${seg}/${oldNumber}`, `/${seg}/${args.number}`);
  Object.assign(pr, renumbered);
  pr.number = args.number;
  pr.url = `${api}/pulls/${args.number}`;
  pr.html_url = `${web}/pull/${args.number}`;
  pr.statuses_url = `${api}/statuses/${args.headSha}`;
  pr._links.statuses.href = pr.statuses_url;
  const closed = args.action === "closed";
  const merged = closed && (args.merged ?? false);
  pr.state = closed ? "closed" : "open";
  pr.closed_at = closed ? pr.updated_at : null;
  pr.merged = merged;
  pr.merged_at = merged ? pr.updated_at : null;
  pr.merge_commit_sha = args.mergeCommitSha ?? (merged ? args.headSha : null);
  pr.base = {
    ...pr.base,
    label: `${args.owner}:${args.baseRef}`,
    ref: args.baseRef,
    sha: args.baseSha,
    repo: moveRepository(ex.pull_request.base.repo, args.owner, args.repo, defaultBranch, false),
  };
  pr.base.user = pr.base.repo.owner;
  const headOwner = args.fork ? (args.forkOwner ?? `${args.owner}-fork`) : args.owner;
  const headRepo = moveRepository(ex.pull_request.head.repo, headOwner, args.repo, defaultBranch, args.fork ?? false);
  pr.head = { ...pr.head, label: `${headOwner}:${args.headRef}`, ref: args.headRef, sha: args.headSha, repo: headRepo, user: headRepo.owner };
  assertValidEvent("pull_request", p);
  return p;
}

/** A `push` event to a branch (`ref` is `refs/heads/…`). A `before` of forty zeros is a new branch. */
export function pushEvent(args: { owner: string; repo: string; ref: string; before: string; after: string; defaultBranch: string }): Record<string, any> {
  const ex = pick("push", (e) => e.ref.startsWith("refs/heads/") && !e.deleted && e.head_commit);
  const full = `${args.owner}/${args.repo}`;
  const p = retarget(ex, ex.repository.full_name, full);
  p.repository = moveRepository(ex.repository, args.owner, args.repo, args.defaultBranch, false);
  const zero = /^0+$/;
  p.ref = args.ref;
  p.before = args.before;
  p.after = args.after;
  p.created = zero.test(args.before);
  p.deleted = zero.test(args.after);
  p.forced = false;
  p.base_ref = null;
  p.compare = `https://github.com/${full}/compare/${args.before.slice(0, 12)}...${args.after.slice(0, 12)}`;
  if (p.deleted) {
    p.head_commit = null;
    p.commits = [];
  } else {
    const head = { ...p.head_commit, id: args.after, url: `https://github.com/${full}/commit/${args.after}` };
    p.head_commit = head;
    p.commits = [head];
  }
  assertValidEvent("push", p);
  return p;
}

/** A `merge_group` `checks_requested` event (a pull request entered the merge queue). Refs are `refs/heads/…`. */
export function mergeGroupEvent(args: { owner: string; repo: string; headSha: string; headRef: string; baseSha: string; baseRef: string; defaultBranch?: string }): Record<string, any> {
  const ex = pick("merge_group", (e) => e.action === "checks_requested");
  const p = retarget(ex, ex.repository.full_name, `${args.owner}/${args.repo}`);
  p.repository = moveRepository(ex.repository, args.owner, args.repo, args.defaultBranch ?? args.baseRef.replace(/^refs\/heads\//, ""), false);
  if (p.organization) p.organization = retarget(p.organization, `/${ex.repository.owner.login}`, `/${args.owner}`);
  if (p.organization) p.organization.login = args.owner;
  p.merge_group = {
    ...p.merge_group,
    head_sha: args.headSha,
    head_ref: args.headRef,
    base_sha: args.baseSha,
    base_ref: args.baseRef,
    head_commit: { ...p.merge_group.head_commit, id: args.headSha, message: `Merge ${args.headRef} into ${args.baseRef}` },
  };
  assertValidEvent("merge_group", p);
  return p;
}
