import type { Json, JsonObject } from "../../program/types.js";
import type { CallContext, Provider, ProviderEnv, ProviderInstance } from "../types.js";
import { HttpClient, type Answer } from "./client.js";
import { resolveHttpConfig, type HttpConfig } from "./config.js";
import { badAttr, badResponse, statusFailed, unknownType } from "./errors.js";
import { HTTP_OBJECT, fillPath, holdsGoal, idIn, objectAttrs, objectSpec, recordedId, withId, type ObjectSpec } from "./object.js";
import { excerpt, secretForms } from "./redact.js";
import { parseRetryAfter } from "./retry-after.js";

export { resolveHttpConfig } from "./config.js";
export type { HttpConfig } from "./config.js";
export { HTTP_OBJECT } from "./object.js";

/** Test seams. `now` (default `Date.now`) is read only to turn a Retry-After date into a wait. */
export interface HttpOptions {
  readonly now?: () => number;
}

/** An object as the server holds it, and the raw body it came in. */
interface Found {
  readonly obj: JsonObject;
  readonly raw: string;
}

/**
 * Undefined for a goal (it has `data`) whose object the server has not named yet. A record
 * with neither an id nor `data` is one whose data held a secret: the runtime then records
 * every computed attribute, the server's id included, only as a digest, so the object
 * cannot be found again. Refused loudly rather than read as absent (which would make it anew).
 */
function unnamed(spec: ObjectSpec): undefined {
  if (spec.data !== undefined) return undefined;
  throw badAttr("id", "was recorded only as a digest (data holds a secret), so the server's id is lost: set object_id to name the object, or keep secret() out of data");
}

const gone = (status: number): boolean => status === 404 || status === 410;
const success = (status: number): boolean => status >= 200 && status <= 299;

class HttpInstance implements ProviderInstance {
  private readonly client: HttpClient;
  private readonly secrets: string[];

  constructor(
    private readonly cfg: HttpConfig,
    private readonly now: () => number,
  ) {
    this.client = new HttpClient(cfg);
    this.secrets = secretForms(cfg.headers.map(([, v]) => v));
  }

