import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as sem from "../diag/catalog/semantic.js";
import { formatAddress } from "../program/address.js";
import { sortStrings } from "../program/canonical.js";
import type { ResourceTypeInfo, TypeCatalog } from "../program/schemas.js";
import type { Deferred, Json, JsonObject, Residual } from "../program/types.js";
import type { Attribute, Expr, ObjectEntry, ResourceDecl } from "./ast.js";
import type { ProjectFiles } from "./file-reader.js";
import type { InputValue } from "./project.js";
import { arityText, BUILTINS, resolveProjectPath } from "./builtins.js";
import { parseTemplate } from "./parser.js";
import { checkTemplateNames } from "./template-scope.js";
import { checkAttributes, describeIdentity, identityKey } from "./check.js";
import { readsSecret } from "./functions/conversion.js";
import { DeclSpans } from "./span-table.js";
import type { EvaluatedAttr } from "./check.js";
import type { DomainTable, Resolution, Sym } from "./resolve.js";
import { isMeta, unparen } from "./resolve.js";
import { suggest } from "./suggest.js";
import {
  binaryOp,
  bindVars,
  depthOf,
  EvalFailure,
  forItems,
  hasPoison,
  indexOf,
  interpolationText,
  isKnown,
  isScalar,
  isObject,
  sortedKeys,
  isSensitive,
  LIMITS,
  measure,
  memberOf,
  objectFrom,
  Poison,
  POISON,
  toResidual,
  truth,
  sizeOf,
  typeName,
  unaryOp,
  Unknown,
} from "./values.js";
import type { Value } from "./values.js";

/**
 * Compile-time evaluation: total, deterministic, partial. Known parts fold into JSON;
 * values computed by providers (readOnly attributes) and secrets stay Unknown and carry the
 * Residual the runtime finishes after apply. Lets, exports and resources are evaluated
 * lazily, in any declaration order, with cycle detection. Errors are reported once, where
 * they arise; what depends on a failed value evaluates silently to POISON.
 */

export interface EvalOptions {
  /** Reads a project file by project-relative path (file()); null when absent. */
  readonly readFile?: ((projectRelPath: string) => string | null) | undefined;
  /** The goal's files (fileexists, fileset, …). */
  readonly tree?: ProjectFiles | undefined;
  /** What input("name") reads (see CompileOptions.inputs). */
  readonly inputs?: { readonly [name: string]: InputValue } | undefined;
  readonly env?: string | null | undefined;
  /** lexum.yaml `providers`: default configuration by provider name. */
  readonly providerDefaults?: { readonly [provider: string]: JsonObject } | undefined;
}

/** Where an expression is evaluated. */
interface Scope {
  readonly t: DomainTable;
  readonly file: string;
  readonly vars: ReadonlyMap<string, Value>;
  /** Addresses of resources this evaluation reads (implicit dependencies). */
  readonly deps: Set<string>;
}

/**
 * A resource's value (what other expressions see of it) is built on first use: most
 * resources are never referenced, and their values would only hold memory.
 */
type Memo =
  | { readonly state: "pending" }
  | { readonly state: "done"; readonly value: Value; readonly deps: Deps }
  | { readonly state: "resource"; readonly resource: ResourceResult; readonly deps: Deps };

/** The resource addresses a symbol's value depends on. */
type Deps = ReadonlySet<string> | readonly string[];

/** One evaluated resource instance. */
export interface InstanceResult {
  readonly address: string;
  readonly key: string | number | null;
  readonly attrs: JsonObject;
  readonly deferred: { [attr: string]: Deferred };
  /** Sorted. */
  readonly dependsOn: string[];
  readonly protect: boolean;
  /** `import = true`: an existing object is adopted rather than refused. */
  readonly adopt: boolean;
  /** Null when it could not be computed (already reported). */
  readonly identity: string | null;
  /** Source spans of the declaration and of each attribute written in its body (shared by its instances). */
  readonly spans: DeclSpans;
}

export interface ResourceResult {
  readonly domain: string;
  readonly decl: ResourceDecl;
  readonly type: string;
  readonly providerAlias: string;
  readonly ok: boolean;
  readonly instances: InstanceResult[];
  readonly forEach: boolean;
}

export interface ProviderResult {
  readonly type: string;
  readonly config: JsonObject;
  readonly deferred: { [attr: string]: Deferred };
  /** The identity scope (x-lexum-identity config keys); null when unknown or failed. */
  readonly scope: JsonObject | null;
  readonly ok: boolean;
}

/** The most names evaluated one inside the other (see visit). */
const MAX_REFERENCE_DEPTH = 200;

const key = (domain: string, name: string) => `${domain}\u0000${name}`;

/** An identity attribute's value: known, or a literal kept deferred (sensitive); undefined otherwise. */
function identityValue(id: string, attrs: JsonObject, deferred: { [attr: string]: Deferred }): Json | undefined {
  const d = deferred[id];
  return attrs[id] ?? (d?.expr.op === "lit" ? (d.expr as { value: Json }).value : undefined);
}

/**
 * The identity attributes (identityKey's and describeIdentity's input) of an instance whose
 * identity is known. An unset identity attribute the provider assigns (`x-lexum-assigned`:
 * an `http.object` without `object_id`, the server names the object) stands for "the object
 * this resource makes": the resource's address takes its place, so two such resources never
 * claim the same object. The stand-in is an object, so it cannot collide with a string
 * identity written in the code. Any other unset identity attribute is left out (a grant with
 * no schema is on the database itself).
 */
function identityAttrs(info: Pick<ResourceTypeInfo, "identity" | "assigned">, attrs: JsonObject, deferred: { [attr: string]: Deferred }, address: string): JsonObject {
  const out: JsonObject = {};
  for (const id of info.identity) {
    const v = identityValue(id, attrs, deferred);
    if (v !== undefined) out[id] = v;
    else if (info.assigned.includes(id)) out[id] = { unset: address };
  }
  return out;
}
/** The loop variables of a scope without any (shared: scopes never write to `vars`). */
const NO_VARS: ReadonlyMap<string, Value> = new Map();
/** Shared by every memo entry that depends on no resource (never written to). */
const NO_DEPS: Set<string> = new Set();
/** The dependsOn of an instance without dependencies, shared (never mutated: program IR is read-only). */
const NO_DEPENDS_ON: string[] = [];
/**
 * The deferred attributes of an instance without any, shared (program IR is read-only), so
 * that the empty object made for each instance is not kept with it.
 */
const NO_DEFERRED: { [attr: string]: Deferred } = {};

function sharedIfEmpty(d: { [attr: string]: Deferred }): { [attr: string]: Deferred } {
  for (const _ in d) return d;
  return NO_DEFERRED;
}

