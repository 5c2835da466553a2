import type { Deferred, DomainIR, ExportIR, GoalIR, JsonObject, PolicyIR, Program, Residual } from "../../src/program/types.js";
import type { ActionKind, Plan, PlanDomain, PlannedAction, PriorState, RecordedResource } from "../../src/plan/types.js";
import type { CallContext, ProviderInstance } from "../../src/providers/types.js";
import type { RunInput, RuntimeCatalog } from "../../src/runtime/index.js";
import { loadTypeCatalog } from "../../src/program/schemas.js";
import { ProviderError } from "../../src/providers/types.js";
import { createHash, createHmac } from "node:crypto";
import { hashValue } from "../../src/program/canonical.js";

/** Test doubles and hand-built programs/plans for the runtime tests (type sim.object: identity kind+name, readOnly uid+generation, sensitive secret). */

export const TYPE = "sim.object";
export const addr = (domain: string, name: string): string => `${domain}/${TYPE}.${name}`;

export interface ResSpec {
  readonly name: string;
  readonly action?: ActionKind;
  readonly spec?: JsonObject;
  readonly deferred?: { [attr: string]: Deferred };
  readonly dependsOn?: string[];
}

export interface DomainSpec {
  readonly name: string;
  readonly step: number;
  readonly after?: string[];
  readonly policy?: Partial<PolicyIR>;
  readonly resources: ResSpec[];
  readonly goals?: GoalIR[];
  readonly exports?: { [name: string]: ExportIR };
}

export function goalAttrs(name: string, spec: JsonObject | undefined): JsonObject {
  return { kind: "svc", name, spec: spec ?? {} };
}

/** A recorded resource as a previous run would have left it. */
export function recorded(domain: string, name: string, spec: JsonObject = {}, extra: JsonObject = {}): RecordedResource {
  return {
    address: addr(domain, name),
    domain,
    type: TYPE,
    provider: { alias: "sim", type: "sim", config: {} },
    identity: `sim:svc/${name}`,
    attrs: { ...goalAttrs(name, spec), uid: `svc/${name}`, generation: 1, ...extra },
    sensitive: {},
    dependsOn: [],
    protect: false,
  };
}

/** Builds a matching Program and Plan (plan order = spec order within each domain). */
export function build(domains: DomainSpec[], prior: RecordedResource[] = []): { program: Program; plan: Plan; prior: PriorState; catalog: RuntimeCatalog } {
  const priorState: PriorState = { snapshot: prior.length ? "sha256:prior" : null, resources: Object.fromEntries(prior.map((r) => [r.address, r])) };
  const progDomains: { [name: string]: DomainIR } = {};
  const steps = new Map<number, PlanDomain[]>();
  let seq = 0;
  const policyOf = (p?: Partial<PolicyIR>): PolicyIR => ({ timeoutMs: 5_000, retries: 0, onFailure: "halt", prune: true, ...p });
  for (const d of [...domains].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const policy = policyOf(d.policy);
    const resources: DomainIR["resources"] = {};
    const actions: PlannedAction[] = [];
    for (const r of d.resources) {
      const address = addr(d.name, r.name);
      const action = r.action ?? "create";
      const after = goalAttrs(r.name, r.spec);
      if (action !== "delete") {
        resources[address] = {
          address, domain: d.name, type: TYPE, provider: "sim", name: r.name, key: null,
          attrs: after, deferred: r.deferred ?? {}, dependsOn: r.dependsOn ?? [], protect: false, identity: `sim:svc/${r.name}`,
        };
      }
      const p = priorState.resources[address];
      actions.push({
        seq: seq++, step: d.step, domain: d.name, action, address, type: TYPE, provider: "sim", drift: false, reason: null, changes: [],
        after: action === "delete" ? null : after, deferred: action === "delete" ? {} : (r.deferred ?? {}),
        before: action === "create" ? null : (p?.attrs ?? null), dependsOn: r.dependsOn ?? [],
      });
    }
    progDomains[d.name] = {
      name: d.name, imports: [], after: d.after ?? [], providers: { sim: { type: "sim", config: {}, deferred: {} } },
      resources, exports: d.exports ?? {}, goals: d.goals ?? [], policy,
    };
    const list = steps.get(d.step) ?? [];
    list.push({ domain: d.name, step: d.step, after: d.after ?? [], policy, actions });
    steps.set(d.step, list);
  }
  const body = {
    format: "lexum.plan/v1" as const, program: "sha256:program", prior: priorState.snapshot, refreshed: false,
    steps: [...steps.keys()].sort((a, b) => a - b).map((step) => ({ step, domains: steps.get(step)! })),
    summary: { create: 0, update: 0, replace: 0, delete: 0, noop: 0 },
  };
  return { program: { format: "lexum.program/v1", domains: progDomains }, plan: { ...body, hash: hashValue(body) }, prior: priorState, catalog: loadTypeCatalog() };
}

