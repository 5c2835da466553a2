/**
 * The cheapest question to a remote: what are these few refs now? Over smart HTTP it is git
 * protocol v2's `ls-refs` with one `ref-prefix` per ref, asked by isomorphic-git's
 * `listServerRefs` in-process: two HTTP requests (the capability advertisement and the
 * `ls-refs` command), no git process, no pack, nothing written anywhere. A long-running
 * poller asks this every interval for every repository it watches, so it must stay that
 * small whatever the number of branches and tags on the remote.
 *
 * The credential travels only as the Authorization request header (a URL's userinfo becomes
 * that header too, as in remote.ts); errors name the URL without userinfo, quote the server
 * scrubbed of every form of the secret, and carry the codes remote.ts uses (LXM4131–4137).
 * A remote that is not HTTP(S) (a local path) is read by the git CLI through `lsRemote`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import git from "isomorphic-git";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { LexumError } from "../diag/diagnostic.js";
import { remoteAuthRefused, remoteGitFailed, remoteHttpError, remoteRepoNotFound, remoteTimedOut, remoteUnreachable } from "../diag/catalog/runtime.js";
import { checkRefName, clip, connection, lsRemote, redactUrl, scrub } from "./remote.js";
import type { Connection, Remote } from "./remote.js";

export interface ListRemoteRefsOptions {
  /**
   * The repository git runs in for a remote that is not HTTP(S) (`git --git-dir <gitdir>
   * ls-remote <url>`). Without it a local path is read with its own git directory (nothing
   * is written there); an ssh or git:// URL needs it.
   */
  readonly gitdir?: string;
}

/**
 * The remote's value of each of `refs` (exact full names); a ref the remote lacks is absent
 * from the map. All refs of one remote are asked in one exchange. The whole exchange is
 * bounded by `remote.timeoutMs` (the requests are aborted, LXM4134).
 */
export async function listRemoteRefs(remote: Remote, refs: string[], opts: ListRemoteRefsOptions = {}): Promise<Map<string, string>> {
  const wanted = [...new Set(refs)];
  for (const ref of wanted) checkRefName(remote, ref);
  if (!/^https?:\/\//i.test(remote.url)) {
    const gitdir = opts.gitdir ?? localGitdir(remote.url);
    if (gitdir === null) throw remoteGitFailed.error("ls-refs", redactUrl(remote.url), "only an http(s) URL or a local path can be read without a local repository; pass a gitdir");
    return lsRemote(gitdir, remote, wanted);
  }
  const found = new Map<string, string>();
  if (wanted.length === 0) return found;
  const c = connection(remote);
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  if (c.header !== null) {
    const colon = c.header.indexOf(":");
    headers[c.header.slice(0, colon).trim()] = c.header.slice(colon + 1).trim();
  }
  const asked = git.listServerRefs({ http: prefixing(wanted, controller.signal), url: c.url, headers, protocolVersion: 2 });
  asked.catch(() => undefined); // once timed out, its late failure is nobody's
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(remoteTimedOut.error("ls-refs", c.shown, `no answer within ${c.timeoutMs} ms, stopped`));
    }, c.timeoutMs);
  });
  let listed: Awaited<typeof asked>;
  try {
    listed = await Promise.race([asked, deadline]);
  } catch (e) {
    throw httpError(c, e);
  } finally {
    clearTimeout(timer);
  }
  // A prefix also matches its siblings (`refs/heads/main` → `refs/heads/main2`): exact names only.
  const exact = new Set(wanted);
  for (const r of listed) if (exact.has(r.ref)) found.set(r.ref, r.oid);
  return found;
}

// ---- internals ----

const FLUSH = "0000";
const DELIM = "0001";

/**
 * isomorphic-git's Node HTTP client with the abort signal on every request and one
 * `ref-prefix` line per ref in the `ls-refs` command (listServerRefs takes one prefix). It
 * is called without a prefix, so a server that only speaks protocol v0/v1 still has every
 * ref filtered here rather than by one prefix; a body of an unexpected shape is sent as it
 * is, which lists every ref: slower, never wrong.
 */
function prefixing(refs: readonly string[], signal: AbortSignal): HttpClient {
  return {
    request(req: GitHttpRequest): Promise<GitHttpResponse> {
      // listServerRefs hands its command over as an array of pkt-line buffers, not the declared iterator.
      let body: unknown = req.body;
      if (req.method === "POST" && Array.isArray(body) && body.length >= 3) {
        const lines = body.map((b: Uint8Array) => Buffer.from(b).toString("utf8"));
        if (lines[0] === pkt("command=ls-refs\n") && lines[lines.length - 1] === FLUSH && !lines.includes(DELIM)) {
          body = [...body.slice(0, -1), Buffer.from(DELIM), ...refs.map((r) => Buffer.from(pkt(`ref-prefix ${r}\n`))), Buffer.from(FLUSH)];
        }
      }
      return http.request({ ...req, body: body as GitHttpRequest["body"], signal });
    },
  };
}

/** A pkt-line: four hex digits of length (themselves included), then the data. */
function pkt(data: string): string {
  return (Buffer.byteLength(data) + 4).toString(16).padStart(4, "0") + data;
}

/** The git directory of a local-path remote (`/srv/x.git`, `../x`, `file:///srv/x`); null for other URLs. */
function localGitdir(url: string): string | null {
  let path: string;
  if (/^file:\/\//i.test(url)) {
    try {
      path = fileURLToPath(url);
    } catch {
      return null;
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) || /^[^/]*:/.test(url)) {
    return null; // ssh://, git://, scp-like host:path
  } else {
    path = resolve(url);
  }
  const dotGit = join(path, ".git");
  return existsSync(dotGit) ? dotGit : path;
}

/** What an isomorphic-git or socket failure means, as remote.ts's codes. */
function httpError(c: Connection, e: unknown): LexumError {
  if (e instanceof LexumError) return e;
  const err = e as { code?: unknown; message?: unknown; data?: { statusCode?: number; response?: string; preview?: string } };
  const message = typeof err?.message === "string" ? err.message : String(e);
  if (err?.code === "HttpError" && typeof err.data?.statusCode === "number") {
    const status = err.data.statusCode;
    const said = oneLine(c, err.data.response ?? "");
    if (status === 401 || status === 403) return remoteAuthRefused.error(c.shown, status, said);
    if (status === 404) return remoteRepoNotFound.error(c.shown);
    return remoteHttpError.error(c.shown, status, said);
  }
  if (err?.code === "SmartHttpError") return remoteGitFailed.error("ls-refs", c.shown, `the server did not answer as a git smart-HTTP server: ${oneLine(c, err.data?.preview ?? "")}`);
  // Socket and TLS failures: the connection never carried an answer.
  if (typeof err?.code === "string" && /^(E[A-Z]+$|ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|HPE_)/.test(err.code)) return remoteUnreachable.error(c.shown, oneLine(c, message));
  return remoteGitFailed.error("ls-refs", c.shown, oneLine(c, message) || "no message");
}

function oneLine(c: Connection, text: string): string {
  return clip(scrub(c, text.replace(/\s+/g, " ").trim()));
}
