import { catalog } from "../../diag/index.js";
import { resolveSnapshotRef } from "../../engine/history.js";
import { replaySnapshot } from "../../engine/replay.js";
import type { ReplayReport } from "../../engine/replay.js";
import { branchFlag, dirFlag, jsonFlag, parse, projectFlag } from "../args.js";
import type { CommandSpec } from "../args.js";
import type { Io } from "../io.js";
import { errorDocument, printError } from "../io.js";
import { locate } from "./state.js";

/** `lxm replay`'s arguments and flags (parser, usage and --help). */
export const replaySpec = {
  name: "replay",
  summary: "Re-run a snapshot on its recorded observations and check it reproduces its hash.",
  args: "[REF|HASH]",
  maxPositionals: 1,
  flags: { ...dirFlag, ...projectFlag, ...branchFlag, ...jsonFlag },
  notes: ["REF is a state-branch revision (lexum/state~1, a commit id), HASH a snapshot hash or prefix; the default is the last run."],
} as const satisfies CommandSpec;

/**
 * `lxm replay [REF|HASH]`: re-runs the runtime for one snapshot (the head by default) on the
 * observations recorded in its trace, without calling any provider. Exit 0 when it
 * reproduces the recorded snapshot hash (or is an interrupted run or a run applied with
 * --allow-dirty, verified by hash only and explained, or a failure or drift record rebuilt
 * from its parent),
 * 1 when it diverges (the first diverging event is named) or cannot be replayed.
 */
export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, replaySpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  const commit = await resolveSnapshotRef(repo.gitdir, branch, positionals[0]);
  const report = await replaySnapshot({ gitdir: repo.gitdir, commondir: repo.commondir, workdir: repo.workdir, branch, env: io.env }, commit);
  if (values.json) {
    const failed = report.outcome === "diverged" ? errorDocument(divergence(report)) : {};
    io.out(JSON.stringify({ ...failed, ...report }, null, 2) + "\n");
    return report.outcome === "diverged" ? 1 : 0;
  }
  return printReplay(io, report);
}

/**
 * One report in words: `replayed sha256:… = recorded`, `rebuilt sha256:… = recorded (a
 * failure record …)` for a record that is not a run, the hash-only note, or the divergence as
 * an error (exit 1).
 */
export function printReplay(io: Io, r: ReplayReport): number {
  switch (r.outcome) {
    case "reproduced":
      io.out(`replayed ${r.replayed} = recorded\n`);
      return 0;
    case "hash-only":
    case "dirty":
      io.out(`not replayed ${r.recorded}: ${r.problem}\n`);
      return 0;
    case "recorded":
      io.out(`rebuilt ${r.replayed} = recorded (${r.problem})\n`);
      return 0;
    case "diverged":
      if (r.replayed) io.err(`replayed ${r.replayed} != recorded ${r.recorded}\n`);
      return printError(io, divergence(r), false);
  }
}

function divergence(r: ReplayReport) {
  return catalog.engine.notReproduced.error(r.recorded, r.commit, r.problem ?? "it diverged");
}
