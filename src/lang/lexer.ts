import type { Comment } from "./ast.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as syntax from "../diag/catalog/syntax.js";
import type { Token, TokenKind } from "./token.js";
import { KEYWORDS } from "./token.js";

/** The lexer's result: tokens (always ending with one `eof`), comments (trivia) and diagnostics. */
export interface LexResult {
  readonly tokens: Token[];
  readonly comments: Comment[];
  readonly diagnostics: Diagnostic[];
}

interface StrFrame {
  readonly kind: "str";
  readonly multiline: boolean;
  /** `"` or `'` (the latter only for recovery after LXM1011). */
  readonly quote: string;
  readonly start: number;
  readonly openEnd: number;
  /** A template read from a file or a value (templatefile, templatestring): no quotes, no `\` escapes; it ends where the text ends. */
  readonly template?: true;
}
interface InterpFrame {
  readonly kind: "interp";
  braces: number;
  readonly start: number;
}
type Frame = StrFrame | InterpFrame;

const PUNCT1 = new Set(["{", "}", "[", "]", "(", ")", ",", ".", "=", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":"]);
const DURATION_UNITS: Record<string, { mult: bigint; shift: number }> = {
  ms: { mult: 1n, shift: 0 },
  s: { mult: 1n, shift: 3 },
  m: { mult: 6n, shift: 4 },
  h: { mult: 36n, shift: 5 },
};

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** Control characters other than tab, LF and CR, plus DEL. */
function isControl(c: number): boolean {
  return (c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127;
}
function isLoneSurrogateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = text.charCodeAt(i + 1);
    return !(d >= 0xdc00 && d <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const p = text.charCodeAt(i - 1);
    return !(i > 0 && p >= 0xd800 && p <= 0xdbff);
  }
  return false;
}
function hexCodePoint(c: number): string {
  return "U+" + c.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * Splits a decimal literal into significant digits and a power of ten (value = digits × 10^exp),
 * so exactness can be checked without floating-point rounding.
 */
function decimalParts(raw: string): { digits: string; exp: number } | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  if (!m) return undefined;
  const frac = m[2] ?? "";
  let digits = (m[1]! + frac).replace(/^0+/, "");
  let exp = (m[3] ? Number(m[3]) : 0) - frac.length;
  let strip = digits.length;
  while (strip > 0 && digits.charCodeAt(strip - 1) === 48) strip--;
  exp += digits.length - strip;
  digits = digits.slice(0, strip);
  return { digits, exp };
}

type NumberCheck = { value: number } | { error: "inexact" | "range" | "fraction" };

/** Checks that a number literal denotes exactly the double it would become (integers) and is finite. */
export function checkNumber(raw: string): NumberCheck {
  const v = Number(raw);
  if (!Number.isFinite(v)) return { error: "range" };
  const p = decimalParts(raw);
  if (!p || p.digits === "") return { value: 0 };
  if (v === 0) return { error: "inexact" };
  if (p.exp >= 0) {
    // An integer: it must be exactly the double (no silent rounding of 2^53+1).
    if (p.digits.length + p.exp > 330) return { error: "range" };
    const exact = BigInt(p.digits) * 10n ** BigInt(p.exp);
    return exact === BigInt(v) ? { value: v } : { error: "inexact" };
  }
  // A true decimal fraction (like 0.1) is expected to be approximated; its integer part is not.
  if (Math.abs(v) >= 2 ** 53) return { error: "inexact" };
  return { value: v };
}

/** Checks a duration literal (number + unit) and returns whole milliseconds. */
export function checkDuration(num: string, unit: string): NumberCheck {
  const u = DURATION_UNITS[unit];
  const p = decimalParts(num);
  if (!u || !p) return { error: "range" };
  if (p.digits === "") return { value: 0 };
  if (p.digits.length > 40 || p.exp > 330) return { error: p.exp < 0 ? "fraction" : "range" };
  if (p.exp < -400) return { error: "fraction" };
  const exp = p.exp + u.shift;
  let ms: bigint;
  if (exp >= 0) ms = BigInt(p.digits) * u.mult * 10n ** BigInt(exp);
  else {
    const n = BigInt(p.digits) * u.mult;
    const d = 10n ** BigInt(-exp);
    if (n % d !== 0n) return { error: "fraction" };
    ms = n / d;
  }
  if (ms > BigInt(Number.MAX_SAFE_INTEGER)) return { error: "range" };
  return { value: Number(ms) };
}

