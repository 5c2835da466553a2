import fs from "node:fs";
import { appendFile, open, stat } from "node:fs/promises";
import os from "node:os";
import type { Diagnostic } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import type { SourceSet } from "../diag/source.js";

/**
 * The Actions runner's protocol, without @actions/core: inputs from `INPUT_*` variables, the
 * job's context from `GITHUB_*` variables and the event file, step outputs and the job
 * summary appended to the files the runner names, and workflow commands (annotations) as
 * stdout lines. Everything here is deterministic; only setOutput and appendSummary write.
 */

/** The Action's inputs (action.yml), parsed and defaulted. */
export interface ActionInputs {
  /** The project folder, relative to the workspace ("." by default). */
  readonly path: string;
  /** The state branch; null keeps the project's own (lexum.yaml's, else the one derived from its path). */
  readonly stateBranch: string | null;
  /** The environment (lexum.yaml `environments`); null for none. */
  readonly environment: string | null;
  readonly mode: "auto" | "plan" | "apply";
  /** "" when none was given (the Action refuses to run without one). */
  readonly githubToken: string;
  readonly requireReviewedPlan: boolean;
  readonly comment: "always" | "on-change" | "never";
  /** null keeps the project's own setting. */
  readonly parallelism: number | null;
}

/** The job's context as the runner gives it. */
export interface RunnerContext {
  readonly eventName: string;
  /** The webhook payload of the event (GITHUB_EVENT_PATH). */
  readonly event: Record<string, unknown>;
  /** `owner/name`. */
  readonly repository: string;
  readonly sha: string;
  /** "" when the event has no branch or tag. */
  readonly ref: string;
  /** Without a trailing slash. */
  readonly apiUrl: string;
  readonly serverUrl: string;
  readonly workspace: string;
  /** GITHUB_RUN_ID; null when the runner did not say (the run is then anonymous). */
  readonly runId: number | null;
  readonly runAttempt: number;
}

/** An input as @actions/core's getInput reads it: `INPUT_<NAME>` upper-cased (hyphens kept), trimmed. */
function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const v = input(env, name);
  if (v === "") return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw catalog.runner.badInput.error(name, v, `one of ${allowed.join(", ")}`);
}

/** YAML 1.2 core-schema booleans, exactly the spellings @actions/core's getBooleanInput accepts. */
function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = input(env, name);
  if (v === "") return fallback;
  if (v === "true" || v === "True" || v === "TRUE") return true;
  if (v === "false" || v === "False" || v === "FALSE") return false;
  throw catalog.runner.badInput.error(name, v, "a boolean: true, True, TRUE, false, False or FALSE");
}

/** Reads and checks the Action's inputs; a bad value is a catalog error (LXM6030) naming the input, the value and what is allowed. */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const parallelism = input(env, "parallelism");
  let n: number | null = null;
  if (parallelism !== "") {
    n = /^[0-9]+$/.test(parallelism) ? Number(parallelism) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw catalog.runner.badInput.error("parallelism", parallelism, "a positive integer (1, 2, …)");
  }
  const stateBranch = input(env, "state-branch");
  const environment = input(env, "environment");
  return {
    environment: environment === "" ? null : environment,
    path: input(env, "path") || ".",
    stateBranch: stateBranch === "" ? null : stateBranch,
    mode: oneOf(env, "mode", ["auto", "plan", "apply"] as const, "auto"),
    githubToken: input(env, "github-token"),
    requireReviewedPlan: boolean(env, "require-reviewed-plan", true),
    comment: oneOf(env, "comment", ["always", "on-change", "never"] as const, "on-change"),
    parallelism: n,
  };
}

const REQUIRED = ["GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_SHA"] as const;

/**
 * Reads the job's context from the runner's variables and the event file. Missing variables
 * mean the Action is not running in a job (LXM6031); a malformed one is LXM6033; an event
 * file that cannot be read or is not a JSON object is LXM6032.
 */
export function readRunnerContext(env: NodeJS.ProcessEnv): RunnerContext {
  const missing = REQUIRED.filter((k) => (env[k] ?? "") === "");
  if (missing.length > 0) throw catalog.runner.notInActionsJob.error(missing);
  const repository = env.GITHUB_REPOSITORY!;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) throw catalog.runner.badRunnerVariable.error("GITHUB_REPOSITORY", repository, "owner/name");
  const sha = env.GITHUB_SHA!;
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) throw catalog.runner.badRunnerVariable.error("GITHUB_SHA", sha, "a commit id (40 or 64 hexadecimal digits)");
  return {
    eventName: env.GITHUB_EVENT_NAME!,
    event: readEvent(env.GITHUB_EVENT_PATH!),
    repository,
    sha,
    ref: env.GITHUB_REF ?? "",
    apiUrl: url(env, "GITHUB_API_URL", "https://api.github.com"),
    serverUrl: url(env, "GITHUB_SERVER_URL", "https://github.com"),
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    runId: (env.GITHUB_RUN_ID ?? "") === "" ? null : counter(env, "GITHUB_RUN_ID", 1),
    runAttempt: counter(env, "GITHUB_RUN_ATTEMPT", 1),
  };
}

