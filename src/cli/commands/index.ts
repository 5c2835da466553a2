import type { Io } from "../io.js";
import { checkCommand, checkUsage } from "./check.js";
import { fmtCommand, fmtUsage } from "./fmt.js";
import { planCommand, planUsage } from "./plan.js";
import { applyCommand, applyUsage } from "./apply.js";
import { graphCommand, graphUsage } from "./graph.js";
import { stateCommand, stateUsage } from "./state.js";
import { demoCommand, demoUsage } from "./demo.js";
import { traceCommand, traceUsage } from "./trace.js";
import { replayCommand, replayUsage } from "./replay.js";

export interface Command {
  readonly usage: string;
  readonly summary: string;
  run(argv: string[], io: Io): Promise<number>;
}

/** Every `lxm` command, by name. */
export const commands: Record<string, Command> = {
  check: { usage: checkUsage, summary: "Compile the project and report diagnostics.", run: checkCommand },
  fmt: { usage: fmtUsage, summary: "Rewrite .lxm files in canonical layout (--check: list unformatted files, exit 1).", run: fmtCommand },
  plan: { usage: planUsage, summary: "Diff the goal against the last snapshot (exit 0 success, 1 error; --detailed-exitcode: 0 no changes, 2 changes).", run: planCommand },
  apply: { usage: applyUsage, summary: "Apply the plan through providers and record a snapshot on the state branch.", run: applyCommand },
  graph: { usage: graphUsage, summary: "Print the dependency graph (DOT or Mermaid).", run: graphCommand },
  state: { usage: stateUsage, summary: "Inspect the state branch: log, show, verify, gc.", run: stateCommand },
  replay: { usage: replayUsage, summary: "Re-run a snapshot on its recorded observations and check it reproduces its hash.", run: replayCommand },
  trace: { usage: traceUsage, summary: "Step through one run's trace (interactive on a TTY; text lines or --json otherwise).", run: traceCommand },
  demo: { usage: demoUsage, summary: "Run the built-in demo in a scratch git repository (no network).", run: demoCommand },
};

export function helpText(): string {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  return [
    "lxm — deterministic GitOps",
    "",
    "usage: lxm <command> [options]",
    "",
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n]!.summary}`),
    "",
    "Exit codes: 0 success, 1 error; `lxm plan --detailed-exitcode` exits 2 when the plan has changes.",
    "Every command takes --json for machine output. Colour only on a TTY, never with NO_COLOR.",
    "",
  ].join("\n");
}
