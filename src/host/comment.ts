import type { Diagnostic } from "../diag/diagnostic.js";
import type { SourceSet } from "../diag/source.js";
import { hasChanges } from "../plan/plan.js";
import { countActions, countWords, escapeMarkdown, fenceFor, stepDiffLines } from "../plan/render/markdown.js";
import { renderPlanMermaid } from "../plan/render/mermaid.js";
import { marker } from "../plan/render/text.js";
import { summaryLine } from "../plan/summary.js";
import type { Plan, PlannedAction } from "../plan/types.js";
import type { RunResult } from "../runtime/types.js";
import { CHECK_OUTPUT_LIMIT, COMMENT_LIMIT } from "./types.js";

/**
 * The Markdown the Action writes on a pull request: the plan comment (found again by a
 * hidden key, with the reviewed plan pinned in a hidden line), compile errors, a refused
 * merge, an apply and a failed apply. Pure and deterministic. Every body fits GitHub's
 * 65,536 characters — past that the details are shortened, then left out, and the job
 * summary is linked — and never leaves a code fence, `<details>` or HTML comment open:
 * values sit in fences longer than any backtick run they hold, and text outside fences is
 * escaped.
 */


/** What a reviewer saw, by hash: the plan, the program it was computed from, and the prior snapshot (null before the first). */
export interface Pin {
  readonly plan: string;
  readonly program: string;
  readonly prior: string | null;
}

/** The first line of a project's plan comment: how the Action finds its comment again. */
export function planCommentKey(path: string, env?: string | null): string {
  return `<!-- lexum:plan path=${encodeURIComponent(path)}${env ? ` env=${encodeURIComponent(env)}` : ""} -->`;
}

/** The first line of the comment saying how merge commit `sha` was applied. */
export function appliedCommentKey(path: string, sha: string, env?: string | null): string {
  return `<!-- lexum:apply path=${encodeURIComponent(path)}${env ? ` env=${encodeURIComponent(env)}` : ""} commit=${commentSafe(sha)} -->`;
}

/** The pin as a check run's `external_id`: `lexum/v1 plan=<hash> program=<hash> prior=<hash>|none`. */
export function pinExternalId(pin: Pin): string {
  return `lexum/v1 ${pinFields(pin)}`;
}

const HASH = "sha256:[0-9a-f]{64}";
const EXTERNAL_ID = new RegExp(`^lexum/v1 plan=(${HASH}) program=(${HASH}) prior=(${HASH}|none)$`);

/** The pin an `external_id` holds; null for anything else (`lexum/v1 failed`, another tool's id). */
export function parseExternalId(s: string): Pin | null {
  const m = EXTERNAL_ID.exec(s);
  if (!m) return null;
  return { plan: m[1]!, program: m[2]!, prior: m[3] === "none" ? null : m[3]! };
}

function pinFields(pin: Pin): string {
  return `plan=${commentSafe(pin.plan)} program=${commentSafe(pin.program)} prior=${pin.prior === null ? "none" : commentSafe(pin.prior)}`;
}

/** The hidden line that carries the pin in the comment (the check run's external_id is the one that counts). */
function pinLine(pin: Pin): string {
  return `<!-- lexum:pin ${pinFields(pin)} -->`;
}

// ---------------------------------------------------------------------------------------
// Markdown building blocks

/** Text safe inside a one-line HTML comment (percent-encoded, `--` broken up): hashes and commit ids pass unchanged. */
function commentSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9:._/+=-]|-(?=-)/gu, (c) => Array.from(new TextEncoder().encode(c), (b) => "%" + b.toString(16).toUpperCase().padStart(2, "0")).join(""));
}

/** Text for HTML content (`<summary>`), where Markdown escapes would show. */
function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\r?\n|\r/g, " ");
}

