import type { Builtin } from "../builtins.js";

/** IP network functions (cidrhost, cidrnetmask, cidrsubnet, cidrsubnets), IPv4 and IPv6. */
export const network: Builtin[] = [];
