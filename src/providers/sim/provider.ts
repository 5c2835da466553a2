import * as catalog from "../../diag/catalog/runtime.js";
import { canonicalize, sha256 } from "../../program/canonical.js";
import type { Json, JsonObject } from "../../program/types.js";
import type { CallContext, Provider, ProviderEnv, ProviderInstance } from "../types.js";
import { resolveConfigPath } from "../types.js";
import { sleep, untilAborted } from "./delay.js";
import { aborted, badAttr, crashed, injectedError, unknownType, worldInvalid } from "./errors.js";
import { FaultPlan, parseFaults, type Fault, type SimOp } from "./faults.js";
import { objectKey, openWorld, releaseWorld, type SimObject, type WorldStore } from "./world.js";

/** The one resource type of the sim provider. */
export const SIM_OBJECT = "sim.object";

/** The sim provider's configuration, resolved. */
export interface SimConfig {
  /** Absolute path of the world file. */
  readonly world: string;
  readonly latency: number;
  readonly faults: readonly Fault[];
}

/** Test seams. `kill` defaults to `process.kill`; the crash fault calls it with (pid, "SIGKILL"). */
export interface SimOptions {
  readonly kill?: (pid: number, signal: NodeJS.Signals) => void;
}

const SETTINGS = new Set(["world", "latency", "faults"]);

/**
 * Resolves a sim provider block: `world` (required) resolves against `env.projectDir`
 * unless absolute; `latency` is an integer of milliseconds ≥ 0 (default 0); `faults` a
 * list (default none). Throws a LexumError (LXM4900) on bad configuration.
 */
export function resolveSimConfig(config: JsonObject, env: ProviderEnv): SimConfig {
  for (const key of Object.keys(config).sort()) {
    if (!SETTINGS.has(key)) throw catalog.providerConfigInvalid.error("sim", key, "is not a setting of this provider (world, latency, faults)");
  }
  const world = config.world;
  if (typeof world !== "string" || world.length === 0) throw catalog.providerConfigInvalid.error("sim", "world", "is required: the path of the world JSON file");
  if (world.includes("\0")) throw catalog.providerConfigInvalid.error("sim", "world", "contains a NUL byte");
  const latency = config.latency ?? 0;
  if (typeof latency !== "number" || !Number.isSafeInteger(latency) || latency < 0) {
    throw catalog.providerConfigInvalid.error("sim", "latency", "must be an integer number of milliseconds ≥ 0");
  }
  const faults = parseFaults(config.faults);
  if (!Array.isArray(faults)) throw catalog.providerConfigInvalid.error("sim", faults.attr, faults.problem);
  return { world: resolveConfigPath(env, world), latency, faults };
}

/** The deterministic uid of an object: the first 16 hex digits of sha256 over canonical [kind, name]. */
export function simUid(kind: string, name: string): string {
  return sha256(canonicalize([kind, name])).slice("sha256:".length, "sha256:".length + 16);
}

/** The digest stored (and read back) in place of a secret: `sha256:<hex>` of its UTF-8 bytes. */
export function secretDigest(secret: string): string {
  return sha256(secret);
}

interface Identity {
  readonly kind: string;
  readonly name: string;
}

interface Goal {
  readonly spec: JsonObject;
  readonly digest: string | undefined;
}

// Checked before any latency or fault: a malformed call fails at once, permanently.
function goalOf(attrs: JsonObject): Goal {
  return { spec: goalSpec(attrs), digest: goalDigest(attrs) };
}

function identity(attrs: JsonObject): Identity {
  const { kind, name } = attrs;
  if (typeof kind !== "string" || kind.length === 0) throw badAttr("kind", "must be a non-empty string");
  // "/" in a kind would make `<kind>/<name>` keys ambiguous.
  if (kind.includes("/")) throw badAttr("kind", `must not contain "/", got ${JSON.stringify(kind)}`);
  if (typeof name !== "string" || name.length === 0) throw badAttr("name", "must be a non-empty string");
  return { kind, name };
}

function goalSpec(attrs: JsonObject): JsonObject {
  const spec: Json | undefined = attrs.spec ?? {};
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw badAttr("spec", "must be an object");
  return spec;
}

/** A private deep copy, made when the effect lands (not on the way out): the world must not alias the caller's objects. */
function copySpec(spec: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(spec)) as JsonObject;
}

function goalDigest(attrs: JsonObject): string | undefined {
  const s = attrs.secret;
  if (s === undefined || s === null) return undefined;
  if (typeof s !== "string") throw badAttr("secret", "must be a string");
  return secretDigest(s);
}

/** An object's attributes as read back: identity, spec, computed uid and generation, and the secret's digest. */
export function objectAttrs(o: SimObject): JsonObject {
  // Keys in code-unit order (what the runtime records), so it is not copied to sort them.
  const spec = JSON.parse(JSON.stringify(o.spec)) as JsonObject;
  return o.secretDigest !== undefined
    ? { generation: o.generation, kind: o.kind, name: o.name, secret: o.secretDigest, spec, uid: o.uid }
    : { generation: o.generation, kind: o.kind, name: o.name, spec, uid: o.uid };
}

