import { canonicalize } from "../../program/canonical.js";
import type { Json, JsonObject } from "../../program/types.js";
import type { HttpConfig } from "./config.js";
import { METHODS, validIdAttribute } from "./config.js";
import { badAttr } from "./errors.js";

/** The one resource type of the http provider. */
export const HTTP_OBJECT = "http.object";

/** An http.object's goal, its defaults filled in from the provider and from `path`. */
export interface ObjectSpec {
  readonly path: string;
  /** The id the goal names (object_id); undefined when the server assigns it. */
  readonly objectId: string | undefined;
  /** Undefined only in a record whose data was sensitive (kept as a digest): enough to read or delete, not to write. */
  readonly data: JsonObject | undefined;
  /** Path templates: `{id}` stands for the url-encoded id. */
  readonly createPath: string;
  readonly readPath: string;
  readonly updatePath: string;
  readonly destroyPath: string;
  readonly createMethod: string;
  readonly updateMethod: string;
  readonly destroyMethod: string;
  /** id_attribute split at "/". */
  readonly idAt: readonly string[];
}

/** The attributes a read gives back as the goal set them (every writable one but `data`, which is read from the server). */
const ECHOED = ["create_method", "create_path", "destroy_method", "destroy_path", "id_attribute", "object_id", "path", "read_path", "update_method", "update_path"];

function optionalPath(attrs: JsonObject, attr: string, dflt: string): string {
  const v = attrs[attr];
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !v.startsWith("/")) throw badAttr(attr, "must be a path starting with \"/\"");
  return v;
}

function optionalMethod(attrs: JsonObject, attr: keyof typeof METHODS, dflt: string): string {
  const v = attrs[attr];
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !(METHODS[attr] as readonly string[]).includes(v)) throw badAttr(attr, `must be one of ${METHODS[attr].join(", ")}`);
  return v;
}

/** Reads an http.object's attributes (a goal, or a record), checking their shapes. `data` may be absent (see ObjectSpec.data). */
export function objectSpec(attrs: JsonObject, cfg: HttpConfig): ObjectSpec {
  const path = attrs.path;
  if (typeof path !== "string" || !path.startsWith("/")) throw badAttr("path", "must be a path starting with \"/\"");
  const objectId = attrs.object_id;
  if (objectId !== undefined && (typeof objectId !== "string" || objectId.length === 0)) throw badAttr("object_id", "must be a non-empty string");
  const data = attrs.data;
  if (data !== undefined && (typeof data !== "object" || data === null || Array.isArray(data))) throw badAttr("data", "must be an object");
  const idAttribute = attrs.id_attribute ?? cfg.idAttribute;
  if (typeof idAttribute !== "string" || !validIdAttribute(idAttribute)) throw badAttr("id_attribute", "must be a key, or keys joined by \"/\"");
  const own = `${path.replace(/\/+$/, "")}/{id}`;
  return {
    path,
    objectId,
    data,
    createPath: optionalPath(attrs, "create_path", path),
    readPath: optionalPath(attrs, "read_path", own),
    updatePath: optionalPath(attrs, "update_path", own),
    destroyPath: optionalPath(attrs, "destroy_path", own),
    createMethod: optionalMethod(attrs, "create_method", cfg.createMethod),
    updateMethod: optionalMethod(attrs, "update_method", cfg.updateMethod),
    destroyMethod: optionalMethod(attrs, "destroy_method", cfg.destroyMethod),
    idAt: idAttribute.split("/"),
  };
}

/** A path template with `{id}` replaced by the url-encoded id; a template that needs an id when there is none is refused. */
export function fillPath(template: string, attr: string, id: string | undefined): string {
  if (!template.includes("{id}")) return template;
  if (id === undefined) throw badAttr(attr, "uses {id}, but the server assigns this object's id: set object_id to name it");
  return template.split("{id}").join(encodeURIComponent(id));
}

/** The id a record holds (the computed `id`), when it has one. */
export function recordedId(attrs: JsonObject): string | undefined {
  const id = attrs.id;
  return typeof id === "string" && id.length > 0 ? id : undefined;
}

/** The id at `at` in a server's object, as a string (numbers are ids too); undefined when absent. */
export function idIn(obj: Json, at: readonly string[]): string | undefined {
  let cur: Json | undefined = obj;
  for (const k of at) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    cur = cur[k];
  }
  if (typeof cur === "string" && cur.length > 0) return cur;
  if (typeof cur === "number" && Number.isFinite(cur)) return String(cur);
  return undefined;
}

/** `data` with the id set at `at` (the nested objects on the way made as needed), unless it already holds one there. */
export function withId(data: JsonObject, at: readonly string[], id: string): JsonObject {
  if (idIn(data, at) !== undefined) return data;
  const set = (o: JsonObject, i: number): JsonObject => {
    const k = at[i]!;
    if (i === at.length - 1) return { ...o, [k]: id };
    const next = o[k];
    return { ...o, [k]: set(typeof next === "object" && next !== null && !Array.isArray(next) ? next : {}, i + 1) };
  };
  return set(data, 0);
}

/**
 * What the server holds of the fields the goal manages: `server` cut down to the keys of
 * `goal`, nested objects alike, and the elements of a list as long as the goal's one by one;
 * other values are taken whole. Fields the server adds (an id, createdAt) are left out, so an
 * untouched object reads back equal to its goal, while a managed field changed behind
 * Lexum's back reads back changed. A field missing on the server is missing here too.
 */
export function project(server: JsonObject, goal: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(goal).sort()) {
    if (Object.prototype.hasOwnProperty.call(server, k)) out[k] = projectValue(server[k]!, goal[k]!);
  }
  return out;
}

function projectValue(s: Json, g: Json): Json {
  if (isObject(s) && isObject(g)) return project(s, g);
  if (Array.isArray(s) && Array.isArray(g) && s.length === g.length) return s.map((v, i) => projectValue(v, g[i]!));
  return s;
}

/** Whether the server holds the goal's fields as the goal sets them. */
export function holdsGoal(server: JsonObject, goal: JsonObject): boolean {
  return canonicalize(project(server, goal)) === canonicalize(goal);
}

function isObject(v: Json): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * An http.object as read back: the attributes the goal (or record) `attrs` set, as set;
 * `data` as the server holds it (projected on the goal's keys; absent when there are no keys
 * to project on); `id`; `api_data`, the whole object; `api_response`, the raw body it came in.
 */
export function objectAttrs(attrs: JsonObject, id: string, server: JsonObject, raw: string, goalData: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  for (const k of ECHOED) if (attrs[k] !== undefined) out[k] = attrs[k]!;
  out.api_data = server;
  out.api_response = raw;
  if (goalData !== undefined) out.data = project(server, goalData);
  out.id = id;
  return out;
}
