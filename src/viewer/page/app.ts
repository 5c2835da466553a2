/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The trace viewer page (runs in the browser; inlined by src/viewer/server.ts). It renders
 * what the server sends and computes no run state: every Frame comes from the model's
 * frameAt through `/api/run/<commit>/frame/<index>`. What it adds is presentation only:
 * the DAG's layout (the instances of a `for` resource folded into one node, unfolded on
 * click), the address filter, colours by status, the diff table, the source pane and the
 * deep link in the address bar (`#run=<commit>&event=<n>`, n counted from 1 like the
 * counter). All text is set with textContent (a .lxm file or an attribute value is never
 * parsed as HTML).
 */
import type { Frame, GraphDomain, NodeStatus } from "../model.js";
import type { RunSummary, RunsResponse } from "../server.js";

const SVG = "http://www.w3.org/2000/svg";
const STATUSES: NodeStatus[] = ["pending", "running", "done", "deleted", "failed", "rolled-back", "unchanged", "drifted"];
/** A filtered group lists its matching instances by itself up to this many. */
const AUTO_OPEN = 20;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

interface State {
  run: RunSummary | null;
  frame: Frame | null;
  /** The event the user asked for last (the frame on screen may still be on its way): keys count from it, so no press is lost. */
  target: number;
  /** Bases (`web/fs.file.page`) of the unfolded `for` resources. */
  expanded: Set<string>;
  /** The address filter, lower case ("" shows everything). */
  query: string;
  /** Frames already fetched, by `commit/index` (a state commit never changes). */
  cache: Map<string, Frame>;
  /** Bumped by every navigation, so a slow answer never overwrites a newer one. */
  ticket: number;
}

const state: State = { run: null, frame: null, target: 0, expanded: new Set(), query: "", cache: new Map(), ticket: 0 };

// Tests and curious users read what the page shows from here (the last Frame rendered).
(window as unknown as { lexumViewer: State }).lexumViewer = state;

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
  if (parent) parent.appendChild(e);
  return e;
}

function short(hash: string | null): string {
  return hash ? hash.replace(/^sha256:/, "").slice(0, 12) : "-";
}

function show(v: unknown): string {
  return v === undefined ? "(absent)" : JSON.stringify(v);
}

// ---- history -------------------------------------------------------------------------

async function loadHistory(): Promise<string> {
  const h = await getJson<RunsResponse>("/api/runs");
  const list = $("history");
  list.replaceChildren();
  for (const r of h.runs) {
    const b = el("button");
    b.dataset.commit = r.commit;
    b.append(el("span", "hash", short(r.snapshot)), " ", el("span", `badge st-${statusClass(r.status)}`, r.status));
    b.append(el("div", "muted", `goal ${r.goal ? r.goal.slice(0, 12) : "working tree"} · commit ${r.commit.slice(0, 12)}`));
    b.addEventListener("click", () => void openRun(r.commit));
    const li = el("li");
    li.append(b);
    list.append(li);
  }
  return h.selected;
}

// Run statuses reuse the node colours: quiescent reads as done.
function statusClass(s: string): string {
  return s === "quiescent" ? "done" : s;
}

// ---- run and frames -------------------------------------------------------------------

async function openRun(commit: string, index = 0): Promise<void> {
  const ticket = ++state.ticket;
  const run = await getJson<RunSummary>(`/api/run/${commit}`);
  if (ticket !== state.ticket) return;
  state.run = run;
  state.frame = null;
  state.target = index;
  state.expanded = new Set();
  document.body.dataset.commit = run.commit;
  for (const b of document.querySelectorAll<HTMLButtonElement>("#history button")) {
    b.classList.toggle("selected", b.dataset.commit === run.commit);
  }
  $("run").textContent = `run ${run.commit.slice(0, 12)} · snapshot ${short(run.snapshot)} · ${run.status}${run.note ? ` · ${run.note}` : ""}`;
  const slider = $<HTMLInputElement>("slider");
  slider.max = String(Math.max(0, run.total - 1));
  slider.value = "0";
  slider.disabled = run.total === 0;
  $<HTMLButtonElement>("failure").disabled = run.firstFailure === null;
  drawGraph(run.graph.domains);
  if (run.total === 0) {
    $("event").textContent = run.note ?? "this run recorded no events";
    return;
  }
  await go(index);
}

