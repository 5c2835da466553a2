import { createHash } from "node:crypto";
import { RE2JS } from "re2js";
import * as sem from "../../diag/catalog/semantic.js";
import type { Json } from "../../program/types.js";
import type { Builtin, CallContext } from "../builtins.js";
import { EvalFailure } from "../values.js";
import { boundedStr, invalid, str } from "./args.js";

/**
 * Filesystem functions. They read the goal (the commit's tree, or the working tree as git
 * sees it), never the machine: paths are relative to the calling `.lxm` file and stay inside
 * the project (LXM2042), as file()'s do. Evaluated at compile time only.
 */

/**
 * Resolves `path` (as written in file()) against the directory of `fromFile`, both
 * project-relative. Null for absolute paths and paths that climb above the project root.
 */
export function resolveProjectPath(fromFile: string, path: string): string | null {
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path) || path.includes("\0")) return null;
  const parts = fromFile.split("/").slice(0, -1);
  for (const seg of path.split(/[\\/]/)) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length === 0 ? null : parts.join("/");
}

/** A project directory relative to the calling file: "" for the project's top; null outside it. */
function projectDir(fromFile: string, p: string): string | null {
  const stripped = p.replace(/[\\/]+$/, "");
  if (stripped === "" && p !== "") return null; // "/" is absolute
  const parent = fromFile.split("/").slice(0, -1);
  if (stripped === "." || stripped === "") return parent.join("/");
  const r = resolveProjectPath(fromFile, `${stripped}/x`);
  return r === null ? null : r.slice(0, -2);
}

function fileBytes(fn: string, a: Json[], ctx: CallContext): Uint8Array {
  const p = str(fn, a, 0);
  const rel = resolveProjectPath(ctx.file, p);
  if (rel === null) throw new EvalFailure((s) => sem.fileEscapes(s, p), 0);
  const b = ctx.tree?.bytes(rel) ?? null;
  if (b === null) throw new EvalFailure((s) => sem.fileNotFound(s, p), 0);
  return b;
}

const MAX_GLOB = 4096;

/**
 * A fileset pattern (Terraform's, after the doublestar library) as an RE2 expression: `*` any
 * characters but `/`, `?` one of them, `**` as a whole segment any number of directories,
 * `[…]` / `[!…]` a class, `{a,b}` alternatives, `\` escapes the next character.
 */
export function globToRegex(pattern: string): string | { error: string } {
  const segments = pattern.split("/");
  let out = "";
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === "**") {
      out += last ? ".*" : "(?:[^/]*/)*";
      continue;
    }
    const r = segmentRegex(seg);
    if (typeof r !== "string") return r;
    out += r + (last ? "" : "/");
  }
  return `^${out}$`;
}

function quote(ch: string): string {
  return /[A-Za-z0-9_]/.test(ch) || ch.codePointAt(0)! > 127 ? ch : `\\${ch}`;
}

function segmentRegex(seg: string): string | { error: string } {
  let out = "";
  let depth = 0;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "\\") {
      if (i + 1 >= seg.length) return { error: "the pattern ends with `\\`" };
      out += quote(seg[++i]!);
    } else if (c === "*") {
      while (seg[i + 1] === "*") i++;
      out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = seg.indexOf("]", i + 2);
      if (close < 0) return { error: "a `[` has no closing `]`" };
      let body = seg.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      if (body === "") return { error: "an empty character class `[]`" };
      out += `[${negate ? "^/" : ""}${[...body].map((ch) => (ch === "-" ? "-" : quote(ch))).join("")}]`;
      i = close;
    } else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) out += "|";
    else out += quote(c);
  }
  if (depth > 0) return { error: "a `{` has no closing `}`" };
  return out;
}

const digest = (alg: string, enc: "hex" | "base64") => (b: Uint8Array) => createHash(alg).update(b).digest(enc);
const fileHash = (name: string, alg: string, enc: "hex" | "base64"): Builtin => ({
  name,
  min: 1,
  max: 1,
  signature: `${name}(path)`,
  compileTimeOnly: true,
  impl: (a, ctx) => digest(alg, enc)(fileBytes(name, a, ctx)),
});

/**
 * Go's path.Clean, which Terraform's basename and dirname apply (with `/` on every platform:
 * the same commit gives the same value on Windows too).
 */
function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
    } else out.push(seg);
  }
  const body = out.join("/");
  return rooted ? `/${body}` : body === "" ? "." : body;
}

export const filesystem: Builtin[] = [
  {
    name: "basename",
    min: 1,
    max: 1,
    signature: "basename(path)",
    impl(a) {
      // Go's filepath.Base: trailing slashes dropped; "" → "."; only slashes → "/".
      const p = str("basename", a, 0);
      if (p === "") return ".";
      const t = p.replace(/\/+$/, "");
      if (t === "") return "/";
      return t.slice(t.lastIndexOf("/") + 1);
    },
  },
  {
    name: "dirname",
    min: 1,
    max: 1,
    signature: "dirname(path)",
    impl(a) {
      // Go's filepath.Dir: everything up to the last slash, cleaned.
      const p = str("dirname", a, 0);
      return cleanPath(p.slice(0, p.lastIndexOf("/") + 1));
    },
  },
  {
    name: "fileexists",
    min: 1,
    max: 1,
    signature: "fileexists(path)",
    compileTimeOnly: true,
    impl(a, ctx) {
      const p = str("fileexists", a, 0);
      const rel = resolveProjectPath(ctx.file, p);
      if (rel === null) throw new EvalFailure((s) => sem.fileEscapes(s, p), 0);
      return (ctx.tree?.bytes(rel) ?? null) !== null;
    },
  },
  {
    name: "fileset",
    min: 2,
    max: 2,
    signature: "fileset(path, pattern)",
    compileTimeOnly: true,
    impl(a, ctx) {
      const p = str("fileset", a, 0);
      const pattern = str("fileset", a, 1);
      const dir = projectDir(ctx.file, p);
      if (dir === null) throw new EvalFailure((s) => sem.fileEscapes(s, p), 0);
      if (pattern.length > MAX_GLOB) return invalid("fileset", 1, `the pattern is longer than ${MAX_GLOB} characters`);
      const source = globToRegex(pattern);
      if (typeof source !== "string") return invalid("fileset", 1, `not a valid pattern: ${source.error}`);
      let re: RE2JS;
      try {
        re = RE2JS.compile(source);
      } catch {
        return invalid("fileset", 1, "not a valid pattern");
      }
      const prefix = dir === "" ? "" : `${dir}/`;
      const out: string[] = [];
      for (const f of ctx.tree?.list() ?? []) {
        if (!f.startsWith(prefix)) continue;
        const rel = f.slice(prefix.length);
        if (re.matches(rel)) out.push(rel);
      }
      return out;
    },
  },
  {
    name: "filebase64",
    min: 1,
    max: 1,
    signature: "filebase64(path)",
    compileTimeOnly: true,
    impl: (a, ctx) => boundedStr("filebase64", Buffer.from(fileBytes("filebase64", a, ctx)).toString("base64")),
  },
  fileHash("filemd5", "md5", "hex"),
  fileHash("filesha1", "sha1", "hex"),
  fileHash("filesha256", "sha256", "hex"),
  fileHash("filesha512", "sha512", "hex"),
  fileHash("filebase64sha256", "sha256", "base64"),
  fileHash("filebase64sha512", "sha512", "base64"),
];
