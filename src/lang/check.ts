import { posix } from "node:path";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as sem from "../diag/catalog/semantic.js";
import { canonicalize, sortStrings } from "../program/canonical.js";
import { parseAddress } from "../program/address.js";
import type { ResourceTypeInfo, TypeCatalog } from "../program/schemas.js";
import type { Deferred, Json, JsonObject, PolicyIR, Residual } from "../program/types.js";
import { DEFAULT_POLICY } from "../program/types.js";
import type { Attribute } from "./ast.js";
import { suggest } from "./suggest.js";
import { article, hasPoison, isKnown, isSensitive, KNOWN, POISONED, toResidual, typeName, valueState } from "./values.js";
import type { Value } from "./values.js";

/**
 * Schema checking of resource attributes and provider configuration, policy checking, and
 * identities (the authority key). Pure; every finding is a diagnostic at the offending
 * attribute's span.
 */

/** An evaluated attribute and where it was written. */
export interface EvaluatedAttr {
  readonly value: Value;
  readonly attr: Attribute;
}

export interface CheckedAttrs {
  /** Known attributes with schema defaults filled in (sensitive ones excluded). */
  readonly attrs: JsonObject;
  readonly deferred: { [attr: string]: Deferred };
  /** False when any attribute failed (the caller then treats the object as failed). */
  readonly ok: boolean;
}

/** checkAttributes' default `extraDefaults` (resources have none): shared, never written to. */
const NO_DEFAULTS: JsonObject = {};

/**
 * Checks a block's attributes against a type's schema: unknown and read-only attributes,
 * ajv validation of the known ones (deferred ones only count as present), defaults filled.
 * `extraDefaults` sit under the schema defaults' override (lexum.yaml provider defaults).
 */
export function checkAttributes(
  info: ResourceTypeInfo,
  given: ReadonlyMap<string, EvaluatedAttr>,
  nameSpan: Span,
  diags: Diagnostic[],
  extraDefaults: JsonObject = NO_DEFAULTS,
): CheckedAttrs {
  let ok = true;
  let known: JsonObject = {};
  const deferred: { [attr: string]: Deferred } = {};
  const { props, readOnly, writable, defaultKeys } = derived(info);
  for (const name of sortStrings([...given.keys()])) {
    const { value, attr } = given.get(name)!;
    if (!props.has(name)) {
      diags.push(sem.unknownAttribute(attr.name.span, name, info.type, suggest(name, writable)));
      ok = false;
      continue;
    }
    if (readOnly.has(name)) {
      diags.push(sem.readOnlyAttribute(attr.name.span, name, info.type));
      ok = false;
      continue;
    }
    const state = valueState(value);
    if (state === POISONED) {
      ok = false;
      continue;
    }
    if (state === KNOWN) known[name] = value as Json;
    else deferred[name] = { expr: toResidual(value), sensitive: isSensitive(value) };
  }
  if (extraDefaults !== NO_DEFAULTS) for (const k of sortStrings(Object.keys(extraDefaults))) if (known[k] === undefined && deferred[k] === undefined && props.has(k)) known[k] = extraDefaults[k]!;
  let defaulted = false;
  for (const k of defaultKeys)
    if (known[k] === undefined && deferred[k] === undefined && !given.has(k)) {
      known[k] = info.defaults[k]!;
      defaulted = true;
    }
  // Defaults land after the given attributes: re-insert in code-unit order now, so that the
  // program keeps this object rather than a sorted copy of it (see inCanonicalOrder).
  if (defaulted) known = keysInOrder(known);
  if (!ok) return { attrs: known, deferred, ok };
  for (const p of info.validate(known)) {
    const top = p.path.split("/")[1];
    if (p.keyword === "required" && p.path === "") {
      const missing = String(p.params["missingProperty"]);
      if (deferred[missing] !== undefined) continue;
      diags.push(sem.missingAttribute(nameSpan, missing, info.type));
    } else if (p.keyword === "additionalProperties" && p.path === "") {
      continue; // reported above from the source
    } else {
      const at = top !== undefined ? given.get(top) : undefined;
      diags.push(sem.invalidAttribute(at ? at.attr.value.span : nameSpan, p.problem));
    }
    ok = false;
  }
  // Deferred attributes: check the type when the residual is a literal-free shape we can see.
  // Sensitive attributes never sit in clear among known attrs.
  for (const s of info.sensitive) {
    if (known[s] !== undefined && given.has(s)) {
      deferred[s] = { expr: { op: "lit", value: known[s]! }, sensitive: true };
      delete known[s];
    }
  }
  return { attrs: known, deferred, ok };
}