async function go(index: number): Promise<void> {
  const run = state.run;
  if (!run || run.total === 0) return;
  const i = Math.max(0, Math.min(run.total - 1, index));
  state.target = i;
  const ticket = ++state.ticket;
  const key = `${run.commit}/${i}`;
  let frame = state.cache.get(key);
  if (!frame) {
    frame = await getJson<Frame>(`/api/run/${run.commit}/frame/${i}`);
    state.cache.set(key, frame);
  }
  if (ticket !== state.ticket) return;
  state.frame = frame;
  render(run, frame);
}

function render(run: RunSummary, f: Frame): void {
  $<HTMLInputElement>("slider").value = String(f.index);
  $("position").textContent = `event ${f.index + 1} / ${f.total}`;
  writeHash(run.commit, f.index);
  $("progress").textContent = `step ${f.progress.step} of ${f.progress.steps} · ${f.progress.done} of ${f.progress.planned} actions done`;
  renderEvent(f);
  colourGraph(f);
  renderDiff(f);
  renderSource(run, f);
  const causes = $("causes");
  causes.textContent = f.causes.length === 0 ? "nothing: this event waited on no other resource or domain" : f.causes.join("  ·  ");
  // Set last: tests wait for it as the sign that the whole frame is on screen.
  document.body.dataset.index = String(f.index);
}

function renderEvent(f: Frame): void {
  const e = f.event;
  // Numbered from 1, as the counter counts.
  const parts = [`#${f.index + 1}`, `step ${e.step}`, e.domain, e.phase];
  if (e.phase === "assert") parts.push(f.title);
  else {
    if (e.action) parts.push(e.action);
    if (e.address) parts.push(e.address);
  }
  if (e.phase === "domain" && e.status) parts.push(`→ ${e.status}`);
  const box = $("event");
  box.replaceChildren(parts.join("  "));
  if (e.message) box.append("\n", el("span", "message", e.message));
  // The same detail lines as the terminal view: an observation's call, attempt and result
  // or error; an assertion's location, expression and operands (indented).
  for (const line of f.detail) box.append("\n", el("span", "detail", line));
  const bad = e.phase === "failed" || (e.phase === "assert" && e.ok === false) || (e.phase === "domain" && e.status === "failed");
  box.className = e.address ? `st-${f.resources[e.address] ?? "pending"}` : "";
  box.classList.toggle("bad", bad);
}

function renderDiff(f: Frame): void {
  const box = $("diff");
  box.replaceChildren();
  if (!f.event.address) {
    box.append(el("div", "muted", "not a resource event"));
    return;
  }
  if (f.diff.length === 0) {
    box.append(el("div", "muted", `${f.event.address}: no attribute changes`));
    return;
  }
  const table = el("table");
  table.id = "diff-table";
  const head = el("tr");
  head.append(el("th", "", "attribute"), el("th", "", "before"), el("th", "", "after"));
  table.append(head);
  for (const d of f.diff) {
    const tr = el("tr");
    tr.dataset.attr = d.attr;
    tr.append(el("td", "attr", d.attr), valueCell("before", show(d.before)), valueCell("after", show(d.after)));
    table.append(tr);
  }
  box.append(table);
}

// Words wrap between words; only a token longer than LONG characters (a hash, a path, a
// compact JSON object) is marked as breakable anywhere.
const LONG = 24;

function valueCell(cls: string, text: string): HTMLTableCellElement {
  const td = el("td", cls);
  for (const part of text.split(/(\s+)/)) {
    if (part.length > LONG && !/\s/.test(part)) td.append(el("span", "long", part));
    else if (part !== "") td.append(part);
  }
  return td;
}