/**
 * Lexes one `.lxm` file. Never throws and never recurses: string/interpolation nesting is
 * an explicit stack, so arbitrarily deep `${"${…` input costs memory, not call stack.
 * A UTF-8 BOM at offset 0 is skipped; offsets always index the original text.
 */
export function lex(path: string, text: string): LexResult {
  const packed = lexPacked(path, text);
  const tokens: Token[] = [];
  for (let k = 0; k < packed.tokens.length; k++) tokens.push(packed.tokens.at(k));
  return { tokens, comments: packed.comments, diagnostics: packed.diagnostics };
}

const KIND_CODES: readonly TokenKind[] = ["ident", "keyword", "number", "duration", "punct", "strStart", "strText", "interpStart", "interpEnd", "strEnd", "eof"];
const KIND_CODE = new Map<TokenKind, number>(KIND_CODES.map((k, i) => [k, i]));
const NL = 1;
const MULTILINE = 2;
const SINGLE_LINE = 4;
const HAS_VALUE = 8;

/**
 * One file's tokens packed in typed arrays (a few bytes per token instead of an object each),
 * read back as Token objects equal to those `lex` returns. The parser reads a large file's
 * tokens from this, so that they do not fill the heap while the syntax tree is built.
 */
export class TokenList {
  length = 0;
  private kinds: Uint8Array;
  private flags: Uint8Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private values: Float64Array;
  private texts: string[] = [];
  // The parser reads the same one or two tokens many times in a row.
  private lastK = -1;
  private last: Token | undefined;
  private prevK = -1;
  private prev: Token | undefined;

  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** Appends a token (the fields of Token; `value`/`multiline` undefined when absent). */
  push(kind: TokenKind, text: string, start: number, end: number, nlBefore: boolean, value: number | undefined, multiline: boolean | undefined): void {
    if (this.length === this.kinds.length) this.grow();
    const k = this.length++;
    this.kinds[k] = KIND_CODE.get(kind)!;
    this.flags[k] = (nlBefore ? NL : 0) | (multiline === true ? MULTILINE : multiline === false ? SINGLE_LINE : 0) | (value !== undefined ? HAS_VALUE : 0);
    this.starts[k] = start;
    this.ends[k] = end;
    if (value !== undefined) this.values[k] = value;
    this.texts.push(text);
  }

  /** The k-th token (0 ≤ k < length), with the same fields as the one `lex` returns. */
  at(k: number): Token {
    if (k === this.lastK) return this.last!;
    if (k === this.prevK) return this.prev!;
    const f = this.flags[k]!;
    const t: Token = {
      kind: KIND_CODES[this.kinds[k]!]!,
      text: this.texts[k]!,
      start: this.starts[k]!,
      end: this.ends[k]!,
      nlBefore: (f & NL) !== 0,
      value: (f & HAS_VALUE) !== 0 ? this.values[k]! : undefined,
      multiline: (f & MULTILINE) !== 0 ? true : (f & SINGLE_LINE) !== 0 ? false : undefined,
    };
    this.prevK = this.lastK;
    this.prev = this.last;
    this.lastK = k;
    this.last = t;
    return t;
  }

