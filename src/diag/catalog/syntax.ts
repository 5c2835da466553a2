import { code } from "./define.js";

/**
 * Syntax diagnostics (LXM1001–LXM1099): produced by the lexer and parser of `.lxm` files.
 * Every factory takes the tight span of the offending token first.
 */

export const unexpectedCharacter = code(
  "LXM1001",
  "unexpected character",
  "A character that cannot start any token (e.g. `@`, `#`, `&`, a non-ASCII letter outside a string). Remove it or put the text inside a string.",
  (shown: string, hint?: string) => ({ message: `unexpected character ${shown}`, ...(hint ? { hint } : {}) }),
);

export const controlCharacter = code(
  "LXM1002",
  "control character",
  "The file holds an invisible control character (NUL, a stray escape byte, a lone surrogate). Delete it; inside strings write an escape like `\\u{0}` instead.",
  (codePoint: string) => ({
    message: `invalid character ${codePoint} in source`,
    hint: "delete it; inside a string, write it as an escape such as \\u{1b}",
  }),
);

export const unterminatedComment = code(
  "LXM1003",
  "unterminated block comment",
  "A `/*` comment has no closing `*/` before the end of the file. Add `*/` where the comment ends.",
  () => ({ message: "unterminated block comment", hint: "close it with `*/`" }),
);

export const unterminatedString = code(
  "LXM1004",
  "unterminated string",
  "A string has no closing quote: `\"` strings must close on the same line, `\"\"\"` strings before the end of the file.",
  (multiline: boolean) => ({
    message: "unterminated string",
    hint: multiline ? 'close it with `"""`' : 'close it with `"` on the same line, or use `"""` for multi-line text',
  }),
);

export const unterminatedInterpolation = code(
  "LXM1005",
  "unterminated interpolation",
  "A `${` inside a string has no matching `}`. Close the interpolation, or write `$${` for a literal `${`.",
  () => ({ message: "unterminated interpolation `${`", hint: "close it with `}`, or write `$${` for a literal `${`" }),
);

export const invalidEscape = code(
  "LXM1006",
  "invalid escape sequence",
  'Only \\n \\r \\t \\\\ \\" \\$ \\uXXXX and \\u{X…} (a Unicode scalar value) are escapes in strings. Write `\\\\` for a backslash.',
  (escape: string) => ({
    message: `invalid escape sequence \`${escape}\``,
    hint: 'valid escapes: \\n \\r \\t \\\\ \\" \\$ \\uXXXX \\u{X…}; write \\\\ for a backslash',
  }),
);

export const inexactNumber = code(
  "LXM1007",
  "number cannot be represented exactly",
  "Numbers are IEEE-754 doubles; an integer beyond 2^53 (or a literal that would be rounded to zero) would silently change value. Write it as a string instead.",
  (raw: string) => ({
    message: `the number ${raw} cannot be represented exactly`,
    hint: "integers must lie within ±2^53 (9007199254740992); write large identifiers as strings",
  }),
);

export const numberOutOfRange = code(
  "LXM1008",
  "number out of range",
  "A number or duration literal is too large to be finite (e.g. `1e400`). Use a smaller value.",
  (raw: string) => ({ message: `the number ${raw} is out of range`, hint: "numbers must be finite doubles (below about 1.8e308)" }),
);

export const fractionalDuration = code(
  "LXM1009",
  "fractional milliseconds",
  "A duration must be a whole number of milliseconds (`1.5s` is fine, `1.5ms` is not).",
  (raw: string) => ({ message: `the duration ${raw} is not a whole number of milliseconds`, hint: "use a smaller unit or a whole number" }),
);

export const invalidNumberSuffix = code(
  "LXM1010",
  "invalid number suffix",
  "A number is immediately followed by letters that are not a duration unit (ms, s, m, h). Insert a space or use a valid unit.",
  (raw: string) => ({ message: `invalid number literal \`${raw}\``, hint: "duration units are ms, s, m and h" }),
);

