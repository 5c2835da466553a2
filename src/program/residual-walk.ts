import type { Residual } from "./types.js";

/** The residual expressions directly inside `r` (its operands), in a fixed order. */
export function residualChildren(r: Residual): Residual[] {
  switch (r.op) {
    case "lit":
    case "ref":
    case "res":
    case "secret":
    case "var":
      return [];
    case "call":
      return r.args;
    case "unary":
      return [r.x];
    case "binary":
      return [r.l, r.r];
    case "cond":
      return [r.c, r.t, r.e];
    case "list":
      return r.items;
    case "object":
      return r.entries.map(([, v]) => v);
    case "index":
      return [r.x, r.i];
    case "member":
      return [r.x];
    case "interp":
      return r.parts;
    case "listcomp":
      return r.cond ? [r.src, r.body, r.cond] : [r.src, r.body];
    case "objcomp":
      return r.cond ? [r.src, r.key, r.value, r.cond] : [r.src, r.key, r.value];
  }
}

/** Every residual node of `r`, `r` first (depth-first, with an explicit stack: residuals can be deep). */
export function* residualNodes(r: Residual): Generator<Residual> {
  const stack: Residual[] = [r];
  while (stack.length > 0) {
    const x = stack.pop()!;
    yield x;
    const kids = residualChildren(x);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}
