import type { Builtin } from "../builtins.js";
import { boundedStr, int, invalid, str } from "./args.js";

/** User-perceived characters (grapheme clusters; locale-independent). */
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });
/** Code units segmented at a time (see segmentsOf). */
const WINDOW = 256;

/**
 * The grapheme clusters of a string, in order. V8's segmenter spends time in the length of
 * the whole text for each cluster it returns (quadratic: 125,000 "é" took 3 s to count), so
 * the text is segmented a window at a time. A window starts at a cluster boundary and ends
 * between two code points; the boundary rules look back, never ahead, so every cluster of
 * the window is one of the text's but the last, which may run on past the window's end: the
 * next window starts with it. A window of one cluster is widened until it holds two, or the
 * rest of the text.
 */
function* segmentsOf(s: string): Generator<string> {
  let at = 0;
  while (at < s.length) {
    for (let size = WINDOW; ; size *= 2) {
      let end = Math.min(s.length, at + size);
      // Not between the two halves of a surrogate pair.
      if (end < s.length && /[\ud800-\udbff]/.test(s[end - 1]!) && /[\udc00-\udfff]/.test(s[end]!)) end++;
      const segs = [...graphemes.segment(s.slice(at, end))];
      if (end === s.length) {
        for (const g of segs) yield g.segment;
        return;
      }
      if (segs.length >= 2) {
        for (let i = 0; i < segs.length - 1; i++) yield segs[i]!.segment;
        at += segs[segs.length - 1]!.index;
        break;
      }
    }
  }
}
const clusters = (s: string): string[] => [...segmentsOf(s)];

/** The user-perceived characters of a string (extended grapheme clusters), as Terraform's `length` counts them. */
export function graphemeCount(s: string): number {
  // ASCII without CR: one cluster per code unit (the common case, without the segmenter).
  if (/^[\x00-\x0c\x0e-\x7f]*$/.test(s)) return s.length;
  let n = 0;
  for (const _ of segmentsOf(s)) n++;
  return n;
}

/** Terraform's string functions that work on text alone. */
export const textFunctions: Builtin[] = [
  {
    name: "chomp",
    min: 1,
    max: 1,
    signature: "chomp(string)",
    impl: (a) => str("chomp", a, 0).replace(/(?:\r\n|\n|\r)+$/, ""),
  },
  {
    name: "startswith",
    min: 2,
    max: 2,
    signature: "startswith(string, prefix)",
    impl: (a) => str("startswith", a, 0).startsWith(str("startswith", a, 1)),
  },
  {
    name: "endswith",
    min: 2,
    max: 2,
    signature: "endswith(string, suffix)",
    impl: (a) => str("endswith", a, 0).endsWith(str("endswith", a, 1)),
  },
  {
    name: "strcontains",
    min: 2,
    max: 2,
    signature: "strcontains(string, substr)",
    impl: (a) => str("strcontains", a, 0).includes(str("strcontains", a, 1)),
  },
  {
    name: "strrev",
    min: 1,
    max: 1,
    signature: "strrev(string)",
    impl: (a) => clusters(str("strrev", a, 0)).reverse().join(""),
  },
  {
    name: "substr",
    min: 3,
    max: 3,
    signature: "substr(string, offset, length)",
    impl(a) {
      const cs = clusters(str("substr", a, 0));
      let off = int("substr", a, 1);
      const len = int("substr", a, 2);
      if (off < 0) off = cs.length + off;
      if (off < 0 || off > cs.length) return invalid("substr", 1, `offset ${int("substr", a, 1)} is outside a string of ${cs.length} characters`);
      if (len < -1) return invalid("substr", 2, "length must be -1 (to the end) or at least 0");
      return cs.slice(off, len === -1 ? undefined : off + len).join("");
    },
  },
  {
    name: "title",
    min: 1,
    max: 1,
    signature: "title(string)",
    // The first letter of each word upper-cased (a word follows a non-letter), the rest as is.
    impl: (a) => str("title", a, 0).replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_, pre: string, l: string) => pre + l.toUpperCase()),
  },
  {
    name: "trimprefix",
    min: 2,
    max: 2,
    signature: "trimprefix(string, prefix)",
    impl(a) {
      const s = str("trimprefix", a, 0);
      const p = str("trimprefix", a, 1);
      return s.startsWith(p) ? s.slice(p.length) : s;
    },
  },
  {
    name: "trimsuffix",
    min: 2,
    max: 2,
    signature: "trimsuffix(string, suffix)",
    impl(a) {
      const s = str("trimsuffix", a, 0);
      const p = str("trimsuffix", a, 1);
      return p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
    },
  },
  {
    name: "trimspace",
    min: 1,
    max: 1,
    signature: "trimspace(string)",
    impl: (a) => str("trimspace", a, 0).replace(/^\s+|\s+$/gu, ""),
  },
  {
    name: "indent",
    min: 2,
    max: 2,
    signature: "indent(spaces, string)",
    impl(a) {
      const n = int("indent", a, 0);
      if (n < 0 || n > 10_000) return invalid("indent", 0, "the number of spaces must be between 0 and 10000");
      const pad = " ".repeat(n);
      // Every line but the first, as Terraform does (the first sits where the call is written).
      return boundedStr("indent", str("indent", a, 1).replace(/\n/g, "\n" + pad));
    },
  },
];
