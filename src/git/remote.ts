/**
 * Git over a remote through the git CLI: read refs (`ls-remote`), fetch objects into the
 * repository (`fetch`, shallow clones included) and move one remote ref with compare-and-swap
 * (`push --force-with-lease=<ref>:<expect>`, never a plain force).
 *
 * Credentials travel only in the child's environment: the Authorization header is handed to
 * git as `http.<url>.extraheader` through GIT_CONFIG_COUNT/KEY/VALUE, as actions/checkout
 * does with its config. Scoped to the remote's exact URL, it is more specific than a header a
 * checkout persisted in `.git/config` (which the empty value before it clears). The URL git
 * sees carries no userinfo (a password in it becomes the header), so git's argv, its helper's
 * argv (`git-remote-http <name> <url>`), the repository's files and git's messages hold no
 * secret; git's stderr is scrubbed of the header anyway before a word of it is reused.
 *
 * No prompt can hang a run (GIT_TERMINAL_PROMPT=0, no askpass, no credential helpers), a
 * stalled transfer is cut by curl (`http.lowSpeedLimit`/`lowSpeedTime`), and every command
 * has an overall deadline after which its whole process group is killed.
 */
import { spawn } from "node:child_process";
import type { LexumError } from "../diag/diagnostic.js";
import { noSuchRemote, remoteAuthRefused, remoteGitFailed, remoteHttpError, remoteRefMissing, remoteRepoNotFound, remoteTimedOut, remoteUnreachable } from "../diag/catalog/runtime.js";
import { gitEnv, runGit } from "./cat-file.js";

/** How git authenticates to a remote: one HTTP header line, `http.extraheader`'s value. */
export interface RemoteAuth {
  readonly header: string;
}

/** A git remote: its URL, the credentials to send, and how long a command may take. */
export interface Remote {
  readonly url: string;
  readonly auth?: RemoteAuth;
  /** The longest one git command may run before it is killed (default 10 minutes). */
  readonly timeoutMs?: number;
  /** A transfer slower than 1 byte/s for this long is abandoned (default 60 s). */
  readonly stallSeconds?: number;
}

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_STALL_SECONDS = 60;

/** The header for a token over HTTPS, exactly as actions/checkout sends it: basic auth, user `x-access-token`. */
export function tokenAuth(token: string): RemoteAuth {
  return { header: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`, "utf8").toString("base64")}` };
}

/** `url` without its userinfo (`https://user:pass@host/x` → `https://host/x`, `git@host:x` → `host:x`): what messages may show. */
export function redactUrl(url: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (scheme) {
    const authority = scheme[2]!;
    const at = authority.lastIndexOf("@");
    return at < 0 ? url : scheme[1]! + authority.slice(at + 1) + scheme[3]!;
  }
  // scp-like `user@host:path` (no slash before the colon)
  const scp = /^[^/:@]+@([^/:]+:.*)$/s.exec(url);
  return scp ? scp[1]! : url;
}

/** The URL of remote `name` (default "origin") as configured in the repository; LXM4130 when it has none. Show it only through redactUrl. */
export async function remoteUrl(gitdir: string, name = "origin"): Promise<string> {
  let out: string;
  try {
    out = (await runGit(gitdir, ["config", "--get", `remote.${name}.url`])).toString("utf8").trim();
  } catch {
    out = "";
  }
  if (out === "") throw noSuchRemote.error(name, gitdir);
  return out;
}

/** The remote's value of each of `refs` (exact full names); a ref the remote lacks is absent from the map. */
export async function lsRemote(gitdir: string, remote: Remote, refs: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (refs.length === 0) return found;
  for (const ref of refs) checkRefName(remote, ref);
  const c = connection(remote);
  const r = await runRemote(gitdir, c, "ls-remote", ["ls-remote", c.url, ...refs]);
  if (r.code !== 0) throw transportError(c, "ls-remote", r) ?? remoteGitFailed.error("ls-remote", c.shown, cause(c, r.stderr));
  const wanted = new Set(refs);
  // ls-remote matches patterns by their tail (`main` matches refs/heads/main): keep exact names only.
  for (const line of r.stdout.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const name = line.slice(tab + 1);
    if (wanted.has(name)) found.set(name, line.slice(0, tab));
  }
  return found;
}

