import type { ProviderTypeInfo, ResourceTypeInfo, TypeCatalog } from "../program/schemas.js";
import { extendCatalog, loadTypeCatalog } from "../program/schemas.js";
import { builtinProviders } from "./registry.js";
import type { Provider } from "./types.js";

/** A provider package lexum.yaml names, loaded and checked (package-load.ts). */
export interface LoadedPackage {
  /** The provider's name: its key under `providers:` in lexum.yaml, equal to `provider.name`. */
  readonly name: string;
  /** The npm package name. */
  readonly package: string;
  /** The file Node resolved the package to (its entry point). */
  readonly file: string;
  readonly provider: Provider;
  /** Its provider block's schema, compiled. */
  readonly config: ProviderTypeInfo;
  /** Its resource types' schemas, compiled, sorted by type. */
  readonly resources: readonly ResourceTypeInfo[];
}

/**
 * The providers one project can use — the built-ins plus the packages its lexum.yaml names —
 * and their types. Made once per project load and passed down (compile, plan, apply, replay):
 * there is no process-wide registry that a project's packages are added to.
 */
export interface ProjectProviders {
  /** Every provider and resource type the project can use. */
  readonly catalog: TypeCatalog;
  /** The package providers, sorted by name; empty for a project that names none. */
  readonly packages: readonly LoadedPackage[];
  /** The provider called `name`, built in or from a package; undefined when there is none. */
  get(name: string): Provider | undefined;
  /** Every provider name, sorted. */
  names(): string[];
}

let builtins: ProjectProviders | undefined;

/** The built-in providers alone: what a project without package providers uses (made once). */
export function builtinProjectProviders(): ProjectProviders {
  builtins ??= projectProvidersOf(loadTypeCatalog(), []);
  return builtins;
}

/** The built-ins plus `packages` (already checked: no name is taken twice). The built-in set itself when `packages` is empty. */
export function withPackages(packages: readonly LoadedPackage[]): ProjectProviders {
  if (packages.length === 0) return builtinProjectProviders();
  const sorted = [...packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return projectProvidersOf(extendCatalog(loadTypeCatalog(), sorted.map((p) => ({ provider: p.config, resources: p.resources }))), sorted);
}

function projectProvidersOf(catalog: TypeCatalog, packages: readonly LoadedPackage[]): ProjectProviders {
  const byName = new Map<string, Provider>(builtinProviders);
  for (const p of packages) byName.set(p.name, p.provider);
  const names = [...byName.keys()].sort();
  return {
    catalog,
    packages,
    get: (name) => byName.get(name),
    names: () => names.slice(),
  };
}
