/**
 * The planner: the program's graphs (domain steps, resource order), the diff against the
 * prior state, the plan (`lexum.plan/v1`) and its renderers. Pure: no I/O, no clock.
 */
export * from "./types.js";
export { domainSteps, domainOrder, domainCycle, resourceOrder, resourceCycle, kahn } from "./graph.js";
export { jsonEqual, residualRefs, diffAttrs } from "./diff.js";
export type { ResidualRefs } from "./diff.js";
export { buildPlan, hasChanges } from "./plan.js";
export type { BuildPlanInput, BuildPlanResult, PlanCatalog, PlanTypeInfo, ResidualEvaluator } from "./plan.js";
export { summaryLine } from "./summary.js";
export { renderPlanText } from "./render/text.js";
export type { TextRenderOptions } from "./render/text.js";
export { renderPlanMarkdown } from "./render/markdown.js";
export type { MarkdownRenderOptions } from "./render/markdown.js";
export { renderPlanJson } from "./render/json.js";
export { renderProgramMermaid, renderPlanMermaid } from "./render/mermaid.js";
export { renderProgramDot } from "./render/dot.js";

import type { Program } from "../program/types.js";
import { renderProgramDot } from "./render/dot.js";
import { renderProgramMermaid } from "./render/mermaid.js";

/**
 * The whole program as a graph (`lxm graph`): domains as clusters/subgraphs, resources as
 * nodes, edges for dependsOn and for imports between domains. Deterministic.
 */
export function renderGraph(program: Program, format: "dot" | "mermaid", instances: { readonly [domain: string]: string } = {}): string {
  return format === "dot" ? renderProgramDot(program, instances) : renderProgramMermaid(program, instances);
}