function renderSource(run: RunSummary, f: Frame): void {
  const box = $("source");
  box.replaceChildren();
  const title = $("source-title");
  if (!f.source) {
    title.textContent = "Source";
    box.append(el("div", "muted", "this event has no source span"));
    return;
  }
  title.textContent = `Source · ${f.source.file}:${f.source.line}`;
  const marked = new Set(f.source.lines.filter((l) => l.marked).map((l) => l.n));
  const text = run.sources[f.source.file];
  // The whole file when the run has it (the frame's excerpt otherwise), span lines marked.
  const lines = text === undefined ? f.source.lines.map((l) => ({ n: l.n, text: l.text })) : fileLines(text);
  if (lines.length === 0) {
    box.append(el("div", "muted", `${f.source.file} is not available (the goal commit is not in this repository)`));
    return;
  }
  let firstMarked: HTMLElement | null = null;
  for (const l of lines) {
    const row = el("div", marked.has(l.n) ? "marked" : "");
    row.append(el("span", "n", String(l.n)), l.text);
    if (marked.has(l.n) && !firstMarked) firstMarked = row;
    box.append(row);
  }
  // Scroll the pane (not the page) so the span is in view with a little context above.
  if (firstMarked) box.scrollTop = Math.max(0, firstMarked.offsetTop - box.offsetTop - 40);
}

function fileLines(text: string): { n: number; text: string }[] {
  const all = text.split("\n");
  if (all.length > 0 && all[all.length - 1] === "") all.pop();
  return all.map((t, k) => ({ n: k + 1, text: t.replace(/\r$/, "") }));
}

// ---- the DAG ---------------------------------------------------------------------------

const COL_W = 240;
const COL_GAP = 70;
const NODE_H = 24;
const NODE_GAP = 8;
const HEAD_H = 34;
const PAD = 10;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A drawn node: one resource, or the instances of a `for` resource folded into one. */
interface DrawnNode {
  box: Box;
  g: SVGGElement;
  /** The addresses it stands for (one, or a group's instances, filtered). */
  members: string[];
  group: boolean;
}

/** Where each domain and node was drawn, for edges and colouring. Nodes by id: an address, or a group's `base[…]`. */
const drawn = { domains: new Map<string, { box: Box; g: SVGGElement }>(), nodes: new Map<string, DrawnNode>(), edges: [] as { from: string; to: string; path: SVGPathElement }[] };
/** Which drawn node shows an address (its own, or its folded group's). */
const nodeOf = new Map<string, string>();

/** The `for` resource of an instance address (`web/fs.file.page` for `web/fs.file.page["a"]`), or null. */
function instanceBase(address: string): string | null {
  if (!address.endsWith("]")) return null;
  const open = address.indexOf("[");
  return open > 0 ? address.slice(0, open) : null;
}

type Item = { kind: "node"; address: string; instance: boolean } | { kind: "group"; base: string; members: string[]; total: number; open: boolean };

// A domain's rows: its resources in natural order (graphOf's), the instances of each `for`
// resource folded under one group row at the place of the first, listed when unfolded
// (or, while filtering, when few enough match).
function itemsOf(d: GraphDomain): Item[] {
  const q = state.query;
  const match = (a: string) => q === "" || a.toLowerCase().includes(q);
  const groups = new Map<string, string[]>();
  for (const r of d.resources) {
    const base = instanceBase(r.address);
    if (base !== null) groups.set(base, [...(groups.get(base) ?? []), r.address]);
  }
  const items: Item[] = [];
  const placed = new Set<string>();
  for (const r of d.resources) {
    const base = instanceBase(r.address);
    if (base === null) {
      if (match(r.address)) items.push({ kind: "node", address: r.address, instance: false });
      continue;
    }
    if (placed.has(base)) continue;
    placed.add(base);
    const all = groups.get(base)!;
    const members = all.filter(match);
    if (members.length === 0) continue;
    const open = state.expanded.has(base) || (q !== "" && members.length <= AUTO_OPEN);
    items.push({ kind: "group", base, members, total: all.length, open });
    if (open) for (const a of members) items.push({ kind: "node", address: a, instance: true });
  }
  return items;
}