/**
 * Fetches each `src` (a full ref name or a commit id) with the objects under it; with `dst`
 * the local ref is set to it, forced: the remote is the truth. `depth` limits the history
 * fetched (actions/checkout leaves depth-1 clones; fetching into them works either way).
 */
export async function fetchRefs(gitdir: string, remote: Remote, specs: { src: string; dst?: string }[], opts: { depth?: number } = {}): Promise<void> {
  if (specs.length === 0) return;
  for (const s of specs) {
    if (!OID.test(s.src)) checkRefName(remote, s.src);
    if (s.dst !== undefined) checkRefName(remote, s.dst);
  }
  const c = connection(remote);
  const args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--no-prune", "--no-auto-gc"];
  if (opts.depth !== undefined) args.push(`--depth=${Math.max(1, Math.floor(opts.depth))}`);
  args.push(c.url, ...specs.map((s) => (s.dst === undefined ? s.src : `+${s.src}:${s.dst}`)));
  const r = await runRemote(gitdir, c, "fetch", args);
  if (r.code !== 0) throw transportError(c, "fetch", r) ?? remoteGitFailed.error("fetch", c.shown, cause(c, r.stderr));
}

/** The outcome of a compare-and-swap on a remote ref. */
export type PushResult = { ok: true } | { ok: false; reason: "moved" | "refused"; detail: string; /** The refs that moved (when `moved`). */ moved?: readonly string[] };

/**
 * Moves the remote's `ref` to `oid` only if it is `expect` now (null: only if it does not
 * exist), sending the objects it needs. Ok as well when the remote's ref already is `oid`
 * (a rerun pushing the same deterministic commit). `moved`: the remote's ref was something
 * else; `refused`: the remote declined it (a hook, a branch protection, a token that may
 * not push). Transport failures throw (LXM4131–4137).
 */
export async function pushRef(gitdir: string, remote: Remote, a: { oid: string; ref: string; expect: string | null }): Promise<PushResult> {
  if (!OID.test(a.oid)) throw remoteGitFailed.error("push", redactUrl(remote.url), `${JSON.stringify(a.oid)} is not a commit id`);
  return casPush(gitdir, remote, a.ref, a.expect, a.oid);
}

/** Deletes the remote's `ref` only if it is `expect`; ok when it is already gone. Results as pushRef's. */
export async function deleteRemoteRef(gitdir: string, remote: Remote, ref: string, expect: string): Promise<PushResult> {
  return casPush(gitdir, remote, ref, expect, null);
}

/** Told of every git process this module starts (its argv and pid): lets tests see what a process list would show. */
export type GitSpawnObserver = (spawned: { readonly argv: readonly string[]; readonly pid: number | undefined }) => void;
let observer: GitSpawnObserver | null = null;
export function observeRemoteGit(fn: GitSpawnObserver | null): void {
  observer = fn;
}

// ---- internals (connection, checkRefName, scrub and clip are shared with ls-refs.ts) ----

const OID = /^[0-9a-f]{40}$/;

async function casPush(gitdir: string, remote: Remote, ref: string, expect: string | null, oid: string | null): Promise<PushResult> {
  return casPushAll(gitdir, remote, [{ ref, expect, oid }]);
}

/**
 * Moves every `ref` to its `oid` (null: deletes it) only if each is its `expect` now, all or
 * none (`git push --atomic`: the remote updates them in one transaction). `moved` names the
 * refs that were something else.
 */
