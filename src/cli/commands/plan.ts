import fs from "node:fs/promises";
import path from "node:path";
import { planProject, isPlanned } from "../../engine/plan-project.js";
import { hasChanges, renderPlanJson, renderPlanMarkdown, renderPlanText } from "../../plan/index.js";
import { parse } from "../args.js";
import type { Io } from "../io.js";
import { printDiagnostics, relativeTo } from "../io.js";

export const planUsage = "lxm plan [DIR] [--rev REV] [--refresh] [--out FILE] [--detailed-exitcode] [--json | --markdown]";

/** `lxm plan`: exit 0 when it succeeded, 1 on error; with `--detailed-exitcode`, 0 no changes, 2 changes (Terraform's meaning). */
export async function planCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { rev: { type: "string" }, refresh: { type: "boolean" }, out: { type: "string" }, json: { type: "boolean" }, markdown: { type: "boolean" }, "detailed-exitcode": { type: "boolean" } },
    1,
    planUsage,
  );
  const dir = path.resolve(io.cwd, positionals[0] ?? ".");
  const json = Boolean(values.json);
  const result = await planProject({ dir, rev: values.rev, refresh: Boolean(values.refresh), cwd: io.cwd, env: io.env });
  relativeTo(result.sources, io.cwd, dir);
  if (!isPlanned(result)) {
    printDiagnostics(io, result.diagnostics, result.sources, false);
    if (json) io.out(JSON.stringify({ error: "plan failed", diagnostics: result.diagnostics.length }) + "\n");
    return 1;
  }
  if (result.diagnostics.length) printDiagnostics(io, result.diagnostics, result.sources, false);
  const plan = result.plan;
  if (values.out) await fs.writeFile(path.resolve(io.cwd, values.out), renderPlanJson(plan) + "\n");
  if (json) io.out(renderPlanJson(plan) + "\n");
  else if (values.markdown) io.out(renderPlanMarkdown(plan));
  else io.out(renderPlanText(plan, { color: io.color }));
  return values["detailed-exitcode"] && hasChanges(plan) ? 2 : 0;
}
