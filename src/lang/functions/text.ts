import type { Builtin } from "../builtins.js";
import { boundedStr, int, invalid, str } from "./args.js";

/** User-perceived characters (grapheme clusters; locale-independent). */
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });
const clusters = (s: string): string[] => [...graphemes.segment(s)].map((g) => g.segment);

/** The user-perceived characters of a string (extended grapheme clusters), as Terraform's `length` counts them. */
export function graphemeCount(s: string): number {
  // ASCII without CR: one cluster per code unit (the common case, without the segmenter).
  if (/^[\x00-\x0c\x0e-\x7f]*$/.test(s)) return s.length;
  let n = 0;
  for (const _ of graphemes.segment(s)) n++;
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
