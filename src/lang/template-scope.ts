import type { Diagnostic } from "../diag/diagnostic.js";
import * as sem from "../diag/catalog/semantic.js";
import type { Expr } from "./ast.js";
import { arityText, BUILTINS, FUNCTION_NAMES } from "./builtins.js";
import { exprChildren } from "./expr-children.js";
import { suggest } from "./suggest.js";

/**
 * What `resolve` checks in a domain, checked in a template (templatefile, templatestring)
 * before it is evaluated: every name is one of the variables passed or a variable of an
 * enclosing `%{ for }`; every call is a built-in with the right number of arguments and does
 * not render a template itself. Walks with an explicit stack (a template file can be large).
 */
export function checkTemplateNames(body: Expr, vars: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: { e: Expr; bound: ReadonlySet<string> }[] = [{ e: body, bound: new Set(vars) }];
  while (stack.length > 0) {
    const { e, bound } = stack.pop()!;
    if (e.kind === "Ref" && !bound.has(e.name)) out.push(sem.templateNameUnbound(e.span, e.name, vars));
    if (e.kind === "Call") {
      const name = e.callee.name;
      const b = BUILTINS.get(name);
      if (name === "templatefile" || name === "templatestring") out.push(sem.templateNesting(e.callee.span, name));
      else if (!b) out.push(sem.unknownFunction(e.callee.span, name, suggest(name, FUNCTION_NAMES)));
      else if (!e.expand && (e.args.length < b.min || e.args.length > b.max)) out.push(sem.wrongArgCount(e.span, name, arityText(b), e.args.length));
    }
    // A comprehension's variables are bound in everything after its source.
    const inner = e.kind === "ListComp" || e.kind === "ObjectComp" ? new Set([...bound, ...e.vars.map((v) => v.name)]) : bound;
    exprChildren(e).forEach((x, k) => stack.push({ e: x, bound: k === 0 ? bound : inner }));
  }
  return out;
}
