import type {
  AssertStmt,
  Attribute,
  BinaryOp,
  DomainDecl,
  DomainItem,
  Expr,
  ForClause,
  Ident,
  ObjectEntry,
  SourceFileNode,
  TemplateArg,
  TemplateDecl,
  TemplateImport,
  StringExpr,
  MovedDecl,
  TemplateParam,
} from "./ast.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as syntax from "../diag/catalog/syntax.js";
import { lexPacked } from "./lexer.js";
import type { TokenList } from "./lexer.js";
import type { Token } from "./token.js";
import { ITEM_KEYWORDS, describeToken } from "./token.js";
import type { RawText } from "./string-literal.js";
import { cookString } from "./string-literal.js";
import { buildTemplate } from "./template.js";
import type { DirectiveMark, TemplateMark } from "./template.js";
import {
  AttributeNode,
  BinaryNode,
  BoolNode,
  CallNode,
  CondNode,
  DurationNode,
  ForClauseNode,
  IdentNode,
  IndexNode,
  ListCompNode,
  ListNode,
  MemberNode,
  NullNode,
  NumberNode,
  ObjectCompNode,
  ObjectEntryNode,
  ObjectNode,
  ParenNode,
  RefNode,
  ResourceNode,
  StringNode,
  UnaryNode,
} from "./nodes.js";

/**
 * The deepest expression nesting accepted (brackets, parentheses, interpolations, unary
 * operators, and the length of operator and member chains, which all deepen the tree);
 * deeper input gets LXM1012 instead of a stack overflow here or in later stages.
 */
export const MAX_NESTING = 256;

/**
 * The most syntax errors reported for one file (in source order); the rest are counted in one
 * LXM1040 at the first of them.
 */
export const MAX_SYNTAX_ERRORS = 100;

/** The result of parsing one file. */
export interface ParseResult {
  readonly file: SourceFileNode;
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses one `.lxm` file. Never throws for any input: it always returns a usable tree
 * (unreadable expressions become ErrorExpr, declarations that failed are dropped) and
 * every independent syntax error, in source order, at most one per position (the first
 * MAX_SYNTAX_ERRORS, then their count).
 * Deterministic; recursion depth is bounded by MAX_NESTING.
 */
/** Parses a template's text (templatefile, templatestring): the whole text is the body of one string, without `\\` escapes. */
export function parseTemplate(path: string, text: string): { expr: StringNode | null; diagnostics: Diagnostic[] } {
  const lexed = lexPacked(path, text, true);
  const p = new Parser(path, lexed.tokens);
  for (const d of lexed.diagnostics) p.report(d);
  const expr = p.parseTemplateText();
  return { expr: p.diagnostics.length > 0 ? null : expr, diagnostics: p.diagnostics.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0)) };
}

export function parseFile(path: string, text: string): ParseResult {
  const lexed = lexPacked(path, text);
  const p = new Parser(path, lexed.tokens);
  for (const d of lexed.diagnostics) p.report(d);
  p.shadowAfter(lexed.diagnostics, text);
  const { domains, templates, moved, templateImports } = p.parseTop();
  let diagnostics = p.diagnostics.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  if (diagnostics.length > MAX_SYNTAX_ERRORS) {
    const first = diagnostics[MAX_SYNTAX_ERRORS]!;
    const more = syntax.moreSyntaxErrors(first.span, diagnostics.length - MAX_SYNTAX_ERRORS, path);
    diagnostics = diagnostics.slice(0, MAX_SYNTAX_ERRORS);
    diagnostics.push(more);
  }
  return {
    file: { kind: "File", path, domains, templates, moved, templateImports, comments: lexed.comments, span: { file: path, start: 0, end: text.length } },
    diagnostics,
  };
}

/**
 * The same array without spare capacity: arrays grown by push keep room for ~16 more
 * elements, which over the ~10⁶ small lists of a large project's tree is a sixth of its memory.
 */
function exact<T>(xs: T[]): T[] {
  return xs.slice();
}

/** Thrown (only) inside the parser to unwind to the enclosing declaration after an error was reported. */
const ABORT = { abort: true };

const STRIP_BEFORE: TemplateMark = { kind: "Strip", side: "before" };
const STRIP_AFTER: TemplateMark = { kind: "Strip", side: "after" };

const BINARY_PREC: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};
const OPENERS = new Set(["{", "[", "("]);
const CLOSERS = new Set(["}", "]", ")"]);

type Level = "attr" | "item" | "top";

/** Bracket depths of a file's tokens, for linear-time error recovery. */
interface Depths {
  /** Depth before each token (strings and interpolations count as brackets). */
  readonly at: Int32Array;
  /** Indexes of the `}` tokens at each depth, ascending. */
  readonly closeAt: Map<number, number[]>;
  /** The least depth of a token starting a line, from each index on. */
  readonly minLineFrom: Int32Array;
  /** The least depth of a `domain` keyword starting a line, from each index on. */
  readonly minDomainFrom: Int32Array;
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  private readonly reported = new Set<number>();
  private i = 0;
  private depth = 0;
  /** Whether a line break ends the current expression (true in blocks, false inside brackets). */
  private nlSig = true;

