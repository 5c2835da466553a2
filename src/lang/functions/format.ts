import { canonicalize } from "../../program/canonical.js";
import type { Json } from "../../program/types.js";
import type { Builtin } from "../builtins.js";
import { bounded, boundedStr, failArg, invalid, list, primitiveText, str } from "./args.js";

/**
 * format and formatlist with the verbs, flags, widths, precisions and argument indexes of
 * Terraform's format (Go's fmt, as cty applies it): %v %#v %t %b %d %o %x %X %e %E %f %g
 * %G %s %q %%; flags + - # 0 and space; `%[2]d` picks an argument. A width or precision
 * above MAX_WIDTH is a located error rather than a string nobody asked for.
 */

const MAX_WIDTH = 10_000;

interface Spec {
  readonly plus: boolean;
  readonly minus: boolean;
  readonly sharp: boolean;
  readonly zero: boolean;
  readonly space: boolean;
  readonly width: number | null;
  readonly precision: number | null;
  readonly verb: string;
}

/** Formats `args` (the values after the spec) by `spec`; `at(i)` is the argument index of value i for errors. */
export function formatValues(fn: string, spec: string, args: readonly Json[], at: (i: number) => number): string {
  let out = "";
  let next = 0;
  let usedMax = 0;
  let explicit = false;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    i++;
    if (spec[i] === "%") {
      out += "%";
      continue;
    }
    let plus = false, minus = false, sharp = false, zero = false, space = false;
    for (; i < spec.length && "+-#0 ".includes(spec[i]!); i++) {
      const f = spec[i];
      if (f === "+") plus = true;
      else if (f === "-") minus = true;
      else if (f === "#") sharp = true;
      else if (f === "0") zero = true;
      else space = true;
    }
    const index = /^\[(\d+)\]/.exec(spec.slice(i));
    if (index) {
      next = Number(index[1]) - 1;
      explicit = true;
      i += index[0].length;
    }
    const number = (what: string): number | null => {
      const m = /^\d+/.exec(spec.slice(i));
      if (!m) return null;
      i += m[0].length;
      const n = Number(m[0]);
      if (n > MAX_WIDTH) invalid(fn, 0, `the ${what} ${m[0]} is larger than ${MAX_WIDTH}`);
      return n;
    };
    const width = number("width");
    let precision: number | null = null;
    if (spec[i] === ".") {
      i++;
      precision = number("precision") ?? 0;
    }
    const verb = spec[i];
    if (verb === undefined) return invalid(fn, 0, "the spec ends in the middle of a verb");
    if (!"vtbdoxXeEfgGsq".includes(verb)) return invalid(fn, 0, `unknown verb %${verb} (Terraform's: %v %#v %t %b %d %o %x %X %e %E %f %g %G %s %q %%)`);
    if (next < 0 || next >= args.length) return invalid(fn, 0, `%${verb} has no matching value${index ? ` (argument [${index[1]}])` : ""}`);
    const n = next++;
    usedMax = Math.max(usedMax, next);
    out += one({ plus, minus, sharp, zero, space, width, precision, verb }, args[n]!, fn, at(n));
    boundedStr(fn, out);
  }
  if (!explicit && usedMax < args.length) return invalid(fn, at(usedMax), `${args.length - usedMax} value${args.length - usedMax === 1 ? "" : "s"} left without a verb`);
  return boundedStr(fn, out);
}

