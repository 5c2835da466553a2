import type { Plan } from "../plan/types.js";
import { canonicalize } from "../program/canonical.js";
import type { TraceEvent } from "../runtime/types.js";
import type { Io } from "./io.js";

const marks: Record<string, string> = { adopt: "<=", create: "+", update: "~", replace: "-/+", delete: "-", moved: ">>", noop: " " };

/** One domain's progress during an apply. */
export interface DomainProgress {
  readonly name: string;
  readonly step: number;
  readonly total: number;
  readonly done: number;
  readonly status: "waiting" | "running" | "quiescent" | "failed" | "skipped" | "rolled-back";
  /** The action in flight, if any. */
  readonly current: string | null;
}

/** What the progress view shows: per-domain progress and the finished lines so far. */
export interface ProgressState {
  readonly domains: DomainProgress[];
  readonly lines: string[];
}

/** The state before any event: every domain of the plan waiting. */
export function initialProgress(plan: Plan): ProgressState {
  const domains: DomainProgress[] = [];
  for (const s of plan.steps)
    for (const d of s.domains)
      domains.push({ name: d.domain, step: s.step, total: d.actions.filter((a) => a.action !== "noop").length, done: 0, status: "waiting", current: null });
  return { domains, lines: [] };
}

/** `file:line:col` of an event's span (the file prefixed with `prefix`, e.g. the project's folder), or null. */
export function spanWhere(e: TraceEvent, prefix = ""): string | null {
  return e.span ? `${prefix}${e.span.file}:${e.span.line}:${e.span.column}` : null;
}

/**
 * An assertion's name for people: `goal web.served, assertion 2`. Assertions are numbered
 * from 1 here as in every message (the trace's `index` is the 0-based position).
 */
export function assertionName(e: TraceEvent): string {
  return `goal ${e.domain}.${e.goal ?? "?"}, assertion ${(e.index ?? 0) + 1}`;
}

/**
 * A failed assertion in full, for the apply output: where it is, the expression as
 * written (with its message, when it has one), and one line per operand with its value:
 *
 *     assertion failed: goal web.served, assertion 2 at web.lxm:24:5
 *       assert page["index"].size > 100 : "index.html must not be empty"
 *       page["index"].size = 42
 *
 * A sensitive operand shows `(sensitive)`. `prefix` goes before the span's file.
 */
export function assertionBlock(e: TraceEvent, message: string | null, prefix = ""): string[] {
  const where = spanWhere(e, prefix);
  const lines = [`assertion failed: ${assertionName(e)}${where === null ? "" : ` at ${where}`}`];
  if (e.expr !== undefined) lines.push(`  assert ${e.expr}${message === null ? "" : ` : ${JSON.stringify(message)}`}`);
  for (const o of e.operands ?? []) lines.push(`  ${o.text} = ${o.value === "(sensitive)" ? "(sensitive)" : canonicalize(o.value)}`);
  return lines;
}

/** The line an event adds to the log, or null. Plain text; shared by the TTY and non-TTY views. */
export function eventLine(e: TraceEvent): string | null {
  if (e.phase === "done" && e.action && e.action !== "noop") return `  ${e.domain}: ${marks[e.action]} ${e.address} done`;
  if (e.phase === "failed") return `  ${e.domain}: ${e.address ?? ""} FAILED: ${e.message ?? ""}`;
  if (e.phase === "assert" && e.ok === false) {
    const where = spanWhere(e);
    return `  ${e.domain}: assertion failed: ${e.message ?? ""}${where === null ? "" : ` (${where})`}`;
  }
  if (e.phase === "domain") return `[step ${e.step}] domain ${e.domain}: ${e.status}`;
  return null;
}

/** Folds one event into the progress state (pure). */
export function advance(state: ProgressState, e: TraceEvent): ProgressState {
  const line = eventLine(e);
  const domains = state.domains.map((d) => {
    if (d.name !== e.domain) return d;
    // A domain with a teardown has two runs; its teardown run is over once its build run is heard from.
    if (d.step < e.step) return d.status === "running" ? { ...d, status: "quiescent" as const, current: null } : d;
    if (d.step !== e.step) return d;
    if (e.phase === "start") return { ...d, status: "running" as const, current: `${marks[e.action ?? "noop"]} ${e.address ?? ""}` };
    if (e.phase === "done" && e.action && e.action !== "noop") return { ...d, done: d.done + 1, current: null };
    if (e.phase === "domain" && e.status) return { ...d, status: e.status, current: null };
    return d;
  });
  return { domains, lines: line === null ? state.lines : [...state.lines, line] };
}

/** Progress while applying: plain lines (non-TTY), or a live ink view on a TTY. */
export interface ProgressSink {
  begin(plan: Plan): void;
  event(e: TraceEvent): void;
  end(): Promise<void>;
}

export function plainProgress(io: Io): ProgressSink {
  return {
    begin: () => undefined,
    event(e) {
      const line = eventLine(e);
      if (line !== null) io.err(line + "\n");
    },
    end: async () => undefined,
  };
}
