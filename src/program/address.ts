/**
 * Resource instance addresses: `domain/type.name` or `domain/type.name[key]`, the key written
 * as a JSON string (`["index"]`) or a number (`[3]`). Example: `web/fs.file.page["index"]`.
 */

/** Formats an address. Deterministic: the same parts always give the same string. */
export function formatAddress(domain: string, type: string, name: string, key: string | number | null): string {
  const base = `${domain}/${type}.${name}`;
  if (key === null) return base;
  return `${base}[${typeof key === "number" ? String(key) : JSON.stringify(key)}]`;
}

/** The span-table key of the `moved` block that moves `from` (diagnostics at plan time point at it). */
export function movedKey(from: string): string {
  return `moved:${from}`;
}

/** The parts of an address. */
export interface AddressParts {
  readonly domain: string;
  /** Provider-qualified type, e.g. "fs.file". */
  readonly type: string;
  readonly name: string;
  readonly key: string | number | null;
}

const ADDRESS = /^([A-Za-z_][A-Za-z0-9_-]*)\/([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(.*)\])?$/s;

/** Parses an address written by formatAddress; returns null for anything else (never throws). */
export function parseAddress(a: string): AddressParts | null {
  const m = ADDRESS.exec(a);
  if (!m) return null;
  const [, domain, type, name, rawKey] = m as unknown as [string, string, string, string, string | undefined];
  if (rawKey === undefined) return { domain, type, name, key: null };
  let key: unknown;
  try {
    key = JSON.parse(rawKey);
  } catch {
    return null;
  }
  if (typeof key === "string" || (typeof key === "number" && Number.isFinite(key))) {
    // Only the exact form formatAddress writes is an address (so parse∘format is the identity).
    if (formatAddress(domain, type, name, key) !== a) return null;
    return { domain, type, name, key };
  }
  return null;
}

/**
 * Orders addresses (or any names) naturally: runs of digits compare as numbers, so
 * `node[2]` sorts before `node[10]`; everything else compares by UTF-16 code unit (no
 * locale). A total order: strings that tie numerically (`[02]`, `[2]`) fall back to plain
 * code-unit order, so the result is deterministic on every machine.
 */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      // Compare the runs as numbers without parsing them (they may exceed 2^53).
      let si = i;
      let sj = j;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      const byLength = ei - si - (ej - sj);
      if (byLength !== 0) return byLength < 0 ? -1 : 1;
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d < 0 ? -1 : 1;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca < cb ? -1 : 1;
    i++;
    j++;
  }
  if (a.length - i !== b.length - j) return a.length - i < b.length - j ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
