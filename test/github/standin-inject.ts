import { STATUS_CODES } from "node:http";

/** What the stand-in answers: a status, a JSON body (none for 204) and headers of its own. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A response to give instead of the real one, `times` times, to requests of `method` `route`. */
export interface Injection {
  readonly method: string;
  /** The OpenAPI path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  readonly route: string;
  readonly status: number;
  /** Seconds, sent as `retry-after` (secondary limit) or added to `x-ratelimit-reset` (primary). Default 1. */
  readonly retryAfter?: number;
  /**
   * For 403/429: GitHub's secondary rate limit (`retry-after`), its primary one
   * (`x-ratelimit-remaining: 0`), or a refusal for missing permissions ("Resource not
   * accessible by integration"). Default: secondary for a 429, and for a 403 given
   * `retryAfter`; permissions for any other 403.
   */
  readonly kind?: "secondary" | "primary" | "permissions";
  /** How many matching requests get it (default 1). */
  readonly times?: number;
  readonly message?: string;
}

const docs = "https://docs.github.com/rest";

/** The answer an injection gives, with GitHub's own messages and headers for its rate limits. */
export function injectedReply(inj: Injection): Reply {
  const wait = inj.retryAfter ?? 1;
  if (inj.status === 403 || inj.status === 429) {
    const kind = inj.kind ?? (inj.status === 429 || inj.retryAfter !== undefined ? "secondary" : "permissions");
    if (kind === "permissions") {
      return { status: inj.status, body: { message: inj.message ?? "Resource not accessible by integration", documentation_url: docs, status: String(inj.status) } };
    }
    if (kind === "secondary") {
      return {
        status: inj.status,
        headers: { "retry-after": String(wait) },
        body: {
          message:
            inj.message ??
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
          documentation_url: "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          status: String(inj.status),
        },
      };
    }
    // The reset is an epoch second the client waits for: it has to be the real clock.
    const reset = Math.ceil(Date.now() / 1000) + wait;
    return {
      status: inj.status,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset), "x-ratelimit-used": "5000" },
      body: {
        message: inj.message ?? "API rate limit exceeded for installation ID 1.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
        status: String(inj.status),
      },
    };
  }
  return { status: inj.status, body: { message: inj.message ?? STATUS_CODES[inj.status] ?? "Error", documentation_url: docs, status: String(inj.status) } };
}
