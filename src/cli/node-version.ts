/**
 * The Node.js versions Lexum runs on, and the start-up check of the `lxm` entry. Kept free of
 * imports beyond the diagnostic catalog so that it runs before any module that needs a newer
 * Node (`crc32` from `node:zlib` fails to link below 20.15).
 */
import * as host from "../diag/catalog/host.js";
import type { LexumError } from "../diag/diagnostic.js";

/**
 * `engines.node` of package.json, word for word (a test keeps them equal). 20.19 and 22.12
 * are the releases where `require()` of ES modules is on by default, which the test runner
 * (vite) needs; the CLI's own floor (`zlib.crc32`, 20.15 / 22.2) lies below both.
 */
export const NODE_ENGINES = "^20.19.0 || >=22.12.0";

/** One `[major, minor, patch]` floor per release line, lowest line first. */
const FLOORS: readonly (readonly [number, number, number])[] = [
  [20, 19, 0],
  [22, 12, 0],
];

/** Parses `20.19.0` or `v20.19.0` (a pre-release or build suffix is ignored); undefined when it is not a version. */
export function parseNodeVersion(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: readonly number[], floor: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== floor[i]) return v[i]! > floor[i]!;
  return true;
}

/**
 * The lowest version this Node line needs, as `X.Y.Z`, or undefined when `version` satisfies
 * NODE_ENGINES. Below 20: 20.19.0; 21.x and 22.0–22.11: 22.12.0. Pure.
 * A version string that cannot be read is let through (a check must not lock out a build
 * that reports an odd version).
 */
export function requiredNodeVersion(version: string): string | undefined {
  const v = parseNodeVersion(version);
  if (!v) return undefined;
  const lowest = FLOORS[0]!;
  if (!atLeast(v, lowest)) return lowest.join(".");
  const line = [...FLOORS].reverse().find((f) => v[0]! >= f[0]) ?? lowest;
  if (line[0] === v[0]) return atLeast(v, line) ? undefined : line.join(".");
  // A major with no floor of its own between two lines (21): the next line's floor applies.
  const next = FLOORS.find((f) => f[0] > v[0]!);
  return next ? next.join(".") : undefined;
}

/** The LXM5050 error for an unsupported `version`, or undefined when it is supported. */
export function checkNodeVersion(version: string): LexumError | undefined {
  const needed = requiredNodeVersion(version);
  return needed === undefined ? undefined : host.nodeTooOld.error(needed, version.replace(/^v?/, "v"));
}
