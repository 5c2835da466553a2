import React, { useState } from "react";
import { Box, Text, render, useApp, useInput } from "ink";
import type { DomainViewStatus, Frame, NavCommand, NodeStatus, RunView } from "../../viewer/model.js";
import { frameAt, isFailure, navigate } from "../../viewer/model.js";
import { eventWhat, oneLine, shortId } from "./trace-lines.js";

const statusColour: Record<NodeStatus | DomainViewStatus, string> = {
  pending: "gray",
  running: "yellow",
  done: "green",
  unchanged: "gray",
  failed: "red",
  "rolled-back": "magenta",
  quiescent: "green",
  skipped: "gray",
};

/** The keys' legend, the last line of the screen. */
export const TRACE_KEYS = "←/h back · →/l forward · Home/End first/last · f first failure · q quit";

/**
 * One screen of `lxm trace`: the run, the event, progress, diff, source excerpt, causes and
 * every resource's status. Renders the Frame it is given and computes nothing.
 */
export function TraceScreen({ view, frame }: { view: Pick<RunView, "commit" | "snapshot" | "status">; frame: Frame }): React.ReactElement {
  const e = frame.event;
  const p = frame.progress;
  const domains = Object.keys(frame.domains);
  const resources = Object.keys(frame.resources);
  const width = Math.max(0, ...resources.map((a) => frame.resources[a]!.length));
  return (
    <Box flexDirection="column">
      <Text bold>
        lxm trace · snapshot {shortId(view.snapshot)} · {view.status} · commit {shortId(view.commit)}
      </Text>
      <Text wrap="truncate-end">
        event {frame.index + 1}/{frame.total} · step {e.step}/{p.steps} · domain {e.domain} · <Text bold>{e.phase}</Text> {eventWhat(e)}
      </Text>
      {e.message ? <Text color={isFailure(e) ? "red" : undefined}>message: {e.message}</Text> : null}
      <Text>
        progress: {p.done}/{p.planned} actions done
        {domains.map((d) => (
          <Text key={d}>
            {" · "}
            {d} <Text color={statusColour[frame.domains[d]!]}>{frame.domains[d]}</Text>
          </Text>
        ))}
      </Text>
      <Text bold>diff</Text>
      {frame.diff.length === 0 ? <Text color="gray">  (no changes)</Text> : null}
      {frame.diff.map((d) => (
        <Text key={d.attr} wrap="truncate-end">
          {d.before === undefined ? <Text color="green">  + </Text> : d.after === undefined ? <Text color="red">  - </Text> : <Text color="yellow">  ~ </Text>}
          {d.attr} {d.before === undefined ? oneLine(d.after) : d.after === undefined ? oneLine(d.before) : `${oneLine(d.before)} → ${oneLine(d.after)}`}
        </Text>
      ))}
      <Text bold>source{frame.source ? ` ${frame.source.file}:${frame.source.line}` : ""}</Text>
      {frame.source === null ? <Text color="gray">  (no source span)</Text> : null}
      {frame.source !== null && frame.source.lines.length === 0 ? <Text color="gray">  (source not available)</Text> : null}
      {(frame.source?.lines ?? []).map((l) => (
        <Text key={l.n} wrap="truncate-end" color={l.marked ? "cyan" : undefined}>
          {l.marked ? "> " : "  "}
          {String(l.n).padStart(4)} │ {l.text}
        </Text>
      ))}
      <Text>
        <Text bold>causes</Text> {frame.causes.length === 0 ? "(none)" : frame.causes.join(", ")}
      </Text>
      <Text bold>resources</Text>
      {resources.map((a) => (
        <Text key={a} wrap="truncate-end">
          {"  "}
          <Text color={statusColour[frame.resources[a]!]}>{frame.resources[a]!.padEnd(width)}</Text> {a === e.address ? <Text bold>{a}</Text> : a}
        </Text>
      ))}
      <Text color="gray">{TRACE_KEYS}</Text>
    </Box>
  );
}

function commandOf(input: string, key: { leftArrow: boolean; rightArrow: boolean; home: boolean; end: boolean }): NavCommand | null {
  if (key.leftArrow || input === "h") return "back";
  if (key.rightArrow || input === "l") return "forward";
  if (key.home) return "first";
  if (key.end) return "last";
  if (input === "f") return "failure";
  return null;
}

/** The interactive view: keys move through the run's events (the model decides where), `q` quits. Requires at least one event. */
export function TraceApp({ view, initial = 0 }: { view: RunView; initial?: number }): React.ReactElement {
  const { exit } = useApp();
  const [index, setIndex] = useState(initial);
  useInput((input, key) => {
    if (input === "q" || key.escape) {
      exit();
      return;
    }
    const cmd = commandOf(input, key);
    if (cmd) setIndex((i) => navigate(view, i, cmd));
  });
  return <TraceScreen view={view} frame={frameAt(view, index)} />;
}

/** Runs the interactive view on the process's terminal until `q`. */
export async function runTraceApp(view: RunView): Promise<void> {
  const app = render(<TraceApp view={view} />, { stdout: process.stdout, stdin: process.stdin, patchConsole: false, exitOnCtrlC: true });
  await app.waitUntilExit();
}
