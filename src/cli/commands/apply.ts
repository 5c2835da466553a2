import path from "node:path";
import { applyProject } from "../../engine/apply-project.js";
import { catalog } from "../../diag/index.js";
import { renderPlanText, summaryLine } from "../../plan/index.js";
import type { TraceEvent } from "../../runtime/types.js";
import { dirFlag, envFlag, jsonFlag, parse, projectDir, projectFlag } from "../args.js";
import { chooseProjects } from "../projects.js";
import type { CommandSpec } from "../args.js";
import { dirtyBanner } from "./plan.js";
import type { Io } from "../io.js";
import { errorDocument, printDiagnostics, printFailure, relativeTo } from "../io.js";
import { count } from "../counts.js";
import { assertionBlock, plainProgress } from "../progress.js";
import type { ProgressSink } from "../progress.js";

/** `lxm apply`'s arguments and flags (parser, usage and --help). */
export const applySpec = {
  name: "apply",
  summary: "Apply the plan through providers and record a snapshot on the state branch.",
  maxPositionals: 1,
  flags: {
    ...dirFlag,
    ...projectFlag,
    plan: { type: "string", value: "FILE", description: "apply exactly this plan saved by `lxm plan --out` (refused when stale)" },
    ...envFlag,
    rev: { type: "string", value: "REV", description: "compile the files exactly as committed at REV" },
    refresh: { type: "boolean", description: "read reality back through the providers before planning" },
    "allow-dirty": { type: "boolean", description: "apply the working tree even where it differs from HEAD (recorded in the snapshot; such a run cannot be replayed)" },
    yes: { type: "boolean", description: "apply without asking (required without a terminal)" },
    parallelism: { type: "string", value: "N", integer: { min: 1 }, description: "domains running at once within a step (default: lexum.yaml's parallelism, else 10)" },
    ...jsonFlag,
  },
} as const satisfies CommandSpec;

/** `lxm apply`: exit 0 when the world reached the goal (or nothing to do), 1 on any failure. */
export async function applyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, applySpec);
  const dir = (await chooseProjects(projectDir(io.cwd, values.dir, positionals[0], applySpec.name), values.project, false, io.cwd))[0]!.dir;
  const json = Boolean(values.json);
  const parallelism = values.parallelism === undefined ? undefined : Number(values.parallelism);
  const progress: ProgressSink | null = json ? null : io.isTTY ? (await import("../ui/apply-progress.js")).inkProgress() : plainProgress(io);
  const outcome = await applyProject({
    dir,
    rev: values.rev,
    ...(values.env !== undefined ? { environment: values.env } : {}),
    refresh: Boolean(values.refresh),
    cwd: io.cwd,
    env: io.env,
    planFile: values.plan ? path.resolve(io.cwd, values.plan) : undefined,
    parallelism,
    allowDirty: Boolean(values["allow-dirty"]),
    onEvent: progress ? (e: TraceEvent) => progress.event(e) : undefined,
    confirm: async (planned) => {
      if (planned.changes.length) (json ? io.err : io.out)(dirtyBanner(planned.changes, io.cwd, dir, "apply"));
      if (!json) io.out(renderPlanText(planned.plan, { color: io.color }));
      let ok = Boolean(values.yes || values.plan);
      if (!ok) {
        if (!io.confirm) throw catalog.engine.notConfirmed.error("no terminal to ask on");
        ok = await io.confirm("Do you want to apply this plan?");
      }
      if (ok) progress?.begin(planned.plan);
      return ok;
    },
  }).finally(() => progress?.end());
  if (!("planned" in outcome)) {
    relativeTo(outcome.sources, io.cwd, dir);
    return printFailure(io, outcome.diagnostics, outcome.sources, json);
  }
  relativeTo(outcome.planned.sources, io.cwd, dir);
  if (outcome.diagnostics.length) printDiagnostics(io, outcome.diagnostics, outcome.planned.sources, false);
  const branch = outcome.planned.settings.stateBranch;
  if (json) {
    const r = outcome.result;
    const status = outcome.rollback?.result.status ?? r?.status ?? "unchanged";
    // A failed run is a failure like any other: the error document, with the run's report beside it.
    const failed = r && status !== "quiescent" ? errorDocument(catalog.host.applyFailed.error(status, r.failure?.domain ?? "?", r.failure?.address ?? null, r.failure?.message ?? "it failed")) : {};
    io.out(
      JSON.stringify(
        {
          ...failed,
          status: outcome.rollback?.result.status ?? outcome.result?.status ?? "unchanged",
          plan: outcome.planned.plan.hash,
          summary: outcome.planned.plan.summary,
          commits: outcome.commits,
          failure: outcome.result?.failure ?? null,
          dag: outcome.result?.dag ?? null,
        },
        null,
        2,
      ) + "\n",
    );
  } else if (!outcome.result) {
    io.out(`${summaryLine(outcome.planned.plan)}\nNothing to apply; ${branch} unchanged.\n`);
  } else {
    const r = outcome.result;
    const n = outcome.planned.plan.summary;
    if (r.status === "quiescent") io.out(`\nApply complete: ${count(r.dag.done.length, "action")} done (${n.adopt ? `${n.adopt} adopted, ` : ""}${n.create} created, ${n.update} updated, ${n.replace} replaced, ${n.delete} deleted${n.moved ? `, ${n.moved} moved` : ""}).\n`);
    else {
      io.out(`\nApply failed in domain ${r.failure?.domain}${r.failure?.address ? ` at ${r.failure.address}` : ""}: ${r.failure?.message}\n` +
        `  done: ${count(r.dag.done.length, "action")}, failed: ${r.dag.failed.length}, not started: ${r.dag.notStarted.length}\n`);
      const program = outcome.planned.program;
      for (const e of r.trace) {
        if (e.phase !== "assert" || e.ok !== false) continue;
        const message = program.domains[e.domain]?.goals.find((g) => g.name === e.goal)?.asserts[e.index ?? 0]?.message ?? null;
        io.out(assertionBlock(e, message, outcome.planned.sources.displayPrefix).join("\n") + "\n");
      }
    }
    if (outcome.rollback) io.out(`Rolled back to the last quiescent snapshot: ${outcome.rollback.result.status}\n`);
    for (const c of outcome.commits) io.out(`Recorded ${c.status} snapshot ${c.hash} on ${branch} (${c.oid.slice(0, 12)})\n`);
  }
  const final = outcome.rollback?.result.status ?? outcome.result?.status ?? "quiescent";
  return final === "quiescent" && !outcome.diagnostics.some((d) => d.severity === "error") ? 0 : 1;
}
