/**
 * Source texts and per-file line indexes. Line/column are 1-based; columns count
 * UTF-16 code units + 1 (what editors call "column" for ASCII text).
 */
export interface LineCol {
  line: number;
  column: number;
}

export class SourceFile {
  readonly path: string;
  readonly text: string;
  private lineStarts: number[] | undefined;

  constructor(path: string, text: string) {
    this.path = path;
    this.text = text;
  }

  /** Offsets at which each line starts. CRLF, LF and lone CR all end a line. */
  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    const t = this.text;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (t.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
    return starts;
  }

  /** 1-based line and column of an offset (clamped to the text). */
  lineCol(offset: number): LineCol {
    const starts = this.starts();
    const off = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: off - starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const starts = this.starts();
    const s = starts[line - 1];
    if (s === undefined) return "";
    const next = starts[line];
    let e = next === undefined ? this.text.length : next;
    while (e > s && (this.text.charCodeAt(e - 1) === 10 || this.text.charCodeAt(e - 1) === 13)) e--;
    return this.text.slice(s, e);
  }

  get lineCount(): number {
    return this.starts().length;
  }
}

/** All source files of one program, by project-relative path. */
export class SourceSet {
  private readonly files = new Map<string, SourceFile>();
  /** Prefix printed before project-relative paths (e.g. "fixtures/x/"), so paths are relative to the cwd. */
  displayPrefix = "";

  add(file: SourceFile): void {
    this.files.set(file.path, file);
  }
  get(path: string): SourceFile | undefined {
    return this.files.get(path);
  }
  /** Paths in sorted (code-unit) order. */
  paths(): string[] {
    return [...this.files.keys()].sort();
  }
  displayPath(path: string): string {
    // A file outside the project (a template source, `../shared/svc.lxm`) is shown as the
    // path from where the user stands: `project/../shared` is `shared`.
    if (!path.startsWith("../")) return this.displayPrefix + path;
    const parts: string[] = [];
    for (const seg of (this.displayPrefix + path).split("/")) {
      if (seg === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (seg !== "" && seg !== ".") parts.push(seg);
    }
    return parts.join("/");
  }
}
