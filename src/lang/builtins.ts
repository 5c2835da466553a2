import { createHash } from "node:crypto";
import { stringify as stringifyYaml } from "yaml";
import * as sem from "../diag/catalog/semantic.js";
import { canonicalize } from "../program/canonical.js";
import type { Json } from "../program/types.js";
import { deepEqual, EvalFailure, isObject, LIMITS, objectFrom, sortedKeys, typeName } from "./values.js";
import type { Value, ValueObject } from "./values.js";
import { yamlTooDeepAt } from "./yaml-depth.js";
import { decodeYaml, inexact } from "./functions/yaml-decode.js";
import { jsonTextProblem } from "./functions/json-scan.js";
import { regexReplace } from "./functions/regex.js";
import { graphemeCount } from "./functions/text.js";
import { bounded, boundedStr, checkDecoded, failArg, int, invalid, list, num, obj, primitiveText, str } from "./functions/args.js";
import { collections } from "./functions/collections.js";
import { conversion } from "./functions/conversion.js";
import { datetime } from "./functions/datetime.js";
import { encoding } from "./functions/encoding.js";
import { filesystem, resolveProjectPath } from "./functions/filesystem.js";
import type { ProjectFiles } from "./file-reader.js";

export { resolveProjectPath };
import { hashing } from "./functions/hashing.js";
import { network } from "./functions/network.js";
import { numeric } from "./functions/numeric.js";
import { strings } from "./functions/strings.js";
import { templates } from "./functions/templates.js";


/**
 * The built-in functions: one implementation each, used both by compile-time evaluation and
 * by the runtime's residual evaluator. Every function is pure and total on its domain;
 * bad input throws EvalFailure pointing at the offending argument.
 */

/** What a call may use besides its arguments. */
export interface CallContext {
  /** Project-relative path of the .lxm file containing the call (file() resolves against it). */
  readonly file: string;
  /** Reads a project file by project-relative path; null when absent. Absent at runtime. */
  readonly readFile?: ((projectRelPath: string) => string | null) | undefined;
  /** The goal's files (fileexists, fileset, filebase64, the file hashes). Absent at runtime. */
  readonly tree?: ProjectFiles | undefined;
}

