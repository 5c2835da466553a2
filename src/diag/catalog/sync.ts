import { code } from "./define.js";

/**
 * The lxm-sync agent (LXM7000–7049): its configuration file (7000–7009; every message starts
 * with `file:line:column:` of the offending node, so it reads without the file at hand), and
 * its HTTP server and webhooks (7020–7029: the listen address, and the answers a client of
 * `/hooks/github` or `/hooks/poll` gets in the body of a 4xx response); the agent's start and state (7010–7019).
 */

export const configUnreadable = code(
  "LXM7000",
  "lxm-sync configuration unreadable",
  "The configuration file given to lxm-sync (--config) could not be read, or is not UTF-8 text. The agent does not start.",
  (file: string, cause: string) => ({ message: `${file}: cannot read the lxm-sync configuration: ${cause}`, hint: "pass the path of a readable YAML file to --config" }),
);

export const configSyntax = code(
  "LXM7001",
  "lxm-sync configuration is not valid YAML",
  "The lxm-sync configuration could not be parsed as YAML (a syntax error, a duplicate key, an alias without its anchor, too many aliases, or nesting deeper than any configuration needs). Fix the text at the given line and column.",
  (where: string, problem: string) => ({ message: `${where}: ${problem}`, hint: "fix the YAML at this position (the settings are described in schemas/lxm-sync.yaml.json)" }),
);

export const configInvalid = code(
  "LXM7002",
  "invalid lxm-sync setting",
  "A setting of the lxm-sync configuration has a type, value or name that its schema (schemas/lxm-sync.yaml.json) does not allow, or a required one (data_dir, repositories, a repository's url) is missing.",
  (where: string, problem: string, hint: string) => ({ message: `${where}: ${problem}`, hint }),
);

export const badDuration = code(
  "LXM7003",
  "bad duration",
  "An interval or drift_interval of the lxm-sync configuration is not a duration it accepts: whole numbers with a unit each (ms, s, m, h), such as 500ms, 30s, 10m, 1h or 1m30s, from 1s to 596h (the longest a Node.js timer waits).",
  (where: string, key: string, value: string, why: string) => ({ message: `${where}: ${key} ${JSON.stringify(value)} ${why}`, hint: "write a duration such as 30s, 10m, 1h or 1m30s" }),
);

export const badListen = code(
  "LXM7004",
  "bad listen address",
  "The listen setting of the lxm-sync configuration must be host:port with a port from 0 to 65535 (an IPv6 host in brackets, e.g. [::1]:9464).",
  (where: string, value: string) => ({ message: `${where}: listen ${JSON.stringify(value)} is not host:port with a port from 0 to 65535`, hint: "for example listen: 127.0.0.1:9464" }),
);

export const badRepositoryUrl = code(
  "LXM7005",
  "bad repository url",
  "A repository's url in the lxm-sync configuration must be an http:// or https:// URL (git's smart HTTP protocol) without a user name or password in it, or a local path. Credentials come from the variable named by token_env.",
  (where: string, problem: string, hint: string) => ({ message: `${where}: url ${problem}`, hint }),
);

export const badProjectPath = code(
  "LXM7006",
  "bad project path",
  "A repository's path in the lxm-sync configuration names the project folder inside the repository: a relative path with / between its parts that stays inside the repository.",
  (where: string, value: string) => ({ message: `${where}: path ${JSON.stringify(value)} is not a folder inside the repository`, hint: "write a relative path such as . or infra/prod" }),
);

export const badBranch = code(
  "LXM7007",
  "bad branch",
  "A repository's branch or state_branch in the lxm-sync configuration is not a branch name git accepts, or the two are the same branch (snapshots would overwrite the goal).",
  (where: string, problem: string) => ({ message: `${where}: ${problem}`, hint: "name branches as git allows (e.g. main, lexum/state), and keep state_branch apart from branch" }),
);

export const credentialUnset = code(
  "LXM7008",
  "credential variable unset",
  "The lxm-sync configuration names an environment variable (token_env, webhook_secret_env, coordination.url_env) that is unset or empty in the agent's environment. The configuration holds only the variable's name; the secret is read from the environment at start.",
  (where: string, key: string, name: string) => ({ message: `${where}: ${key} names ${name}, which is not set (or empty) in lxm-sync's environment`, hint: `set ${name} in the service's environment (e.g. EnvironmentFile= in its systemd unit), or remove ${key}` }),
);

export const duplicateRepository = code(
  "LXM7009",
  "repository listed twice",
  "Two entries of repositories in the lxm-sync configuration watch the same url, branch and path: they would apply the same goal twice. Keep one.",
  (where: string, firstAt: string) => ({ message: `${where}: this repository (same url, branch and path) is already listed at ${firstAt}`, hint: "remove one of the two entries, or give them different branches or paths" }),
);

export const stateBranchShared = code(
  "LXM7010",
  "state branch shared",
  "Two entries of repositories in the lxm-sync configuration watch the same repository and record to the same state_branch: each would overwrite the other's snapshots. Each project needs its own state branch.",
  (where: string, firstAt: string, branch: string) => ({ message: `${where}: state_branch ${branch} of this repository is already used by the entry at ${firstAt}`, hint: "give each entry of one repository its own state_branch (e.g. lexum/state-prod)" }),
);

export const dataDirInUse = code(
  "LXM7011",
  "data_dir in use",
  "Another lxm-sync process is running with the same data_dir (its lock file names a live process). Two agents must not share one data_dir; several agents may watch one repository, each with its own data_dir.",
  (dir: string, pid: number) => ({ message: `${dir} is in use by lxm-sync process ${pid}`, hint: "stop that process, or give this agent another data_dir" }),
);

