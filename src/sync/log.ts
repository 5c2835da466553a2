/**
 * The lxm-sync agent's log: one JSON object per line per event, so `journalctl -o cat`,
 * Loki or `jq` read it without a parser of our own. Keys come in a fixed order (`time`,
 * `level`, `event`, `repo`, `goal`, then the other fields sorted by name, code unit order),
 * so two runs that did the same things write lines that differ only in their times.
 * Whether a value is a secret is the caller's business: the logger writes what it is given.
 */

export type LogLevel = "info" | "warn" | "error";

/** What one line says besides its time, level and event name. */
export interface LogFields {
  /** The repository entry (RepoStatus.repo) the event concerns. */
  readonly repo?: string | undefined;
  /** The goal commit it concerns (null: none yet). */
  readonly goal?: string | null | undefined;
  readonly [key: string]: unknown;
}

/** Writes one line for one event; never throws on the values it is given. */
export type Logger = (level: LogLevel, event: string, fields?: LogFields) => void;

/** Keys the logger writes itself: a field of the same name is written as `field.<name>`. */
const OWN_KEYS = new Set(["time", "level", "event"]);
/** How deep nested values are written; deeper ones become "[…]" (a log line is not a dump). */
const MAX_DEPTH = 8;

/**
 * A logger that passes each line (JSON, no trailing newline) to `write`, stamped with
 * `now()` as ISO 8601. Fields whose value is undefined are left out; a bigint is written as
 * its decimal text, an Error as its message, a cycle as "[Circular]", a function or symbol
 * as its description; when a value still cannot be written (a getter or toJSON that
 * throws) the line says so in `logError` instead of throwing.
 */
export function createLogger(write: (line: string) => void, now: () => Date): Logger {
  return (level, event, fields = {}) => {
    write(logLine(level, event, fields, now));
  };
}

/** The line `createLogger` writes (exported for tests and for one-off lines before a logger exists). */
export function logLine(level: LogLevel, event: string, fields: LogFields, now: () => Date): string {
  let time: string;
  try {
    time = now().toISOString();
  } catch {
    time = "invalid-time";
  }
  const head: Record<string, unknown> = { time, level, event: String(event) };
  try {
    const out: Record<string, unknown> = { ...head };
    const keys = Object.keys(fields);
    const rest = keys.filter((k) => k !== "repo" && k !== "goal").sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of ["repo", "goal", ...rest]) {
      if (!keys.includes(key)) continue;
      const value = plain(fields[key], new Set(), 0);
      if (value === undefined) continue;
      out[OWN_KEYS.has(key) ? `field.${key}` : key] = value;
    }
    return JSON.stringify(out);
  } catch (e) {
    let why: string;
    try {
      why = e instanceof Error ? e.message : String(e);
    } catch {
      why = "a value could not be written";
    }
    return JSON.stringify({ ...head, logError: why });
  }
}

/** `value` as JSON-safe data (see createLogger); undefined when JSON would leave it out. */
function plain(value: unknown, seen: Set<object>, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // JSON has no NaN or Infinity; their text says more than the null JSON.stringify writes.
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
      return undefined;
    case "symbol":
      return value.toString();
    case "function":
      return `[function ${value.name || "anonymous"}]`;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Error) return obj.message;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (seen.has(obj)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[…]";
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((v) => plain(v, seen, depth + 1) ?? null);
    if (obj instanceof Map) return plain(Object.fromEntries(obj), seen, depth);
    if (obj instanceof Set) return plain([...obj], seen, depth);
    if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return plain(toJSON.call(obj), seen, depth + 1);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      const v = plain((obj as Record<string, unknown>)[key], seen, depth + 1);
      if (v !== undefined) out[key] = v;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}
