import type { PollMatch } from "./types.js";

/**
 * Which watched repository entries a webhook or `/hooks/poll` names. A repository has many
 * URLs (GitHub's push event lists its https, ssh and git ones); two name the same
 * repository when they agree once the user name and password, a trailing `.git` or `/`,
 * the query and fragment, and the case of the host are set aside. The scheme counts:
 * http://host/x and https://host/x are different remotes.
 */

/**
 * The form `url` is compared in: `scheme://host[:port]/path` for a URL, `ssh://host/path`
 * for git's scp-like `user@host:path`, the path for a local path or a `file://` URL.
 * Deterministic; never throws (text that is none of these is compared as it is, less a
 * trailing `.git`).
 */
export function repositoryKey(url: string): string {
  const text = url.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return trimPath(text);
    }
    const protocol = parsed.protocol.toLowerCase();
    const path = safeDecode(parsed.pathname);
    if (protocol === "file:") return trimPath(path);
    const port = parsed.port === "" ? "" : `:${parsed.port}`;
    return `${protocol}//${parsed.hostname.toLowerCase()}${port}${trimPath(path)}`;
  }
  // git's scp-like syntax: [user@]host:path, where host has no slash (else it is a local path).
  const scp = /^(?:[^@/]*@)?([^/:]+):(?!\/\/)(.*)$/.exec(text);
  if (scp) return `ssh://${scp[1]!.toLowerCase()}/${trimPath(scp[2]!.replace(/^\/+/, ""))}`;
  return trimPath(text);
}

/**
 * Whether `match` names the entry watching `repo.branch` of `repo.url` whose name
 * (RepoStatus.repo) is `entry`: one of its URLs is the same repository, its ref is null or
 * `refs/heads/<branch>`, and its `entries`, when given, list `entry`.
 */
export function pollMatches(match: PollMatch, repo: { readonly url: string; readonly branch: string }, entry: string): boolean {
  if (match.entries !== undefined && !match.entries.includes(entry)) return false;
  if (match.ref !== null && match.ref !== `refs/heads/${repo.branch}`) return false;
  const key = repositoryKey(repo.url);
  return match.urls.some((u) => repositoryKey(u) === key);
}

/** A path without trailing slashes and one `.git` suffix ("/" stays "/"). */
function trimPath(path: string): string {
  let p = path.replace(/\/+$/, "");
  if (p.toLowerCase().endsWith(".git")) p = p.slice(0, -4).replace(/\/+$/, "");
  return p === "" && path.startsWith("/") ? "/" : p;
}

/** Percent-decoding that leaves malformed escapes as written. */
function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
