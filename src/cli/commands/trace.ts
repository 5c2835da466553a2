import { canonicalize } from "../../program/canonical.js";
import { loadRunView } from "../../viewer/load.js";
import { eventDetail, recordNote } from "../../viewer/model.js";
import { serveTrace } from "../../viewer/server.js";
import { branchFlag, dirFlag, jsonFlag, parse, projectFlag } from "../args.js";
import type { CommandSpec } from "../args.js";
import type { Io } from "../io.js";
import { eventLine, shortId } from "../ui/trace-lines.js";
import { locate } from "./state.js";

/** `lxm trace`'s arguments and flags (parser, usage and --help). */
export const traceSpec = {
  name: "trace",
  summary: "Step through one run's trace (interactive on a TTY; text lines or --json otherwise).",
  args: "[REF|HASH]",
  maxPositionals: 1,
  flags: {
    ...dirFlag,
    ...projectFlag,
    ...branchFlag,
    ...jsonFlag,
    web: { type: "boolean", description: "serve the trace viewer on a local page (127.0.0.1) instead" },
    port: { type: "string", value: "N", integer: { min: 0, max: 65535, words: "a number from 0 to 65535 (0 picks a free port)" }, description: "the viewer's port (default 7357; 0 picks a free port)" },
  },
  conflicts: [["json", "web"]],
  requires: { port: "web" },
  notes: ["REF is a state-branch revision (lexum/state~1, a commit id), HASH a snapshot hash or prefix; the default is the last run."],
} as const satisfies CommandSpec;

/**
 * `lxm trace [REF|HASH]`: one run's trace (the head by default). On a TTY an interactive
 * view (ink) stepping through the events; otherwise one plain line per event, or with
 * --json one canonical JSON event per line (exactly trace.jsonl). Exit 0; a damaged or
 * missing snapshot is a typed error (LXM4204, LXM4210), exit 1.
 */
export async function traceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, traceSpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  // --web: the local page (src/viewer/server.ts) instead of the terminal; serves until Ctrl-C.
  if (values.web) return serveTrace({ gitdir: repo.gitdir, branch, ref: positionals[0], port: values.port, out: (t) => io.out(t) });
  const view = await loadRunView({ gitdir: repo.gitdir, branch, ref: positionals[0] });
  if (values.json) {
    for (const e of view.events) io.out(canonicalize(e) + "\n");
    return 0;
  }
  if (io.isTTY && view.events.length > 0) {
    const { runTraceApp } = await import("../ui/trace-view.js");
    await runTraceApp(view);
    return 0;
  }
  io.out(`trace of ${view.status} snapshot ${shortId(view.snapshot)} (commit ${shortId(view.commit)}): ${view.events.length} events\n`);
  const note = recordNote(view);
  if (note) io.out(`${note}\n`);
  view.events.forEach((e, i) => {
    io.out(eventLine(i, e) + "\n");
    // A broken assertion says where it is, what it checked and what its operands were.
    if (e.phase === "assert" && e.ok === false) for (const l of eventDetail(e)) io.out(`    ${l}\n`);
  });
  return 0;
}
