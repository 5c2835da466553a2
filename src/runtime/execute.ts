import type { Address, JsonObject, ProviderIR } from "../program/types.js";
import type { PlannedAction, RecordedProvider, RecordedResource } from "../plan/types.js";
import type { ProviderInstance } from "../providers/types.js";
import type { DomainRun } from "./context.js";
import type { Observation } from "./types.js";
import type { CallKind, CallOutcome } from "./observe.js";
import { LexumError } from "../diag/diagnostic.js";
import { canonicalize, inCanonicalOrder } from "../program/canonical.js";
import { actionFailed, deferredFailed, deferredInvalid, existsOutsideLexum } from "../diag/catalog/runtime.js";
import { evaluateResidual } from "../lang/residual.js";
import { envOf } from "./context.js";
import { defaultBackoffMs, observe } from "./observe.js";
import { redactedAttrs, split } from "./redact.js";

/** How an action ended: its failure message when it failed. */
export type ActionOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * Runs one planned action inside its domain actor: start event, the provider calls (each
 * an observe event), then done or failed. Deferred attributes are evaluated right before
 * the calls. After a failed call the resource is read back once so the record holds its
 * real state. Never throws for a world failure; only bugs throw.
 *
 * Only what the next call needs happens on the way to it (the goal, the call, the read-back
 * value in memory); the events and the record are the domain's bookkeeping (`d.later`),
 * done in order once every actor has made its next call.
 */
