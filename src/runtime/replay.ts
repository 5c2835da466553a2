import type { RunResult, TraceEvent } from "./types.js";
import type { RunInput } from "./context.js";
import { InternalError } from "../diag/diagnostic.js";
import { replayDiverged } from "../diag/catalog/runtime.js";
import { canonicalize } from "../program/canonical.js";
import { runPlan } from "./scheduler.js";
import { compareEvents } from "./trace.js";

/** The first event where a replay differs from the recorded trace. */
export interface Divergence {
  readonly step: number;
  readonly domain: string;
  readonly address: string | null;
  /** The recorded event (null when the replay produced more events than were recorded). */
  readonly expected: TraceEvent | null;
  /** The replayed event (null when the replay stopped before the recorded trace did). */
  readonly actual: TraceEvent | null;
  /** In words (catalog LXM4009), naming the fields that differ. */
  readonly what: string;
}

/**
 * Re-runs a plan with the recorded trace's observations instead of providers (no provider
 * is called, no timer sleeps) and compares the replayed trace with the recorded one event
 * by event, in canonical order. Deterministic.
 */
export async function replayRun(input: Omit<RunInput, "providers" | "replay">, trace: readonly TraceEvent[]): Promise<{ result: RunResult; divergence: Divergence | null }> {
  const result = await runPlan({
    ...input,
    providers: () => {
      throw new InternalError("replay called a provider");
    },
    replay: trace,
  });
  return { result, divergence: firstDivergence(trace, result.trace) };
}

/** The first differing event of two traces (both taken in canonical order), or null when identical. */
export function firstDivergence(recorded: readonly TraceEvent[], replayed: readonly TraceEvent[]): Divergence | null {
  const a = [...recorded].sort(compareEvents);
  const b = [...replayed].sort(compareEvents);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const e = a[i] ?? null;
    const r = b[i] ?? null;
    if (e && r && canonicalize(e) === canonicalize(r)) continue;
    const at = (e ?? r)!;
    const address = e?.address ?? r?.address ?? null;
    let fields: string;
    if (!e) fields = "the replay has an event the recorded trace does not";
    else if (!r) fields = "the recorded trace has an event the replay did not produce";
    else {
      const keys = [...new Set([...Object.keys(e), ...Object.keys(r)])].sort();
      const diff = keys.filter((k) => canonicalize((e as unknown as Record<string, unknown>)[k] ?? null) !== canonicalize((r as unknown as Record<string, unknown>)[k] ?? null));
      fields = diff.map((k) => `${k} (recorded ${show((e as unknown as Record<string, unknown>)[k])}, replayed ${show((r as unknown as Record<string, unknown>)[k])})`).join("; ");
    }
    const what = replayDiverged(undefined, at.step, at.domain, at.seq, address, fields).message;
    return { step: at.step, domain: at.domain, address, expected: e, actual: r, what };
  }
  return null;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = canonicalize(v);
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}
