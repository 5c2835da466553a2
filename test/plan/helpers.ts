import { canonicalize } from "../../src/program/canonical.js";
import type { Deferred, DomainIR, JsonObject, PolicyIR, Program, ResourceIR } from "../../src/program/types.js";
import { DEFAULT_POLICY } from "../../src/program/types.js";
import type { PriorState, RecordedResource } from "../../src/plan/types.js";
import { loadTypeCatalog } from "../../src/program/schemas.js";

/** Hand-built Program pieces for planner tests (plain JSON, as compile() would produce). */

/** The built-in resource types, as the engine passes them to buildPlan. */
export const CATALOG = loadTypeCatalog();

export interface ResOpts {
  deferred?: { [attr: string]: Deferred };
  dependsOn?: string[];
  protect?: boolean;
  provider?: string;
  key?: string | number | null;
}

export function res(domain: string, type: string, name: string, attrs: JsonObject, o: ResOpts = {}): ResourceIR {
  const key = o.key ?? null;
  const address = `${domain}/${type}.${name}` + (key === null ? "" : `[${JSON.stringify(key)}]`);
  const provider = o.provider ?? type.slice(0, type.indexOf("."));
  return {
    address,
    domain,
    type,
    provider,
    name,
    key,
    attrs,
    deferred: o.deferred ?? {},
    dependsOn: o.dependsOn ?? [],
    protect: o.protect ?? false,
    identity: identityOf(type, attrs),
  };
}

export function identityOf(type: string, attrs: JsonObject): string {
  return `${type.slice(0, type.indexOf("."))}:${canonicalize({ path: attrs["path"] ?? null })}`;
}

export interface DomOpts {
  after?: string[];
  imports?: { domain: string; name: string; as: string }[];
  policy?: Partial<PolicyIR>;
  providers?: DomainIR["providers"];
}

export function dom(name: string, resources: ResourceIR[], o: DomOpts = {}): DomainIR {
  const rs: { [a: string]: ResourceIR } = {};
  for (const r of resources) rs[r.address] = r;
  const kinds = new Set(resources.map((r) => r.provider));
  const providers: DomainIR["providers"] = o.providers ?? {};
  if (!o.providers) for (const k of [...kinds].sort()) providers[k] = { type: k, config: { root: "out" }, deferred: {} };
  return {
    name,
    imports: o.imports ?? [],
    after: o.after ?? [],
    providers,
    resources: rs,
    exports: {},
    goals: [],
    policy: { ...DEFAULT_POLICY, ...o.policy },
  };
}

export function prog(...domains: DomainIR[]): Program {
  const ds: { [n: string]: DomainIR } = {};
  for (const d of domains) ds[d.name] = d;
  return { format: "lexum.program/v1", domains: ds };
}

/** What a snapshot would record after applying `r` (extra attrs merged in, e.g. computed ones). */
export function rec(r: ResourceIR, extra: JsonObject = {}, o: Partial<RecordedResource> = {}): RecordedResource {
  return {
    address: r.address,
    domain: r.domain,
    type: r.type,
    provider: { alias: r.provider, type: r.type.slice(0, r.type.indexOf(".")), config: { root: "out" } },
    identity: r.identity,
    attrs: { ...r.attrs, ...extra },
    sensitive: {},
    dependsOn: r.dependsOn,
    protect: r.protect,
    ...o,
  };
}

export function prior(resources: RecordedResource[], snapshot: string | null = "sha256:" + "ab".repeat(32)): PriorState {
  const rs: { [a: string]: RecordedResource } = {};
  for (const r of resources) rs[r.address] = r;
  return { snapshot, resources: rs };
}

export const PROGRAM_HASH = "sha256:" + "cd".repeat(32);

/** A deep copy with every object's keys in reverse order (arrays keep their order). */
export function shuffleKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(shuffleKeys) as T;
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) out[k] = shuffleKeys((v as Record<string, unknown>)[k]);
    return out as T;
  }
  return v;
}
