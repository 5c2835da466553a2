/**
 * A source span: a half-open range [start, end) of UTF-16 offsets into one file's text.
 * Line and column are never stored; they are computed when printing (see source.ts).
 */
export interface Span {
  /** Project-relative path with forward slashes, e.g. "web/site.lxm". */
  readonly file: string;
  readonly start: number;
  /** End-exclusive. */
  readonly end: number;
}

/** Total order on spans: file, then start, then end. Deterministic and locale-free. */
export function compareSpans(a: Span, b: Span): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.start !== b.start) return a.start - b.start;
  return a.end - b.end;
}
