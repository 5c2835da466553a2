import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as sem from "../diag/catalog/semantic.js";
import type {
  Attribute,
  DomainDecl,
  ExportDecl,
  Expr,
  GoalDecl,
  ImportDecl,
  LetDecl,
  PolicyDecl,
  ProviderDecl,
  ResourceDecl,
  SourceFileNode,
} from "./ast.js";
import { arityText, BUILTINS, FUNCTION_NAMES } from "./builtins.js";
import { suggest } from "./suggest.js";

/**
 * Name resolution per domain. There is no global scope: each domain has its own table of
 * lets, resources, export values, import aliases and provider aliases. This stage reports
 * duplicate and unknown names, bad imports and exports, unknown functions and wrong arity,
 * and builds the domain graph (import edges) with its cycles. Pure; deterministic.
 */

export type Sym =
  | { readonly kind: "let"; readonly name: string; readonly span: Span; readonly decl: LetDecl }
  | { readonly kind: "resource"; readonly name: string; readonly span: Span; readonly decl: ResourceDecl }
  | { readonly kind: "export"; readonly name: string; readonly span: Span; readonly decl: ExportDecl & { value: Expr } }
  | { readonly kind: "import"; readonly name: string; readonly span: Span; readonly decl: ImportDecl }
  | { readonly kind: "provider"; readonly name: string; readonly span: Span; readonly decl: ProviderDecl };

/** One domain's declarations, by kind, and its symbol table. */
export interface DomainTable {
  readonly name: string;
  readonly decl: DomainDecl;
  /** Project-relative path of the file declaring it. */
  readonly file: string;
  /** Every name of the domain's value namespace (provider aliases included). */
  readonly symbols: Map<string, Sym>;
  readonly providers: Map<string, ProviderDecl>;
  readonly resources: ResourceDecl[];
  readonly lets: LetDecl[];
  /** Valid imports only (known domain, exported name). */
  readonly imports: ImportDecl[];
  /** `export NAME [= EXPR]` by name (first one when duplicated). */
  readonly exports: Map<string, ExportDecl>;
  readonly goals: GoalDecl[];
  readonly policy: PolicyDecl | undefined;
}

/** An import edge of the domain graph. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly span: Span;
}

export interface Resolution {
  /** By domain name; iterate with sorted keys. */
  readonly domains: Map<string, DomainTable>;
  readonly edges: Edge[];
  /** Domains that sit on an import cycle (evaluation across them stays silent). */
  readonly cyclic: Set<string>;
  readonly diagnostics: Diagnostic[];
}

/** Terraform functions whose result is not a function of the commit, with what to write instead. */
const IMPURE: ReadonlyMap<string, string> = new Map([
  ["timestamp", "write the time as a value in the code (an RFC 3339 string such as \"2026-01-31T12:00:00Z\")"],
  ["plantimestamp", "write the time as a value in the code (an RFC 3339 string such as \"2026-01-31T12:00:00Z\")"],
  ["uuid", "write the id in the code, or derive a stable one from a name with uuidv5(\"dns\", name)"],
  ["bcrypt", "hash the password outside the code and pass the hash with secret(\"NAME\")"],
  ["abspath", "use a path relative to the project: file(), fileset() and templatefile() take paths relative to the calling .lxm file"],
  ["pathexpand", "use a path relative to the project, or pass a machine's path with secret(\"NAME\")"],
]);

const META = new Set(["depends_on", "import", "protect", "provider"]);

