import type { JsonObject } from "../program/types.js";
import type { CallContext } from "../providers/types.js";
import type { Observation, TraceEvent } from "./types.js";
import { isProviderError, RETRY_AFTER_MAX_MS } from "../providers/types.js";
import { LexumError } from "../diag/diagnostic.js";
import { actionTimedOut, providerCrashed, replayMissing } from "../diag/catalog/runtime.js";
import { mask } from "./redact.js";

/** The kinds of provider call an observation records. */
export type CallKind = Observation["call"];

/** A failed call, as recorded in an observation. */
export type CallError = NonNullable<Observation["error"]>;

/**
 * The outcome of one provider call after its retries. `clear` is what the runtime may use in
 * memory; only the observation's masked `result` is ever recorded. The observation is
 * built (masked) on first use, so the caller can leave that for later (runtime/bookkeeping).
 */
export type CallOutcome =
  | { readonly ok: true; readonly clear: JsonObject | null; readonly observation: () => Observation; readonly attempts: number }
  | { readonly ok: false; readonly error: CallError; readonly attempts: number };

/**
 * The wait before the retry that follows failed attempt `attempt`: the backoff, or longer when
 * the provider relayed the remote's request to wait (`retryAfterMs`), that request bounded by
 * RETRY_AFTER_MAX_MS and by the action's timeout (a server cannot stall a run for longer than
 * one attempt may last).
 */
export function retryWaitMs(backoffMs: number, retryAfterMs: number | undefined, timeoutMs: number): number {
  if (retryAfterMs === undefined || !(retryAfterMs > 0)) return backoffMs;
  return Math.max(backoffMs, Math.min(retryAfterMs, RETRY_AFTER_MAX_MS, timeoutMs));
}

/** Default deterministic backoff: 200ms·2^(attempt-1), capped at 5s. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(5000, 200 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Recorded observations of a past run, handed back in order per (domain, address).
 * Replay never calls a provider: each call takes the next observation of its resource.
 */
export class ReplayFeed {
  private readonly queues = new Map<string, Observation[]>();
  private readonly asserts = new Map<string, TraceEvent>();

  constructor(trace: readonly TraceEvent[]) {
    // The trace is in canonical order and seq follows the actor's own order, so each
    // resource's observations come out in the order its calls were made.
    const sorted = [...trace].sort((a, b) => (a.step - b.step) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0) || a.seq - b.seq);
    for (const e of sorted) {
      if (e.phase === "assert" && e.goal !== undefined && e.index !== undefined) this.asserts.set(assertKey(e.domain, e.goal, e.index), e);
      if (e.phase !== "observe" || !e.observation || e.address === undefined) continue;
      const k = key(e.domain, e.address);
      const q = this.queues.get(k) ?? [];
      q.push(e.observation);
      this.queues.set(k, q);
    }
  }

  /**
   * The recorded event of a goal's assertion, for one that read a sensitive value: replay
   * has only its digest (what the run recorded), so it takes the outcome the run saw.
   */
  assertion(domain: string, goal: string, index: number): TraceEvent | undefined {
    return this.asserts.get(assertKey(domain, goal, index));
  }

  /** The kind of the next recorded call of a resource (null: none left), without taking it. */
  nextCall(domain: string, address: string): CallKind | null {
    return this.queues.get(key(domain, address))?.[0]?.call ?? null;
  }

  /** The next recorded observation for this call, or an error observation saying none fits (consumed only when it fits). */
  next(domain: string, address: string, call: CallKind, attempt: number): Observation {
    const q = this.queues.get(key(domain, address)) ?? [];
    const head = q[0];
    if (head && head.call === call) {
      q.shift();
      return head;
    }
    const d = replayMissing(undefined, address, call, head ? head.call : null);
    return { call, attempt, result: null, error: { code: d.code, message: d.message, retryable: false } };
  }
}

function key(domain: string, address: string): string {
  return `${domain}\u0000${address}`;
}

/** Where and how one call is made. */
export interface CallSpec {
  readonly domain: string;
  readonly address: string;
  readonly kind: CallKind;
  readonly timeoutMs: number;
  /** Extra attempts after the first (policy.retries). */
  readonly retries: number;
  /** Attributes replaced by their digest in the recorded observation. */
  readonly redacted: readonly string[];
  readonly digest: (value: string) => string;
  readonly backoffMs: (attempt: number) => number;
  /** Waits between attempts; a timer unless a test injects one. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Null in replay. */
  readonly invoke: ((ctx: CallContext) => Promise<JsonObject | null | void>) | null;
  readonly feed: ReplayFeed | null;
  /** Called once per attempt with what was observed (the runtime turns it into an "observe" event); built on first call. */
  readonly record: (observation: () => Observation) => void;
}

