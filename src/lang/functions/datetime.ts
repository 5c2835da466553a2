import type { Builtin } from "../builtins.js";
import { invalid, str } from "./args.js";

/**
 * Date and time functions (formatdate, timeadd, timecmp). There is no clock: every time is
 * an RFC 3339 timestamp written in the code, kept in its own UTC offset; names of months and
 * days are English, whatever the machine's locale.
 */

interface Instant {
  /** Nanoseconds since 1970-01-01T00:00:00Z. */
  readonly ns: bigint;
  /** The timestamp's UTC offset in minutes; null for `Z`. */
  readonly offset: number | null;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function parseTime(fn: string, s: string, at: number): Instant {
  const m = RFC3339.exec(s);
  const bad = (): never => invalid(fn, at, `${JSON.stringify(s)} is not an RFC 3339 timestamp, like "2018-01-02T23:12:01Z"`);
  if (!m) return bad();
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const check = new Date(ms);
  if (mo < 1 || mo > 12 || check.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return bad();
  const z = m[8]!;
  const offset = z === "Z" || z === "z" ? null : (z[0] === "-" ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)));
  const frac = BigInt((m[7] ?? "").padEnd(9, "0") || "0");
  return { ns: (BigInt(ms) - BigInt((offset ?? 0) * 60_000)) * 1_000_000n + frac, offset };
}

/** The wall-clock fields of an instant in its own offset. */
function fields(t: Instant): Date {
  return new Date(Number(t.ns / 1_000_000n) + (t.offset ?? 0) * 60_000);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

function offsetText(t: Instant, colon: boolean): string {
  const o = t.offset ?? 0;
  const a = Math.abs(o);
  return `${o < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}${colon ? ":" : ""}${pad(a % 60)}`;
}

function rfc3339(t: Instant): string {
  const f = fields(t);
  const base = `${pad(f.getUTCFullYear(), 4)}-${pad(f.getUTCMonth() + 1)}-${pad(f.getUTCDate())}T${pad(f.getUTCHours())}:${pad(f.getUTCMinutes())}:${pad(f.getUTCSeconds())}`;
  return base + (t.offset === null ? "Z" : offsetText(t, true));
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, "µs": 1_000n, "μs": 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** A Go duration ("1h10m", "-1.5h", "300ms") in nanoseconds. */
function parseDuration(fn: string, s: string, at: number): bigint {
  if (s === "0") return 0n;
  const m = /^([+-]?)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return invalid(fn, at, `${JSON.stringify(s)} is not a duration, like "1h10m" or "-30s"`);
  let total = 0n;
  for (const part of s.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    const [whole, frac = ""] = part[1]!.split(".");
    const unit = UNITS[part[2]!]!;
    total += BigInt(whole || "0") * unit + (frac === "" ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length));
  }
  return m[1] === "-" ? -total : total;
}

function formatTime(spec: string, t: Instant): string {
  const f = fields(t);
  const hour = f.getUTCHours();
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const tokens: Record<string, () => string> = {
    YYYY: () => pad(f.getUTCFullYear(), 4),
    YY: () => pad(f.getUTCFullYear() % 100),
    MMMM: () => MONTHS[f.getUTCMonth()]!,
    MMM: () => MONTHS[f.getUTCMonth()]!.slice(0, 3),
    MM: () => pad(f.getUTCMonth() + 1),
    M: () => String(f.getUTCMonth() + 1),
    DD: () => pad(f.getUTCDate()),
    D: () => String(f.getUTCDate()),
    EEEE: () => DAYS[f.getUTCDay()]!,
    EEE: () => DAYS[f.getUTCDay()]!.slice(0, 3),
    hh: () => pad(hour),
    h: () => String(hour),
    HH: () => pad(h12),
    H: () => String(h12),
    AA: () => (hour < 12 ? "AM" : "PM"),
    aa: () => (hour < 12 ? "am" : "pm"),
    mm: () => pad(f.getUTCMinutes()),
    m: () => String(f.getUTCMinutes()),
    ss: () => pad(f.getUTCSeconds()),
    s: () => String(f.getUTCSeconds()),
    ZZZZZ: () => offsetText(t, true),
    ZZZZ: () => offsetText(t, false),
    ZZZ: () => (t.offset === null ? "UTC" : offsetText(t, false)),
    Z: () => (t.offset === null ? "Z" : offsetText(t, true)),
  };
  let out = "";
  for (let i = 0; i < spec.length; ) {
    const c = spec[i]!;
    if (c === "'") {
      // 'literal text'; '' is a quote.
      if (spec[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      for (;;) {
        if (j >= spec.length) return invalid("formatdate", 0, "a quoted literal in the spec is not closed");
        if (spec[j] === "'" && spec[j + 1] === "'") {
          out += "'";
          j += 2;
        } else if (spec[j] === "'") break;
        else out += spec[j++];
      }
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let run = 1;
    while (spec[i + run] === c) run++;
    const token = spec.slice(i, i + run);
    const make = tokens[token];
    if (!make) return invalid("formatdate", 0, `${JSON.stringify(token)} is not a date sequence (put literal letters in single quotes)`);
    out += make();
    i += run;
  }
  return out;
}

export const datetime: Builtin[] = [
  {
    name: "formatdate",
    min: 2,
    max: 2,
    signature: "formatdate(spec, timestamp)",
    impl: (a) => formatTime(str("formatdate", a, 0), parseTime("formatdate", str("formatdate", a, 1), 1)),
  },
  {
    name: "timeadd",
    min: 2,
    max: 2,
    signature: "timeadd(timestamp, duration)",
    impl(a) {
      const t = parseTime("timeadd", str("timeadd", a, 0), 0);
      const d = parseDuration("timeadd", str("timeadd", a, 1), 1);
      return rfc3339({ ns: t.ns + d, offset: t.offset });
    },
  },
  {
    name: "timecmp",
    min: 2,
    max: 2,
    signature: "timecmp(timestamp_a, timestamp_b)",
    impl(a) {
      const x = parseTime("timecmp", str("timecmp", a, 0), 0).ns;
      const y = parseTime("timecmp", str("timecmp", a, 1), 1).ns;
      return x < y ? -1 : x > y ? 1 : 0;
    },
  },
];
