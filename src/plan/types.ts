import type { Address, Deferred, Json, JsonObject, PolicyIR } from "../program/types.js";

/**
 * Plan contracts (`lexum.plan/v1`). A plan is a pure function of (program, prior state,
 * refreshed reality): it lists every action in exactly the order the runtime runs them.
 */

/** The provider block a resource was applied with, as recorded (see RecordedResource.provider). */
export interface RecordedProvider {
  readonly alias: string;
  readonly type: string;
  readonly config: JsonObject;
  /** Present only when the block had settings known at apply time. */
  readonly deferred?: { readonly [attr: string]: Deferred };
}

/** What the last snapshot recorded about one resource instance. */
export interface RecordedResource {
  readonly address: Address;
  readonly domain: string;
  readonly type: string;
  /**
   * Provider alias in its domain, and the provider's kind and configuration at the time (so a
   * resource whose domain left the code can still be deleted): the known settings, and, only
   * when there are some, the expressions of those known at apply time (`secret("PGPASSWORD")`:
   * the name of the secret, never its value), evaluated again when the record is all that is left.
   */
  readonly provider: RecordedProvider;
  readonly identity: string;
  /** Every attribute as read back after apply (computed ones included), sensitive ones excluded. */
  readonly attrs: JsonObject;
  /** Sensitive attributes: a keyed digest (`hmac-sha256:…`) that detects a change without revealing the value. */
  readonly sensitive: { readonly [attr: string]: string };
  readonly dependsOn: Address[];
  readonly protect: boolean;
}

/** The state a plan is computed against. */
export interface PriorState {
  /** Hash of the snapshot this state comes from; null before the first run. */
  readonly snapshot: string | null;
  readonly resources: { readonly [address: string]: RecordedResource };
}

/** What the planner needs to know of the prior snapshot itself (beyond its resources) to tell whether apply records a new one. */
export interface PriorRun {
  /** The prior snapshot's status (`drifted`: a drift record, reality observed other than recorded). */
  readonly status: "quiescent" | "failed" | "rolled-back" | "drifted";
  /** The hash of the program that snapshot was made for; null for a failure record (a goal that never ran). */
  readonly program: string | null;
}

/** What providers read back during `--refresh`: address → attributes, or null when the object is gone. */
export type Reality = { readonly [address: string]: JsonObject | null };

/**
 * `adopt`: an object that exists outside Lexum (`import = true`) is read, recorded and brought
 * to the goal. `moved`: a renamed resource (`moved` block) whose object stays as it is: only
 * its record changes address (a moved object that also changes plans as update or replace,
 * with `movedFrom`).
 */
export type ActionKind = "adopt" | "create" | "update" | "replace" | "delete" | "moved" | "noop";

/** One attribute's change. `before`/`after` are omitted when absent, unknown or sensitive. */
export interface AttrChange {
  readonly attr: string;
  readonly before?: Json;
  readonly after?: Json;
  /** The new value is only known after apply: rendered `(known after apply)`. */
  readonly unknown?: true;
  /** Rendered `(sensitive)`; the value never appears. */
  readonly sensitive?: true;
  /** This attribute forces replacement (`x-lexum-replace-on` or identity). */
  readonly forcesReplace?: true;
}

export interface PlannedAction {
  /** Position in the whole plan (0-based): the runtime's serial order. */
  readonly seq: number;
  readonly step: number;
  readonly domain: string;
  readonly action: ActionKind;
  readonly address: Address;
  readonly type: string;
  /** Provider alias in the domain. */
  readonly provider: string;
  /** Reality differed from the recorded state (found by `--refresh`); the action restores the goal. */
  readonly drift: boolean;
  /** The address the object was recorded at, when a `moved` block renamed it (present only then). */
  readonly movedFrom?: Address;
  /** Why, in words, for non-obvious actions ("`target` forces replacement", "left the code"). */
  readonly reason: string | null;
  /** Sorted by attribute name; empty for noop. */
  readonly changes: AttrChange[];
  /** Goal attributes known at plan time (null for delete). */
  readonly after: JsonObject | null;
  /** Goal attributes known only at apply time. */
  readonly deferred: { readonly [attr: string]: Deferred };
  /** Recorded attributes before the action (null for create). */
  readonly before: JsonObject | null;
  readonly dependsOn: Address[];
}

export interface PlanDomain {
  readonly domain: string;
  readonly step: number;
  /** Domains it waits for. */
  readonly after: string[];
  readonly policy: PolicyIR;
  /** Actions in run order: in a teardown step, dependents before what they depended on; in a build step, dependency order; ties by address. */
  readonly actions: PlannedAction[];
}

export interface PlanStep {
  readonly step: number;
  /** Present on teardown steps only (so a plan without deletes or replaces keeps its bytes). */
  readonly phase?: "teardown";
  readonly domains: PlanDomain[];
}

export interface PlanSummary {
  /** Present only when the plan adopts something. */
  readonly adopt?: number;
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  /** Present only when the plan moves something: every action with `movedFrom` (a pure move, or one that also updates or replaces). */
  readonly moved?: number;
  readonly noop: number;
}

export interface Plan {
  readonly format: "lexum.plan/v1";
  /** Hash of the program (the goal). */
  readonly program: string;
  /** Hash of the prior snapshot; null before the first run. */
  readonly prior: string | null;
  readonly refreshed: boolean;
  /**
   * Steps in run order; each holds its domains sorted by name. Step numbers start at 1. The
   * teardown steps (`phase: "teardown"`) come first: every delete and the delete half of every
   * replace, dependents before what they depended on, across domains (src/plan/teardown.ts).
   * The build steps follow (no `phase`); there a replace creates what its teardown half deleted.
   */
  readonly steps: PlanStep[];
  readonly summary: PlanSummary;
  /**
   * Present only when the plan has no resource action (nothing to create, update, replace or
   * delete) and apply will still record a new snapshot: why, in words ("the last run
   * failed", "there is no snapshot yet", …). Such a plan counts as a change
   * (`--detailed-exitcode` exits 2). Absent otherwise, so plans without it keep their bytes.
   */
  readonly writesSnapshot?: string;
  /** `sha256:` of the canonical JSON of every field above (this one excluded). */
  readonly hash: string;
}
