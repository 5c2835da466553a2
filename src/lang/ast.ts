import type { Span } from "../diag/span.js";

/**
 * The syntax tree of one `.lxm` file. Plain data: every node carries its span, no node
 * points back to its parent, and nothing here knows about evaluation.
 */

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

export interface Comment {
  /** Full text including the `//` or `/* *\/` delimiters. */
  readonly text: string;
  readonly span: Span;
  /** True for `/* … *\/`. */
  readonly block: boolean;
}

export interface SourceFileNode {
  readonly kind: "File";
  readonly path: string;
  readonly domains: DomainDecl[];
  /** `template NAME(params) { … }` declarations (see TemplateDecl). */
  readonly templates: TemplateDecl[];
  /** `moved { from = …, to = … }` blocks (see MovedDecl). */
  readonly moved: MovedDecl[];
  /** `template NAME from "SOURCE"` declarations (see TemplateImport). */
  readonly templateImports: TemplateImport[];
  /** Every comment in the file in source order (trivia kept for `lxm fmt`). */
  readonly comments: Comment[];
  readonly span: Span;
}

export interface DomainDecl {
  readonly kind: "Domain";
  readonly name: Ident;
  readonly items: DomainItem[];
  readonly span: Span;
  /** `domain NAME = TEMPLATE(arg = value, …)`: an instance of a template (its items are the template's). */
  readonly instance?: InstanceOf;
}

/** `TEMPLATE(arg = value, …)` after `domain NAME =`. */
export interface InstanceOf {
  readonly template: Ident;
  readonly args: TemplateArg[];
  readonly span: Span;
}

