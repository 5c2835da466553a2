import type { Builtin } from "../builtins.js";

/** Hash and crypto functions (md5, sha1, sha256, sha512, base64sha256, base64sha512, uuidv5). */
export const hashing: Builtin[] = [];