export const singleQuotedString = code(
  "LXM1011",
  "single-quoted string",
  "Strings use double quotes: write \"text\" instead of 'text'.",
  () => ({ message: "strings use double quotes", hint: "write \"…\" instead of '…'" }),
);

export const nestingTooDeep = code(
  "LXM1012",
  "nesting too deep",
  "Expressions may nest at most 256 levels (brackets, parentheses, interpolations, unary operators). Split the expression with `let`.",
  (limit: number) => ({ message: `nesting too deep (more than ${limit} levels)`, hint: "split the expression into several `let` values" }),
);

export const expectedToken = code(
  "LXM1020",
  "unexpected token",
  "The parser expected a particular token here (named in the message). Check the line for a missing or extra symbol.",
  (expected: string, found: string, hint?: string) => ({
    message: `expected ${expected}, found ${found}`,
    ...(hint ? { hint } : {}),
  }),
);

export const expectedExpression = code(
  "LXM1021",
  "expected an expression",
  "A value is missing: after `=`, an operator, a comma or inside brackets an expression must follow.",
  (found: string) => ({ message: `expected an expression, found ${found}` }),
);

export const unclosedDelimiter = code(
  "LXM1022",
  "unclosed delimiter",
  "A `{`, `[` or `(` has no matching closing delimiter. The related location shows where it was opened.",
  (close: string, found: string) => ({
    message: `expected \`${close}\`, found ${found}`,
    hint: `did you forget a closing \`${close}\` for the one opened here?`,
  }),
);

export const commaBetweenAttributes = code(
  "LXM1023",
  "stray comma in a block",
  "Attributes of a block are separated by newlines or by one comma each (`{ a = 1, b = 2 }`); a comma with no attribute before it is an error.",
  () => ({ message: "unexpected `,`: no attribute before it", hint: "remove the extra comma" }),
);

export const topLevelNotDomain = code(
  "LXM1024",
  "declaration outside a domain",
  "Only `domain NAME { … }` may appear at the top level of a file; every other declaration lives inside a domain.",
  (found: string) => ({
    message: `expected \`domain\` at the top level, found ${found}`,
    hint: "wrap declarations in `domain NAME { … }`",
  }),
);

export const expectedDeclaration = code(
  "LXM1025",
  "expected a declaration",
  "Inside a domain, each line starts a declaration: provider, let, resource, import, export, goal or policy.",
  (found: string) => ({
    message: `expected a declaration, found ${found}`,
    hint: "a domain holds provider, let, resource, import, export, goal and policy declarations",
  }),
);

export const keywordAsName = code(
  "LXM1026",
  "keyword used as a name",
  "Keywords (domain provider as let resource for in import export goal assert policy true false null if) cannot name domains, values, resources or loop variables. Pick another name.",
  (kw: string) => ({ message: `\`${kw}\` is a keyword and cannot be used as a name`, hint: "rename it, e.g. add a suffix" }),
);

export const chainedComparison = code(
  "LXM1027",
  "chained comparison",
  "Comparison operators do not chain: `a < b < c` is not allowed. Write `a < b && b < c`.",
  (op: string) => ({ message: `comparison operators cannot be chained (\`${op}\`)`, hint: "write `a < b && b < c`, or add parentheses" }),
);

export const invalidCallee = code(
  "LXM1028",
  "invalid call",
  "Only built-in functions can be called, by name: `len(xs)`. Values and attributes are not callable.",
  () => ({ message: "only built-in functions can be called", hint: "call a function by its name, e.g. `len(xs)`" }),
);

export const interpolatedKey = code(
  "LXM1029",
  "interpolation in object key",
  "Object keys are names or plain quoted strings. Build keys from values with a comprehension: `{for k, v in m: \"${k}-x\" => v}`.",
  () => ({ message: "object keys cannot contain interpolation", hint: "use a comprehension `{for k, v in m: key => value}`" }),
);

