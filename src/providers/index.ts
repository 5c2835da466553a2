/**
 * Providers: the contract (types.ts), the registry of built-ins, and the built-in
 * providers themselves. The runtime and the compiler import from here only.
 */
export * from "./types.js";
export { conformanceChecks, ConformanceFailure } from "./conformance.js";
export type { ConformanceCase, ConformanceCheck, ConformanceSubject } from "./conformance.js";
export { builtinProjectProviders, withPackages } from "./project.js";
export type { LoadedPackage, ProjectProviders } from "./project.js";
export { checkProviderPackage, loadProviderPackages } from "./package-load.js";
export type { PackageRef } from "./package-load.js";
export { builtinProviders, getProvider, providerForType, providerNames } from "./registry.js";
export { fsProvider, resolveFsRoot } from "./fs/provider.js";
export { createHttpProvider, HTTP_OBJECT, httpProvider, resolveHttpConfig } from "./http/provider.js";
export type { HttpConfig, HttpOptions } from "./http/provider.js";
export { postgresProvider } from "./postgres/provider.js";
export { resolvePostgresSettings } from "./postgres/settings.js";
export type { PostgresSettings } from "./postgres/settings.js";
export { createSimProvider, resolveSimConfig, secretDigest, simProvider, simUid, SIM_OBJECT } from "./sim/provider.js";
export type { SimConfig, SimOptions } from "./sim/provider.js";
export { WORLD_FORMAT } from "./sim/world.js";
export type { SimObject } from "./sim/world.js";
