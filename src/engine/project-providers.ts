import { hasErrors, sortDiagnostics } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { SourceFile, SourceSet } from "../diag/source.js";
import { compileProjectFiles } from "../lang/compile-project.js";
import type { CompileResult } from "../lang/compile.js";
import type { ProjectFiles } from "../lang/file-reader.js";
import { DEFAULT_SETTINGS, defaultStateBranch, providerPackageRefs } from "../lang/project.js";
import type { ProjectSettings } from "../lang/project.js";
import { loadProviderPackages } from "../providers/package-load.js";
import type { ProjectProviders } from "../providers/project.js";
import { findRepo } from "../git/repo.js";
import { diskFolderReader, loadTemplateLibraries } from "./template-sources.js";
import type { ProjectPlace } from "./template-sources.js";
import path from "node:path";
import { realpathSync } from "node:fs";

/**
 * Where a project on disk sits, for `lxm check` and `lxm graph` (no goal commit: the working
 * tree): its repository's top, else (not in a repository) the filesystem's root.
 */
export async function diskPlace(projectDir: string): Promise<ProjectPlace> {
  let top: string;
  try {
    top = realpathSync((await findRepo(projectDir)).workdir);
  } catch {
    top = path.parse(path.resolve(projectDir)).root;
  }
  const projectPath = path.relative(top, realpathSync(projectDir)).split(path.sep).join("/");
  return { projectDir, projectPath, folder: diskFolderReader(top) };
}

/**
 * The providers a project can use: the built-ins, plus each npm package its lexum.yaml
 * names (`providers: { acme: { package: "@acme/lexum-provider" } }`), resolved from
 * `projectDir` upward and checked. A refused package is a diagnostic located in lexum.yaml.
 */
export async function loadProjectProviders(projectDir: string, settingsText: string | null): Promise<{ providers: ProjectProviders; diagnostics: Diagnostic[] }> {
  return loadProviderPackages(projectDir, settingsText === null ? [] : providerPackageRefs(settingsText));
}

/**
 * Compiles a project as check, graph, plan and replay do: its provider packages loaded
 * first (their types join the catalog the code and lexum.yaml are checked against), then
 * compileProjectFiles. A package that cannot be used stops it there: its diagnostics alone
 * are returned (with lexum.yaml among the sources, for the caret), nothing compiled.
 */
export async function compileProject(input: {
  projectDir: string;
  files: readonly { path: string; text: string }[];
  readFile: (rel: string) => string | null;
  /** The goal's files (fileexists, fileset, …). */
  tree?: ProjectFiles;
  settingsText: string | null;
  /** The environment chosen (`--env`); null or absent for none. */
  environment?: string | null;
  /** Where the project sits, to load the template sources it names (`template NAME from "SOURCE"`); without it, none can be. */
  place?: ProjectPlace;
}): Promise<{ result: CompileResult; settings: ProjectSettings; diagnostics: Diagnostic[]; providers: ProjectProviders; stateBranch: string }> {
  const { providers, diagnostics } = await loadProjectProviders(input.projectDir, input.settingsText);
  if (hasErrors(diagnostics)) {
    const sources = new SourceSet();
    if (input.settingsText !== null) sources.add(new SourceFile("lexum.yaml", input.settingsText));
    const sorted = sortDiagnostics(diagnostics);
    return { result: { program: null, hash: null, spans: {}, diagnostics: sorted, sources }, settings: DEFAULT_SETTINGS, diagnostics: sorted, providers, stateBranch: defaultStateBranch(input.place?.projectPath ?? "") };
  }
  const libraries = input.place ? await loadTemplateLibraries(input.files, input.place) : undefined;
  const compiled = compileProjectFiles({
    files: input.files,
    readFile: input.readFile,
    ...(input.tree ? { tree: input.tree } : {}),
    env: input.environment ?? null,
    settingsText: input.settingsText,
    catalog: providers.catalog,
    ...(input.place ? { projectPath: input.place.projectPath } : {}),
    ...(libraries ? { libraries } : {}),
  });
  return { ...compiled, providers };
}
