import { InternalError } from "../../diag/diagnostic.js";

/**
 * The viewer page's HTML shell and stylesheet. The server inlines the compiled page script
 * (page/app.ts) into it; the result is one self-contained document with no external
 * resource of any kind. Node colours are the legend's: one CSS variable per status.
 */

/** Status colours, shared by the DAG nodes and the legend (pending, running, done, deleted, failed, rolled back, unchanged, drifted). */
export const STATUS_COLOURS = {
  pending: "#d0d7de",
  running: "#f2b705",
  done: "#2da44e",
  deleted: "#57606a",
  failed: "#cf222e",
  "rolled-back": "#8250df",
  unchanged: "#eaeef2",
  drifted: "#bc4c00",
} as const;

const STYLE = `
:root { font: 13px/1.4 system-ui, sans-serif; color: #1f2328; background: #fff; }
${Object.entries(STATUS_COLOURS)
  .map(([s, c]) => `.st-${s} { --st: ${c}; }`)
  .join("\n")}
* { box-sizing: border-box; }
body { margin: 0; display: grid; grid-template-columns: 250px 1fr; grid-template-rows: auto 1fr; height: 100vh; }
header { grid-column: 1 / 3; display: flex; gap: 16px; align-items: center; padding: 8px 14px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
header h1 { font-size: 15px; margin: 0; }
header .run { font-family: ui-monospace, monospace; color: #59636e; }
aside { border-right: 1px solid #d0d7de; overflow: auto; padding: 8px; }
aside h2, main h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #59636e; margin: 6px 0; }
#history { list-style: none; margin: 0; padding: 0; }
#history button { width: 100%; text-align: left; border: 1px solid transparent; background: none; padding: 5px 6px; border-radius: 6px; cursor: pointer; font: inherit; }
#history button:hover { background: #f6f8fa; }
#history button.selected { border-color: #0969da; background: #ddf4ff; }
#history .hash { font-family: ui-monospace, monospace; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 11px; background: var(--st, #d0d7de); color: #1f2328; border: 1px solid #0002; }
.badge.st-done, .badge.st-deleted, .badge.st-failed, .badge.st-rolled-back, .badge.st-drifted { color: #fff; }
main { overflow: auto; padding: 10px 14px; display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); grid-template-rows: auto auto minmax(0, 1fr); gap: 10px 14px; }
#controls { grid-column: 1 / 3; display: flex; gap: 8px; align-items: center; }
#controls input[type=range] { flex: 1; }
#controls button { font: inherit; padding: 2px 10px; }
#event { grid-column: 1 / 3; font-family: ui-monospace, monospace; padding: 6px 8px; border-radius: 6px; background: #f6f8fa; border-left: 4px solid var(--st, #d0d7de); white-space: pre-wrap; }
#event.bad { background: #ffebe9; }
#event .detail { color: #1f2328; }
section { min-width: 0; }
#graph-wrap { overflow: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 6px; }
#legend { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 6px; }
svg text { font: 11px ui-monospace, monospace; }
.node rect { fill: var(--st); stroke: #1f232855; stroke-width: 1; }
.node text { fill: #1f2328; }
.node.st-done text, .node.st-deleted text, .node.st-failed text, .node.st-rolled-back text, .node.st-drifted text { fill: #fff; }
.node { cursor: pointer; }
.node.group rect.bg { fill: #fff; stroke: #1f232855; }
.node.group text { fill: #1f2328; }
.node.group rect.seg, .node.group.current rect.seg { fill: var(--st); stroke: none; }
.node.group.current rect.bg { stroke: #0969da; stroke-width: 3; }
#graph-tools { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; }
#search { flex: 1; font: 12px ui-monospace, monospace; padding: 3px 6px; }
.node.current rect { stroke: #0969da; stroke-width: 3; }
.node.cause rect { stroke: #bf8700; stroke-width: 3; stroke-dasharray: 5 2; }
.domain > rect { fill: #f6f8fa; stroke: #afb8c1; }
.domain.cause > rect { stroke: #bf8700; stroke-width: 3; stroke-dasharray: 5 2; }
.domain .title { font-weight: bold; fill: #1f2328; }
.domain .dstatus { fill: #59636e; }
.edge { fill: none; stroke: #8c959f; stroke-width: 1.3; }
.edge.import { stroke-dasharray: 4 3; }
.edge.cause { stroke: #bf8700; stroke-width: 2.5; }
.arrow { fill: #8c959f; }
table { border-collapse: collapse; width: 100%; font-family: ui-monospace, monospace; font-size: 12px; }
td.attr { width: 9em; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left; vertical-align: top; word-break: normal; overflow-wrap: break-word; }
/* Only a token too long for any line (a hash, a path) may break inside; words never do. */
td .long { overflow-wrap: anywhere; }
td.before { background: #ffebe9; } td.after { background: #dafbe1; }
.muted { color: #59636e; }
#source { margin: 0; max-height: 360px; overflow: auto; border: 1px solid #d0d7de; border-radius: 6px; font: 12px/1.45 ui-monospace, monospace; }
#source div { white-space: pre; padding: 0 8px 0 0; }
#source .n { display: inline-block; width: 3.5em; text-align: right; padding-right: 8px; color: #8c959f; user-select: none; }
#source .marked { background: #fff8c5; }
#source .marked .n { color: #1f2328; font-weight: bold; }
#causes { font-family: ui-monospace, monospace; }
`;

/**
 * The document around `script` (the page's compiled JavaScript, run as a module) and the
 * exact stylesheet text (its hash goes into the Content-Security-Policy). Pure.
 */
export function pageHtml(script: string): { html: string; style: string } {
  // A literal "</script" inside the script would end the element early; the page's own
  // source never writes one, so finding it is a bug, not input.
  if (/<\/script/i.test(script)) throw new InternalError("the page script contains '</script'");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lexum trace viewer</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Lexum trace viewer</h1><span class="run" id="run"></span><span id="progress" class="muted"></span></header>
<aside><h2>History</h2><ul id="history"></ul></aside>
<main>
  <div id="controls">
    <button id="first" title="First event (Home)">|◀</button>
    <button id="prev" title="Previous event (←)">◀</button>
    <input id="slider" type="range" min="0" max="0" value="0" aria-label="trace event">
    <button id="next" title="Next event (→)">▶</button>
    <button id="last" title="Last event (End)">▶|</button>
    <button id="failure" title="First failure (f)">first failure</button>
    <span id="position" class="muted"></span>
  </div>
  <div id="event"></div>
  <section><h2>Graph</h2><div id="legend"></div>
    <div id="graph-tools"><input id="search" type="search" placeholder="filter resources by address" aria-label="filter resources by address" autocomplete="off" spellcheck="false"><span id="matches" class="muted"></span></div>
    <div id="graph-wrap"><svg id="graph" xmlns="http://www.w3.org/2000/svg"></svg></div>
    <h2>Causal chain</h2><div id="causes" class="muted"></div></section>
  <section><h2>Diff</h2><div id="diff"></div><h2 id="source-title">Source</h2><div id="source"></div></section>
</main>
<script type="module">${script}</script>
</body>
</html>
`;
  return { html, style: STYLE };
}
