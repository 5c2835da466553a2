import React from "react";
import { Box, Static, Text, render } from "ink";
import type { Plan } from "../../plan/types.js";
import type { TraceEvent } from "../../runtime/types.js";
import { advance, initialProgress } from "../progress.js";
import type { DomainProgress, ProgressSink, ProgressState } from "../progress.js";

const colour: Record<DomainProgress["status"], string> = {
  waiting: "gray",
  running: "yellow",
  quiescent: "green",
  failed: "red",
  skipped: "gray",
  "rolled-back": "magenta",
};

/** Finished lines above (Static), one live row per domain below. Renders a state; computes nothing. */
export function ApplyProgress({ state }: { state: ProgressState }): React.ReactElement {
  return (
    <Box flexDirection="column">
      <Static items={state.lines.map((l, i) => ({ l, i }))}>{(x) => <Text key={x.i}>{x.l}</Text>}</Static>
      {state.domains.map((d) => (
        <Text key={d.name}>
          <Text color={colour[d.status]}>{d.status.padEnd(11)}</Text> step {d.step} {d.name.padEnd(16)} {d.done}/{d.total}
          {d.current ? <Text color="gray">  {d.current}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}

/** A live ink view of an apply, for a TTY. */
export function inkProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let state: ProgressState | null = null;
  let app: ReturnType<typeof render> | null = null;
  return {
    begin(plan: Plan) {
      state = initialProgress(plan);
      app = render(<ApplyProgress state={state} />, { stdout: stream, patchConsole: false, exitOnCtrlC: false });
    },
    event(e: TraceEvent) {
      if (!state || !app) return;
      state = advance(state, e);
      app.rerender(<ApplyProgress state={state} />);
    },
    async end() {
      if (!app) return;
      app.unmount();
      await app.waitUntilExit().catch(() => undefined);
      app = null;
    },
  };
}
