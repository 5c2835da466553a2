import { createHmac, timingSafeEqual } from "node:crypto";
import type { PollMatch } from "./types.js";

/**
 * GitHub webhooks as the lxm-sync agent reads them: the `X-Hub-Signature-256` check (an
 * HMAC-SHA256 of the body's exact bytes with the webhook's secret), and the event's payload
 * turned into the PollMatch of the repository it names. Pure functions of the request's
 * headers and bytes; the HTTP server (http.ts) decides the answers.
 */

/** The signature header GitHub sends (lower case, as Node.js gives headers). */
export const SIGNATURE_HEADER = "x-hub-signature-256";
/** The header naming the event (`push`, `ping`, …). */
export const EVENT_HEADER = "x-github-event";
/** The header with the delivery's id (a GUID, shown on the webhook's Recent Deliveries page). */
export const DELIVERY_HEADER = "x-github-delivery";

/** What checking a signature found: the secret that produced it, or what is wrong (for LXM7021). */
export type SignatureCheck = { readonly ok: true; readonly secret: string } | { readonly ok: false; readonly problem: string };

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks `header` (the X-Hub-Signature-256 value: `sha256=` and 64 hex digits) against
 * each of `secrets` in turn: the first whose HMAC-SHA256 of `body` equals it is returned.
 * The digests are compared with `crypto.timingSafeEqual`, after the header's form (and so
 * its length) was checked, so a wrong guess takes as long whatever its first wrong byte.
 * The problem never quotes the header.
 */
export function verifySignature(body: Uint8Array, header: string | readonly string[] | undefined, secrets: readonly string[]): SignatureCheck {
  if (header === undefined || header === "") return { ok: false, problem: "is missing" };
  // Two headers of that name are one signature too many: refused, not guessed between.
  const m = typeof header === "string" ? SIGNATURE.exec(header.trim()) : null;
  if (!m) return { ok: false, problem: "is not sha256= followed by 64 hexadecimal digits" };
  const given = Buffer.from(m[1]!, "hex");
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(body).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { ok: true, secret };
  }
  return { ok: false, problem: "matches none of the configured webhook secrets" };
}

/** The `sha256=<hex>` signature GitHub would send for `body` with `secret` (tests, and tools that post to the agent). */
export function signBody(body: Uint8Array | string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** What a (signed) GitHub delivery asks of the agent. */
export type GitHubDelivery =
  /** A push: poll the repositories it names. `after` is the pushed tip (forty zeros for a deleted branch). */
  | { readonly kind: "push"; readonly match: PollMatch; readonly after: string | null }
  /** GitHub's test delivery when a webhook is created: answered, nothing polled. */
  | { readonly kind: "ping"; readonly hookId: number | null }
  /** Any other event: nothing for the agent to do. */
  | { readonly kind: "ignored"; readonly event: string }
  /** Not a GitHub event the agent can read (LXM7022). */
  | { readonly kind: "invalid"; readonly problem: string };

/** The repository URLs of a push event the agent compares with its configuration (https, web, ssh, git). */
export const PUSH_URL_FIELDS = ["clone_url", "html_url", "ssh_url", "git_url"] as const;

/**
 * Reads a delivery: `event` is the X-GitHub-Event header, `contentType` the Content-Type
 * (GitHub sends `application/json`, or `application/x-www-form-urlencoded` with the JSON in
 * the `payload` field), `body` the bytes the signature covered. A push needs `ref` and at
 * least one of the repository's URLs; other events are read only as far as being JSON.
 */
export function parseDelivery(event: string | readonly string[] | undefined, contentType: string | undefined, body: Uint8Array): GitHubDelivery {
  if (typeof event !== "string" || event === "") return { kind: "invalid", problem: "has no X-GitHub-Event header" };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return { kind: "invalid", problem: "is not UTF-8 text" };
  }
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? "")) {
    const payload = new URLSearchParams(text).get("payload");
    if (payload === null) return { kind: "invalid", problem: "is a form without its payload field" };
    text = payload;
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    return { kind: "invalid", problem: `is not JSON (${(e as Error).message})` };
  }
  if (!isObject(value)) return { kind: "invalid", problem: "is not a JSON object" };
  if (event === "ping") return { kind: "ping", hookId: typeof value["hook_id"] === "number" ? value["hook_id"] : null };
  if (event !== "push") return { kind: "ignored", event };

  const ref = value["ref"];
  if (typeof ref !== "string" || !ref.startsWith("refs/")) return { kind: "invalid", problem: "is a push event without its ref (refs/heads/…)" };
  const repository = value["repository"];
  if (!isObject(repository)) return { kind: "invalid", problem: "is a push event without its repository" };
  const urls = PUSH_URL_FIELDS.map((k) => repository[k]).filter((u): u is string => typeof u === "string" && u !== "");
  if (urls.length === 0) return { kind: "invalid", problem: `is a push event whose repository has none of ${PUSH_URL_FIELDS.join(", ")}` };
  const after = value["after"];
  return { kind: "push", match: { urls, ref }, after: typeof after === "string" && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(after) ? after : null };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
