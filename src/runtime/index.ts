/**
 * The runtime's public API: apply a plan (runPlan), recover from a failure (rollbackPlan,
 * runWithRecovery), replay a recorded run (replayRun), and the trace's canonical form.
 */
export { runPlan } from "./scheduler.js";
export type { RunInput, ReplaySource } from "./context.js";
export { rollbackPlan, runWithRecovery, ROLLBACK_REASON } from "./recover.js";
export type { RollbackInput, RecoveryResult } from "./recover.js";
export { replayRun, firstDivergence } from "./replay.js";
export type { Divergence } from "./replay.js";
export { compareEvents, traceToJsonl, parseTraceJsonl } from "./trace.js";
export { defaultBackoffMs } from "./observe.js";
export { providerRecord } from "./execute.js";
export { Mailbox } from "./mailbox.js";
export type { Message } from "./mailbox.js";
export type { RuntimeCatalog } from "./redact.js";
export type * from "./types.js";
