import type { Frame, NodeStatus } from "../../viewer/model.js";
import { instanceBase } from "../../viewer/model.js";

/**
 * How `lxm trace`'s terminal view fits a frame on a screen: the resource list (instances of
 * a `for` resource folded under it), the window of that list around the selection, and
 * how many lines each section gets. Presentation only: which resources exist and their
 * statuses come from the Frame. Pure and deterministic.
 */

/** A group's status column: its instances' common status, else the most urgent one, else "mixed". */
export type GroupStatus = NodeStatus | "mixed";

/** One line of the resource list. */
export type ResourceRow =
  | { readonly kind: "resource"; readonly address: string; readonly status: NodeStatus; readonly instance: boolean }
  | {
      readonly kind: "group";
      /** The `for` resource's address without a key: `web/fs.file.page`. */
      readonly base: string;
      readonly status: GroupStatus;
      readonly count: number;
      /** Instances by status, in the order statuses are listed (`2 done, 1 pending`). */
      readonly counts: string;
      readonly expanded: boolean;
    };

const ORDER: NodeStatus[] = ["failed", "drifted", "running", "pending", "done", "deleted", "unchanged", "rolled-back"];

/**
 * The resource list of a frame, in the frame's (natural) order. The instances of a `for`
 * resource become one group row at the place of its first instance, followed by its
 * instances when `expanded` has its base, or by the selected instance alone when the
 * selection (`selected`, an address) is one of them.
 */
export function resourceRows(frame: Frame, expanded: ReadonlySet<string>, selected: string | null): ResourceRow[] {
  const groups = new Map<string, string[]>();
  for (const a of Object.keys(frame.resources)) {
    const base = instanceBase(a);
    if (base === null) continue;
    const g = groups.get(base);
    if (g) g.push(a);
    else groups.set(base, [a]);
  }
  const rows: ResourceRow[] = [];
  const placed = new Set<string>();
  for (const a of Object.keys(frame.resources)) {
    const base = instanceBase(a);
    if (base === null) {
      rows.push({ kind: "resource", address: a, status: frame.resources[a]!, instance: false });
      continue;
    }
    if (placed.has(base)) continue;
    placed.add(base);
    const members = groups.get(base)!;
    const tally = new Map<NodeStatus, number>();
    for (const m of members) tally.set(frame.resources[m]!, (tally.get(frame.resources[m]!) ?? 0) + 1);
    const present = ORDER.filter((s) => tally.has(s));
    const status: GroupStatus = present.length === 1 ? present[0]! : tally.has("failed") ? "failed" : tally.has("running") ? "running" : "mixed";
    const open = expanded.has(base);
    rows.push({ kind: "group", base, status, count: members.length, counts: present.map((s) => `${tally.get(s)} ${s}`).join(", "), expanded: open });
    for (const m of members) {
      if (open || m === selected) rows.push({ kind: "resource", address: m, status: frame.resources[m]!, instance: true });
    }
  }
  return rows;
}

/** The row that stands for `address`: its own row, else its folded group's; -1 when none. */
export function rowOf(rows: ResourceRow[], address: string | null): number {
  if (address === null) return -1;
  const own = rows.findIndex((r) => r.kind === "resource" && r.address === address);
  if (own >= 0) return own;
  const base = instanceBase(address);
  return base === null ? -1 : rows.findIndex((r) => r.kind === "group" && r.base === base);
}

/** A window of the resource list: rows [start, end) and the counts of the `… N more` lines above and below. */
export interface ListWindow {
  readonly start: number;
  readonly end: number;
  readonly above: number;
  readonly below: number;
}

/**
 * Which rows of `total` to show in `height` lines starting at row `start` (clamped so the
 * window never runs past the end), a `… N more` line above (`above` > 0) and below
 * (`below` > 0) counting against the height. Every row fits when total ≤ height.
 */
export function windowFrom(total: number, start: number, height: number): ListWindow {
  if (total <= height) return { start: 0, end: total, above: 0, below: 0 };
  if (height <= 1) return { start: 0, end: 0, above: 0, below: total };
  let s = Math.max(0, Math.min(total - 1, start));
  if (s === 0) return { start: 0, end: height - 1, above: 0, below: total - (height - 1) };
  let inner = Math.max(1, height - 2);
  if (s + inner >= total) {
    inner = height - 1;
    s = total - inner;
    return { start: s, end: total, above: s, below: 0 };
  }
  return { start: s, end: s + inner, above: s, below: total - s - inner };
}

/**
 * The window of `height` lines around row `focus` (-1: from the top), the focused row
 * near the middle, then scrolled by `by` rows (negative: up).
 */
export function windowOf(total: number, focus: number, height: number, by = 0): ListWindow {
  return windowFrom(total, centredStart(total, focus, height) + by, height);
}

/** How far `by` can usefully go for windowOf(total, focus, height, by): past these the window no longer moves. */
export function scrollBounds(total: number, focus: number, height: number): { min: number; max: number } {
  if (total <= height || height <= 1) return { min: 0, max: 0 };
  const start = centredStart(total, focus, height);
  return { min: -start, max: total - (height - 1) - start };
}

function centredStart(total: number, focus: number, height: number): number {
  const inner = Math.max(1, height - 2);
  return Math.max(0, Math.min(total - inner, Math.max(0, focus) - Math.floor((inner - 1) / 2)));
}

/** Greedy word wrap at `width` columns (a word longer than a line is cut); no line has trailing spaces. */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    let rest = word;
    while (rest.length > w) {
      if (line !== "") {
        out.push(line);
        line = "";
      }
      out.push(rest.slice(0, w));
      rest = rest.slice(w);
    }
    if (line === "") line = rest;
    else if (line.length + 1 + rest.length <= w) line += " " + rest;
    else {
      out.push(line);
      line = rest;
    }
  }
  out.push(line);
  return out;
}

/** At most `max` lines; when some are dropped the last kept one ends with `…`. */
export function capLines(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  if (max <= 0) return [];
  const kept = lines.slice(0, max);
  kept[max - 1] = kept[max - 1]!.replace(/.$/, "") + "…";
  return kept;
}

/** How many lines each flexible section of the screen gets. */
export interface Budget {
  message: number;
  detail: number;
  diff: number;
  source: number;
  resources: number;
}

/**
 * Shares `rows - 1` lines (the last terminal line stays free for the cursor, so the
 * header never scrolls away) between the sections, given how many lines each wants and
 * the `fixed` lines (titles, header, progress, causes, keys). Priority: a few resource
 * rows, then the message, the detail, the diff, the source; what is left goes to the
 * resource list. `rows` undefined (not a terminal): everything is shown.
 */
export function budget(rows: number | undefined, fixed: number, want: Budget): Budget {
  if (rows === undefined) return { ...want };
  let left = Math.max(0, rows - 1 - fixed);
  const take = (n: number): number => {
    const t = Math.max(0, Math.min(n, left));
    left -= t;
    return t;
  };
  const share = Math.max(3, Math.floor((rows - fixed) / 5));
  const resourcesMin = take(Math.min(want.resources, 4));
  const message = take(Math.min(want.message, 2));
  const detail = take(Math.min(want.detail, Math.max(4, share)));
  const diff = take(Math.min(want.diff, share));
  const source = take(Math.min(want.source, share + 2));
  const resources = resourcesMin + take(want.resources - resourcesMin);
  return { message, detail, diff, source, resources };
}
