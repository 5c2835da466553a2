import type { Diagnostic } from "../diag/diagnostic.js";
import * as syntax from "../diag/catalog/syntax.js";
import type { Expr, Ident } from "./ast.js";
import { CallNode, CondNode, IdentNode, ListCompNode, StringNode } from "./nodes.js";

/**
 * String templates: `${~ … ~}` strip markers and the `%{ if }` / `%{ for }` directives, as
 * HCL (Terraform) has them. The parser leaves marks among a string's parts; `buildTemplate`
 * applies the strip markers to the neighbouring text and turns each directive into ordinary
 * expressions, so that nothing after the parser knows templates exist:
 *   `%{ if c }A%{ else }B%{ endif }`  →  `c ? "A" : "B"` (the condition must be a bool)
 *   `%{ for x in xs }A%{ endfor }`    →  `join("", [for x in xs: "A"])`
 */

/** A strip marker: `${~` / `%{~` (the white space before it) or `~}` (after it). */
export interface StripMark {
  readonly kind: "Strip";
  readonly side: "before" | "after";
}

export type DirectiveWord = "if" | "else" | "endif" | "for" | "endfor";

/** One `%{ … }`, from `%{` to its `}`. */
export interface DirectiveMark {
  readonly kind: "Directive";
  readonly word: DirectiveWord;
  readonly cond?: Expr;
  readonly vars?: Ident[];
  readonly source?: Expr;
  readonly start: number;
  readonly end: number;
}

export type TemplateMark = StripMark | DirectiveMark;
type Part = string | Expr | TemplateMark;

const isMark = (p: Part): p is TemplateMark => typeof p !== "string" && (p.kind === "Strip" || p.kind === "Directive");

/** Applies the strip markers (white space as Go's unicode.IsSpace, which `\s` matches) and drops them. */
function strip(parts: readonly Part[]): (string | Expr | DirectiveMark)[] {
  const out: Part[] = [...parts];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    if (typeof p === "string" || p.kind !== "Strip") continue;
    if (p.side === "before") {
      const j = i - 1;
      if (j >= 0 && typeof out[j] === "string") out[j] = (out[j] as string).replace(/\s+$/, "");
    } else {
      const j = i + 1;
      if (j < out.length && typeof out[j] === "string") out[j] = (out[j] as string).replace(/^\s+/, "");
    }
  }
  return out.filter((p): p is string | Expr | DirectiveMark => p !== "" && !(typeof p !== "string" && p.kind === "Strip"));
}

interface Frame {
  readonly open: DirectiveMark | null;
  parts: (string | Expr)[];
  /** `if` only: the parts before `%{ else }` once it has been seen. */
  then?: (string | Expr)[];
  elseMark?: DirectiveMark;
}

/**
 * A string's parts with the template marks resolved (see the module comment). Misplaced or
 * unclosed directives are reported (LXM1060, LXM1061) and the string is built as if they
 * were closed where it ends.
 */
export function buildTemplate(path: string, parts: readonly Part[], diagnostics: Diagnostic[], stringEnd: number): (string | Expr)[] {
  if (!parts.some(isMark)) return parts as (string | Expr)[];
  const span = (start: number, end: number) => ({ file: path, start, end });
  const str = (ps: (string | Expr)[], start: number, end: number): StringNode => new StringNode(ps.length === 0 ? [] : ps, false, path, start, end);
  const stack: Frame[] = [{ open: null, parts: [] }];
  const close = (f: Frame, end: DirectiveMark | null): void => {
    const o = f.open!;
    const endAt = end?.start ?? stringEnd;
    const last = end?.end ?? stringEnd;
    let node: Expr;
    if (o.word === "if") {
      const thenParts = f.then ?? f.parts;
      const thenEnd = f.elseMark?.start ?? endAt;
      const elseParts = f.then ? f.parts : [];
      const cond = new CondNode(o.cond!, str(thenParts, o.end, thenEnd), str(elseParts, f.elseMark?.end ?? endAt, endAt), path, o.start, last);
      (cond as { template?: true }).template = true;
      node = cond;
    } else {
      const body = str(f.parts, o.end, endAt);
      const comp = new ListCompNode(o.vars!, o.source!, body, undefined, path, o.start, last);
      node = new CallNode(new IdentNode("join", path, o.start, o.end), [new StringNode([], false, path, o.start, o.start), comp], path, o.start, last);
    }
    stack[stack.length - 1]!.parts.push(node);
  };
  for (const p of strip(parts)) {
    const top = stack[stack.length - 1]!;
    if (typeof p === "string" || p.kind !== "Directive") {
      top.parts.push(p);
      continue;
    }
    const d = p;
    const open = top.open?.word ?? null;
    if (d.word === "if" || d.word === "for") {
      stack.push({ open: d, parts: [] });
    } else if (d.word === "else") {
      if (open !== "if" || top.then) diagnostics.push(syntax.unbalancedDirective(span(d.start, d.end), "else", open === "if" ? null : open));
      else {
        top.then = top.parts;
        top.parts = [];
        top.elseMark = d;
      }
    } else {
      const wants = d.word === "endif" ? "if" : "for";
      if (open !== wants) {
        diagnostics.push(syntax.unbalancedDirective(span(d.start, d.end), d.word, open));
        continue;
      }
      stack.pop();
      close(top, d);
    }
  }
  while (stack.length > 1) {
    const f = stack.pop()!;
    diagnostics.push(syntax.unclosedDirective(span(f.open!.start, f.open!.end), f.open!.word));
    close(f, null);
  }
  return stack[0]!.parts;
}
