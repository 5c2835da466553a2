import path from "node:path";
import { catalog } from "../../diag/index.js";
import { readPlanFile } from "../../engine/plan-file.js";
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from "../../plan/index.js";
import { dirFlag, jsonFlag, parse } from "../args.js";
import type { CommandSpec } from "../args.js";
import type { Io } from "../io.js";

/** `lxm show`'s arguments and flags (parser, usage and --help). */
export const showSpec = {
  name: "show",
  summary: "Render a plan saved by `lxm plan --out` as `lxm plan` shows it.",
  args: "PLANFILE",
  maxPositionals: 1,
  flags: {
    ...dirFlag,
    ...jsonFlag,
    markdown: { type: "boolean", description: "the plan as Markdown (what the pull-request comment shows)" },
  },
  conflicts: [["json", "markdown"]],
  notes: ["PLANFILE is relative to the current directory. --json prints the plan's canonical JSON (lexum.plan/v1)."],
} as const satisfies CommandSpec;

/**
 * `lxm show PLANFILE`: a saved plan as `lxm plan` would show it (text, `--markdown`, or its
 * JSON with `--json`). Exit 0; a file that is not a valid `lexum.plan/v1` is LXM4206, exit 1.
 */
export async function showCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, showSpec);
  const file = positionals[0];
  if (file === undefined) throw catalog.host.usage.error({ kind: "missing-argument", what: "a plan file (PLANFILE, written by `lxm plan --out`)", command: "lxm show" });
  const plan = await readPlanFile(path.resolve(io.cwd, file));
  if (values.json) io.out(renderPlanJson(plan) + "\n");
  else if (values.markdown) io.out(renderPlanMarkdown(plan));
  else io.out(renderPlanText(plan, { color: io.color }));
  return 0;
}
