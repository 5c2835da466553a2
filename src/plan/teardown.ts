import { compareNatural } from "../program/address.js";
import type { Address, PolicyIR } from "../program/types.js";
import { kahn } from "./graph.js";
import type { ActionKind } from "./types.js";

/**
 * The order of a plan's steps: a *teardown* phase, then the *build* phase.
 *
 * Every delete, and the delete half of every replace, runs in the teardown, after
 * everything that depended on it has been deleted, in every domain: a domain's teardown
 * comes before the teardown of every domain it imports from (the reverse of the build
 * order) and of every domain holding an object one of its deleted objects depended on (the
 * recorded `dependsOn`, which also covers domains that left the code). Inside a domain the
 * teardown runs in reverse dependency order. Then the build steps run as the domains' steps
 * say, with the rest of each domain's actions (a replace creates there what its teardown
 * half deleted). A plan without deletes or replaces has no teardown.
 *
 * Pure and deterministic: ties are broken by name and by address in natural order.
 */

/** What the layout needs of an action. */
export interface Placeable {
  readonly address: Address;
  readonly action: ActionKind;
}

/** One domain's actions before layout, as the planner (or a rollback) produced them. */
export interface DomainActions<A extends Placeable> {
  readonly domain: string;
  /** The domain's build step (domainSteps; 1 for a domain that left the code). */
  readonly step: number;
  /** Domains it imports from. */
  readonly after: string[];
  readonly policy: PolicyIR;
  /** Its actions in build order (deletes anywhere: the layout moves them). */
  readonly actions: A[];
  /** It runs in the build phase even with no action left there (a domain in the code: goals, exports). */
  readonly builds: boolean;
}

/** A domain's place in one step of the laid-out plan. */
export interface PlacedDomain<A extends Placeable> {
  readonly domain: string;
  readonly step: number;
  readonly after: string[];
  readonly policy: PolicyIR;
  readonly actions: A[];
}

export interface PlacedStep<A extends Placeable> {
  readonly step: number;
  /** Present on teardown steps only. */
  readonly phase?: "teardown";
  readonly domains: PlacedDomain<A>[];
}

/** Whether an action has a part in the teardown: a delete, or the delete half of a replace. */
export function tearsDown(action: ActionKind): boolean {
  return action === "delete" || action === "replace";
}

/**
 * Lays the domains' actions out in steps, teardown first (see above). `dependsOn` gives a
 * recorded resource's dependencies (the prior state's); `half` makes the teardown half of a
 * replace (its own object: it gets its own position). Step numbers run from 1 through both
 * phases; domains in a step are sorted by name.
 */
export function layOutSteps<A extends Placeable>(
  domains: readonly DomainActions<A>[],
  dependsOn: (address: Address) => readonly Address[] | undefined,
  half: (replace: A) => A,
): PlacedStep<A>[] {
  const byName = new Map(domains.map((d) => [d.domain, d]));
  const torn = new Map<Address, { readonly domain: string; readonly action: A }>();
  for (const d of domains) for (const a of d.actions) if (tearsDown(a.action)) torn.set(a.address, { domain: d.domain, action: a });

  const steps: PlacedStep<A>[] = [];
  if (torn.size > 0) {
    // Resource edges: `before.get(t)` = the torn-down objects t depended on (t goes first).
    const before = dependentEdges(torn, dependsOn);
    const levels = teardownLevels(domains, torn, before);
    const perLevel = new Map<number, string[]>();
    for (const [name, level] of levels) perLevel.set(level, [...(perLevel.get(level) ?? []), name]);
    for (const level of [...perLevel.keys()].sort((a, b) => a - b)) {
      const names = perLevel.get(level)!.sort(byCodeUnit);
      steps.push({
        step: steps.length + 1,
        phase: "teardown",
        domains: names.map((name) => {
          const d = byName.get(name)!;
          const mine = d.actions.filter((a) => tearsDown(a.action));
          return { domain: name, step: steps.length + 1, after: [], policy: d.policy, actions: orderTeardown(mine, before).map((a) => (a.action === "replace" ? half(a) : a)) };
        }),
      });
    }
  }

  const offset = steps.length;
  const buildSteps = new Map<number, PlacedDomain<A>[]>();
  const numbers = [...new Set(domains.filter((d) => d.builds || d.actions.some((a) => a.action !== "delete")).map((d) => d.step))].sort((a, b) => a - b);
  const renumber = new Map(numbers.map((n, i) => [n, offset + i + 1]));
  for (const d of [...domains].sort((a, b) => byCodeUnit(a.domain, b.domain))) {
    const rest = torn.size > 0 ? d.actions.filter((a) => a.action !== "delete") : d.actions;
    if (!d.builds && rest.length === 0) continue;
    const step = renumber.get(d.step)!;
    const list = buildSteps.get(step) ?? [];
    list.push({ domain: d.domain, step, after: d.after, policy: d.policy, actions: rest });
    buildSteps.set(step, list);
  }
  for (const step of [...buildSteps.keys()].sort((a, b) => a - b)) steps.push({ step, domains: buildSteps.get(step)! });
  return steps;
}

