import type { Diagnostic } from "./diagnostic.js";
import type { SourceSet } from "./source.js";

/** Options for the caret renderer. */
export interface TextOptions {
  /** ANSI colour (only on a TTY and never with NO_COLOR: the caller decides). */
  color?: boolean;
}

const ansi = {
  red: (s: string) => `\x1b[31;1m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[33;1m${s}\x1b[0m`,
  blue: (s: string) => `\x1b[34;1m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[0m`,
};
const plain = { red: id, yellow: id, blue: id, bold: id, cyan: id };
function id(s: string): string {
  return s;
}

/** Tabs are shown as one space so that the caret lines up under the source. */
function visible(line: string): string {
  return line.replace(/\t/g, " ").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\u00b7");
}

/**
 * Human form, one block per diagnostic:
 *   path:line:col: error[LXM1234]: message
 *      |
 *   12 | resource fs.file x {
 *      |                  ^
 *      = hint: ...
 * Pure: the same diagnostics and sources give the same text.
 */
export function renderText(ds: readonly Diagnostic[], sources: SourceSet, opts: TextOptions = {}): string {
  const c = opts.color ? ansi : plain;
  const out: string[] = [];
  for (const d of ds) {
    const sev = d.severity === "error" ? c.red(`error[${d.code}]`) : c.yellow(`warning[${d.code}]`);
    const file = d.span ? sources.get(d.span.file) : undefined;
    if (!d.span || !file) {
      out.push(`${sev}: ${c.bold(d.message)}`);
    } else {
      const lc = file.lineCol(d.span.start);
      out.push(`${sources.displayPath(d.span.file)}:${lc.line}:${lc.column}: ${sev}: ${c.bold(d.message)}`);
      for (const l of snippet(file.lineText(lc.line), lc.line, lc.column, spanWidth(file, d.span.start, d.span.end, lc.line), c)) out.push(l);
    }
    for (const r of d.related ?? []) {
      const rf = sources.get(r.span.file);
      if (!rf) continue;
      const rl = rf.lineCol(r.span.start);
      out.push(`  ${c.cyan("note")}: ${r.message} at ${sources.displayPath(r.span.file)}:${rl.line}:${rl.column}`);
    }
    if (d.hint) out.push(`  ${c.cyan("hint")}: ${d.hint}`);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

function spanWidth(file: { lineCol(o: number): { line: number; column: number }; lineText(l: number): string }, start: number, end: number, line: number): number {
  const endLc = file.lineCol(Math.max(start, end));
  const startCol = file.lineCol(start).column;
  if (endLc.line !== line) return Math.max(1, file.lineText(line).length - startCol + 1);
  return Math.max(1, endLc.column - startCol);
}

function snippet(text: string, line: number, column: number, width: number, c: typeof plain): string[] {
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  // Very long lines are cut around the caret so the output stays readable, before anything
  // else reads them: rendering n findings on one long line stays linear in n.
  let shown = text;
  let col = column;
  const max = 160;
  if (shown.length > max) {
    const from = Math.max(0, col - 60);
    shown = (from > 0 ? "…" : "") + shown.slice(from, from + max) + (from + max < shown.length ? "…" : "");
    col = col - from + (from > 0 ? 1 : 0);
  }
  shown = visible(shown);
  const w = Math.max(1, Math.min(width, shown.length - col + 2));
  return [
    `${pad} ${c.blue("|")}`,
    `${c.blue(gutter)} ${c.blue("|")} ${shown}`,
    `${pad} ${c.blue("|")} ${" ".repeat(Math.max(0, col - 1))}${c.red("^".repeat(w))}`,
  ];
}

/** The stable JSON shape of a diagnostic (`lxm check --json`). */
export interface DiagnosticJson {
  code: string;
  severity: string;
  message: string;
  file: string | null;
  start: { line: number; column: number } | null;
  end: { line: number; column: number } | null;
  hint: string | null;
  related: { file: string; line: number; column: number; message: string }[];
}

export function toJson(ds: readonly Diagnostic[], sources: SourceSet): DiagnosticJson[] {
  return ds.map((d) => {
    const f = d.span ? sources.get(d.span.file) : undefined;
    return {
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.span ? sources.displayPath(d.span.file) : null,
      start: d.span && f ? f.lineCol(d.span.start) : null,
      end: d.span && f ? f.lineCol(d.span.end) : null,
      hint: d.hint ?? null,
      related: (d.related ?? []).flatMap((r) => {
        const rf = sources.get(r.span.file);
        if (!rf) return [];
        const lc = rf.lineCol(r.span.start);
        return [{ file: sources.displayPath(r.span.file), line: lc.line, column: lc.column, message: r.message }];
      }),
    };
  });
}

/** GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`). */
export function toGithubAnnotations(ds: readonly Diagnostic[], sources: SourceSet): string {
  const esc = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const escProp = (s: string) => esc(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  return ds
    .map((d) => {
      const f = d.span ? sources.get(d.span.file) : undefined;
      const props: string[] = [];
      if (d.span && f) {
        const s = f.lineCol(d.span.start);
        const e = f.lineCol(d.span.end);
        props.push(`file=${escProp(sources.displayPath(d.span.file))}`, `line=${s.line}`, `col=${s.column}`, `endLine=${e.line}`, `endColumn=${e.column}`);
      }
      props.push(`title=${escProp(d.code)}`);
      const body = d.hint ? `${d.message} (hint: ${d.hint})` : d.message;
      return `::${d.severity === "error" ? "error" : "warning"} ${props.join(",")}::${esc(body)}`;
    })
    .join("\n");
}
