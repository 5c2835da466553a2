import type { Json, JsonObject } from "../program/types.js";
import type { Provider } from "./types.js";

/**
 * The checks a provider package's exports pass before a project uses them: the module's
 * shape (`provider`, `schemas`), the names, and each schema's Lexum keywords. Pure: the
 * module is already imported, and the schemas' compilation is package-load.ts's business.
 */

/** Why a package was refused: which rule it broke, in words. */
export type PackageProblem =
  | { readonly kind: "not-a-provider"; readonly problem: string }
  | { readonly kind: "name"; readonly problem: string }
  | { readonly kind: "schema"; readonly schema: string; readonly problem: string };

/** What a package exports, checked: its provider and a schema per type (plus `provider` for its block). */
export interface PackageExports {
  readonly provider: Provider;
  /** Keyed by resource type, plus `provider`. */
  readonly schemas: { readonly [name: string]: JsonObject };
}

/** The key of `schemas` holding the provider block's schema. */
export const PROVIDER_SCHEMA = "provider";

/**
 * Attribute names a resource or provider block uses for Lexum itself (lang's meta-attributes
 * and `import`): a type may not define properties with these names.
 */
export const RESERVED_ATTRIBUTES: readonly string[] = ["depends_on", "import", "protect", "provider"];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const METHODS = ["read", "create", "update", "delete", "close"] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The package's exports, from its module namespace: named exports `provider` and `schemas`,
 * or (a CommonJS package) the same names on `module.exports`, which Node's import() gives
 * as `default`. `name` is the key under `providers:` in lexum.yaml.
 */
export function checkPackageExports(ns: unknown, name: string): PackageExports | PackageProblem {
  const outer = isObject(ns) ? ns : {};
  const mod = "provider" in outer || "schemas" in outer || !isObject(outer.default) ? outer : outer.default;
  const notProvider = (problem: string): PackageProblem => ({ kind: "not-a-provider", problem });
  const p = mod.provider;
  if (!isObject(p)) return notProvider(p === undefined ? "it exports no `provider`" : "its `provider` export is not an object");
  if (!isObject(mod.schemas)) return notProvider(mod.schemas === undefined ? "it exports no `schemas`" : "its `schemas` export is not an object");
  if (typeof p.name !== "string") return notProvider("`provider.name` is not a string");
  if (!Array.isArray(p.types) || !p.types.every((t) => typeof t === "string")) return notProvider("`provider.types` is not a list of strings");
  if (typeof p.configure !== "function") return notProvider("`provider.configure` is not a function");
  const named = (problem: string): PackageProblem => ({ kind: "name", problem });
  if (!NAME.test(name)) return named(`cannot be used: \`${name}\` is not a provider name (letters, digits and _, not starting with a digit)`);
  if (p.name !== name) return named(`exports the provider \`${p.name}\`, not \`${name}\`: name it \`${p.name}\` under providers: in lexum.yaml`);
  const types = p.types as string[];
  const seen = new Set<string>();
  for (const t of types) {
    const rest = t.startsWith(name + ".") ? t.slice(name.length + 1) : null;
    if (rest === null || !NAME.test(rest)) return named(`lists the type \`${t}\`, which is not named \`${name}.<type>\``);
    if (seen.has(t)) return named(`lists the type \`${t}\` twice`);
    seen.add(t);
  }
  const schemas = mod.schemas;
  for (const t of [...types].sort()) {
    if (!Object.hasOwn(schemas, t)) return { kind: "schema", schema: t, problem: "is missing: `schemas` has no entry for a type in `provider.types`" };
  }
  for (const key of Object.keys(schemas).sort()) {
    if (key !== PROVIDER_SCHEMA && !seen.has(key)) return { kind: "schema", schema: key, problem: "names a type that is not in `provider.types`" };
  }
  if (!Object.hasOwn(schemas, PROVIDER_SCHEMA)) return { kind: "schema", schema: PROVIDER_SCHEMA, problem: "is missing: `schemas.provider` describes the provider block's settings" };
  const out: { [name: string]: JsonObject } = {};
  for (const key of Object.keys(schemas).sort()) {
    const problem = lexumKeywordProblem(schemas[key], key !== PROVIDER_SCHEMA);
    if (problem !== null) return { kind: "schema", schema: key, problem };
    out[key] = schemas[key] as JsonObject;
  }
  // Methods are checked on a configured instance (configure needs the block's settings): see checkInstance.
  return { provider: p as unknown as Provider, schemas: out };
}

