import type { Expr } from "./ast.js";

/**
 * The expressions directly inside `e`, in source order. For a comprehension the source comes
 * first, then what its variables are bound in (body, or key and value, then the condition).
 */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case "String":
      return e.parts.filter((p): p is Expr => typeof p !== "string");
    case "List":
      return e.items;
    case "Object":
      return e.entries.map((en) => en.value);
    case "Member":
      return [e.object];
    case "Index":
      return [e.object, e.index];
    case "Call":
      return e.args;
    case "Unary":
      return [e.operand];
    case "Binary":
      return [e.left, e.right];
    case "Cond":
      return [e.test, e.then, e.otherwise];
    case "ListComp":
      return e.cond ? [e.source, e.body, e.cond] : [e.source, e.body];
    case "ObjectComp":
      return e.cond ? [e.source, e.key, e.value, e.cond] : [e.source, e.key, e.value];
    case "Paren":
      return [e.expr];
    default:
      return [];
  }
}