  private grow(): void {
    const cap = this.kinds.length * 2 + 16;
    const copy = <A extends Uint8Array | Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.kinds = copy(this.kinds, (n) => new Uint8Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.starts = copy(this.starts, (n) => new Int32Array(n));
    this.ends = copy(this.ends, (n) => new Int32Array(n));
    this.values = copy(this.values, (n) => new Float64Array(n));
  }
}

/** `lex` with the tokens packed (see TokenList); the same tokens, comments and diagnostics. */
export function lexPacked(path: string, text: string, template = false): { tokens: TokenList; comments: Comment[]; diagnostics: Diagnostic[] } {
  // About one token per four characters in typical source; the list grows when needed.
  const tokens = new TokenList((text.length >> 2) + 16);
  const comments: Comment[] = [];
  const diagnostics: Diagnostic[] = [];
  const stack: Frame[] = [];
  const names = new Map<string, string>();
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff && !template ? 1 : 0;
  let nl = true;

  const span = (start: number, end: number): Span => ({ file: path, start, end });
  // Every token gets the same object shape (V8 keeps property access monomorphic).
  const tok = (kind: TokenKind, t: string, start: number, end: number, nlBefore: boolean, value?: number, multiline?: boolean): void => {
    tokens.push(kind, t, start, end, nlBefore, value, multiline);
  };
  const push = (kind: TokenKind, start: number, end: number, extra?: { value?: number; multiline?: boolean }): void => {
    tok(kind, text.slice(start, end), start, end, nl, extra?.value, extra?.multiline);
    nl = false;
  };
  const badChar = (i: number): number => {
    const c = text.charCodeAt(i);
    if (isControl(c) || isLoneSurrogateAt(text, i)) {
      diagnostics.push(syntax.controlCharacter(span(i, i + 1), hexCodePoint(c)));
      return i + 1;
    }
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + w);
    let hint: string | undefined;
    if (ch === "&") hint = "use `&&` for logical and";
    else if (ch === "|") hint = "use `||` for logical or";
    else if (ch === "#") hint = "comments start with `//`";
    else if (ch === ";") hint = "declarations end at the end of the line; remove the `;`";
    else if (ch === "`") hint = 'strings use double quotes: "…"';
    else if (cp > 127) hint = "names use ASCII letters, digits and `_`; other text belongs in a string";
    diagnostics.push(syntax.unexpectedCharacter(span(i, i + w), `\`${ch}\` (${hexCodePoint(cp)})`, hint));
    return i + w;
  };

  /** Closes the innermost string: zero-width end at `at`. */
  const closeString = (frame: StrFrame, at: number): void => {
    stack.pop();
    tok("strEnd", "", at, at, false, undefined, frame.multiline);
  };
  const closeInterp = (at: number): void => {
    stack.pop();
    tok("interpEnd", "", at, at, false);
  };

  /** Scans string text until the closing quote, `${`, a line break (single-line) or the end. */
  const lexStringChunk = (frame: StrFrame): void => {
    const textStart = pos;
    let i = pos;
    const flush = (end: number): void => {
      if (end > textStart) {
        let raw = text.slice(textStart, end);
        // Short texts are copies anyway (longer ones are slices of the file): one per distinct text.
        if (end - textStart <= 12) {
          const seen = names.get(raw);
          if (seen === undefined) names.set(raw, raw);
          else raw = seen;
        }
        tok("strText", raw, textStart, end, false);
      }
    };
    for (;;) {
      if (i >= n) {
        flush(n);
        if (!frame.template) diagnostics.push(syntax.unterminatedString(span(frame.start, frame.openEnd), frame.multiline));
        closeString(frame, n);
        pos = n;
        return;
      }
      const c = text.charCodeAt(i);
      if (c === frame.quote.charCodeAt(0)) {
        if (!frame.multiline) {
          flush(i);
          stack.pop();
          tok("strEnd", frame.quote, i, i + 1, false, undefined, false);
          pos = i + 1;
          return;
        }
        if (text.startsWith('"""', i)) {
          // Extra quotes before the closing `"""` belong to the text (`""""` ends with one `"`).
          let j = i;
          while (text.charCodeAt(j + 3) === 34) j++;
          flush(j);
          stack.pop();
          tok("strEnd", '"""', j, j + 3, false, undefined, true);
          pos = j + 3;
          return;
        }
        i++;
        continue;
      }
      if (c === 92 /* \ */ && !frame.template) {
        const d = text.charCodeAt(i + 1);
        i += i + 1 < n && d !== 10 && d !== 13 ? 2 : 1;
        continue;
      }
      if (c === 36 /* $ */ && frame.quote !== "'") {
        if (text.charCodeAt(i + 1) === 36 && text.charCodeAt(i + 2) === 123) {
          i += 3;
          continue;
        }
        if (text.charCodeAt(i + 1) === 123) {
          // `${~` strips the white space before it.
          const w = text.charCodeAt(i + 2) === 126 ? 3 : 2;
          flush(i);
          tok("interpStart", text.slice(i, i + w), i, i + w, false);
          stack.push({ kind: "interp", braces: 0, start: i });
          pos = i + w;
          return;
        }
        i++;
        continue;
      }
      if (c === 37 /* % */ && frame.quote !== "'") {
        // `%%{` is a literal `%{`; `%{` (or `%{~`) opens a template directive, lexed as an interpolation.
        if (text.charCodeAt(i + 1) === 37 && text.charCodeAt(i + 2) === 123) {
          i += 3;
          continue;
        }
        if (text.charCodeAt(i + 1) === 123) {
          const w = text.charCodeAt(i + 2) === 126 ? 3 : 2;
          flush(i);
          tok("interpStart", text.slice(i, i + w), i, i + w, false);
          stack.push({ kind: "interp", braces: 0, start: i });
          pos = i + w;
          return;
        }
        i++;
        continue;
      }
      if ((c === 10 || c === 13) && !frame.multiline) {
        flush(i);
        diagnostics.push(syntax.unterminatedString(span(frame.start, frame.openEnd), false));
        closeString(frame, i);
        pos = i;
        return;
      }
      if (isControl(c) || isLoneSurrogateAt(text, i)) {
        diagnostics.push(syntax.controlCharacter(span(i, i + 1), hexCodePoint(c)));
      }
      i++;
    }
  };

