/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The trace viewer page (runs in the browser; inlined by src/viewer/server.ts). It renders
 * what the server sends and computes no run state: every Frame comes from the model's
 * frameAt through `/api/run/<commit>/frame/<index>`. What it adds is presentation only:
 * the DAG's layout, colours by status, the diff table and the source pane. All text is
 * set with textContent (a .lxm file or an attribute value is never parsed as HTML).
 */
import type { Frame, GraphDomain, NodeStatus } from "../model.js";
import type { RunSummary, RunsResponse } from "../server.js";

const SVG = "http://www.w3.org/2000/svg";
const STATUSES: NodeStatus[] = ["pending", "running", "done", "failed", "rolled-back", "unchanged"];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

interface State {
  run: RunSummary | null;
  frame: Frame | null;
  /** Frames already fetched, by `commit/index` (a state commit never changes). */
  cache: Map<string, Frame>;
  /** Bumped by every navigation, so a slow answer never overwrites a newer one. */
  ticket: number;
}

const state: State = { run: null, frame: null, cache: new Map(), ticket: 0 };

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

async function openRun(commit: string): Promise<void> {
  const ticket = ++state.ticket;
  const run = await getJson<RunSummary>(`/api/run/${commit}`);
  if (ticket !== state.ticket) return;
  state.run = run;
  state.frame = null;
  document.body.dataset.commit = run.commit;
  for (const b of document.querySelectorAll<HTMLButtonElement>("#history button")) {
    b.classList.toggle("selected", b.dataset.commit === run.commit);
  }
  $("run").textContent = `run ${run.commit.slice(0, 12)} · snapshot ${short(run.snapshot)} · ${run.status}`;
  const slider = $<HTMLInputElement>("slider");
  slider.max = String(Math.max(0, run.total - 1));
  slider.value = "0";
  slider.disabled = run.total === 0;
  $<HTMLButtonElement>("failure").disabled = run.firstFailure === null;
  drawGraph(run.graph.domains);
  if (run.total === 0) {
    $("event").textContent = "this run recorded no events";
    return;
  }
  await go(0);
}

async function go(index: number): Promise<void> {
  const run = state.run;
  if (!run || run.total === 0) return;
  const i = Math.max(0, Math.min(run.total - 1, index));
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
  const parts = [`#${f.index}`, `step ${e.step}`, e.domain, e.phase];
  if (e.action) parts.push(e.action);
  if (e.address) parts.push(e.address);
  if (e.phase === "assert") parts.push(e.ok ? "held" : "FAILED");
  if (e.phase === "domain" && e.status) parts.push(`→ ${e.status}`);
  let text = parts.join("  ");
  if (e.message) text += `\n${e.message}`;
  if (e.observation?.error) text += `\n${e.observation.error.code}: ${e.observation.error.message}`;
  const box = $("event");
  box.textContent = text;
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
    tr.append(el("td", "attr", d.attr), el("td", "before", show(d.before)), el("td", "after", show(d.after)));
    table.append(tr);
  }
  box.append(table);
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

/** Where each domain and node was drawn, for edges and colouring. */
const drawn = { domains: new Map<string, { box: Box; g: SVGGElement }>(), nodes: new Map<string, { box: Box; g: SVGGElement }>(), edges: [] as { from: string; to: string; path: SVGPathElement }[] };

