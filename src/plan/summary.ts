import type { Plan } from "./types.js";

/**
 * The one summary line used everywhere (CLI, PR comment, agent logs):
 * `Plan: 2 to create, 1 to update, 1 to replace, 0 to delete.`, or exactly
 * `No changes. The world matches the goal.` when nothing changes.
 */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (s.create + s.update + s.replace + s.delete === 0) return "No changes. The world matches the goal.";
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`;
}
