import { compareNatural } from "../../program/address.js";
import type { Program } from "../../program/types.js";
import type { Plan, PlannedAction } from "../types.js";
import { localAddress, marker } from "./text.js";

/**
 * Mermaid flowcharts: the whole program (`lxm graph --format mermaid`) and the changed part
 * of a plan (in the Markdown render). Domains are subgraphs, resources nodes; an arrow goes
 * from a dependency to what depends on it (the order things run). Node ids are positions
 * in sorted order (addresses in natural order: `node[2]` before `node[10]`), so the text is
 * deterministic and safe whatever the names hold.
 */

/** Text for a quoted Mermaid label: quotes, backticks and markup characters as Mermaid entity codes. */
export function mermaidLabel(s: string): string {
  return s.replace(/[#"<>&`]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

/** The domain edges of a program: (from, to) → imported names, sorted. Deterministic. */
export function domainEdges(program: Program): { from: string; to: string; names: string[] }[] {
  const out: { from: string; to: string; names: string[] }[] = [];
  for (const to of Object.keys(program.domains).sort()) {
    const d = program.domains[to]!;
    for (const from of [...new Set(d.after)].sort()) {
      if (!(from in program.domains) || from === to) continue;
      const names = [...new Set(d.imports.filter((i) => i.domain === from).map((i) => i.name))].sort();
      out.push({ from, to, names });
    }
  }
  return out;
}

/** The resource edges of a program: dependency → dependent, sorted by (from, to) in natural order; unknown addresses dropped. */
export function resourceEdges(program: Program): { from: string; to: string }[] {
  const known = new Set<string>();
  for (const d of Object.values(program.domains)) for (const a of Object.keys(d.resources)) known.add(a);
  const out: { from: string; to: string }[] = [];
  for (const a of [...known].sort(compareNatural)) {
    const r = findResource(program, a);
    for (const dep of [...new Set(r.dependsOn)].sort(compareNatural)) if (known.has(dep) && dep !== a) out.push({ from: dep, to: a });
  }
  return out.sort((x, y) => compareNatural(x.from, y.from) || compareNatural(x.to, y.to));
}

function findResource(program: Program, address: string) {
  const slash = address.indexOf("/");
  return program.domains[address.slice(0, slash)]!.resources[address]!;
}

/** The whole program as a Mermaid flowchart. Deterministic. */
export function renderProgramMermaid(program: Program, instances: { readonly [domain: string]: string } = {}): string {
  const lines = ["flowchart LR"];
  const domains = Object.keys(program.domains).sort();
  const resId = new Map<string, string>();
  const domId = new Map<string, string>();
  domains.forEach((name, i) => domId.set(name, `d${i}`));
  let n = 0;
  for (const name of domains) {
    const d = program.domains[name]!;
    lines.push(`  subgraph ${domId.get(name)}["${mermaidLabel(instances[name] ? `${name} (template ${instances[name]})` : name)}"]`);
    lines.push("    direction LR");
    const addrs = Object.keys(d.resources).sort(compareNatural);
    for (const a of addrs) {
      const id = `r${n++}`;
      resId.set(a, id);
      const r = d.resources[a]!;
      lines.push(`    ${id}["${mermaidLabel(a.slice(name.length + 1))}"]`);
      if (r.protect) lines.push(`    class ${id} protected`);
    }
    lines.push("  end");
  }
  for (const e of resourceEdges(program)) lines.push(`  ${resId.get(e.from)} --> ${resId.get(e.to)}`);
  for (const e of domainEdges(program)) {
    const label = e.names.length > 0 ? `|"${mermaidLabel("import " + e.names.join(", "))}"|` : "";
    lines.push(`  ${domId.get(e.from)} -.->${label} ${domId.get(e.to)}`);
  }
  lines.push("  classDef protected stroke-width:3px");
  return lines.join("\n") + "\n";
}

/**
 * The changed resources of a plan and their direct dependencies (unchanged ones drawn
 * plain), domains as subgraphs, as a Mermaid flowchart; null when nothing changes or more
 * than `maxNodes` nodes would be drawn (a graph that size is unreadable).
 */
export function renderPlanMermaid(plan: Plan, maxNodes = 60): string | null {
  const all = new Map<string, PlannedAction>();
  for (const s of plan.steps) for (const d of s.domains) for (const a of d.actions) all.set(a.address, a);
  const shown = new Set<string>();
  for (const a of all.values()) {
    if (a.action === "noop") continue;
    shown.add(a.address);
    for (const dep of a.dependsOn) if (all.has(dep)) shown.add(dep);
  }
  if (shown.size === 0 || shown.size > maxNodes) return null;
  const addrs = [...shown].sort(compareNatural);
  const id = new Map(addrs.map((a, i) => [a, `n${i}`]));
  const byDomain = new Map<string, string[]>();
  for (const a of addrs) {
    const dom = all.get(a)!.domain;
    const list = byDomain.get(dom);
    if (list) list.push(a);
    else byDomain.set(dom, [a]);
  }
  const lines = ["flowchart LR"];
  [...byDomain.keys()].sort().forEach((dom, i) => {
    lines.push(`  subgraph d${i}["${mermaidLabel(dom)}"]`);
    lines.push("    direction LR");
    for (const a of byDomain.get(dom)!) {
      const act = all.get(a)!;
      const label = act.action === "noop" ? localAddress(act) : `${marker(act)} ${localAddress(act)}`;
      lines.push(`    ${id.get(a)}["${mermaidLabel(label)}"]:::${act.action}`);
    }
    lines.push("  end");
  });
  const edges: string[] = [];
  for (const a of addrs) {
    const act = all.get(a)!;
    if (act.action === "noop") continue;
    for (const dep of [...new Set(act.dependsOn)].sort(compareNatural)) {
      if (!shown.has(dep) || dep === a) continue;
      // A delete runs before what it depended on goes; draw it the way it runs.
      edges.push(act.action === "delete" ? `  ${id.get(a)} --> ${id.get(dep)}` : `  ${id.get(dep)} --> ${id.get(a)}`);
    }
  }
  for (const e of edges.sort(compareNatural)) lines.push(e);
  lines.push(
    "  classDef create fill:#e6ffec,stroke:#1a7f37",
    "  classDef update fill:#fff8c5,stroke:#9a6700",
    "  classDef replace fill:#ffebe9,stroke:#9a6700",
    "  classDef delete fill:#ffebe9,stroke:#cf222e",
    "  classDef noop fill:#f6f8fa,stroke:#8c959f",
  );
  return lines.join("\n") + "\n";
}