  async read(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject | null> {
    const spec = this.spec(type, attrs);
    // Without an id (a goal whose object the server has not named yet) there is nothing to read.
    const id = spec.objectId ?? recordedId(attrs) ?? unnamed(spec);
    if (id === undefined) return null;
    const found = await this.get(spec, id, ctx);
    return found === null ? null : objectAttrs(attrs, id, found.obj, found.raw, spec.data);
  }

  async create(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject> {
    return this.converge(attrs, this.spec(type, attrs), undefined, ctx);
  }

  async update(type: string, prior: JsonObject, attrs: JsonObject, ctx: CallContext): Promise<JsonObject> {
    const spec = this.spec(type, attrs);
    const recorded = recordedId(prior) ?? (spec.objectId === undefined ? unnamed(this.spec(type, prior)) : undefined);
    return this.converge(attrs, spec, recorded, ctx);
  }

  async delete(type: string, attrs: JsonObject, ctx: CallContext): Promise<void> {
    const spec = this.spec(type, attrs);
    const id = spec.objectId ?? recordedId(attrs) ?? unnamed(spec);
    // A record without an id names no object: nothing was made, nothing to delete.
    if (id === undefined) return;
    const path = fillPath(spec.destroyPath, "destroy_path", id);
    const a = await this.client.send(spec.destroyMethod, path, undefined, ctx.signal);
    if (!success(a.status) && !gone(a.status)) throw this.failure(spec.destroyMethod, path, a);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private spec(type: string, attrs: JsonObject): ObjectSpec {
    if (type !== HTTP_OBJECT) throw unknownType(type);
    return objectSpec(attrs, this.cfg);
  }

  /**
   * Brings the object to the goal; create and update both come here. With an id (the goal's
   * object_id, or the recorded one on update): read it; present and holding the goal's
   * data → left untouched (a retried call is free); present and different → updated;
   * absent → created. Without one → created, the server naming it. Every write is followed
   * by a read, which is what is returned.
   */
  private async converge(attrs: JsonObject, spec: ObjectSpec, recorded: string | undefined, ctx: CallContext): Promise<JsonObject> {
    const data = spec.data;
    if (data === undefined) throw badAttr("data", "is required to create or update an object");
    const id = spec.objectId ?? recorded;
    if (id !== undefined) {
      const cur = await this.get(spec, id, ctx);
      if (cur !== null) {
        if (holdsGoal(cur.obj, data)) return objectAttrs(attrs, id, cur.obj, cur.raw, data);
        const path = fillPath(spec.updatePath, "update_path", id);
        const a = await this.client.send(spec.updateMethod, path, data, ctx.signal);
        if (success(a.status)) return this.readBack(attrs, spec, id, spec.updateMethod, path, ctx);
        // Gone between the read and the write: made anew below.
        if (!gone(a.status)) throw this.failure(spec.updateMethod, path, a);
      }
    }
    const path = fillPath(spec.createPath, "create_path", spec.objectId);
    // The server stores the object under the goal's id only if the body says so.
    const body = spec.objectId !== undefined ? withId(data, spec.idAt, spec.objectId) : data;
    const a = await this.client.send(spec.createMethod, path, body, ctx.signal);
    if (!success(a.status)) throw this.failure(spec.createMethod, path, a);
    const made = spec.objectId ?? this.assignedId(spec, path, a);
    return this.readBack(attrs, spec, made, spec.createMethod, path, ctx);
  }

  /** The id the server gave a new object: at id_attribute in the answer, else the last segment of its Location. */
  private assignedId(spec: ObjectSpec, path: string, a: Answer): string {
    const body = a.body.trim() === "" ? undefined : this.parse(spec.createMethod, path, a, false);
    const fromBody = body === undefined ? undefined : idIn(body, spec.idAt);
    if (fromBody !== undefined) return fromBody;
    const location = a.headers.location;
    if (typeof location === "string" && URL.canParse(location, this.client.url(path))) {
      const last = new URL(location, this.client.url(path)).pathname.split("/").filter((s) => s !== "").pop();
      if (last !== undefined) return decodeURIComponent(last);
    }
    throw badResponse(spec.createMethod, this.client.url(path), `the answer names no id (no "${spec.idAt.join("/")}" in its body, no Location header): set id_attribute, or object_id`);
  }

  /** The object right after a write; a write the server acknowledged but cannot show is an error, never a silent absence. */
  private async readBack(attrs: JsonObject, spec: ObjectSpec, id: string, method: string, path: string, ctx: CallContext): Promise<JsonObject> {
    const found = await this.get(spec, id, ctx);
    if (found === null) {
      const at = fillPath(spec.readPath, "read_path", id);
      throw badResponse(method, this.client.url(path), `the server accepted it, but GET ${this.client.url(at)} then found no object: check read_path and id_attribute`);
    }
    return objectAttrs(attrs, id, found.obj, found.raw, spec.data);
  }

  /** GET of the object's own URL: the object, or null when the server says it is gone (404, 410). */
  private async get(spec: ObjectSpec, id: string, ctx: CallContext): Promise<Found | null> {
    const path = fillPath(spec.readPath, "read_path", id);
    const a = await this.client.send("GET", path, undefined, ctx.signal);
    if (gone(a.status)) return null;
    if (!success(a.status)) throw this.failure("GET", path, a);
    return { obj: this.parse("GET", path, a, true), raw: a.body };
  }

  private parse(method: string, path: string, a: Answer, required: true): JsonObject;
  private parse(method: string, path: string, a: Answer, required: false): JsonObject | undefined;
  private parse(method: string, path: string, a: Answer, required: boolean): JsonObject | undefined {
    let v: Json;
    try {
      v = JSON.parse(a.body) as Json;
    } catch {
      if (!required) return undefined;
      throw badResponse(method, this.client.url(path), `the answer is not JSON: ${excerpt(a.body, this.secrets)}`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      if (!required) return undefined;
      throw badResponse(method, this.client.url(path), `the answer is not a JSON object: ${excerpt(a.body, this.secrets)}`);
    }
    return v;
  }

  private failure(method: string, path: string, a: Answer): Error {
    return statusFailed(method, this.client.url(path), a.status, a.reason, excerpt(a.body, this.secrets), parseRetryAfter(a.headers["retry-after"], this.now()));
  }
}

/** Builds an http provider; tests pass `now` to read Retry-After dates against a fixed clock. */
export function createHttpProvider(options: HttpOptions = {}): Provider {
  const now = options.now ?? Date.now;
  return {
    name: "http",
    types: [HTTP_OBJECT],
    configure(config: JsonObject, env: ProviderEnv): ProviderInstance {
      return new HttpInstance(resolveHttpConfig(config, env), now);
    },
  };
}

/**
 * The `http` provider: JSON objects behind a REST API (`http.object`), in the manner of
 * Terraform's restapi provider (docs/providers.md).
 */
export const httpProvider: Provider = createHttpProvider();
