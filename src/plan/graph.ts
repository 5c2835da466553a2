import { compareNatural } from "../program/address.js";
import { sortStrings } from "../program/canonical.js";
import type { Address, DomainIR, Program } from "../program/types.js";

/**
 * The program's two graphs: domains (through imports and cross-domain dependencies) and
 * resources inside a domain (through dependsOn). Every function here is deterministic:
 * iteration follows sorted names, ties are broken by plain `<` on names/addresses.
 */

function sortedKeys(o: object): string[] {
  return sortStrings(Object.keys(o));
}

/** `ds` without the entries `keep` rejects: `ds` itself when it keeps them all (most have no dependencies: no copy). */
function keepOnly(ds: readonly string[], keep: (d: string) => boolean): readonly string[] {
  for (let i = 0; i < ds.length; i++) if (!keep(ds[i]!)) return ds.filter(keep);
  return ds;
}

/**
 * The step of each domain: roots (no `after`) are step 1, any other domain is
 * 1 + the largest step among the domains it waits for. Domains named in `after` but absent
 * from the program are ignored. A cycle (which the compiler rejects) is cut at the back
 * edge, so this never loops or throws; `domainCycle` reports it.
 */
export function domainSteps(program: Program): Map<string, number> {
  const steps = new Map<string, number>();
  const onStack = new Set<string>();
  // Depth-first with an explicit stack of frames (a chain of 10⁴ domains is no deeper in JS).
  const visit = (root: string): void => {
    if (steps.has(root)) return;
    const frames: { name: string; deps: string[]; next: number; step: number }[] = [];
    const open = (name: string): void => {
      onStack.add(name);
      frames.push({ name, deps: [...program.domains[name]!.after].sort(), next: 0, step: 1 });
    };
    open(root);
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      if (f.next < f.deps.length) {
        const dep = f.deps[f.next++]!;
        if (!(dep in program.domains) || dep === f.name) continue;
        const known = steps.get(dep);
        if (known !== undefined) f.step = Math.max(f.step, known + 1);
        // A back edge contributes nothing: the cycle is reported elsewhere.
        else if (!onStack.has(dep)) open(dep);
        continue;
      }
      frames.pop();
      onStack.delete(f.name);
      steps.set(f.name, f.step);
      const parent = frames[frames.length - 1];
      if (parent !== undefined) parent.step = Math.max(parent.step, f.step + 1);
    }
  };
  for (const name of sortedKeys(program.domains)) visit(name);
  // Re-emit in (step, name) order so that iterating the map is the run order.
  const ordered = [...steps.entries()].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Map(ordered);
}

/** Domain names in run order: by step, then by name. Deterministic. */
export function domainOrder(program: Program): string[] {
  return [...domainSteps(program).keys()];
}

/**
 * A dependency cycle among domains, as the list of names along it (first repeated at the
 * end: `a → b → a`), or null when the domain graph is acyclic. Deterministic.
 */
export function domainCycle(program: Program): string[] | null {
  const edges = new Map<string, string[]>();
  for (const name of sortedKeys(program.domains)) {
    edges.set(name, [...program.domains[name]!.after].filter((d) => d in program.domains).sort());
  }
  return findCycle(edges);
}

/** A domain's resources in dependency order and the first cycle among them, from one pass over the domain. */
export interface ResourceGraph {
  /** As resourceOrder. */
  readonly order: Address[];
  /** As resourceCycle. */
  readonly cycle: Address[] | null;
}

/** resourceOrder and resourceCycle at once (the planner needs both: one sort, one walk). Deterministic. */
export function resourceGraph(domain: DomainIR): ResourceGraph {
  const keys = Object.keys(domain.resources).sort(compareNatural);
  // Dependencies in the same domain, sorted; a self-edge is kept (a cycle), kahn ignores it.
  const inside = keys.map((a) => keepOnly(domain.resources[a]!.dependsOn, (d) => d in domain.resources));
  // Without edges (most domains of a large project) the order is by address (natural order) and there is no cycle.
  if (inside.every((ds) => ds.length === 0)) return { order: keys, cycle: null };
  const edges = new Map<Address, readonly Address[]>();
  keys.forEach((a, i) => edges.set(a, inside[i]!.length < 2 ? inside[i]! : sortStrings([...inside[i]!])));
  return { order: kahn(edges), cycle: findCycle(edges) };
}

/**
 * The resources of a domain in dependency order: Kahn's algorithm over `dependsOn`
 * (dependencies in the same domain only; others are ordered by steps), taking the first
 * ready address in natural order each time. Resources caught in a cycle (a compiler bug) follow, by address.
 */
export function resourceOrder(domain: DomainIR): Address[] {
  return resourceGraph(domain).order;
}

/** A cycle among a domain's resources (`a → b → a`), or null. Deterministic. */
export function resourceCycle(domain: DomainIR): Address[] | null {
  return resourceGraph(domain).cycle;
}

/**
 * Topological order of `deps` (node → the nodes it needs first): Kahn's algorithm with a
 * ready set kept in natural order (compareNatural: `node[2]` before `node[10]`); nodes left
 * in a cycle are appended in that order. Edges to unknown nodes are ignored. Deterministic.
 */
export function kahn(deps: ReadonlyMap<string, readonly string[]>): string[] {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const ready: string[] = [];
  for (const [n, ds] of deps) {
    // Nodes without dependencies (most) cost no temporary set or list.
    const uniq = ds.length === 0 ? ds : [...new Set(ds)].filter((d) => d !== n && deps.has(d));
    remaining.set(n, uniq.length);
    if (uniq.length === 0) ready.push(n);
    for (const d of uniq) {
      const list = dependents.get(d);
      if (list) list.push(n);
      else dependents.set(d, [n]);
    }
  }
  ready.sort(compareNatural);
  const out: string[] = [];
  // ready[head…] is the ready set, kept sorted, so ready[head] is the first name: ties
  // broken by name (an index, not shift(), which copies a long list each time).
  let head = 0;
  while (head < ready.length) {
    const n = ready[head++]!;
    out.push(n);
    for (const m of dependents.get(n) ?? []) {
      const c = remaining.get(m)! - 1;
      remaining.set(m, c);
      if (c === 0) insertSorted(ready, m, head);
    }
  }
  // A node is output exactly when its count reached 0: the rest are caught in a cycle.
  if (out.length < deps.size) for (const n of [...deps.keys()].filter((n) => remaining.get(n)! > 0).sort(compareNatural)) out.push(n);
  return out;
}

/** Inserts x into the list[lo…], sorted by compareNatural, at its place. */
function insertSorted(list: string[], x: string, lo: number): void {
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareNatural(list[mid]!, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, x);
}

/**
 * The first cycle found by a depth-first search in sorted order, closed (`[a, b, a]`), or
 * null. Iterative, so a long dependency chain cannot overflow the stack.
 */
function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = finished
  for (const root of [...edges.keys()].sort()) {
    if (state.has(root)) continue;
    // A node without edges closes no cycle (most have none: no stack for them).
    if (edges.get(root)!.length === 0) {
      state.set(root, 2);
      continue;
    }
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const out = edges.get(top.node) ?? [];
      if (top.next >= out.length) {
        state.set(top.node, 2);
        stack.pop();
        continue;
      }
      const m = out[top.next++]!;
      if (!edges.has(m)) continue;
      const s = state.get(m);
      if (s === 1) {
        const path = stack.map((f) => f.node);
        return [...path.slice(path.indexOf(m)), m];
      }
      if (s === undefined) {
        state.set(m, 1);
        stack.push({ node: m, next: 0 });
      }
    }
  }
  return null;
}
