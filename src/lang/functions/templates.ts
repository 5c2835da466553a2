import type { Builtin } from "../builtins.js";
import { invalid } from "./args.js";

/**
 * `templatefile` and `templatestring` need the expressions of their arguments and the
 * evaluator's scope: the evaluator renders them (Evaluator.template). These entries give
 * their names, arities and signatures; what is left here is the expanded form, `f(xs...)`,
 * which cannot name a template.
 */
const refuseExpanded = (name: string) => (): never => invalid(name, null, "its arguments cannot be given with `...`");

export const templates: Builtin[] = [
  { name: "templatefile", min: 2, max: 2, signature: "templatefile(path, vars)", compileTimeOnly: true, impl: refuseExpanded("templatefile") },
  { name: "templatestring", min: 2, max: 2, signature: "templatestring(ref, vars)", compileTimeOnly: true, impl: refuseExpanded("templatestring") },
];