function drawGraph(domains: GraphDomain[]): void {
  const root = $("graph") as unknown as SVGSVGElement;
  root.replaceChildren();
  drawn.domains.clear();
  drawn.nodes.clear();
  drawn.edges = [];
  const defs = svg("defs", {}, root);
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 5, markerHeight: 5, orient: "auto-start-reverse" }, defs);
  svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }, marker);
  const edgeLayer = svg("g", { class: "edges" });

  // Columns by step, domains stacked in each (graphOf gives step order, by name within a step).
  const steps = [...new Set(domains.map((d) => d.step))].sort((a, b) => a - b);
  const colY = new Map<number, number>(steps.map((s) => [s, PAD]));
  let height = 0;
  for (const d of domains) {
    const col = steps.indexOf(d.step);
    const x = PAD + col * (COL_W + COL_GAP);
    const y = colY.get(d.step)!;
    const h = HEAD_H + d.resources.length * (NODE_H + NODE_GAP) + PAD / 2;
    const g = svg("g", { class: "domain", "data-domain": d.name, "data-step": d.step }, root);
    svg("rect", { x, y, width: COL_W, height: h, rx: 8 }, g);
    const title = svg("text", { x: x + 10, y: y + 16, class: "title" }, g);
    title.textContent = d.name;
    const st = svg("text", { x: x + 10, y: y + 28, class: "dstatus" }, g);
    st.textContent = `step ${d.step}`;
    drawn.domains.set(d.name, { box: { x, y, w: COL_W, h }, g });
    d.resources.forEach((r, k) => {
      const ny = y + HEAD_H + k * (NODE_H + NODE_GAP);
      const box = { x: x + 14, y: ny, w: COL_W - 28, h: NODE_H };
      const ng = svg("g", { class: "node st-pending", "data-address": r.address }, g);
      svg("rect", { x: box.x, y: box.y, width: box.w, height: box.h, rx: 5 }, ng);
      const label = svg("text", { x: box.x + 8, y: box.y + 16 }, ng);
      label.textContent = clip(r.address.slice(r.address.indexOf("/") + 1), 30);
      const tip = svg("title", {}, ng);
      tip.textContent = r.address;
      drawn.nodes.set(r.address, { box, g: ng });
    });
    colY.set(d.step, y + h + 18);
    height = Math.max(height, y + h);
  }
  root.appendChild(edgeLayer);

  for (const d of domains) {
    const to = drawn.domains.get(d.name)!.box;
    for (const from of d.after) {
      const src = drawn.domains.get(from)?.box;
      if (src) edge(edgeLayer, from, d.name, [src.x + src.w, src.y + 14], [to.x, to.y + 14], "import");
    }
    for (const r of d.resources) {
      const to = drawn.nodes.get(r.address)!.box;
      for (const dep of r.dependsOn) {
        const src = drawn.nodes.get(dep)?.box;
        if (!src) continue;
        if (src.x === to.x) {
          // Same column: an arc on the left of the nodes.
          edge(edgeLayer, dep, r.address, [src.x, src.y + src.h / 2], [to.x, to.y + to.h / 2], "dep", true);
        } else {
          edge(edgeLayer, dep, r.address, [src.x + src.w, src.y + src.h / 2], [to.x, to.y + to.h / 2], "dep");
        }
      }
    }
  }
  const width = PAD * 2 + steps.length * COL_W + Math.max(0, steps.length - 1) * COL_GAP;
  root.setAttribute("width", String(width));
  root.setAttribute("height", String(height + PAD));
  root.setAttribute("viewBox", `0 0 ${width} ${height + PAD}`);
  renderLegend();
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

function colourGraph(f: Frame): void {
  const causes = new Set(f.causes);
  const target = f.event.address ?? f.event.domain;
  for (const [address, n] of drawn.nodes) {
    const status = f.resources[address] ?? "pending";
    n.g.setAttribute("class", `node st-${status}`);
    n.g.dataset.status = status;
    n.g.classList.toggle("current", address === f.event.address);
    n.g.classList.toggle("cause", causes.has(address));
  }
  for (const [name, d] of drawn.domains) {
    const status = f.domains[name] ?? "pending";
    d.g.dataset.status = status;
    d.g.classList.toggle("cause", causes.has(name));
    const label = d.g.querySelector(".dstatus");
    if (label) label.textContent = `step ${d.g.dataset.step ?? ""} · ${status}`;
  }
  // The chain: edges from a cause into the event's resource or domain.
  for (const e of drawn.edges) e.path.classList.toggle("cause", causes.has(e.from) && (e.to === target || e.to === f.event.domain));
}

// ---- controls --------------------------------------------------------------------------

function step(delta: number): void {
  const i = state.frame ? state.frame.index + delta : 0;
  void go(i);
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
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
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
    };
    const act = keys[e.key];
    if (!act) return;
    // The slider would also move itself on arrows: one step per key press.
    e.preventDefault();
    act();
  });
}

async function main(): Promise<void> {
  bind();
  renderLegend();
  const selected = await loadHistory();
  await openRun(selected);
}

main().catch((e: unknown) => {
  $("event").textContent = `error: ${(e as Error).message}`;
  document.body.dataset.error = "1";
});
