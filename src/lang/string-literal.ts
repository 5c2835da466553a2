import type { Expr } from "./ast.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import * as syntax from "../diag/catalog/syntax.js";

/** A raw (still escaped) text chunk of a string literal and its offset in the file. */
export interface RawText {
  readonly raw: string;
  readonly start: number;
}

/**
 * Turns the raw pieces of a string literal into AST parts: escapes decoded, `$${` turned
 * into a literal `${`, and for `"""` strings the layout rules applied (see docs/language.md).
 * Invalid escapes are reported (at their exact span) and kept literally. Pure.
 */
export function cookString<M extends { readonly kind: string } = Expr>(
  path: string,
  pieces: readonly (RawText | Expr | M)[],
  multiline: boolean,
  diagnostics: Diagnostic[],
  template = false,
): (string | Expr | M)[] {
  // Escapes are validated on the original pieces so that errors point at the source.
  if (!template) {
    for (const p of pieces) if (isText(p)) unescape(p.raw, (off, len) => diagnostics.push(syntax.invalidEscape({ file: path, start: p.start + off, end: p.start + off + len }, p.raw.slice(off, off + len))));
  }
  let parts: (string | Expr | M)[] = pieces.map((p) => (isText(p) ? p.raw : p));
  if (multiline) parts = dedent(parts);
  const out: (string | Expr | M)[] = [];
  for (const p of parts) {
    if (typeof p !== "string") out.push(p);
    else if (p !== "") {
      const s = template ? unescapeTemplate(p) : unescape(p);
      const last = out[out.length - 1];
      if (typeof last === "string") out[out.length - 1] = last + s;
      else out.push(s);
    }
  }
  return out;
}

function isText(p: RawText | { readonly kind: string }): p is RawText {
  // Not by `raw`: number and duration literals keep their text in `raw` too.
  return (p as Expr).kind === undefined;
}

/**
 * Decodes escapes in raw string text. `onError(offset, length)` is told about each invalid
 * escape, which is then kept as written.
 */
export function unescape(raw: string, onError?: (offset: number, length: number) => void): string {
  if (raw.indexOf("\\") < 0 && raw.indexOf("$${") < 0 && raw.indexOf("%%{") < 0) return raw;
  let out = "";
  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i]!;
    if ((c === "$" && raw.startsWith("$${", i)) || (c === "%" && raw.startsWith("%%{", i))) {
      out += c + "{";
      i += 3;
      continue;
    }
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const d = raw[i + 1];
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\", '"': '"', $: "$" };
    if (d !== undefined && simple[d] !== undefined) {
      out += simple[d];
      i += 2;
      continue;
    }
    if (d === "u") {
      if (raw[i + 2] === "{") {
        const close = raw.indexOf("}", i + 3);
        const hex = close < 0 ? "" : raw.slice(i + 3, close);
        if (/^[0-9A-Fa-f]{1,6}$/.test(hex)) {
          const cp = parseInt(hex, 16);
          if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
            out += String.fromCodePoint(cp);
            i = close + 1;
            continue;
          }
        }
        const len = close < 0 ? 3 : close + 1 - i;
        onError?.(i, len);
        out += raw.slice(i, i + len);
        i += len;
        continue;
      }
      const hex = raw.slice(i + 2, i + 6);
      if (/^[0-9A-Fa-f]{4}$/.test(hex)) {
        const cp = parseInt(hex, 16);
        if (!(cp >= 0xd800 && cp <= 0xdfff)) {
          out += String.fromCharCode(cp);
          i += 6;
          continue;
        }
        onError?.(i, 6);
        out += raw.slice(i, i + 6);
        i += 6;
        continue;
      }
      onError?.(i, 2);
      out += raw.slice(i, i + 2);
      i += 2;
      continue;
    }
    // A backslash before a line break or a surrogate pair: report just the visible part.
    const len = d === undefined || d === "\n" || d === "\r" ? 1 : d.codePointAt(0)! > 0xffff ? 3 : 2;
    onError?.(i, len);
    out += raw.slice(i, i + len);
    i += len;
  }
  return out;
}

/** A template's text (templatefile, templatestring): no `\\` escapes, only `$${` and `%%{` for a literal `${` and `%{`. */
export function unescapeTemplate(raw: string): string {
  return raw.replace(/([$%])\1\{/g, "$1{");
}

/**
 * `"""` layout: line breaks normalised to LF; the line break right after the opening quotes
 * dropped; a last line of only blanks (the closing line) dropped; the common leading
 * indentation of the non-blank lines and the closing line stripped from every line.
 * Works on raw text: escapes never start with a blank, so stripping cannot cut one.
 */
function dedent<P extends { readonly kind: string }>(parts: (string | P)[]): (string | P)[] {
  type Line = (string | P)[];
  const lines: Line[] = [[]];
  for (const p of parts) {
    if (typeof p !== "string") {
      lines[lines.length - 1]!.push(p);
      continue;
    }
    const segs = p.split(/\r\n|\r|\n/);
    segs.forEach((s, k) => {
      if (k > 0) lines.push([]);
      if (s !== "") lines[lines.length - 1]!.push(s);
    });
  }
  let firstKept = false;
  if (lines[0]!.length === 0 && lines.length > 1) lines.shift();
  else firstKept = true;
  const isBlank = (l: Line): boolean => l.every((x) => typeof x === "string" && /^[ \t]*$/.test(x));
  const leading = (l: Line): string => {
    const f = l[0];
    return typeof f === "string" ? /^[ \t]*/.exec(f)![0] : "";
  };
  let closing: string | undefined;
  const last = lines[lines.length - 1]!;
  if (lines.length > (firstKept ? 1 : 0) && isBlank(last) && !(firstKept && lines.length === 1)) {
    closing = last.map((x) => x as string).join("");
    lines.pop();
  }
  let common: string | undefined = closing;
  lines.forEach((l, k) => {
    if ((k === 0 && firstKept) || isBlank(l)) return;
    const lead = leading(l);
    if (common === undefined) common = lead;
    else {
      let j = 0;
      while (j < common.length && j < lead.length && common[j] === lead[j]) j++;
      common = common.slice(0, j);
    }
  });
  const cut = common?.length ?? 0;
  const out: (string | P)[] = [];
  lines.forEach((l, k) => {
    if (k > 0) out.push("\n");
    l.forEach((x, j) => {
      if (j === 0 && typeof x === "string" && !(k === 0 && firstKept) && cut > 0) {
        const lead = /^[ \t]*/.exec(x)![0].length;
        out.push(x.slice(Math.min(lead, cut)));
      } else out.push(x);
    });
  });
  return out;
}