export async function pushRefsAtomic(gitdir: string, remote: Remote, updates: readonly { ref: string; expect: string | null; oid: string }[]): Promise<PushResult> {
  for (const u of updates) if (!OID.test(u.oid)) throw remoteGitFailed.error("push", redactUrl(remote.url), `${JSON.stringify(u.oid)} is not a commit id`);
  return casPushAll(gitdir, remote, updates);
}

async function casPushAll(gitdir: string, remote: Remote, updates: readonly { ref: string; expect: string | null; oid: string | null }[]): Promise<PushResult> {
  for (const u of updates) {
    checkRefName(remote, u.ref);
    if (u.expect !== null && !OID.test(u.expect)) throw remoteGitFailed.error("push", redactUrl(remote.url), `${JSON.stringify(u.expect)} is not a commit id`);
  }
  const c = connection(remote);
  const r = await runRemote(gitdir, c, "push", [
    "push",
    "--porcelain",
    "--no-verify", // the workspace's own pre-push hooks are not for state pushes
    "--no-follow-tags",
    "--recurse-submodules=no",
    "--signed=no",
    ...(updates.length > 1 ? ["--atomic"] : []),
    ...updates.map((u) => `--force-with-lease=${u.ref}:${u.expect ?? ""}`),
    c.url,
    ...updates.map((u) => `${u.oid ?? ""}:${u.ref}`),
  ]);
  const lines = updates.map((u) => porcelainLine(r.stdout, u.ref));
  if (r.code === 0 && lines.every((line) => line === null || line.flag !== "!")) return { ok: true };
  // `!`: rejected, by our lease (stale info) or by the remote (a hook, a lock lost to a race).
  const rejected = lines.some((line) => line?.flag === "!") || (updates.some((u) => u.oid === null) && /remote ref does not exist/.test(r.stderr));
  if (!rejected) {
    const e = transportError(c, "push", r);
    if (e === null) throw remoteGitFailed.error("push", c.shown, cause(c, r.stderr));
    // A token that may read but not push: the remote refused this push, nothing is broken.
    if (e.code === remoteAuthRefused.code && /returned error: 403/.test(r.stderr)) return { ok: false, reason: "refused", detail: `HTTP 403: the credentials may not push${remoteSaid(c, r.stderr, ": ")}` };
    throw e;
  }
  // What the remote holds now decides: ours already, someone else's, or still `expect` (refused).
  const now = await lsRemote(gitdir, remote, updates.map((u) => u.ref));
  const at = (u: (typeof updates)[number]): string | null => now.get(u.ref) ?? null;
  if (updates.every((u) => at(u) === u.oid)) return { ok: true };
  const moved = updates.filter((u) => at(u) !== u.expect && at(u) !== u.oid);
  if (moved.length) return { ok: false, reason: "moved", detail: moved.map((u) => `${u.ref} on ${c.shown} is ${at(u) ?? "absent"}, not ${u.expect ?? "absent"}`).join("; "), moved: moved.map((u) => u.ref) };
  const line = lines.find((l) => l?.flag === "!") ?? lines[0];
  return { ok: false, reason: "refused", detail: `${line?.summary ?? "rejected"}${remoteSaid(c, r.stderr, ": ")}` };
}

/** `<flag> TAB <from>:<to> TAB <summary>` of `git push --porcelain` for `ref`. */
function porcelainLine(stdout: string, ref: string): { flag: string; summary: string } | null {
  for (const line of stdout.split("\n")) {
    const parts = line.split("\t");
    if (parts.length >= 3 && parts[1]!.endsWith(`:${ref}`)) return { flag: parts[0]!, summary: parts.slice(2).join(" ").trim() };
  }
  return null;
}

export interface Connection {
  /** What git is given: the URL without userinfo. */
  readonly url: string;
  /** What messages show. */
  readonly shown: string;
  readonly header: string | null;
  /** Strings never to repeat: the header, its credentials in every form, the URL's userinfo. */
  readonly secrets: readonly string[];
  readonly raw: string;
  readonly timeoutMs: number;
  readonly stallSeconds: number;
}

