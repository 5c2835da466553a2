/**
 * The lang stage's public surface: parse, format, load a project, compile to the Program IR,
 * and finish residual expressions at apply time.
 */
export { parseFile } from "./parser.js";
export type { ParseResult } from "./parser.js";
export { formatSource } from "./format.js";
export { loadProject, loadProjectFromFiles, loadProjectSettings, parseProjectSettings, DEFAULT_SETTINGS, defaultStateBranch, projectStateBranch } from "./project.js";
export type { LoadedProject, ProjectSettings } from "./project.js";
export { compile, hashProgram } from "./compile.js";
export type { CompileOptions, CompileResult } from "./compile.js";
export { evaluateResidual } from "./residual.js";
export type { ResidualEnv } from "./residual.js";
export { BUILTINS } from "./builtins.js";
export { projectFileReader, memoryFileReader, memoryProjectFiles, diskProjectFiles } from "./file-reader.js";
export type { ProjectFiles } from "./file-reader.js";
