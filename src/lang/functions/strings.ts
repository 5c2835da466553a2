import type { Builtin } from "../builtins.js";
import { formatFunctions } from "./format.js";
import { regexFunctions } from "./regex.js";
import { textFunctions } from "./text.js";

/** String functions (chomp, endswith, format, formatlist, indent, regex, regexall, …). */
export const strings: Builtin[] = [...formatFunctions, ...regexFunctions, ...textFunctions];
