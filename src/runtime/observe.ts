import type { JsonObject } from "../program/types.js";
import type { CallContext } from "../providers/types.js";
import type { Observation, TraceEvent } from "./types.js";
import { ProviderError } from "../providers/types.js";
import { LexumError } from "../diag/diagnostic.js";
import { actionTimedOut, providerCrashed, replayMissing } from "../diag/catalog/runtime.js";
import { mask } from "./redact.js";

/** The kinds of provider call an observation records. */
export type CallKind = Observation["call"];

/** A failed call, as recorded in an observation. */
export type CallError = NonNullable<Observation["error"]>;

/** The outcome of one provider call after its retries. `clear` is what the runtime may use in memory; only `masked` is ever recorded. */
export type CallOutcome =
  | { readonly ok: true; readonly clear: JsonObject | null; readonly masked: JsonObject | null; readonly attempts: number }
  | { readonly ok: false; readonly error: CallError; readonly attempts: number };

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

  constructor(trace: readonly TraceEvent[]) {
    // The trace is in canonical order and seq follows the actor's own order, so each
    // resource's observations come out in the order its calls were made.
    const sorted = [...trace].sort((a, b) => (a.step - b.step) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0) || a.seq - b.seq);
    for (const e of sorted) {
      if (e.phase !== "observe" || !e.observation || e.address === undefined) continue;
      const k = key(e.domain, e.address);
      const q = this.queues.get(k) ?? [];
      q.push(e.observation);
      this.queues.set(k, q);
    }
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
  /** Null in replay. */
  readonly invoke: ((ctx: CallContext) => Promise<JsonObject | null | void>) | null;
  readonly feed: ReplayFeed | null;
  /** Called once per attempt with what was observed (the runtime turns it into an "observe" event). */
  readonly record: (o: Observation) => void;
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
    let obs: Observation;
    let clear: JsonObject | null = null;
    if (spec.feed) {
      obs = spec.feed.next(spec.domain, spec.address, spec.kind, attempt);
      clear = obs.result; // replay only knows masked values; they stand in for clear ones
    } else {
      if (!spec.invoke) throw new Error("observe: no provider to call"); // unreachable: the scheduler passes one outside replay
      const r = await once(spec, attempt);
      // Keys in canonical order: the event carrying it is hashed and journaled as built.
      if ("error" in r) {
        obs = { attempt, call: spec.kind, error: r.error, result: null };
      } else {
        clear = r.value;
        obs = { attempt, call: spec.kind, result: clear === null ? null : mask(clear, spec.redacted, spec.digest) };
      }
    }
    made = attempt;
    spec.record(obs);
    if (!obs.error) return { ok: true, clear, masked: obs.result, attempts: attempt };
    last = obs.error;
    if (!obs.error.retryable || attempt === attempts) break;
    if (!spec.feed) await sleep(spec.backoffMs(attempt));
  }
  return { ok: false, error: last!, attempts: made };
}

async function once(spec: CallSpec, attempt: number): Promise<{ value: JsonObject | null } | { error: CallError }> {
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve("timeout");
    }, spec.timeoutMs);
  });
  const ctx: CallContext = { signal: ac.signal, attempt, address: spec.address };
  // Settle the call into a value so a late rejection after a timeout is never unhandled;
  // a provider that throws instead of rejecting fails the call the same way.
  let started: Promise<JsonObject | null | void>;
  try {
    started = Promise.resolve(spec.invoke!(ctx));
  } catch (e) {
    started = Promise.reject(e);
  }
  const call = started.then(
    (v) => ({ value: v ?? null }) as { value: JsonObject | null },
    (e: unknown) => ({ error: toCallError(spec.kind, e) }),
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
  if (e instanceof ProviderError) return { code: e.code, message: e.message, retryable: e.retryable };
  if (e instanceof LexumError) return { code: e.code, message: e.message, retryable: false };
  const d = providerCrashed(undefined, kind, e instanceof Error ? e.message : String(e));
  return { code: d.code, message: d.message, retryable: false };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