/** `o` itself when its keys are in code-unit order, else a shallow copy with them inserted in that order. */
function keysInOrder(o: JsonObject): JsonObject {
  const keys = Object.keys(o);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) if (keys[i - 1]! > keys[i]!) sorted = false;
  if (sorted) return o;
  const out: JsonObject = {};
  for (const k of sortStrings(keys)) out[k] = o[k]!;
  return out;
}

/** What checkAttributes needs of a type, computed once per type (the catalog is loaded once). */
interface Derived {
  readonly props: ReadonlySet<string>;
  readonly readOnly: ReadonlySet<string>;
  /** Properties a block may set, for suggestions. */
  readonly writable: readonly string[];
  /** Keys of `info.defaults`, sorted. */
  readonly defaultKeys: readonly string[];
}
const derivedCache = new WeakMap<ResourceTypeInfo, Derived>();

function derived(info: ResourceTypeInfo): Derived {
  let d = derivedCache.get(info);
  if (!d) {
    d = {
      props: new Set(info.properties),
      readOnly: new Set(info.readOnly),
      writable: info.properties.filter((p) => !info.readOnly.includes(p)),
      defaultKeys: Object.keys(info.defaults).sort(),
    };
    derivedCache.set(info, d);
  }
  return d;
}

/** Attributes treated as paths for identity normalisation, by provider. */
const PATH_KEYS: Record<string, readonly string[]> = { fs: ["root", "path"], http: ["path"], sim: ["world"] };
/** Attributes treated as URLs for identity normalisation (host case, default port, trailing "/"), by provider. */
const URL_KEYS: Record<string, readonly string[]> = { http: ["base_url"] };

/** A URL in normal form (WHATWG: lower-case scheme and host, no default port), no trailing "/"; as given when it does not parse. */
function normalizeUrl(u: string): string {
  return URL.canParse(u) ? new URL(u).href.replace(/\/+$/, "") : u;
}

/** A path in normal form: posix-normalised, no leading "./", no trailing "/". */
export function normalizePath(p: string): string {
  let n = posix.normalize(p.replace(/\\/g, "/"));
  if (n.length > 1 && n.endsWith("/")) n = n.slice(0, -1);
  return n;
}

const NO_KEYS: readonly string[] = [];
/**
 * The end of an identity key after its `id` (provider and normalised scope, as canonical
 * JSON), by scope object (scopes are never mutated once built).
 */
const scopeTails = new WeakMap<JsonObject, { provider: string; tail: string }>();

/** `o` with sorted keys and its path-valued attributes normalised. */
function normalizedCopy(o: JsonObject, pathKeys: readonly string[], urlKeys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of sortStrings(Object.keys(o))) {
    const v = o[k]!;
    out[k] = typeof v !== "string" ? v : pathKeys.includes(k) ? normalizePath(v) : urlKeys.includes(k) ? normalizeUrl(v) : v;
  }
  return out;
}

/**
 * The authority key: provider name + its scope (identity config keys) + identity attributes,
 * as canonical JSON. Values must be known (the caller checks). `scope` must not change once
 * passed (its normal form is kept per object: one provider's scope serves all its resources).
 */
