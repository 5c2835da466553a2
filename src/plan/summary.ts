import type { Plan } from "./types.js";

/**
 * The one summary line used everywhere (CLI, PR comment, agent logs), saying what was
 * compared: `Plan: 2 to create, 1 to update, 1 to replace, 0 to delete.` (led by `1 to adopt, `
 * when the plan adopts an existing object, followed by `, 1 to move` when it moves one); with no resource
 * action but a snapshot to record, `No resource changes, but apply will record a new
 * snapshot: <why>.`; otherwise `No changes. The goal matches the last snapshot sha256:…`
 * followed by `; reality was not read (--refresh reads it).`, or with `--refresh`
 * ` and what the providers read back.`
 */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const adopt = s.adopt ?? 0;
  const moved = s.moved ?? 0;
  if (adopt + moved + s.create + s.update + s.replace + s.delete > 0) {
    return `Plan: ${adopt > 0 ? `${adopt} to adopt, ` : ""}${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete${moved > 0 ? `, ${moved} to move` : ""}.`;
  }
  if (plan.writesSnapshot !== undefined || plan.prior === null) {
    return `No resource changes, but apply will record a new snapshot: ${plan.writesSnapshot ?? "there is no snapshot yet"}.`;
  }
  return plan.refreshed
    ? `No changes. The goal matches the last snapshot ${plan.prior} and what the providers read back.`
    : `No changes. The goal matches the last snapshot ${plan.prior}; reality was not read (--refresh reads it).`;
}