export interface Builtin {
  readonly name: string;
  readonly min: number;
  /** Infinity for variadic functions. */
  readonly max: number;
  /** Signature as documented, e.g. "join(sep, list)". */
  readonly signature: string;
  /** Known arguments → known result. */
  impl(args: Json[], ctx: CallContext): Json;
  /**
   * Optional: a result from arguments that are only partly known (e.g. len of a list whose
   * elements are unknown). Returns undefined when it cannot decide.
   */
  partial?(args: Value[]): Value | undefined;
  /** Evaluated only at compile time (file, secret): never appears in a residual call. */
  readonly compileTimeOnly?: boolean;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** `length` (Terraform's name) and `len`: characters (grapheme clusters) of a string, elements of a list, keys of an object. */
function lengthOf(name: string): Builtin {
  return {
    name,
    min: 1,
    max: 1,
    signature: `${name}(value)`,
    impl(a) {
      const v = a[0]!;
      if (typeof v === "string") return graphemeCount(v);
      if (Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      return failArg(name, 0, "a string, list or object", v);
    },
    partial(a) {
      const v = a[0]!;
      if (Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      return undefined;
    },
  };
}

const core: Builtin[] = [
  lengthOf("length"),
  // `len` stays as Lexum first named it.
  lengthOf("len"),
  {
    name: "keys",
    min: 1,
    max: 1,
    signature: "keys(object)",
    impl: (a) => sortedKeys(obj("keys", a, 0)),
    partial: (a) => (isObject(a[0]!) ? sortedKeys(a[0] as ValueObject) : undefined),
  },
  {
    name: "values",
    min: 1,
    max: 1,
    signature: "values(object)",
    impl(a) {
      const o = obj("values", a, 0);
      return sortedKeys(o).map((k) => o[k]!);
    },
    partial(a) {
      const o = a[0]!;
      return isObject(o) ? sortedKeys(o).map((k) => o[k]!) : undefined;
    },
  },
  { name: "lower", min: 1, max: 1, signature: "lower(string)", impl: (a) => str("lower", a, 0).toLowerCase() },
  { name: "upper", min: 1, max: 1, signature: "upper(string)", impl: (a) => str("upper", a, 0).toUpperCase() },
  {
    name: "trim",
    min: 1,
    max: 2,
    signature: "trim(string[, cutset])",
    impl(a) {
      const s = str("trim", a, 0);
      if (a.length === 1) return s.trim();
      const cut = new Set(str("trim", a, 1));
      const cs = [...s];
      let b = 0;
      let e = cs.length;
      while (b < e && cut.has(cs[b]!)) b++;
      while (e > b && cut.has(cs[e - 1]!)) e--;
      return cs.slice(b, e).join("");
    },
  },
  {
    name: "join",
    min: 2,
    max: 2,
    signature: "join(separator, list)",
    impl(a) {
      const sep = str("join", a, 0);
      return boundedStr("join", list("join", a, 1).map((v) => primitiveText("join", v, 1)).join(sep));
    },
  },
  {
    name: "split",
    min: 2,
    max: 2,
    signature: "split(separator, string)",
    impl(a) {
      const sep = str("split", a, 0);
      const s = str("split", a, 1);
      if (sep === "") return bounded("split", [...s]);
      return s.split(sep);
    },
  },
  {
    name: "replace",
    min: 3,
    max: 3,
    signature: "replace(string, substring, replacement)",
    impl(a) {
      const s = str("replace", a, 0);
      const old = str("replace", a, 1);
      const rep = str("replace", a, 2);
      // Terraform: a substring wrapped in forward slashes is a regular expression.
      if (old.length >= 2 && old.startsWith("/") && old.endsWith("/")) return regexReplace(s, old.slice(1, -1), rep);
      if (old === "") return invalid("replace", 1, "the substring to replace must not be empty");
      // The result's length is known before it is built. A string doubled by nested replaces
      // reaches the limit with millions of matches, and s.split(old) then held every piece at
      // once (gigabytes, seconds) only for the result to be refused.
      let matches = 0;
      for (let i = s.indexOf(old); i !== -1; i = s.indexOf(old, i + old.length)) matches++;
      if (s.length + matches * (rep.length - old.length) > LIMITS.stringLength) {
        throw new EvalFailure((sp) => sem.tooLarge(sp, "the result of `replace`", LIMITS.stringLength), null);
      }
      if (matches <= 65_536) return s.split(old).join(rep);
      // Many matches: joined a few thousand pieces at a time, so that no array holds them all.
      const chunks: string[] = [];
      let pieces: string[] = [];
      let from = 0;
      for (let i = s.indexOf(old); i !== -1; i = s.indexOf(old, from)) {
        pieces.push(s.slice(from, i), rep);
        from = i + old.length;
        if (pieces.length >= 8_192) {
          chunks.push(pieces.join(""));
          pieces = [];
        }
      }
      pieces.push(s.slice(from));
      chunks.push(pieces.join(""));
      return chunks.join("");
    },
  },
  {
    name: "concat",
    min: 1,
    max: Infinity,
    signature: "concat(lists...)",
    impl: (a) => bounded("concat", a.flatMap((_, i) => list("concat", a, i))),
    partial: (a) => (a.every(Array.isArray) ? bounded("concat", (a as Value[][]).flat()) : undefined),
  },
  {
    name: "merge",
    min: 1,
    max: Infinity,
    signature: "merge(objects...)",
    impl(a) {
      const out: [string, Json][] = [];
      const seen = new Map<string, number>();
      a.forEach((v, i) => {
        if (v === null) return;
        const o = obj("merge", a, i);
        for (const k of sortedKeys(o)) {
          const at = seen.get(k);
          if (at === undefined) {
            seen.set(k, out.length);
            out.push([k, o[k]!]);
          } else out[at] = [k, o[k]!];
        }
      });
      return objectFrom(out) as { [k: string]: Json };
    },
    partial(a) {
      if (!a.every((v) => v === null || isObject(v))) return undefined;
      const out = new Map<string, Value>();
      for (const v of a) if (v !== null) for (const k of sortedKeys(v as ValueObject)) out.set(k, (v as ValueObject)[k]!);
      return objectFrom(out);
    },
  },
  {
    name: "contains",
    min: 2,
    max: 2,
    signature: "contains(list, value)",
    impl: (a) => list("contains", a, 0).some((x) => deepEqual(x, a[1]!)),
  },
  {
    name: "range",
    min: 1,
    max: 3,
    signature: "range([start,] limit[, step])",
    impl(a) {
      // Terraform: without a step, it is -1 when the limit is below the start (range(4, 1) is [4, 3, 2]).
      const [start, limit] = a.length === 1 ? [0, num("range", a, 0)] : [num("range", a, 0), num("range", a, 1)];
      const step = a.length === 3 ? num("range", a, 2) : limit < start ? -1 : 1;
      if (step === 0) return invalid("range", 2, "step must not be zero");
      if ((limit - start) / step > LIMITS.elements) throw new EvalFailure((s) => sem.tooLarge(s, "the range", LIMITS.elements), null);
      const out: number[] = [];
      // Computing start + i*step (not repeated addition) keeps fractional steps exact-ish and deterministic.
      for (let i = 0; ; i++) {
        const x = start + i * step;
        if (step > 0 ? x >= limit : x <= limit) break;
        out.push(x);
      }
      return out;
    },
  },
  {
    name: "min",
    min: 1,
    max: Infinity,
    signature: "min(numbers...)",
    impl: (a) => a.reduce<number>((m, _, i) => Math.min(m, num("min", a, i)), Infinity),
  },
  {
    name: "max",
    min: 1,
    max: Infinity,
    signature: "max(numbers...)",
    impl: (a) => a.reduce<number>((m, _, i) => Math.max(m, num("max", a, i)), -Infinity),
  },
  { name: "abs", min: 1, max: 1, signature: "abs(number)", impl: (a) => Math.abs(num("abs", a, 0)) },
  { name: "floor", min: 1, max: 1, signature: "floor(number)", impl: (a) => Math.floor(num("floor", a, 0)) || 0 },
  { name: "ceil", min: 1, max: 1, signature: "ceil(number)", impl: (a) => Math.ceil(num("ceil", a, 0)) || 0 },
  {
    name: "tostring",
    min: 1,
    max: 1,
    signature: "tostring(value)",
    impl: (a) => (a[0] === null ? null : primitiveText("tostring", a[0]!, 0)),
  },
  {
    name: "tonumber",
    min: 1,
    max: 1,
    signature: "tonumber(value)",
    impl(a) {
      const v = a[0]!;
      if (v === null || typeof v === "number") return v;
      const s = str("tonumber", a, 0);
      // JSON's number grammar: no hex, no leading "+", no whitespace, no Infinity.
      if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(s)) return invalid("tonumber", 0, `${JSON.stringify(s)} is not a number`);
      return checkDecoded("tonumber", Number(s));
    },
  },
  { name: "jsonencode", min: 1, max: 1, signature: "jsonencode(value)", impl: (a) => boundedStr("jsonencode", canonicalize(a[0])) },
  {
    name: "jsondecode",
    min: 1,
    max: 1,
    signature: "jsondecode(string)",
    impl(a) {
      const s = str("jsondecode", a, 0);
      let v: unknown;
      try {
        v = JSON.parse(s);
      } catch (e) {
        return invalid("jsondecode", 0, `not valid JSON (${(e as Error).message})`);
      }
      const problem = jsonTextProblem(s);
      if (problem?.kind === "number") return invalid("jsondecode", 0, inexact(problem.token));
      if (problem?.kind === "duplicate") return invalid("jsondecode", 0, `the key ${JSON.stringify(problem.key)} is given twice in one object`);
      return checkDecoded("jsondecode", v, 0, true);
    },
  },
  {
    name: "yamlencode",
    min: 1,
    max: 1,
    signature: "yamlencode(value)",
    // Terraform's style: keys and strings double-quoted, sequences not indented under their key.
    impl: (a) =>
      boundedStr(
        "yamlencode",
        stringifyYaml(a[0], { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false, defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "QUOTE_DOUBLE", indentSeq: false }),
      ),
  },
  {
    name: "yamldecode",
    min: 1,
    max: 1,
    signature: "yamldecode(string)",
    impl(a) {
      const s = str("yamldecode", a, 0);
      // Measured before parsing: the parser recurses per level, and running out of stack can
      // abort the process instead of throwing (see yamlTooDeepAt).
      if (yamlTooDeepAt(s, LIMITS.depth) !== null) throw new EvalFailure((sp) => sem.valueTooDeep(sp, "the document given to `yamldecode`", LIMITS.depth), 0);
      return checkDecoded("yamldecode", decodeYaml(s), 0, true);
    },
  },
  {
    name: "base64encode",
    min: 1,
    max: 1,
    signature: "base64encode(string)",
    impl: (a) => Buffer.from(str("base64encode", a, 0), "utf8").toString("base64"),
  },
  {
    name: "base64decode",
    min: 1,
    max: 1,
    signature: "base64decode(string)",
    impl(a) {
      const s = str("base64decode", a, 0);
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return invalid("base64decode", 0, "not valid base64");
      try {
        return utf8.decode(Buffer.from(s, "base64"));
      } catch {
        return invalid("base64decode", 0, "the decoded bytes are not UTF-8 text");
      }
    },
  },
  {
    name: "file",
    min: 1,
    max: 1,
    signature: "file(path)",
    compileTimeOnly: true,
    impl(a, ctx) {
      const p = str("file", a, 0);
      const resolved = resolveProjectPath(ctx.file, p);
      if (resolved === null) throw new EvalFailure((s) => sem.fileEscapes(s, p), 0);
      const text = ctx.readFile ? ctx.readFile(resolved) : null;
      if (text === null) throw new EvalFailure((s) => sem.fileNotFound(s, p), 0);
      return text;
    },
  },
  {
    name: "secret",
    min: 1,
    max: 1,
    signature: "secret(name)",
    compileTimeOnly: true,
    impl(a) {
      // The evaluator turns secret() into an Unknown; reaching here means a name was checked only.
      return str("secret", a, 0);
    },
  },
  {
    name: "input",
    min: 1,
    max: 1,
    signature: "input(name)",
    compileTimeOnly: true,
    impl(a) {
      // The evaluator answers input() from the environment's values; reaching here means a name was checked only.
      return str("input", a, 0);
    },
  },
];

// Each group of functions (as Terraform's reference groups them) lives in its own module.
const defs: Builtin[] = [...core, ...numeric, ...strings, ...collections, ...encoding, ...filesystem, ...datetime, ...hashing, ...network, ...conversion, ...templates];

/** Every built-in by name. */
export const BUILTINS: ReadonlyMap<string, Builtin> = builtinMap(defs);

/** The names a user calls (a splat's `[*]` is written `xs[*]`, never called): for "did you mean". */
export const FUNCTION_NAMES: readonly string[] = [...BUILTINS.keys()].filter((n) => /^[a-z]/.test(n));

function builtinMap(all: readonly Builtin[]): Map<string, Builtin> {
  const m = new Map<string, Builtin>();
  for (const d of all) {
    if (m.has(d.name)) throw new Error(`built-in function ${d.name} is defined twice`);
    m.set(d.name, d);
  }
  return m;
}

/** "1 argument", "2 to 3 arguments", "at least 1 argument". */
export function arityText(b: Builtin): string {
  const n = (k: number) => `${k} argument${k === 1 ? "" : "s"}`;
  if (b.max === Infinity) return `at least ${n(b.min)}`;
  if (b.min === b.max) return n(b.min);
  return `${b.min} to ${n(b.max)}`;
}


/** Calls a built-in on known arguments (runtime and compile time). */
export function callBuiltin(name: string, args: Json[], ctx: CallContext): Json {
  const b = BUILTINS.get(name);
  if (!b) throw new EvalFailure((s) => sem.unknownFunction(s, name, null), null);
  return b.impl(args, ctx);
}
