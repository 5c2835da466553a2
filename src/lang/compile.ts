import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { hasErrors, sortDiagnostics } from "../diag/diagnostic.js";
import { SourceFile, SourceSet } from "../diag/source.js";
import * as sem from "../diag/catalog/semantic.js";
import { inCanonicalOrder, sha256Canonical } from "../program/canonical.js";
import { loadTypeCatalog } from "../program/schemas.js";
import type { TypeCatalog } from "../program/schemas.js";
import type { AssertIR, DomainIR, MovedIR, ExportIR, GoalIR, ImportIR, JsonObject, PolicyIR, Program, ProviderIR, ResourceIR, SpanTable } from "../program/types.js";
import { DEFAULT_POLICY } from "../program/types.js";
import type { Expr, MovedDecl, SourceFileNode } from "./ast.js";
import type { ProjectFiles } from "./file-reader.js";
import type { InputValue } from "./project.js";
import { checkAssertionType, checkPolicy } from "./check.js";
import type { EvaluatedAttr } from "./check.js";
import { Evaluator } from "./evaluate.js";
import { instantiateTemplates } from "./instantiate.js";
import { readMoved } from "./moved.js";
import { importTemplates } from "./template-imports.js";
import type { TemplateLibrary } from "./template-source.js";
import { movedKey } from "../program/address.js";
import { parseFile } from "./parser.js";
import { resolveProgram } from "./resolve.js";
import { SpanTableBuilder } from "./span-table.js";
import type { DomainTable } from "./resolve.js";
import { hasPoison, isKnown, isSensitive, toResidual, typeName } from "./values.js";

export interface CompileOptions {
  /** Reads a project file by project-relative posix path, for file(); null when absent. */
  readonly readFile?: (projectRelPath: string) => string | null;
  /** The goal's files, for fileexists, fileset, filebase64 and the file hashes; none when absent. */
  readonly tree?: ProjectFiles;
  /** lexum.yaml `inputs`, with the values of the environment chosen (environmentOf): what input("name") reads. */
  readonly inputs?: { readonly [name: string]: InputValue };
  /** The environment chosen (for messages); null or absent: none. */
  readonly env?: string | null;
  /** lexum.yaml `providers`: default configuration by provider name, under each provider block. */
  readonly providerDefaults?: { readonly [provider: string]: JsonObject };
  /** When given, receives the evaluation steps taken (at most LIMITS.steps; tests bound work with it). */
  readonly stats?: { steps: number };
  /** The provider and resource types to check against: the project's (built-ins plus its package providers); the built-ins when absent. */
  readonly catalog?: TypeCatalog;
  /** The template sources `template NAME from "SOURCE"` names, loaded by the engine (engine/template-sources.ts), by TemplateSource.key. */
  readonly libraries?: ReadonlyMap<string, TemplateLibrary>;
}

export interface CompileResult {
  /** Null when there is any error. */
  readonly program: Program | null;
  /** `sha256:…` of the program's canonical JSON; null when there is any error. */
  readonly hash: string | null;
  readonly spans: SpanTable;
  /** Sorted (sortDiagnostics), one per finding. */
  readonly diagnostics: Diagnostic[];
  readonly sources: SourceSet;
  /** Domains instantiated from a domain template: domain → template name (not part of the program or its hash). */
  readonly instances?: { readonly [domain: string]: string };
}

/** The program hash: sha256 of its canonical JSON. */
export function hashProgram(p: Program): string {
  // Piece by piece (one resource's JSON at a time) into the hash: the very bytes of
  // canonicalize(p), without the program's (or a domain's) JSON in memory at once.
  return sha256Canonical(p, 4);
}

/**
 * Compiles a program: parse every file, resolve names per domain, evaluate, check against
 * the provider schemas and for authority conflicts, and build the Program IR. Pure (no I/O
 * except opts.readFile) and deterministic; the program and its hash carry no trace of
 * layout (file names, declaration order, whitespace).
 */