/** Deterministic pseudo-random delay per (address, call, attempt): shuffles completion order without any clock in the assertions. */
function seededDelay(seed: string, max: number): number {
  const h = createHash("sha256").update(seed).digest();
  return h[0]! % (max + 1);
}

export interface Fault {
  /** How many attempts fail (then calls succeed); Infinity = always. */
  times: number;
  kind: "error" | "hang";
  retryable?: boolean;
  /** Only this call kind fails (default: any mutating call). */
  call?: "create" | "update" | "delete" | "read";
  /** The error's retryAfterMs (a remote's Retry-After, relayed). */
  retryAfterMs?: number;
}

/** An in-memory world of sim.object resources with seeded latency, faults and a call log. */
export class FakeWorld {
  readonly objects = new Map<string, JsonObject>();
  readonly calls: string[] = [];
  readonly faults = new Map<string, Fault>();
  inFlight = 0;
  maxInFlight = 0;
  maxDelayMs = 0;
  private gen = 0;

  constructor(init: JsonObject[] = []) {
    for (const o of init) this.objects.set(`${o["kind"]}/${o["name"]}`, o);
  }

  instance(): ProviderInstance {
    const run = async <T>(call: "read" | "create" | "update" | "delete", attrs: JsonObject, ctx: CallContext, body: () => T): Promise<T> => {
      this.calls.push(`${call} ${ctx.address} #${ctx.attempt}`);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        const f = ctx.address ? this.faults.get(ctx.address) : undefined;
        if (f && f.times > 0 && (f.call ? f.call === call : call !== "read")) {
          f.times--;
          if (f.kind === "hang") {
            await new Promise<void>((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted"))));
          }
          throw new ProviderError("sim.fault", `injected fault on ${ctx.address}`, f.retryable ?? false, f.retryAfterMs);
        }
        if (this.maxDelayMs > 0) await new Promise((r) => setTimeout(r, seededDelay(`${ctx.address}|${call}|${ctx.attempt}`, this.maxDelayMs)));
        return body();
      } finally {
        this.inFlight--;
      }
    };
    const key = (a: JsonObject): string => `${a["kind"]}/${a["name"]}`;
    const put = (a: JsonObject): JsonObject => {
      const k = key(a);
      const prev = this.objects.get(k);
      const o: JsonObject = { ...a, uid: k, generation: ((prev?.["generation"] as number | undefined) ?? 0) + 1 };
      this.gen++;
      this.objects.set(k, o);
      return { ...o };
    };
    return {
      read: (_t, attrs, ctx) => run("read", attrs, ctx, () => {
        const o = this.objects.get(key(attrs));
        return o ? { ...o } : null;
      }),
      create: (_t, attrs, ctx) => run("create", attrs, ctx, () => put(attrs)),
      update: (_t, _prior, attrs, ctx) => run("update", attrs, ctx, () => put(attrs)),
      delete: (_t, attrs, ctx) => run("delete", attrs, ctx, () => {
        this.objects.delete(key(attrs));
      }),
      close: async () => {},
    };
  }
}

export const digest = (v: string): string => "hmac-sha256:" + createHmac("sha256", "test-key").update(v).digest("hex");

/** A RunInput over a FakeWorld with an instant backoff (recorded in `backoffs`). */
export function input(w: FakeWorld, built: ReturnType<typeof build>, extra: Partial<RunInput> = {}): RunInput & { backoffs: number[] } {
  const backoffs: number[] = [];
  const inst = w.instance();
  return {
    ...built,
    providers: () => inst,
    parallelism: 4,
    secret: () => undefined,
    digest,
    backoffMs: (attempt) => {
      backoffs.push(attempt);
      return 0;
    },
    backoffs,
    ...extra,
  };
}

/** Residual helpers. */
export const lit = (value: JsonObject[string]): Residual => ({ op: "lit", value });
export const ref = (address: string, attr: string): Residual => ({ op: "ref", address, attr });
export const eq = (l: Residual, r: Residual): Residual => ({ op: "binary", o: "==", l, r });
