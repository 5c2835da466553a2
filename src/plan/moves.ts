import * as codes from "../diag/catalog/plan.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { formatAddress, movedKey, parseAddress } from "../program/address.js";
import type { Address, MovedIR } from "../program/types.js";
import type { Plan, PriorState, RecordedResource, Reality } from "./types.js";

/**
 * Renames (`moved` blocks): the planner moves each recorded object to its new address before
 * it diffs, so a renamed resource plans as `moved` (or as an update or replace of the object it
 * already is), never as a delete and a create; the plan names the old address (`movedFrom`);
 * the runtime, replay and journal recovery rename the prior state from the plan alone
 * (priorAfterMoves), so they see the state the plan was computed against.
 */

/** The prior state (and refreshed reality) with the program's moves applied. */
export interface Moved {
  readonly prior: PriorState;
  readonly reality: Reality | undefined;
  /** New address → the address it was recorded at. */
  readonly movedFrom: ReadonlyMap<Address, Address>;
  readonly diagnostics: Diagnostic[];
}

/**
 * Applies the program's moves to the prior state: each recorded object at a `from` (and, for a
 * move without keys, each of its instances) is recorded at its `to` instead. A move whose
 * `from` has no record does nothing (it was applied before, or never had an object). A move
 * onto an address that holds a record, or onto which two records move, is LXM3004.
 */
export function programMoves(moved: readonly MovedIR[] | undefined, prior: PriorState, reality: Reality | undefined, spanOf: (key: string) => Span | undefined): Moved {
  if (moved === undefined || moved.length === 0) return { prior, reality, movedFrom: new Map(), diagnostics: [] };
  const pairs: { from: Address; to: Address; move: MovedIR }[] = [];
  let instances: Map<Address, Address[]> | null = null;
  for (const m of moved) {
    if (Object.prototype.hasOwnProperty.call(prior.resources, m.from)) pairs.push({ from: m.from, to: m.to, move: m });
    const f = parseAddress(m.from)!;
    const t = parseAddress(m.to)!;
    if (f.key !== null || t.key !== null) continue;
    // A whole resource: every recorded instance of it, by key.
    instances ??= instancesByResource(prior);
    for (const address of instances.get(m.from) ?? []) {
      pairs.push({ from: address, to: formatAddress(t.domain, t.type, t.name, parseAddress(address)!.key), move: m });
    }
  }
  if (pairs.length === 0) return { prior, reality, movedFrom: new Map(), diagnostics: [] };
  const resources: { [address: string]: RecordedResource } = { ...prior.resources };
  const real: { [address: string]: Reality[string] } | undefined = reality === undefined ? undefined : { ...reality };
  const movedFrom = new Map<Address, Address>();
  const diagnostics: Diagnostic[] = [];
  for (const p of pairs.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))) {
    const span = spanOf(movedKey(p.move.from));
    if (Object.prototype.hasOwnProperty.call(prior.resources, p.to)) {
      diagnostics.push(codes.movedOntoRecord(span, p.from, p.to, `${p.to} already has a record`));
      continue;
    }
    const other = movedFrom.get(p.to);
    if (other !== undefined) {
      diagnostics.push(codes.movedOntoRecord(span, p.from, p.to, `${other} moves there too`));
      continue;
    }
    resources[p.to] = renamed(prior.resources[p.from]!, p.to);
    delete resources[p.from];
    movedFrom.set(p.to, p.from);
    if (real !== undefined && Object.prototype.hasOwnProperty.call(real, p.from)) {
      real[p.to] = real[p.from]!;
      delete real[p.from];
    }
  }
  return { prior: { snapshot: prior.snapshot, resources }, reality: real, movedFrom, diagnostics };
}

/** The prior state as the plan's moves leave it: each action's `movedFrom` record under the action's address. */
export function priorAfterMoves(prior: PriorState, plan: Plan): PriorState {
  let resources: { [address: string]: RecordedResource } | null = null;
  for (const s of plan.steps) {
    for (const d of s.domains) {
      for (const a of d.actions) {
        // A replace is listed twice (its teardown and build halves): renamed once.
        if (a.movedFrom === undefined || !Object.prototype.hasOwnProperty.call(resources ?? prior.resources, a.movedFrom)) continue;
        const rec = prior.resources[a.movedFrom]!;
        resources ??= { ...prior.resources };
        resources[a.address] = renamed(rec, a.address);
        delete resources[a.movedFrom];
      }
    }
  }
  return resources === null ? prior : { snapshot: prior.snapshot, resources };
}

/** A record under its new address (and domain); its other fields, and their key order, kept. */
function renamed(rec: RecordedResource, to: Address): RecordedResource {
  return { ...rec, address: to, domain: parseAddress(to)!.domain };
}

/** Recorded instances (addresses with a key) by their resource's address. */
function instancesByResource(prior: PriorState): Map<Address, Address[]> {
  const out = new Map<Address, Address[]>();
  for (const address of Object.keys(prior.resources).sort()) {
    const p = parseAddress(address);
    if (p === null || p.key === null) continue;
    const base = formatAddress(p.domain, p.type, p.name, null);
    const list = out.get(base);
    if (list) list.push(address);
    else out.set(base, [address]);
  }
  return out;
}
