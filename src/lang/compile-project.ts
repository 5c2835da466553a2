import type { Diagnostic } from "../diag/diagnostic.js";
import { sortDiagnostics } from "../diag/diagnostic.js";
import { SourceFile, SourceSet } from "../diag/source.js";
import { compile } from "./compile.js";
import type { CompileResult } from "./compile.js";
import * as sem from "../diag/catalog/semantic.js";
import { DEFAULT_SETTINGS, environmentOf, parseProjectSettings } from "./project.js";
import { suggest } from "./suggest.js";
import type { ProjectSettings } from "./project.js";
import type { TypeCatalog } from "../program/schemas.js";
import type { ProjectFiles } from "./file-reader.js";
import type { TemplateLibrary } from "./template-source.js";

/**
 * Compiles a project's .lxm files together with its lexum.yaml (null when the project has
 * none): the settings are validated, their provider defaults go under each provider block,
 * and lexum.yaml's own problems are reported with the rest (its text joins the sources so
 * that they render with a caret). One way to compile a project for check, graph and plan.
 * `catalog` is the project's types (built-ins plus its package providers, loaded by the
 * engine: engine/project-providers.ts); the built-ins when absent.
 */
export function compileProjectFiles(input: {
  files: readonly { path: string; text: string }[];
  readFile: (rel: string) => string | null;
  /** The goal's files (fileexists, fileset, …). */
  tree?: ProjectFiles;
  settingsText: string | null;
  /** The environment chosen (`--env`), null or absent for none: its inputs are what input() reads. */
  env?: string | null;
  /** As CompileOptions.stats. */
  stats?: { steps: number };
  catalog?: TypeCatalog;
  /** The project's folder in the repository ("" at the top): its state branch is derived from it (defaultStateBranch). */
  projectPath?: string;
  /** As CompileOptions.libraries: the template sources the project names, loaded. */
  libraries?: ReadonlyMap<string, TemplateLibrary>;
}): { result: CompileResult; settings: ProjectSettings; diagnostics: Diagnostic[]; stateBranch: string } {
  const parsed = input.settingsText === null ? { settings: DEFAULT_SETTINGS, diagnostics: [] } : parseProjectSettings(input.settingsText, input.catalog);
  const env = input.env ?? null;
  const envs = Object.keys(parsed.settings.environments).sort();
  const envProblem = env !== null && !envs.includes(env) && parsed.diagnostics.length === 0 ? [sem.unknownEnvironment(undefined, env, envs, suggest(env, envs))] : [];
  const { inputs, stateBranch } = environmentOf(parsed.settings, envProblem.length > 0 ? null : env, input.projectPath ?? "");
  if (envProblem.length > 0) {
    const sources = new SourceSet();
    return { result: { program: null, hash: null, spans: {}, diagnostics: envProblem, sources }, settings: parsed.settings, diagnostics: envProblem, stateBranch };
  }
  const result = compile(input.files, {
    inputs,
    env,
    readFile: input.readFile,
    ...(input.tree ? { tree: input.tree } : {}),
    providerDefaults: parsed.settings.providers,
    ...(input.stats ? { stats: input.stats } : {}),
    ...(input.catalog ? { catalog: input.catalog } : {}),
    ...(input.libraries ? { libraries: input.libraries } : {}),
  });
  if (parsed.diagnostics.length > 0 && input.settingsText !== null && !result.sources.get("lexum.yaml")) {
    result.sources.add(new SourceFile("lexum.yaml", input.settingsText));
  }
  return { result, settings: parsed.settings, diagnostics: sortDiagnostics([...parsed.diagnostics, ...result.diagnostics]), stateBranch };
}