export function connection(remote: Remote): Connection {
  const shown = redactUrl(remote.url);
  const secrets: string[] = [];
  let header = remote.auth?.header ?? null;
  const userinfo = /^https?:\/\/([^/?#]*)@/i.exec(remote.url)?.[1];
  // An http(s) URL's userinfo would reach git-remote-http's argv: it travels as a header instead.
  const url = userinfo !== undefined ? shown : remote.url;
  if (userinfo !== undefined) {
    secrets.push(userinfo, ...userinfo.split(":").slice(1));
    if (header === null && userinfo.includes(":")) {
      const [user, ...pass] = userinfo.split(":");
      header = `AUTHORIZATION: basic ${Buffer.from(`${decode(user!)}:${decode(pass.join(":"))}`, "utf8").toString("base64")}`;
    }
  }
  if (header !== null) {
    secrets.push(header);
    const value = header.slice(header.indexOf(":") + 1).trim();
    secrets.push(value);
    const m = /^basic\s+(\S+)$/i.exec(value);
    if (m) {
      secrets.push(m[1]!);
      const plain = Buffer.from(m[1]!, "base64").toString("utf8");
      secrets.push(plain, plain.slice(plain.indexOf(":") + 1));
    } else {
      const token = /^\S+\s+(\S+)$/.exec(value)?.[1]; // bearer/token schemes
      if (token) secrets.push(token);
    }
  }
  return {
    url,
    shown,
    header,
    // Longest first, so a secret containing another is replaced whole.
    secrets: [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length),
    raw: remote.url,
    timeoutMs: remote.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    stallSeconds: Math.max(1, Math.ceil(remote.stallSeconds ?? DEFAULT_STALL_SECONDS)),
  };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Names and URLs git would read as options: refused before git sees them. */
export function checkRefName(remote: Remote, ref: string): void {
  if (!ref.startsWith("refs/") || /[\s:^~?*[\\]|\.\.|@\{/.test(ref)) throw remoteGitFailed.error("ref", redactUrl(remote.url), `${JSON.stringify(ref)} is not a full ref name`);
  if (remote.url.startsWith("-")) throw remoteGitFailed.error("remote", redactUrl(remote.url), "the URL starts with '-'");
}

/** Variables that would make git print what it sends (headers included) or ask someone for a password. */
const NOISY = /^(GIT_TRACE|GIT_CURL_VERBOSE|GIT_CONFIG_(KEY|VALUE)_|SSH_ASKPASS$|LANGUAGE$|LC_)/;

function remoteEnv(c: Connection): NodeJS.ProcessEnv {
  const env = gitEnv();
  for (const k of Object.keys(env)) if (NOISY.test(k)) delete env[k];
  // Scoped to the URL: more specific than a checkout's host-wide header, which the empty value clears.
  const config: [string, string][] = [
    ["credential.helper", ""],
    [`credential.${c.url}.helper`, ""],
    [`http.${c.url}.lowSpeedLimit`, "1"],
    [`http.${c.url}.lowSpeedTime`, String(c.stallSeconds)],
    [`http.${c.url}.extraheader`, ""],
  ];
  if (c.header !== null) config.push([`http.${c.url}.extraheader`, c.header]);
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  env.GIT_CONFIG_COUNT = String(config.length);
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_ASKPASS = ""; // set but empty: git neither runs core.askPass nor SSH_ASKPASS
  env.GCM_INTERACTIVE = "never";
  env.GIT_TRACE_REDACT = "1";
  env.LC_ALL = "C"; // git's messages in English: they are classified below
  return env;
}

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly killed: boolean;
}

function runRemote(gitdir: string, c: Connection, command: string, args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const argv = ["--git-dir", gitdir, "--no-replace-objects", ...args];
    // Its own process group: on the deadline git and its transport helper die together.
    const p = spawn("git", argv, { stdio: ["ignore", "pipe", "pipe"], env: remoteEnv(c), detached: true });
    observer?.({ argv: ["git", ...argv], pid: p.pid });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        if (p.pid !== undefined) process.kill(-p.pid, "SIGKILL");
      } catch {
        p.kill("SIGKILL");
      }
    }, c.timeoutMs);
    p.stdout.on("data", (b: Buffer) => out.push(b));
    p.stderr.on("data", (b: Buffer) => err.push(b));
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), killed });
    };
    p.on("error", (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(remoteGitFailed.error(command, c.shown, scrub(c, e.message)));
    });
    // Killed: done at its exit, even if a stray child still holds the pipes open.
    p.on("exit", (code) => {
      if (killed) finish(code);
    });
    p.on("close", (code) => finish(code));
  });
}

