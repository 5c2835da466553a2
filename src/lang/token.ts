/**
 * Tokens of `.lxm` source, produced by the lexer (lexer.ts) and consumed by the parser.
 * Strings are split into `strStart` (the opening quote), raw `strText` chunks,
 * `interpStart` (`${`) … expression tokens … `interpEnd` (`}`), and `strEnd`; the lexer
 * always emits these balanced (zero-width closers after an error), so the parser can
 * track nesting without looking at the text.
 */
export type TokenKind =
  | "ident"
  | "keyword"
  | "number"
  | "duration"
  | "punct"
  | "strStart"
  | "strText"
  | "interpStart"
  | "interpEnd"
  | "strEnd"
  | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for strText: the raw, still-escaped text). */
  readonly text: string;
  readonly start: number;
  /** End-exclusive. */
  readonly end: number;
  /** A line break (or the start of the file) separates this token from the previous one. */
  readonly nlBefore: boolean;
  /** number: the value; duration: milliseconds. 0 when the literal was invalid (already reported). */
  readonly value?: number;
  /** strStart/strEnd: a `"""` string. */
  readonly multiline?: boolean;
}

/** The keywords of the language; they may still be used as attribute names, object keys and member names. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "domain",
  "provider",
  "as",
  "let",
  "resource",
  "for",
  "in",
  "import",
  "export",
  "goal",
  "assert",
  "policy",
  "true",
  "false",
  "null",
  "if",
]);

/** Keywords that start a declaration inside a domain. */
export const ITEM_KEYWORDS: ReadonlySet<string> = new Set([
  "provider",
  "let",
  "resource",
  "import",
  "export",
  "goal",
  "policy",
]);

/** A short description of a token for messages: "`=`", "end of file", "a string". */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "end of file";
    case "strStart":
      return "a string";
    case "strText":
      return "string text";
    case "interpStart":
    case "interpEnd":
      return `\`${t.text}\``;
    case "strEnd":
      return "the end of a string";
    case "number":
    case "duration":
      return `\`${t.text.length > 20 ? t.text.slice(0, 20) + "…" : t.text}\``;
    case "keyword":
      return `keyword \`${t.text}\``;
    default:
      return `\`${t.text.length > 40 ? t.text.slice(0, 40) + "…" : t.text}\``;
  }
}
