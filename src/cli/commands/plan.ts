import fs from "node:fs/promises";
import path from "node:path";
import { planProject, isPlanned } from "../../engine/plan-project.js";
import { describeChange } from "../../engine/workspace.js";
import type { InputChange } from "../../engine/workspace.js";
import { hasChanges, renderPlanJson, renderPlanMarkdown, renderPlanText } from "../../plan/index.js";
import { dirFlag, envFlag, jsonFlag, parse, projectDir, projectFlag } from "../args.js";
import { chooseProjects, forEachProject } from "../projects.js";
import type { CommandSpec, Values } from "../args.js";
import type { Io } from "../io.js";
import { printDiagnostics, printFailure, relativeTo } from "../io.js";

/** `lxm plan`'s arguments and flags (parser, usage and --help). */
export const planSpec = {
  name: "plan",
  summary: "Diff the goal against the last snapshot (exit 0 success, 1 error; --detailed-exitcode: 0 no changes, 2 changes).",
  maxPositionals: 1,
  flags: {
    ...dirFlag,
    ...projectFlag,
    ...envFlag,
    rev: { type: "string", value: "REV", description: "compile the files exactly as committed at REV (a branch, tag or commit)" },
    refresh: { type: "boolean", description: "read reality back through the providers first (drift shows as updates)" },
    out: { type: "string", value: "FILE", description: "also save the plan (lexum.plan/v1) for `lxm apply --plan FILE` and `lxm show FILE`" },
    "detailed-exitcode": { type: "boolean", description: "exit 2 when the plan has changes (0 none, 1 error), as Terraform does" },
    ...jsonFlag,
    markdown: { type: "boolean", description: "the plan as Markdown (what the pull-request comment shows)" },
  },
  conflicts: [["json", "markdown"]],
  notes: ["A folder with several projects (subfolders with their own lexum.yaml, each with its own state branch) plans each; --project PATH plans one."],
} as const satisfies CommandSpec;

/** `lxm plan`: exit 0 when it succeeded, 1 on error; with `--detailed-exitcode`, 0 no changes, 2 changes (Terraform's meaning). */
export async function planCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, planSpec);
  const base = projectDir(io.cwd, values.dir, positionals[0], planSpec.name);
  const json = Boolean(values.json);
  const chosen = await chooseProjects(base, values.project, values.out === undefined && !values.markdown, io.cwd);
  return forEachProject(io, chosen, json, (pio, p) => planOne(pio, p.dir, values, json));
}

async function planOne(io: Io, dir: string, values: Values<(typeof planSpec)["flags"]>, json: boolean): Promise<number> {
  const result = await planProject({ dir, rev: values.rev, ...(values.env !== undefined ? { environment: values.env } : {}), refresh: Boolean(values.refresh), cwd: io.cwd, env: io.env });
  relativeTo(result.sources, io.cwd, dir);
  // The plan's own output stays a pure function of program and snapshot: with --json or
  // --markdown the banner goes to stderr.
  if (result.changes?.length) (json || values.markdown ? io.err : io.out)(dirtyBanner(result.changes, io.cwd, dir));
  if (!isPlanned(result)) return printFailure(io, result.diagnostics, result.sources, json);
  if (result.diagnostics.length) printDiagnostics(io, result.diagnostics, result.sources, false);
  const plan = result.plan;
  if (values.out) await fs.writeFile(path.resolve(io.cwd, values.out), renderPlanJson(plan) + "\n");
  if (json) io.out(renderPlanJson(plan) + "\n");
  else if (values.markdown) io.out(renderPlanMarkdown(plan));
  else io.out(renderPlanText(plan, { color: io.color }));
  return values["detailed-exitcode"] && hasChanges(plan) ? 2 : 0;
}

/**
 * The banner of a run from a working tree that differs from HEAD: each differing file
 * (relative to the current directory), then what it means — for `plan`, that the plan is a
 * preview `apply` refuses without --allow-dirty; for `apply --allow-dirty`, that the
 * snapshot names the files and cannot be replayed.
 */
export function dirtyBanner(changes: readonly InputChange[], cwd: string, projectDir: string, command: "plan" | "apply" = "plan"): string {
  const shown = (p: string): string => path.relative(cwd, path.join(projectDir, ...p.split("/"))).split(path.sep).join("/");
  const inputs = changes.filter((c) => c.input).length;
  const files = `${changes.length} file${changes.length === 1 ? "" : "s"}`;
  const lines = [`The working tree differs from HEAD in ${files}:`, ...changes.map((c) => `  ${describeChange(c, shown)}`)];
  if (command === "apply") {
    lines.push(inputs > 0 ? "Applying them as they are (--allow-dirty): the snapshot names these files, and the run cannot be replayed." : "Applying the commit's .lxm files only (--allow-dirty).");
  } else {
    lines.push(`This plan is a preview of the working tree: \`lxm apply\` refuses it without --allow-dirty; commit the changes to apply them.`);
  }
  return lines.join("\n") + "\n\n";
}