/** The error a failed transfer means (unreachable, credentials, 404, timeout, missing ref, HTTP status); null when git failed for another reason. */
function transportError(c: Connection, command: string, r: Ran): LexumError | null {
  const s = r.stderr;
  if (r.killed) return remoteTimedOut.error(command, c.shown, `still running after ${c.timeoutMs} ms, stopped`);
  if (/Operation too slow|Operation timed out|curl 28\b/i.test(s)) return remoteTimedOut.error(command, c.shown, `no progress for ${c.stallSeconds} s (less than 1 byte/s)`);
  if (/could not read (Username|Password)|Authentication failed|terminal prompts disabled/.test(s)) return remoteAuthRefused.error(c.shown, 401, remoteSaid(c, s, ""));
  const status = Number(/returned error: (\d{3})|RPC failed; HTTP (\d{3})/.exec(s)?.slice(1).find(Boolean) ?? 0);
  if (status === 401 || status === 403) return remoteAuthRefused.error(c.shown, status, remoteSaid(c, s, ""));
  if (status === 404 || /repository '[^']*' not found/.test(s)) return remoteRepoNotFound.error(c.shown);
  const ref = /couldn't find remote ref (\S+)/.exec(s)?.[1];
  if (ref) return remoteRefMissing.error(c.shown, `ref ${scrub(c, ref)}`);
  const oid = /(?:not our ref|unadvertised object) ([0-9a-f]{40})/.exec(s)?.[1];
  if (oid) return remoteRefMissing.error(c.shown, `object ${oid} reachable from its refs`);
  if (status !== 0) return remoteHttpError.error(c.shown, status, remoteSaid(c, s, ""));
  // curl's own failures (no HTTP status): the connection never carried an answer.
  const curl = /unable to access '[^']*': (.*)/.exec(s)?.[1];
  if (curl) return remoteUnreachable.error(c.shown, scrub(c, curl.trim()));
  if (/Could not resolve host|Failed to connect|Couldn't connect|Connection refused|Connection reset|Empty reply from server|Recv failure|Send failure/i.test(s)) return remoteUnreachable.error(c.shown, cause(c, s));
  return null;
}

/** The remote's own words (git prints them as `remote: …`), scrubbed; `prefix` before them when there are any. */
function remoteSaid(c: Connection, stderr: string, prefix: string): string {
  const said = stderr
    .split("\n")
    .filter((l) => l.startsWith("remote: "))
    .map((l) => l.slice("remote: ".length).trim())
    .filter((l) => l !== "");
  return said.length ? prefix + clip(scrub(c, said.join(" "))) : "";
}

/** git's stderr as one scrubbed line. */
function cause(c: Connection, stderr: string): string {
  const text = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ");
  return clip(scrub(c, text)) || "no message from git";
}

export function clip(s: string): string {
  return s.length > 1000 ? `${s.slice(0, 1000)}…` : s;
}

/** `text` with the raw URL shown redacted and every secret replaced. */
export function scrub(c: Connection, text: string): string {
  let t = c.raw !== c.shown ? text.split(c.raw).join(c.shown) : text;
  for (const s of c.secrets) t = t.split(s).join("***");
  return t;
}