  constructor(
    private readonly path: string,
    private readonly toks: TokenList,
  ) {}

  // ------------------------------------------------------------------ plumbing

  /** Source ranges [start, end] where a lexer error already explains what the parser finds. */
  private shadows: [number, number][] = [];

  /**
   * A lexer error makes the parser trip over what follows it: a dropped character or a string
   * cut at the line end on the same line; an unclosed comment or `"""` string up to the end of
   * the file. Parser errors inside those ranges are follow-on errors and are not reported.
   */
  shadowAfter(lexerDiagnostics: readonly Diagnostic[], text: string): void {
    for (const d of lexerDiagnostics) {
      const start = d.span?.start;
      if (start === undefined) continue;
      const toEof = d.code === syntax.unterminatedComment.code || (d.code === syntax.unterminatedString.code && text.startsWith('"""', start));
      let end = text.length;
      if (!toEof) {
        const lf = text.indexOf("\n", start);
        const cr = text.indexOf("\r", start);
        end = Math.min(lf < 0 ? text.length : lf, cr < 0 ? text.length : cr);
      }
      this.shadows.push([start, end]);
    }
    // Disjoint and sorted, so that report() can binary-search (inputs may hold 10⁵ lexer errors).
    this.shadows.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const r of this.shadows) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.shadows = merged;
  }

  private shadowed(at: number): boolean {
    let lo = 0;
    let hi = this.shadows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.shadows[mid]!;
      if (at < a) hi = mid - 1;
      else if (at > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Records a diagnostic unless one was already reported at the same position (or a lexer error explains it). */
  report(d: Diagnostic): void {
    const at = d.span?.start ?? -1;
    if (this.reported.has(at)) return;
    if (this.shadows.length > 0 && this.shadowed(at)) return;
    this.reported.add(at);
    this.diagnostics.push(d);
  }
  private fail(d: Diagnostic): never {
    this.report(d);
    throw ABORT;
  }
  private peek(k = 0): Token {
    return this.toks.at(Math.min(this.i + k, this.toks.length - 1));
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private prevEnd(): number {
    return this.i > 0 ? this.toks.at(this.i - 1).end : 0;
  }
  private isP(t: Token, s: string): boolean {
    return t.kind === "punct" && t.text === s;
  }
  private atP(s: string): boolean {
    return this.isP(this.peek(), s);
  }
  private isKw(t: Token, s: string): boolean {
    return t.kind === "keyword" && t.text === s;
  }
  private span(start: number, end = this.prevEnd()): Span {
    return { file: this.path, start, end };
  }
  private tspan(t: Token): Span {
    return { file: this.path, start: t.start, end: t.end };
  }
  private expectP(s: string, hint?: string): Token {
    const t = this.peek();
    if (!this.isP(t, s)) this.fail(syntax.expectedToken(this.tspan(t), `\`${s}\``, describeToken(t), hint));
    return this.next();
  }
  /** A name that is not a keyword (domains, values, resources, loop variables). */
  private name(what: string): IdentNode {
    const t = this.peek();
    if (t.kind === "keyword") this.fail(syntax.keywordAsName(this.tspan(t), t.text));
    if (t.kind !== "ident") this.fail(syntax.expectedName(this.tspan(t), what, describeToken(t)));
    this.next();
    return this.ident(t);
  }
  /** An attribute, member or type name: keywords allowed. */
  private looseName(what: string): IdentNode {
    const t = this.peek();
    if (t.kind !== "ident" && t.kind !== "keyword") this.fail(syntax.expectedName(this.tspan(t), what, describeToken(t)));
    this.next();
    return this.ident(t);
  }

  private ident(t: Token): IdentNode {
    return new IdentNode(t.text, this.path, t.start, t.end);
  }

  /** Runs `f`, recovering at `level` if it aborts; returns undefined after an error. */
  private guarded<T>(level: Level, f: () => T): T | undefined {
    const start = this.i;
    const nlSig = this.nlSig;
    const depth = this.depth;
    try {
      return f();
    } catch (e) {
      if (e !== ABORT) throw e;
      this.nlSig = nlSig;
      this.depth = depth;
      this.recover(start, this.i, level);
      return undefined;
    }
  }

  private looksLikeStart(k: number, level: Level): boolean {
    const t = this.toks.at(k);
    if (t.kind === "eof") return true;
    if (level === "top") return this.isKw(t, "domain");
    if (this.isP(t, "}")) return true;
    const isItemKw = t.kind === "keyword" && (ITEM_KEYWORDS.has(t.text) || t.text === "domain");
    if (level === "item") return isItemKw;
    const n = this.toks.at(Math.min(k + 1, this.toks.length - 1));
    if ((t.kind === "ident" || t.kind === "keyword") && (this.isP(n, "=") || this.isP(n, ":"))) return true;
    return isItemKw || this.isKw(t, "assert");
  }

  /**
   * After an error: skip to the start of the next line at the statement's own bracket depth
   * (or to the enclosing block's `}`), so that one mistake yields one diagnostic. When the
   * statement's brackets never balance, resume at the next line that looks like a statement.
   */
  private recover(start: number, errIdx: number, level: Level): void {
    const last = this.toks.length - 1;
    if (errIdx > start && this.toks.at(errIdx).nlBefore && this.looksLikeStart(errIdx, level)) {
      this.i = errIdx;
      return;
    }
    // The first token from `lo` on at the statement's own bracket depth `v` (or shallower)
    // that starts a line, or a `}` closing the enclosing block. Answered from depths computed
    // once per file, so that a file of unbalanced lines recovers in linear time: a scan
    // happens only when it is sure to stop, and parsing resumes where it stopped.
    const d = this.depths();
    const v = d.at[start]!;
    const lo = Math.max(errIdx, start + 1);
    if (lo <= last) {
      const suffix = level === "top" ? d.minDomainFrom : d.minLineFrom;
      if (suffix[lo]! <= v) {
        for (let k = lo; k <= last; k++) {
          const t = this.toks.at(k);
          if (t.kind === "eof") break;
          if (level === "top") {
            if (d.at[k]! <= v && t.nlBefore && this.isKw(t, "domain")) return void (this.i = k);
          } else if ((t.nlBefore && d.at[k]! <= v) || (d.at[k] === v && this.isP(t, "}"))) {
            return void (this.i = k);
          }
        }
      } else if (level !== "top") {
        const closers = d.closeAt.get(v);
        if (closers !== undefined) {
          let a = 0;
          let b = closers.length;
          while (a < b) {
            const m = (a + b) >> 1;
            if (closers[m]! < lo) a = m + 1;
            else b = m;
          }
          if (a < closers.length) return void (this.i = closers[a]!);
        }
      }
    }
    for (let k = Math.max(errIdx, start) + 1; k <= last; k++) {
      const t = this.toks.at(k);
      if (t.nlBefore && this.looksLikeStart(k, level)) return void (this.i = k);
    }
    this.i = last;
  }

  private depthTable: Depths | undefined;

  /** Bracket depths of the file's tokens (see recover), computed on the first error. */
  private depths(): Depths {
    if (this.depthTable) return this.depthTable;
    const n = this.toks.length;
    const at = new Int32Array(n + 1);
    const closeAt = new Map<number, number[]>();
    let depth = 0;
    for (let k = 0; k < n; k++) {
      const t = this.toks.at(k);
      at[k] = depth;
      if (this.isP(t, "}")) {
        const list = closeAt.get(depth);
        if (list) list.push(k);
        else closeAt.set(depth, [k]);
      }
      if (t.kind === "strStart" || t.kind === "interpStart" || (t.kind === "punct" && OPENERS.has(t.text))) depth++;
      else if (t.kind === "strEnd" || t.kind === "interpEnd" || (t.kind === "punct" && CLOSERS.has(t.text))) depth--;
    }
    at[n] = depth;
    const minLineFrom = new Int32Array(n + 1).fill(2 ** 30);
    const minDomainFrom = new Int32Array(n + 1).fill(2 ** 30);
    for (let k = n - 1; k >= 0; k--) {
      const t = this.toks.at(k);
      const line = t.kind !== "eof" && t.nlBefore;
      minLineFrom[k] = Math.min(minLineFrom[k + 1]!, line ? at[k]! : 2 ** 30);
      minDomainFrom[k] = Math.min(minDomainFrom[k + 1]!, line && this.isKw(t, "domain") ? at[k]! : 2 ** 30);
    }
    this.depthTable = { at, closeAt, minLineFrom, minDomainFrom };
    return this.depthTable;
  }

  // ------------------------------------------------------------------ declarations

  parseTop(): { domains: DomainDecl[]; templates: TemplateDecl[]; moved: MovedDecl[]; templateImports: TemplateImport[] } {
    const domains: DomainDecl[] = [];
    const templates: TemplateDecl[] = [];
    const moved: MovedDecl[] = [];
    const templateImports: TemplateImport[] = [];
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      // `template` is a word only here (not a keyword: attributes and lets may be named so).
      if (t.kind === "ident" && t.text === "template" && this.peek(1).kind === "ident" && this.peek(2).kind === "ident" && this.peek(2).text === "from") {
        const d = this.guarded("top", () => this.parseTemplateImport());
        if (d) templateImports.push(d);
        continue;
      }
      if (t.kind === "ident" && t.text === "template" && this.peek(1).kind === "ident") {
        const d = this.guarded("top", () => this.parseTemplate());
        if (d) templates.push(d);
        continue;
      }
      // `moved` likewise: a word followed by a block.
      if (t.kind === "ident" && t.text === "moved" && this.isP(this.peek(1), "{")) {
        const d = this.guarded("top", () => {
          const kw = this.next();
          const attributes = this.parseBlockBody();
          return { kind: "Moved" as const, attributes, span: this.span(kw.start) };
        });
        if (d) moved.push(d);
        continue;
      }
      if (!this.isKw(t, "domain")) {
        const start = this.i;
        this.report(syntax.topLevelNotDomain(this.tspan(t), describeToken(t)));
        this.recover(start, start, "top");
        continue;
      }
      const d = this.guarded("top", () => this.parseDomain());
      if (d) domains.push(d);
    }
    return { domains, templates, moved, templateImports };
  }

  /** `template NAME from "SOURCE"` (a plain string: no interpolation). */
  private parseTemplateImport(): TemplateImport {
    const kw = this.next();
    const name = this.name("a template name");
    this.next(); // `from`
    const value = this.parseExpr();
    if (value.kind !== "String" || value.parts.some((p) => typeof p !== "string") || value.multiline) {
      this.fail(syntax.expectedToken(value.span, "a string naming where the template is", "an expression", 'write `template NAME from "../folder"` or `template NAME from "npm-package"`'));
    }
    const source = (value as StringExpr).parts.join("");
    return { kind: "TemplateImport", name, source, sourceSpan: value.span, span: this.span(kw.start) };
  }

  private parseDomain(): DomainDecl {
    const kw = this.next();
    const name = this.name("a domain name");
    if (this.atP("=")) {
      this.next();
      const template = this.name("a template name");
      const open = this.expectP("(", "an instance is written `domain NAME = TEMPLATE(arg = value, …)`");
      const saved = this.nlSig;
      this.nlSig = false;
      const args: TemplateArg[] = [];
      while (!this.atP(")")) {
        const argName = this.name("an argument name");
        this.expectP("=", "arguments are written `name = value`");
        const value = this.parseExpr();
        args.push({ name: argName, value, span: { file: this.path, start: argName.span.start, end: this.prevEnd() } });
        if (!this.atP(",")) break;
        this.next();
      }
      this.closeBracket(open, ")");
      this.nlSig = saved;
      const span = this.span(kw.start);
      return { kind: "Domain", name, items: [], span, instance: { template, args: exact(args), span: { file: this.path, start: template.span.start, end: span.end } } };
    }
    const open = this.expectP("{");
    return { kind: "Domain", name, items: this.parseBody(open), span: this.span(kw.start) };
  }

  /** `template NAME(param: type [= default], …) { items }` */
  private parseTemplate(): TemplateDecl {
    const kw = this.next();
    const name = this.name("a template name");
    const open = this.expectP("(", "a template is written `template NAME(param: type, …) { … }`");
    const saved = this.nlSig;
    this.nlSig = false;
    const params: TemplateParam[] = [];
    while (!this.atP(")")) {
      const pname = this.name("a parameter name");
      this.expectP(":", "a parameter is written `name: type` (string, number, bool, list, object or any)");
      const type = this.name("a parameter type (string, number, bool, list, object or any)");
      let dflt: Expr | undefined;
      if (this.atP("=")) {
        this.next();
        dflt = this.parseExpr();
      }
      params.push({ name: pname, type, ...(dflt ? { default: dflt } : {}), span: { file: this.path, start: pname.span.start, end: this.prevEnd() } });
      if (!this.atP(",")) break;
      this.next();
    }
    this.closeBracket(open, ")");
    this.nlSig = saved;
    const body = this.expectP("{");
    return { kind: "Template", name, params: exact(params), items: this.parseBody(body), span: this.span(kw.start) };
  }

  /** A domain's (or template's) items up to the closing `}`. */
  private parseBody(open: Token): DomainItem[] {
    const items: DomainItem[] = [];
    let needSep = false;
    for (;;) {
      const t = this.peek();
      if (this.isP(t, "}")) {
        this.next();
        break;
      }
      if (t.kind === "eof" || (t.nlBefore && this.isKw(t, "domain"))) {
        this.reportUnclosed(open, t);
        break;
      }
      if (needSep && !t.nlBefore) {
        const start = this.i;
        this.report(syntax.expectedNewline(this.tspan(t), describeToken(t)));
        this.recover(start, start, "item");
        needSep = false;
        continue;
      }
      const item = this.guarded("item", () => this.parseItem());
      if (item) items.push(item);
      needSep = item !== undefined;
    }
    return exact(items);
  }

  private reportUnclosed(open: Token, found: Token): void {
    this.report(
      syntax.unclosedDelimiter.withRelated(
        this.tspan(found),
        [{ span: this.tspan(open), message: `the \`${open.text}\` opened here` }],
        open.text === "{" ? "}" : open.text === "[" ? "]" : ")",
        describeToken(found),
      ),
    );
  }

  private parseItem(): DomainItem {
    const t = this.peek();
    const start = t.start;
    if (t.kind !== "keyword" || !ITEM_KEYWORDS.has(t.text)) this.fail(syntax.expectedDeclaration(this.tspan(t), describeToken(t)));
    this.next();
    switch (t.text) {
      case "provider": {
        const provider = this.name("a provider name");
        let alias: Ident | undefined;
        if (this.isKw(this.peek(), "as")) {
          this.next();
          alias = this.name("an alias after `as`");
        }
        const attributes = this.parseBlockBody();
        return { kind: "Provider", provider, ...(alias ? { alias } : {}), attributes, span: this.span(start) };
      }
      case "let": {
        const name = this.name("a name after `let`");
        this.expectP("=", "write `let name = value`");
        const value = this.parseExpr();
        return { kind: "Let", name, value, span: this.span(start) };
      }
      case "resource": {
        const provider = this.name("a provider name (as in `resource fs.file name`)");
        this.expectP(".", "a resource type is written `provider.type`, e.g. `fs.file`");
        const type = this.looseName("a resource type");
        const name = this.name("a resource name");
        let forEach: ForClause | undefined;
        if (this.isKw(this.peek(), "for")) {
          const f = this.next();
          const vars = this.forVars();
          const source = this.parseExpr();
          forEach = new ForClauseNode(vars, source, this.path, f.start, this.prevEnd());
        }
        const attributes = this.parseBlockBody();
        return new ResourceNode(provider, type, name, forEach, attributes, this.path, start, this.prevEnd());
      }
      case "import": {
        const domain = this.name("a domain name");
        this.expectP(".", "write `import domain.name`");
        const name = this.name("an exported name");
        let alias: Ident | undefined;
        if (this.isKw(this.peek(), "as")) {
          this.next();
          alias = this.name("an alias after `as`");
        }
        return { kind: "Import", domain, name, ...(alias ? { alias } : {}), span: this.span(start) };
      }
      case "export": {
        const name = this.name("a name after `export`");
        if (this.atP("=") && !this.peek().nlBefore) {
          this.next();
          const value = this.parseExpr();
          return { kind: "Export", name, value, span: this.span(start) };
        }
        return { kind: "Export", name, span: this.span(start) };
      }
      case "goal": {
        const name = this.name("a goal name");
        const asserts = this.parseGoalBody();
        return { kind: "Goal", name, asserts, span: this.span(start) };
      }
      default: {
        const attributes = this.parseBlockBody();
        return { kind: "Policy", attributes, span: this.span(start) };
      }
    }
  }

  /** `x` or `k, v` followed by `in`. */
  private forVars(): Ident[] {
    const vars = [this.name("a loop variable")];
    if (this.atP(",")) {
      this.next();
      vars.push(this.name("a second loop variable"));
    }
    const t = this.peek();
    if (!this.isKw(t, "in")) this.fail(syntax.expectedToken(this.tspan(t), "`in`", describeToken(t), "write `for x in list` or `for k, v in map`"));
    this.next();
    return vars;
  }

  /** A missing `}` is diagnosed when a new declaration keyword starts a line inside a block. */
  private startsNewItem(t: Token): boolean {
    if (!t.nlBefore || t.kind !== "keyword") return false;
    if (!ITEM_KEYWORDS.has(t.text) && t.text !== "domain") return false;
    const n = this.peek(1);
    return !(this.isP(n, "=") || this.isP(n, ":"));
  }

  /**
   * A `{ … }` body of newline-separated lines (block attributes may also be separated by
   * commas, `{ a = 1, b = 2 }`): block attributes, goal assertions. Each line
   * recovers on its own, so independent errors are reported once each. `stray` reports and
   * skips a token that cannot start a line (returning true), checked `before` or `after`
   * the rule that two lines never share one.
   */
  private parseLines<T>(line: (t: Token) => T, stray: { before?: (t: Token) => boolean; after?: (t: Token, start: number) => boolean }, commaSeparates = false): T[] {
    const open = this.expectP("{");
    const saved = this.nlSig;
    this.nlSig = true;
    const lines: T[] = [];
    let needSep = false;
    for (;;) {
      const t = this.peek();
      if (this.isP(t, "}")) {
        this.next();
        break;
      }
      if (t.kind === "eof" || this.startsNewItem(t)) {
        this.reportUnclosed(open, t);
        break;
      }
      const start = this.i;
      if (stray.before?.(t)) {
        needSep = false;
        continue;
      }
      if (needSep && !t.nlBefore) {
        this.report(syntax.expectedNewline(this.tspan(t), describeToken(t)));
        this.recover(start, start, "attr");
        needSep = false;
        continue;
      }
      if (stray.after?.(t, start)) {
        needSep = false;
        continue;
      }
      const parsed = this.guarded("attr", () => line(t));
      if (parsed) lines.push(parsed);
      needSep = parsed !== undefined;
      // `{ a = 1, b = 2 }`: a comma after a line separates it from the next, like a newline.
      if (needSep && commaSeparates && this.atP(",")) {
        this.next();
        needSep = false;
      }
    }
    this.nlSig = saved;
    return exact(lines);
  }

  private parseBlockBody(): Attribute[] {
    return this.parseLines(
      () => this.parseAttribute(),
      {
        before: (t) => {
          if (!this.isP(t, ",")) return false;
          this.report(syntax.commaBetweenAttributes(this.tspan(t)));
          this.next();
          return true;
        },
      },
      true,
    );
  }

  private parseAttribute(): Attribute {
    let name = this.looseName("an attribute name");
    let meta: IdentNode | undefined;
    // `meta import = true`: the prefix sets a meta-attribute apart; `meta = 1` is a plain attribute.
    const after = this.peek();
    if (name.name === "meta" && !after.nlBefore && (after.kind === "ident" || after.kind === "keyword")) {
      meta = name;
      name = this.looseName("a meta-attribute name after `meta`");
    }
    const t = this.peek();
    if (this.isP(t, ":")) {
      // Recoverable: the intent is clear, so report and read on.
      this.report(syntax.expectedEquals(this.tspan(t), "`:`", "block attributes use `=` (`:` is accepted only in objects)"));
    } else if (!this.isP(t, "=")) {
      this.fail(syntax.expectedEquals(this.tspan(t), describeToken(t), "write `name = value`"));
    }
    this.next();
    const value = this.parseExpr();
    return new AttributeNode(name, value, this.prevEnd(), meta);
  }

  private parseGoalBody(): AssertStmt[] {
    return this.parseLines(
      (t): AssertStmt => {
        this.next();
        const expr = this.parseExpr();
        if (this.atP(":") && !(this.nlSig && this.peek().nlBefore)) {
          this.next();
          const message = this.parseExpr();
          return { kind: "Assert", expr, message, span: this.span(t.start) };
        }
        return { kind: "Assert", expr, span: this.span(t.start) };
      },
      {
        after: (t, start) => {
          if (this.isKw(t, "assert")) return false;
          this.report(syntax.expectedAssert(this.tspan(t), describeToken(t)));
          this.recover(start, start, "attr");
          return true;
        },
      },
    );
  }

  // ------------------------------------------------------------------ expressions

  private parseExpr(): Expr {
    if (++this.depth > MAX_NESTING) this.fail(syntax.nestingTooDeep(this.tspan(this.peek()), MAX_NESTING));
    const test = this.parseBinary(1);
    let result = test;
    const q = this.peek();
    if (this.isP(q, "?") && !(this.nlSig && q.nlBefore)) {
      this.next();
      const then = this.parseExpr();
      this.expectP(":", "a conditional is written `test ? then : otherwise`");
      const otherwise = this.parseExpr();
      result = new CondNode(test, then, otherwise, this.path, test.span.start, this.prevEnd());
    }
    this.depth--;
    return result;
  }

  /** Counts one more level of tree depth for an operator chain (`a + b + …`, `a.b.c…`), which later stages walk recursively. */
  private chainLevel(t: Token): void {
    if (++this.depth > MAX_NESTING) this.fail(syntax.nestingTooDeep(this.tspan(t), MAX_NESTING));
  }

  private parseBinary(minPrec: number): Expr {
    const depth = this.depth;
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const prec = t.kind === "punct" ? BINARY_PREC[t.text] : undefined;
      if (prec === undefined || prec < minPrec || (this.nlSig && t.nlBefore)) {
        this.depth = depth;
        return left;
      }
      this.chainLevel(t);
      this.next();
      const right = this.parseBinary(prec + 1);
      if (prec === 4 && left.kind === "Binary" && BINARY_PREC[left.op] === 4) {
        this.report(syntax.chainedComparison(this.tspan(t), t.text));
      }
      left = new BinaryNode(t.text as BinaryOp, left, right, t.start, this.path, left.span.start, this.prevEnd());
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isP(t, "!") || this.isP(t, "-")) {
      if (++this.depth > MAX_NESTING) this.fail(syntax.nestingTooDeep(this.tspan(t), MAX_NESTING));
      this.next();
      const operand = this.parseUnary();
      this.depth--;
      return new UnaryNode(t.text as "!" | "-", operand, this.path, t.start, this.prevEnd());
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    return this.postfixOps(this.parsePrimary(), false);
  }

  /**
   * The traversals after an expression: `.name`, `[index]`, calls, and splats. Under a splat
   * (`attrOnly` for the `.*` form, which takes only `.name` traversals) they apply to each
   * element.
   */
  private postfixOps(start: Expr, attrOnly: boolean): Expr {
    const depth = this.depth;
    let e = start;
    for (;;) {
      const t = this.peek();
      const postfix = this.isP(t, ".") || (!attrOnly && (this.isP(t, "[") || this.isP(t, "(")));
      if ((this.nlSig && t.nlBefore) || !postfix) {
        this.depth = depth;
        return e;
      }
      this.chainLevel(t);
      const n1 = this.peek(1);
      const fullSplat = this.isP(t, "[") && this.isP(n1, "*") && this.isP(this.peek(2), "]");
      if (fullSplat || (this.isP(t, ".") && this.isP(n1, "*"))) {
        this.next();
        this.next();
        if (fullSplat) this.next();
        e = this.splat(e, t, !fullSplat);
        continue;
      }
      if (this.isP(t, ".")) {
        this.next();
        const name = this.looseName("an attribute name after `.`");
        e = new MemberNode(e, name, this.path, e.span.start, this.prevEnd());
      } else if (this.isP(t, "[")) {
        this.next();
        const saved = this.nlSig;
        this.nlSig = false;
        const index = this.parseExpr();
        this.closeBracket(t, "]");
        this.nlSig = saved;
        e = new IndexNode(e, index, this.path, e.span.start, this.prevEnd());
      } else if (this.isP(t, "(")) {
        if (e.kind !== "Ref") this.fail(syntax.invalidCallee(this.tspan(t)));
        const at = e.span;
        const callee = new IdentNode(e.name, this.path, at.start, at.end);
        this.next();
        const { items: args, expand } = this.parseArgs(t);
        e = new CallNode(callee, args, this.path, callee.start, this.prevEnd(), expand);
      }
    }
  }

  /** `src[*]…` / `src.*…` (see ListCompExpr): the traversals after it, up to where they stop, apply to each element. */
  private splat(src: Expr, at: Token, attrOnly: boolean): Expr {
    const star = this.prevEnd();
    const v = new IdentNode("*", this.path, at.start, star);
    const body = this.postfixOps(new RefNode("*", this.path, at.start, star), attrOnly);
    const source = new CallNode(new IdentNode("[*]", this.path, at.start, star), [src], this.path, src.span.start, star);
    const comp = new ListCompNode([v], source, body, undefined, this.path, src.span.start, this.prevEnd());
    (comp as { splat?: true }).splat = true;
    return comp;
  }

  /** Expects `close`; when the next line looks like a new statement, points at the opener. */
  private closeBracket(open: Token, close: string, alternatives?: string): void {
    const t = this.peek();
    if (this.isP(t, close)) {
      this.next();
      return;
    }
    if (t.kind === "eof" || (t.nlBefore && this.looksLikeStart(this.i, "attr") && !this.isP(t, "}"))) {
      this.reportUnclosed(open, t);
      throw ABORT;
    }
    this.fail(syntax.expectedToken(this.tspan(t), alternatives ?? `\`${close}\``, describeToken(t)));
  }

  /** Comma-separated expressions up to `close` (trailing comma allowed); newlines insignificant. */
  /** A call's arguments up to `)`; `...` after the last one expands it (only there: elsewhere a syntax error). */
  private parseArgs(open: Token): { items: Expr[]; expand: boolean } {
    const saved = this.nlSig;
    this.nlSig = false;
    const items: Expr[] = [];
    let expand = false;
    for (;;) {
      if (this.atP(")")) break;
      items.push(this.parseExpr());
      if (this.atP("...")) {
        const dots = this.next();
        expand = true;
        // A trailing comma may follow, as after any last argument written on its own line.
        if (this.atP(",") && this.isP(this.peek(1), ")")) this.next();
        if (!this.atP(")")) this.fail(syntax.expansionNotLast(this.tspan(dots)));
        break;
      }
      if (this.atP(",")) {
        this.next();
        continue;
      }
      if (this.atP(")")) break;
      this.closeBracket(open, ")", "`,` or `)`");
    }
    this.next();
    this.nlSig = saved;
    return { items: exact(items), expand };
  }

  private parseSeq(open: Token, close: string): Expr[] {
    const saved = this.nlSig;
    this.nlSig = false;
    const items: Expr[] = [];
    for (;;) {
      if (this.atP(close)) break;
      items.push(this.parseExpr());
      if (this.atP(",")) {
        this.next();
        continue;
      }
      if (this.atP(close)) break;
      this.closeBracket(open, close, `\`,\` or \`${close}\``);
    }
    this.next();
    this.nlSig = saved;
    return exact(items);
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case "number":
        this.next();
        return new NumberNode(t.value ?? 0, t.text, this.path, t.start, t.end);
      case "duration":
        this.next();
        return new DurationNode(t.value ?? 0, t.text, this.path, t.start, t.end);
      case "ident":
        this.next();
        return new RefNode(t.text, this.path, t.start, t.end);
      case "strStart":
        return this.parseString();
      case "keyword":
        if (t.text === "true" || t.text === "false") {
          this.next();
          return new BoolNode(t.text === "true", this.path, t.start, t.end);
        }
        if (t.text === "null") {
          this.next();
          return new NullNode(this.path, t.start, t.end);
        }
        break;
      case "punct":
        if (t.text === "[") return this.parseList();
        if (t.text === "{") return this.parseObject();
        if (t.text === "(") {
          this.next();
          const saved = this.nlSig;
          this.nlSig = false;
          const expr = this.parseExpr();
          this.closeBracket(t, ")");
          this.nlSig = saved;
          return new ParenNode(expr, this.path, t.start, this.prevEnd());
        }
        break;
      default:
        break;
    }
    this.fail(syntax.expectedExpression(this.tspan(t), describeToken(t)));
  }

  /** A string literal, or (`template`) the whole of a template's text: see template.ts. */
  private parseString(template = false): StringNode {
    const open = this.next();
    const pieces: (RawText | Expr | TemplateMark)[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "strText") {
        this.next();
        pieces.push({ raw: t.text, start: t.start });
      } else if (t.kind === "interpStart") {
        this.next();
        const saved = this.nlSig;
        this.nlSig = false;
        if (t.text.endsWith("~")) pieces.push(STRIP_BEFORE);
        const directive = t.text.startsWith("%") ? this.parseDirective() : null;
        if (!directive) pieces.push(this.parseExpr());
        const c = this.peek();
        if (c.kind !== "interpEnd") this.fail(syntax.expectedToken(this.tspan(c), directive ? "`}` to close the directive" : "`}` to close the interpolation", describeToken(c)));
        this.next();
        if (directive) pieces.push({ kind: "Directive", ...directive, start: t.start, end: c.end });
        if (c.text === "~}") pieces.push(STRIP_AFTER);
        this.nlSig = saved;
      } else if (t.kind === "strEnd") {
        this.next();
        break;
      } else {
        // The lexer always balances strings; anything else is a bug, reported rather than thrown.
        this.fail(syntax.expectedToken(this.tspan(t), "the end of the string", describeToken(t)));
      }
    }
    const multiline = open.multiline === true && !template;
    const cooked = cookString<TemplateMark>(this.path, pieces, multiline, this.diagnostics, template);
    const parts = exact(buildTemplate(this.path, cooked, this.diagnostics, this.prevEnd()));
    return new StringNode(parts, multiline, this.path, open.start, this.prevEnd());
  }

  /** The inside of `%{ … }`: `if cond`, `else`, `endif`, `for x in xs`, `endfor`. */
  private parseDirective(): Omit<DirectiveMark, "kind" | "start" | "end"> {
    const t = this.peek();
    if (this.isKw(t, "if")) {
      this.next();
      return { word: "if", cond: this.parseExpr() };
    }
    if (this.isKw(t, "for")) {
      this.next();
      const vars = this.forVars();
      return { word: "for", vars, source: this.parseExpr() };
    }
    if (t.kind === "ident" && (t.text === "else" || t.text === "endif" || t.text === "endfor")) {
      this.next();
      return { word: t.text };
    }
    return this.fail(syntax.unknownDirective(this.tspan(t), describeToken(t)));
  }

  /** A template's text as one string expression (templatefile, templatestring); null after a syntax error. */
  parseTemplateText(): StringNode | null {
    try {
      return this.parseString(true);
    } catch (e) {
      if (e === ABORT) return null;
      throw e;
    }
  }

  private parseList(): Expr {
    const open = this.next();
    if (this.isKw(this.peek(), "for")) {
      const saved = this.nlSig;
      this.nlSig = false;
      this.next();
      const vars = this.forVars();
      const source = this.parseExpr();
      this.expectP(":", "a comprehension is written `[for x in xs: body]`");
      const body = this.parseExpr();
      const cond = this.parseIfClause();
      this.closeBracket(open, "]");
      this.nlSig = saved;
      return new ListCompNode(vars, source, body, cond, this.path, open.start, this.prevEnd());
    }
    const items = this.parseSeq(open, "]");
    return new ListNode(items, this.path, open.start, this.prevEnd());
  }

  /** The optional `if cond` that ends a comprehension. */
  private parseIfClause(): Expr | undefined {
    if (!this.isKw(this.peek(), "if")) return undefined;
    this.next();
    return this.parseExpr();
  }

  private parseObject(): Expr {
    const open = this.next();
    const saved = this.nlSig;
    this.nlSig = false;
    const n1 = this.peek(1);
    if (this.isKw(this.peek(), "for") && !this.isP(n1, "=") && !this.isP(n1, ":")) {
      this.next();
      const vars = this.forVars();
      const source = this.parseExpr();
      this.expectP(":", "a comprehension is written `{for k, v in m: key => value}`");
      const key = this.parseExpr();
      this.expectP("=>", "an object comprehension is written `{for k, v in m: key => value}`");
      const value = this.parseExpr();
      const group = this.atP("...");
      if (group) this.next();
      const cond = this.parseIfClause();
      this.closeBracket(open, "}");
      this.nlSig = saved;
      const comp = new ObjectCompNode(vars, source, key, value, cond, this.path, open.start, this.prevEnd());
      if (group) (comp as { group?: true }).group = true;
      return comp;
    }
    const entries: ObjectEntry[] = [];
    for (;;) {
      if (this.atP("}")) break;
      entries.push(this.parseEntry());
      if (this.atP(",")) {
        this.next();
        continue;
      }
      if (this.atP("}")) break;
      if (this.peek().nlBefore && this.peek().kind !== "eof") continue;
      this.closeBracket(open, "}", "`,`, a new line or `}`");
    }
    this.next();
    this.nlSig = saved;
    return new ObjectNode(exact(entries), this.path, open.start, this.prevEnd());
  }

  private parseEntry(): ObjectEntry {
    const t = this.peek();
    let key: string;
    let quoted = false;
    let keyStart: number;
    let keyEnd: number;
    if (t.kind === "ident" || t.kind === "keyword") {
      this.next();
      key = t.text;
      keyStart = t.start;
      keyEnd = t.end;
    } else if (t.kind === "strStart") {
      const s = this.parseString();
      if (s.parts.some((p) => typeof p !== "string")) this.report(syntax.interpolatedKey(s.span));
      key = s.parts.filter((p): p is string => typeof p === "string").join("");
      quoted = true;
      keyStart = s.start;
      keyEnd = s.end;
    } else {
      this.fail(syntax.expectedName(this.tspan(t), "an object key (a name or a quoted string)", describeToken(t)));
    }
    const eq = this.peek();
    if (!this.isP(eq, "=") && !this.isP(eq, ":")) this.fail(syntax.expectedEquals(this.tspan(eq), describeToken(eq), "write `key = value`"));
    this.next();
    const value = this.parseExpr();
    return new ObjectEntryNode(key, quoted, value, this.path, keyStart, keyEnd, this.prevEnd());
  }
}
