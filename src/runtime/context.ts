import type { DomainIR, Json, JsonObject, Program } from "../program/types.js";
import type { Plan, PlanDomain, PriorState, RecordedResource } from "../plan/types.js";
import type { ProviderInstance } from "../providers/types.js";
import type { TraceEvent } from "./types.js";
import { redactedAttrs } from "./redact.js";
import type { RuntimeCatalog } from "./redact.js";
import type { Message } from "./mailbox.js";
import type { ReplayFeed } from "./observe.js";
import type { TraceRecorder } from "./trace.js";
import type { Bookkeeping } from "./bookkeeping.js";

/** Recorded trace events of a past run, fed back by replay instead of calling providers. */
export type ReplaySource = readonly TraceEvent[];

/** Everything a run needs. The runtime calls nothing else in the world than `providers`. */
export interface RunInput {
  readonly program: Program;
  readonly plan: Plan;
  readonly prior: PriorState;
  /** The configured provider instance for a domain's provider alias. The caller owns (and closes) it. */
  readonly providers: (domain: string, alias: string) => ProviderInstance;
  /** Domains running at once within a step (at least 1). */
  readonly parallelism: number;
  readonly secret: (name: string) => string | undefined;
  /** Keyed HMAC of a sensitive value, e.g. `hmac-sha256:…`; supplied by the caller who holds the key. */
  readonly digest: (value: string) => string;
  /** SpanTable key (address, `domain#goal.NAME[i]`, domain) → span for trace events. */
  readonly locate?: (key: string) => TraceEvent["span"] | undefined;
  /**
   * SpanTable key → the source text it spans (`domain#goal.NAME[i].expr`, `….operand.K`):
   * with it, assert events carry the expression and its operands' values (`expr`, `operands`).
   */
  readonly sourceText?: (key: string) => string | undefined;
  /** Live progress, in wall-clock order. */
  readonly onEvent?: (e: TraceEvent) => void;
  /** Durable progress (the state stage's journal), in wall-clock order. */
  readonly journal?: (e: TraceEvent) => void;
  /**
   * A resource's record as this run leaves it, each time it is set: what the snapshot will
   * hold unless a later action records it again. Lets the caller prepare the snapshot's
   * files while the run waits on its providers.
   */
  readonly onRecord?: (rec: RecordedResource) => void;
  /** Sleep before retry `attempt` (1 = before the first retry). Default: 200ms·2^(attempt-1), capped 5s. */
  readonly backoffMs?: (attempt: number) => number;
  /**
   * Waits `ms` between attempts: at least the backoff, longer when a provider relays the
   * remote's Retry-After (runtime/observe's retryWaitMs). Default a timer; tests inject one.
   */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly replay?: ReplaySource;
  /** Sensitive/readOnly attributes per type (the engine passes loadTypeCatalog()): the runtime reads no schema file. */
  readonly catalog: RuntimeCatalog;
  /** "rollback": a compensating run (recover.ts): goals are not asserted, exports not computed, success is `rolled-back`. Default "apply". */
  readonly mode?: "apply" | "rollback";
}

/** Shared, mutable state of one run (one per runPlan call). */
export interface RunContext {
  readonly input: RunInput;
  readonly catalog: RuntimeCatalog;
  readonly recorder: TraceRecorder;
  readonly feed: ReplayFeed | null;
  /** Read-back attributes in clear (memory only) of resources applied in this run; null = deleted. */
  readonly live: Map<string, JsonObject | null>;
  /** The run's record of every resource (starts as the prior state). */
  readonly resources: Map<string, RecordedResource>;
  readonly instances: Map<string, ProviderInstance>;
  /** The actors' bookkeeping (events, records), done in order after their next calls. */
  readonly book: Bookkeeping;
  /** Replaces whose delete half the plan runs in its teardown: their build half only creates. */
  readonly tornDown: ReadonlySet<string>;
}

/** One domain actor's view while it runs. */
export interface DomainRun {
  readonly rc: RunContext;
  readonly step: number;
  readonly plan: PlanDomain;
  /** Absent when the domain left the code (its plan holds only deletes). */
  readonly ir: DomainIR | undefined;
  readonly messages: readonly Message[];
  /** A teardown run: a replace there is its delete half (no goal is evaluated). */
  readonly teardown: boolean;
  emit(draft: Omit<TraceEvent, "step" | "domain" | "seq">): TraceEvent;
  /** Queues bookkeeping (`rc.book`): events and records, in order, off the way to the next call. */
  later(task: () => void): void;
}

/**
 * What `res(address)` sees from inside a domain: the imported resources from the mailbox
 * first, then resources applied in this run, then the prior state.
 */
export function viewOf(d: DomainRun, address: string): JsonObject | undefined {
  for (const m of d.messages) {
    const r = m.resources[address];
    if (r) return r;
  }
  if (d.rc.live.has(address)) return d.rc.live.get(address) ?? undefined;
  return d.rc.input.prior.resources[address]?.attrs;
}

/** The residual-evaluation environment of a domain. */
export function envOf(d: DomainRun): {
  ref(address: string, attr: string): Json | undefined;
  res(address: string): JsonObject | undefined;
  secret(name: string): string | undefined;
  sensitive(address: string, attr: string | null): boolean;
} {
  return {
    ref: (address, attr) => viewOf(d, address)?.[attr],
    res: (address) => viewOf(d, address),
    secret: (name) => d.rc.input.secret(name),
    sensitive: (address, attr) => {
      const hidden = hiddenAttrs(d.rc, address);
      return attr === null ? hidden.length > 0 : hidden.includes(attr);
    },
  };
}

/** The attributes of a resource never recorded in clear (see redactedAttrs), from its goal or, for one that left the code, its record. */
function hiddenAttrs(rc: RunContext, address: string): readonly string[] {
  const goal = rc.input.program.domains[address.slice(0, address.indexOf("/"))]?.resources[address];
  if (goal) return redactedAttrs(goal.type, goal.deferred, [...Object.keys(goal.attrs), ...Object.keys(goal.deferred)], rc.catalog);
  const rec = rc.resources.get(address) ?? rc.input.prior.resources[address];
  return rec ? Object.keys(rec.sensitive) : [];
}

