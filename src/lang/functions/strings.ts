import type { Builtin } from "../builtins.js";

/** String functions (chomp, endswith, format, formatlist, indent, regex, regexall, …). */
export const strings: Builtin[] = [];