export const expectedNewline = code(
  "LXM1030",
  "expected a new line",
  "Each attribute, assertion and declaration stands on its own line.",
  (found: string) => ({ message: `expected a new line or \`}\`, found ${found}`, hint: "put each attribute or declaration on its own line" }),
);

export const expectedAssert = code(
  "LXM1031",
  "expected an assertion",
  "A goal block holds only `assert EXPR [: MESSAGE]` lines, one per line.",
  (found: string) => ({ message: `expected \`assert\`, found ${found}`, hint: "write `assert EXPR : \"message\"`" }),
);

export const expectedEquals = code(
  "LXM1032",
  "expected `=`",
  "An attribute is written `name = value` (objects also accept `name: value`).",
  (found: string, hint: string) => ({ message: `expected \`=\` after attribute name, found ${found}`, hint }),
);

export const expectedName = code(
  "LXM1033",
  "expected a name",
  "A name (letters, digits and `_`, not starting with a digit) is required here.",
  (what: string, found: string) => ({ message: `expected ${what}, found ${found}` }),
);

export const moreSyntaxErrors = code(
  "LXM1040",
  "more syntax errors not shown",
  "A file reports its first 100 syntax errors and then their count, so that a file that is not Lexum at all (or is badly damaged) gives a readable answer in bounded time. Fix the errors shown and check again.",
  (count: number, file: string) => ({ message: `${count} more syntax error${count === 1 ? "" : "s"} in ${file} not shown` }),
);

// ------------------------------------------------------------------ expansion, for forms, splat (1050–1059)

export const expansionNotLast = code(
  "LXM1050",
  "`...` not after a call's last argument",
  "`...` expands a list into a call's arguments, and only the last argument may be expanded: `max(numbers...)`, `concat(a, rest...)`. Example: `f(xs..., 1)`. Fix: make the expanded list the last argument.",
  () => ({ message: "`...` may only follow a call's last argument", hint: "write `f(a, list...)`: the expanded list comes last" }),
);

// ------------------------------------------------------------------ templates (1060–1069)

export const unbalancedDirective = code(
  "LXM1060",
  "template directive out of place",
  "String templates nest `%{ if }…%{ else }…%{ endif }` and `%{ for x in xs }…%{ endfor }` like brackets: an `else` or `endif` belongs to the innermost open `if`, an `endfor` to the innermost open `for`. Example: `\"%{ if on }yes%{ endfor }\"`. Fix: close the innermost directive first, with its own end.",
  (found: string, open: string | null) => ({
    message: open === null ? `\`%{ ${found} }\` has no \`%{ ${found === "endfor" ? "for" : "if"} }\` to ${found === "else" ? "belong to" : "close"}` : `\`%{ ${found} }\` inside an open \`%{ ${open} }\``,
    hint: open === null ? "remove it, or open the directive before it" : `close the \`%{ ${open} }\` with \`%{ ${open === "for" ? "endfor" : "endif"} }\` first`,
  }),
);

export const unclosedDirective = code(
  "LXM1061",
  "template directive never closed",
  "A `%{ if }` needs its `%{ endif }`, a `%{ for }` its `%{ endfor }`, before the string (or template file) ends. Example: `\"%{ for x in xs }${x}\"`. Fix: add the end directive.",
  (open: string) => ({ message: `\`%{ ${open} }\` is never closed`, hint: `add \`%{ ${open === "for" ? "endfor" : "endif"} }\` before the end of the string` }),
);

export const unknownDirective = code(
  "LXM1062",
  "unknown template directive",
  "Inside a string, `%{` starts a directive: `if`, `else`, `endif`, `for` or `endfor`. For a literal `%{`, write `%%{`. Example: `\"100%{x}\"`. Fix: use one of the directives, or escape the `%`.",
  (found: string) => ({ message: `\`%{\` starts a template directive (if, else, endif, for, endfor), not ${found}`, hint: "for a literal `%{` write `%%{`" }),
);