function readEvent(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw catalog.runner.badEventPayload.error(file, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw catalog.runner.badEventPayload.error(file, `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw catalog.runner.badEventPayload.error(file, "not a JSON object");
  return value as Record<string, unknown>;
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = env[name] || fallback;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw catalog.runner.badRunnerVariable.error(name, v, "an http(s) URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw catalog.runner.badRunnerVariable.error(name, v, "an http(s) URL");
  return v.replace(/\/+$/, "");
}

function counter(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name] ?? "";
  if (v === "") return fallback;
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw catalog.runner.badRunnerVariable.error(name, v, "a positive integer");
  return n;
}

/**
 * Sets a step output: appends `name<<DELIM`, the value and `DELIM` to the file in
 * GITHUB_OUTPUT (the runner's multi-line form). The delimiter is chosen so it occurs in
 * neither the name nor the value (deterministically, where @actions/core draws a UUID).
 * Without GITHUB_OUTPUT nothing is written (the deprecated `::set-output` is never used).
 */
export async function setOutput(env: NodeJS.ProcessEnv, name: string, value: string): Promise<void> {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  let delimiter = "ghadelimiter_lexum";
  for (let i = 1; value.includes(delimiter) || name.includes(delimiter); i++) delimiter = `ghadelimiter_lexum_${i}`;
  await append("GITHUB_OUTPUT", file, `${name}<<${delimiter}${os.EOL}${value}${os.EOL}${delimiter}${os.EOL}`);
}

async function append(variable: string, file: string, text: string): Promise<void> {
  try {
    await appendFile(file, text, "utf8");
  } catch (e) {
    throw catalog.runner.runnerFileFailed.error(variable, file, (e as NodeJS.ErrnoException).code ?? String(e));
  }
}

/** What the runner keeps of a step's job summary: it drops a larger one whole. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** The line that ends a cut summary (also how a later append knows the summary is full). */
export const SUMMARY_CUT_NOTICE = "> **The rest of this summary was cut**: the runner keeps at most 1 MiB of job summary per step.";

/**
 * Appends Markdown to the job summary (GITHUB_STEP_SUMMARY; nothing without it). The
 * summary never grows past the runner's 1 MiB: an append that would is cut at a line
 * boundary, any code fence, HTML comment or `<details>` it left open is closed, and one line
 * says the rest was cut. Once cut, later appends write nothing.
 */
export async function appendSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const text = markdown.endsWith("\n") ? markdown : markdown + "\n";
  const used = await sizeOf(file);
  if (await endsWithCut(file, used)) return;
  if (used + Buffer.byteLength(text, "utf8") <= SUMMARY_LIMIT_BYTES) return append("GITHUB_STEP_SUMMARY", file, text);
  const cut = cutMarkdown(text, SUMMARY_LIMIT_BYTES - used);
  if (cut !== "") await append("GITHUB_STEP_SUMMARY", file, cut);
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw catalog.runner.runnerFileFailed.error("GITHUB_STEP_SUMMARY", file, (e as NodeJS.ErrnoException).code ?? String(e));
  }
}

async function endsWithCut(file: string, size: number): Promise<boolean> {
  const tail = Buffer.byteLength(SUMMARY_CUT_NOTICE + "\n", "utf8");
  if (size < tail) return false;
  const h = await open(file, "r");
  try {
    const buf = Buffer.alloc(tail);
    await h.read(buf, 0, tail, size - tail);
    return buf.toString("utf8") === SUMMARY_CUT_NOTICE + "\n";
  } finally {
    await h.close();
  }
}

/** What is open after a prefix of Markdown lines: a code fence, an HTML comment, `<details>` blocks. */
interface OpenBlocks {
  fence: string | null;
  comment: boolean;
  details: number;
}

/** Follows one line (CommonMark fences: up to 3 spaces, then 3+ backticks or tildes; closed by the same run or longer). */
function followLine(state: OpenBlocks, line: string): void {
  if (state.comment) {
    const end = line.indexOf("-->");
    if (end < 0) return;
    state.comment = false;
    line = line.slice(end + 3);
  }
  if (state.fence !== null) {
    const m = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
    if (m && m[1]![0] === state.fence[0] && m[1]!.length >= state.fence.length) state.fence = null;
    return;
  }
  const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
  if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
    state.fence = open[1]!;
    return;
  }
  // Outside fences: HTML comments and <details> (a comment may open and close on one line).
  let rest = line;
  for (;;) {
    const at = rest.indexOf("<!--");
    const before = at < 0 ? rest : rest.slice(0, at);
    state.details += (before.match(/<details[\s>]/gi) ?? []).length - (before.match(/<\/details\s*>/gi) ?? []).length;
    if (at < 0) break;
    const end = rest.indexOf("-->", at + 4);
    if (end < 0) {
      state.comment = true;
      break;
    }
    rest = rest.slice(end + 3);
  }
  if (state.details < 0) state.details = 0;
}

function closers(state: OpenBlocks): string {
  let out = "";
  if (state.comment) out += "-->\n";
  if (state.fence !== null) out += state.fence + "\n";
  for (let i = 0; i < state.details; i++) out += "\n</details>\n";
  return out + "\n" + SUMMARY_CUT_NOTICE + "\n";
}

/**
 * The longest prefix of whole lines of `text` that, with what closes its open blocks and the
 * cut notice, fits in `maxBytes` (UTF-8); "" when not even the notice fits.
 */
export function cutMarkdown(text: string, maxBytes: number): string {
  const lines = text.split(/(?<=\n)/);
  const state: OpenBlocks = { fence: null, comment: false, details: 0 };
  let best = closers(state);
  if (Buffer.byteLength(best, "utf8") > maxBytes) return "";
  let kept = "";
  let bytes = 0;
  for (const line of lines) {
    bytes += Buffer.byteLength(line, "utf8");
    if (bytes > maxBytes) break;
    kept += line;
    followLine(state, line.replace(/\r?\n$/, ""));
    const tail = closers(state);
    if (bytes + Buffer.byteLength(tail, "utf8") <= maxBytes) best = kept + tail;
  }
  return best;
}

/** Where an annotation points and what it is titled. Lines and columns are 1-based. */
export interface CommandProps {
  readonly title?: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

/** The runner's escaping of a command's message. */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** The runner's escaping of a command's property value. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * A workflow command line: `::error file=a.lxm,line=3,col=5,title=LXM1234::message`, with
 * the runner's escaping (message: `%`, CR, LF; properties also `:` and `,`).
 */
export function command(kind: "error" | "warning" | "notice" | "debug" | string, props: CommandProps, message: string): string {
  const parts: string[] = [];
  if (props.file !== undefined) parts.push(`file=${escapeProperty(props.file)}`);
  if (props.line !== undefined) parts.push(`line=${props.line}`);
  if (props.col !== undefined) parts.push(`col=${props.col}`);
  if (props.endLine !== undefined) parts.push(`endLine=${props.endLine}`);
  if (props.endColumn !== undefined) parts.push(`endColumn=${props.endColumn}`);
  if (props.title !== undefined) parts.push(`title=${escapeProperty(props.title)}`);
  return `::${kind}${parts.length > 0 ? " " + parts.join(",") : ""}::${escapeData(message)}`;
}

/** How many annotations of each kind GitHub shows for one step. */
export const ANNOTATIONS_PER_STEP = 10;

/**
 * Diagnostics as annotation commands on their file, line and column (`toRepoPath` maps a
 * project-relative path to the repository's): errors first, at most 10 errors and 10
 * warnings (what GitHub shows per step); the others, in their order, are returned in `rest`
 * for the job summary. Deterministic.
 */
export function annotations(diags: readonly Diagnostic[], toRepoPath: (file: string) => string, sources: SourceSet): { lines: string[]; rest: Diagnostic[] } {
  const errors = diags.filter((d) => d.severity === "error");
  const warnings = diags.filter((d) => d.severity !== "error");
  const shown = [...errors.slice(0, ANNOTATIONS_PER_STEP), ...warnings.slice(0, ANNOTATIONS_PER_STEP)];
  const shownSet = new Set(shown);
  return {
    lines: shown.map((d) => command(d.severity === "error" ? "error" : "warning", where(d, toRepoPath, sources), annotationText(d, toRepoPath, sources))),
    rest: diags.filter((d) => !shownSet.has(d)),
  };
}

function where(d: Diagnostic, toRepoPath: (file: string) => string, sources: SourceSet): CommandProps {
  if (!d.span) return { title: d.code };
  const file = sources.get(d.span.file);
  if (!file) return { file: toRepoPath(d.span.file), title: d.code };
  const s = file.lineCol(d.span.start);
  const e = file.lineCol(Math.max(d.span.start, d.span.end));
  // GitHub takes columns only within one line; endColumn is the span's last column (inclusive).
  const oneLine = e.line === s.line && e.column - 1 >= s.column;
  return { file: toRepoPath(d.span.file), line: s.line, col: s.column, ...(oneLine ? { endColumn: e.column - 1 } : {}), title: d.code };
}

function annotationText(d: Diagnostic, toRepoPath: (file: string) => string, sources: SourceSet): string {
  const lines = [d.message];
  for (const r of d.related ?? []) {
    const f = sources.get(r.span.file);
    const lc = f ? f.lineCol(r.span.start) : null;
    lines.push(`note: ${r.message} (${toRepoPath(r.span.file)}${lc ? `:${lc.line}:${lc.column}` : ""})`);
  }
  if (d.hint) lines.push(`hint: ${d.hint}`);
  return lines.join("\n");
}