function drawGraph(domains: GraphDomain[]): void {
  const root = $("graph") as unknown as SVGSVGElement;
  root.replaceChildren();
  drawn.domains.clear();
  drawn.nodes.clear();
  drawn.edges = [];
  nodeOf.clear();
  const defs = svg("defs", {}, root);
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 5, markerHeight: 5, orient: "auto-start-reverse" }, defs);
  svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }, marker);
  const edgeLayer = svg("g", { class: "edges" });

  // Columns by step, domains stacked in each (graphOf gives step order, by name within a step).
  const steps = [...new Set(domains.map((d) => d.step))].sort((a, b) => a - b);
  const colY = new Map<number, number>(steps.map((s) => [s, PAD]));
  let height = 0;
  let total = 0;
  for (const d of domains) {
    const items = itemsOf(d);
    total += d.resources.length;
    const col = steps.indexOf(d.step);
    const x = PAD + col * (COL_W + COL_GAP);
    const y = colY.get(d.step)!;
    const h = HEAD_H + items.length * (NODE_H + NODE_GAP) + PAD / 2;
    const g = svg("g", { class: "domain", "data-domain": d.name, "data-step": d.step }, root);
    svg("rect", { x, y, width: COL_W, height: h, rx: 8 }, g);
    const title = svg("text", { x: x + 10, y: y + 16, class: "title" }, g);
    title.textContent = d.template === undefined ? d.name : `${d.name} (template ${d.template})`;
    const st = svg("text", { x: x + 10, y: y + 28, class: "dstatus" }, g);
    st.textContent = `step ${d.step}`;
    drawn.domains.set(d.name, { box: { x, y, w: COL_W, h }, g });
    items.forEach((it, k) => {
      const ny = y + HEAD_H + k * (NODE_H + NODE_GAP);
      const indent = it.kind === "node" && it.instance ? 16 : 0;
      const box = { x: x + 14 + indent, y: ny, w: COL_W - 28 - indent, h: NODE_H };
      if (it.kind === "group") {
        const id = `${it.base}[…]`;
        const ng = svg("g", { class: "node group st-pending", "data-base": it.base, "data-count": it.members.length, "aria-expanded": String(it.open), role: "button" }, g);
        svg("rect", { x: box.x, y: box.y, width: box.w, height: box.h, rx: 5, class: "bg" }, ng);
        svg("g", { class: "bar" }, ng);
        const label = svg("text", { x: box.x + 8, y: box.y + 15 }, ng);
        const name = it.base.slice(it.base.indexOf("/") + 1);
        const count = it.members.length === it.total ? `×${it.total}` : `${it.members.length}/${it.total}`;
        label.textContent = `${it.open ? "▾" : "▸"} ${clip(name, 18)}[…] ${count}`;
        const tip = svg("title", {}, ng);
        tip.textContent = `${it.base}: ${it.members.length === it.total ? it.total : `${it.members.length} of ${it.total}`} instances (click to ${it.open ? "fold" : "unfold"})`;
        ng.addEventListener("click", () => toggle(it.base));
        drawn.nodes.set(id, { box, g: ng, members: it.members, group: true });
        for (const a of it.members) if (!it.open) nodeOf.set(a, id);
      } else {
        const ng = svg("g", { class: "node st-pending", "data-address": it.address, role: "button" }, g);
        svg("rect", { x: box.x, y: box.y, width: box.w, height: box.h, rx: 5 }, ng);
        const label = svg("text", { x: box.x + 8, y: box.y + 16 }, ng);
        label.textContent = clip(it.instance ? it.address.slice(it.address.indexOf("[")) : it.address.slice(it.address.indexOf("/") + 1), it.instance ? 26 : 30);
        const tip = svg("title", {}, ng);
        tip.textContent = `${it.address} (click: its last event)`;
        ng.addEventListener("click", () => selectResource(it.address));
        drawn.nodes.set(it.address, { box, g: ng, members: [it.address], group: false });
        nodeOf.set(it.address, it.address);
      }
    });
    colY.set(d.step, y + h + 18);
    height = Math.max(height, y + h);
  }
  root.appendChild(edgeLayer);

  const seen = new Set<string>();
  for (const d of domains) {
    const to = drawn.domains.get(d.name)!.box;
    for (const from of d.after) {
      const src = drawn.domains.get(from)?.box;
      if (src) edge(edgeLayer, from, d.name, [src.x + src.w, src.y + 14], [to.x, to.y + 14], "import");
    }
    for (const r of d.resources) {
      const toId = nodeOf.get(r.address);
      if (toId === undefined) continue;
      const to = drawn.nodes.get(toId)!.box;
      for (const dep of r.dependsOn) {
        const fromId = nodeOf.get(dep);
        // Folded instances share one node: one edge per pair of drawn nodes, none to itself.
        if (fromId === undefined || fromId === toId || seen.has(`${fromId}\n${toId}`)) continue;
        seen.add(`${fromId}\n${toId}`);
        const src = drawn.nodes.get(fromId)!.box;
        if (Math.abs(src.x - to.x) < COL_W) {
          // Same column: an arc on the left of the nodes.
          edge(edgeLayer, fromId, toId, [src.x, src.y + src.h / 2], [to.x, to.y + to.h / 2], "dep", true);
        } else {
          edge(edgeLayer, fromId, toId, [src.x + src.w, src.y + src.h / 2], [to.x, to.y + to.h / 2], "dep");
        }
      }
    }
  }
  const width = PAD * 2 + steps.length * COL_W + Math.max(0, steps.length - 1) * COL_GAP;
  root.setAttribute("width", String(width));
  root.setAttribute("height", String(height + PAD));
  root.setAttribute("viewBox", `0 0 ${width} ${height + PAD}`);
  $("matches").textContent = state.query === "" ? `${total} resources` : `${countMatches(domains)} of ${total} match`;
  renderLegend();
}

