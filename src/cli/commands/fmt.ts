import fs from "node:fs/promises";
import path from "node:path";
import { hasErrors, sortDiagnostics } from "../../diag/diagnostic.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import { SourceFile, SourceSet } from "../../diag/source.js";
import { catalog } from "../../diag/index.js";
import { formatSource, loadProject, loadProjectFromFiles } from "../../lang/index.js";
import { parse } from "../args.js";
import type { Io } from "../io.js";
import { printDiagnostics } from "../io.js";

export const fmtUsage = "lxm fmt [--check] [--json] [PATH…]";

interface Target {
  /** Absolute path on disk. */
  abs: string;
  /** As shown to the user: relative to the current directory. */
  shown: string;
  text: string;
}

/** `lxm fmt`: rewrite .lxm files in canonical layout; `--check` lists unformatted files and exits 1. */
export async function fmtCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { check: { type: "boolean" }, json: { type: "boolean" } }, Infinity, fmtUsage);
  const json = Boolean(values.json);
  const sources = new SourceSet();
  const problems: Diagnostic[] = [];
  const targets: Target[] = [];
  const shown = (abs: string) => path.relative(io.cwd, abs).split(path.sep).join("/") || ".";

  for (const arg of positionals.length ? positionals : ["."]) {
    const abs = path.resolve(io.cwd, arg);
    const stat = await fs.stat(abs).catch(() => null);
    if (stat?.isFile()) {
      // The project loader decodes (and reports bad UTF-8) the same way for one file.
      const one = loadProjectFromFiles([{ path: shown(abs), bytes: await fs.readFile(abs) }]);
      for (const d of one.diagnostics) problems.push(d);
      for (const f of one.files) targets.push({ abs, shown: f.path, text: f.text });
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
  for (const t of targets) {
    sources.add(new SourceFile(t.shown, t.text));
    const r = formatSource(t.shown, t.text);
    if (r.text === null) {
      for (const d of r.diagnostics) problems.push(d);
      continue;
    }
    if (r.text !== t.text) {
      unformatted.push(t.shown);
      if (!values.check) await writeAtomic(t.abs, r.text);
    }
  }

  if (problems.length) printDiagnostics(io, sortDiagnostics(problems), sources, false);
  if (json) io.out(JSON.stringify({ files: unformatted, check: Boolean(values.check) }, null, 2) + "\n");
  else for (const f of unformatted) io.out(f + "\n");
  if (hasErrors(problems)) return 1;
  return values.check && unformatted.length ? 1 : 0;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.lxm-fmt-${process.pid}`);
  const stat = await fs.stat(file);
  await fs.writeFile(tmp, text, { mode: stat.mode });
  await fs.rename(tmp, file);
}
