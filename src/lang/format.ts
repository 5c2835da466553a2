import type { Attribute, Comment, DomainDecl, DomainItem, Expr, Ident, MovedDecl, ObjectEntry, SourceFileNode, TemplateDecl } from "./ast.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { hasErrors } from "../diag/diagnostic.js";
import { parseFile } from "./parser.js";

/**
 * `lxm fmt` for one file's text: the canonical layout, or null text (with the syntax
 * diagnostics) when the file does not parse. Deterministic and idempotent; never changes
 * the meaning (the AST of the result equals the input's, ignoring spans and comments).
 */
export function formatSource(path: string, text: string): { text: string | null; diagnostics: Diagnostic[] } {
  const r = parseFile(path, text);
  if (hasErrors(r.diagnostics)) return { text: null, diagnostics: r.diagnostics };
  return { text: formatFile(r.file, text), diagnostics: r.diagnostics };
}

/**
 * Lays out a parsed, error-free file. `text` must be the source the tree was parsed from
 * (literals and comments are copied from it verbatim; line breaks become LF).
 * Every comment is kept: own-line comments stay before the element they precede,
 * end-of-line comments stay at the end of their line; a `//` comment that sat inside a
 * one-line expression moves to its own line before the statement.
 */
export function formatFile(file: SourceFileNode, text: string): string {
  return new Formatter(file, text).file();
}

interface El {
  readonly start: number;
  readonly end: number;
  /** Set for `key = value` elements, whose `=` is aligned within a run. */
  readonly key?: string;
  /** The element (the value only, for keyed elements); lines after the first carry their own indentation. */
  readonly render: () => string;
}

interface Rec {
  readonly pre: string[];
  readonly blank: boolean;
  readonly key?: string;
  readonly body: string;
  readonly trailing: string;
}

const NL = /\r\n|\r|\n/g;
function hasNl(s: string): boolean {
  return s.indexOf("\n") >= 0 || s.indexOf("\r") >= 0;
}
function normNl(s: string): string {
  return s.replace(NL, "\n");
}

class Formatter {
  private readonly comments: Comment[];
  private readonly commentAt = new Map<number, number>();
  private ci = 0;
  private deferred: Comment[] = [];

  constructor(
    private readonly f: SourceFileNode,
    private readonly text: string,
  ) {
    this.comments = [...f.comments].sort((a, b) => a.span.start - b.span.start);
    for (const c of this.comments) this.commentAt.set(c.span.start, c.span.end);
  }

  // ------------------------------------------------------------------ text helpers

