import type { Diagnostic } from "../diag/diagnostic.js";
import { SourceFile } from "../diag/source.js";
import type { SourceSet } from "../diag/source.js";
import * as sem from "../diag/catalog/semantic.js";
import type { SourceFileNode, TemplateDecl } from "./ast.js";
import { parseFile } from "./parser.js";
import { suggest } from "./suggest.js";
import { templateSource } from "./template-source.js";
import type { TemplateLibrary } from "./template-source.js";

/**
 * The templates the project's `template NAME from "SOURCE"` declarations bring in, from the
 * libraries the engine loaded (keyed by TemplateSource.key): each source's files parsed once
 * (their texts join `sources`, so findings inside render), each name looked up there. A
 * source that could not be loaded (LXM2260), a name it does not declare (LXM2261), a source
 * file with anything but templates (LXM2262) and a name brought in twice (LXM2230) are
 * located diagnostics. Pure.
 */
export function importTemplates(files: readonly SourceFileNode[], libraries: ReadonlyMap<string, TemplateLibrary> | undefined, sources: SourceSet, diags: Diagnostic[]): TemplateDecl[] {
  const parsed = new Map<string, Map<string, TemplateDecl> | null>();
  const out = new Map<string, { decl: TemplateDecl; at: TemplateDecl["name"] }>();
  const own = new Set(files.flatMap((f) => f.templates.map((t) => t.name.name)));
  for (const f of files) {
    for (const imp of f.templateImports) {
      const src = templateSource(f.path, imp.source);
      if ("problem" in src) {
        diags.push(sem.templateSourceUnavailable(imp.sourceSpan, imp.source, src.problem));
        continue;
      }
      if (!parsed.has(src.key)) parsed.set(src.key, parseLibrary(libraries?.get(src.key), imp.source, imp.sourceSpan, sources, diags));
      const templates = parsed.get(src.key);
      if (!templates) continue;
      const decl = templates.get(imp.name.name);
      if (!decl) {
        diags.push(sem.unknownImportedTemplate(imp.name.span, imp.name.name, imp.source, suggest(imp.name.name, [...templates.keys()])));
        continue;
      }
      const name = imp.name.name;
      const first = out.get(name);
      if (first || own.has(name)) {
        const where = first ? first.at.span : files.flatMap((g) => g.templates).find((t) => t.name.name === name)!.name.span;
        diags.push(sem.duplicateTemplate.withRelated(imp.name.span, [{ span: where, message: "first declared here" }], name));
        continue;
      }
      out.set(name, { decl, at: imp.name });
    }
  }
  return [...out.keys()].sort().map((k) => out.get(k)!.decl);
}

/** A library's templates by name (null after a diagnostic): its files parsed, their syntax errors reported. */
function parseLibrary(lib: TemplateLibrary | undefined, source: string, at: SourceFileNode["span"], sources: SourceSet, diags: Diagnostic[]): Map<string, TemplateDecl> | null {
  if (lib === undefined) {
    diags.push(sem.templateSourceUnavailable(at, source, "it was not loaded (compile was given no template libraries)"));
    return null;
  }
  if ("problem" in lib) {
    diags.push(sem.templateSourceUnavailable(at, source, lib.problem));
    return null;
  }
  const out = new Map<string, TemplateDecl>();
  let ok = true;
  for (const file of lib.files) {
    if (!sources.get(file.path)) sources.add(new SourceFile(file.path, file.text));
    const p = parseFile(file.path, file.text);
    for (const d of p.diagnostics) diags.push(d);
    if (p.diagnostics.some((d) => d.severity === "error")) ok = false;
    const other = p.file.domains[0] ?? p.file.moved[0] ?? p.file.templateImports[0];
    if (other) {
      const what = other.kind === "Domain" ? `domain \`${other.name.name}\`` : other.kind === "Moved" ? "a `moved` block" : "`template … from`";
      diags.push(sem.templateSourceNotOnlyTemplates(other.span, what));
      ok = false;
    }
    for (const t of p.file.templates) {
      const seen = out.get(t.name.name);
      if (seen) {
        diags.push(sem.duplicateTemplate.withRelated(t.name.span, [{ span: seen.name.span, message: "first declared here" }], t.name.name));
        ok = false;
      } else out.set(t.name.name, t);
    }
  }
  return ok ? out : null;
}