/** An inline code span holding `s` on one line, whatever backticks it contains. */
function code(s: string): string {
  const one = s.replace(/\r?\n|\r/g, " ");
  let longest = 0;
  for (const m of one.match(/`+/g) ?? []) longest = Math.max(longest, m.length);
  const tick = "`".repeat(longest + 1);
  const pad = one.startsWith("`") || one.endsWith("`") ? " " : "";
  return `${tick}${pad}${one}${pad}${tick}`;
}

/** A Markdown link whose destination cannot break out of the link. */
function link(text: string, url: string): string {
  return `[${escapeMarkdown(text)}](<${url.replace(/[\s<>\\]/g, (c) => encodeURIComponent(c))}>)`;
}

/** At most `max` characters of `s` (an ellipsis marks a cut), for text a caller does not bound. */
function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

/** A fenced block of `lines` (the fence longer than any backtick run inside). */
function fenced(info: string, lines: readonly string[]): string[] {
  const fence = fenceFor(lines);
  return [fence + info, ...lines, fence];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Renders the levels in order (fullest first) and returns the first that fits the limit (the last one always does). */
function firstThatFits(levels: readonly (() => string | null)[]): string {
  let body: string | null = null;
  for (const level of levels) {
    body = level();
    if (body !== null && body.length <= COMMENT_LIMIT) return body;
  }
  return body ?? "";
}

/**
 * The largest n in [lo, hi] for which `render(n)` fits the limit (render grows with n),
 * or null when not even `lo` fits.
 */
function largestFitting(lo: number, hi: number, render: (n: number) => string, limit = COMMENT_LIMIT): { n: number; body: string } | null {
  let best: { n: number; body: string } | null = null;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const body = render(mid);
    if (body.length <= limit) {
      best = { n: mid, body };
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// The plan comment

/** One domain's folded section, precomputed so shortening only slices. */
interface DomainSection {
  /** `Step 1 · <code>web</code>: 2 to create` (HTML, for `<summary>`). */
  readonly summary: string;
  /** The same as Markdown, for the list shown when the sections are left out. */
  readonly row: string;
  readonly lines: readonly string[];
}

function domainSections(plan: Plan): DomainSection[] {
  const out: DomainSection[] = [];
  for (const s of plan.steps) {
    const teardown = s.phase === "teardown";
    const label = teardown ? `Step ${s.step} · teardown` : `Step ${s.step}`;
    for (const d of s.domains) {
      const shown = d.actions.filter((a) => a.action !== "noop");
      if (shown.length === 0) continue;
      const counts = countWords(countActions(shown));
      out.push({
        summary: `${label} · <code>${html(d.domain)}</code>: ${html(counts)}`,
        row: `- ${label} · ${code(d.domain)}: ${escapeMarkdown(counts)}`,
        lines: shown.flatMap((a) => stepDiffLines(a, teardown)),
      });
    }
  }
  return out;
}

/**
 * How much of the plan a body shows: each domain's section with at most `maxLines` diff
 * lines (Infinity: all), or with `maxLines` null no sections but a list of the first
 * `rows` domains and their counts; and the graph or not.
 */
interface PlanShape {
  readonly maxLines: number | null;
  readonly rows: number;
  readonly graph: boolean;
}

interface PlanParts {
  readonly plan: Plan;
  readonly path: string;
  readonly headSha: string;
  readonly runUrl: string;
  readonly sections: readonly DomainSection[];
  readonly graph: string | null;
}

function planParts(input: { plan: Plan; path: string; headSha: string; runUrl: string }): PlanParts {
  return { ...input, sections: domainSections(input.plan), graph: renderPlanMermaid(input.plan) };
}

/** The visible plan (everything after the hidden lines and any banner). */
function planBody(p: PlanParts, shape: PlanShape, shortened: boolean): string[] {
  const { plan } = p;
  const out: string[] = [`**${escapeMarkdown(summaryLine(plan))}**`, ""];
  const project = p.path === "." ? "" : ` of project ${code(clip(p.path, 200))}`;
  const against = plan.prior === null ? "no snapshot yet" : `snapshot ${code(plan.prior)}`;
  out.push(`Plan ${code(plan.hash)}${project}, computed from commit ${code(p.headSha)}, program ${code(plan.program)} and ${against}.`);
  if (!hasChanges(plan)) {
    out.push("", "Nothing to apply.");
  }
  if (shortened) {
    out.push("", "> [!NOTE]", `> This plan is too long for a comment, so it is shortened here. The full plan is in the ${link("job summary", p.runUrl)}.`);
  }
  if (shape.maxLines !== null) {
    for (const s of p.sections) {
      const shown = s.lines.length > shape.maxLines ? s.lines.slice(0, shape.maxLines) : s.lines;
      out.push("", `<details><summary>${s.summary}</summary>`, "", ...fenced("diff", shown));
      if (shown.length < s.lines.length) out.push("", `_${plural(s.lines.length - shown.length, "more line")}: see the ${link("job summary", p.runUrl)}._`);
      out.push("", "</details>");
    }
  } else if (shape.rows > 0) {
    out.push("", ...p.sections.slice(0, shape.rows).map((s) => s.row));
    if (shape.rows < p.sections.length) out.push(`- _and ${plural(p.sections.length - shape.rows, "more domain")}: see the ${link("job summary", p.runUrl)}_`);
  }
  if (shape.graph && p.graph !== null) {
    out.push("", "#### Changed resources", "", ...fenced("mermaid", p.graph.trimEnd().split("\n")));
  }
  out.push("", `<sub>Lexum · ${link("workflow run", p.runUrl)} (the full plan is in its job summary)</sub>`);
  return out;
}

/**
 * The plan comment in the fullest shape that fits: every section; the sections cut to the
 * same number of lines; no sections but the list of domains (with the graph, then
 * without); as few domains as fit. `head` are the lines before the visible plan.
 */
function fitPlan(head: readonly string[], p: PlanParts): string {
  const render = (shape: PlanShape, shortened: boolean) => [...head, ...planBody(p, shape, shortened)].join("\n") + "\n";
  const maxLines = Math.max(0, ...p.sections.map((s) => s.lines.length));
  const n = p.sections.length;
  return firstThatFits([
    () => render({ maxLines: Infinity, rows: 0, graph: true }, false),
    () => largestFitting(1, maxLines, (l) => render({ maxLines: l, rows: 0, graph: true }, true))?.body ?? null,
    () => render({ maxLines: null, rows: n, graph: true }, true),
    () => largestFitting(0, n, (r) => render({ maxLines: null, rows: r, graph: false }, true))?.body ?? null,
  ]);
}

/**
 * The plan comment of a pull request: the key, the hidden pin line, then the summary line,
 * the plan hash and what it was computed from (commit, program, prior snapshot), one folded
 * section per domain and a Mermaid graph of the changed resources. At most 65,536
 * characters: past that the sections are shortened, then left out with the graph, and the
 * job summary (`runUrl`) is linked. Deterministic.
 */
export function renderPlanComment(input: { plan: Plan; pin: Pin; path: string; env?: string | null; headSha: string; runUrl: string }): string {
  return fitPlan([planCommentKey(input.path, input.env), pinLine(input.pin)], planParts(input));
}

/**
 * The plan comment after a merge that was not applied: the same key and pin line (of the new
 * plan), a "Not applied" block with the reason (main moved, the state moved, the files
 * differ), then the new plan as renderPlanComment shows it.
 */
export function renderRefusedComment(input: { plan: Plan; pin: Pin; path: string; env?: string | null; headSha: string; runUrl: string; reason: string }): string {
  const head = [
    planCommentKey(input.path, input.env),
    pinLine(input.pin),
    "> [!CAUTION]",
    `> **Not applied.** The merged commit ${code(input.headSha)} plans differently from the plan reviewed here: ${escapeMarkdown(clip(input.reason, 2000))}.`,
    "> Nothing was changed. The plan below is what the merged commit plans now.",
    "",
  ];
  return fitPlan(head, planParts(input));
}

// ---------------------------------------------------------------------------------------
// Compile errors

/** The source line under a diagnostic with a caret line, as the terminal shows it (long lines cut around the caret). */
function snippet(d: Diagnostic, sources: SourceSet): { where: { line: number; column: number } | null; lines: string[] } {
  if (!d.span) return { where: null, lines: [] };
  const file = sources.get(d.span.file);
  if (!file) return { where: null, lines: [] };
  const s = file.lineCol(d.span.start);
  const e = file.lineCol(Math.max(d.span.start, d.span.end));
  let text = file.lineText(s.line);
  let col = s.column;
  let width = e.line === s.line ? Math.max(1, e.column - s.column) : Math.max(1, text.length - s.column + 1);
  const max = 160;
  if (text.length > max) {
    const from = Math.max(0, col - 60);
    text = (from > 0 ? "…" : "") + text.slice(from, from + max) + (from + max < text.length ? "…" : "");
    col = col - from + (from > 0 ? 1 : 0);
  }
  text = text.replace(/\t/g, " ").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\u00b7");
  width = Math.max(1, Math.min(width, text.length - col + 2));
  const gutter = String(s.line);
  return {
    where: s,
    lines: [`${gutter} | ${text}`, `${" ".repeat(gutter.length)} | ${" ".repeat(Math.max(0, col - 1))}${"^".repeat(width)}`],
  };
}

function diagnosticBlock(d: Diagnostic, sources: SourceSet, toRepoPath: (file: string) => string): string[] {
  const { where, lines } = snippet(d, sources);
  const loc = d.span ? ` at ${code(toRepoPath(d.span.file) + (where ? `:${where.line}:${where.column}` : ""))}` : "";
  const out = [`**${d.severity}[${d.code}]**${loc}: ${escapeMarkdown(clip(d.message, 4000))}`];
  for (const r of d.related ?? []) {
    const f = sources.get(r.span.file);
    const lc = f ? f.lineCol(r.span.start) : null;
    out.push(`note: ${escapeMarkdown(clip(r.message, 1000))} at ${code(toRepoPath(r.span.file) + (lc ? `:${lc.line}:${lc.column}` : ""))}`);
  }
  if (d.hint) out.push(`hint: ${escapeMarkdown(clip(d.hint, 2000))}`);
  // Line breaks between message, notes and hint (two trailing spaces).
  const text = out.map((l, i) => (i < out.length - 1 ? l + "  " : l));
  return lines.length > 0 ? [...text, "", ...fenced("text", lines)] : text;
}

/**
 * Compile errors as Markdown: the count, then each diagnostic with its code, `file:line:col`
 * (through `toRepoPath`), message, hint and source line. With `key` it is the pull request's
 * comment (the key its first line); without, the job summary's form, which says how many
 * were not shown as annotations (`omittedAnnotations`). At most 65,535 characters (it is
 * also a check run's summary): the diagnostics that do not fit are counted, not shown.
 * Deterministic.
 */
export function renderErrorsComment(input: {
  path: string;
  diagnostics: readonly Diagnostic[];
  sources: SourceSet;
  toRepoPath: (file: string) => string;
  runUrl: string;
  omittedAnnotations: number;
  key?: string;
}): string {
  const ds = input.diagnostics;
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.length - errors;
  const counted = [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""].filter((s) => s !== "").join(" and ") || "no diagnostics";
  const project = input.path === "." ? "" : ` of project ${code(clip(input.path, 200))}`;
  const head: string[] = [];
  if (input.key !== undefined) head.push(input.key);
  head.push(`**Lexum: ${counted} in the .lxm files${project}: nothing was planned.**`, "");
  const blocks = ds.map((d) => diagnosticBlock(d, input.sources, input.toRepoPath));
  const render = (n: number) => {
    const out = [...head];
    if (input.key === undefined && input.omittedAnnotations > 0) {
      const listed = n === blocks.length ? "all are listed here" : `the first ${n} are listed here`;
      out.push(`${plural(input.omittedAnnotations, "diagnostic")} ${input.omittedAnnotations === 1 ? "is" : "are"} not shown as annotations (GitHub shows 10 errors and 10 warnings per step); ${listed}.`, "");
    }
    for (const b of blocks.slice(0, n)) out.push(...b, "");
    if (n < blocks.length) out.push(`_${plural(blocks.length - n, "more diagnostic")} not shown here: \`lxm check\` lists them all._`, "");
    out.push(`<sub>Lexum · ${link("workflow run", input.runUrl)}</sub>`);
    return out.join("\n") + "\n";
  };
  const full = render(blocks.length);
  if (full.length <= CHECK_OUTPUT_LIMIT) return full;
  return largestFitting(0, blocks.length - 1, render, CHECK_OUTPUT_LIMIT)!.body;
}

// ---------------------------------------------------------------------------------------
// Applied and failed

/**
 * The comment after a merge was applied: the key, then exactly
 * `Applied plan sha256:… → snapshot sha256:… (commit <state commit>)`, the status when the
 * run did not end quiescent, and the link to the run.
 */
export function renderAppliedComment(input: { path: string; env?: string | null; commit: string; plan: string; snapshot: string; stateCommit: string; status: string; runUrl: string }): string {
  const out = [appliedCommentKey(input.path, input.commit, input.env), `Applied plan ${plain(input.plan)} → snapshot ${plain(input.snapshot)} (commit ${plain(input.stateCommit)})`, ""];
  if (input.status !== "quiescent") out.push(`Status: **${escapeMarkdown(input.status)}**: the world did not reach the goal; the snapshot records what it is.`, "");
  const project = input.path === "." ? "" : `project ${code(clip(input.path, 200))} · `;
  out.push(`<sub>Lexum · ${project}merged commit ${code(input.commit)} · ${link("workflow run", input.runUrl)}</sub>`);
  return out.join("\n") + "\n";
}

/** Hashes and commit ids as they are; anything else escaped (they are shown as plain text). */
function plain(s: string): string {
  return /^[A-Za-z0-9:]+$/.test(s) ? s : escapeMarkdown(s);
}

/**
 * The comment after a merge's apply failed: the key, the failure, the failed snapshot and
 * its state commit, and the DAG diff: which planned actions succeeded, which failed (with
 * the error), which were not run (and the domains skipped). At most 65,536 characters.
 */
export function renderApplyFailedComment(input: { path: string; env?: string | null; commit: string; plan: Plan; result: RunResult; snapshot: string; stateCommit: string; runUrl: string }): string {
  const { plan, result } = input;
  const actions = new Map<string, PlannedAction>();
  for (const s of plan.steps) for (const d of s.domains) for (const a of d.actions) actions.set(a.address, a);
  const errors = new Map<string, string>();
  for (const e of result.trace) if (e.phase === "failed" && e.address !== undefined && !errors.has(e.address)) errors.set(e.address, e.message ?? "failed");
  const f = result.failure;

  const head = [appliedCommentKey(input.path, input.commit, input.env)];
  const where = f ? ` in domain ${code(f.domain)}${f.address ? ` at ${code(f.address)}` : ""}: ${escapeMarkdown(clip(f.message, 4000))}` : "";
  head.push(`**Apply failed** (${escapeMarkdown(result.status)})${where}`, "");
  head.push(`The world did not reach the goal. Snapshot ${code(input.snapshot)} records what it is (state commit ${code(input.stateCommit)}).`, "");
  const project = input.path === "." ? "" : ` of project ${code(clip(input.path, 200))}`;
  head.push(`Plan ${code(plan.hash)}${project}, merged commit ${code(input.commit)}.`, "");
  const dag = result.dag;
  head.push("| Planned | Succeeded | Failed | Not run |", "|---:|---:|---:|---:|", `| ${dag.planned.length} | ${dag.done.length} | ${dag.failed.length} | ${dag.notStarted.length} |`);
  const skipped = Object.keys(result.domains).filter((d) => result.domains[d] === "skipped");
  if (skipped.length > 0) {
    const named = skipped.slice(0, 50).map(code).join(", ") + (skipped.length > 50 ? ` and ${skipped.length - 50} more` : "");
    head.push("", `Domains not run (an earlier step failed): ${named}.`);
  }

  const item = (address: string): string => {
    const a = actions.get(address);
    return `- ${code(`${a ? marker(a) + " " : ""}${address}`)}${a ? ` ${a.action}` : ""}`;
  };
  const lists = [
    { title: "Failed", items: dag.failed.map((a) => `${item(a)}: ${escapeMarkdown(clip(errors.get(a) ?? "failed", 2000))}`) },
    { title: "Succeeded", items: dag.done.map(item) },
    { title: "Not run", items: dag.notStarted.map(item) },
  ];
  const render = (max: number) => {
    const out = [...head];
    for (const l of lists) {
      if (l.items.length === 0) continue;
      const shown = l.items.slice(0, max);
      out.push("", `<details${l.title === "Failed" ? " open" : ""}><summary>${l.title} (${l.items.length})</summary>`, "", ...shown);
      if (shown.length < l.items.length) out.push("", `_${l.items.length - shown.length} more: see the ${link("job summary", input.runUrl)}._`);
      out.push("", "</details>");
    }
    out.push("", `<sub>Lexum · ${link("workflow run", input.runUrl)}</sub>`);
    return out.join("\n") + "\n";
  };
  const longest = Math.max(0, ...lists.map((l) => l.items.length));
  const full = render(longest);
  if (full.length <= COMMENT_LIMIT) return full;
  return largestFitting(0, longest, render)?.body ?? render(0);
}

/**
 * Whether two comment bodies say the same: equal but for the workflow run they link to (a
 * re-run of the same plan then writes nothing).
 */
export function sameComment(a: string, b: string): boolean {
  const unlinked = (s: string) => s.replace(/\/actions\/runs\/[0-9]+/g, "/actions/runs/");
  return unlinked(a) === unlinked(b);
}