/** Resolves a whole program (files in any order; the result does not depend on it). */
export function resolveProgram(files: readonly SourceFileNode[]): Resolution {
  const diags: Diagnostic[] = [];
  const domains = new Map<string, DomainTable>();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    for (const d of f.domains) {
      const prior = domains.get(d.name.name);
      if (prior) {
        diags.push(sem.duplicateDomain.withRelated(d.name.span, [{ span: prior.decl.name.span, message: "first declared here" }], d.name.name));
        continue;
      }
      domains.set(d.name.name, collect(d, f.path, diags));
    }
  }
  // Imports: known domain, exported name.
  for (const t of domains.values()) {
    const valid: ImportDecl[] = [];
    for (const sym of t.symbols.values()) {
      if (sym.kind !== "import") continue;
      const imp = sym.decl;
      const target = domains.get(imp.domain.name);
      if (!target) {
        diags.push(sem.unknownDomain(imp.domain.span, imp.domain.name, suggest(imp.domain.name, domains.keys())));
        continue;
      }
      if (!target.exports.has(imp.name.name)) {
        const declared = target.symbols.has(imp.name.name) && target.symbols.get(imp.name.name)!.kind !== "provider";
        diags.push(sem.notExported(imp.name.span, imp.domain.name, imp.name.name, declared, suggest(imp.name.name, target.exports.keys())));
        continue;
      }
      valid.push(imp);
    }
    for (const i of valid) t.imports.push(i);
  }
  const edges: Edge[] = [];
  for (const name of [...domains.keys()].sort()) {
    const t = domains.get(name)!;
    for (const imp of t.imports) edges.push({ from: name, to: imp.domain.name, span: imp.span });
  }
  const cyclic = findCycles(domains, edges, diags);
  for (const name of [...domains.keys()].sort()) checkReferences(domains.get(name)!, domains, diags);
  return { domains, edges, cyclic, diagnostics: diags };
}

function describe(sym: Sym): string {
  switch (sym.kind) {
    case "let":
      return "a let";
    case "resource":
      return "a resource";
    case "export":
      return "an export value";
    case "import":
      return "an import";
    case "provider":
      return "a provider alias";
  }
}

function collect(d: DomainDecl, file: string, diags: Diagnostic[]): DomainTable {
  const t: DomainTable = {
    name: d.name.name,
    decl: d,
    file,
    symbols: new Map(),
    providers: new Map(),
    resources: [],
    lets: [],
    imports: [],
    exports: new Map(),
    goals: [],
    policy: undefined,
  };
  const goals = new Map<string, GoalDecl>();
  let policy: PolicyDecl | undefined;
  const declare = (sym: Sym): boolean => {
    const prior = t.symbols.get(sym.name);
    if (prior) {
      const related = [{ span: prior.span, message: "first declared here" }];
      if (sym.kind === "import" || prior.kind === "import") diags.push(sem.importCollision.withRelated(sym.span, related, sym.name));
      else diags.push(sem.duplicateName.withRelated(sym.span, related, sym.name, describe(prior)));
      return false;
    }
    t.symbols.set(sym.name, sym);
    return true;
  };
  for (const item of d.items) {
    switch (item.kind) {
      case "Let":
        if (declare({ kind: "let", name: item.name.name, span: item.name.span, decl: item })) t.lets.push(item);
        break;
      case "Resource":
        if (declare({ kind: "resource", name: item.name.name, span: item.name.span, decl: item })) t.resources.push(item);
        break;
      case "Import": {
        const local = item.alias ?? item.name;
        declare({ kind: "import", name: local.name, span: local.span, decl: item });
        break;
      }
      case "Provider": {
        const alias = item.alias ?? item.provider;
        if (declare({ kind: "provider", name: alias.name, span: alias.span, decl: item })) t.providers.set(alias.name, item);
        break;
      }
      case "Export": {
        const prior = t.exports.get(item.name.name);
        if (prior) {
          diags.push(sem.duplicateExport.withRelated(item.name.span, [{ span: prior.name.span, message: "first exported here" }], item.name.name));
          break;
        }
        if (item.value !== undefined && !declare({ kind: "export", name: item.name.name, span: item.name.span, decl: item as ExportDecl & { value: Expr } })) break;
        t.exports.set(item.name.name, item);
        break;
      }
      case "Goal": {
        const prior = goals.get(item.name.name);
        if (prior) diags.push(sem.duplicateGoal.withRelated(item.name.span, [{ span: prior.name.span, message: "first declared here" }], item.name.name));
        else {
          goals.set(item.name.name, item);
          t.goals.push(item);
        }
        break;
      }
      case "Policy":
        if (policy) diags.push(sem.duplicatePolicy.withRelated(item.span, [{ span: policy.span, message: "first policy block" }]));
        else policy = item;
        break;
    }
  }
  // `export NAME` must name something of this domain.
  for (const [name, ex] of t.exports) {
    if (ex.value !== undefined) continue;
    const sym = t.symbols.get(name);
    if (!sym || sym.kind === "provider") {
      const cands = [...t.symbols.values()].filter((s) => s.kind !== "provider").map((s) => s.name);
      diags.push(sem.exportUnknown(ex.name.span, name, suggest(name, cands)));
      t.exports.delete(name);
    }
  }
  return { ...t, policy };
}

