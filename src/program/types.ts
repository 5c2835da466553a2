/**
 * The compiled program (`lexum.program/v1`): what a commit of `.lxm` files means, with no
 * trace of layout. Plain JSON throughout, so that canonical JSON + sha256 identifies it.
 * Source spans travel beside it (SpanTable), never inside it.
 */

/** Plain JSON. Numbers are finite and, when integral, safe integers. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object: a resource's attributes, a provider block's settings. */
export type JsonObject = { [key: string]: Json };

/**
 * A residual expression: what is left of an attribute, export or assertion after
 * compile-time evaluation when part of it is only known at apply time (a provider-computed
 * attribute, a secret). Every known part is folded into a literal. The runtime evaluates
 * it once the referenced values are read back (see lang/residual.ts).
 */
export type Residual =
  | { op: "lit"; value: Json }
  /** An attribute of a resource: known after that resource is applied and read back. */
  | { op: "ref"; address: string; attr: string }
  /** A whole resource object (all attributes after apply), e.g. `len(page)` over unknowns. */
  | { op: "res"; address: string }
  /** `secret("NAME")`: resolved at plan/apply time, never shown. */
  | { op: "secret"; name: string }
  /** A comprehension variable bound inside a residual comprehension. */
  | { op: "var"; name: string }
  /** `expand`: the last argument is a list expanded into arguments (`f(xs...)`); present only then. */
  | { op: "call"; fn: string; args: Residual[]; expand?: true }
  | { op: "unary"; o: "!" | "-"; x: Residual }
  | { op: "binary"; o: string; l: Residual; r: Residual }
  | { op: "cond"; c: Residual; t: Residual; e: Residual }
  | { op: "list"; items: Residual[] }
  | { op: "object"; entries: [string, Residual][] }
  | { op: "index"; x: Residual; i: Residual }
  | { op: "member"; x: Residual; name: string }
  | { op: "interp"; parts: Residual[] }
  | { op: "listcomp"; vars: string[]; src: Residual; body: Residual; cond: Residual | null }
  /** `group`: `{for …: k => v...}`, the values of equal keys collected in a list; present only then. */
  | { op: "objcomp"; vars: string[]; src: Residual; key: Residual; value: Residual; cond: Residual | null; group?: true };

/** An attribute whose value is only known at apply time. */
export interface Deferred {
  readonly expr: Residual;
  /** True when a secret flows into it: shown as (sensitive), stored only as a keyed digest. */
  readonly sensitive: boolean;
}

/**
 * Address of a resource instance: `domain/type.name` or `domain/type.name[key]`, the key
 * written as a JSON string ("index") or a number. Example: `web/fs.file.page["index"]`.
 */
export type Address = string;

export interface ResourceIR {
  readonly address: Address;
  readonly domain: string;
  /** Provider type-qualified resource type, e.g. "fs.file". */
  readonly type: string;
  /** Which provider block of the domain manages it (its alias; the provider name by default). */
  readonly provider: string;
  readonly name: string;
  /** Instance key of a `for` resource, null otherwise. */
  readonly key: string | number | null;
  /** Attributes known at compile time (sensitive ones are never here). */
  readonly attrs: JsonObject;
  /** Attributes known only at apply time. */
  readonly deferred: { [attr: string]: Deferred };
  /** Resources (same domain, or imported) that must be applied first; sorted. */
  readonly dependsOn: Address[];
  /** `protect = true`: refuse delete and replace. */
  readonly protect: boolean;
  /**
   * `import = true`: when there is no record yet and the object already exists, it is
   * adopted (read, recorded, brought to the goal). Present only when true.
   */
  readonly import?: true;
  /** The authority key: provider scope + identity attributes, canonical. Two equal identities conflict. */
  readonly identity: string;
}

export interface ProviderIR {
  /** Provider name, e.g. "fs". */
  readonly type: string;
  readonly config: JsonObject;
  readonly deferred: { [attr: string]: Deferred };
}

export interface ImportIR {
  readonly domain: string;
  readonly name: string;
  /** Local name in the importing domain. */
  readonly as: string;
}

/** An export: a resource (or a `for` resource's instances), or a value. */
export type ExportIR =
  | { readonly kind: "resource"; readonly addresses: Address[]; readonly forEach: boolean }
  | { readonly kind: "value"; readonly value: Json }
  | { readonly kind: "deferred"; readonly value: Deferred };

export interface AssertIR {
  /** Evaluates to a boolean; `{op:"lit", value:true}` when checked and true at compile time. */
  readonly expr: Residual;
  readonly message: string | null;
  /** True when every value was known at compile time (already checked). */
  readonly checkedAtPlan: boolean;
}

export interface GoalIR {
  readonly name: string;
  readonly asserts: AssertIR[];
}

export type OnFailure = "halt" | "rollback";

export interface PolicyIR {
  /** Per action, in milliseconds. */
  readonly timeoutMs: number;
  readonly retries: number;
  readonly onFailure: OnFailure;
  readonly prune: boolean;
}

export interface DomainIR {
  readonly name: string;
  /** Sorted by (domain, name). */
  readonly imports: ImportIR[];
  /** Domains this one depends on (imports and cross-domain depends_on); sorted. */
  readonly after: string[];
  /** By alias. */
  readonly providers: { [alias: string]: ProviderIR };
  /** By address. */
  readonly resources: { [address: string]: ResourceIR };
  readonly exports: { [name: string]: ExportIR };
  /** Sorted by name. */
  readonly goals: GoalIR[];
  readonly policy: PolicyIR;
}

export interface Program {
  readonly format: "lexum.program/v1";
  /** By domain name. */
  readonly domains: { [name: string]: DomainIR };
  /** `moved` blocks, chains collapsed, sorted by `from`; present only when there is one (so other programs keep their hash). */
  readonly moved?: MovedIR[];
}

/**
 * A rename: the object recorded at `from` is the one the program declares at `to`. Without a
 * key on either side, every instance moves too (`from["k"]` → `to["k"]`).
 */
export interface MovedIR {
  readonly from: Address;
  readonly to: Address;
}

/**
 * Where things came from, keyed by address, `address#attr`, `domain#goal.NAME[i]` (the
 * assert statement; `….expr` its expression, `….operand.K` the K-th operand of its top-level
 * operator or call), `domain`.
 */
export type SpanTable = { [key: string]: { file: string; start: number; end: number } };

export const DEFAULT_POLICY: PolicyIR = { timeoutMs: 30_000, retries: 0, onFailure: "halt", prune: true };
