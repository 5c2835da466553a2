import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * GitHub's OpenAPI descriptions (`@octokit/openapi`, `@octokit/openapi-webhooks`) made
 * usable by ajv: each file is read once per process, OpenAPI 3.0's `nullable` is rewritten
 * into JSON Schema, and validators are compiled on first use and cached by JSON pointer.
 */
export interface Description {
  /** The whole document (paths, components, webhooks …), `nullable` rewritten. */
  readonly doc: Record<string, any>;
  /** The validator of the schema at `pointer` (a JSON pointer into `doc`, e.g. `/components/schemas/issue-comment`). */
  validator(pointer: string): ValidateFunction;
  /** Follows a `$ref` object (`{ $ref: "#/components/…" }`) to what it names; anything else is returned as is. */
  deref<T = any>(node: T): T;
}

const loaded = new Map<string, Description>();
const require = createRequire(import.meta.url);

/** The REST API description of api.github.com (not the dereferenced variant: refs keep compiled validators shared). */
export function restDescription(): Description {
  return load("@octokit/openapi", "generated/api.github.com.json", restFixes);
}

/**
 * Where GitHub's answers are known to differ from its description, the description is
 * corrected before use, so the stand-in may answer as GitHub does: a pull request from a
 * deleted fork has `head.repo: null` (github/rest-api-description#424, regressed;
 * #1811 for pull-request-simple).
 */
function restFixes(doc: Record<string, any>): void {
  for (const name of ["pull-request", "pull-request-simple"]) {
    const repo = doc.components.schemas[name].properties.head.properties.repo;
    repo.nullable = true;
  }
}

/** The webhook events description of api.github.com. */
export function webhooksDescription(): Description {
  return load("@octokit/openapi-webhooks", "generated/api.github.com.json", () => {});
}

/** ajv's errors as one line each, `instancePath: message`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, limit = 8): string {
  if (!errors || errors.length === 0) return "(no detail)";
  const lines = errors.slice(0, limit).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.params ? " " + JSON.stringify(e.params) : ""}`);
  if (errors.length > limit) lines.push(`… ${errors.length - limit} more`);
  return lines.join("; ");
}

function load(pkg: string, file: string, fix: (doc: Record<string, any>) => void): Description {
  const key = `${pkg}/${file}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  // The package's index.js would read every variant (hundreds of MB): read the one file.
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const doc = JSON.parse(readFileSync(join(root, file), "utf8")) as Record<string, any>;
  fix(doc);
  rewriteNullable(doc);
  const id = `lxm-${loaded.size}`;
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false, logger: false });
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
  addFormats(ajv);
  // Formats the description uses that ajv-formats does not define: annotations only.
  for (const name of ["timestamp", "repo.nwo", "ssh-key", "ssh-key fingerprint", "hostname"]) ajv.addFormat(name, true);
  ajv.addSchema({ ...doc, $id: id });
  const validators = new Map<string, ValidateFunction>();
  const description: Description = {
    doc,
    validator(pointer) {
      let v = validators.get(pointer);
      if (!v) {
        v = ajv.compile({ $ref: `${id}#${pointer.split("/").map(encodeURIComponent).join("/")}` });
        validators.set(pointer, v);
      }
      return v;
    },
    deref(node) {
      let n: any = node;
      for (let hops = 0; n && typeof n === "object" && typeof n.$ref === "string"; hops++) {
        if (hops > 20) throw new Error(`ref cycle at ${n.$ref}`);
        n = atPointer(doc, n.$ref.replace(/^#/, ""));
      }
      return n;
    },
  };
  loaded.set(key, description);
  return description;
}

/** The value at a JSON pointer (`/a/b~1c`), or undefined. */
export function atPointer(doc: unknown, pointer: string): any {
  let n: any = doc;
  for (const raw of pointer.split("/").slice(1)) {
    if (n === undefined || n === null) return undefined;
    n = n[raw.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return n;
}

/** A JSON pointer segment for a key (`/repos/{owner}` → `~1repos~1{owner}`). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * OpenAPI 3.0's `nullable: true` in JSON Schema terms, in place: `type` gains `"null"` (and
 * `enum` gains null) on a plain typed schema; a composite one (`$ref`, `allOf`, `oneOf`,
 * `anyOf`, or no `type`) is wrapped as `anyOf: [{ type: "null" }, it]`. Examples are data,
 * not schemas, and are left alone.
 */
function rewriteNullable(node: any): any {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = rewriteNullable(node[i]);
    return node;
  }
  if (!node || typeof node !== "object") return node;
  for (const k of Object.keys(node)) {
    if (k === "example" || k === "examples" || k === "default" || k === "const" || k === "enum") continue;
    node[k] = rewriteNullable(node[k]);
  }
  if (node.nullable !== true) return node;
  delete node.nullable;
  const composite = node.$ref !== undefined || node.allOf || node.oneOf || node.anyOf || node.type === undefined;
  if (composite) return { anyOf: [{ type: "null" }, node] };
  node.type = Array.isArray(node.type) ? [...new Set([...node.type, "null"])] : [node.type, "null"];
  if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
  return node;
}
