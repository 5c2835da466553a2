import { hasErrors, sortDiagnostics } from "../../diag/diagnostic.js";
import { loadWorkingProject } from "../../engine/workspace.js";
import { compileProject, diskPlace } from "../../engine/project-providers.js";
import { diskProjectFiles, projectFileReader } from "../../lang/file-reader.js";
import { domainSteps, renderGraph } from "../../plan/index.js";
import type { Program } from "../../program/types.js";
import { dirFlag, envFlag, jsonFlag, parse, projectDir, projectFlag } from "../args.js";
import { chooseProjects } from "../projects.js";
import type { CommandSpec } from "../args.js";
import type { Io } from "../io.js";
import { printFailure, relativeTo } from "../io.js";

/** `lxm graph`'s arguments and flags (parser, usage and --help). */
export const graphSpec = {
  name: "graph",
  summary: "Print the dependency graph (DOT or Mermaid).",
  maxPositionals: 1,
  flags: {
    ...dirFlag,
    ...projectFlag,
    ...envFlag,
    format: { type: "string", value: "FORMAT", choices: ["dot", "mermaid"], description: "the graph language (default: dot)" },
    ...jsonFlag,
  },
  conflicts: [["format", "json"]],
} as const satisfies CommandSpec;

/** `lxm graph`: the program's domains, resources, dependencies and imports as DOT or Mermaid. */
export async function graphCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, graphSpec);
  const format = values.format === "mermaid" ? "mermaid" : "dot";
  const dir = (await chooseProjects(projectDir(io.cwd, values.dir, positionals[0], graphSpec.name), values.project, false, io.cwd))[0]!.dir;
  const loaded = await loadWorkingProject(dir);
  const readFile = projectFileReader(dir);
  const compiled = hasErrors(loaded.diagnostics) ? null : await compileProject({ projectDir: dir, files: loaded.files, readFile, tree: diskProjectFiles(dir), settingsText: readFile("lexum.yaml"), environment: values.env ?? null, place: await diskPlace(dir) });
  const result = compiled?.result ?? null;
  const sources = result?.sources ?? loaded.sources;
  relativeTo(sources, io.cwd, dir);
  const ds = sortDiagnostics([...loaded.diagnostics, ...(compiled?.diagnostics ?? [])]);
  if (!result?.program || hasErrors(ds)) return printFailure(io, ds, sources, Boolean(values.json));
  if (values.json) io.out(JSON.stringify(graphJson(result.program, result.instances ?? {}), null, 2) + "\n");
  else io.out(renderGraph(result.program, format, result.instances));
  return 0;
}

/** The graph as data (`--json`): domains with their step and imports, resources with their dependencies. */
function graphJson(program: Program, instances: { readonly [domain: string]: string }) {
  const steps = domainSteps(program);
  return {
    domains: Object.keys(program.domains)
      .sort()
      .map((name) => {
        const d = program.domains[name]!;
        return {
          name,
          ...(instances[name] ? { template: instances[name] } : {}),
          step: steps.get(name) ?? 1,
          after: d.after,
          resources: Object.keys(d.resources)
            .sort()
            .map((a) => ({ address: a, type: d.resources[a]!.type, dependsOn: d.resources[a]!.dependsOn })),
        };
      }),
  };
}