  if (template) {
    // The whole text is the body of one string (see StrFrame.template).
    tok("strStart", "", 0, 0, true, undefined, true);
    stack.push({ kind: "str", multiline: true, quote: "", start: 0, openEnd: 0, template: true });
  }
  for (;;) {
    // (An out-of-bounds read on an empty array is a slow path in V8; check the length.)
    const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
    if (top?.kind === "str") {
      lexStringChunk(top);
      continue;
    }
    if (pos >= n) {
      // Close whatever is still open; report only the innermost unclosed construct.
      let reported = false;
      while (stack.length > 0) {
        const f = stack[stack.length - 1]!;
        if (f.kind === "interp") {
          if (!reported) diagnostics.push(syntax.unterminatedInterpolation(span(f.start, f.start + 2)));
          reported = true;
          closeInterp(n);
        } else {
          if (!reported) diagnostics.push(syntax.unterminatedString(span(f.start, f.openEnd), f.multiline));
          reported = true;
          closeString(f, n);
        }
      }
      tok("eof", "", n, n, true);
      break;
    }
    const c = text.charCodeAt(pos);
    // whitespace and line breaks
    if (c === 32 || c === 9) {
      pos++;
      continue;
    }
    if (c === 10 || c === 13) {
      // A line break inside `${…}` of a single-line string means the interpolation was never closed.
      let reported = false;
      while (top?.kind === "interp" && stack.length >= 2) {
        const t = stack[stack.length - 1]!;
        const s = stack[stack.length - 2]!;
        if (t.kind !== "interp" || s.kind !== "str" || s.multiline) break;
        if (!reported) {
          // A string opened inside the unclosed `${` and cut at this line end is part of the same mistake.
          const last = diagnostics[diagnostics.length - 1];
          if (last?.code === syntax.unterminatedString.code && (last.span?.start ?? -1) > t.start) diagnostics.pop();
          diagnostics.push(syntax.unterminatedInterpolation(span(t.start, t.start + 2)));
        }
        reported = true;
        closeInterp(pos);
        closeString(s, pos);
      }
      pos += c === 13 && text.charCodeAt(pos + 1) === 10 ? 2 : 1;
      nl = true;
      continue;
    }
    // comments
    if (c === 47 /* / */ && text.charCodeAt(pos + 1) === 47) {
      let e = pos + 2;
      while (e < n && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
      comments.push({ text: text.slice(pos, e), span: span(pos, e), block: false });
      pos = e;
      continue;
    }
    if (c === 47 && text.charCodeAt(pos + 1) === 42 /* * */) {
      const close = text.indexOf("*/", pos + 2);
      const e = close < 0 ? n : close + 2;
      if (close < 0) diagnostics.push(syntax.unterminatedComment(span(pos, pos + 2)));
      const body = text.slice(pos, e);
      comments.push({ text: body, span: span(pos, e), block: true });
      if (/[\r\n]/.test(body)) nl = true;
      pos = e;
      continue;
    }
    // strings
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const multiline = c === 34 && text.startsWith('"""', pos);
      const w = multiline ? 3 : 1;
      if (c === 39) diagnostics.push(syntax.singleQuotedString(span(pos, pos + 1)));
      push("strStart", pos, pos + w, { multiline });
      stack.push({ kind: "str", multiline, quote: c === 34 ? '"' : "'", start: pos, openEnd: pos + w });
      pos += w;
      continue;
    }
    // numbers and durations
    if (isDigit(c)) {
      let e = pos;
      while (isDigit(text.charCodeAt(e))) e++;
      if (text.charCodeAt(e) === 46 && isDigit(text.charCodeAt(e + 1))) {
        e++;
        while (isDigit(text.charCodeAt(e))) e++;
      }
      const ec = text.charCodeAt(e);
      if (ec === 101 || ec === 69) {
        let k = e + 1;
        if (text.charCodeAt(k) === 43 || text.charCodeAt(k) === 45) k++;
        if (isDigit(text.charCodeAt(k))) {
          while (isDigit(text.charCodeAt(k))) k++;
          e = k;
        }
      }
      const numEnd = e;
      while (e < n && isIdentPart(text.charCodeAt(e))) e++;
      const raw = text.slice(pos, numEnd);
      const suffix = text.slice(numEnd, e);
      let kind: TokenKind = "number";
      let check: NumberCheck;
      if (suffix === "") check = checkNumber(raw);
      else if (suffix in DURATION_UNITS) {
        kind = "duration";
        check = checkDuration(raw, suffix);
      } else {
        diagnostics.push(syntax.invalidNumberSuffix(span(pos, e), text.slice(pos, e)));
        check = { value: 0 };
      }
      let value = 0;
      const full = text.slice(pos, e);
      if ("value" in check) value = check.value;
      else if (check.error === "inexact") diagnostics.push(syntax.inexactNumber(span(pos, e), full));
      else if (check.error === "range") diagnostics.push(syntax.numberOutOfRange(span(pos, e), full));
      else diagnostics.push(syntax.fractionalDuration(span(pos, e), full));
      push(kind, pos, e, { value });
      pos = e;
      continue;
    }
    if (isIdentStart(c)) {
      let e = pos + 1;
      while (e < n && isIdentPart(text.charCodeAt(e))) e++;
      let word = text.slice(pos, e);
      // One string per distinct name in a file: the tree keeps names, and they repeat a lot.
      const seen = names.get(word);
      if (seen === undefined) names.set(word, word);
      else word = seen;
      tok(KEYWORDS.has(word) ? "keyword" : "ident", word, pos, e, nl);
      nl = false;
      pos = e;
      continue;
    }
    const c2 = text.charCodeAt(pos + 1);
    // `...`: a call's last argument expanded into arguments, f(list...).
    if (c === 46 && c2 === 46 && text.charCodeAt(pos + 2) === 46) {
      push("punct", pos, pos + 3);
      pos += 3;
      continue;
    }
    // Two-character operators: => == != <= >= && ||
    const isTwo =
      (c2 === 61 && (c === 61 || c === 33 || c === 60 || c === 62)) || (c === 61 && c2 === 62) || (c === 38 && c2 === 38) || (c === 124 && c2 === 124);
    if (isTwo) {
      push("punct", pos, pos + 2);
      pos += 2;
      continue;
    }
    // `~}` closes an interpolation or directive and strips the white space after it.
    if (c === 126 && c2 === 125 && top?.kind === "interp" && top.braces === 0) {
      stack.pop();
      tok("interpEnd", "~}", pos, pos + 2, nl);
      nl = false;
      pos += 2;
      continue;
    }
    const one = text[pos]!;
    if (PUNCT1.has(one)) {
      if (top?.kind === "interp") {
        if (one === "{") top.braces++;
        else if (one === "}") {
          if (top.braces === 0) {
            stack.pop();
            tok("interpEnd", "}", pos, pos + 1, nl);
            nl = false;
            pos++;
            continue;
          }
          top.braces--;
        }
      }
      tok("punct", one, pos, pos + 1, nl);
      nl = false;
      pos++;
      continue;
    }
    pos = badChar(pos);
  }
  return { tokens, comments, diagnostics };
}
