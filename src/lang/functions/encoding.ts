import type { Builtin } from "../builtins.js";

/** Encoding functions (base64*, csvdecode, textencodebase64, urlencode, …). */
export const encoding: Builtin[] = [];