export async function executeAction(d: DomainRun, a: PlannedAction): Promise<ActionOutcome> {
  const rc = d.rc;
  const prior = rc.input.prior.resources[a.address];
  d.later(() => {
    const causes = [...a.dependsOn, ...d.plan.after].sort();
    d.emit({ phase: "start", action: a.action, address: a.address, before: a.before, causes, ...(a.movedFrom !== undefined ? { movedFrom: a.movedFrom } : {}), span: rc.input.locate?.(a.address) });
  });

  const fail = (message: string): ActionOutcome => {
    d.later(() => {
      const rec = rc.resources.get(a.address);
      d.emit({ phase: "failed", action: a.action, address: a.address, after: rec ? rec.attrs : null, message, span: rc.input.locate?.(a.address) });
    });
    return { ok: false, message };
  };

  // A replace split by the plan: its teardown half deletes, its build half creates.
  const calls: PlannedAction["action"] =
    a.action !== "replace" ? a.action : d.teardown ? "delete" : rc.tornDown.has(a.address) ? "create" : "replace";
  // The goal attributes: known ones from the plan, deferred ones evaluated now.
  let goal: JsonObject | null = null;
  if (calls === "create" || calls === "update" || calls === "replace" || calls === "adopt") {
    goal = { ...(a.after ?? {}) };
    const deferred = Object.keys(a.deferred);
    const env = deferred.length > 0 ? envOf(d) : null;
    for (const attr of deferred.sort()) {
      const r = evaluateResidual(a.deferred[attr]!.expr, env!);
      if ("error" in r) return fail(deferredFailed(undefined, a.address, attr, r.error).message);
      goal[attr] = r.value;
    }
  }
  const redacted = redactedAttrs(a.type, a.deferred, goal ? Object.keys(goal) : [], rc.catalog);
  if (goal) {
    const invalid = invalidDeferred(goal, a.deferred, redacted, rc.catalog.resources.get(a.type)?.validate);
    if (invalid) return fail(deferredInvalid(undefined, a.address, invalid.attr, invalid.problem).message);
  }
  const recorded: JsonObject = prior?.attrs ?? a.before ?? {};

  // A move changes nothing in the world: the record, already under its new address (the
  // run's prior state is renamed by the plan's moves), is kept like a noop's.
  if (a.action === "noop" || a.action === "moved") {
    // A refreshed plan's `before` is what the provider read back: reality already equals the
    // goal, and that reading (not the older record) is what the snapshot keeps, so the next
    // goal change is planned against the truth. The plan carries it, so replay rebuilds it.
    const seen = prior && rc.input.plan.refreshed && a.before !== null && canonicalize(a.before) !== canonicalize(prior.attrs) ? a.before : null;
    const attrs = seen ?? prior?.attrs;
    if (prior) rc.live.set(a.address, attrs!);
    d.later(() => {
      if (prior) setRecord(rc, seen ? record(prior.address, prior.domain, prior.type, metadata(d, a, prior), seen, prior.sensitive) : keepOrRefresh(prior, metadata(d, a, prior)));
      d.emit({ phase: "done", action: a.action, address: a.address, after: prior ? attrs! : null, span: rc.input.locate?.(a.address) });
    });
    return { ok: true };
  }

  let instance: ProviderInstance | null = null;
  if (!rc.feed) {
    const k = `${a.domain}\u0000${a.provider}`;
    instance = rc.instances.get(k) ?? null;
    if (!instance) {
      try {
        instance = rc.input.providers(a.domain, a.provider);
      } catch (e) {
        // A bad provider configuration is the user's: it fails the action, with its own code.
        if (e instanceof LexumError) return fail(actionFailed(undefined, a.address, a.action, 0, `${e.code}: ${e.message}`).message);
        throw e;
      }
      rc.instances.set(k, instance);
    }
  }
  const policy = d.plan.policy;
  const call = (kind: CallKind, invoke: (p: ProviderInstance, ctx: Parameters<ProviderInstance["read"]>[2]) => Promise<JsonObject | null | void>, retries = policy.retries): Promise<CallOutcome> =>
    observe({
      domain: a.domain,
      address: a.address,
      kind,
      timeoutMs: policy.timeoutMs,
      retries,
      redacted,
      digest: rc.input.digest,
      backoffMs: rc.input.backoffMs ?? defaultBackoffMs,
      sleep: rc.input.sleep,
      invoke: instance ? (ctx) => invoke(instance!, ctx) : null,
      feed: rc.feed,
      record: (o) => d.later(() => d.emit({ phase: "observe", action: a.action, address: a.address, observation: o() })),
    });

  // A sensitive attribute the goal set is observed as the value just written, not as the
  // provider echoes it (sim, like many APIs, returns only a digest of a secret): the record
  // then holds the digest of the goal's value, which is what the planner compares the next
  // goal with, so an unchanged secret plans as no change. The observation (masked) carries
  // it, so a replay without the secret rebuilds the same record.
  const written = (r: JsonObject | null | void): JsonObject | null | void => {
    if (!r || !goal) return r;
    const echoed: JsonObject = { ...r };
    for (const k of redacted) if (k in goal && k in r) echoed[k] = goal[k]!;
    return echoed;
  };
  const create = (): Promise<CallOutcome> => call("create", (p, ctx) => p.create(a.type, goal!, ctx).then(written));
  // What is there before a create or an adoption: one read (retried like any call),
  // observed, so a replay takes the same path.
  const look = (): Promise<CallOutcome> => call("read", (p, ctx) => p.read(a.type, goal!, ctx));
  const lookFailed = (seen: CallOutcome & { ok: false }): ActionOutcome =>
    fail(actionFailed(undefined, a.address, a.action, seen.attempts, `${seen.error.code}: ${seen.error.message}`).message);
  let out: CallOutcome;
  switch (calls) {
    case "create": {
      // Never a silent overwrite of an object Lexum did not make. Not after the teardown
      // half of a replace (it just deleted the object), nor on a replay of a trace recorded
      // without the check.
      if (!rc.tornDown.has(a.address) && (!rc.feed || rc.feed.nextCall(a.domain, a.address) === "read")) {
        const seen = await look();
        if (!seen.ok) return lookFailed(seen);
        if (seen.clear !== null) {
          const differ = differing(goal!, seen.clear, redacted);
          if (differ.length > 0) return fail(existsOutsideLexum(undefined, a.address, a.type, identityText(a.type, goal!, rc.catalog), differ).message);
        }
      }
      out = await create();
      break;
    }
    case "adopt": {
      const seen = await look();
      if (!seen.ok) return lookFailed(seen);
      if (seen.clear === null) out = await create(); // gone since the plan: made anew
      // Sensitive attributes cannot be compared: a goal that sets one is always written.
      else if (differing(goal!, seen.clear, redacted).length === 0 && !redacted.some((k) => k in goal!)) out = seen;
      else {
        const found = seen.clear;
        out = await call("update", (p, ctx) => p.update(a.type, found, goal!, ctx).then(written));
      }
      break;
    }
    case "update":
      out = await call("update", (p, ctx) => p.update(a.type, recorded, goal!, ctx).then(written));
      break;
    case "replace":
      out = await call("delete", (p, ctx) => p.delete(a.type, recorded, ctx));
      if (out.ok) out = await call("create", (p, ctx) => p.create(a.type, goal!, ctx).then(written));
      break;
    case "delete":
      out = await call("delete", (p, ctx) => p.delete(a.type, recorded, ctx));
      break;
    case "noop":
    case "moved":
      throw new Error("unreachable: a noop or a move returned above");
  }

  if (!out.ok) {
    // Record the real state of what was touched: one read, no retries; when it fails too
    // the previous record stands.
    const back = await call("read", (p, ctx) => p.read(a.type, goal ?? recorded, ctx), 0);
    if (back.ok) store(d, a, back.clear, back.observation, redacted);
    return fail(actionFailed(undefined, a.address, a.action, out.attempts, `${out.error.code}: ${out.error.message}`).message);
  }
  store(d, a, calls === "delete" ? null : out.clear, out.observation, redacted);
  d.later(() => {
    const rec = rc.resources.get(a.address);
    d.emit({ phase: "done", action: a.action, address: a.address, after: rec ? rec.attrs : null, span: rc.input.locate?.(a.address) });
  });
  return { ok: true };
}