/** Import cycles: each elementary cycle found by a sorted DFS, reported once, rotated to start at its smallest domain. */
function findCycles(domains: Map<string, DomainTable>, edges: Edge[], diags: Diagnostic[]): Set<string> {
  const out = new Map<string, Edge[]>();
  for (const e of edges) {
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from)!.push(e);
  }
  for (const es of out.values()) es.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const state = new Map<string, 1 | 2>();
  const stack: Edge[] = [];
  const seen = new Set<string>();
  const cyclic = new Set<string>();
  // Depth-first with an explicit stack of frames: a chain of 10⁴ domains is no deeper in JS.
  const visit = (root: string): void => {
    state.set(root, 1);
    const frames: { n: string; edges: Edge[]; next: number }[] = [{ n: root, edges: out.get(root) ?? [], next: 0 }];
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      if (f.next === f.edges.length) {
        state.set(f.n, 2);
        frames.pop();
        if (frames.length > 0) stack.pop();
        continue;
      }
      const e = f.edges[f.next++]!;
      const s = state.get(e.to);
      if (s === 1) {
        const startIdx = stack.findIndex((x) => x.from === e.to);
        const cyc = [...(startIdx < 0 ? [] : stack.slice(startIdx)), e];
        let m = 0;
        for (let i = 1; i < cyc.length; i++) if (cyc[i]!.from < cyc[m]!.from) m = i;
        const rot = [...cyc.slice(m), ...cyc.slice(0, m)];
        const text = [...rot.map((x) => x.from), rot[0]!.from].join(" → ");
        for (const x of rot) cyclic.add(x.from);
        if (!seen.has(text)) {
          seen.add(text);
          diags.push(
            sem.importCycle.withRelated(
              rot[0]!.span,
              rot.map((x) => ({ span: x.span, message: `${x.from} imports from ${x.to} here` })),
              text,
            ),
          );
        }
      } else if (s === undefined) {
        stack.push(e);
        state.set(e.to, 1);
        frames.push({ n: e.to, edges: out.get(e.to) ?? [], next: 0 });
      }
    }
  };
  for (const n of [...domains.keys()].sort()) if (!state.has(n)) visit(n);
  return cyclic;
}

