/**
 * Lexum's public API: what the three shells (the `lxm` CLI, the GitHub Action, the
 * `lxm-sync` agent) call. Everything here is deterministic except the edges named so
 * (planProject/applyProject read git and talk to providers).
 */
export { compile, loadProject, loadProjectFromFiles, loadProjectSettings, formatSource, parseFile } from "./lang/index.js";
export type { CompileResult } from "./lang/index.js";
export { canonicalize, hashValue, sha256, prettyCanonical } from "./program/canonical.js";
export type { Program } from "./program/types.js";
export { buildPlan, hasChanges, renderPlanText, renderPlanMarkdown, renderPlanJson, renderGraph, summaryLine } from "./plan/index.js";
export type { Plan, PlannedAction, PriorRun, PriorState, RecordedResource } from "./plan/types.js";
export { runPlan, runWithRecovery, replayRun } from "./runtime/index.js";
export type { RunResult, TraceEvent } from "./runtime/types.js";
export { getProvider, providerNames } from "./providers/index.js";
export { loadProjectProviders } from "./engine/project-providers.js";
export type { LoadedPackage, ProjectProviders } from "./providers/project.js";

// The provider SDK (docs/provider-sdk.md): what a provider package implements and tests with.
export { ProviderError, isProviderError, resolveConfigPath } from "./providers/types.js";
export type { CallContext, Json, JsonObject, Provider, ProviderEnv, ProviderInstance } from "./providers/types.js";
export { conformanceChecks, ConformanceFailure } from "./providers/conformance.js";
export type { ConformanceCase, ConformanceCheck, ConformanceSubject } from "./providers/conformance.js";
export { checkProviderPackage } from "./providers/package-load.js";
export { planProject, isPlanned } from "./engine/plan-project.js";
export type { Planned, NotPlanned, PlanOptions } from "./engine/plan-project.js";
export { applyProject } from "./engine/apply-project.js";
export type { ApplyOptions, ApplyOutcome, Recorded } from "./engine/apply-project.js";
export { recordFailure } from "./engine/record-failure.js";
export type { FailureRecordOptions } from "./engine/record-failure.js";
export { recordDrift, driftedAddresses } from "./engine/record-drift.js";
export { verifyBranch } from "./engine/verify.js";
export { resolveSnapshotRef, inspectCommit } from "./engine/history.js";
export type { FailureReason, Snapshot, SnapshotKind, SnapshotStatus } from "./state/snapshot.js";
export { DEFAULT_STATE_BRANCH } from "./state/store.js";
export { LexumError } from "./diag/diagnostic.js";
export type { Diagnostic } from "./diag/diagnostic.js";
export { renderText as renderDiagnostics, toJson as diagnosticsToJson, toGithubAnnotations } from "./diag/render.js";
