import { compareNatural } from "../../program/address.js";
import type { Program } from "../../program/types.js";
import { domainEdges, resourceEdges } from "./mermaid.js";

/**
 * The whole program as Graphviz DOT (`lxm graph --format dot`): one cluster per domain
 * with a folder-shaped anchor node for the domain, a box per resource, solid edges from a
 * dependency to its dependent, dashed edges between domains for imports. Deterministic.
 */
export function renderProgramDot(program: Program, instances: { readonly [domain: string]: string } = {}): string {
  const q = (s: string): string => '"' + s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") + '"';
  const lines = ["digraph lexum {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica"];'];
  for (const name of Object.keys(program.domains).sort()) {
    const d = program.domains[name]!;
    lines.push(`  subgraph ${q("cluster_" + name)} {`);
    lines.push(`    label=${q(instances[name] ? `${name} (template ${instances[name]})` : name)};`);
    lines.push(`    ${q("domain:" + name)} [shape=folder, label=${q(name)}];`);
    for (const a of Object.keys(d.resources).sort(compareNatural)) {
      const extra = d.resources[a]!.protect ? ", penwidth=2" : "";
      lines.push(`    ${q(a)} [label=${q(a.slice(name.length + 1))}${extra}];`);
    }
    lines.push("  }");
  }
  for (const e of resourceEdges(program)) lines.push(`  ${q(e.from)} -> ${q(e.to)};`);
  for (const e of domainEdges(program)) {
    const label = e.names.length > 0 ? `, label=${q("import " + e.names.join(", "))}` : "";
    lines.push(`  ${q("domain:" + e.from)} -> ${q("domain:" + e.to)} [style=dashed${label}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
