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