/** Whether span `a` lies inside span `b`. */
function within(a: Span, b: Span): boolean {
  return a.file === b.file && a.start >= b.start && a.end <= b.end;
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

export class Evaluator {
  /** Evaluated resources by domain + "\0" + name. */
  readonly resources = new Map<string, ResourceResult>();
  private readonly providerMemo = new Map<string, ProviderResult | null>();
  private readonly memo = new Map<string, Memo>();
  private readonly stack: { domain: string; name: string; span: Span }[] = [];
  private readonly cyclesSeen = new Set<string>();
  /** Names whose references prepare() has just evaluated (visit skips walking them again). */
  private readonly ready = new Set<string>();
  /** The text of every template file rendered (compile adds them to the sources, for carets). */
  readonly templateTexts = new Map<string, string>();
  /** Parsed templates by path and text. */
  private readonly templates = new Map<string, ReturnType<typeof parseTemplate>>();
  /** Evaluation steps so far (LIMITS.steps): expressions evaluated, elements built-ins returned. */
  private steps = 0;
  private overBudget = false;
  private tooDeep = false;
  /** Names prepare() found on a loop of references: evaluated lazily, never walked again. */
  private readonly onLoop = new Set<string>();

  constructor(
    private readonly res: Resolution,
    private readonly catalog: TypeCatalog,
    private readonly opts: EvalOptions,
    private readonly diags: Diagnostic[],
  ) {}

  /** Evaluation steps taken so far (see LIMITS.steps). */
  get stepsTaken(): number {
    return this.steps;
  }

  /** A scope at domain level (no loop variables). */
  scope(t: DomainTable, file: string, deps: Set<string> = new Set()): Scope {
    return { t, file, vars: NO_VARS, deps };
  }

  // ---------------------------------------------------------------- symbols

  /** The value of a domain-level name (let, resource, export value, import alias). */
  symbol(t: DomainTable, name: string, deps: Set<string>): Value {
    return this.visit(t, name, deps, true);
  }

  /** Evaluates a domain-level name (reporting its errors) without needing its value. */
  evaluate(t: DomainTable, name: string): void {
    this.visit(t, name, null, false);
  }

  private visit(t: DomainTable, name: string, deps: Set<string> | null, wantValue: boolean): Value {
    const sym = t.symbols.get(name);
    if (!sym || sym.kind === "provider") return POISON;
    const k = key(t.name, name);
    const m = this.memo.get(k);
    if (m !== undefined && m.state !== "pending") {
      if (deps) for (const d of m.deps) deps.add(d);
      if (m.state === "done") return m.value;
      if (!wantValue) return POISON;
      const value = this.resourceValue(m.resource);
      this.memo.set(k, { state: "done", value, deps: m.deps });
      return value;
    }
    if (m?.state === "pending") {
      this.reportCycle(t.name, name);
      return POISON;
    }
    // What this name refers to is evaluated first, deepest first, from a worklist: a chain of
    // 10⁴ lets or resources then costs one level of recursion per link, not a stack frame each.
    if (!this.ready.delete(k) && !this.onLoop.has(k)) this.prepare(t, name);
    if (this.memo.get(k) !== undefined) return this.visit(t, name, deps, wantValue);
    // Only names on a loop of references get here nested (prepare evaluates the others first).
    if (this.stack.length >= MAX_REFERENCE_DEPTH) {
      if (!this.tooDeep) this.diags.push(sem.referencesTooDeep(sym.span, name, MAX_REFERENCE_DEPTH));
      this.tooDeep = true;
      return POISON;
    }
    this.memo.set(k, { state: "pending" });
    this.stack.push({ domain: t.name, name, span: sym.span });
    let own: Deps = NO_DEPS;
    let value: Value | undefined;
    let resource: ResourceResult | undefined;
    try {
      if (sym.kind === "resource") {
        resource = this.resource(t, sym.decl);
        // Its instances: an array is a third of a Set's size, and one is kept per resource.
        if (resource.instances.length > 0) own = resource.instances.map((i) => i.address);
      } else {
        const found = new Set<string>();
        value = this.computeSymbol(t, sym, found);
        if (found.size > 0) own = found;
      }
    } catch (err) {
      // A safety net under MAX_REFERENCE_DEPTH (deep expressions on each name of a loop):
      // the engine's stack ran out. Reported once, as the same finding; never a crash.
      if (!(err instanceof RangeError) || !/call stack/.test(err.message)) throw err;
      this.memo.set(k, { state: "done", value: POISON, deps: NO_DEPS });
      if (!this.tooDeep) this.diags.push(sem.referencesTooDeep(sym.span, name, MAX_REFERENCE_DEPTH));
      this.tooDeep = true;
      return POISON;
    } finally {
      this.stack.pop();
    }
    if (deps) for (const d of own) deps.add(d);
    if (resource !== undefined && !wantValue) {
      this.memo.set(k, { state: "resource", resource, deps: own });
      return POISON;
    }
    if (resource !== undefined) value = this.resourceValue(resource);
    this.memo.set(k, { state: "done", value: value!, deps: own });
    return value!;
  }

  /**
   * Evaluates, without recursion, the not yet evaluated names that `name` refers to (through
   * its expressions, its provider block and imports), each after those it refers to, so that
   * evaluating `name` finds them memoized. The references are read from the syntax tree: a
   * superset of what evaluation reads (a loop variable shadowing a name, a branch not taken),
   * which is harmless since every name is evaluated anyway. Names on a cycle (strongly
   * connected, found by an iterative Tarjan walk) or leading back to a name being evaluated
   * are left to evaluation, which reports the cycle along the references it follows.
   */
  private prepare(t: DomainTable, name: string): void {
    type Node = { t: DomainTable; name: string; key: string; refs: [DomainTable, string][]; next: number; index: number; low: number; loops: boolean; reachesPending: boolean };
    const nodes = new Map<string, Node>();
    const open: Node[] = [];
    const walk: Node[] = [];
    const order: Node[] = [];
    const make = (nt: DomainTable, nn: string, nk: string): Node => {
      const n: Node = { t: nt, name: nn, key: nk, refs: this.references(nt, nn), next: 0, index: nodes.size, low: nodes.size, loops: false, reachesPending: false };
      nodes.set(nk, n);
      open.push(n);
      walk.push(n);
      return n;
    };
    const onOpen = new Set<string>();
    onOpen.add(key(t.name, name));
    make(t, name, key(t.name, name));
    while (walk.length > 0) {
      const v = walk[walk.length - 1]!;
      if (v.next < v.refs.length) {
        const [rt, rn] = v.refs[v.next++]!;
        const rk = key(rt.name, rn);
        const m = this.memo.get(rk);
        if (m !== undefined) {
          if (m.state === "pending") v.reachesPending = true;
          continue;
        }
        const w = nodes.get(rk);
        if (w === undefined) {
          onOpen.add(rk);
          make(rt, rn, rk);
        } else if (onOpen.has(rk)) {
          v.low = Math.min(v.low, w.index);
          if (w === v) v.loops = true;
        } else if (w.reachesPending) v.reachesPending = true;
        continue;
      }
      walk.pop();
      const parent = walk[walk.length - 1];
      if (v.low === v.index) {
        // v roots a strongly connected component: the open nodes from v on.
        const at = open.lastIndexOf(v);
        const scc = open.splice(at);
        const cyclic = scc.length > 1 || v.loops;
        const pending = scc.some((x) => x.reachesPending);
        for (const x of scc) {
          onOpen.delete(x.key);
          if (cyclic) this.onLoop.add(x.key);
          x.reachesPending = pending;
          if (!cyclic && !pending && x !== nodes.get(key(t.name, name))) order.push(x);
        }
      }
      if (parent !== undefined) {
        parent.low = Math.min(parent.low, v.low);
        if (!onOpen.has(v.key) && v.reachesPending) parent.reachesPending = true;
      }
    }
    for (const n of order) {
      if (this.memo.has(n.key)) continue;
      this.ready.add(n.key);
      this.visit(n.t, n.name, null, false);
      this.ready.delete(n.key);
    }
  }

  /** The domain-level names an evaluated symbol's expressions mention (see prepare). */
  private references(t: DomainTable, name: string): [DomainTable, string][] {
    const sym = t.symbols.get(name);
    const out: [DomainTable, string][] = [];
    if (!sym) return out;
    const exprs: Expr[] = [];
    switch (sym.kind) {
      case "let":
      case "export":
        exprs.push(sym.decl.value);
        break;
      case "import": {
        const target = this.res.domains.get(sym.decl.domain.name);
        if (target?.exports.has(sym.decl.name.name) && target.symbols.has(sym.decl.name.name)) out.push([target, sym.decl.name.name]);
        return out;
      }
      case "resource": {
        const d = sym.decl;
        if (d.forEach) exprs.push(d.forEach.source);
        let alias = d.provider.name;
        for (const a of d.attributes) {
          exprs.push(a.value);
          if (a.name.name === "provider") {
            const v = unparen(a.value);
            if (v.kind === "Ref") alias = v.name;
          }
        }
        for (const a of t.providers.get(alias)?.attributes ?? []) exprs.push(a.value);
        break;
      }
      case "provider":
        return out;
    }
    const seen = new Set<string>();
    while (exprs.length > 0) {
      const e = exprs.pop()!;
      switch (e.kind) {
        case "Ref": {
          const s = t.symbols.get(e.name);
          if (s !== undefined && s.kind !== "provider" && !seen.has(e.name)) {
            seen.add(e.name);
            out.push([t, e.name]);
          }
          break;
        }
        case "String":
          for (const p of e.parts) if (typeof p !== "string") exprs.push(p);
          break;
        case "List":
          for (const i of e.items) exprs.push(i);
          break;
        case "Object":
          for (const en of e.entries) exprs.push(en.value);
          break;
        case "Member":
          exprs.push(e.object);
          break;
        case "Index":
          exprs.push(e.object, e.index);
          break;
        case "Call":
          for (const a of e.args) exprs.push(a);
          break;
        case "Unary":
          exprs.push(e.operand);
          break;
        case "Binary":
          exprs.push(e.left, e.right);
          break;
        case "Cond":
          exprs.push(e.test, e.then, e.otherwise);
          break;
        case "ListComp":
          exprs.push(e.source, e.body);
          if (e.cond) exprs.push(e.cond);
          break;
        case "ObjectComp":
          exprs.push(e.source, e.key, e.value);
          if (e.cond) exprs.push(e.cond);
          break;
        case "Paren":
          exprs.push(e.expr);
          break;
        default:
          break;
      }
    }
    return out;
  }

  private reportCycle(domain: string, name: string): void {
    const i = this.stack.findIndex((s) => s.domain === domain && s.name === name);
    const cyc = this.stack.slice(i < 0 ? 0 : i);
    // A cycle through several domains is an import cycle, reported by resolve.
    if (cyc.some((s) => s.domain !== domain) || cyc.some((s) => this.res.cyclic.has(s.domain))) return;
    let m = 0;
    for (let j = 1; j < cyc.length; j++) if (cyc[j]!.name < cyc[m]!.name) m = j;
    const rot = [...cyc.slice(m), ...cyc.slice(0, m)];
    const text = [...rot.map((s) => s.name), rot[0]!.name].join(" → ");
    if (this.cyclesSeen.has(domain + ":" + text)) return;
    this.cyclesSeen.add(domain + ":" + text);
    this.diags.push(
      sem.referenceCycle.withRelated(
        rot[0]!.span,
        rot.slice(1).map((s) => ({ span: s.span, message: `\`${s.name}\` is part of the cycle` })),
        text,
      ),
    );
  }

  private computeSymbol(t: DomainTable, sym: Sym, deps: Set<string>): Value {
    switch (sym.kind) {
      case "let": {
        const v = this.expr(sym.decl.value, this.scope(t, t.file, deps));
        const param = sym.decl.param;
        if (!param || param.type === "any" || !isKnown(v) || v === null) return v;
        const got = typeName(v);
        const want = param.type === "object" ? "object" : param.type;
        if (got === want) return v;
        this.diags.push(sem.templateArgType(sym.decl.value.span, param.template, sym.decl.name.name, `${/^[aeiou]/.test(param.type) ? "an" : "a"} ${param.type}`, got));
        return POISON;
      }
      case "export":
        return this.expr(sym.decl.value, this.scope(t, t.file, deps));
      case "import":
        return this.exported(sym.decl.domain.name, sym.decl.name.name, deps);
      case "resource": // visit() evaluates resources itself (their values are built lazily)
      case "provider":
        return POISON;
    }
  }

  /** The value a domain exports under `name` (POISON when not exported: already reported). */
  exported(domain: string, name: string, deps: Set<string>): Value {
    const t = this.res.domains.get(domain);
    const ex = t?.exports.get(name);
    if (!t || !ex) return POISON;
    return this.symbol(t, name, deps);
  }

  /** True when `name` in domain `t` names a resource (directly, or through an import of an exported resource). No evaluation. */
  namesResource(t: DomainTable, name: string, depth = 0): boolean {
    return this.resourceSym(t, name, depth) !== null;
  }

  /** The domain and declaration a resource name refers to (through imports), or null. */
  resourceSym(t: DomainTable, name: string, depth = 0): { t: DomainTable; decl: ResourceDecl } | null {
    const sym = t.symbols.get(name);
    if (!sym || depth > 64) return null;
    if (sym.kind === "resource") return { t, decl: sym.decl };
    if (sym.kind === "import") {
      const target = this.res.domains.get(sym.decl.domain.name);
      const ex = target?.exports.get(sym.decl.name.name);
      if (!target || !ex || ex.value) return null;
      return this.resourceSym(target, sym.decl.name.name, depth + 1);
    }
    return null;
  }

  // ---------------------------------------------------------------- providers

  /** A provider block of a domain, evaluated and checked once. */
  provider(t: DomainTable, alias: string): ProviderResult | null {
    const k = key(t.name, alias);
    if (this.providerMemo.has(k)) return this.providerMemo.get(k)!;
    this.providerMemo.set(k, null);
    const decl = t.providers.get(alias);
    if (!decl) return null;
    const pname = decl.provider.name;
    const info = this.catalog.providers.get(pname);
    const given = new Map<string, EvaluatedAttr>();
    let ok = true;
    for (const a of decl.attributes) {
      if (given.has(a.name.name)) continue;
      if (isMeta(a.name.name)) {
        this.diags.push(sem.metaAsProviderAttribute(a.name.span, a.name.name));
        ok = false;
        continue;
      }
      given.set(a.name.name, { value: this.expr(a.value, this.scope(t, t.file)), attr: a });
    }
    if (!info) {
      const known = [...this.catalog.providers.keys()].sort();
      this.diags.push(sem.unknownProvider(decl.provider.span, pname, known, suggest(pname, known)));
      return null;
    }
    const checked = checkAttributes(info, given, decl.provider.span, this.diags, this.opts.providerDefaults?.[pname] ?? {});
    ok &&= checked.ok;
    let scope: JsonObject | null = {};
    for (const id of info.identity) {
      const v = checked.attrs[id];
      if (v !== undefined) scope[id] = v;
      else if (checked.deferred[id]) {
        const at = given.get(id);
        this.diags.push(sem.unknownForSource(at ? at.attr.value.span : decl.provider.span, `provider setting \`${id}\` (it scopes identities)`));
        scope = null;
        ok = false;
        break;
      }
    }
    const r: ProviderResult = { type: pname, config: checked.attrs, deferred: checked.deferred, scope: ok ? scope : null, ok };
    this.providerMemo.set(k, r);
    return r;
  }

  // ---------------------------------------------------------------- resources

  /** Evaluates and checks a resource declaration once (every instance). */
  resource(t: DomainTable, decl: ResourceDecl): ResourceResult {
    const k = key(t.name, decl.name.name);
    const done = this.resources.get(k);
    if (done) return done;
    const pname = decl.provider.name;
    const type = `${pname}.${decl.type.name}`;
    let typeOk = true;
    const info = this.catalog.resources.get(type);
    if (!this.catalog.providers.has(pname)) {
      const known = [...this.catalog.providers.keys()].sort();
      this.diags.push(sem.unknownProvider(decl.provider.span, pname, known, suggest(pname, known)));
      typeOk = false;
    } else if (!info) {
      const known = [...this.catalog.resources.keys()].filter((n) => n.startsWith(pname + ".")).sort();
      this.diags.push(sem.unknownResourceType(decl.type.span, type, known, suggest(type, known)));
      typeOk = false;
    }
    const meta = new Map<string, Attribute>();
    const plain: Attribute[] = [];
    const seen = new Set<string>();
    for (const a of decl.attributes) {
      if (seen.has(a.name.name)) continue; // duplicate: reported by resolve
      seen.add(a.name.name);
      if (isMeta(a.name.name)) meta.set(a.name.name, a);
      else plain.push(a);
    }
    // provider = ALIAS
    let alias = pname;
    let providerOk = typeOk;
    const pa = meta.get("provider");
    if (pa) {
      const v = unparen(pa.value);
      if (v.kind !== "Ref") {
        this.diags.push(sem.badMetaAttribute(pa.value.span, "provider", "the alias of a provider block of this domain"));
        providerOk = false;
      } else {
        alias = v.name;
        const blk = t.providers.get(alias);
        if (!blk) {
          this.diags.push(sem.unknownProviderAlias(v.span, alias, suggest(alias, [...t.providers.keys()])));
          providerOk = false;
        } else if (typeOk && blk.provider.name !== pname) {
          this.diags.push(sem.providerMismatch(v.span, alias, blk.provider.name, pname));
          providerOk = false;
        }
      }
    } else if (typeOk && !t.providers.has(alias)) {
      this.diags.push(sem.missingProviderBlock(decl.provider.span, pname, `provider ${pname} { … }`));
      providerOk = false;
    }
    const prov = providerOk ? this.provider(t, alias) : null;
    // depends_on: resources of this domain or imported ones. Evaluated as references, so
    // the addresses come from the same dependency tracking (and cycles are caught the same way).
    const explicit = new Set<string>();
    const dep = meta.get("depends_on");
    let metaOk = true;
    if (dep) {
      const list = unparen(dep.value);
      if (list.kind !== "List") {
        this.diags.push(sem.badMetaAttribute(dep.value.span, "depends_on", "a list of resources, e.g. [data, settings]"));
        metaOk = false;
      } else {
        for (const item of list.items) {
          let base = unparen(item);
          while (base.kind === "Index") base = unparen(base.object);
          if (base.kind !== "Ref" || !this.namesResource(t, base.name)) {
            if (base.kind !== "Ref" || t.symbols.has(base.name)) this.diags.push(sem.badMetaAttribute(item.span, "depends_on", "a list of resources, e.g. [data, settings]"));
            metaOk = false;
            continue;
          }
          if (hasPoison(this.expr(item, this.scope(t, t.file, explicit)))) metaOk = false;
        }
      }
    }
    // Instances.
    type Inst = { key: string | number | null; vars: ReadonlyMap<string, Value> };
    let insts: Inst[] = [];
    let ok = typeOk && providerOk && metaOk && (prov?.ok ?? false);
    if (decl.forEach) {
      const fe = decl.forEach;
      const src = this.expr(fe.source, this.scope(t, t.file));
      if (hasPoison(src)) {
        ok = false;
      } else if (src instanceof Unknown) {
        this.diags.push(sem.unknownForSource(fe.source.span, "the collection of a `for` resource"));
        ok = false;
      } else if (Array.isArray(src)) {
        if (fe.vars.length !== 1) {
          this.diags.push(sem.forVarCount(fe.span, "a `for` resource over a list takes one variable: the element, which is also the instance key"));
          ok = false;
        } else {
          const firstAt = new Map<string, number>();
          const lit = unparen(fe.source);
          const items = lit.kind === "List" && lit.items.length === src.length ? lit.items : null;
          const itemSpan = (i: number): Span => (items ? items[i]!.span : fe.source.span);
          src.forEach((el, i) => {
            if (typeof el !== "string" && typeof el !== "number") {
              if (el instanceof Unknown) this.diags.push(sem.unknownForSource(itemSpan(i), "an instance key"));
              else this.diags.push(sem.badForKey(itemSpan(i), typeName(el)));
              ok = false;
              return;
            }
            const ks = typeof el === "string" ? JSON.stringify(el) : String(el);
            const prior = firstAt.get(ks);
            if (prior !== undefined) {
              // Without a list literal both elements share the collection's span: a note would only repeat it.
              const firstSpan = itemSpan(prior);
              const second = itemSpan(i);
              this.diags.push(
                items === null
                  ? sem.duplicateForKey(second, ks, prior, i)
                  : sem.duplicateForKey.withRelated(second, [{ span: firstSpan, message: "first element with this key" }], ks, prior, i),
              );
              ok = false;
              return;
            }
            firstAt.set(ks, i);
            insts.push({ key: el, vars: new Map([[fe.vars[0]!.name, el]]) });
          });
        }
      } else if (isObject(src)) {
        for (const item of forItems(src)) insts.push({ key: item.index as string, vars: new Map(bindVars(fe.vars.map((v) => v.name), item)) });
      } else {
        this.diags.push(sem.notIterable(fe.source.span, typeName(src)));
        ok = false;
      }
    } else {
      insts = [{ key: null, vars: NO_VARS }];
    }
    // The same for every instance of the declaration: built once and shared.
    const spans = new DeclSpans(decl.span, plain);
    // A node builds a new Span on each read: read once for all instances.
    const nameSpan = decl.name.span;
    const instances: InstanceResult[] = [];
    for (const inst of insts) {
      const address = formatAddress(t.name, type, decl.name.name, inst.key);
      const deps = new Set<string>();
      const scope: Scope = { t, file: t.file, vars: inst.vars, deps };
      const given = new Map<string, EvaluatedAttr>();
      for (const a of plain) given.set(a.name.name, { value: this.expr(a.value, scope), attr: a });
      const metaBool = (name: "protect" | "import"): boolean => {
        const m = meta.get(name);
        if (!m) return false;
        const v = this.expr(m.value, scope);
        if (typeof v === "boolean") return v;
        if (!hasPoison(v)) {
          this.diags.push(sem.badMetaAttribute(m.value.span, name, "a bool known at compile time"));
          ok = false;
        }
        return false;
      };
      const protect = metaBool("protect");
      const adopt = metaBool("import");
      let attrs: JsonObject = {};
      let deferred: { [attr: string]: Deferred } = {};
      let identity: string | null = null;
      if (typeOk && info) {
        const checked = checkAttributes(info, given, nameSpan, this.diags);
        attrs = checked.attrs;
        deferred = checked.deferred;
        ok &&= checked.ok;
        if (checked.ok && prov?.scope) {
          let idOk = true;
          for (const id of info.identity) {
            if (identityValue(id, attrs, deferred) === undefined && deferred[id]) {
              const g = given.get(id);
              this.diags.push(sem.unknownForSource(g ? g.attr.value.span : nameSpan, `identity attribute \`${id}\``));
              idOk = false;
              ok = false;
            }
          }
          if (idOk) identity = identityKey(pname, prov.scope, identityAttrs(info, attrs, deferred, address));
        }
      } else {
        for (const [n, g] of given) if (isKnown(g.value)) attrs[n] = g.value;
      }
      for (const d of explicit) deps.add(d);
      deps.delete(address);
      instances.push({ address, key: inst.key, attrs, deferred: sharedIfEmpty(deferred), dependsOn: deps.size === 0 ? NO_DEPENDS_ON : sortStrings([...deps]), protect, adopt, identity, spans });
    }
    const final: ResourceResult = { domain: t.name, decl, type, providerAlias: alias, ok, instances, forEach: !!decl.forEach };
    this.resources.set(k, final);
    return final;
  }

  /**
   * Human form of an instance's identity (describeIdentity), for an authority conflict; ""
   * when it has none. Recomputed from the instance rather than kept for every instance.
   */
  describeIdentityOf(r: ResourceResult, i: InstanceResult): string {
    const info = this.catalog.resources.get(r.type);
    const scope = this.providerMemo.get(key(r.domain, r.providerAlias))?.scope;
    if (i.identity === null || !info || !scope) return "";
    return describeIdentity(r.decl.provider.name, scope, identityAttrs(info, i.attrs, i.deferred, i.address));
  }

  /** What other expressions see of a resource: known attributes, Unknown for deferred and computed ones. */
  private resourceValue(r: ResourceResult): Value {
    if (!r.ok) return POISON;
    const info = this.catalog.resources.get(r.type);
    const one = (i: InstanceResult): Value => {
      const entries: [string, Value][] = [];
      for (const n of sortStrings(Object.keys(i.attrs))) entries.push([n, i.attrs[n]!]);
      for (const n of sortStrings(Object.keys(i.deferred))) entries.push([n, new Unknown({ op: "ref", address: i.address, attr: n }, i.deferred[n]!.sensitive)]);
      for (const n of info?.readOnly ?? []) entries.push([n, new Unknown({ op: "ref", address: i.address, attr: n }, (info?.sensitive ?? []).includes(n))]);
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return objectFrom(entries);
    };
    if (!r.forEach) return r.instances[0] ? one(r.instances[0]) : POISON;
    return objectFrom(r.instances.map((i) => [typeof i.key === "number" ? String(i.key) : (i.key as string), one(i)]));
  }

  // ---------------------------------------------------------------- expressions

  /** Evaluates an expression. Never throws for user input; reports and returns POISON. */
  expr(e: Expr, s: Scope): Value {
    if (++this.steps > LIMITS.steps) return this.budgetExceeded(e.span);
    switch (e.kind) {
      case "String":
        return this.interp(e.parts, s, e.span);
      case "Number":
        return e.value;
      case "Bool":
        return e.value;
      case "Null":
        return null;
      case "Duration":
        return e.ms;
      case "Paren":
        return this.expr(e.expr, s);
      case "Error":
        return POISON;
      case "List":
        return this.bounded(
          e.items.map((i) => this.expr(i, s)),
          e.span,
        );
      case "Object": {
        const list = e.entries;
        const entries: [string, Value][] = [];
        // Duplicate keys are rare: a small literal compares its keys (no Map per evaluation),
        // and key spans (a new object on each read) are read only to report one.
        const seen = list.length > 8 ? new Map<string, ObjectEntry>() : null;
        for (let k = 0; k < list.length; k++) {
          const en = list[k]!;
          let prior: ObjectEntry | undefined;
          if (seen !== null) {
            prior = seen.get(en.key);
            if (prior === undefined) seen.set(en.key, en);
          } else {
            for (let j = 0; j < k; j++) {
              if (list[j]!.key === en.key) {
                prior = list[j];
                break;
              }
            }
          }
          if (prior !== undefined) {
            this.diags.push(sem.duplicateObjectKey.withRelated(en.keySpan, [{ span: prior.keySpan, message: "first written here" }], JSON.stringify(en.key)));
            continue;
          }
          entries.push([en.key, this.expr(en.value, s)]);
        }
        return this.bounded(objectFrom(entries), e.span);
      }
      case "Ref": {
        const local = s.vars.get(e.name);
        if (local !== undefined) return local;
        return this.symbol(s.t, e.name, s.deps);
      }
      case "Member": {
        const x = this.expr(e.object, s);
        if (x instanceof Poison) return POISON;
        if (x instanceof Unknown) return new Unknown({ op: "member", x: x.expr, name: e.name.name }, x.sensitive);
        return this.attempt(() => memberOf(x, e.name.name), [e.object.span], e.name.span);
      }
      case "Index": {
        const x = this.expr(e.object, s);
        const i = this.expr(e.index, s);
        if (x instanceof Poison || hasPoison(i)) return POISON;
        if (x instanceof Unknown || !isKnown(i)) {
          return new Unknown({ op: "index", x: toResidual(x), i: toResidual(i) }, isSensitive(x) || isSensitive(i));
        }
        return this.attempt(() => indexOf(x, i), [e.object.span, e.index.span], e.span);
      }
      case "Unary": {
        const x = this.expr(e.operand, s);
        return this.lift([x], [e.operand.span], e.span, ([a]) => unaryOp(e.op, a!), ([a]) => ({ op: "unary", o: e.op, x: a! }));
      }
      case "Binary": {
        const l = this.expr(e.left, s);
        if (e.op === "&&" || e.op === "||") {
          if (l instanceof Poison) return POISON;
          if (l === (e.op === "||")) return l;
          if (isKnown(l) && typeof l !== "boolean") {
            return this.attempt(() => binaryOp(e.op, l, true), [e.left.span, e.right.span], e.opSpan);
          }
        }
        const r = this.expr(e.right, s);
        // Both sides plain scalars (the common case): no residual can arise, skip the generic path.
        if (isScalar(l) && isScalar(r)) {
          try {
            return binaryOp(e.op, l, r);
          } catch (err) {
            return this.failure(err, [e.left.span, e.right.span], e.opSpan);
          }
        }
        return this.lift([l, r], [e.left.span, e.right.span], e.opSpan, ([a, b]) => binaryOp(e.op, a!, b!), ([a, b]) => ({ op: "binary", o: e.op, l: a!, r: b! }));
      }
      case "Cond": {
        const c = this.expr(e.test, s);
        if (hasPoison(c)) return POISON;
        if (isKnown(c)) {
          const ok = this.attempt(() => truth(c, e.template ? "the condition of `%{ if }`" : "the condition of `?:`"), [e.test.span], e.test.span);
          if (ok instanceof Poison) return POISON;
          return ok ? this.expr(e.then, s) : this.expr(e.otherwise, s);
        }
        const t = this.expr(e.then, s);
        const o = this.expr(e.otherwise, s);
        if (hasPoison(t) || hasPoison(o)) return POISON;
        return new Unknown({ op: "cond", c: toResidual(c), t: toResidual(t), e: toResidual(o) }, isSensitive(c) || isSensitive(t) || isSensitive(o));
      }
      case "Call":
        return this.call(e.callee.name, e.args, e.span, s, e.expand === true);
      case "ListComp":
        return this.bounded(
          this.comprehension(e.vars.map((v) => v.name), e.source, e.cond, s, (inner) => ({ body: this.expr(e.body, inner) }), false),
          e.span,
        );
      case "ObjectComp":
        return this.bounded(
          this.comprehension(e.vars.map((v) => v.name), e.source, e.cond, s, (inner) => ({ key: this.expr(e.key, inner), body: this.expr(e.value, inner) }), true, e.key.span, e.group === true),
          e.span,
        );
    }
  }

  /** Reports, once for the program, that evaluation went past LIMITS.steps (at the expression that crossed it). */
  private budgetExceeded(span: Span): Poison {
    if (!this.overBudget) {
      this.overBudget = true;
      this.diags.push(sem.evaluationBudget(span, LIMITS.steps));
    }
    return POISON;
  }

  /**
   * A list or object just built, unless it nests deeper than LIMITS.depth or its size through
   * every level passes LIMITS.size (then reported at `span`): later stages walk values
   * recursively and write them out whole.
   */
  private bounded(v: Value, span: Span): Value {
    if (typeof v !== "object" || v === null || v instanceof Poison || v instanceof Unknown) return v;
    // A part that failed fails the whole (already reported): without this, a chain of values
    // wrapping a failed one would be measured, and refused, again every 512 levels.
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] instanceof Poison) return POISON;
    } else for (const k in v) if (v[k] instanceof Poison) return POISON;
    const m = measure(v);
    if (depthOf(m) > LIMITS.depth) {
      this.diags.push(sem.valueTooDeep(span, "this value", LIMITS.depth));
      return POISON;
    }
    if (sizeOf(m) > LIMITS.size) {
      this.diags.push(sem.tooLarge(span, "the size of this value (its elements through every level)", LIMITS.size));
      return POISON;
    }
    return v;
  }

  /** Runs an operation on known values, turning an EvalFailure into a diagnostic at the operand's span. */
  private attempt<T extends Value>(f: () => T, spans: readonly Span[], whole: Span): T | Poison {
    try {
      return f();
    } catch (err) {
      return this.failure(err, spans, whole);
    }
  }

  /** Reports a caught EvalFailure at the operand's span (rethrows anything else: a bug). */
  private failure(err: unknown, spans: readonly Span[], whole: Span): Poison {
    // A string or list past what the engine can hold, built before a limit could be checked.
    if (err instanceof RangeError && /^Invalid (string|array) length/.test(err.message)) {
      this.diags.push(sem.tooLarge(whole, "the value built here", LIMITS.stringLength));
      return POISON;
    }
    if (!(err instanceof EvalFailure)) throw err;
    const at = err.at === null ? whole : (spans[err.at] ?? whole);
    this.diags.push(err.make(at));
    return POISON;
  }

  /** Applies an operation: POISON in → POISON out; all known → computed; otherwise a residual. */
  private lift(args: Value[], spans: readonly Span[], whole: Span, known: (a: Json[]) => Json, residual: (r: Residual[]) => Residual): Value {
    if (args.some(hasPoison)) return POISON;
    if (args.every(isKnown)) return this.attempt(() => known(args as Json[]), spans, whole);
    return new Unknown(residual(args.map(toResidual)), args.some(isSensitive));
  }

  private interp(parts: readonly (string | Expr)[], s: Scope, span: Span): Value {
    const vals: Value[] = [];
    let failed = false;
    // True while every part is a string, number or bool: those always have a text.
    let scalars = true;
    for (const p of parts) {
      if (typeof p === "string") {
        vals.push(p);
        continue;
      }
      const v = this.expr(p, s);
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        vals.push(v);
        continue;
      }
      scalars = false;
      // Check known parts now so the error points at them even when others are unknown.
      if (!hasPoison(v) && isKnown(v) && this.attempt(() => interpolationText(v), [p.span], p.span) instanceof Poison) failed = true;
      if (!isKnown(v) && !(v instanceof Unknown) && !hasPoison(v)) {
        this.diags.push(sem.badInterpolation(p.span, typeName(v)));
        failed = true;
      }
      vals.push(v);
    }
    if (scalars) {
      let text = "";
      for (const v of vals) {
        const piece = typeof v === "string" ? v : interpolationText(v as number | boolean);
        if (text.length + piece.length > LIMITS.stringLength) return this.tooLong(span);
        text += piece;
      }
      return text;
    }
    if (failed || vals.some(hasPoison)) return POISON;
    if (vals.every(isKnown)) {
      const pieces = (vals as Json[]).map((v) => interpolationText(v));
      let length = 0;
      for (const p of pieces) length += p.length;
      return length > LIMITS.stringLength ? this.tooLong(span) : pieces.join("");
    }
    return new Unknown({ op: "interp", parts: vals.map(toResidual) }, vals.some(isSensitive));
  }

  private tooLong(span: Span): Poison {
    this.diags.push(sem.tooLarge(span, "the interpolated string", LIMITS.stringLength));
    return POISON;
  }

  private call(name: string, argExprs: readonly Expr[], span: Span, s: Scope, expand = false): Value {
    const b = BUILTINS.get(name);
    if (!b || (expand ? argExprs.length - 1 > b.max : argExprs.length < b.min || argExprs.length > b.max)) {
      for (const a of argExprs) this.expr(a, s);
      return POISON; // reported by resolve
    }
    if (!expand && (name === "try" || name === "can")) return this.tryCall(name, argExprs, s);
    if (!expand && (name === "templatefile" || name === "templatestring")) return this.template(name, argExprs, span, s);
    let args = argExprs.map((a) => this.expr(a, s));
    if (expand) {
      const last = args[args.length - 1]!;
      const lastSpan = argExprs[argExprs.length - 1]!.span;
      if (hasPoison(last)) return POISON;
      if (last instanceof Unknown) {
        // The list is known only at apply: so is the call, expanded then.
        return new Unknown({ op: "call", fn: name, args: args.map(toResidual), expand: true }, args.some(isSensitive));
      }
      if (!Array.isArray(last)) {
        this.diags.push(sem.expansionNotList(lastSpan, typeName(last)));
        return POISON;
      }
      args = [...args.slice(0, -1), ...last];
      if (args.length < b.min || args.length > b.max) {
        this.diags.push(sem.wrongArgCount(span, b.name, arityText(b), args.length));
        return POISON;
      }
      argExprs = [...argExprs.slice(0, -1), ...last.map(() => argExprs[argExprs.length - 1]!)];
    }
    // The arguments' spans only matter for a finding (rare): not gathered per call.
    const span0 = argExprs[0]?.span;
    if (args.some(hasPoison)) return POISON;
    if (name === "sensitive" || name === "nonsensitive" || name === "issensitive") return this.marking(name, args[0]!, span0);
    if (name === "input") {
      const n = args[0]!;
      if (!isKnown(n)) {
        this.diags.push(sem.unknownForSource(span0, "the name of an input"));
        return POISON;
      }
      if (typeof n !== "string") {
        this.diags.push(sem.argumentType(span0, "input", 1, "a string", typeName(n)));
        return POISON;
      }
      const inputs = this.opts.inputs ?? {};
      const decl = Object.prototype.hasOwnProperty.call(inputs, n) ? inputs[n]! : undefined;
      if (!decl) {
        const declared = Object.keys(inputs).sort();
        this.diags.push(sem.unknownInput(span0, n, declared, suggest(n, declared)));
        return POISON;
      }
      if (decl.value === undefined) {
        this.diags.push(sem.inputWithoutValue(span0, n, this.opts.env ?? null));
        return POISON;
      }
      return this.bounded(decl.value, span);
    }
    if (name === "secret") {
      const n = args[0]!;
      if (!isKnown(n)) {
        this.diags.push(sem.unknownForSource(span0, "the name of a secret"));
        return POISON;
      }
      if (typeof n !== "string") {
        this.diags.push(sem.argumentType(span0, "secret", 1, "a string", typeName(n)));
        return POISON;
      }
      return new Unknown({ op: "secret", name: n }, true);
    }
    if (b.compileTimeOnly && !args.every(isKnown)) {
      this.diags.push(sem.unknownForSource(span0, `the argument of \`${name}\``));
      return POISON;
    }
    if (args.every(isKnown)) {
      try {
        const out = b.impl(args as Json[], { file: s.file, readFile: this.opts.readFile, tree: this.opts.tree });
        if (typeof out !== "object" || out === null) return out;
        // Elements a built-in returns are work too (range, concat, …), counted once each.
        this.steps += Array.isArray(out) ? out.length : Object.keys(out).length;
        if (this.steps > LIMITS.steps) return this.budgetExceeded(span);
        return this.bounded(out, span);
      } catch (err) {
        return this.failure(err, argExprs.map((a) => a.span), span);
      }
    }
    if (b.partial) {
      const r = b.partial(args);
      if (r !== undefined) return r;
    }
    return new Unknown({ op: "call", fn: name, args: args.map(toResidual) }, args.some(isSensitive));
  }

  /**
   * `try` and `can`: each argument is evaluated on its own, and an error located inside it is
   * not reported but makes it fail (an error in a declaration it refers to stays reported: it
   * is not the argument's). `try` gives the first argument that succeeds, evaluating no
   * further; `can` whether its argument succeeds. An argument known only at apply time leaves
   * the decision to then: the call becomes a residual over it and the later arguments that
   * did not fail already.
   */
  private tryCall(name: "try" | "can", argExprs: readonly Expr[], s: Scope): Value {
    const failures: Diagnostic[] = [];
    const pending: Value[] = [];
    for (const a of argExprs) {
      const mark = this.diags.length;
      const budget = this.overBudget;
      const v = this.expr(a, s);
      // The program's evaluation budget is not an error of this expression.
      if (this.overBudget !== budget) return POISON;
      const own: Diagnostic[] = [];
      for (let i = mark; i < this.diags.length; ) {
        const d = this.diags[i]!;
        if (d.severity === "error" && d.span && within(d.span, a.span)) {
          own.push(d);
          this.diags.splice(i, 1);
        } else i++;
      }
      if (own.length > 0 || hasPoison(v)) {
        failures.push(...own);
        if (name === "can") return false;
        continue;
      }
      if (isKnown(v) && pending.length === 0) return name === "can" ? true : v;
      pending.push(v);
      if (name === "can") break;
    }
    if (pending.length > 0) return new Unknown({ op: "call", fn: name, args: pending.map(toResidual) }, pending.some(isSensitive));
    // Every argument failed: their errors are the call's.
    this.diags.push(...failures);
    return POISON;
  }

  /**
   * `templatefile(path, vars)` and `templatestring(ref, vars)`: the template is parsed (once per
   * text), its names checked against the variables (checkTemplateNames), and its body
   * evaluated in a scope holding only them, so that a value known only at apply makes the
   * result a residual like any string template. A template file's findings point into it (the
   * file joins the sources); a templatestring's point at its first argument, with the line and
   * column inside the template.
   */
  private template(name: "templatefile" | "templatestring", argExprs: readonly Expr[], span: Span, s: Scope): Value {
    const [first, second] = argExprs as [Expr, Expr];
    if (name === "templatestring") {
      let root = unparen(first);
      while (root.kind === "Member" || root.kind === "Index") root = unparen(root.object);
      if (root.kind !== "Ref") {
        this.expr(first, s);
        this.expr(second, s);
        this.diags.push(sem.templateNotReference(first.span));
        return POISON;
      }
    }
    const a = this.expr(first, s);
    const vars = this.expr(second, s);
    if (hasPoison(a) || vars instanceof Poison) return POISON;
    const what = name === "templatefile" ? "the path of `templatefile`" : "the template of `templatestring`";
    if (!isKnown(a)) {
      this.diags.push(sem.unknownForSource(first.span, what));
      return POISON;
    }
    if (typeof a !== "string") {
      this.diags.push(sem.argumentType(first.span, name, 1, "a string", typeName(a)));
      return POISON;
    }
    if (!isObject(vars)) {
      this.diags.push(vars instanceof Unknown ? sem.templateVars(second.span, "the object must be known at compile time (its values may be known only at apply)") : sem.argumentType(second.span, name, 2, "an object", typeName(vars)));
      return POISON;
    }
    const names = sortedKeys(vars);
    const bad = names.find((k) => !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k));
    if (bad !== undefined) {
      this.diags.push(sem.templateVars(second.span, `${JSON.stringify(bad)} is not a name`));
      return POISON;
    }
    let path: string;
    let text: string;
    if (name === "templatefile") {
      const rel = resolveProjectPath(s.file, a);
      if (rel === null) {
        this.diags.push(sem.fileEscapes(first.span, a));
        return POISON;
      }
      const read = this.opts.readFile ? this.opts.readFile(rel) : null;
      if (read === null) {
        this.diags.push(sem.fileNotFound(first.span, a));
        return POISON;
      }
      path = rel;
      text = read;
      this.templateTexts.set(rel, text);
    } else {
      path = `${s.file}\u0000template`;
      text = a;
    }
    const key = `${path}\u0000${text}`;
    let parsed = this.templates.get(key);
    if (!parsed) {
      parsed = parseTemplate(path, text);
      this.templates.set(key, parsed);
    }
    const mark = this.diags.length;
    let out: Value = POISON;
    if (parsed.expr === null) this.diags.push(...parsed.diagnostics);
    else {
      const problems = checkTemplateNames(parsed.expr, names);
      if (problems.length > 0) this.diags.push(...problems);
      else out = this.expr(parsed.expr, { t: s.t, file: name === "templatefile" ? path : s.file, vars: new Map(names.map((k) => [k, vars[k]!])), deps: s.deps });
    }
    for (let i = mark; i < this.diags.length; i++) {
      const d = this.diags[i]!;
      if (d.span?.file !== path) continue;
      if (name === "templatefile") this.diags[i] = { ...d, related: [...(d.related ?? []), { span, message: "the template is rendered here" }] };
      else {
        const { line, column } = lineColumn(text, d.span.start);
        this.diags[i] = { ...d, span: first.span, message: `${d.message} (line ${line}, column ${column} of the template)` };
      }
    }
    return out;
  }

  /** `sensitive`, `nonsensitive`, `issensitive`: a value's marking is an Unknown's `sensitive` flag (see LXM2202). */
  private marking(name: "sensitive" | "nonsensitive" | "issensitive", v: Value, at: Span | undefined): Value {
    if (name === "sensitive") return new Unknown({ op: "call", fn: "sensitive", args: [toResidual(v)] }, true);
    if (name === "issensitive") {
      if (isKnown(v)) return false;
      if (isSensitive(v)) return true;
      return new Unknown({ op: "call", fn: "issensitive", args: [toResidual(v)] }, false);
    }
    if (isKnown(v)) return v;
    const r = toResidual(v);
    if (readsSecret(r)) {
      this.diags.push(sem.secretDeclassified(at, "a `secret()`"));
      return POISON;
    }
    // `nonsensitive(sensitive(x))` with x in the code: x itself.
    if (r.op === "call" && r.fn === "sensitive" && r.args[0]!.op === "lit") return r.args[0]!.value;
    return new Unknown({ op: "call", fn: "nonsensitive", args: [r] }, false);
  }

  private comprehension(
    vars: string[],
    source: Expr,
    cond: Expr | undefined,
    s: Scope,
    body: (inner: Scope) => { key?: Value; body: Value },
    object: boolean,
    keySpan?: Span,
    group = false,
  ): Value {
    const src = this.expr(source, s);
    if (src instanceof Poison) return POISON;
    const residual = (srcR: Residual): Value => {
      const inner: Scope = { ...s, vars: new Map([...s.vars, ...vars.map((v) => [v, new Unknown({ op: "var", name: v }, false)] as [string, Value])]) };
      const c = cond ? this.expr(cond, inner) : true;
      const out = body(inner);
      const parts = [c, out.body, ...(out.key !== undefined ? [out.key] : [])];
      if (parts.some(hasPoison)) return POISON;
      const sens = isSensitive(src) || parts.some(isSensitive);
      const condR = cond ? toResidual(c) : null;
      return new Unknown(
        object
          ? { op: "objcomp", vars, src: srcR, key: toResidual(out.key!), value: toResidual(out.body), cond: condR, ...(group ? { group: true as const } : {}) }
          : { op: "listcomp", vars, src: srcR, body: toResidual(out.body), cond: condR },
        sens,
      );
    };
    if (src instanceof Unknown) return residual(src.expr);
    const items = this.attempt(() => forItems(src) as never, [source.span], source.span) as unknown;
    if (items instanceof Poison) return POISON;
    const list: Value[] = [];
    const entries = new Map<string, Value>();
    // One scope for every iteration, its variables rebound each time: nothing keeps a scope
    // beyond the evaluation of one element (values never capture one).
    const innerVars = new Map(s.vars);
    const inner: Scope = { ...s, vars: innerVars };
    for (const item of items as ReturnType<typeof forItems>) {
      if (vars.length === 1) innerVars.set(vars[0]!, item.value);
      else for (const [n, v] of bindVars(vars, item)) innerVars.set(n, v);
      if (cond) {
        const c = this.expr(cond, inner);
        if (hasPoison(c)) return POISON;
        if (!isKnown(c)) return residual(toResidual(src));
        const t = this.attempt(() => truth(c, "the condition of a comprehension"), [cond.span], cond.span);
        if (t instanceof Poison) return POISON;
        if (!t) continue;
      }
      const out = body(inner);
      if (hasPoison(out.body) || (out.key !== undefined && hasPoison(out.key))) return POISON;
      if (object) {
        const k = out.key!;
        if (!isKnown(k)) return residual(toResidual(src));
        if (typeof k !== "string") {
          this.diags.push(sem.typeMismatch(keySpan, "an object comprehension key", "a string", typeName(k)));
          return POISON;
        }
        if (group) {
          const seen = entries.get(k) as Value[] | undefined;
          if (seen) seen.push(out.body);
          else entries.set(k, [out.body]);
          continue;
        }
        if (entries.has(k)) {
          this.diags.push(sem.duplicateObjectKey(keySpan, JSON.stringify(k)));
          return POISON;
        }
        entries.set(k, out.body);
      } else list.push(out.body);
    }
    return object ? objectFrom(entries) : list;
  }
}
