import { code } from "./define.js";

/**
 * GitHub's API as the Action meets it (LXM6000–6029): each failure names the call that failed
 * and quotes GitHub's own status and message, so a user can search for it.
 */

const permissionsBlock =
  "permissions: { contents: write, pull-requests: write, checks: write, actions: read } (actions: read lets the apply lock tell a finished run)";

export const permissions = code(
  "LXM6000",
  "missing workflow permission",
  "GitHub answered 403 \"Resource not accessible by integration\": the workflow's token lacks a permission the call needs. Give the job `permissions:` with `contents: write`, `pull-requests: write` and `checks: write` (and `actions: read`, which lets the apply lock tell a finished run). A pull request from a fork gets a read-only token whatever the workflow asks for.",
  (what: string, scope: string, reply: string) => ({
    message: `GitHub refused to ${what}: the token lacks ${scope} (403 ${reply})`,
    hint: `give the workflow's job ${permissionsBlock}; a pull request from a fork always gets a read-only token`,
  }),
);

export const readOnly = code(
  "LXM6001",
  "read-only token",
  "GitHub refused a write with 403: the token may read the repository but not write to it (a pull request from a fork, or a personal access token without write access).",
  (what: string, reply: string) => ({
    message: `GitHub refused to ${what}: the token may not write to this repository (403 ${reply})`,
    hint: `use a token with write access: in a workflow, ${permissionsBlock}`,
  }),
);

export const rateLimited = code(
  "LXM6002",
  "GitHub rate limit",
  "GitHub's rate limit (the primary limit per hour, or a secondary limit on bursts) still refused the call after the retries allowed, or asked for a longer wait than the Action takes. The message says when the limit resets; re-run the job after that.",
  (what: string, reply: string, resets: string | null, retries: number) => ({
    message: `GitHub's rate limit stopped the call to ${what} (${reply})${resets ? `; ${resets}` : ""}`,
    hint: `Lexum waited and retried up to ${retries} time${retries === 1 ? "" : "s"}; re-run the job once the limit has reset`,
  }),
);

export const unavailable = code(
  "LXM6003",
  "GitHub unavailable",
  "GitHub answered with a server error (5xx), or the connection failed or timed out, on every attempt the Action allows. It is usually transient: re-run the job; https://www.githubstatus.com/ says whether GitHub has an incident.",
  (what: string, cause: string, retries: number) => ({
    message: `GitHub is unavailable: the call to ${what} failed with ${cause}`,
    hint: `Lexum retried ${retries} time${retries === 1 ? "" : "s"}; re-run the job, and see https://www.githubstatus.com/ if it keeps failing`,
  }),
);

export const unauthorized = code(
  "LXM6004",
  "token refused",
  "GitHub answered 401: the token is missing, expired or revoked. In a workflow, leave the `github-token` input at its default (`${{ github.token }}`) or pass a valid token.",
  (what: string, reply: string) => ({
    message: `GitHub did not accept the token to ${what} (401 ${reply})`,
    hint: "the token is missing, expired or revoked: leave github-token at its default (${{ github.token }}) or pass a valid one",
  }),
);

export const notFound = code(
  "LXM6005",
  "not found on GitHub",
  "GitHub answered 404 (or 410): the repository, pull request, comment or run does not exist, or the token may not see it (a private repository answers 404 to a token without access).",
  (what: string, repository: string) => ({
    message: `GitHub found nothing to ${what} in ${repository} (404)`,
    hint: "check that the repository and number exist and that the token can see them",
  }),
);

export const refused = code(
  "LXM6006",
  "GitHub refused the content",
  "GitHub answered 422: it refused what was sent (a field it does not accept, a body too long, a commit it does not know). The message quotes GitHub's reason.",
  (what: string, reply: string) => ({
    message: `GitHub refused to ${what} (422 ${reply})`,
    hint: "GitHub's reason is quoted above",
  }),
);

export const commentTooLong = code(
  "LXM6007",
  "comment too long",
  "GitHub refuses a comment longer than 65,536 characters; the Action refuses it before sending. The plan comment is shortened to fit (the full plan is in the job summary), so this is a bug in the rendering.",
  (pr: number, chars: number, limit: number) => ({
    message: `the comment for pull request #${pr} is ${chars} characters long; GitHub accepts at most ${limit}`,
    hint: "the full plan is in the job summary; shorten the comment",
  }),
);

export const unexpected = code(
  "LXM6008",
  "unexpected answer from GitHub",
  "GitHub answered with a status the Action does not expect for this call. The message quotes the status and GitHub's reason.",
  (what: string, status: number, reply: string) => ({
    message: `GitHub answered ${status} to the call to ${what}: ${reply}`,
    hint: "GitHub's reason is quoted above; re-run the job if it looks transient",
  }),
);

export const badRepository = code(
  "LXM6009",
  "bad repository name",
  "The repository must be named `owner/name` (as `GITHUB_REPOSITORY` names it).",
  (value: string) => ({ message: `${JSON.stringify(value)} is not a repository name of the form owner/name`, hint: "run the Action on GitHub, where GITHUB_REPOSITORY names the repository" }),
);

export const checkOutputTooLong = code(
  "LXM6010",
  "check run output too long",
  "GitHub refuses a check run whose output summary or text is longer than 65,535 characters; the Action refuses it before sending.",
  (field: string, chars: number, limit: number) => ({
    message: `the check run's ${field} is ${chars} characters long; GitHub accepts at most ${limit}`,
    hint: "put the long part in the job summary and link to it",
  }),
);

export const needsAppToken = code(
  "LXM6011",
  "check runs need a GitHub App token",
  "GitHub creates check runs only for a GitHub App's installation token (the workflow's GITHUB_TOKEN is one); a personal access token gets 403 \"You must authenticate via a GitHub App\". Leave the `github-token` input at its default.",
  (what: string) => ({
    message: `GitHub refused to ${what}: only a GitHub App's token may create check runs (403 You must authenticate via a GitHub App)`,
    hint: "leave github-token at its default (${{ github.token }}), which can create check runs given checks: write",
  }),
);
