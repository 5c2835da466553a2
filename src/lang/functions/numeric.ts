import type { Json } from "../../program/types.js";
import type { Builtin } from "../builtins.js";
import { int, invalid, list, num, str } from "./args.js";

/** A finite result, or a located error: arithmetic stays within what a number can hold exactly. */
function finite(fn: string, x: number): number {
  if (!Number.isFinite(x)) return invalid(fn, null, "the result is not a finite number");
  if (Number.isInteger(x) && !Number.isSafeInteger(x)) return invalid(fn, null, `the result ${String(x)} is outside the exact number range (±2^53)`);
  return x === 0 ? 0 : x;
}

/** Numeric functions (abs, ceil, floor, log, max, min, parseint, pow, signum, sum). */
export const numeric: Builtin[] = [
  {
    name: "log",
    min: 2,
    max: 2,
    signature: "log(number, base)",
    impl(a) {
      const x = num("log", a, 0);
      const b = num("log", a, 1);
      if (x <= 0) return invalid("log", 0, "the number must be greater than zero");
      if (b <= 0 || b === 1) return invalid("log", 1, "the base must be greater than zero and not 1");
      return finite("log", Math.log(x) / Math.log(b));
    },
  },
  {
    name: "pow",
    min: 2,
    max: 2,
    signature: "pow(number, power)",
    impl: (a) => finite("pow", Math.pow(num("pow", a, 0), num("pow", a, 1))),
  },
  {
    name: "signum",
    min: 1,
    max: 1,
    signature: "signum(number)",
    impl: (a) => Math.sign(num("signum", a, 0)) || 0,
  },
  {
    name: "sum",
    min: 1,
    max: 1,
    signature: "sum(list)",
    impl(a) {
      const xs = list("sum", a, 0);
      if (xs.length === 0) return invalid("sum", 0, "cannot sum an empty list");
      let total = 0;
      xs.forEach((x, i) => {
        if (typeof x !== "number") invalid("sum", 0, `element ${i} is not a number`);
        total += x as number;
      });
      return finite("sum", total);
    },
  },
  {
    name: "parseint",
    min: 2,
    max: 2,
    signature: "parseint(string, base)",
    impl(a) {
      const s = str("parseint", a, 0);
      const base = int("parseint", a, 1);
      if (base < 2 || base > 62) return invalid("parseint", 1, "the base must be between 2 and 62");
      // Terraform's digits: 0-9, then a-z, then A-Z (case-insensitive up to base 36).
      const digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
      const body = s.startsWith("-") || s.startsWith("+") ? s.slice(1) : s;
      if (body === "") return invalid("parseint", 0, `${JSON.stringify(s)} is not a valid number in base ${base}`);
      let v = 0n;
      for (const ch of body) {
        const d = base <= 36 ? digits.indexOf(ch.toLowerCase()) : digits.indexOf(ch);
        if (d < 0 || d >= base) return invalid("parseint", 0, `${JSON.stringify(s)} is not a valid number in base ${base}`);
        v = v * BigInt(base) + BigInt(d);
      }
      if (s.startsWith("-")) v = -v;
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return invalid("parseint", 0, `${s} is outside the exact number range (±2^53)`);
      return Number(v) as Json;
    },
  },
];
