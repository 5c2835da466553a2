import type { CommandSpec, GroupSpec } from "../args.js";
import type { Io } from "../io.js";
import { checkCommand, checkSpec } from "./check.js";
import { fmtCommand, fmtSpec } from "./fmt.js";
import { planCommand, planSpec } from "./plan.js";
import { applyCommand, applySpec } from "./apply.js";
import { graphCommand, graphSpec } from "./graph.js";
import { stateCommand, stateSpec } from "./state.js";
import { demoCommand, demoSpec } from "./demo.js";
import { traceCommand, traceSpec } from "./trace.js";
import { replayCommand, replaySpec } from "./replay.js";
import { outputCommand, outputSpec } from "./output.js";
import { showCommand, showSpec } from "./show.js";

/** One `lxm` command: its option table (or its subcommands') and what runs it. */
export interface Command {
  readonly spec: CommandSpec | GroupSpec;
  run(argv: string[], io: Io): Promise<number>;
}

/** Every `lxm` command, by name. */
export const commands: Record<string, Command> = {
  check: { spec: checkSpec, run: checkCommand },
  fmt: { spec: fmtSpec, run: fmtCommand },
  plan: { spec: planSpec, run: planCommand },
  apply: { spec: applySpec, run: applyCommand },
  show: { spec: showSpec, run: showCommand },
  output: { spec: outputSpec, run: outputCommand },
  graph: { spec: graphSpec, run: graphCommand },
  state: { spec: stateSpec, run: stateCommand },
  replay: { spec: replaySpec, run: replayCommand },
  trace: { spec: traceSpec, run: traceCommand },
  demo: { spec: demoSpec, run: demoCommand },
};

/** True for a command made of subcommands (`state`). */
export function isGroup(spec: CommandSpec | GroupSpec): spec is GroupSpec {
  return "subcommands" in spec;
}

/** `lxm --help`: every command with its one-line summary. */
export function helpText(): string {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  return [
    "lxm — deterministic GitOps",
    "",
    "usage: lxm <command> [flags]",
    "",
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n]!.spec.summary}`),
    "",
    "Run `lxm <command> --help` (or `lxm help <command>`) for a command's flags.",
    "Commands that work on a project take --dir DIR (-C DIR); the default is the current directory.",
    "Exit codes: 0 success, 1 error; `lxm plan --detailed-exitcode` exits 2 when the plan has changes.",
    "Every command takes --json for machine output. Colour only on a TTY, never with NO_COLOR.",
    "",
  ].join("\n");
}