export const dataDirUnusable = code(
  "LXM7012",
  "data_dir unusable",
  "lxm-sync could not create or write its data_dir (the clones of the watched repositories and its lock file).",
  (dir: string, cause: string) => ({ message: `cannot use data_dir ${dir}: ${cause}`, hint: "create the folder and give the service's user write access to it" }),
);

export const syncUsage = code(
  "LXM7013",
  "lxm-sync usage",
  "lxm-sync was started with arguments it does not accept. It takes --config FILE, and optionally --once (poll and reconcile every repository once, then exit); `lxm-sync members --config FILE [--json]` lists the replicas sharing the repositories (it needs a coordination section); `lxm-sync demo [--dir DIR]` runs the demo.",
  (problem: string) => ({ message: problem, hint: "usage: lxm-sync --config lxm-sync.yaml [--once], lxm-sync members --config lxm-sync.yaml [--json], or lxm-sync demo" }),
);

export const coordinationUnavailable = code(
  "LXM7014",
  "coordination database unavailable",
  "lxm-sync was configured with a coordination section but could not reach its database at start, could not create or migrate its tables there (the role lacks privileges), or found them at a newer schema version than it knows. The agent does not start: a replica that cannot take leases must not work on any repository.",
  (what: string, cause: string) => ({ message: `cannot ${what}: ${cause}`, hint: "check the connection string in the variable url_env names, that the server is up, and that the role may CREATE in the database (docs/sync.md, Running replicas)" }),
);

export const leaseLost = code(
  "LXM7015",
  "lease lost",
  "A replica of lxm-sync stopped working on a repository because it no longer holds that repository's lease (it was paused or cut off from the coordination database longer than the lease's TTL, or another replica took the lease over). No further provider call or state push is made under the lost lease; the replica that holds the lease now applies the goal.",
  (repo: string, epoch: number, why: string) => ({ message: `the lease on ${repo} at epoch ${epoch} is lost: ${why}`, hint: "nothing to do: the replica holding the lease takes over; if it happens often, raise coordination.ttl or look at the database's latency" }),
);

export const listenFailed = code(
  "LXM7020",
  "lxm-sync cannot listen",
  "The agent could not open its HTTP listen address (health, metrics, status, webhooks): another process holds the port, the host is not an address of this machine, or a port below 1024 needs privileges. The agent does not start.",
  (address: string, cause: string) => ({ message: `cannot listen on ${address}: ${cause}`, hint: "change listen in lxm-sync.yaml (port 0 picks a free one), or stop the process that holds the port" }),
);

export const webhookSignature = code(
  "LXM7021",
  "webhook signature rejected",
  "A POST to /hooks/github carried no X-Hub-Signature-256 header, a malformed one, or one that no configured webhook secret produces (HMAC-SHA256 of the body). The request is answered 401 and triggers nothing.",
  (problem: string) => ({ message: `the webhook's X-Hub-Signature-256 ${problem}`, hint: "give the webhook on GitHub the same secret as the environment variable webhook_secret_env names, with content type application/json" }),
);

export const webhookPayload = code(
  "LXM7022",
  "webhook payload invalid",
  "A signed POST to /hooks/github had a body that is not a GitHub event: not JSON, no X-GitHub-Event header, or a push event without its ref and repository URLs. The request is answered 400 and triggers nothing.",
  (problem: string) => ({ message: `the webhook's payload ${problem}`, hint: "send GitHub's own event payloads (the webhook's Recent Deliveries page shows what was sent)" }),
);

export const bodyTooLarge = code(
  "LXM7023",
  "request body too large",
  "A POST to /hooks/github or /hooks/poll had a body larger than the agent reads. The request is answered 413; a push too large to read is still picked up by the next poll.",
  (limit: string) => ({ message: `the request body is larger than ${limit}`, hint: "nothing to do for a GitHub push: the next poll picks it up; for /hooks/poll send only {\"url\", \"branch\"}" }),
);

export const pollRequestInvalid = code(
  "LXM7024",
  "bad poll request",
  "A POST to /hooks/poll must name a repository: a JSON body {\"url\": \"...\", \"branch\": \"...\"} (branch optional) or the query ?url=...&branch=..., not both. The request is answered 400.",
  (problem: string) => ({ message: `the poll request ${problem}`, hint: `send {"url": "https://git.example.com/infra.git", "branch": "main"} or ?url=...&branch=...` }),
);

export const noMatchingRepository = code(
  "LXM7025",
  "no watched repository matches",
  "A POST to /hooks/poll named a repository URL (and branch) that no entry of the agent's configuration watches. URLs are compared without user name and password, a trailing .git or /, and the case of the host; the scheme counts. The request is answered 404.",
  (what: string) => ({ message: `no watched repository matches ${what}`, hint: "use the url (and branch) exactly as lxm-sync.yaml lists them; GET /status lists the watched entries" }),
);

export const webhooksDisabled = code(
  "LXM7026",
  "GitHub webhooks disabled",
  "POST /hooks/github is answered 404 when no repository of the agent's configuration has a webhook_secret_env: an unsigned webhook is never accepted. Polling goes on at each repository's interval.",
  () => ({ message: "GitHub webhooks are disabled: no repository has a webhook secret", hint: "set webhook_secret_env on the repositories the webhook is for, and that variable in the agent's environment" }),
);
