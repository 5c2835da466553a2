import { canonicalize } from "../../program/canonical.js";
import type { Json } from "../../program/types.js";
import type { AttrChange, Plan, PlannedAction } from "../types.js";
import { summaryLine } from "../summary.js";

/** The note on a replace's delete half, in a teardown step. */
export const TEARDOWN_HALF = "(replace: deleted here, created in a later step)";

/**
 * The terminal view of a plan, Terraform-like: a header, then per step and domain each
 * action that changes something (`+` create, `~` update, `-/+` replace, `-` delete) with
 * its attributes (`<=` adopt: an existing object read, then brought to the goal; `>>` moved: a
 * renamed resource, the object kept), and one summary line. Noops are hidden. Pure and deterministic;
 * sensitive values never appear (the plan holds none), they show as `(sensitive)`.
 */

export interface TextRenderOptions {
  /** ANSI colours (green create, yellow update, red delete). Off unless asked. */
  readonly color?: boolean;
}

/** `sha256:` and the first 12 hex digits: enough to tell hashes apart in a header. */
export function shortHash(hash: string | null): string {
  if (hash === null) return "none";
  const i = hash.indexOf(":");
  return i >= 0 ? hash.slice(0, i + 1 + 12) : hash.slice(0, 12);
}

/** A value as written in a plan: canonical JSON (strings quoted and escaped, so one line). */
export function showJson(v: Json): string {
  return canonicalize(v);
}

/** The right-hand side of an attribute's new value. */
export function showAfter(c: AttrChange): string {
  if (c.sensitive) return "(sensitive)";
  if (c.unknown) return "(known after apply)";
  return c.after === undefined ? "null" : showJson(c.after);
}

/** The right-hand side of an attribute's old value. */
export function showBefore(c: AttrChange): string {
  if (c.sensitive) return "(sensitive)";
  return c.before === undefined ? "null" : showJson(c.before);
}

/** The address without its `domain/` prefix (the section header names the domain). */
export function localAddress(a: PlannedAction): string {
  const prefix = a.domain + "/";
  return a.address.startsWith(prefix) ? a.address.slice(prefix.length) : a.address;
}

/** The action's marker: `+`, `~`, `-/+`, `-`, `<=` (adopt: read, then brought to the goal), `>>` (moved), or a space for noop. */
export function marker(a: PlannedAction): string {
  switch (a.action) {
    case "moved":
      return ">>";
    case "adopt":
      return "<=";
    case "create":
      return "+";
    case "update":
      return "~";
    case "replace":
      return "-/+";
    case "delete":
      return "-";
    case "noop":
      return " ";
  }
}

/** The trailing comment of an action line (reason, drift), or "". */
export function actionNote(a: PlannedAction): string {
  const notes: string[] = [];
  if (a.movedFrom !== undefined) notes.push(`moved from ${a.movedFrom}`);
  if ((a.action === "replace" || a.action === "delete" || a.action === "adopt") && a.reason) notes.push(a.reason);
  if (a.drift) notes.push("drift: changed outside Lexum");
  return notes.length > 0 ? "  # " + notes.join("; ") : "";
}

const ANSI = { reset: "\x1b[0m", bold: "\x1b[1m", green: "\x1b[32m", yellow: "\x1b[33m", red: "\x1b[31m", dim: "\x1b[2m" };

/** Renders the plan for a terminal. Deterministic; colour only with `color: true`. */
export function renderPlanText(plan: Plan, opts: TextRenderOptions = {}): string {
  const color = opts.color === true;
  const paint = (code: string, s: string): string => (color ? code + s + ANSI.reset : s);
  const mark = (a: PlannedAction): string => {
    switch (a.action) {
      case "moved":
        return paint(ANSI.yellow, ">>");
      case "adopt":
        return paint(ANSI.yellow, "<=");
      case "create":
        return paint(ANSI.green, "+");
      case "update":
        return paint(ANSI.yellow, "~");
      case "replace":
        return paint(ANSI.red, "-") + "/" + paint(ANSI.green, "+");
      case "delete":
        return paint(ANSI.red, "-");
      case "noop":
        return " ";
    }
  };
  const lines: string[] = [];
  lines.push(paint(ANSI.bold, "Lexum plan") + ` ${shortHash(plan.hash)}`);
  lines.push(`  program ${shortHash(plan.program)}`);
  lines.push(`  prior   ${plan.prior === null ? "none (first run)" : shortHash(plan.prior)}`);
  if (plan.refreshed) lines.push("  refreshed against reality");
  for (const step of plan.steps) {
    for (const dom of step.domains) {
      const shown = dom.actions.filter((a) => a.action !== "noop");
      if (shown.length === 0) continue;
      lines.push("");
      const teardown = step.phase === "teardown";
      lines.push(paint(ANSI.bold, `── step ${step.step}${teardown ? " · teardown" : ""} · domain ${dom.domain}`));
      for (const a of shown) {
        // In the teardown a replace is its delete half; its changes show where it creates.
        if (teardown && a.action === "replace") {
          lines.push(`  ${paint(ANSI.red, "-")} ${localAddress(a)}${paint(ANSI.dim, "  " + TEARDOWN_HALF)}`);
          continue;
        }
        lines.push(`  ${mark(a)} ${localAddress(a)}${paint(ANSI.dim, actionNote(a))}`);
        for (const l of attrLines(a, paint)) lines.push(l);
      }
    }
  }
  lines.push("");
  lines.push(paint(ANSI.bold, summaryLine(plan)));
  return lines.join("\n") + "\n";
}

function attrLines(a: PlannedAction, paint: (code: string, s: string) => string): string[] {
  if (a.action === "delete" || a.action === "noop" || a.action === "moved") return [];
  const width = Math.max(0, ...a.changes.map((c) => c.attr.length));
  const out: string[] = [];
  for (const c of a.changes) {
    const name = c.attr.padEnd(width);
    const forces = c.forcesReplace ? paint(ANSI.red, "  # forces replacement") : "";
    if (a.action === "create") {
      out.push(`      ${name} = ${showAfter(c)}`);
    } else if (c.sensitive) {
      out.push(`      ${paint(ANSI.yellow, "~")} ${name} = (sensitive)${forces}`);
    } else if (c.before === undefined && !c.unknown) {
      out.push(`      ${paint(ANSI.green, "+")} ${name} = ${showAfter(c)}${forces}`);
    } else {
      out.push(`      ${paint(ANSI.yellow, "~")} ${name} = ${showBefore(c)} -> ${showAfter(c)}${forces}`);
    }
  }
  return out;
}