function countMatches(domains: GraphDomain[]): number {
  let n = 0;
  for (const d of domains) for (const r of d.resources) if (r.address.toLowerCase().includes(state.query)) n++;
  return n;
}

/** Redraws the graph (after a fold or a filter) and paints the frame on screen into it. */
function redraw(): void {
  if (!state.run) return;
  drawGraph(state.run.graph.domains);
  if (state.frame) colourGraph(state.frame);
}

function toggle(base: string): void {
  if (state.expanded.has(base)) state.expanded.delete(base);
  else state.expanded.add(base);
  redraw();
}

/** Clicking a resource selects its last event (where its story ends). */
function selectResource(address: string): void {
  const i = state.run?.lastEvents[address];
  if (i !== undefined) void go(i);
}

function edge(layer: SVGGElement, from: string, to: string, a: [number, number], b: [number, number], kind: string, arc = false): void {
  const d = arc
    ? `M${a[0]},${a[1]} C${a[0] - 26},${a[1]} ${b[0] - 26},${b[1]} ${b[0]},${b[1]}`
    : `M${a[0]},${a[1]} C${(a[0] + b[0]) / 2},${a[1]} ${(a[0] + b[0]) / 2},${b[1]} ${b[0]},${b[1]}`;
  const path = svg("path", { d, class: `edge ${kind}`, "marker-end": "url(#arrow)", "data-from": from, "data-to": to }, layer);
  drawn.edges.push({ from, to, path });
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + "…";
}

function renderLegend(): void {
  const legend = $("legend");
  legend.replaceChildren();
  for (const s of STATUSES) legend.append(el("span", `badge st-${s}`, s === "rolled-back" ? "rolled back" : s));
}

// A group's status: its instances' common one, else the most urgent, else "mixed".
function groupStatus(counts: Map<string, number>): string {
  if (counts.size === 1) return [...counts.keys()][0]!;
  if (counts.has("failed")) return "failed";
  if (counts.has("running")) return "running";
  return "mixed";
}

function colourGraph(f: Frame): void {
  const causes = new Set(f.causes);
  const target = f.event.address ?? f.event.domain;
  const current = f.event.address === undefined ? undefined : nodeOf.get(f.event.address);
  const causeNodes = new Set<string>();
  for (const c of causes) {
    const id = nodeOf.get(c);
    if (id !== undefined) causeNodes.add(id);
  }
  for (const [id, n] of drawn.nodes) {
    if (n.group) {
      const counts = new Map<string, number>();
      for (const a of n.members) {
        const s = f.resources[a] ?? "pending";
        counts.set(s, (counts.get(s) ?? 0) + 1);
      }
      const status = groupStatus(counts);
      n.g.setAttribute("class", `node group st-${status}`);
      n.g.dataset.status = status;
      n.g.dataset.counts = STATUSES.filter((s) => counts.has(s)).map((s) => `${s}:${counts.get(s)}`).join(" ");
      // The bar along the node's foot: one segment per status, as wide as its share.
      const bar = n.g.querySelector(".bar")!;
      bar.replaceChildren();
      let x = n.box.x + 3;
      const w = n.box.w - 6;
      for (const s of STATUSES) {
        const k = counts.get(s);
        if (!k) continue;
        const sw = (w * k) / n.members.length;
        svg("rect", { x, y: n.box.y + n.box.h - 7, width: sw, height: 5, class: `seg st-${s}` }, bar);
        x += sw;
      }
    } else {
      const status = f.resources[id] ?? "pending";
      n.g.setAttribute("class", `node st-${status}`);
      n.g.dataset.status = status;
    }
    n.g.classList.toggle("current", id === current);
    n.g.classList.toggle("cause", causeNodes.has(id));
  }
  for (const [name, d] of drawn.domains) {
    const status = f.domains[name] ?? "pending";
    d.g.dataset.status = status;
    d.g.classList.toggle("cause", causes.has(name));
    const label = d.g.querySelector(".dstatus");
    if (label) label.textContent = `step ${d.g.dataset.step ?? ""} · ${status}`;
  }
  // The chain: edges from a cause into the event's resource or domain.
  const targetId = f.event.address === undefined ? target : (current ?? target);
  for (const e of drawn.edges) e.path.classList.toggle("cause", (causes.has(e.from) || causeNodes.has(e.from)) && (e.to === targetId || e.to === f.event.domain));
}