/** The goal's attributes (sensitive ones left out) whose value differs in what was read; sorted. */
function differing(goal: JsonObject, seen: JsonObject, redacted: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of Object.keys(goal).sort()) {
    if (redacted.includes(k)) continue;
    if (canonicalize(goal[k] ?? null) !== canonicalize(seen[k] ?? null)) out.push(k);
  }
  return out;
}

/** `{path = "motd"}`: the type's identity attributes as the goal sets them. */
function identityText(type: string, goal: JsonObject, catalog: DomainRun["rc"]["catalog"]): string {
  const ids = catalog.resources.get(type)?.identity ?? [];
  return "{" + ids.filter((k) => k in goal).map((k) => `${k} = ${canonicalize(goal[k]!)}`).join(", ") + "}";
}

/**
 * The first schema problem of an attribute evaluated at apply time (the others were checked
 * at compile time), or null. A sensitive attribute's problem names the rule, not the value.
 */
function invalidDeferred(
  goal: JsonObject,
  deferred: PlannedAction["deferred"],
  redacted: readonly string[],
  validate: ((attrs: JsonObject) => { path: string; problem: string; keyword: string }[]) | undefined,
): { attr: string; problem: string } | null {
  const names = Object.keys(deferred);
  if (names.length === 0 || !validate) return null;
  for (const p of validate(goal)) {
    const attr = p.path.split("/")[1];
    if (attr === undefined || !names.includes(attr)) continue;
    const hidden = deferred[attr]!.sensitive || redacted.includes(attr);
    return { attr, problem: hidden ? `the value (sensitive, not shown) breaks the schema's \`${p.keyword}\` rule` : p.problem };
  }
  return null;
}

/**
 * Records a resource's read-back state (null: it is gone): in memory at once, for the
 * domain's next actions; its record (from the masked observation) as bookkeeping.
 */
