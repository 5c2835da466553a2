import { EXCERPT_MAX_CHARS, REDACTED } from "./limits.js";

/**
 * What an error may quote of a server's answer. Servers echo requests back (a 400 that
 * repeats the Authorization header, a debug page listing the session), so before any of a
 * body is shown every configured header value is replaced by "(redacted)", and so is the
 * value of anything that looks like a credential field (`"password": "…"`, `token=…`,
 * `Authorization: Bearer …`). Only then is it cut to EXCERPT_MAX_CHARS: cutting first could
 * leave the head of a secret no longer recognisable as one.
 */

// Field names that hold credentials: password, passwd, secret, token, api_key, authorization, …
const NAME = String.raw`[A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[-_]?key|authori[sz]ation|credential|private[-_]?key|cookie)[A-Za-z0-9_.-]*`;
// A JSON member: "name": "value" (or a bare number, true, …).
const JSON_FIELD = new RegExp(String.raw`("${NAME}"\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)`, "gi");
// Text, a form or a header line: name=value, name: value, with an optional auth scheme.
const TEXT_FIELD = new RegExp(String.raw`(\b${NAME}\s*[=:]\s*)((?:(?:Bearer|Basic|Token|Digest)\s+)?[^\s&,;"'<>]+)`, "gi");

/** The strings to hide for these header values: each value, its credential after an auth scheme, and their JSON- and URL-encoded forms; longest first. */
export function secretForms(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    const value = v.trim();
    const space = value.search(/\s/);
    const parts = space > 0 ? [value, value.slice(space + 1).trim()] : [value];
    for (const p of parts) {
      // Shorter values are not credentials, and hiding them everywhere would hide the message.
      if (p.length < 4) continue;
      out.add(p);
      out.add(JSON.stringify(p).slice(1, -1));
      out.add(encodeURIComponent(p));
    }
  }
  return [...out].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** `text` with every secret form and every credential field's value replaced by "(redacted)". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  out = out.replace(JSON_FIELD, `$1"${REDACTED}"`);
  return out.replace(TEXT_FIELD, `$1${REDACTED}`);
}

/** A one-line, redacted excerpt of an answer's body, at most EXCERPT_MAX_CHARS characters (an ellipsis marks a cut). */
export function excerpt(body: string, secrets: readonly string[]): string {
  const line = redact(body, secrets).replace(/\s+/g, " ").trim();
  if (line.length <= EXCERPT_MAX_CHARS) return line;
  let cut = line.slice(0, EXCERPT_MAX_CHARS - 1);
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + "…";
}
