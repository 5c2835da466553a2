import fs from "node:fs/promises";
import path from "node:path";
import { hasErrors, sortDiagnostics } from "../../diag/diagnostic.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import { SourceFile, SourceSet } from "../../diag/source.js";
import { catalog } from "../../diag/index.js";
import { formatSource, loadProject } from "../../lang/index.js";
import { decodeSource } from "../../lang/project.js";
import type { Span } from "../../diag/span.js";
import { jsonFlag, parse } from "../args.js";
import type { CommandSpec } from "../args.js";
import type { Io } from "../io.js";
import { diagnosticsDocument, printDiagnostics } from "../io.js";

/** `lxm fmt`'s arguments and flags (parser, usage and --help). */
export const fmtSpec = {
  name: "fmt",
  summary: "Rewrite .lxm files in canonical layout (--check: list unformatted files, exit 1).",
  args: "[PATH…|-]",
  maxPositionals: Infinity,
  flags: {
    check: { type: "boolean", description: "change nothing: list the files that are not formatted and exit 1 if any" },
    ...jsonFlag,
  },
  notes: [
    "PATH is a folder (every .lxm file below it) or a file; the default is the current directory.",
    "`-` reads standard input and writes the formatted text to standard output (with --check: exit 1 if not formatted).",
  ],
} as const satisfies CommandSpec;

/** How standard input is named in diagnostics and listings. */
const STDIN = "<stdin>";

interface Target {
  /** Absolute path on disk; null for standard input. */
  abs: string | null;
  /** As shown to the user: relative to the current directory. */
  shown: string;
  text: string;
}

/** `lxm fmt`: rewrite .lxm files in canonical layout; `--check` lists unformatted files and exits 1; `-` filters stdin to stdout. */
export async function fmtCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, fmtSpec);
  const json = Boolean(values.json);
  const sources = new SourceSet();
  const problems: Diagnostic[] = [];
  const targets: Target[] = [];
  const shown = (abs: string) => path.relative(io.cwd, abs).split(path.sep).join("/") || ".";
  const stdin = positionals.includes("-");
  if (stdin && positionals.length > 1) {
    throw catalog.host.usage.error({ kind: "extra-argument", arg: positionals.find((p) => p !== "-")!, command: "lxm fmt -", usage: "lxm fmt [--check] -" });
  }
  if (stdin && json) throw catalog.host.usage.error({ kind: "conflict", a: "-", b: "--json", command: "lxm fmt" });

  if (stdin) {
    const bytes = io.readStdin ? await io.readStdin() : new Uint8Array();
    const d = decodeSource(STDIN, bytes);
    for (const x of d.diagnostics) problems.push(x);
    if (d.source) sources.add(d.source);
    if (d.text !== null) targets.push({ abs: null, shown: STDIN, text: d.text });
  }
  for (const arg of stdin ? [] : positionals.length ? positionals : ["."]) {
    const abs = path.resolve(io.cwd, arg);
    const stat = await fs.stat(abs).catch(() => null);
    if (stat?.isFile()) {
      // A file named on the command line is formatted whatever its extension (like gofmt).
      const d = decodeSource(shown(abs), await fs.readFile(abs));
      for (const x of d.diagnostics) problems.push(x);
      if (d.source) sources.add(d.source);
      if (d.text !== null) targets.push({ abs, shown: shown(abs), text: d.text });
      continue;
    }
    if (!stat) {
      problems.push(catalog.host.noSuchDirectory(undefined, arg));
      continue;
    }
    const loaded = await loadProject(abs);
    for (const d of loaded.diagnostics) problems.push(d);
    for (const f of loaded.files) {
      const fileAbs = path.join(abs, ...f.path.split("/"));
      targets.push({ abs: fileAbs, shown: shown(fileAbs), text: f.text });
    }
  }

  const unformatted: string[] = [];
  const findings: Diagnostic[] = [];
  for (const t of targets) {
    sources.add(new SourceFile(t.shown, t.text));
    const r = formatSource(t.shown, t.text);
    if (r.text === null) {
      for (const d of r.diagnostics) problems.push(d);
      continue;
    }
    if (t.abs === null) {
      // Standard input: the formatted text is the output (nothing with --check).
      if (!values.check) io.out(r.text);
      if (r.text !== t.text) unformatted.push(t.shown);
      continue;
    }
    if (r.text !== t.text) {
      unformatted.push(t.shown);
      findings.push(catalog.host.notFormatted(firstDifference(t.shown, t.text, r.text), t.shown));
      if (!values.check) await writeAtomic(t.abs, r.text);
    }
  }

  const failed = hasErrors(problems);
  if (json) {
    const extra = { files: unformatted, check: Boolean(values.check) };
    if (failed) io.out(JSON.stringify({ ...diagnosticsDocument(sortDiagnostics(problems), sources), ...extra }, null, 2) + "\n");
    else if (values.check && findings.length) io.out(JSON.stringify({ ...diagnosticsDocument(findings, sources), ...extra }, null, 2) + "\n");
    else io.out(JSON.stringify(extra, null, 2) + "\n");
  } else {
    if (problems.length) printDiagnostics(io, sortDiagnostics(problems), sources, false);
    if (stdin) {
      if (values.check && unformatted.length) io.out(STDIN + "\n");
    } else for (const f of unformatted) io.out(f + "\n");
  }
  if (failed) return 1;
  return values.check && unformatted.length ? 1 : 0;
}

/** The first line of `before` that formatting changes, as a span (for `--check --json`). */
function firstDifference(file: string, before: string, after: string): Span {
  let i = 0;
  while (i < before.length && i < after.length && before.charCodeAt(i) === after.charCodeAt(i)) i++;
  const start = before.lastIndexOf("\n", i - 1) + 1;
  const nl = before.indexOf("\n", start);
  return { file, start, end: nl < 0 ? before.length : nl };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.lxm-fmt-${process.pid}`);
  const stat = await fs.stat(file);
  await fs.writeFile(tmp, text, { mode: stat.mode });
  await fs.rename(tmp, file);
}