function store(d: DomainRun, a: PlannedAction, clear: JsonObject | null, observation: () => Observation, redacted: readonly string[]): void {
  const rc = d.rc;
  rc.live.set(a.address, clear);
  d.later(() => {
    const masked = observation().result;
    if (clear === null || masked === null) {
      rc.resources.delete(a.address);
      return;
    }
    const prior = rc.input.prior.resources[a.address];
    const { attrs, sensitive } = split(masked, redacted);
    setRecord(rc, record(a.address, a.domain, a.type, metadata(d, a, prior), attrs, sensitive));
  });
}

function setRecord(rc: DomainRun["rc"], rec: RecordedResource): void {
  rc.resources.set(rec.address, rec);
  rc.input.onRecord?.(rec);
}

/**
 * A noop's record: the prior record itself (the very object) when its metadata is
 * unchanged, so the snapshot reuses its hash instead of re-hashing every untouched
 * resource; otherwise a new record with the program's metadata.
 */
function keepOrRefresh(prior: RecordedResource, m: Metadata): RecordedResource {
  const same =
    m.identity === prior.identity &&
    m.protect === prior.protect &&
    m.dependsOn.length === prior.dependsOn.length &&
    m.dependsOn.every((x, i) => x === prior.dependsOn[i]) &&
    m.provider.alias === prior.provider.alias &&
    m.provider.type === prior.provider.type &&
    (m.provider.config === prior.provider.config || canonicalize(m.provider.config) === canonicalize(prior.provider.config)) &&
    (m.provider.deferred === prior.provider.deferred || canonicalize(m.provider.deferred ?? {}) === canonicalize(prior.provider.deferred ?? {}));
  return same ? prior : record(prior.address, prior.domain, prior.type, m, prior.attrs, prior.sensitive);
}

/**
 * A record with its keys (and its values' keys) in code-unit order, so hashing it takes
 * canonicalize's fastest path. Built in one literal from its parts: this runs once per
 * action between one provider call and the next, mostly before the engine optimises it.
 */
function record(address: Address, domain: string, type: string, m: Metadata, attrs: JsonObject, sensitive: RecordedResource["sensitive"]): RecordedResource {
  return {
    address,
    attrs: inCanonicalOrder(attrs),
    dependsOn: m.dependsOn,
    domain,
    identity: m.identity,
    protect: m.protect,
    provider: m.provider,
    sensitive: inCanonicalOrder(sensitive),
    type,
  };
}

type Metadata = Pick<RecordedResource, "provider" | "identity" | "dependsOn" | "protect">;

/**
 * A provider block as a record keeps it, keys in code-unit order: its known settings, and
 * its deferred ones' expressions only when it has some (records without keep their hash).
 * A setting the schema marks sensitive but the code wrote as a plain value (`headers = {
 * Authorization = "Bearer abc" }`) is deferred as that literal: the value itself, never
 * recorded. (Written with secret(), only the secret's name is.)
 */
export function providerRecord(alias: string, block: ProviderIR): RecordedProvider {
  let kept = block.deferred;
  for (const attr of Object.keys(block.deferred)) {
    const d = block.deferred[attr]!;
    if (d.sensitive && d.expr.op === "lit") {
      if (kept === block.deferred) kept = { ...block.deferred };
      delete (kept as Record<string, unknown>)[attr];
    }
  }
  const deferred = Object.keys(kept).length > 0 ? { deferred: inCanonicalOrder(kept) } : {};
  return { alias, config: inCanonicalOrder(block.config), ...deferred, type: block.type };
}

/** Provider, identity, dependencies and protection: from the program when the resource is in it, else as recorded. */
function metadata(d: DomainRun, a: PlannedAction, prior: RecordedResource | undefined): Metadata {
  const ir = d.ir?.resources[a.address];
  const p = d.ir?.providers[a.provider];
  return {
    provider: p ? providerRecord(a.provider, p) : (prior?.provider ?? { alias: a.provider, config: {}, type: a.type.slice(0, a.type.indexOf(".")) }),
    identity: ir?.identity ?? prior?.identity ?? "",
    dependsOn: ir ? [...ir.dependsOn] : prior ? [...prior.dependsOn] : [...a.dependsOn],
    protect: ir?.protect ?? prior?.protect ?? false,
  };
}
