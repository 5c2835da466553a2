import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as packages from "../diag/catalog/packages.js";
import { LexumError } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { resourceTypeInfo } from "../program/schemas.js";
import type { ProviderTypeInfo, ResourceTypeInfo } from "../program/schemas.js";
import type { JsonObject } from "../program/types.js";
import { checkPackageExports, instanceProblem, PROVIDER_SCHEMA } from "./package-check.js";
import type { PackageExports, PackageProblem } from "./package-check.js";
import { builtinProjectProviders, withPackages } from "./project.js";
import type { LoadedPackage, ProjectProviders } from "./project.js";
import { builtinProviders } from "./registry.js";
import type { Provider, ProviderEnv, ProviderInstance } from "./types.js";

/** A provider lexum.yaml names as an npm package (lang's ProviderPackageRef fits). */
export interface PackageRef {
  /** The key under `providers:`. */
  readonly name: string;
  readonly package: string;
  /** The `package` value in lexum.yaml, where a refusal is reported. */
  readonly span?: Span;
}

/**
 * Loads the provider packages a project names and checks each (package-check.ts, then every
 * schema compiled with ajv in strict mode). A package is resolved as Node's `require` would
 * from the project directory upward (`createRequire(<projectDir>/lexum.yaml).resolve`) and
 * imported from the file it resolves to. Never throws for a bad package: each refusal is a
 * diagnostic located at its `package` value (LXM4340–LXM4345); `providers` then holds the
 * built-ins and the packages that loaded. No package: the built-in set, nothing imported.
 */
export async function loadProviderPackages(projectDir: string, refs: readonly PackageRef[]): Promise<{ providers: ProjectProviders; diagnostics: Diagnostic[] }> {
  if (refs.length === 0) return { providers: builtinProjectProviders(), diagnostics: [] };
  const loaded: LoadedPackage[] = [];
  const diagnostics: Diagnostic[] = [];
  const require = createRequire(join(projectDir, "lexum.yaml"));
  // ajv is loaded only for projects that have package providers.
  const { newSchemaCompiler } = await import("../program/schema-compile.js");
  for (const ref of [...refs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const r = await loadOne(ref, projectDir, require, newSchemaCompiler());
    if ("diagnostic" in r) diagnostics.push(r.diagnostic);
    else loaded.push(r.loaded);
  }
  return { providers: withPackages(loaded), diagnostics };
}

type Compile = ReturnType<typeof import("../program/schema-compile.js").newSchemaCompiler>;

async function loadOne(ref: PackageRef, projectDir: string, require: NodeJS.Require, compile: Compile): Promise<{ loaded: LoadedPackage } | { diagnostic: Diagnostic }> {
  const { name, package: pkg, span } = ref;
  if (builtinProviders.has(name)) return { diagnostic: packages.packageShadowsBuiltin(span, name, pkg, [...builtinProviders.keys()]) };
  let file: string;
  try {
    file = require.resolve(pkg);
  } catch (e) {
    return { diagnostic: packages.packageNotInstalled(span, name, pkg, projectDir, resolveCause(e)) };
  }
  let ns: unknown;
  try {
    ns = await import(pathToFileURL(file).href);
  } catch (e) {
    return { diagnostic: packages.packageLoadFailed(span, name, pkg, file, firstLine(e)) };
  }
  const checked = fromModule(ns, name, compile);
  if ("kind" in checked) {
    switch (checked.kind) {
      case "not-a-provider":
        return { diagnostic: packages.packageNotAProvider(span, name, pkg, checked.problem) };
      case "name":
        return { diagnostic: packages.packageNameMismatch(span, name, pkg, checked.problem) };
      case "schema":
        return { diagnostic: packages.packageSchemaInvalid(span, name, pkg, checked.schema, checked.problem) };
    }
  }
  return { loaded: { name, package: pkg, file, provider: guarded(checked.exports, pkg), config: checked.config, resources: checked.resources } };
}

/** A module's exports checked (package-check.ts) and its schemas compiled. */
function fromModule(ns: unknown, name: string, compile: Compile): PackageProblem | { exports: PackageExports; config: ProviderTypeInfo; resources: ResourceTypeInfo[] } {
  let checked: PackageExports | PackageProblem;
  try {
    checked = checkPackageExports(ns, name);
  } catch (e) {
    // An export whose getter throws (or a proxy) is the package's bug, not a crash of Lexum.
    return { kind: "not-a-provider", problem: `reading its exports threw: ${firstLine(e)}` };
  }
  if ("kind" in checked) return checked;
  const infos = new Map<string, ResourceTypeInfo>();
  for (const key of Object.keys(checked.schemas).sort()) {
    const c = compile(checked.schemas[key]);
    if ("problem" in c) return { kind: "schema", schema: key, problem: `does not compile as a JSON Schema: ${c.problem}` };
    const type = key === PROVIDER_SCHEMA ? name : key;
    infos.set(key, resourceTypeInfo(type, name, checked.schemas[key] as JsonObject, c.validate));
  }
  const resources = [...infos.keys()].filter((k) => k !== PROVIDER_SCHEMA).map((k) => infos.get(k)!);
  return { exports: checked, config: infos.get(PROVIDER_SCHEMA)!, resources };
}

/**
 * What Lexum would refuse in a provider package's module when a project names it as provider
 * `name`, in words (the first problem found, as the LXM4342–LXM4345 message would put it);
 * null when it loads. For a package's own tests:
 * `expect(await checkProviderPackage(await import("../index.js"), "acme")).toBeNull()`.
 */
export async function checkProviderPackage(ns: unknown, name: string): Promise<string | null> {
  const { newSchemaCompiler } = await import("../program/schema-compile.js");
  const r = fromModule(ns, name, newSchemaCompiler());
  if (!("kind" in r)) return null;
  return r.kind === "schema" ? `schema ${r.schema} ${r.problem}` : r.problem;
}

/**
 * The package's provider behind Lexum's usual errors: a `configure` that throws something
 * other than a LexumError, or returns an instance missing a method, is a LexumError naming
 * the package (LXM4346, LXM4342), as a built-in's bad configuration is (LXM4900).
 */
function guarded(exp: PackageExports, pkg: string): Provider {
  const p = exp.provider;
  return {
    name: p.name,
    types: Object.freeze([...p.types]),
    configure(config: JsonObject, env: ProviderEnv): ProviderInstance {
      let inst: unknown;
      try {
        inst = p.configure(config, env);
      } catch (e) {
        if (e instanceof LexumError) throw e;
        throw packages.packageConfigureFailed.error(p.name, pkg, firstLine(e));
      }
      const problem = instanceProblem(inst);
      if (problem !== null) throw packages.packageNotAProvider.error(p.name, pkg, problem);
      return inst as ProviderInstance;
    },
  };
}

function resolveCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "MODULE_NOT_FOUND") return "no such package in node_modules here or in any parent folder";
  if (code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return "its package.json `exports` has no entry `require` can resolve: give it a `default` condition";
  return firstLine(e);
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === "Error" ? "" : e.name + ": "}${e.message}` : String(e);
  return text.split("\n")[0]!;
}
