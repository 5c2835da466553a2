import type { Builtin } from "../builtins.js";
import { formatFunctions } from "./format.js";
import { regexFunctions } from "./regex.js";

/** String functions (chomp, endswith, format, formatlist, indent, regex, regexall, …). */
export const strings: Builtin[] = [...formatFunctions, ...regexFunctions];
