import type { Builtin } from "../builtins.js";

/** Filesystem functions, reading the goal commit (fileexists, fileset, filebase64, file hashes, templatefile). */
export const filesystem: Builtin[] = [];
