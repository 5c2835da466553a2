import type { Io } from "../io.js";
import { checkCommand, checkUsage } from "./check.js";
import { fmtCommand, fmtUsage } from "./fmt.js";

export interface Command {
  readonly usage: string;
  readonly summary: string;
  run(argv: string[], io: Io): Promise<number>;
}

/** Every `lxm` command, by name. */
export const commands: Record<string, Command> = {
  check: { usage: checkUsage, summary: "Compile the project and report diagnostics.", run: checkCommand },
  fmt: { usage: fmtUsage, summary: "Rewrite .lxm files in canonical layout (--check: list unformatted files, exit 1).", run: fmtCommand },
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
    "Exit codes: 0 success / no changes, 1 error, 2 plan has changes.",
    "Every command takes --json for machine output. Colour only on a TTY, never with NO_COLOR.",
    "",
  ].join("\n");
}