export function identityKey(provider: string, scope: JsonObject, idAttrs: JsonObject): string {
  const pathKeys = PATH_KEYS[provider] ?? NO_KEYS;
  const urlKeys = URL_KEYS[provider] ?? NO_KEYS;
  // A provider's scope is one object shared by all its resources: its part of the key is
  // written once. Canonical JSON is compositional: the object {id, provider, scope} (keys in
  // code-unit order) is `{"id":` + canonicalize(id) + `,"provider":` + … + `}`.
  let ns = scopeTails.get(scope);
  if (ns === undefined || ns.provider !== provider) {
    ns = { provider, tail: `,"provider":${canonicalize(provider)},"scope":${canonicalize(normalizedCopy(scope, pathKeys, urlKeys))}}` };
    scopeTails.set(scope, ns);
  }
  return `{"id":${canonicalize(normalizedCopy(idAttrs, pathKeys, urlKeys))}${ns.tail}`;
}

/** Human form of an identity for messages: `fs path "a/b" (root "out")`. */
export function describeIdentity(provider: string, scope: JsonObject, idAttrs: JsonObject): string {
  const part = (o: JsonObject) =>
    Object.keys(o)
      .sort()
      .map((k) => `${k} ${canonicalize(o[k])}`)
      .join(", ");
  const s = part(scope);
  return `${provider} ${part(idAttrs)}${s ? ` (${s})` : ""}`;
}

const POLICY_KEYS = ["timeout", "retries", "on_failure", "prune"];

/** Checks a policy block's evaluated settings; unknown keys get a suggestion. Missing ones take DEFAULT_POLICY. */
export function checkPolicy(given: readonly EvaluatedAttr[], diags: Diagnostic[]): PolicyIR {
  let { timeoutMs, retries, onFailure, prune } = DEFAULT_POLICY;
  for (const { value: v, attr } of given) {
    const name = attr.name.name;
    if (!POLICY_KEYS.includes(name)) {
      diags.push(sem.unknownPolicyKey(attr.name.span, name, suggest(name, POLICY_KEYS)));
      continue;
    }
    if (hasPoison(v)) continue;
    const bad = (expected: string) => diags.push(sem.badPolicyValue(attr.value.span, name, expected, isKnown(v) ? describeJson(v) : "a value known only after apply"));
    if (!isKnown(v)) {
      bad(name === "timeout" ? "a duration known at compile time" : "known at compile time");
      continue;
    }
    switch (name) {
      case "timeout":
        if (typeof v === "number" && Number.isInteger(v) && v > 0) timeoutMs = v;
        else bad("a positive duration such as 30s");
        break;
      case "retries":
        if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 10) retries = v;
        else bad("an integer from 0 to 10");
        break;
      case "on_failure":
        if (v === "halt" || v === "rollback") onFailure = v;
        else bad(`"halt" or "rollback"`);
        break;
      case "prune":
        if (typeof v === "boolean") prune = v;
        else bad("a bool");
        break;
    }
  }
  return { timeoutMs, retries, onFailure, prune };
}

/** A short description of a known value for messages: its type and, for primitives, the value. */
export function describeJson(v: Json): string {
  if (v === null || typeof v === "object") return typeName(v);
  const s = canonicalize(v);
  return `${typeName(v)} ${s.length > 40 ? s.slice(0, 37) + "..." : s}`;
}

/**
 * What compile time knows of a value that is only known after apply: the types it can have
 * (`bool`, `integer`, `number`, `string`, `list`, `object`, `null`), and, when it comes
 * straight from a resource attribute, which (`fs.file`'s `size`). Null when it could be
 * anything (a decoded document, an index into unknown data, a comprehension variable).
 */
export interface StaticType {
  readonly types: readonly string[];
  readonly from?: { readonly type: string; readonly attr: string };
}

const RESULT_TYPES: Record<string, string> = {
  len: "integer", keys: "list", values: "list", lower: "string", upper: "string", trim: "string", join: "string",
  split: "list", replace: "string", format: "string", concat: "list", merge: "object", contains: "bool", range: "list",
  min: "number", max: "number", abs: "number", floor: "integer", ceil: "integer", tostring: "string", tonumber: "number",
  jsonencode: "string", yamlencode: "string", base64encode: "string", base64decode: "string", sha256: "string",
  file: "string", secret: "string",
};
const COMPARISONS = new Set(["==", "!=", "<", "<=", ">", ">=", "&&", "||"]);
const SCHEMA_TYPES: Record<string, string> = { boolean: "bool", integer: "integer", number: "number", string: "string", array: "list", object: "object", null: "null" };

