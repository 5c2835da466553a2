import path from "node:path";
import { catalog } from "../../diag/index.js";
import { hasErrors, sortDiagnostics } from "../../diag/diagnostic.js";
import { loadWorkingProject } from "../../engine/workspace.js";
import { compileProjectFiles } from "../../lang/compile-project.js";
import { projectFileReader } from "../../lang/file-reader.js";
import { domainSteps, renderGraph } from "../../plan/index.js";
import type { Program } from "../../program/types.js";
import { parse } from "../args.js";
import type { Io } from "../io.js";
import { printDiagnostics, relativeTo } from "../io.js";

export const graphUsage = "lxm graph [DIR] [--format dot|mermaid] [--json]";

/** `lxm graph`: the program's domains, resources, dependencies and imports as DOT or Mermaid. */
export async function graphCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: "string" }, json: { type: "boolean" } }, 1, graphUsage);
  const format = values.format ?? "dot";
  if (format !== "dot" && format !== "mermaid") throw catalog.host.usage.error(`--format takes dot or mermaid, got '${format}'`);
  const dir = path.resolve(io.cwd, positionals[0] ?? ".");
  const loaded = await loadWorkingProject(dir);
  const readFile = projectFileReader(dir);
  const compiled = hasErrors(loaded.diagnostics) ? null : compileProjectFiles({ files: loaded.files, readFile, settingsText: readFile("lexum.yaml") });
  const result = compiled?.result ?? null;
  const sources = result?.sources ?? loaded.sources;
  relativeTo(sources, io.cwd, dir);
  const ds = sortDiagnostics([...loaded.diagnostics, ...(compiled?.diagnostics ?? [])]);
  if (!result?.program || hasErrors(ds)) {
    printDiagnostics(io, ds, sources, false);
    return 1;
  }
  if (values.json) io.out(JSON.stringify(graphJson(result.program), null, 2) + "\n");
  else io.out(renderGraph(result.program, format));
  return 0;
}

/** The graph as data (`--json`): domains with their step and imports, resources with their dependencies. */
function graphJson(program: Program) {
  const steps = domainSteps(program);
  return {
    domains: Object.keys(program.domains)
      .sort()
      .map((name) => {
        const d = program.domains[name]!;
        return {
          name,
          step: steps.get(name) ?? 1,
          after: d.after,
          resources: Object.keys(d.resources)
            .sort()
            .map((a) => ({ address: a, type: d.resources[a]!.type, dependsOn: d.resources[a]!.dependsOn })),
        };
      }),
  };
}
