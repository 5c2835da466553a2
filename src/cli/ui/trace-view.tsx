import React, { useEffect, useRef, useState } from "react";
import { Box, Text, render, useApp, useInput, useStdout } from "ink";
import type { DomainViewStatus, Frame, NavCommand, NodeStatus, RunView } from "../../viewer/model.js";
import { domainLabel, frameAt, instanceBase, isFailure, navigate } from "../../viewer/model.js";
import type { GroupStatus, ResourceRow } from "./trace-layout.js";
import { budget, capLines, resourceRows, rowOf, scrollBounds, windowOf, wrapWords } from "./trace-layout.js";
import { oneLine, shortId } from "./trace-lines.js";

const statusColour: Record<NodeStatus | DomainViewStatus | GroupStatus, string> = {
  pending: "gray",
  running: "yellow",
  done: "green",
  deleted: "blue",
  unchanged: "gray",
  failed: "red",
  "rolled-back": "magenta",
  drifted: "cyan",
  quiescent: "green",
  skipped: "gray",
  mixed: "white",
};

/** The keys' legend, the last line of the screen (two lines when the screen is narrower than it). */
export const TRACE_KEYS = "←/h →/l event · Home/End · f failure · ↑/k ↓/j PgUp/PgDn scroll · x fold · +/- all · q quit";

/** The screen size the view fits in; rows undefined: not a terminal, nothing is cut. */
export interface ScreenSize {
  readonly columns: number;
  readonly rows: number | undefined;
}

/** What the viewer keeps besides the event: folded groups, the selected resource, the list's scroll. */
export interface ListState {
  /** Bases (`web/fs.file.page`) of the `for` resources whose instances are listed. */
  readonly expanded: ReadonlySet<string>;
  /** The resource the list is windowed around: the event's, else the last one an event named. */
  readonly selected: string | null;
  /** Rows the window is scrolled by from its place around the selection (the list's ends stop it). */
  readonly scroll: number;
}

function keyLines(columns: number): string[] {
  if (TRACE_KEYS.length <= columns) return [TRACE_KEYS];
  const cut = TRACE_KEYS.indexOf(" · ↑/k");
  return [TRACE_KEYS.slice(0, cut), TRACE_KEYS.slice(cut + 3)];
}

function rowLabel(r: ResourceRow): string {
  return r.kind === "group" ? `${r.base}[…] ${r.count} instances (${r.counts})${r.expanded ? "" : " ▸"}` : r.address;
}

/**
 * One screen of `lxm trace`: the run and the event (always the first two lines), the
 * event's message and detail, progress, diff, source excerpt, causes and the resource list,
 * fitted to `size`: each line cut at the width, sections shortened and the resource list
 * windowed around the selection (`… N more`) so the whole screen fits its height. Renders
 * the Frame it is given and computes no run state.
 */
