import type { Diagnostic } from "../diag/diagnostic.js";
import { sortDiagnostics } from "../diag/diagnostic.js";
import { SourceFile } from "../diag/source.js";
import { compile } from "./compile.js";
import type { CompileResult } from "./compile.js";
import { DEFAULT_SETTINGS, parseProjectSettings } from "./project.js";
import type { ProjectSettings } from "./project.js";
import type { TypeCatalog } from "../program/schemas.js";
import type { ProjectFiles } from "./file-reader.js";

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
  /** As CompileOptions.stats. */
  stats?: { steps: number };
  catalog?: TypeCatalog;
}): { result: CompileResult; settings: ProjectSettings; diagnostics: Diagnostic[] } {
  const parsed = input.settingsText === null ? { settings: DEFAULT_SETTINGS, diagnostics: [] } : parseProjectSettings(input.settingsText, input.catalog);
  const result = compile(input.files, {
    readFile: input.readFile,
    ...(input.tree ? { tree: input.tree } : {}),
    providerDefaults: parsed.settings.providers,
    ...(input.stats ? { stats: input.stats } : {}),
    ...(input.catalog ? { catalog: input.catalog } : {}),
  });
  if (parsed.diagnostics.length > 0 && input.settingsText !== null && !result.sources.get("lexum.yaml")) {
    result.sources.add(new SourceFile("lexum.yaml", input.settingsText));
  }
  return { result, settings: parsed.settings, diagnostics: sortDiagnostics([...parsed.diagnostics, ...result.diagnostics]) };
}
