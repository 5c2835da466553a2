import type { Address, Json, JsonObject } from "../program/types.js";
import type { ActionKind, RecordedResource } from "../plan/types.js";

/**
 * Runtime contracts: the trace (`trace.jsonl`, one TraceEvent per line, canonical order
 * (step, domain, seq)) and the outcome of a run that the state stage records.
 */

export type Phase =
  | "start" // an action begins
  | "observe" // a provider answered (a read, create, update or delete): the observation replay feeds back
  | "done" // the action finished; `after` holds the read-back attributes
  | "failed" // the action failed after its retries
  | "assert" // a goal assertion was evaluated (`ok` says whether it held)
  | "domain" // a domain finished: `status` quiescent | failed | skipped
  | "drift"; // a drift record (not a run): a resource read back other than recorded; `before` the record's attributes, `after` what was observed (null: gone)

/** One provider call's answer, exactly as the runtime used it. */
export interface Observation {
  readonly call: "read" | "create" | "update" | "delete";
  readonly attempt: number;
  /** Read-back attributes (sensitive ones replaced by digests), null for "absent"/delete. */
  readonly result: JsonObject | null;
  /** Set when the call failed: the provider's error code and message. */
  readonly error?: { readonly code: string; readonly message: string; readonly retryable: boolean };
}

export interface TraceEvent {
  readonly step: number;
  readonly domain: string;
  /** Sequence within the domain, from 0, in the order the domain's actor did things. */
  readonly seq: number;
  readonly phase: Phase;
  /** Present on resource events. */
  readonly action?: ActionKind;
  readonly address?: Address;
  /** start: the address a renamed resource was recorded at (`moved`); present only then. */
  readonly movedFrom?: Address;
  readonly before?: JsonObject | null;
  readonly after?: JsonObject | null;
  readonly observation?: Observation;
  /** assert: the goal and the assertion's index (0-based; people read it from 1), whether it held, its message. */
  readonly goal?: string;
  readonly index?: number;
  readonly ok?: boolean;
  readonly message?: string;
  /** assert: the assertion's expression as written in the source (on one line), e.g. `page["index"].size > 0`. */
  readonly expr?: string;
  /**
   * assert: the operands of the expression's top-level operator or call (or the expression
   * itself when it has none), each with its source text and its value as the runtime saw
   * it: `"(sensitive)"` for a sensitive value, null for one that could not be evaluated.
   * Literal operands (whose text is their value) are left out: they say nothing new.
   */
  readonly operands?: AssertOperand[];
  /** domain: its final status. */
  readonly status?: DomainStatus;
  /** Where in the .lxm source (project-relative path, 1-based line/col). */
  readonly span?: { readonly file: string; readonly line: number; readonly column: number; readonly endLine: number; readonly endColumn: number };
  /** Addresses and domains whose completion enabled this event (causal chain). */
  readonly causes?: string[];
  readonly value?: Json;
}

/** One operand of an assertion, as the trace records it. */
export interface AssertOperand {
  readonly text: string;
  readonly value: Json;
}

export type DomainStatus = "quiescent" | "failed" | "skipped" | "rolled-back";

export type RunStatus = "quiescent" | "failed" | "rolled-back";

/** The DAG diff of a run: which planned actions were done, failed or never started. */
export interface DagDiff {
  readonly planned: Address[];
  readonly done: Address[];
  readonly failed: Address[];
  readonly notStarted: Address[];
}

/** What a run leaves behind, for the snapshot. */
export interface RunResult {
  readonly status: RunStatus;
  /** The real state of every resource after the run (touched or not), by address. */
  readonly resources: { readonly [address: string]: RecordedResource };
  /** Exports of quiescent domains, by `domain.name`. */
  readonly exports: { readonly [name: string]: Json };
  readonly domains: { readonly [domain: string]: DomainStatus };
  readonly trace: TraceEvent[];
  readonly dag: DagDiff;
  /** The first failure, in words (null when quiescent). */
  readonly failure: { readonly address: string | null; readonly domain: string; readonly message: string } | null;
}
