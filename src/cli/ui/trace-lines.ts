import type { Json } from "../../program/types.js";
import type { TraceEvent } from "../../runtime/types.js";
import { eventTitle, jsonLine } from "../../viewer/model.js";

/**
 * Words for trace events, shared by `lxm trace`'s plain output and its terminal view, so
 * both name an event the same way (the words themselves are the viewer model's). Pure.
 */

/** One plain line per event, numbered from 1: `#12 step 2 web  done  update web/fs.file.page["index"]`, then ` — message` when it has one. */
export function eventLine(index: number, e: TraceEvent): string {
  return `#${index + 1} step ${e.step} ${e.domain}  ${e.phase}  ${eventTitle(e)}${e.message ? ` — ${e.message}` : ""}`;
}

/** A JSON value on one line (canonical, so the same value always reads the same). */
export function oneLine(v: Json | undefined): string {
  return jsonLine(v);
}

/** The first 12 hex digits of a hash or commit id. */
export function shortId(h: string): string {
  return h.replace(/^sha256:/, "").slice(0, 12);
}
