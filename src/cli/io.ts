import path from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { LexumError } from "../diag/diagnostic.js";
import type { SourceSet } from "../diag/source.js";
import { renderText, toJson } from "../diag/render.js";

/** Where a command writes, and whether it may colour. One per invocation; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour only on a TTY and never with NO_COLOR. */
  readonly color: boolean;
  readonly isTTY: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on a TTY; undefined when there is no TTY to ask on. */
  confirm?(question: string): Promise<boolean>;
}

export function processIo(): Io {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    color: isTTY && !process.env.NO_COLOR,
    isTTY,
    cwd: process.cwd(),
    env: process.env,
    confirm: process.stdin.isTTY ? askOnTty : undefined,
  };
}

async function askOnTty(question: string): Promise<boolean> {
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

/** Sets the prefix that makes diagnostic paths relative to the current directory. */
export function relativeTo(sources: SourceSet, cwd: string, projectDir: string): void {
  const rel = path.relative(cwd, projectDir).split(path.sep).join("/");
  sources.displayPrefix = rel === "" ? "" : rel + "/";
}

/** Prints diagnostics in the human form (stderr) or as the stable JSON array (stdout). */
export function printDiagnostics(io: Io, ds: readonly Diagnostic[], sources: SourceSet, json: boolean): void {
  if (json) io.out(JSON.stringify(toJson(ds, sources), null, 2) + "\n");
  else io.err(renderText(ds, sources, { color: io.color }));
}

/** One clear line (plus hint) for a typed failure; exit code 1. */
export function printError(io: Io, e: LexumError, json: boolean): number {
  if (json) {
    io.out(JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint ?? null } }, null, 2) + "\n");
  } else {
    const head = io.color ? `\x1b[31;1merror[${e.code}]\x1b[0m` : `error[${e.code}]`;
    io.err(`${head}: ${e.message}\n` + (e.hint ? `  hint: ${e.hint}\n` : ""));
  }
  return 1;
}
