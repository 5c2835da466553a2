import type { Json } from "../../program/types.js";

/** The call kinds a fault can target. */
export type SimOp = "read" | "create" | "update" | "delete";

/** One injected failure, as configured (`times` and `call` defaulted to 1). */
export interface Fault {
  readonly op: SimOp | null;
  readonly address: string | null;
  readonly call: number;
  readonly kind: "error" | "timeout" | "crash";
  readonly times: number;
}

/** The fault that fires on a call, with the matching-call number it fired on. */
export interface Firing {
  readonly fault: Fault;
  readonly n: number;
}

const OPS = new Set(["read", "create", "update", "delete"]);
const KINDS = new Set(["error", "timeout", "crash"]);
const KEYS = new Set(["op", "address", "call", "kind", "times"]);

function positiveInt(v: Json | undefined): boolean {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
}

/**
 * Parses the `faults` setting. Returns the faults, or the first problem as
 * `{ attr, problem }` for the configuration error (attr like `faults[2].kind`).
 */
export function parseFaults(value: Json | undefined): Fault[] | { attr: string; problem: string } {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return { attr: "faults", problem: "must be a list of fault objects" };
  const out: Fault[] = [];
  for (let i = 0; i < value.length; i++) {
    const f = value[i];
    const at = `faults[${i}]`;
    if (typeof f !== "object" || f === null || Array.isArray(f)) return { attr: at, problem: "must be an object" };
    for (const k of Object.keys(f).sort()) {
      if (!KEYS.has(k)) return { attr: `${at}.${k}`, problem: "is not a fault setting (op, address, call, kind, times)" };
    }
    if (typeof f.kind !== "string" || !KINDS.has(f.kind)) return { attr: `${at}.kind`, problem: `must be "error", "timeout" or "crash"` };
    if (f.op !== undefined && (typeof f.op !== "string" || !OPS.has(f.op))) return { attr: `${at}.op`, problem: `must be "read", "create", "update" or "delete"` };
    if (f.address !== undefined && typeof f.address !== "string") return { attr: `${at}.address`, problem: "must be a string" };
    if (f.call !== undefined && !positiveInt(f.call)) return { attr: `${at}.call`, problem: "must be an integer ≥ 1" };
    if (f.times !== undefined && !positiveInt(f.times)) return { attr: `${at}.times`, problem: "must be an integer ≥ 1" };
    out.push({
      op: (f.op as SimOp | undefined) ?? null,
      address: (f.address as string | undefined) ?? null,
      call: (f.call as number | undefined) ?? 1,
      kind: f.kind as Fault["kind"],
      times: (f.times as number | undefined) ?? 1,
    });
  }
  return out;
}

/**
 * Counts matching calls per fault and decides which fault fires. Each fault counts the
 * calls it matches (op and address, each "any" when absent) independently; it fires on
 * matching calls number `call` … `call + times - 1`. The first firing fault in list order
 * wins. Counts live as long as this object (one configured provider block).
 */
export class FaultPlan {
  private readonly counts: number[];
  constructor(private readonly faults: readonly Fault[]) {
    this.counts = faults.map(() => 0);
  }

  /** Records one call and returns the fault that fires on it, or null. */
  onCall(op: SimOp, address: string | undefined): Firing | null {
    let fired: Firing | null = null;
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      if (f.op !== null && f.op !== op) continue;
      if (f.address !== null && f.address !== address) continue;
      const n = ++this.counts[i]!;
      if (fired === null && n >= f.call && n < f.call + f.times) fired = { fault: f, n };
    }
    return fired;
  }
}
