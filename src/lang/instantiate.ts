import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as sem from "../diag/catalog/semantic.js";
import type { DomainDecl, Expr, LetDecl, ParamType, SourceFileNode, TemplateDecl } from "./ast.js";
import { exprChildren } from "./expr-children.js";
import { suggest } from "./suggest.js";

/**
 * Domain templates: each `domain NAME = TEMPLATE(args)` becomes a plain domain whose items are
 * one `let` per parameter (the argument, or the default) followed by the template's items.
 * Everything after this pass (names, evaluation, authority, the program IR) sees ordinary
 * domains, so a project written with templates compiles to the program it would be written
 * out by hand. The parameters' lets carry their declared type (checked when evaluated:
 * LXM2234). Arguments and defaults are values written in place: they may not refer to
 * names (LXM2235), so nothing enters a template but its parameters.
 */

const PARAM_TYPES: ReadonlySet<string> = new Set(["string", "number", "bool", "list", "object", "any"]);

/** Where an instance came from: its template and the instantiation (for diagnostics, graph). */
export interface InstanceOrigin {
  readonly template: string;
  /** The `TEMPLATE(…)` of `domain NAME = TEMPLATE(…)`. */
  readonly at: Span;
  /** The template's declaration. */
  readonly declared: Span;
}

export interface Instantiated {
  /** The files with every instance's items filled in. */
  readonly files: SourceFileNode[];
  /** Instance domains by name. */
  readonly origins: ReadonlyMap<string, InstanceOrigin>;
}

/** The first name an expression refers to, with its span (template arguments may refer to none). */
function firstRef(e: Expr): { name: string; span: Span } | null {
  const stack: { e: Expr; bound: ReadonlySet<string> }[] = [{ e, bound: new Set() }];
  while (stack.length > 0) {
    const { e: x, bound } = stack.pop()!;
    if (x.kind === "Ref" && !bound.has(x.name)) return { name: x.name, span: x.span };
    // Loop variables of comprehensions inside the argument are names it binds itself.
    const inner = x.kind === "ListComp" || x.kind === "ObjectComp" ? new Set([...bound, ...x.vars.map((v) => v.name)]) : bound;
    exprChildren(x).forEach((c, k) => stack.push({ e: c, bound: k === 0 ? bound : inner }));
  }
  return null;
}

export function instantiateTemplates(files: readonly SourceFileNode[], diags: Diagnostic[], imported: readonly TemplateDecl[] = []): Instantiated {
  // Templates from elsewhere (template-imports.ts; their names already checked against the project's).
  const templates = new Map<string, TemplateDecl>(imported.map((t) => [t.name.name, t]));
  for (const f of files) {
    for (const t of f.templates) {
      if (templates.has(t.name.name)) diags.push(sem.duplicateTemplate.withRelated(t.name.span, [{ span: templates.get(t.name.name)!.name.span, message: "first declared here" }], t.name.name));
      else templates.set(t.name.name, t);
    }
  }
  // Parameters are checked once per template.
  for (const t of templates.values()) {
    const seen = new Set<string>();
    for (const p of t.params) {
      if (seen.has(p.name.name)) diags.push(sem.duplicateTemplateArg(p.name.span, p.name.name, "parameter"));
      seen.add(p.name.name);
      if (!PARAM_TYPES.has(p.type.name)) diags.push(sem.badParamType(p.type.span, p.type.name));
      const ref = p.default ? firstRef(p.default) : null;
      if (ref) diags.push(sem.templateArgReference(ref.span, ref.name));
    }
  }
  const origins = new Map<string, InstanceOrigin>();
  const out = files.map((f): SourceFileNode => {
    if (!f.domains.some((d) => d.instance)) return f;
    return { ...f, domains: f.domains.map((d) => (d.instance ? instantiate(d, templates, diags, origins) : d)) };
  });
  return { files: out, origins };
}

function instantiate(d: DomainDecl, templates: ReadonlyMap<string, TemplateDecl>, diags: Diagnostic[], origins: Map<string, InstanceOrigin>): DomainDecl {
  const inst = d.instance!;
  const t = templates.get(inst.template.name);
  if (!t) {
    diags.push(sem.unknownTemplate(inst.template.span, inst.template.name, suggest(inst.template.name, [...templates.keys()])));
    return { ...d, items: [] };
  }
  origins.set(d.name.name, { template: t.name.name, at: inst.span, declared: t.name.span });
  const params = new Map(t.params.map((p) => [p.name.name, p] as const));
  const given = new Map<string, Expr>();
  for (const a of inst.args) {
    if (!params.has(a.name.name)) {
      diags.push(sem.unknownTemplateArg(a.name.span, t.name.name, a.name.name, t.params.map((p) => p.name.name), suggest(a.name.name, [...params.keys()])));
      continue;
    }
    if (given.has(a.name.name)) {
      diags.push(sem.duplicateTemplateArg(a.name.span, a.name.name, "argument"));
      continue;
    }
    const ref = firstRef(a.value);
    if (ref) diags.push(sem.templateArgReference(ref.span, ref.name));
    given.set(a.name.name, a.value);
  }
  const missing = t.params.filter((p) => !given.has(p.name.name) && !p.default).map((p) => p.name.name);
  if (missing.length > 0) diags.push(sem.missingTemplateArg(inst.span, t.name.name, missing));
  const lets: LetDecl[] = [];
  for (const p of t.params) {
    const value = given.get(p.name.name) ?? p.default;
    if (!value) continue;
    const type = (PARAM_TYPES.has(p.type.name) ? p.type.name : "any") as ParamType;
    lets.push({ kind: "Let", name: p.name, value, span: p.span, param: { template: t.name.name, type } });
  }
  return { ...d, items: [...lets, ...t.items] };
}
