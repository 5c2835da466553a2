import type { ErrorObject } from "ajv/dist/2020.js";
import { InternalError } from "../diag/diagnostic.js";
import type { Json, JsonObject } from "./types.js";
import { providerSchemaFiles } from "./schema-files.js";
import { validators } from "./validators.generated.js";

export { schemasDir } from "./schema-files.js";

/** One schema problem: `path` is a JSON pointer into the validated object ("/mode"), `problem` plain words. */
export interface SchemaProblem {
  readonly path: string;
  readonly problem: string;
  /** The raw ajv error (keyword, params) for callers that map problems to source spans. */
  readonly keyword: string;
  readonly params: Record<string, unknown>;
}

/** What Lexum knows about one resource type (or provider configuration block) from its JSON Schema. */
export interface ResourceTypeInfo {
  /** "fs.file"; for a provider block, the provider name ("fs"). */
  readonly type: string;
  readonly provider: string;
  readonly schema: JsonObject;
  /** Every property name, sorted. */
  readonly properties: string[];
  readonly required: string[];
  /** Attributes the provider computes (JSON Schema readOnly): unknown at plan time. */
  readonly readOnly: string[];
  /** x-lexum-identity: the attributes (or config keys) that name the real object. */
  readonly identity: string[];
  /** x-lexum-replace-on: attributes whose change forces delete+create. */
  readonly replaceOn: string[];
  /** x-lexum-sensitive: attributes never shown in clear. */
  readonly sensitive: string[];
  /** Top-level `default`s by property. */
  readonly defaults: JsonObject;
  /** Validates attributes; [] when valid. Deterministic order (ajv's, which follows the schema). */
  validate(attrs: JsonObject): SchemaProblem[];
}

/** Provider configuration blocks have the same shape; identity = config keys that scope identities. */
export type ProviderTypeInfo = ResourceTypeInfo;

/** Every provider and resource type, from schemas/providers/*.json. */
export interface TypeCatalog {
  readonly resources: ReadonlyMap<string, ResourceTypeInfo>;
  readonly providers: ReadonlyMap<string, ProviderTypeInfo>;
}

/** An ajv validate function: true when the data is valid, else the reasons are in `errors`. */
export interface PrecompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * The precompiled validator of a shipped schema (`schemaPath` under schemas/, e.g.
 * "providers/fs.file.json"), from validators.generated.ts: no ajv instance and no schema
 * compilation at run time. Throws InternalError when the schema has none (a new schema file
 * without `npm run gen:validators`).
 */
export function precompiledValidator(schemaPath: string): PrecompiledValidator {
  const table = validators as Readonly<Record<string, PrecompiledValidator>>;
  if (!Object.hasOwn(table, schemaPath)) throw new InternalError(`schemas/${schemaPath} has no precompiled validator: run npm run gen:validators`);
  return table[schemaPath]!;
}

let cached: TypeCatalog | undefined;

/** `base` with more providers' types added (a project's package providers); `base` itself when there are none. */
export function extendCatalog(base: TypeCatalog, extra: readonly { readonly provider: ProviderTypeInfo; readonly resources: readonly ResourceTypeInfo[] }[]): TypeCatalog {
  if (extra.length === 0) return base;
  const resources = new Map(base.resources);
  const providers = new Map(base.providers);
  for (const e of extra) {
    providers.set(e.provider.type, e.provider);
    for (const r of e.resources) resources.set(r.type, r);
  }
  return { resources, providers };
}

/**
 * Loads every provider schema once (cached), with its precompiled validator. Throws
 * InternalError on a schema file that is not named `<provider>.<type>.json` or has no
 * precompiled validator (bugs in Lexum).
 */
export function loadTypeCatalog(): TypeCatalog {
  if (cached) return cached;
  const resources = new Map<string, ResourceTypeInfo>();
  const providers = new Map<string, ProviderTypeInfo>();
  for (const [f, schema] of providerSchemaFiles()) {
    const validate = precompiledValidator("providers/" + f);
    const base = f.slice(0, -".json".length);
    if (base.endsWith(".provider")) {
      const name = base.slice(0, -".provider".length);
      providers.set(name, resourceTypeInfo(name, name, schema, validate));
    } else {
      const dot = base.indexOf(".");
      if (dot <= 0) throw new InternalError(`schema file ${f} is not named <provider>.<type>.json`);
      resources.set(base, resourceTypeInfo(base, base.slice(0, dot), schema, validate));
    }
  }
  cached = { resources, providers };
  return cached;
}