/** Walks every expression of a domain, checking references and calls. */
function checkReferences(t: DomainTable, domains: Map<string, DomainTable>, diags: Diagnostic[]): void {
  const visible = (locals: readonly string[]): string[] => [
    ...[...t.symbols.values()].filter((s) => s.kind !== "provider").map((s) => s.name),
    ...locals,
  ];
  const ref = (name: string, span: Span, locals: readonly string[]): void => {
    if (locals.includes(name)) return;
    const sym = t.symbols.get(name);
    if (sym) {
      if (sym.kind === "provider") diags.push(sem.notAValue(span, name));
      return;
    }
    // Does another domain have it? Prefer one that exports it (the hint is then one line).
    let owner: DomainTable | undefined;
    for (const dn of [...domains.keys()].sort()) {
      const o = domains.get(dn)!;
      if (o === t) continue;
      const s = o.symbols.get(name);
      if (!s || s.kind === "provider" || s.kind === "import") continue;
      if (o.exports.has(name)) {
        owner = o;
        break;
      }
      owner ??= o;
    }
    if (owner) {
      const exported = owner.exports.has(name);
      diags.push(sem.notImported(span, name, `import ${owner.name}.${name}`, exported ? null : `export ${name}`, owner.name));
      return;
    }
    diags.push(sem.unknownName(span, name, suggest(name, visible(locals))));
  };
  const loopVars = (vars: readonly { name: string; span: Span }[]): void => {
    if (vars.length === 2 && vars[0]!.name === vars[1]!.name) diags.push(sem.duplicateLoopVar(vars[1]!.span, vars[1]!.name));
  };
  const walk = (e: Expr, locals: readonly string[]): void => {
    switch (e.kind) {
      case "String":
        for (const p of e.parts) if (typeof p !== "string") walk(p, locals);
        return;
      case "List":
        for (const i of e.items) walk(i, locals);
        return;
      case "Object":
        for (const en of e.entries) walk(en.value, locals);
        return;
      case "Ref":
        ref(e.name, e.span, locals);
        return;
      case "Member":
        walk(e.object, locals);
        return;
      case "Index":
        walk(e.object, locals);
        walk(e.index, locals);
        return;
      case "Call": {
        const b = BUILTINS.get(e.callee.name);
        const impure = IMPURE.get(e.callee.name);
        if (!b && impure) diags.push(sem.impureFunction(e.callee.span, e.callee.name, impure));
        else if (!b) diags.push(sem.unknownFunction(e.callee.span, e.callee.name, suggest(e.callee.name, FUNCTION_NAMES)));
        // With `list...` the count is known once the list is (checked where it is evaluated).
        else if (e.expand ? e.args.length - 1 > b.max : e.args.length < b.min || e.args.length > b.max) diags.push(sem.wrongArgCount(e.span, b.name, arityText(b), e.args.length));
        for (const a of e.args) walk(a, locals);
        return;
      }
      case "Unary":
        walk(e.operand, locals);
        return;
      case "Binary":
        walk(e.left, locals);
        walk(e.right, locals);
        return;
      case "Cond":
        walk(e.test, locals);
        walk(e.then, locals);
        walk(e.otherwise, locals);
        return;
      case "ListComp": {
        walk(e.source, locals);
        loopVars(e.vars);
        const inner = [...locals, ...e.vars.map((v) => v.name)];
        walk(e.body, inner);
        if (e.cond) walk(e.cond, inner);
        return;
      }
      case "ObjectComp": {
        walk(e.source, locals);
        loopVars(e.vars);
        const inner = [...locals, ...e.vars.map((v) => v.name)];
        walk(e.key, inner);
        walk(e.value, inner);
        if (e.cond) walk(e.cond, inner);
        return;
      }
      case "Paren":
        walk(e.expr, locals);
        return;
      default:
        return;
    }
  };
  const attrs = (as: readonly Attribute[], locals: readonly string[], resource: boolean): void => {
    const seen = new Map<string, Attribute>();
    for (const a of as) {
      const prior = seen.get(a.name.name);
      if (prior) diags.push(sem.duplicateAttribute.withRelated(a.name.span, [{ span: prior.name.span, message: "first set here" }], a.name.name));
      else seen.set(a.name.name, a);
      if (a.meta && !META.has(a.name.name)) diags.push(sem.metaPrefixOnAttribute(a.meta.span, a.name.name));
      // `provider = ALIAS` names a provider block, not a value: checked with the resource.
      if (resource && a.name.name === "provider" && unparen(a.value).kind === "Ref") continue;
      walk(a.value, locals);
    }
  };
  for (const item of t.decl.items) {
    switch (item.kind) {
      case "Let":
        walk(item.value, []);
        break;
      case "Export":
        if (item.value) walk(item.value, []);
        break;
      case "Provider":
        attrs(item.attributes, [], false);
        break;
      case "Policy":
        attrs(item.attributes, [], false);
        break;
      case "Goal":
        for (const a of item.asserts) {
          walk(a.expr, []);
          if (a.message) walk(a.message, []);
        }
        break;
      case "Resource": {
        const locals: string[] = [];
        if (item.forEach) {
          walk(item.forEach.source, []);
          loopVars(item.forEach.vars);
          for (const v of item.forEach.vars) locals.push(v.name);
        }
        attrs(item.attributes, locals, true);
        break;
      }
      default:
        break;
    }
  }
}

/** Strips parentheses. */
export function unparen(e: Expr): Expr {
  while (e.kind === "Paren") e = e.expr;
  return e;
}

/** True for the reserved resource meta-attributes (depends_on, import, protect, provider). */
export function isMeta(name: string): boolean {
  return META.has(name);
}