export function compile(files: readonly { path: string; text: string }[], opts: CompileOptions = {}): CompileResult {
  const sources = new SourceSet();
  const diags: Diagnostic[] = [];
  const asts: SourceFileNode[] = [];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    sources.add(new SourceFile(f.path, f.text));
    const parsed = parseFile(f.path, f.text);
    for (const d of parsed.diagnostics) diags.push(d);
    asts.push(parsed.file);
  }
  // Names and values of a file that did not parse are incomplete (a dropped `let` would show
  // up as an unknown name): report the syntax errors alone rather than their follow-on errors.
  if (hasErrors(diags)) return { program: null, hash: null, spans: {}, diagnostics: sortDiagnostics(diags), sources };
  // Template instances become plain domains; a wrong instantiation stops here, like a syntax error.
  const imported = importTemplates(asts, opts.libraries, sources, diags);
  if (hasErrors(diags)) return { program: null, hash: null, spans: {}, diagnostics: sortDiagnostics(diags), sources };
  const instantiated = instantiateTemplates(asts, diags, imported);
  if (hasErrors(diags)) return { program: null, hash: null, spans: {}, diagnostics: sortDiagnostics(diags), sources };
  asts.splice(0, asts.length, ...instantiated.files);
  const templateSpans = [...asts.flatMap((f) => f.templates), ...imported].map((t) => ({ name: t.name.name, span: t.span }));
  const mark = diags.length;
  const movedDecls = asts.flatMap((f) => f.moved);
  // In a function of its own so that the syntax trees, name tables and evaluator are garbage
  // before the program is hashed (at 10⁵ resources they are most of the compiler's memory).
  const { domains, spans, templates, moved } = buildDomains(asts.splice(0), movedDecls, opts, diags, (span) => sources.get(span.file)?.text.slice(span.start, span.end) ?? "");
  // A finding inside a domain template names the instantiations that led there.
  if (instantiated.origins.size > 0) {
    for (let i = mark; i < diags.length; i++) {
      const d = diags[i]!;
      const tpl = d.span && templateSpans.find((t) => t.span.file === d.span!.file && t.span.start <= d.span!.start && d.span!.end <= t.span.end);
      if (!tpl) continue;
      const at = [...instantiated.origins].filter(([, o]) => o.template === tpl.name).map(([domain, o]) => ({ span: o.at, message: `in domain \`${domain}\`, an instance of \`${tpl.name}\`` }));
      diags[i] = { ...d, related: [...(d.related ?? []), ...at] };
    }
  }
  // Template files rendered by templatefile: their findings point into them.
  for (const [path, text] of templates) if (!sources.get(path)) sources.add(new SourceFile(path, text));
  const diagnostics = sortDiagnostics(dedupe(diags));
  if (hasErrors(diagnostics)) return { program: null, hash: null, spans, diagnostics, sources };
  const program: Program = { domains, format: "lexum.program/v1", ...(moved.length > 0 ? { moved } : {}) };
  const instances = Object.fromEntries([...instantiated.origins].map(([d, o]) => [d, o.template]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
  return { program, hash: hashProgram(program), spans, diagnostics, sources, ...(instantiated.origins.size > 0 ? { instances } : {}) };
}

/**
 * Resolves and evaluates parsed files into the program's domains and their span table,
 * appending findings to `diags`. Consumes `asts`: each domain's resource bodies are released
 * once the domain is built (see releaseResourceBodies).
 */
function buildDomains(
  asts: SourceFileNode[],
  movedDecls: readonly MovedDecl[],
  opts: CompileOptions,
  diags: Diagnostic[],
  textOf: (span: Span) => string,
): { domains: { [name: string]: DomainIR }; spans: SpanTable; templates: ReadonlyMap<string, string>; moved: MovedIR[] } {
  const res = resolveProgram(asts);
  // The files' nodes stay reachable from the domain tables; this array is no longer needed.
  asts.length = 0;
  for (const d of res.diagnostics) diags.push(d);
  const catalog = opts.catalog ?? loadTypeCatalog();
  const ev = new Evaluator(res, catalog, opts, diags);
  const spans = new SpanTableBuilder();
  const domains: { [name: string]: DomainIR } = {};
  // By identity: the first instance claiming it (its declaration is found again by name).
  const claims = new Map<string, ResourceIR>();

  for (const name of [...res.domains.keys()].sort()) {
    const t = res.domains.get(name)!;
    spans.set(name, t.decl.name.span);
    // Every let is evaluated, used or not, so that its errors are reported.
    for (const l of [...t.lets].sort(byName)) ev.symbol(t, l.name.name, new Set());

    const providers: { [alias: string]: ProviderIR } = {};
    for (const alias of [...t.providers.keys()].sort()) {
      spans.set(`${name}#provider.${alias}`, t.providers.get(alias)!.span);
      const p = ev.provider(t, alias);
      if (p) providers[alias] = { config: inCanonicalOrder(p.config), deferred: inCanonicalOrder(p.deferred), type: p.type };
    }

    const built: ResourceIR[] = [];
    for (const decl of [...t.resources].sort(byName)) {
      ev.evaluate(t, decl.name.name);
      const r = ev.resources.get(`${name}\u0000${decl.name.name}`);
      if (!r) continue;
      for (const i of r.instances) {
        spans.instance(i.address, i.spans);
        // Keys in canonical (code-unit) order, so that hashing takes canonicalize's fast path.
        const ir: ResourceIR = {
          address: i.address,
          attrs: inCanonicalOrder(i.attrs),
          deferred: inCanonicalOrder(i.deferred),
          dependsOn: i.dependsOn,
          domain: name,
          identity: i.identity ?? "",
          // Only when set, so programs without it keep their hash.
          ...(i.adopt ? { import: true as const } : {}),
          key: i.key,
          name: decl.name.name,
          protect: i.protect,
          provider: r.providerAlias,
          type: r.type,
        };
        built.push(ir);
        if (i.identity === null) continue;
        const prior = claims.get(i.identity);
        if (!prior) claims.set(i.identity, ir);
        else {
          const priorName = ev.resources.get(`${prior.domain}\u0000${prior.name}`)!.decl.name.span;
          diags.push(sem.authorityConflict.withRelated(decl.name.span, [{ span: priorName, message: `${prior.address} claims it here` }], ev.describeIdentityOf(r, i), prior.address));
        }
      }
    }

    // Declarations are sorted by name, not by address (the type sits between): sort by address.
    built.sort((a, b) => cmp(a.address, b.address));
    const resources: { [address: string]: ResourceIR } = {};
    for (const ir of built) resources[ir.address] = ir;

    const exports: { [name: string]: ExportIR } = {};
    for (const exName of [...t.exports.keys()].sort()) {
      const ex = t.exports.get(exName)!;
      const target = ex.value === undefined ? ev.resourceSym(t, exName) : null;
      if (target) {
        ev.evaluate(t, exName);
        const r = ev.resources.get(`${target.t.name}\u0000${target.decl.name.name}`);
        if (r) exports[exName] = { addresses: r.instances.map((i) => i.address).sort(), forEach: r.forEach, kind: "resource" };
        continue;
      }
      const v = ev.symbol(t, exName, new Set());
      if (hasPoison(v)) continue;
      exports[exName] = inCanonicalOrder<ExportIR>(isKnown(v) ? { kind: "value", value: v } : { kind: "deferred", value: { expr: toResidual(v), sensitive: isSensitive(v) } });
    }

    const goals: GoalIR[] = [];
    for (const g of [...t.goals].sort(byName)) {
      const asserts: AssertIR[] = [];
      g.asserts.forEach((a, idx) => {
        const key = `${name}#goal.${g.name.name}[${idx}]`;
        spans.set(key, a.span);
        // The expression and its operands, so a failed assertion can show them with their values.
        spans.set(`${key}.expr`, a.expr.span);
        assertionOperands(a.expr).forEach((op, k) => spans.set(`${key}.operand.${k}`, op.span));
        const v = ev.expr(a.expr, ev.scope(t, t.file));
        let message: string | null = null;
        if (a.message) {
          const m = ev.expr(a.message, ev.scope(t, t.file));
          if (hasPoison(m)) return;
          if (!isKnown(m)) {
            diags.push(sem.unknownForSource(a.message.span, "an assertion message"));
            return;
          }
          if (typeof m !== "string") {
            diags.push(sem.typeMismatch(a.message.span, "an assertion message", "a string", typeName(m)));
            return;
          }
          message = m;
        }
        if (hasPoison(v)) return;
        if (isKnown(v)) {
          if (typeof v !== "boolean") {
            diags.push(sem.typeMismatch(a.expr.span, "an assertion", "a bool", typeName(v)));
            return;
          }
          if (!v) diags.push(sem.assertionFailed(a.span, message));
          asserts.push({ checkedAtPlan: true, expr: { op: "lit", value: v }, message });
        } else {
          const expr = toResidual(v);
          // A type known now not to be a bool would only fail after the world changed.
          if (!checkAssertionType(expr, textOf(a.expr.span).replace(/\s*(\r\n|\r|\n)\s*/g, " "), a.expr.span, catalog, diags)) return;
          asserts.push({ checkedAtPlan: false, expr: inCanonicalOrder(expr), message });
        }
      });
      goals.push({ asserts, name: g.name.name });
    }

    let policy: PolicyIR = DEFAULT_POLICY;
    if (t.policy) {
      const given: EvaluatedAttr[] = [];
      const seen = new Set<string>();
      for (const a of t.policy.attributes) {
        if (seen.has(a.name.name)) continue;
        seen.add(a.name.name);
        given.push({ value: ev.expr(a.value, ev.scope(t, t.file)), attr: a });
      }
      policy = checkPolicy(given, diags);
    }

    const imports: ImportIR[] = t.imports
      .map((i) => ({ as: (i.alias ?? i.name).name, domain: i.domain.name, name: i.name.name }))
      .sort((a, b) => cmp(a.domain, b.domain) || cmp(a.name, b.name) || cmp(a.as, b.as));
    const after = [...new Set(imports.map((i) => i.domain))].filter((d) => d !== name).sort();
    const { onFailure, prune, retries, timeoutMs } = policy;
    domains[name] = { after, exports, goals, imports, name, policy: { onFailure, prune, retries, timeoutMs }, providers, resources };
    releaseResourceBodies(t, ev);
  }
  if (opts.stats) opts.stats.steps = ev.stepsTaken;
  const moves = readMoved(movedDecls, domains, diags);
  for (const [from, span] of moves.spans) spans.set(movedKey(from), span);
  return { domains, spans: spans.table(), templates: ev.templateTexts, moved: moves.moved };
}

/**
 * Empties the attribute lists of a built domain's resource declarations, so that their
 * expression trees (most of the syntax tree) can be collected while later domains are built.
 * Safe because every resource of the domain has been evaluated and memoized by now (a later
 * reference to it reads the memo, never the declaration again), the spans kept in the span
 * table and in diagnostics are objects of their own, and these trees never leave compile().
 * A declaration that was not evaluated (a duplicate name) is never evaluated later either.
 */
function releaseResourceBodies(t: DomainTable, ev: Evaluator): void {
  // An instance's declarations are its template's, shared with the other instances.
  if (t.decl.instance) return;
  for (const decl of t.resources) if (ev.resources.has(`${t.name}\u0000${decl.name.name}`)) decl.attributes.length = 0;
}

/**
 * The operands of an assertion's expression, whose values a failed assertion shows: the two
 * sides of a binary operator, the operand of a unary one, a call's arguments (parentheses
 * around the whole are looked through); none for anything else (the expression is then its
 * own operand). The runtime pairs them with the residual's children (binary l/r, unary x,
 * call args), which evaluation builds in this same shape.
 */
export function assertionOperands(e: Expr): readonly Expr[] {
  while (e.kind === "Paren") e = e.expr;
  switch (e.kind) {
    case "Binary":
      return [e.left, e.right];
    case "Unary":
      return [e.operand];
    case "Call":
      return e.args;
    default:
      return [];
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: { name: { name: string } }, b: { name: { name: string } }): number => cmp(a.name.name, b.name.name);

/** The same finding at the same place (e.g. one per `for` instance) is reported once. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.span ? `${d.span.file}:${d.span.start}:${d.span.end}` : ""}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** For tests and tools: the domain tables of a program. */
export type { DomainTable };
