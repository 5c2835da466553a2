import type { Builtin } from "../builtins.js";

/** Numeric functions (abs, ceil, floor, log, max, min, parseint, pow, signum, sum). */
export const numeric: Builtin[] = [];
