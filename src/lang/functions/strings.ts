import type { Builtin } from "../builtins.js";
import { regexFunctions } from "./regex.js";

/** String functions (chomp, endswith, format, formatlist, indent, regex, regexall, …). */
export const strings: Builtin[] = [...regexFunctions];
