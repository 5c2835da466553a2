import path from "node:path";
import { hasErrors, sortDiagnostics } from "../../diag/diagnostic.js";
import { loadWorkingProject } from "../../engine/workspace.js";
import { compileProjectFiles } from "../../lang/compile-project.js";
import { projectFileReader } from "../../lang/file-reader.js";
import { parse } from "../args.js";
import type { Io } from "../io.js";
import { printDiagnostics, relativeTo } from "../io.js";

export const checkUsage = "lxm check [DIR] [--json]";

/** `lxm check`: compile the project; exit 0 with a summary line, or 1 with diagnostics. */
export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: "boolean" } }, 1, checkUsage);
  const dir = path.resolve(io.cwd, positionals[0] ?? ".");
  const json = Boolean(values.json);
  const loaded = await loadWorkingProject(dir, path.relative(io.cwd, dir).split(path.sep).join("/") || ".");
  relativeTo(loaded.sources, io.cwd, dir);
  if (hasErrors(loaded.diagnostics)) {
    printDiagnostics(io, sortDiagnostics(loaded.diagnostics), loaded.sources, json);
    return 1;
  }
  // lexum.yaml is part of the project: checked too, its provider defaults applied.
  const readFile = projectFileReader(dir);
  const { result, diagnostics } = compileProjectFiles({ files: loaded.files, readFile, settingsText: readFile("lexum.yaml") });
  relativeTo(result.sources, io.cwd, dir);
  const ds = sortDiagnostics([...loaded.diagnostics, ...diagnostics]);
  if (json) printDiagnostics(io, ds, result.sources, true);
  else if (ds.length) printDiagnostics(io, ds, result.sources, false);
  if (!result.program || hasErrors(ds)) return 1;
  if (!json) {
    const domains = Object.keys(result.program.domains).length;
    const resources = Object.values(result.program.domains).reduce((n, d) => n + Object.keys(d.resources).length, 0);
    io.out(`ok: ${domains} domain${domains === 1 ? "" : "s"}, ${resources} resource${resources === 1 ? "" : "s"}, program ${result.hash}\n`);
  }
  return 0;
}


