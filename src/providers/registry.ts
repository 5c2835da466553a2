import { fsProvider } from "./fs/provider.js";
import { httpProvider } from "./http/provider.js";
import { postgresProvider } from "./postgres/provider.js";
import { simProvider } from "./sim/provider.js";
import type { Provider } from "./types.js";

/** The providers built into Lexum, by name. Read-only; iteration is in name order. */
export const builtinProviders: ReadonlyMap<string, Provider> = new Map<string, Provider>(
  [fsProvider, httpProvider, postgresProvider, simProvider].map((p) => [p.name, p] as [string, Provider]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
);

/** The provider called `name` (`fs`, `sim`, …), or undefined when there is none. */
export function getProvider(name: string): Provider | undefined {
  return builtinProviders.get(name);
}

/** Every provider name, sorted. */
export function providerNames(): string[] {
  return [...builtinProviders.keys()].sort();
}

/** The provider managing a fully-qualified resource type (`fs.file` → fs), or undefined. */
export function providerForType(type: string): Provider | undefined {
  const dot = type.indexOf(".");
  if (dot <= 0) return undefined;
  const p = getProvider(type.slice(0, dot));
  return p !== undefined && p.types.includes(type) ? p : undefined;
}