/**
 * What Lexum reads from one schema: its properties, required, readOnly, identity,
 * replace-on and sensitive attributes and defaults, with `validateFn` behind `validate`.
 * `type` is "fs.file", or the provider's name for a provider block's schema.
 */
export function resourceTypeInfo(type: string, provider: string, schema: JsonObject, validateFn: PrecompiledValidator): ResourceTypeInfo {
  const props = (schema["properties"] ?? {}) as Record<string, JsonObject>;
  const names = Object.keys(props).sort();
  const defaults: JsonObject = {};
  for (const n of names) if (props[n]!["default"] !== undefined) defaults[n] = props[n]!["default"] as Json;
  const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? (v as string[]).slice() : []);
  return {
    type,
    provider,
    schema,
    properties: names,
    required: strings(schema["required"]).sort(),
    readOnly: names.filter((n) => props[n]!["readOnly"] === true),
    identity: strings(schema["x-lexum-identity"]),
    replaceOn: strings(schema["x-lexum-replace-on"]),
    sensitive: names.filter((n) => props[n]!["x-lexum-sensitive"] === true),
    defaults,
    validate(attrs: JsonObject): SchemaProblem[] {
      if (validateFn(attrs)) return [];
      return (validateFn.errors ?? []).map(plainProblem);
    },
  };
}

/** Renders a value for a message: JSON, shortened. */
export function showValue(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "object") return "object";
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a bool",
  object: "an object",
  array: "a list",
  null: "null",
};

/** Turns one ajv error into plain words ("`mode` must match ^0[0-7]{3}$, got \"644\""). */
export function plainProblem(e: ErrorObject): SchemaProblem {
  const path = e.instancePath;
  const p = e.params as Record<string, unknown>;
  const where = path === "" ? "" : "`" + path.slice(1).split("/").join(".") + "` ";
  const got = `got ${showValue(e.data)}`;
  let problem: string;
  switch (e.keyword) {
    case "required":
      problem = `${where ? `${where}is missing` : "missing"} required attribute \`${String(p["missingProperty"])}\``;
      break;
    case "additionalProperties":
      problem = `${where}has no attribute \`${String(p["additionalProperty"])}\``;
      break;
    case "type": {
      const t = String(p["type"]).split(",").map((x) => TYPE_WORDS[x] ?? x).join(" or ");
      problem = `${where}must be ${t}, got ${jsonType(e.data)}`;
      break;
    }
    case "pattern":
      problem = `${where}must match ${String(p["pattern"])}, ${got}`;
      break;
    case "enum":
      problem = `${where}must be one of ${(p["allowedValues"] as unknown[]).map(showValue).join(", ")}, ${got}`;
      break;
    case "const":
      problem = `${where}must be ${showValue(p["allowedValue"])}, ${got}`;
      break;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const op = { minimum: "≥", maximum: "≤", exclusiveMinimum: ">", exclusiveMaximum: "<" }[e.keyword];
      problem = `${where}must be ${op} ${String(p["limit"])}, ${got}`;
      break;
    }
    case "minLength":
      problem = p["limit"] === 1 ? `${where}must not be empty` : `${where}must be at least ${String(p["limit"])} characters long, ${got}`;
      break;
    case "maxLength":
      problem = `${where}must be at most ${String(p["limit"])} characters long`;
      break;
    case "minItems":
    case "maxItems":
      problem = `${where}must have ${e.keyword === "minItems" ? "at least" : "at most"} ${String(p["limit"])} items`;
      break;
    case "format":
      problem = `${where}must be a valid ${String(p["format"])}, ${got}`;
      break;
    default:
      problem = `${where}${e.message ?? "is invalid"}`;
  }
  return { path, problem: problem.trim(), keyword: e.keyword, params: p };
}
