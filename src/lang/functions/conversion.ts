import type { Builtin } from "../builtins.js";

/** Type conversion functions (can, try, tobool, tolist, tomap, tonumber, toset, tostring, type, sensitive, …). */
export const conversion: Builtin[] = [];
