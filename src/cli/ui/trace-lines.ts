import { canonicalize } from "../../program/canonical.js";
import type { Json } from "../../program/types.js";
import type { TraceEvent } from "../../runtime/types.js";

/**
 * Words for trace events, shared by `lxm trace`'s plain output and its terminal view, so
 * both name an event the same way. Pure.
 */

/** What the event is about, after its phase: `update web/fs.file.page["index"]`, `quiescent`, `goal written, assertion 1 ok` (assertions numbered from 1, as in every message). Its message is not included. */
export function eventWhat(e: TraceEvent): string {
  switch (e.phase) {
    case "domain":
      return e.status ?? "?";
    case "assert":
      return `goal ${e.goal ?? "?"}, assertion ${(e.index ?? 0) + 1} ${e.ok ? "ok" : "FAILED"}`;
    case "observe": {
      const o = e.observation;
      const call = o ? ` (${o.call} #${o.attempt} ${o.error ? `error ${o.error.code}` : "ok"})` : "";
      return `${e.action ?? "?"} ${e.address ?? ""}${call}`;
    }
    default:
      return `${e.action ?? "?"} ${e.address ?? ""}`;
  }
}

/** One plain line per event, numbered from 1: `#12 step 2 web  done  update web/fs.file.page["index"]`, then ` — message` when it has one. */
export function eventLine(index: number, e: TraceEvent): string {
  return `#${index + 1} step ${e.step} ${e.domain}  ${e.phase}  ${eventWhat(e)}${e.message ? ` — ${e.message}` : ""}`;
}

/** A JSON value on one line (canonical, so the same value always reads the same). */
export function oneLine(v: Json | undefined): string {
  return v === undefined ? "(absent)" : canonicalize(v);
}

/** The first 12 hex digits of a hash or commit id. */
export function shortId(h: string): string {
  return h.replace(/^sha256:/, "").slice(0, 12);
}