// ---- deep links ----------------------------------------------------------------------------

/** `#run=<ref or commit>&event=<n>` (n from 1, as the counter counts); missing parts are null. */
function readHash(): { run: string | null; event: number | null } {
  const p = new URLSearchParams(location.hash.replace(/^#/, ""));
  const ev = p.get("event");
  return { run: p.get("run") || null, event: ev !== null && /^[0-9]+$/.test(ev) ? Math.max(1, Number(ev)) : null };
}

function writeHash(commit: string, index: number): void {
  const h = `#run=${commit}&event=${index + 1}`;
  // Replaced, not pushed: stepping through a run must not fill the back button's history.
  if (location.hash !== h) history.replaceState(null, "", h);
}

/** The state commit a deep link's `run` names: a commit id as is, anything else asks the server. */
async function resolveRun(run: string): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(run)) return run;
  return (await getJson<{ commit: string }>(`/api/resolve?ref=${encodeURIComponent(run)}`)).commit;
}

async function followHash(fallback: string | null): Promise<void> {
  const h = readHash();
  const commit = h.run === null ? (fallback ?? state.run?.commit ?? null) : await resolveRun(h.run);
  if (commit === null) return;
  const index = h.event === null ? 0 : h.event - 1;
  if (state.run?.commit === commit) await go(index);
  else await openRun(commit, index);
}

// ---- controls --------------------------------------------------------------------------

function step(delta: number): void {
  // From the event last asked for, not the frame on screen: N quick presses move N events.
  void go(state.target + delta);
}

function bind(): void {
  const slider = $<HTMLInputElement>("slider");
  slider.addEventListener("input", () => void go(Number(slider.value)));
  $("prev").addEventListener("click", () => step(-1));
  $("next").addEventListener("click", () => step(1));
  $("first").addEventListener("click", () => void go(0));
  $("last").addEventListener("click", () => void go(state.run ? state.run.total - 1 : 0));
  $("failure").addEventListener("click", () => {
    if (state.run?.firstFailure != null) void go(state.run.firstFailure);
  });
  const search = $<HTMLInputElement>("search");
  search.addEventListener("input", () => {
    state.query = search.value.trim().toLowerCase();
    redraw();
  });
  window.addEventListener("hashchange", () => void followHash(null).catch(showError));
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    // Typing in the filter is text, not navigation.
    if (e.target instanceof HTMLInputElement && e.target.type !== "range") return;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => step(-1),
      h: () => step(-1),
      ArrowRight: () => step(1),
      l: () => step(1),
      Home: () => void go(0),
      End: () => void go(state.run ? state.run.total - 1 : 0),
      f: () => {
        if (state.run?.firstFailure != null) void go(state.run.firstFailure);
      },
      "/": () => search.focus(),
    };
    const act = keys[e.key];
    if (!act) return;
    // The slider would also move itself on arrows: one step per key press.
    e.preventDefault();
    act();
  });
}

function showError(e: unknown): void {
  $("event").textContent = `error: ${(e as Error).message}`;
  document.body.dataset.error = "1";
}

async function main(): Promise<void> {
  bind();
  renderLegend();
  const selected = await loadHistory();
  await followHash(selected);
}

main().catch(showError);