/**
 * Makes one provider call with the domain's timeout and bounded retries (deterministic
 * backoff between retryable failures), recording an observation per attempt. In replay
 * the recorded observations stand in for the provider and no timer runs.
 */
export async function observe(spec: CallSpec): Promise<CallOutcome> {
  const attempts = 1 + Math.max(0, spec.retries);
  let last: CallError | null = null;
  let made = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let error: CallError | undefined;
    // Kept out of the observation: it may come from the wall clock (an HTTP date).
    let retryAfterMs: number | undefined;
    let clear: JsonObject | null = null;
    let observation: () => Observation;
    if (spec.feed) {
      const obs = spec.feed.next(spec.domain, spec.address, spec.kind, attempt);
      clear = obs.result; // replay only knows masked values; they stand in for clear ones
      error = obs.error;
      observation = () => obs;
    } else {
      if (!spec.invoke) throw new Error("observe: no provider to call"); // unreachable: the scheduler passes one outside replay
      const r = await once(spec, attempt);
      if ("error" in r) ({ error, retryAfterMs } = r);
      else clear = r.value;
      observation = observed(spec, attempt, clear, error);
    }
    made = attempt;
    spec.record(observation);
    if (!error) return { ok: true, clear, observation, attempts: attempt };
    last = error;
    if (!error.retryable || attempt === attempts) break;
    if (!spec.feed) await (spec.sleep ?? sleep)(retryWaitMs(spec.backoffMs(attempt), retryAfterMs, spec.timeoutMs));
  }
  return { ok: false, error: last!, attempts: made };
}

/** The observation of one attempt, masked on first use and kept. */
function observed(spec: CallSpec, attempt: number, clear: JsonObject | null, error: CallError | undefined): () => Observation {
  let obs: Observation | undefined;
  // Keys in canonical order: the event carrying it is hashed and journaled as built.
  return () =>
    (obs ??= error
      ? { attempt, call: spec.kind, error, result: null }
      : { attempt, call: spec.kind, result: clear === null ? null : mask(clear, spec.redacted, spec.digest) });
}

/**
 * Abort controllers (with their signals) made ahead, in the check phase of the event loop:
 * making one costs more than the rest of a call's set-up, and it would otherwise be made
 * between one provider call's end and the next one's start. Each is used for one call only.
 */
const spareControllers: AbortController[] = [];
const SPARE_CONTROLLERS = 8;
let refilling: NodeJS.Immediate | null = null;

function takeController(): AbortController {
  const ac = spareControllers.pop() ?? new AbortController();
  refilling ??= setImmediate(() => {
    refilling = null;
    while (spareControllers.length < SPARE_CONTROLLERS) {
      const next = new AbortController();
      void next.signal; // made lazily by Node: made now
      spareControllers.push(next);
    }
  });
  return ac;
}

async function once(spec: CallSpec, attempt: number): Promise<{ value: JsonObject | null } | { error: CallError; retryAfterMs?: number }> {
  const ac = takeController();
  const ctx: CallContext = { signal: ac.signal, attempt, address: spec.address };
  // Settle the call into a value so a late rejection after a timeout is never unhandled;
  // a provider that throws instead of rejecting fails the call the same way. The provider
  // is called first, the timeout armed right after (microseconds later).
  let started: Promise<JsonObject | null | void>;
  try {
    started = Promise.resolve(spec.invoke!(ctx));
  } catch (e) {
    started = Promise.reject(e);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve("timeout");
    }, spec.timeoutMs);
  });
  const call = started.then(
    (v) => ({ value: v ?? null }) as { value: JsonObject | null },
    (e: unknown) => ({ error: toCallError(spec.kind, e), retryAfterMs: isProviderError(e) && typeof e.retryAfterMs === "number" ? e.retryAfterMs : undefined }),
  );
  try {
    const r = await Promise.race([call, timedOut]);
    if (r === "timeout") {
      const d = actionTimedOut(undefined, spec.kind, spec.timeoutMs);
      return { error: { code: d.code, message: d.message, retryable: true } };
    }
    return r;
  } finally {
    clearTimeout(timer);
  }
}

function toCallError(kind: CallKind, e: unknown): CallError {
  if (isProviderError(e)) return { code: e.code, message: e.message, retryable: e.retryable };
  if (e instanceof LexumError) return { code: e.code, message: e.message, retryable: false };
  const d = providerCrashed(undefined, kind, e instanceof Error ? e.message : String(e));
  return { code: d.code, message: d.message, retryable: false };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function assertKey(domain: string, goal: string, index: number): string {
  return `${domain}\u0000${goal}\u0000${index}`;
}