/** A problem with what `configure` returned, or null: every method of ProviderInstance must be a function. */
export function instanceProblem(inst: unknown): string | null {
  if (!isObject(inst)) return "`provider.configure` did not return an object";
  for (const m of METHODS) if (typeof inst[m] !== "function") return `the instance \`provider.configure\` returned has no \`${m}\` method`;
  return null;
}

/** Plain JSON (what a schema file could hold), or a reason it is not. */
function jsonProblem(v: unknown, at: string, depth = 0): string | null {
  if (depth > 64) return `nests too deeply at ${at}`;
  if (v === null || typeof v === "string" || typeof v === "boolean") return null;
  if (typeof v === "number") return Number.isFinite(v) ? null : `holds a number that is not finite at ${at}`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], `${at}/${i}`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  const proto = typeof v === "object" ? Object.getPrototypeOf(v) : undefined;
  if (typeof v === "object" && (proto === Object.prototype || proto === null)) {
    for (const k of Object.keys(v)) {
      const p = jsonProblem((v as Record<string, unknown>)[k], `${at}/${k}`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  return `holds a value that is not JSON (${typeof v}) at ${at || "the top"}`;
}

function stringList(v: Json | undefined): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === "string") && new Set(v).size === v.length ? (v as string[]) : null;
}

/**
 * What is wrong with one schema as Lexum reads it, or null: plain JSON, an object type with
 * `properties`, no reserved property names, `x-lexum-identity` and `x-lexum-replace-on` lists
 * of distinct settable properties (identity required for a resource type, never sensitive),
 * `x-lexum-sensitive` a boolean on properties, and nothing `required` that is `readOnly`.
 * Whether it compiles as a JSON Schema is checked after (ajv, strict).
 */
export function lexumKeywordProblem(schema: unknown, resource: boolean): string | null {
  const notJson = jsonProblem(schema, "");
  if (notJson) return notJson;
  if (!isObject(schema)) return "is not an object";
  const s = schema as JsonObject;
  if (s.type !== "object") return 'must be `"type": "object"`';
  const props = s.properties ?? {};
  if (!isObject(props)) return "has `properties` that is not an object";
  const names = Object.keys(props).sort();
  for (const n of names) {
    if (RESERVED_ATTRIBUTES.includes(n)) return `defines the property \`${n}\`, a name Lexum reserves (${RESERVED_ATTRIBUTES.join(", ")})`;
    const ps = (props as JsonObject)[n];
    if (isObject(ps) && "x-lexum-sensitive" in ps && typeof ps["x-lexum-sensitive"] !== "boolean") return `has \`x-lexum-sensitive\` on \`${n}\` that is not a boolean`;
  }
  if ("x-lexum-sensitive" in s) return "has `x-lexum-sensitive` at the top: it marks properties, so put it on each sensitive property";
  const prop = (n: string): JsonObject | null => (isObject((props as JsonObject)[n]) ? ((props as JsonObject)[n] as JsonObject) : null);
  for (const keyword of ["x-lexum-identity", "x-lexum-replace-on"] as const) {
    if (!(keyword in s)) continue;
    const list = stringList(s[keyword]);
    if (list === null) return `has \`${keyword}\` that is not a list of distinct property names`;
    for (const n of list) {
      if (!names.includes(n)) return `lists \`${n}\` in \`${keyword}\`, which is not one of its properties`;
      if (prop(n)?.readOnly === true) return `lists \`${n}\` in \`${keyword}\`, but \`${n}\` is readOnly (computed by the provider)`;
    }
  }
  const identity = stringList(s["x-lexum-identity"] ?? []) ?? [];
  if (resource && identity.length === 0) return "has no `x-lexum-identity`: a resource type names the attributes that identify the real object";
  for (const n of identity) if (prop(n)?.["x-lexum-sensitive"] === true) return `lists \`${n}\` in \`x-lexum-identity\`, but \`${n}\` is sensitive (identities appear in plans)`;
  const required = s.required ?? [];
  if (!Array.isArray(required)) return "has `required` that is not a list";
  for (const n of required) if (typeof n === "string" && prop(n)?.readOnly === true) return `requires \`${n}\`, which is readOnly (a user cannot set it)`;
  return null;
}