  private gapHasNl(a: number, b: number): boolean {
    return b > a && hasNl(this.text.slice(a, b));
  }
  /** Two or more line breaks between a and b (outside comments, which the caller skips past). */
  private blankBetween(a: number, b: number): boolean {
    if (b <= a) return false;
    const m = this.text.slice(a, b).match(NL);
    return (m?.length ?? 0) >= 2;
  }
  /** Offset of the next token at or after `from`, skipping blanks and comments. */
  private nextTok(from: number): number {
    let i = from;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) i++;
      else if (this.commentAt.has(i)) i = this.commentAt.get(i)!;
      else return i;
    }
  }
  private raw(start: number, end: number): string {
    return normNl(this.text.slice(start, end));
  }
  private peekComment(): Comment | undefined {
    return this.comments[this.ci];
  }
  /** Comments before `pos` inside a one-line context: block comments stay inline, `//` ones are deferred. */
  private inlineBefore(pos: number): string {
    let s = "";
    for (let c = this.peekComment(); c && c.span.start < pos; c = this.peekComment()) {
      this.ci++;
      if (c.block && !hasNl(c.text)) s += c.text + " ";
      else this.deferred.push(c);
    }
    return s;
  }
  private inlineAfter(pos: number): string {
    const s = this.inlineBefore(pos);
    return s === "" ? "" : " " + s.slice(0, -1);
  }
  /** Comments inside a literal copied verbatim are part of that text already. */
  private skipComments(pos: number): void {
    while (this.peekComment() && this.peekComment()!.span.start < pos) this.ci++;
  }
  /** End-of-line comments right after `pos` on the same line (before `limit`). */
  private trailing(pos: number, limit: number): { text: string; end: number } {
    let s = "";
    let end = pos;
    for (let c = this.peekComment(); c && c.span.start < limit && !this.gapHasNl(end, c.span.start); c = this.peekComment()) {
      this.ci++;
      s += " " + normNl(c.text);
      end = c.span.end;
    }
    return { text: s, end };
  }

  // ------------------------------------------------------------------ line layout

  /** Lays out elements one per line at `indent`, with comments, blank lines and `=` alignment. */
  private lines(els: El[], close: number, indent: number, opts: { comma?: boolean; forceBlank?: boolean } = {}): string {
    const pad = "  ".repeat(indent);
    const recs: Rec[] = [];
    let prevEnd: number | undefined;
    const tail: string[] = [];
    for (const el of els) {
      const pre: string[] = [];
      let blank = opts.forceBlank === true && recs.length > 0;
      const any = (): boolean => recs.length > 0 || pre.length > 0;
      for (let c = this.peekComment(); c && c.span.start < el.start; c = this.peekComment()) {
        this.ci++;
        if (prevEnd !== undefined && this.blankBetween(prevEnd, c.span.start) && any()) {
          if (pre.length === 0) blank = true;
          else pre.push("");
        }
        pre.push(pad + normNl(c.text));
        prevEnd = c.span.end;
      }
      if (prevEnd !== undefined && this.blankBetween(prevEnd, el.start) && any()) {
        if (pre.length === 0) blank = true;
        else if (pre[pre.length - 1] !== "") pre.push("");
      }
      const saved = this.deferred;
      this.deferred = [];
      const body = el.render();
      for (const c of this.deferred) pre.push(pad + normNl(c.text));
      this.deferred = saved;
      const t = this.trailing(el.end, close);
      prevEnd = Math.max(el.end, t.end);
      recs.push({ pre, blank, ...(el.key !== undefined ? { key: el.key } : {}), body: body + (opts.comma ? "," : ""), trailing: t.text });
    }
    for (let c = this.peekComment(); c && c.span.start < close; c = this.peekComment()) {
      this.ci++;
      if (prevEnd !== undefined && this.blankBetween(prevEnd, c.span.start) && (recs.length > 0 || tail.length > 0)) tail.push("");
      tail.push(pad + normNl(c.text));
      prevEnd = c.span.end;
    }
    // `=` alignment over runs of consecutive one-line keyed elements.
    const width: number[] = recs.map(() => 0);
    const alignable = (r: Rec): boolean => r.key !== undefined && !hasNl(r.body);
    for (let i = 0; i < recs.length; ) {
      if (!alignable(recs[i]!)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < recs.length && alignable(recs[j]!) && !recs[j]!.blank && recs[j]!.pre.length === 0) j++;
      let w = 0;
      for (let k = i; k < j; k++) w = Math.max(w, recs[k]!.key!.length);
      for (let k = i; k < j; k++) width[k] = w;
      i = j;
    }
    const out: string[] = [];
    recs.forEach((r, i) => {
      if (r.blank) out.push("");
      for (const l of r.pre) out.push(l);
      const head = r.key !== undefined ? r.key.padEnd(width[i]!) + " = " : "";
      out.push(pad + head + r.body + r.trailing);
    });
    for (const l of tail) out.push(l);
    return out.map((l) => l.replace(/[ \t]+$/, "")).join("\n");
  }

  /** `{` … `}` of a construct laid out over lines: opener's trailing comment, elements, closer. */
  private multi(open: string, openEnd: number, els: El[], close: number, closeCh: string, indent: number, comma: boolean): string {
    const first = els[0]?.start ?? close;
    const t = this.trailing(openEnd, first);
    const body = this.lines(els, close, indent + 1, { comma });
    return open + t.text + (body === "" ? "" : "\n" + body) + "\n" + "  ".repeat(indent) + closeCh;
  }

  // ------------------------------------------------------------------ declarations

  file(): string {
    const els: El[] = [
      ...this.f.domains.map((d) => ({ start: d.span.start, end: d.span.end, render: () => this.domain(d) })),
      ...this.f.templates.map((t) => ({ start: t.span.start, end: t.span.end, render: () => this.template(t) })),
      ...this.f.moved.map((m) => ({ start: m.span.start, end: m.span.end, render: () => this.moved(m) })),
      ...this.f.templateImports.map((t) => ({
        start: t.span.start,
        end: t.span.end,
        render: () => {
          const head = "template " + this.id(t.name) + " from " + this.inlineBefore(t.sourceSpan.start) + this.raw(t.sourceSpan.start, t.sourceSpan.end);
          this.skipComments(t.sourceSpan.end);
          return head;
        },
      })),
    ].sort((a, b) => a.start - b.start);
    const body = this.lines(els, this.text.length + 1, 0, { forceBlank: true });
    return body === "" ? "" : body + "\n";
  }

  /** `template NAME(params) { … }` */
  private template(t: TemplateDecl): string {
    const open = this.nextTok(t.name.span.end);
    let close = this.nextTok(t.params.length > 0 ? t.params[t.params.length - 1]!.span.end : open + 1);
    if (this.text[close] === ",") close = this.nextTok(close + 1);
    const params = this.args(
      t.params.map((p) => ({ start: p.span.start, end: p.span.end, render: () => this.id(p.name) + ": " + this.id(p.type) + (p.default ? " = " + this.expr(p.default, 1) : "") })),
      open,
      close,
    );
    const body = this.nextTok(close + 1);
    const pre = this.inlineBefore(body);
    const els: El[] = t.items.map((it) => ({ start: it.span.start, end: it.span.end, render: () => this.item(it, 1) }));
    return "template " + this.id(t.name) + params + " " + pre + this.multi("{", body + 1, els, t.span.end - 1, "}", 0, false);
  }

  /** `(a, b)` on one line when written so, else one per line with a trailing comma. */
  private args(els: El[], open: number, close: number): string {
    if (!this.gapHasNl(open, close)) return "(" + els.map((e) => this.inlineBefore(e.start) + e.render()).join(", ") + this.inlineAfter(close) + ")";
    return this.multi("(", open + 1, els, close, ")", 0, true);
  }

  private domain(d: DomainDecl): string {
    if (d.instance) {
      const inst = d.instance;
      const open = this.nextTok(inst.template.span.end);
      const args = this.args(
        inst.args.map((a) => ({ start: a.span.start, end: a.span.end, render: () => this.id(a.name) + " = " + this.expr(a.value, 1) })),
        open,
        d.span.end - 1,
      );
      return "domain " + this.id(d.name) + " = " + this.id(inst.template) + args;
    }
    const head = "domain " + this.inlineBefore(d.name.span.start) + d.name.name;
    const open = this.nextTok(d.name.span.end);
    const pre = this.inlineBefore(open);
    const els: El[] = d.items.map((it) => ({ start: it.span.start, end: it.span.end, render: () => this.item(it, 1) }));
    return head + " " + pre + this.multi("{", open + 1, els, d.span.end - 1, "}", 0, false);
  }

  /** An attribute's name, with its `meta` prefix when written. */
  private attrName(a: Attribute): string {
    return a.meta ? this.id(a.meta) + " " + this.id(a.name) : this.id(a.name);
  }

  private id(i: Ident): string {
    return this.inlineBefore(i.span.start) + i.name;
  }

  private item(it: DomainItem, indent: number): string {
    switch (it.kind) {
      case "Provider":
        return "provider " + this.id(it.provider) + (it.alias ? " as " + this.id(it.alias) : "") + " " + this.block(it.attributes, (it.alias ?? it.provider).span.end, it.span.end, indent);
      case "Let":
        return "let " + this.id(it.name) + " = " + this.expr(it.value, indent);
      case "Resource": {
        let s = "resource " + this.id(it.provider) + "." + this.id(it.type) + " " + this.id(it.name);
        if (it.forEach) s += " for " + it.forEach.vars.map((v) => this.id(v)).join(", ") + " in " + this.expr(it.forEach.source, indent);
        return s + " " + this.block(it.attributes, it.forEach?.span.end ?? it.name.span.end, it.span.end, indent);
      }
      case "Import":
        return "import " + this.id(it.domain) + "." + this.id(it.name) + (it.alias ? " as " + this.id(it.alias) : "");
      case "Export":
        return "export " + this.id(it.name) + (it.value ? " = " + this.expr(it.value, indent) : "");
      case "Goal": {
        const open = this.nextTok(it.name.span.end);
        const head = "goal " + this.id(it.name) + " " + this.inlineBefore(open);
        const els: El[] = it.asserts.map((a) => ({
          start: a.span.start,
          end: a.span.end,
          render: () => "assert " + this.expr(a.expr, indent + 1) + (a.message ? " : " + this.expr(a.message, indent + 1) : ""),
        }));
        if (els.length === 0 && !this.commentBefore(it.span.end - 1)) return head + "{}";
        return head + this.multi("{", open + 1, els, it.span.end - 1, "}", indent, false);
      }
      case "Policy":
        return "policy " + this.block(it.attributes, it.span.start + "policy".length, it.span.end, indent);
    }
  }

  private commentBefore(pos: number): boolean {
    const c = this.peekComment();
    return c !== undefined && c.span.start < pos;
  }

  /** A block body `{ … }`; one written on one line (at most one attribute) stays on one line. */
  private block(attrs: Attribute[], headerEnd: number, end: number, indent: number, value = (e: Expr): string => this.expr(e, indent + 1)): string {
    const open = this.nextTok(headerEnd);
    const pre = this.inlineBefore(open);
    const close = end - 1;
    if (!this.gapHasNl(open, close) && attrs.length <= 1) {
      const a = attrs[0];
      if (!a) return pre + "{" + this.inlineAfter(close) + "}";
      const inner = this.inlineBefore(a.span.start) + this.attrName(a) + " = " + value(a.value) + this.inlineAfter(close);
      return pre + "{ " + inner + " }";
    }
    if (attrs.length === 0 && !this.commentBefore(close)) return pre + "{}";
    const els: El[] = attrs.map((a) => ({
      start: a.span.start,
      end: a.span.end,
      key: (a.meta ? "meta " : "") + a.name.name,
      render: () => value(a.value),
    }));
    return pre + this.multi("{", open + 1, els, close, "}", indent, false);
  }

  /** `moved { from = …, to = … }`: a bare address is kept as written, without spaces (`a/fs.file.f`, not `a / fs.file.f`). */
  private moved(m: MovedDecl): string {
    const address = (e: Expr): string => {
      if (e.kind === "String") return this.expr(e, 1);
      const s = this.inlineBefore(e.span.start) + this.raw(e.span.start, e.span.end).replace(/\s+/g, "");
      this.skipComments(e.span.end);
      return s;
    };
    return "moved " + this.block(m.attributes, m.span.start + "moved".length, m.span.end, 0, address);
  }

  // ------------------------------------------------------------------ expressions

  private expr(e: Expr, indent: number): string {
    return this.inlineBefore(e.span.start) + this.exprBody(e, indent);
  }

  private exprBody(e: Expr, indent: number): string {
    switch (e.kind) {
      case "String": {
        const s = this.raw(e.span.start, e.span.end);
        this.skipComments(e.span.end);
        return s;
      }
      case "Number":
      case "Duration":
        return e.raw;
      case "Bool":
        return e.value ? "true" : "false";
      case "Null":
        return "null";
      case "Ref":
        return e.name;
      case "Member":
        return this.expr(e.object, indent) + "." + this.id(e.name);
      case "Index":
        return this.expr(e.object, indent) + "[" + this.expr(e.index, indent) + this.inlineAfter(e.span.end - 1) + "]";
      case "Call": {
        const open = this.nextTok(e.callee.span.end);
        return e.callee.name + this.inlineBefore(open) + this.seq(e.args, open, e.span.end - 1, "(", ")", indent, e.expand ? "..." : "");
      }
      case "Unary":
        return e.op + this.expr(e.operand, indent);
      case "Binary":
        return this.expr(e.left, indent) + " " + e.op + " " + this.expr(e.right, indent);
      case "Cond":
        return this.expr(e.test, indent) + " ? " + this.expr(e.then, indent) + " : " + this.expr(e.otherwise, indent);
      case "Paren":
        return "(" + this.expr(e.expr, indent) + this.inlineAfter(e.span.end - 1) + ")";
      case "List":
        return this.seq(e.items, e.span.start, e.span.end - 1, "[", "]", indent);
      case "ListComp":
        if (e.splat) {
          // Printed as written: a splat is a traversal, not a bracket.
          const s = this.raw(e.span.start, e.span.end);
          this.skipComments(e.span.end);
          return s;
        }
        return (
          "[for " +
          e.vars.map((v) => this.id(v)).join(", ") +
          " in " +
          this.expr(e.source, indent) +
          ": " +
          this.expr(e.body, indent) +
          (e.cond ? " if " + this.expr(e.cond, indent) : "") +
          this.inlineAfter(e.span.end - 1) +
          "]"
        );
      case "ObjectComp":
        return (
          "{for " +
          e.vars.map((v) => this.id(v)).join(", ") +
          " in " +
          this.expr(e.source, indent) +
          ": " +
          this.expr(e.key, indent) +
          " => " +
          this.expr(e.value, indent) +
          (e.group ? "..." : "") +
          (e.cond ? " if " + this.expr(e.cond, indent) : "") +
          this.inlineAfter(e.span.end - 1) +
          "}"
        );
      case "Object":
        return this.object(e.entries, e.span.start, e.span.end - 1, indent);
      case "Error":
        // Only error-free trees are formatted; keep the source text rather than lose it.
        return this.raw(e.span.start, e.span.end);
    }
  }

  /** Whether a bracketed sequence was written across lines (a line break between its tokens, not inside elements). */
  private isMulti(open: number, spans: { start: number; end: number }[], close: number): boolean {
    let prev = open + 1;
    for (const s of spans) {
      if (this.gapHasNl(prev, s.start)) return true;
      prev = s.end;
    }
    return this.gapHasNl(prev, close);
  }

  /** `lastSuffix`: written after the last item (a call's `...`). */
  private seq(items: Expr[], open: number, close: number, o: string, c: string, indent: number, lastSuffix = ""): string {
    if (items.length === 0 && !this.commentBefore(close)) return o + c;
    const spans = items.map((x) => x.span);
    const suffix = (i: number): string => (i === items.length - 1 ? lastSuffix : "");
    if (items.length > 0 && !this.isMulti(open, spans, close)) {
      return o + items.map((x, i) => this.expr(x, indent) + suffix(i)).join(", ") + this.inlineAfter(close) + c;
    }
    const els: El[] = items.map((x, i) => ({ start: x.span.start, end: x.span.end, render: () => this.exprBody(x, indent + 1) + suffix(i) }));
    return this.multi(o, open + 1, els, close, c, indent, true);
  }

  private entryKey(en: ObjectEntry): string {
    return en.quoted ? this.raw(en.keySpan.start, en.keySpan.end) : en.key;
  }

  private object(entries: ObjectEntry[], open: number, close: number, indent: number): string {
    if (entries.length === 0 && !this.commentBefore(close)) return "{}";
    if (entries.length > 0 && !this.isMulti(open, entries.map((en) => en.span), close)) {
      const inner = entries.map((en) => this.inlineBefore(en.span.start) + this.entryKey(en) + " = " + this.expr(en.value, indent)).join(", ");
      return "{ " + inner + this.inlineAfter(close) + " }";
    }
    const els: El[] = entries.map((en) => ({
      start: en.span.start,
      end: en.span.end,
      key: this.entryKey(en),
      render: () => this.expr(en.value, indent + 1),
    }));
    return this.multi("{", open + 1, els, close, "}", indent, true);
  }
}
