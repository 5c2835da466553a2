import { InternalError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { canonicalize, inCanonicalOrder } from "../program/canonical.js";
import type { TypeCatalog } from "../program/schemas.js";
import type { JsonObject } from "../program/types.js";
import type { RecordedResource } from "../plan/types.js";
import { buildDriftTree, driftBasis } from "../state/records.js";
import { writeStateCommit } from "../state/store.js";
import { acquireApplyLock } from "./apply-lock.js";
import type { Recorded } from "./apply-project.js";
import type { Planned } from "./plan-project.js";
import { journalName, pendingJournal } from "./recover-journal.js";
import { withTrailers } from "./trailers.js";
import type { Trailer } from "./trailers.js";

/**
 * The resources whose read-back differs from their record (sorted addresses): gone, or with
 * other attributes than recorded. Attributes never recorded in clear (the type's sensitive
 * ones, those the record keeps as digests, and, for a resource with a sensitive input, the
 * computed ones) are left out of the comparison: a change of a sensitive value is not seen.
 * [] when reality matches the state (and before the first snapshot). Requires a plan made
 * with `refresh` (else a caller bug: InternalError). Pure over the plan.
 */
export function driftedAddresses(planned: Planned): string[] {
  return [...observedDrift(planned).keys()];
}

/**
 * Records what was observed when reality differs from the record: one state commit on top of
 * the head the plan was made against, a drift record (`kind: "drift"`, status `drifted`; see
 * state/records.ts): the drifted resources' records hold what was read back (a resource that
 * is gone is removed), plan.json is the correction plan (`planned.plan`: what applying the
 * goal again would do), trace.jsonl one `drift` event per drifted resource. The world is not
 * changed. Null (nothing written) when reality matches the state; recording the same reality
 * twice writes nothing the second time.
 *
 * Its program and source are the head's (the goal did not change); on top of a failure
 * record, which has neither, the plan's goal. Its time is the head commit's, so the same head
 * and the same observations give the same commit id. Under the apply lock (LXM4214), never
 * over a killed apply's journal awaiting recovery (LXM4253); compare-and-swap against the
 * head the plan read (LXM4101 if the branch moved: nothing written; plan again).
 */
export async function recordDrift(
  planned: Planned,
  opts: { readonly trailers?: readonly Trailer[] } = {},
): Promise<{ readonly recorded: Recorded & { readonly status: "drifted" }; readonly drifted: string[] } | null> {
  const observed = observedDrift(planned);
  if (observed.size === 0) return null;
  const head = planned.head;
  if (!head) throw new InternalError("recordDrift: drift without a state head");
  const trailers = opts.trailers ?? [];
  withTrailers("", trailers); // a bad trailer is refused before anything is locked
  const gitdir = planned.workspace.repo.gitdir;
  const branch = planned.settings.stateBranch;
  const release = await acquireApplyLock(planned.workspace.repo.commondir, journalName(branch));
  try {
    const pending = await pendingJournal(gitdir, branch, head.oid);
    if (pending) throw catalog.engine.interruptedRunPending.error(branch, pending);
    const basis = driftBasis(head.loaded) ?? {
      program: planned.programHash,
      source: { commit: planned.workspace.goal.commit, path: planned.workspace.projectPath },
    };
    const tree = buildDriftTree({ parent: head.loaded, observed, program: basis.program, source: basis.source, plan: planned.plan });
    const { oid } = await writeStateCommit({
      gitdir,
      branch,
      expectedParent: head.oid,
      files: tree.files,
      message: withTrailers(tree.message, trailers),
      time: head.time,
    });
    return { recorded: { oid, hash: tree.hash, status: "drifted" }, drifted: [...observed.keys()] };
  } finally {
    await release();
  }
}

/** Each drifted address (sorted) → what was observed, as it would be recorded (null: gone). */
function observedDrift(planned: Planned): Map<string, JsonObject | null> {
  const reality = planned.reality;
  if (reality === undefined) throw new InternalError("drift needs a plan made with refresh (reality was not read)");
  const types = planned.providers.catalog;
  const out = new Map<string, JsonObject | null>();
  const recorded = planned.prior.resources;
  for (const address of Object.keys(recorded).sort()) {
    if (!Object.prototype.hasOwnProperty.call(reality, address)) continue;
    const real = reality[address]!;
    const rec = recorded[address]!;
    if (real === null) {
      out.set(address, null);
      continue;
    }
    const seen = recordable(rec, real, planned, types);
    if (canonicalize(seen) !== canonicalize(rec.attrs)) out.set(address, seen);
  }
  return out;
}

/**
 * The read-back attributes a record may hold in clear, in canonical order: without the
 * type's sensitive attributes, those the record keeps as digests and those the goal feeds
 * from a secret; and, for a resource with a sensitive input, without a computed attribute
 * the record does not hold in clear (a computed digest of secret content would reveal it) —
 * the runtime's redaction rule (runtime/redact.ts), applied to what was read back.
 */
function recordable(rec: RecordedResource, real: JsonObject, planned: Planned, types: TypeCatalog): JsonObject {
  const info = types.resources.get(rec.type);
  const readOnly = info?.readOnly ?? [];
  const hidden = new Set<string>([...(info?.sensitive ?? []), ...Object.keys(rec.sensitive)]);
  const ir = planned.program.domains[rec.domain]?.resources[rec.address];
  for (const [attr, d] of Object.entries(ir?.deferred ?? {})) if (d.sensitive) hidden.add(attr);
  const sensitiveInput =
    Object.keys(rec.sensitive).some((a) => !readOnly.includes(a)) ||
    Object.values(ir?.deferred ?? {}).some((d) => d.sensitive) ||
    (ir !== undefined && (info?.sensitive ?? []).some((a) => a in ir.attrs || a in ir.deferred));
  if (sensitiveInput) for (const a of readOnly) if (!(a in rec.attrs)) hidden.add(a);
  const out: JsonObject = {};
  for (const k of Object.keys(real).sort()) if (!hidden.has(k)) out[k] = real[k]!;
  return inCanonicalOrder(out);
}
