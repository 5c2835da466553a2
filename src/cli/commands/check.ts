import path from "node:path";
import { hasErrors, sortDiagnostics } from "../../diag/diagnostic.js";
import { loadWorkingProject } from "../../engine/workspace.js";
import { compileProject, diskPlace } from "../../engine/project-providers.js";
import { diskProjectFiles, projectFileReader } from "../../lang/file-reader.js";
import { dirFlag, envFlag, jsonFlag, parse, projectDir, projectFlag } from "../args.js";
import { chooseProjects, forEachProject } from "../projects.js";
import type { CommandSpec } from "../args.js";
import type { Io } from "../io.js";
import { printDiagnostics, printFailure, relativeTo } from "../io.js";

/** `lxm check`'s arguments and flags (parser, usage and --help). */
export const checkSpec = {
  name: "check",
  summary: "Compile the project and report diagnostics.",
  maxPositionals: 1,
  flags: { ...dirFlag, ...projectFlag, ...envFlag, ...jsonFlag },
  notes: [
    "--json: on success the array of diagnostics (warnings; [] when clean), on failure the error document (schemas/error.json).",
    "A folder with several projects (subfolders with their own lexum.yaml) checks each; --project PATH checks one.",
  ],
} as const satisfies CommandSpec;

/** `lxm check`: compile the project; exit 0 with a summary line, or 1 with diagnostics. */
export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, checkSpec);
  const base = projectDir(io.cwd, values.dir, positionals[0], checkSpec.name);
  const json = Boolean(values.json);
  const chosen = await chooseProjects(base, values.project, true, io.cwd);
  return forEachProject(io, chosen, json, (pio, p) => checkOne(pio, p.dir, values.env, json));
}

async function checkOne(io: Io, dir: string, env: string | undefined, json: boolean): Promise<number> {
  const values = { env };
  const loaded = await loadWorkingProject(dir, path.relative(io.cwd, dir).split(path.sep).join("/") || ".");
  relativeTo(loaded.sources, io.cwd, dir);
  if (hasErrors(loaded.diagnostics)) return printFailure(io, sortDiagnostics(loaded.diagnostics), loaded.sources, json);
  // lexum.yaml is part of the project: checked too, its provider packages loaded, its provider defaults applied.
  const readFile = projectFileReader(dir);
  const { result, diagnostics } = await compileProject({ projectDir: dir, files: loaded.files, readFile, tree: diskProjectFiles(dir), settingsText: readFile("lexum.yaml"), environment: values.env ?? null, place: await diskPlace(dir) });
  relativeTo(result.sources, io.cwd, dir);
  const ds = sortDiagnostics([...loaded.diagnostics, ...diagnostics]);
  if (!result.program || hasErrors(ds)) return printFailure(io, ds, result.sources, json);
  if (json) printDiagnostics(io, ds, result.sources, true);
  else if (ds.length) printDiagnostics(io, ds, result.sources, false);
  if (!json) {
    const domains = Object.keys(result.program.domains).length;
    const resources = Object.values(result.program.domains).reduce((n, d) => n + Object.keys(d.resources).length, 0);
    io.out(`ok: ${domains} domain${domains === 1 ? "" : "s"}, ${resources} resource${resources === 1 ? "" : "s"}, program ${result.hash}\n`);
  }
  return 0;
}