function one(s: Spec, v: Json, fn: string, argIndex: number): string {
  const pad = (body: string, numeric: boolean): string => {
    if (s.width === null || body.length >= s.width) return body;
    if (s.minus) return body + " ".repeat(s.width - body.length);
    if (s.zero && numeric) {
      const sign = /^[+\- ]/.test(body) ? body[0]! : "";
      const rest = body.slice(sign.length);
      const prefix = /^0[xXbo]/.test(rest) ? rest.slice(0, 2) : "";
      return sign + prefix + "0".repeat(s.width - body.length) + rest.slice(prefix.length);
    }
    return " ".repeat(s.width - body.length) + body;
  };
  const signed = (x: number, digits: string): string => (x < 0 || Object.is(x, -0) && digits.startsWith("-") ? "-" : s.plus ? "+" : s.space ? " " : "") + digits.replace(/^-/, "");
  switch (s.verb) {
    case "v":
      if (s.sharp) return pad(canonicalize(v), false);
      return pad(typeof v === "string" ? v : v === null ? "null" : canonicalize(v), false);
    case "s": {
      const t = primitiveText(fn, v, argIndex);
      const cut = s.precision === null ? t : [...t].slice(0, s.precision).join("");
      return pad(cut, false);
    }
    case "q":
      return pad(JSON.stringify(primitiveText(fn, v, argIndex)), false);
    case "t":
      if (typeof v !== "boolean" && v !== "true" && v !== "false") return failArg(fn, argIndex, "a bool", v);
      return pad(String(v), false);
    case "b":
    case "d":
    case "o":
    case "x":
    case "X": {
      const x = toNumber(fn, v, argIndex);
      if (!Number.isInteger(x)) return failArg(fn, argIndex, "an integer", v);
      const radix = { b: 2, d: 10, o: 8, x: 16, X: 16 }[s.verb]!;
      let digits = Math.abs(x).toString(radix);
      if (s.verb === "X") digits = digits.toUpperCase();
      if (s.precision !== null && digits.length < s.precision) digits = "0".repeat(s.precision - digits.length) + digits;
      if (s.sharp) digits = ({ b: "0b", o: "0", x: "0x", X: "0X", d: "" } as const)[s.verb] + digits;
      return pad(signed(x, x < 0 ? "-" + digits : digits), true);
    }
    default: {
      const x = toNumber(fn, v, argIndex);
      return pad(signed(x, floatText(x, s.verb, s.precision)), true);
    }
  }
}

function toNumber(fn: string, v: Json, i: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(v)) return Number(v);
  return failArg(fn, i, "a number", v);
}

/** The exact decimal digits of a finite double's magnitude: `0.digits × 10^point` (no trailing zeros; "" for 0). */
function exactDigits(x: number): { digits: string; point: number } {
  let m = Math.abs(x);
  if (m === 0) return { digits: "", point: 0 };
  // m / 2^k with m whole (doubling is exact); then m × 5^k / 10^k.
  let k = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    k++;
  }
  const s = (BigInt(m) * 5n ** BigInt(k)).toString();
  return { digits: s.replace(/0+$/, ""), point: s.length - k };
}

/** `d` rounded to `count` significant digits (half to even, as Go rounds), zero-padded. */
function roundDigits(d: { digits: string; point: number }, count: number): { digits: string; point: number } {
  if (count < 0) return { digits: "", point: d.point };
  if (d.digits.length <= count) return { digits: d.digits.padEnd(count, "0"), point: d.point };
  const head = d.digits.slice(0, count);
  const rest = d.digits.slice(count);
  const up = rest[0]! > "5" || (rest[0] === "5" && (rest.length > 1 || (head !== "" && Number(head[head.length - 1]) % 2 === 1)));
  if (!up) return { digits: head, point: d.point };
  const inc = (BigInt(head || "0") + 1n).toString();
  // 99… + 1 = 100…: one more digit before the point.
  return inc.length > head.length ? { digits: inc.slice(0, Math.max(count, 1)), point: d.point + 1 } : { digits: inc, point: d.point };
}

/**
 * %e, %f and %g with a precision above 100 (the most JavaScript's toExponential, toFixed and
 * toPrecision take): from the number's exact decimal digits, as Go prints them.
 */