class SimInstance implements ProviderInstance {
  private readonly faults: FaultPlan;
  private closed = false;

  constructor(
    private readonly cfg: SimConfig,
    private readonly store: WorldStore,
    private readonly kill: (pid: number, signal: NodeJS.Signals) => void,
  ) {
    this.faults = new FaultPlan(cfg.faults);
  }

  // Every call models a remote request: check the arguments, travel there (the first half
  // of the latency), let a fault fire, apply the effect to the world (re-read first if it
  // was edited on disk), then travel back (the rest of the latency) while the change is
  // appended to the world's log. An abort on the way back leaves the effect in place, as a
  // lost response would.
  private async call<T>(op: SimOp, type: string, attrs: JsonObject, ctx: CallContext, effect: (id: Identity) => T, mutates: boolean): Promise<T> {
    if (type !== SIM_OBJECT) throw unknownType(type);
    const id = identity(attrs);
    const what = ctx.address ?? objectKey(id.kind, id.name);
    const onAbort = () => aborted(op, what);
    const there = Math.floor(this.cfg.latency / 2);
    // The whole round trip is one timer started now, so a call lasts the latency (plus one
    // timer's lateness, not two); the effect lands at its midpoint.
    const roundTrip = sleep(this.cfg.latency, ctx.signal, onAbort);
    roundTrip.catch(() => undefined); // observed below; an early throw must not leave it unhandled
    await sleep(there, ctx.signal, onAbort);
    const firing = this.faults.onCall(op, ctx.address);
    if (firing !== null) {
      switch (firing.fault.kind) {
        case "error":
          throw injectedError(op, what, firing.n);
        case "timeout":
          return untilAborted(ctx.signal, onAbort);
        case "crash":
          this.kill(process.pid, "SIGKILL");
          // Only reached when a test injected a kill that does not end the process.
          throw crashed(op, what);
      }
    }
    const problem = this.store.refresh();
    if (problem !== null) throw worldInvalid(problem);
    const result = effect(id);
    // Even an unchanged world waits for durability when the call mutates: a retry after a
    // failed write must not report success for a change that never reached the disk.
    const written = mutates ? this.store.commit() : Promise.resolve();
    written.catch(() => undefined); // observed below; an abort must not leave it unhandled
    await roundTrip;
    await written;
    return result;
  }

  async read(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject | null> {
    return this.call("read", type, attrs, ctx, ({ kind, name }) => {
      const o = this.store.get(objectKey(kind, name));
      return o === undefined ? null : objectAttrs(o);
    }, false);
  }

  async create(type: string, attrs: JsonObject, ctx: CallContext): Promise<JsonObject> {
    const goal = goalOf(attrs);
    return this.call("create", type, attrs, ctx, (id) => this.converge(id, goal), true);
  }

  async update(type: string, _prior: JsonObject, attrs: JsonObject, ctx: CallContext): Promise<JsonObject> {
    const goal = goalOf(attrs);
    return this.call("update", type, attrs, ctx, (id) => this.converge(id, goal), true);
  }

  async delete(type: string, attrs: JsonObject, ctx: CallContext): Promise<void> {
    return this.call("delete", type, attrs, ctx, ({ kind, name }) => this.store.remove(objectKey(kind, name)), true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await releaseWorld(this.store);
  }

  // create and update both bring the object to the goal: absent → generation 1; present and
  // different → generation + 1; present and identical → untouched (a retried call is free).
  private converge(id: Identity, goal: Goal): JsonObject {
    const key = objectKey(id.kind, id.name);
    const cur = this.store.get(key);
    let next: SimObject;
    if (cur === undefined) {
      next = { kind: id.kind, name: id.name, spec: copySpec(goal.spec), uid: simUid(id.kind, id.name), generation: 1 };
    } else if (canonicalize(cur.spec) === canonicalize(goal.spec) && cur.secretDigest === goal.digest) {
      next = cur;
    } else {
      next = { kind: cur.kind, name: cur.name, spec: copySpec(goal.spec), uid: cur.uid, generation: cur.generation + 1 };
    }
    if (goal.digest !== undefined && next !== cur) next = { ...next, secretDigest: goal.digest };
    if (next !== cur) this.store.set(next);
    return objectAttrs(next);
  }
}

/**
 * Builds a sim provider. The built-in one (`simProvider`) uses the real `process.kill`;
 * tests pass `kill` to observe the crash fault without dying.
 */
export function createSimProvider(options: SimOptions = {}): Provider {
  const kill = options.kill ?? ((pid: number, signal: NodeJS.Signals) => void process.kill(pid, signal));
  return {
    name: "sim",
    types: [SIM_OBJECT],
    configure(config: JsonObject, env: ProviderEnv): ProviderInstance {
      const cfg = resolveSimConfig(config, env);
      return new SimInstance(cfg, openWorld(cfg.world), kill);
    },
  };
}

/**
 * The `sim` provider: a simulated world of `sim.object`s kept in a JSON file, with
 * per-call latency and fault injection. The test bed and playground (docs/providers.md).
 */
export const simProvider: Provider = createSimProvider();
