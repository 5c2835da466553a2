import path from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import { LexumError } from "../diag/diagnostic.js";
import type { SourceSet } from "../diag/source.js";
import { renderText, toJson } from "../diag/render.js";
import type { DiagnosticJson } from "../diag/render.js";
import { catalog } from "../diag/index.js";

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
  /** Reads standard input to its end (`lxm fmt -`); undefined when there is none to read. */
  readStdin?(): Promise<Uint8Array>;
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
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
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

/**
 * The one JSON document every command prints on stdout when it fails with `--json`
 * (schemas/error.json): what went wrong in one coded line, and the located diagnostics
 * behind it (`[]` when none). Commands may add their own fields beside these two.
 */
export interface ErrorDocument {
  readonly error: { readonly code: string; readonly message: string; readonly hint: string };
  readonly diagnostics: DiagnosticJson[];
  readonly [extra: string]: unknown;
}

/** A code's hint, or its catalog entry's explanation when the message has none: never empty. */
function hintOf(code: string, hint: string | null | undefined): string {
  if (hint) return hint;
  return catalog.allCodes().find((c) => c.code === code)?.doc ?? "run `lxm --help` for usage";
}

/** The error document of a typed failure (no diagnostics), with a command's extra fields. */
export function errorDocument(e: LexumError, extra: Record<string, unknown> = {}): ErrorDocument {
  return { error: { code: e.code, message: e.message, hint: hintOf(e.code, e.hint) }, diagnostics: [], ...extra };
}

/**
 * The error document of a failed compile: `error` summarises (the first error's code,
 * `N errors`, the first one's place and words as the hint); `diagnostics` lists them all.
 */
export function diagnosticsDocument(ds: readonly Diagnostic[], sources: SourceSet): ErrorDocument {
  const json = toJson(ds, sources);
  const errors = json.filter((d) => d.severity === "error");
  const first = errors[0] ?? json[0];
  if (!first) return { error: { code: catalog.engine.compileFailed.code, message: "0 errors", hint: hintOf(catalog.engine.compileFailed.code, null) }, diagnostics: [] };
  const where = first.file ? `${first.file}${first.start ? `:${first.start.line}:${first.start.column}` : ""}: ` : "";
  const n = errors.length;
  return {
    error: { code: first.code, message: `${n} error${n === 1 ? "" : "s"}`, hint: `${where}${first.message}${first.hint ? ` (${first.hint})` : ""}` },
    diagnostics: json,
  };
}

/** Prints one JSON document on stdout. */
export function printJson(io: Io, doc: unknown): void {
  io.out(JSON.stringify(doc, null, 2) + "\n");
}

/**
 * Prints the diagnostics of a failed compile: the caret text on stderr, or with `json` the
 * error document on stdout (and nothing on stderr). Returns exit code 1.
 */
export function printFailure(io: Io, ds: readonly Diagnostic[], sources: SourceSet, json: boolean): number {
  if (json) printJson(io, diagnosticsDocument(ds, sources));
  else io.err(renderText(ds, sources, { color: io.color }));
  return 1;
}

/** One clear line (plus hint) for a typed failure, or its error document with `json`; exit code 1. */
export function printError(io: Io, e: LexumError, json: boolean, extra: Record<string, unknown> = {}): number {
  if (json) {
    printJson(io, errorDocument(e, extra));
  } else {
    const head = io.color ? `\x1b[31;1merror[${e.code}]\x1b[0m` : `error[${e.code}]`;
    io.err(`${head}: ${e.message}\n` + (e.hint ? `  hint: ${e.hint}\n` : ""));
  }
  return 1;
}
