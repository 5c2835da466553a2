import type { TraceEvent } from "../runtime/types.js";
import type { Io } from "./io.js";

const marks: Record<string, string> = { create: "+", update: "~", replace: "-/+", delete: "-", noop: " " };

/** Plain progress lines while applying: one per finished action, assertion and domain. */
export function progressPrinter(io: Io): { event(e: TraceEvent): void } {
  return {
    event(e) {
      if (e.phase === "done" && e.action && e.action !== "noop") io.err(`  ${e.domain}: ${marks[e.action]} ${e.address} done\n`);
      else if (e.phase === "failed") io.err(`  ${e.domain}: ${e.address ?? ""} FAILED: ${e.message ?? ""}\n`);
      else if (e.phase === "assert" && e.ok === false) io.err(`  ${e.domain}: assertion failed: ${e.message ?? ""}\n`);
      else if (e.phase === "domain") io.err(`[step ${e.step}] domain ${e.domain}: ${e.status}\n`);
    },
  };
}