/**
 * The static type of a residual expression: literals, operators and built-ins by their
 * result, resource attributes by their JSON Schema `type` in `catalog`. Deterministic;
 * never throws.
 */
export function staticType(r: Residual, catalog: TypeCatalog): StaticType | null {
  const one = (t: string): StaticType => ({ types: [t] });
  switch (r.op) {
    case "lit": {
      const v = r.value;
      if (typeof v === "number") return one(Number.isInteger(v) ? "integer" : "number");
      return one(typeName(v));
    }
    case "ref":
      return attributeType(r.address, r.attr, catalog);
    case "member":
      return r.x.op === "res" ? attributeType(r.x.address, r.name, catalog) : null;
    case "res":
    case "object":
    case "objcomp":
      return one("object");
    case "list":
    case "listcomp":
      return one("list");
    case "secret":
    case "interp":
      return one("string");
    case "call":
      return RESULT_TYPES[r.fn] === undefined ? null : one(RESULT_TYPES[r.fn]!);
    case "unary":
      return one(r.o === "!" ? "bool" : "number");
    case "binary": {
      if (COMPARISONS.has(r.o)) return one("bool");
      if (r.o !== "+") return one("number");
      // `+` adds numbers or joins strings, as its left operand says.
      const l = staticType(r.l, catalog);
      if (l !== null && l.types.every((t) => t === "integer" || t === "number")) return one("number");
      return l !== null && l.types.length === 1 && l.types[0] === "string" ? one("string") : { types: ["number", "string"] };
    }
    case "cond": {
      const t = staticType(r.t, catalog);
      const e = staticType(r.e, catalog);
      return t === null || e === null ? null : { types: [...new Set([...t.types, ...e.types])].sort() };
    }
    default:
      return null;
  }
}

function attributeType(address: string, attr: string, catalog: TypeCatalog): StaticType | null {
  const type = parseAddress(address)?.type;
  const schema = type === undefined ? undefined : (catalog.resources.get(type)?.schema["properties"] as JsonObject | undefined)?.[attr];
  if (type === undefined || schema === undefined || schema === null || typeof schema !== "object" || Array.isArray(schema)) return null;
  const declared = schema["type"];
  const names = typeof declared === "string" ? [declared] : Array.isArray(declared) ? declared.filter((t): t is string => typeof t === "string") : [];
  const types = names.map((t) => SCHEMA_TYPES[t]).filter((t): t is string => t !== undefined);
  return types.length === 0 ? null : { types: [...new Set(types)].sort(), from: { type, attr } };
}

/**
 * Checks that an assertion whose value is only known after apply can be a bool: a type
 * known at compile time to be anything else (`assert f.size`, an integer) is LXM2150 at the
 * expression, so it never fails after the world changed. `text` is the expression's source.
 */
export function checkAssertionType(expr: Residual, text: string, span: Span, catalog: TypeCatalog, diags: Diagnostic[]): boolean {
  const t = staticType(expr, catalog);
  if (t === null || t.types.includes("bool")) return true;
  const words = t.types.map((x) => (x === "integer" ? "an integer" : x === "null" ? "null" : article(x))).join(" or ");
  const type = t.from ? `${words} (${t.from.type}'s \`${t.from.attr}\`${isReadOnly(catalog, t.from) ? ", read back after apply" : ""})` : words;
  const first = t.types[0]!;
  // A plain reference reads well bare; anything else is parenthesised so the comparison binds to all of it.
  const operand = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\["[^"\\]*"\]|\[\d+\])*$/.test(text) ? text : `(${text})`;
  const example = first === "string" ? `${operand} != ""` : first === "list" || first === "object" ? `len(${text}) > 0` : first === "null" ? `${operand} != null` : `${operand} > 0`;
  diags.push(sem.assertionNotBool(span, "`" + text + "`", type, example));
  return false;
}

function isReadOnly(catalog: TypeCatalog, from: { type: string; attr: string }): boolean {
  return catalog.resources.get(from.type)?.readOnly.includes(from.attr) ?? false;
}