/**
 * For each torn-down object, the torn-down objects it (transitively) depended on, through
 * objects that stay: it must be deleted before them. A path stops at the first torn-down
 * object it meets (that one's own edges carry the order on). Memoised; cycles (possible only
 * across records of different runs) are cut.
 */
function dependentEdges(torn: ReadonlyMap<Address, unknown>, dependsOn: (address: Address) => readonly Address[] | undefined): Map<Address, Address[]> {
  const reach = new Map<Address, Set<Address>>(); // for objects that stay
  const visiting = new Set<Address>();
  const through = (n: Address): Set<Address> => {
    const known = reach.get(n);
    if (known) return known;
    const out = new Set<Address>();
    if (visiting.has(n)) return out;
    visiting.add(n);
    for (const d of dependsOn(n) ?? []) {
      if (torn.has(d)) out.add(d);
      else for (const x of through(d)) out.add(x);
    }
    visiting.delete(n);
    reach.set(n, out);
    return out;
  };
  const edges = new Map<Address, Address[]>();
  for (const t of [...torn.keys()].sort(compareNatural)) {
    const found = new Set<Address>();
    for (const d of dependsOn(t) ?? []) {
      if (d === t) continue;
      if (torn.has(d)) found.add(d);
      else for (const x of through(d)) if (x !== t) found.add(x);
    }
    edges.set(t, [...found].sort(compareNatural));
  }
  return edges;
}

/**
 * Each domain with a teardown, and its teardown level (1 first): a domain's level is one
 * more than that of every domain that must tear down before it — those that import from it
 * (directly or through others) and those holding a torn-down object that depended on one of
 * its own. A cycle among these (records of different runs can disagree with the code) is cut
 * deterministically.
 */
function teardownLevels<A extends Placeable>(
  domains: readonly DomainActions<A>[],
  torn: ReadonlyMap<Address, { readonly domain: string }>,
  before: ReadonlyMap<Address, Address[]>,
): Map<string, number> {
  const names = [...new Set([...torn.values()].map((t) => t.domain))].sort(byCodeUnit);
  const present = new Set(names);
  const after = new Map(domains.map((d) => [d.domain, d.after]));
  // first.get(q) = the domains whose teardown goes before q's.
  const first = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const p of names) {
    // Every domain p imports from, through any chain of imports.
    const seen = new Set<string>();
    const stack = [...(after.get(p) ?? [])];
    while (stack.length > 0) {
      const q = stack.pop()!;
      if (seen.has(q) || q === p) continue;
      seen.add(q);
      if (present.has(q)) first.get(q)!.add(p);
      stack.push(...(after.get(q) ?? []));
    }
  }
  for (const [t, deps] of before) {
    const p = torn.get(t)!.domain;
    for (const x of deps) {
      const q = torn.get(x)!.domain;
      if (q !== p) first.get(q)!.add(p);
    }
  }
  const order = kahn(new Map(names.map((n) => [n, [...first.get(n)!].sort(byCodeUnit)])));
  const levels = new Map<string, number>();
  for (const n of order) {
    let level = 1;
    for (const p of first.get(n)!) {
      const l = levels.get(p);
      if (l !== undefined) level = Math.max(level, l + 1); // a domain not yet levelled closes a cycle: cut
    }
    levels.set(n, level);
  }
  return levels;
}

/** A domain's teardown: dependents first, ties by address in natural order. */
function orderTeardown<A extends Placeable>(actions: A[], before: ReadonlyMap<Address, Address[]>): A[] {
  const by = new Map(actions.map((a) => [a.address, a]));
  const needs = new Map<Address, Address[]>(actions.map((a) => [a.address, [] as Address[]]));
  for (const a of actions) for (const x of before.get(a.address) ?? []) needs.get(x)?.push(a.address);
  return kahn(needs).map((x) => by.get(x)!);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
