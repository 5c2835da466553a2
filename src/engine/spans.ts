import type { SourceSet } from "../diag/source.js";
import type { SpanTable } from "../program/types.js";
import type { TraceEvent } from "../runtime/types.js";

/** Turns SpanTable keys into the trace's `file:line:col` spans (project-relative paths). */
export function spanLocator(spans: SpanTable, sources: SourceSet): (key: string) => TraceEvent["span"] | undefined {
  // Each key is located once (an action's start and done events share it), with its keys in
  // canonical order so the events carrying it need no sorted copy.
  const known = new Map<string, TraceEvent["span"] | undefined>();
  return (key) => {
    if (known.has(key)) return known.get(key);
    let span: TraceEvent["span"] | undefined;
    const s = spans[key];
    const f = s ? sources.get(s.file) : undefined;
    if (s && f) {
      const a = f.lineCol(s.start);
      const b = f.lineCol(s.end);
      span = { column: a.column, endColumn: b.column, endLine: b.line, file: s.file, line: a.line };
    }
    known.set(key, span);
    return span;
  };
}

/** Turns SpanTable keys into the source text they span (an assertion's expression and operands); undefined for an unknown key. */
export function spanText(spans: SpanTable, sources: SourceSet): (key: string) => string | undefined {
  return (key) => {
    const s = spans[key];
    const f = s ? sources.get(s.file) : undefined;
    return s && f ? f.text.slice(s.start, s.end) : undefined;
  };
}
