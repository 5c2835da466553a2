import { describeErrors, restDescription } from "./schema.js";
import type { Operation } from "./standin-routes.js";

/**
 * The GitHub stand-in's checks of a request and a response against the operation GitHub's
 * OpenAPI description gives for them. Problems come back as sentences; the stand-in records
 * them as violations.
 */

/** Coerces a query or path string to the type its schema names (so ajv sees what GitHub parses). */
function coerce(value: string, schema: any): unknown {
  const types: string[] = schema ? (Array.isArray(schema.type) ? schema.type : [schema.type]) : [];
  if ((types.includes("integer") && /^-?\d+$/.test(value)) || (types.includes("number") && value.trim() !== "" && !Number.isNaN(Number(value)))) return Number(value);
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  return value;
}

/** Validates path parameters, query and body; returns the coerced params and query, and the problems. */
export function validateRequest(op: Operation, rawParams: Record<string, string>, url: URL, body: unknown): { params: Record<string, any>; query: Record<string, any>; problems: string[] } {
  const problems: string[] = [];
  const params: Record<string, any> = {};
  const query: Record<string, any> = {};
  const declared: { p: any; pointer: string }[] = [];
  const collect = (list: any[] | undefined, at: string): void => {
    (list ?? []).forEach((entry, i) => {
      const pointer = typeof entry.$ref === "string" ? entry.$ref.slice(1) : `${at}/${i}`;
      declared.push({ p: restDescription().deref(entry), pointer });
    });
  };
  collect(restDescription().doc.paths[op.route].parameters, `/paths/${op.pointer.split("/")[2]}/parameters`);
  collect(op.op.parameters, `${op.pointer}/parameters`);
  // GitHub ignores a query parameter it does not know: a misspelt one would pass unnoticed.
  const knownQuery = new Set(declared.filter(({ p }) => p.in === "query").map(({ p }) => p.name));
  for (const name of new Set(url.searchParams.keys())) {
    if (!knownQuery.has(name)) problems.push(`query parameter ${name} is not in the description`);
  }
  for (const { p, pointer } of declared) {
    if (p.in !== "path" && p.in !== "query") continue;
    const raw = p.in === "path" ? rawParams[p.name] : url.searchParams.get(p.name);
    if (raw === undefined || raw === null) {
      if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
      continue;
    }
    const value = coerce(raw, p.schema);
    (p.in === "path" ? params : query)[p.name] = value;
    if (p.schema) {
      const v = restDescription().validator(`${pointer}/schema`);
      if (!v(value)) problems.push(`${p.in} parameter ${p.name}=${JSON.stringify(raw)}: ${describeErrors(v.errors)}`);
    }
  }
  const rb = op.op.requestBody;
  if (rb) {
    const rbPointer = typeof rb.$ref === "string" ? rb.$ref.slice(1) : `${op.pointer}/requestBody`;
    const resolved = restDescription().deref(rb);
    if (body === undefined) {
      if (resolved.required) problems.push("the request body is required");
    } else if (resolved.content?.["application/json"]?.schema) {
      const v = restDescription().validator(`${rbPointer}/content/application~1json/schema`);
      if (!v(body)) problems.push(`request body: ${describeErrors(v.errors)}`);
      for (const path of undeclaredFields(resolved.content["application/json"].schema, body, "")) {
        problems.push(`request body field ${path} is not in the description`);
      }
    }
  } else if (body !== undefined) {
    problems.push("a request body the operation does not take");
  }
  return { params, query, problems };
}

/**
 * Fields of `value` its schema does not declare, as JSON pointers. GitHub ignores them, so
 * a misspelt field (`externalId` for `external_id`) would otherwise pass unnoticed. Only
 * schemas that list `properties` and allow no `additionalProperties` schema are checked.
 */
function undeclaredFields(schema: any, value: unknown, at: string): string[] {
  const s = restDescription().deref(schema);
  if (!s || typeof s !== "object" || value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => undeclaredFields(s.items, v, `${at}/${i}`)) : [];
  const branches = [s, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])].map((b: any) => restDescription().deref(b));
  const props: Record<string, any> = {};
  let open = false;
  for (const b of branches) {
    Object.assign(props, b?.properties ?? {});
    if (b?.additionalProperties && typeof b.additionalProperties === "object") open = true;
  }
  if (Object.keys(props).length === 0) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k in props) out.push(...undeclaredFields(props[k], v, `${at}/${k}`));
    else if (!open) out.push(`${at}/${k}`);
  }
  return out;
}

/** Problems of a response against the operation's description for that status. */
export function validateResponse(op: Operation, status: number, body: unknown): string[] {
  const responses = op.op.responses ?? {};
  const entryKey = [String(status), `${String(status)[0]}XX`, "default"].find((k) => responses[k] !== undefined);
  if (entryKey === undefined) {
    // GitHub answers any operation with errors its description leaves out (401, 403, 404,
    // 422, 429, 5xx): those must still have GitHub's error shape. A success must be described.
    if (status < 400) return [`status ${status} is not in the description`];
    const v = restDescription().validator("/components/schemas/basic-error");
    return v(body) && body !== null && typeof body === "object" ? [] : [`error body: ${describeErrors(v.errors)}`];
  }
  const raw = responses[entryKey];
  const pointer = typeof raw.$ref === "string" ? raw.$ref.slice(1) : `${op.pointer}/responses/${entryKey}`;
  const entry = restDescription().deref(raw);
  const schema = entry.content?.["application/json"]?.schema;
  if (!schema) return body === undefined ? [] : [`status ${status} is described without a body, yet one was sent`];
  if (body === undefined) return [`status ${status} is described with a body, yet none was sent`];
  const v = restDescription().validator(`${pointer}/content/application~1json/schema`);
  return v(body) ? [] : [`response ${status}: ${describeErrors(v.errors)}`];
}
