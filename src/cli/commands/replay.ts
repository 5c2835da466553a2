import { catalog } from "../../diag/index.js";
import { resolveSnapshotRef } from "../../engine/history.js";
import { replaySnapshot } from "../../engine/replay.js";
import type { ReplayReport } from "../../engine/replay.js";
import { parse } from "../args.js";
import type { Io } from "../io.js";
import { printError } from "../io.js";
import { locate } from "./state.js";

export const replayUsage = "lxm replay [REF|HASH] [--dir DIR] [--branch NAME] [--json]";

/**
 * `lxm replay [REF|HASH]`: re-runs the runtime for one snapshot (the head by default) on the
 * observations recorded in its trace, without calling any provider. Exit 0 when it
 * reproduces the recorded snapshot hash (or is an interrupted run or a run applied with
 * --allow-dirty, verified by hash only and explained),
 * 1 when it diverges (the first diverging event is named) or cannot be replayed.
 */
export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: "string" }, branch: { type: "string" }, json: { type: "boolean" } }, 1, replayUsage);
  const { repo, branch } = await locate(io, values.dir, values.branch);
  const commit = await resolveSnapshotRef(repo.gitdir, branch, positionals[0]);
  const report = await replaySnapshot({ gitdir: repo.gitdir, commondir: repo.commondir, branch, env: io.env }, commit);
  if (values.json) {
    io.out(JSON.stringify(report, null, 2) + "\n");
    return report.outcome === "diverged" ? 1 : 0;
  }
  return printReplay(io, report);
}

/** One report in words: `replayed sha256:… = recorded`, the hash-only note, or the divergence as an error (exit 1). */
export function printReplay(io: Io, r: ReplayReport): number {
  switch (r.outcome) {
    case "reproduced":
      io.out(`replayed ${r.replayed} = recorded\n`);
      return 0;
    case "hash-only":
    case "dirty":
      io.out(`not replayed ${r.recorded}: ${r.problem}\n`);
      return 0;
    case "diverged":
      if (r.replayed) io.err(`replayed ${r.replayed} != recorded ${r.recorded}\n`);
      return printError(io, catalog.engine.notReproduced.error(r.recorded, r.commit, r.problem ?? "it diverged"), false);
  }
}
