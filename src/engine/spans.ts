import type { SourceSet } from "../diag/source.js";
import type { SpanTable } from "../program/types.js";
import type { TraceEvent } from "../runtime/types.js";

/** Turns SpanTable keys into the trace's `file:line:col` spans (project-relative paths). */
export function spanLocator(spans: SpanTable, sources: SourceSet): (key: string) => TraceEvent["span"] | undefined {
  return (key) => {
    const s = spans[key];
    if (!s) return undefined;
    const f = sources.get(s.file);
    if (!f) return undefined;
    const a = f.lineCol(s.start);
    const b = f.lineCol(s.end);
    return { file: s.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  };
}
