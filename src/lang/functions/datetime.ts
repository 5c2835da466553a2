import type { Builtin } from "../builtins.js";

/** Date and time functions (formatdate, timeadd, timecmp); no clock: every input is a value of the code. */
export const datetime: Builtin[] = [];
