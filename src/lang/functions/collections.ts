import type { Builtin } from "../builtins.js";

/** Collection functions (alltrue, chunklist, coalesce, concat, flatten, lookup, setproduct, zipmap, …). */
export const collections: Builtin[] = [];