export interface TemplateArg {
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

/** The types a template parameter may declare. */
export type ParamType = "string" | "number" | "bool" | "list" | "object" | "any";

/** `NAME: TYPE [= DEFAULT]` in a template's parameter list. */
export interface TemplateParam {
  readonly name: Ident;
  readonly type: Ident;
  readonly default?: Expr;
  readonly span: Span;
}

/**
 * `template NAME(params) { items }`: a domain body declared once and instantiated as named
 * domains (`domain api = NAME(...)`), each a real domain. The parameters are the only values
 * that enter it.
 */
export interface TemplateDecl {
  readonly kind: "Template";
  readonly name: Ident;
  readonly params: TemplateParam[];
  readonly items: DomainItem[];
  readonly span: Span;
}

/**
 * `template NAME from "SOURCE"`: a domain template declared outside the project — in another
 * folder of the repository (`"../shared/templates"`, relative to the declaring file) or in an
 * npm package the project depends on (`"@acme/lexum-templates"`, optionally with a folder
 * inside it) — made available to the project under its name.
 */
export interface TemplateImport {
  readonly kind: "TemplateImport";
  readonly name: Ident;
  /** The source as written (the string's text). */
  readonly source: string;
  readonly sourceSpan: Span;
  readonly span: Span;
}

/**
 * `moved { from = a/fs.file.f, to = b/fs.file.g }`: a resource (or one instance) that the
 * code renamed. Its attributes are kept as written (`from`, `to`, each an address written
 * bare or as a string); lang/moved.ts reads them once the program's resources are known.
 */
export interface MovedDecl {
  readonly kind: "Moved";
  readonly attributes: Attribute[];
  readonly span: Span;
}

export type DomainItem =
  | ProviderDecl
  | LetDecl
  | ResourceDecl
  | ImportDecl
  | ExportDecl
  | GoalDecl
  | PolicyDecl;

/** `name = value` inside a block (resource, provider, policy). */
export interface Attribute {
  readonly kind: "Attribute";
  /** The optional `meta` prefix of a resource meta-attribute line (`meta import = true`). */
  readonly meta?: Ident;
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

/** `provider P [as ALIAS] { … }` */
export interface ProviderDecl {
  readonly kind: "Provider";
  readonly provider: Ident;
  readonly alias?: Ident;
  readonly attributes: Attribute[];
  readonly span: Span;
}

/** `let NAME = EXPR` */
export interface LetDecl {
  readonly kind: "Let";
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
  /** A template parameter bound in an instance: its value must have the declared type. */
  readonly param?: { readonly template: string; readonly type: ParamType };
}

/** `resource P.TYPE NAME [for X[, Y] in EXPR] { … }` */
export interface ResourceDecl {
  readonly kind: "Resource";
  readonly provider: Ident;
  readonly type: Ident;
  readonly name: Ident;
  readonly forEach?: ForClause;
  readonly attributes: Attribute[];
  readonly span: Span;
}

export interface ForClause {
  /** One variable (list element / map key) or two (`k, v` over a map). */
  readonly vars: Ident[];
  readonly source: Expr;
  readonly span: Span;
}

/** `import DOMAIN.NAME [as ALIAS]` */
export interface ImportDecl {
  readonly kind: "Import";
  readonly domain: Ident;
  readonly name: Ident;
  readonly alias?: Ident;
  readonly span: Span;
}

/** `export NAME` or `export NAME = EXPR` */
export interface ExportDecl {
  readonly kind: "Export";
  readonly name: Ident;
  readonly value?: Expr;
  readonly span: Span;
}

/** `goal NAME { assert EXPR [: MESSAGE] … }` */
export interface GoalDecl {
  readonly kind: "Goal";
  readonly name: Ident;
  readonly asserts: AssertStmt[];
  readonly span: Span;
}

export interface AssertStmt {
  readonly kind: "Assert";
  readonly expr: Expr;
  readonly message?: Expr;
  readonly span: Span;
}

/** `policy { … }` */
export interface PolicyDecl {
  readonly kind: "Policy";
  readonly attributes: Attribute[];
  readonly span: Span;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | StringExpr
  | NumberExpr
  | BoolExpr
  | NullExpr
  | DurationExpr
  | ListExpr
  | ObjectExpr
  | RefExpr
  | MemberExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | CondExpr
  | ListCompExpr
  | ObjectCompExpr
  | ParenExpr
  | ErrorExpr;

/** A string literal, with interpolations: parts alternate literal text and `${expr}`. */
export interface StringExpr {
  readonly kind: "String";
  /** Literal parts are already unescaped (and, for `"""`, de-indented). */
  readonly parts: (string | Expr)[];
  readonly multiline: boolean;
  readonly span: Span;
}

export interface NumberExpr {
  readonly kind: "Number";
  readonly value: number;
  /** The literal as written (fmt keeps it). */
  readonly raw: string;
  readonly span: Span;
}

export interface BoolExpr {
  readonly kind: "Bool";
  readonly value: boolean;
  readonly span: Span;
}

export interface NullExpr {
  readonly kind: "Null";
  readonly span: Span;
}

/** `250ms`, `30s`, `5m`, `1h`: value in milliseconds. */
export interface DurationExpr {
  readonly kind: "Duration";
  readonly ms: number;
  readonly raw: string;
  readonly span: Span;
}

export interface ListExpr {
  readonly kind: "List";
  readonly items: Expr[];
  readonly span: Span;
}

export interface ObjectEntry {
  /** A bare identifier key or a quoted string key (no interpolation). */
  readonly key: string;
  readonly keySpan: Span;
  readonly quoted: boolean;
  readonly value: Expr;
  readonly span: Span;
}

export interface ObjectExpr {
  readonly kind: "Object";
  readonly entries: ObjectEntry[];
  readonly span: Span;
}

/** A bare name: let, resource, loop variable or import alias. */
export interface RefExpr {
  readonly kind: "Ref";
  readonly name: string;
  readonly span: Span;
}

/** `object.name` */
export interface MemberExpr {
  readonly kind: "Member";
  readonly object: Expr;
  readonly name: Ident;
  readonly span: Span;
}

/** `object[index]` */
export interface IndexExpr {
  readonly kind: "Index";
  readonly object: Expr;
  readonly index: Expr;
  readonly span: Span;
}

/** `fn(args…)` — only built-in functions exist. */
export interface CallExpr {
  readonly kind: "Call";
  readonly callee: Ident;
  readonly args: Expr[];
  /** `f(a, list...)`: the last argument is a list expanded into arguments. Present only when written. */
  readonly expand?: true;
  readonly span: Span;
}

export type UnaryOp = "!" | "-";
export interface UnaryExpr {
  readonly kind: "Unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
  readonly span: Span;
}

export type BinaryOp = "*" | "/" | "%" | "+" | "-" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "&&" | "||";
export interface BinaryExpr {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  /** Span of the operator token itself. */
  readonly opSpan: Span;
  readonly span: Span;
}

/** `test ? then : otherwise` */
export interface CondExpr {
  readonly kind: "Cond";
  readonly test: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
  /** Built from a string template's `%{ if }` (messages name it so). */
  readonly template?: true;
  readonly span: Span;
}

/**
 * `[for x in xs: body if cond]` (vars: 1 or 2 names). A splat `xs[*].a` (or `xs.*.a`) is one
 * too: `[for * in [*](xs): *.a]`, its variable named `*` (no name can be) and its source
 * passed through the built-in `[*]` (a list as it is, null as [], any other value as a
 * one-element list); `splat` keeps `lxm fmt` printing it as written.
 */
export interface ListCompExpr {
  readonly kind: "ListComp";
  readonly vars: Ident[];
  readonly source: Expr;
  readonly body: Expr;
  readonly cond?: Expr;
  readonly splat?: true;
  readonly span: Span;
}

/** `{for k, v in m: key => value if cond}` */
export interface ObjectCompExpr {
  readonly kind: "ObjectComp";
  readonly vars: Ident[];
  readonly source: Expr;
  readonly key: Expr;
  readonly value: Expr;
  readonly cond?: Expr;
  /** `key => value...`: the values of equal keys grouped into a list. */
  readonly group?: true;
  readonly span: Span;
}

/** `( expr )`, kept so that `lxm fmt` preserves the user's parentheses. */
export interface ParenExpr {
  readonly kind: "Paren";
  readonly expr: Expr;
  readonly span: Span;
}

/** Stands where a syntax error made an expression unreadable; evaluates to nothing, reports nothing more. */
export interface ErrorExpr {
  readonly kind: "Error";
  readonly span: Span;
}
