import { gzipSync } from "node:zlib";
import type { Json } from "../../program/types.js";
import type { Builtin } from "../builtins.js";
import { bounded, invalid, str } from "./args.js";

/** The text encodings textencodebase64/textdecodebase64 know, by their IANA names (any case). */
const ENCODINGS: ReadonlyMap<string, "utf8" | "utf16le" | "utf16be" | "latin1"> = new Map([
  ["utf-8", "utf8"],
  ["utf8", "utf8"],
  ["utf-16le", "utf16le"],
  ["utf-16be", "utf16be"],
  ["iso-8859-1", "latin1"],
  ["latin1", "latin1"],
]);

function encodingOf(fn: string, name: string, at: number): "utf8" | "utf16le" | "utf16be" | "latin1" {
  const e = ENCODINGS.get(name.toLowerCase());
  return e ?? invalid(fn, at, `the encoding ${JSON.stringify(name)} is not one Lexum knows (UTF-8, UTF-16LE, UTF-16BE, ISO-8859-1)`);
}

/** RFC 4180 CSV: a header row naming the columns, then one object per row, every field a string. */
function csvRows(text: string): string[][] | string {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else if (c === '"') return `a quote inside an unquoted field on line ${rows.length + 1}`;
    else {
      field += c;
      i++;
    }
  }
  if (quoted) return "a quoted field is not closed";
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Encoding functions (base64*, csvdecode, textencodebase64, urlencode, …). */
export const encoding: Builtin[] = [
  {
    name: "urlencode",
    min: 1,
    max: 1,
    signature: "urlencode(string)",
    // Go's url.QueryEscape, which Terraform uses: letters, digits and -_.~ stay, space is +.
    impl: (a) => encodeURIComponent(str("urlencode", a, 0)).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, "+"),
  },
  {
    name: "textencodebase64",
    min: 2,
    max: 2,
    signature: "textencodebase64(string, encoding)",
    impl(a) {
      const s = str("textencodebase64", a, 0);
      const e = encodingOf("textencodebase64", str("textencodebase64", a, 1), 1);
      if (e === "latin1" && /[^\u0000-\u00ff]/.test(s)) return invalid("textencodebase64", 0, "the string has characters ISO-8859-1 cannot hold");
      const buf = e === "utf16be" ? Buffer.from(s, "utf16le").swap16() : Buffer.from(s, e);
      return buf.toString("base64");
    },
  },
  {
    name: "textdecodebase64",
    min: 2,
    max: 2,
    signature: "textdecodebase64(source, encoding)",
    impl(a) {
      const b64 = str("textdecodebase64", a, 0);
      const e = encodingOf("textdecodebase64", str("textdecodebase64", a, 1), 1);
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) return invalid("textdecodebase64", 0, "not valid base64");
      const buf = Buffer.from(b64, "base64");
      if ((e === "utf16le" || e === "utf16be") && buf.length % 2 !== 0) return invalid("textdecodebase64", 0, "an odd number of bytes is not UTF-16");
      try {
        if (e === "utf8") return new TextDecoder("utf-8", { fatal: true }).decode(buf);
        if (e === "latin1") return buf.toString("latin1");
        return new TextDecoder(e === "utf16le" ? "utf-16le" : "utf-16be", { fatal: true }).decode(buf);
      } catch {
        return invalid("textdecodebase64", 0, `the bytes are not valid ${str("textdecodebase64", a, 1)}`);
      }
    },
  },
  {
    name: "base64gzip",
    min: 1,
    max: 1,
    signature: "base64gzip(string)",
    impl(a) {
      const z = gzipSync(Buffer.from(str("base64gzip", a, 0), "utf8"), { level: 9 });
      // The header carries no name and a zero time; its OS byte is set to "unknown" (255), as
      // Go writes it, so the same string gives the same bytes on every platform.
      z[9] = 255;
      return z.toString("base64");
    },
  },
  {
    name: "csvdecode",
    min: 1,
    max: 1,
    signature: "csvdecode(string)",
    impl(a) {
      const rows = csvRows(str("csvdecode", a, 0));
      if (typeof rows === "string") return invalid("csvdecode", 0, rows);
      if (rows.length === 0) return [];
      const [header, ...body] = rows;
      const out: Json[] = [];
      body.forEach((r, i) => {
        if (r.length !== header!.length) invalid("csvdecode", 0, `line ${i + 2} has ${r.length} fields, the header ${header!.length}`);
        const o: { [k: string]: Json } = {};
        header!.forEach((h, k) => Object.defineProperty(o, h, { value: r[k]!, enumerable: true, writable: true, configurable: true }));
        out.push(o);
      });
      return bounded("csvdecode", out);
    },
  },
];
