import type { Diagnostic } from "../diag/diagnostic.js";
import * as sem from "../diag/catalog/semantic.js";
import type { Expr } from "./ast.js";
import { arityText, BUILTINS, FUNCTION_NAMES } from "./builtins.js";
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
    const push = (x: Expr, b: ReadonlySet<string> = bound) => stack.push({ e: x, bound: b });
    switch (e.kind) {
      case "Ref":
        if (!bound.has(e.name)) out.push(sem.templateNameUnbound(e.span, e.name, vars));
        break;
      case "String":
        for (const p of e.parts) if (typeof p !== "string") push(p);
        break;
      case "List":
        e.items.forEach((i) => push(i));
        break;
      case "Object":
        for (const en of e.entries) push(en.value);
        break;
      case "Member":
        push(e.object);
        break;
      case "Index":
        push(e.object);
        push(e.index);
        break;
      case "Call": {
        const name = e.callee.name;
        const b = BUILTINS.get(name);
        if (name === "templatefile" || name === "templatestring") out.push(sem.templateNesting(e.callee.span, name));
        else if (!b) out.push(sem.unknownFunction(e.callee.span, name, suggest(name, FUNCTION_NAMES)));
        else if (!e.expand && (e.args.length < b.min || e.args.length > b.max)) out.push(sem.wrongArgCount(e.span, name, arityText(b), e.args.length));
        e.args.forEach((a) => push(a));
        break;
      }
      case "Unary":
        push(e.operand);
        break;
      case "Binary":
        push(e.left);
        push(e.right);
        break;
      case "Cond":
        push(e.test);
        push(e.then);
        push(e.otherwise);
        break;
      case "ListComp":
      case "ObjectComp": {
        push(e.source);
        const inner = new Set([...bound, ...e.vars.map((v) => v.name)]);
        if (e.kind === "ListComp") push(e.body, inner);
        else {
          push(e.key, inner);
          push(e.value, inner);
        }
        if (e.cond) push(e.cond, inner);
        break;
      }
      case "Paren":
        push(e.expr);
        break;
      default:
        break;
    }
  }
  return out;
}
