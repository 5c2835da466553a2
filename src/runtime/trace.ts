import type { TraceEvent } from "./types.js";
import { canonicalize, inCanonicalOrder, sortStrings } from "../program/canonical.js";

/** Canonical order of trace events: (step, domain, seq), plain code-unit comparison. */
export function compareEvents(a: TraceEvent, b: TraceEvent): number {
  if (a.step !== b.step) return a.step - b.step;
  if (a.domain !== b.domain) return a.domain < b.domain ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * The trace as `trace.jsonl` bytes: one canonical JSON event per line, in canonical order,
 * final newline. `known` returns a line already computed for an event (or undefined).
 */
export function traceToJsonl(trace: readonly TraceEvent[], known?: (e: TraceEvent) => string | undefined): string {
  // A run's trace comes in canonical order already: checked in one pass, sorted only if not.
  let sorted = true;
  for (let i = 1; i < trace.length && sorted; i++) sorted = compareEvents(trace[i - 1]!, trace[i]!) < 0;
  return (sorted ? trace : [...trace].sort(compareEvents)).map((e) => known?.(e) ?? canonicalize(e) + "\n").join("");
}

/** Parses `trace.jsonl` text (blank lines ignored). Throws SyntaxError on a malformed line (an I/O-edge concern of the caller). */
export function parseTraceJsonl(text: string): TraceEvent[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as TraceEvent);
}

type Draft = { -readonly [K in keyof TraceEvent]?: TraceEvent[K] } & Pick<TraceEvent, "phase">;

/**
 * Collects the events of one run. Each (step, domain) has its own sequence counter, so
 * the numbering depends only on what each domain's actor did, never on interleaving.
 * `events()` returns them in canonical order.
 */
export class TraceRecorder {
  /** Each (step, domain)'s events in sequence order, so the canonical order needs no sort of the events. */
  private readonly groups = new Map<string, { readonly step: number; readonly domain: string; readonly events: TraceEvent[] }>();
  private readonly listeners: ((e: TraceEvent) => void)[];

  constructor(listeners: ((e: TraceEvent) => void)[]) {
    this.listeners = listeners;
  }

  /** Records one event of `domain` in `step`, numbering it, and tells the live listeners. */
  emit(step: number, domain: string, draft: Draft): TraceEvent {
    const key = `${step}\u0000${domain}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { step, domain, events: [] }));
    const seq = group.events.length;
    // Built with every key in canonical order (step, domain and seq among the draft's), so
    // the journal line, trace.jsonl and every later hash of this event take canonicalize's
    // fast path instead of sorting a copy each time. Undefined fields are dropped so an
    // event's JSON is the same however it was built.
    const keys = Object.keys(draft);
    keys.push("domain", "seq", "step");
    const e: Record<string, unknown> = {};
    for (const k of sortStrings(keys)) {
      const v = k === "step" ? step : k === "domain" ? domain : k === "seq" ? seq : (draft as Record<string, unknown>)[k];
      if (v !== undefined) e[k] = v;
    }
    const ev = inCanonicalOrder(e) as unknown as TraceEvent;
    group.events.push(ev);
    for (const l of this.listeners) l(ev);
    return ev;
  }

  /** Every event so far, sorted canonically. */
  events(): TraceEvent[] {
    const groups = [...this.groups.values()].sort((a, b) => a.step - b.step || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
    return groups.flatMap((g) => g.events);
  }
}