function longFloatText(x: number, verb: string, precision: number): string {
  const exact = exactDigits(x);
  const sign = x < 0 ? "-" : "";
  const expText = (n: number) => `e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  const eForm = (p: number) => {
    const r = x === 0 ? { digits: "0".repeat(p + 1), point: 1 } : roundDigits(exact, p + 1);
    return `${r.digits[0]}${p > 0 ? "." + r.digits.slice(1) : ""}${expText(r.point - 1)}`;
  };
  const fForm = (p: number) => {
    const r = x === 0 ? { digits: "", point: 0 } : roundDigits(exact, exact.point + p);
    const all = r.point >= 0 ? r.digits.padEnd(r.point + p, "0") : "0".repeat(-r.point) + r.digits;
    const at = Math.max(r.point, 0);
    const whole = all.slice(0, at).replace(/^0+(?=\d)/, "") || "0";
    const frac = (all.slice(at) + "0".repeat(p)).slice(0, p);
    return p > 0 ? `${whole}.${frac}` : whole;
  };
  switch (verb) {
    case "e":
    case "E":
      return sign + (verb === "E" ? eForm(precision).toUpperCase() : eForm(precision));
    case "f":
      return sign + fForm(precision);
    default: {
      const r = x === 0 ? { digits: "0", point: 1 } : roundDigits(exact, precision);
      const n = r.point - 1;
      const trim = (t: string): string => t.replace(/^([^e]*\.[^e]*?)0*(e.*)?$/, "$1$2").replace(/\.(?=e|$)/, "");
      const t = trim(n < -4 || n >= precision ? eForm(precision - 1) : fForm(precision - 1 - n));
      return sign + (verb === "G" ? t.toUpperCase() : t);
    }
  }
}

/** Go's %e/%f/%g text of a finite number (exponents with at least two digits). */
function floatText(x: number, verb: string, precision: number | null): string {
  // Past what JavaScript prints: a precision above 100, and %f of 1e21 or more (toFixed writes an exponent).
  if ((precision !== null && precision > 100) || (verb === "f" && Math.abs(x) >= 1e21)) return longFloatText(x, verb, precision ?? 6);
  const exp = (t: string): string => t.replace(/e([+-])(\d)$/, "e$10$2");
  switch (verb) {
    case "e":
    case "E": {
      const t = exp(x.toExponential(precision ?? 6));
      return verb === "E" ? t.toUpperCase() : t;
    }
    case "f":
      return x.toFixed(precision ?? 6);
    default: {
      // %g: exponent form when the exponent is below -4 or at least the precision (21 for
      // the shortest text that reads back as x); trailing zeros dropped.
      const p = precision === null ? null : Math.max(precision, 1);
      const [mant, ex] = (p === null ? x.toExponential() : x.toExponential(p - 1)).split("e") as [string, string];
      const n = Number(ex);
      const trim = (t: string): string => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
      const t = n < -4 || n >= (p ?? 21) ? exp(`${trim(mant)}e${/^[-+]/.test(ex) ? ex : "+" + ex}`) : p === null ? String(x) : trim(x.toPrecision(p));
      return verb === "G" ? t.toUpperCase() : t;
    }
  }
}

export const formatFunctions: Builtin[] = [
  {
    name: "format",
    min: 1,
    max: Infinity,
    signature: "format(spec, values...)",
    impl: (a) => formatValues("format", str("format", a, 0), a.slice(1), (i) => i + 1),
  },
  {
    name: "formatlist",
    min: 1,
    max: Infinity,
    signature: "formatlist(spec, values...)",
    impl(a) {
      const spec = str("formatlist", a, 0);
      // Lists are iterated together (all the same length); other values repeat on every line.
      let n: number | null = null;
      for (let i = 1; i < a.length; i++) {
        if (!Array.isArray(a[i])) continue;
        const len = list("formatlist", a, i).length;
        if (n !== null && len !== n) return invalid("formatlist", i, `the lists have different lengths (${n} and ${len})`);
        n = len;
      }
      if (n === null) return invalid("formatlist", null, "at least one value must be a list");
      const out: string[] = [];
      for (let k = 0; k < n; k++) out.push(formatValues("formatlist", spec, a.slice(1).map((v) => (Array.isArray(v) ? v[k]! : v)), (i) => i + 1));
      return bounded("formatlist", out);
    },
  },
];