export function TraceScreen({
  view,
  frame,
  size = { columns: 100, rows: undefined },
  list = { expanded: new Set(), selected: frame.event.address ?? null, scroll: 0 },
  onScrollBounds,
}: {
  view: Pick<RunView, "commit" | "snapshot" | "status">;
  frame: Frame;
  size?: ScreenSize;
  list?: ListState;
  /** Told, on each render, how far list.scroll can go before the window stops moving. */
  onScrollBounds?: (bounds: { min: number; max: number }) => void;
}): React.ReactElement {
  const e = frame.event;
  const p = frame.progress;
  const domains = Object.keys(frame.domains);
  const rows = resourceRows(frame, list.expanded, list.selected);
  const width = Math.max(0, ...rows.map((r) => r.status.length));
  const keys = keyLines(size.columns);

  const message = e.message ? wrapWords(`message: ${e.message}`, size.columns) : [];
  const sourceLines = frame.source?.lines ?? [];
  const want = {
    message: message.length,
    detail: frame.detail.length,
    diff: Math.max(1, frame.diff.length),
    source: frame.source === null || sourceLines.length === 0 ? 1 : sourceLines.length,
    resources: rows.length,
  };
  // header (2), progress, diff title, source title, causes, resources title, the keys
  const b = budget(size.rows, 7 + keys.length, want);

  const diffShown = b.diff < frame.diff.length ? frame.diff.slice(0, Math.max(0, b.diff - 1)) : frame.diff;
  const diffMore = frame.diff.length - diffShown.length;
  const firstMarked = Math.max(0, sourceLines.findIndex((l) => l.marked));
  const sourceStart = b.source < sourceLines.length ? Math.min(Math.max(0, firstMarked - (b.source >= 3 ? 1 : 0)), sourceLines.length - b.source) : 0;
  const sourceShown = sourceLines.slice(sourceStart, sourceStart + b.source);

  const focus = rowOf(rows, list.selected);
  const bounds = scrollBounds(rows.length, focus, b.resources);
  onScrollBounds?.(bounds);
  const win = windowOf(rows.length, focus, b.resources, Math.max(bounds.min, Math.min(bounds.max, list.scroll)));

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        lxm trace · snapshot {shortId(view.snapshot)} · {view.status} · commit {shortId(view.commit)}
      </Text>
      <Text wrap="truncate-end">
        event {frame.index + 1}/{frame.total} · step {e.step}/{p.steps} · domain {e.domain} · <Text bold>{e.phase}</Text> {frame.title}
      </Text>
      {capLines(message, b.message).map((l, k) => (
        <Text key={`m${k}`} wrap="truncate-end" color={isFailure(e) ? "red" : undefined}>
          {l}
        </Text>
      ))}
      {capLines(frame.detail, b.detail).map((l, k) => (
        <Text key={`d${k}`} wrap="truncate-end" color={isFailure(e) ? "red" : undefined}>
          {l}
        </Text>
      ))}
      <Text wrap="truncate-end">
        progress: {p.done}/{p.planned} actions done
        {domains.map((d) => (
          <Text key={d}>
            {" · "}
            {domainLabel(d, frame.templates)} <Text color={statusColour[frame.domains[d]!]}>{frame.domains[d]}</Text>
          </Text>
        ))}
      </Text>
      <Text bold>diff</Text>
      {frame.diff.length === 0 && b.diff > 0 ? <Text color="gray">  (no changes)</Text> : null}
      {diffShown.map((d) => (
        <Text key={d.attr} wrap="truncate-end">
          {d.before === undefined ? <Text color="green">  + </Text> : d.after === undefined ? <Text color="red">  - </Text> : <Text color="yellow">  ~ </Text>}
          {d.attr} {d.before === undefined ? oneLine(d.after) : d.after === undefined ? oneLine(d.before) : `${oneLine(d.before)} → ${oneLine(d.after)}`}
        </Text>
      ))}
      {diffMore > 0 && b.diff > 0 ? <Text color="gray">  … {diffMore} more attributes</Text> : null}
      <Text bold wrap="truncate-end">
        source{frame.source ? ` ${frame.source.file}:${frame.source.line}` : ""}
      </Text>
      {frame.source === null && b.source > 0 ? <Text color="gray">  (no source span)</Text> : null}
      {frame.source !== null && sourceLines.length === 0 && b.source > 0 ? <Text color="gray">  (source not available)</Text> : null}
      {sourceShown.map((l) => (
        <Text key={l.n} wrap="truncate-end" color={l.marked ? "cyan" : undefined}>
          {l.marked ? "> " : "  "}
          {String(l.n).padStart(4)} │ {l.text}
        </Text>
      ))}
      <Text wrap="truncate-end">
        <Text bold>causes</Text> {frame.causes.length === 0 ? "(none)" : frame.causes.join(", ")}
      </Text>
      <Text bold>resources</Text>
      {win.above > 0 ? <Text color="gray">  … {win.above} more</Text> : null}
      {rows.slice(win.start, win.end).map((r) => {
        const current = r.kind === "resource" ? r.address === e.address : e.address !== undefined && instanceBase(e.address) === r.base;
        return (
          <Text key={r.kind === "group" ? `g:${r.base}` : r.address} wrap="truncate-end">
            {"  "}
            <Text color={statusColour[r.status]}>{r.status.padEnd(width)}</Text> {r.kind === "resource" && r.instance ? "  " : ""}
            {current ? <Text bold>{rowLabel(r)}</Text> : rowLabel(r)}
          </Text>
        );
      })}
      {win.below > 0 ? <Text color="gray">  … {win.below} more</Text> : null}
      {keys.map((k) => (
        <Text key={k} color="gray" wrap="truncate-end">
          {k}
        </Text>
      ))}
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

/** The size of the terminal ink renders to, following resizes. */
function useScreenSize(): ScreenSize {
  const { stdout } = useStdout();
  const read = (): ScreenSize => ({ columns: stdout.columns || 80, rows: stdout.rows || undefined });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return size;
}

interface AppState {
  readonly index: number;
  readonly expanded: ReadonlySet<string>;
  /** Rows scrolled from the selection, while the event stays `at`. */
  readonly scroll: { readonly at: number; readonly by: number };
}

/** The resource the list follows at event `index`: the address of the last event up to it that names one. */
function selectedAt(view: RunView, index: number): string | null {
  for (let k = Math.min(index, view.events.length - 1); k >= 0; k--) {
    const a = view.events[k]!.address;
    if (a !== undefined) return a;
  }
  return null;
}

/** The next state after a key (pure; every update is computed from the previous state so fast keys all count). */
function onKey(view: RunView, s: AppState, input: string, key: Parameters<Parameters<typeof useInput>[0]>[1], page: number, bounds: { min: number; max: number }): AppState {
  const cmd = commandOf(input, key);
  if (cmd) return { ...s, index: navigate(view, s.index, cmd) };
  const by = s.scroll.at === s.index ? s.scroll.by : 0;
  const scrolled = (n: number): AppState => ({ ...s, scroll: { at: s.index, by: Math.max(bounds.min, Math.min(bounds.max, by + n)) } });
  if (key.upArrow || input === "k") return scrolled(-1);
  if (key.downArrow || input === "j") return scrolled(1);
  if (key.pageUp) return scrolled(-page);
  if (key.pageDown) return scrolled(page);
  if (input === "x") {
    const selected = selectedAt(view, s.index);
    const base = selected === null ? null : instanceBase(selected);
    if (base === null) return s;
    const expanded = new Set(s.expanded);
    if (expanded.has(base)) expanded.delete(base);
    else expanded.add(base);
    return { ...s, expanded, scroll: { at: -1, by: 0 } };
  }
  if (input === "+") {
    const all = new Set<string>();
    for (const e of view.events) {
      const base = e.address === undefined ? null : instanceBase(e.address);
      if (base !== null) all.add(base);
    }
    for (const st of view.plan.steps) for (const d of st.domains) for (const a of d.actions) {
      const base = instanceBase(a.address);
      if (base !== null) all.add(base);
    }
    return { ...s, expanded: all, scroll: { at: -1, by: 0 } };
  }
  if (input === "-") return { ...s, expanded: new Set(), scroll: { at: -1, by: 0 } };
  return s;
}

/**
 * The interactive view: keys move through the run's events (the model decides where),
 * `x` folds or unfolds the selected resource's instances, `+`/`-` all of them, ↑/↓ (k/j)
 * and PgUp/PgDn scroll the resource list, `q` quits. Fits the terminal (or `size`, for
 * tests). Requires at least one event.
 */
export function TraceApp({ view, initial = 0, size }: { view: RunView; initial?: number; size?: ScreenSize }): React.ReactElement {
  const { exit } = useApp();
  const screen = useScreenSize();
  const fit = size ?? screen;
  const page = Math.max(1, (fit.rows ?? 24) - 16);
  const [state, setState] = useState<AppState>({ index: initial, expanded: new Set(), scroll: { at: -1, by: 0 } });
  // How far the list can scroll from the selection, as last drawn (read by the key handler).
  const bounds = useRef({ min: 0, max: 0 });
  useInput((input, key) => {
    if (input === "q" || key.escape) {
      exit();
      return;
    }
    setState((s) => onKey(view, s, input, key, page, bounds.current));
  });
  const frame = frameAt(view, state.index);
  const selected = selectedAt(view, frame.index);
  const by = state.scroll.at === frame.index ? state.scroll.by : 0;
  // The screen reports how far its list can scroll; the key handler stops there.
  return <TraceScreen view={view} frame={frame} size={fit} list={{ expanded: state.expanded, selected, scroll: by }} onScrollBounds={(b) => (bounds.current = b)} />;
}

/** Runs the interactive view on the process's terminal until `q`. */
export async function runTraceApp(view: RunView): Promise<void> {
  const app = render(<TraceApp view={view} />, { stdout: process.stdout, stdin: process.stdin, patchConsole: false, exitOnCtrlC: true });
  await app.waitUntilExit();
}
