import type { Plan, PlannedAction, PlanSummary } from "../types.js";
import { renderPlanMermaid } from "./mermaid.js";
import { summaryLine } from "../summary.js";
import { TEARDOWN_HALF, actionNote, localAddress, marker, shortHash, showAfter, showBefore } from "./text.js";

/**
 * The plan as Markdown for a pull-request comment: the summary line first, a table of
 * counts per domain, then a section per domain whose actions sit folded in a `<details>`
 * holding a ```diff block, then a Mermaid graph of the changed resources. Values are
 * escaped for Markdown/HTML (inside fences, the fence is made longer than any backtick run).
 * Pure and deterministic; noops are hidden; sensitive values never appear.
 */

export interface MarkdownRenderOptions {
  /** Leave out the Mermaid graph above this many nodes (default 60). */
  readonly maxGraphNodes?: number;
}

/** Escapes text for Markdown prose and table cells (HTML characters, emphasis, pipes, backticks). */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#~])/g, "\\$1")
    .replace(/\r?\n/g, " ");
}

/** Renders the plan for a PR comment. Deterministic. */
export function renderPlanMarkdown(plan: Plan, opts: MarkdownRenderOptions = {}): string {
  const out: string[] = [];
  out.push(`**${summaryLine(plan)}**`);
  // A teardown step is labelled so: there a replace is its delete half (it creates in a later step).
  const label = new Map(plan.steps.map((s) => [s.step, s.phase === "teardown" ? `${s.step} · teardown` : `${s.step}`]));
  const torn = new Set(plan.steps.filter((s) => s.phase === "teardown").map((s) => s.step));
  const changed = plan.steps.flatMap((s) => s.domains.filter((d) => d.actions.some((a) => a.action !== "noop")));
  if (changed.length > 0) {
    out.push("");
    // A Move column only when the plan moves something (plans without keep their comment).
    const moves = (plan.summary.moved ?? 0) > 0;
    out.push(`| Step | Domain | Create | Update | Replace | Delete |${moves ? " Move |" : ""}`);
    out.push(`|---:|:---|---:|---:|---:|---:|${moves ? "---:|" : ""}`);
    for (const d of changed) {
      const c = countActions(d.actions);
      out.push(`| ${label.get(d.step) ?? d.step} | ${escapeMarkdown(d.domain)} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} |${moves ? ` ${c.moved ?? 0} |` : ""}`);
    }
    for (const d of changed) {
      const shown = d.actions.filter((a) => a.action !== "noop");
      const body = shown.flatMap((a) => stepDiffLines(a, torn.has(d.step)));
      const fence = fenceFor(body);
      out.push("");
      out.push(`### Step ${label.get(d.step) ?? d.step} · ${escapeMarkdown(d.domain)}`);
      out.push("");
      out.push(`<details><summary>${escapeMarkdown(countWords(countActions(shown)))}</summary>`);
      out.push("");
      out.push(fence + "diff");
      for (const b of body) out.push(b);
      out.push(fence);
      out.push("");
      out.push("</details>");
    }
    const graph = renderPlanMermaid(plan, opts.maxGraphNodes ?? 60);
    out.push("");
    out.push("### Graph");
    out.push("");
    if (graph === null) {
      out.push("_The graph of the changed resources is too large to draw here; run `lxm graph` for the whole program._");
    } else {
      out.push("```mermaid");
      out.push(graph.trimEnd());
      out.push("```");
    }
  }
  out.push("");
  const prior = plan.prior === null ? "none (first run)" : "`" + shortHash(plan.prior) + "`";
  out.push(`<sub>plan \`${shortHash(plan.hash)}\` · program \`${shortHash(plan.program)}\` · prior ${prior}${plan.refreshed ? " · refreshed" : ""}</sub>`);
  return out.join("\n") + "\n";
}

/** Counts actions by kind. */
export function countActions(actions: readonly PlannedAction[]): PlanSummary {
  const c = { adopt: 0, create: 0, update: 0, replace: 0, delete: 0, moved: 0, noop: 0 };
  // As the plan's summary: a move counts as moved whatever else it does.
  for (const a of actions) if (a.action === "moved") c.moved++;
  else {
    c[a.action]++;
    if (a.movedFrom !== undefined) c.moved++;
  }
  const { adopt, moved, ...rest } = c;
  return { ...rest, ...(adopt > 0 ? { adopt } : {}), ...(moved > 0 ? { moved } : {}) };
}

/** `1 to create, 2 to delete`: the non-zero counts, noops left out. */
export function countWords(c: PlanSummary): string {
  const parts: string[] = [];
  if (c.adopt) parts.push(`${c.adopt} to adopt`);
  if (c.create) parts.push(`${c.create} to create`);
  if (c.update) parts.push(`${c.update} to update`);
  if (c.replace) parts.push(`${c.replace} to replace`);
  if (c.delete) parts.push(`${c.delete} to delete`);
  if (c.moved) parts.push(`${c.moved} to move`);
  return parts.join(", ");
}

/** An action of a teardown step or not: in the teardown a replace is its delete half, one line (its changes show where it creates). */
export function stepDiffLines(a: PlannedAction, teardown: boolean): string[] {
  return teardown && a.action === "replace" ? [`- ${localAddress(a)}  ${TEARDOWN_HALF}`] : diffLines(a);
}

/**
 * One action as diff lines: `+` lines read green and `-` lines red on GitHub. Each line
 * starts with its marker and values are canonical JSON, so no line is ever a fence on its own.
 */
export function diffLines(a: PlannedAction): string[] {
  const lines = [`${marker(a)} ${localAddress(a)}${actionNote(a)}`];
  if (a.action === "delete") return lines;
  const width = Math.max(0, ...a.changes.map((c) => c.attr.length));
  for (const c of a.changes) {
    const name = c.attr.padEnd(width);
    const forces = c.forcesReplace ? "  # forces replacement" : "";
    if (a.action === "create") lines.push(`+     ${name} = ${showAfter(c)}`);
    else if (c.sensitive) lines.push(`~     ${name} = (sensitive)${forces}`);
    else {
      if (c.before !== undefined) lines.push(`-     ${name} = ${showBefore(c)}${forces}`);
      lines.push(`+     ${name} = ${showAfter(c)}${forces}`);
    }
  }
  return lines;
}

/** A code fence longer than any backtick run in the lines (at least three). */
export function fenceFor(lines: readonly string[]): string {
  let longest = 0;
  for (const l of lines) for (const m of l.match(/`+/g) ?? []) longest = Math.max(longest, m.length);
  return "`".repeat(Math.max(3, longest + 1));
}
