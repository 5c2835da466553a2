import { parseAllDocuments, visit } from "yaml";
import type { Node, ScalarTag } from "yaml";
import { checkNumber } from "../lexer.js";
import { invalid } from "./args.js";

/** The problem with a number token as written that does not denote its double exactly. */
export function inexact(token: string): string {
  return `the number ${token} cannot be represented exactly (integers must lie within ±2^53, and numbers must be finite)`;
}

/** Marks the problems of the explicit tags below, to tell them from the parser's own. */
const TAGGED = "yamldecode-tag: ";
const CORE = "tag:yaml.org,2002:";

/**
 * A scalar written with an explicit tag (`!!float 1`), as Terraform reads it: a number for
 * `!!int` and `!!float` (decimal, or 0x/0o for `!!int`), the base64 text itself for
 * `!!binary` (Terraform has no bytes: it keeps the text, checked), `true`/`false` for
 * `!!bool`, the null spellings for `!!null`; `!!timestamp` is refused. The parser's core
 * schema would take `!!float 1` for an unknown tag, and `!!binary` for bytes that no Lexum
 * value can hold.
 */
function explicit(name: string, read: (s: string) => unknown, refusal = (s: string) => `${JSON.stringify(s)} is not a value of its tag !!${name}`): ScalarTag {
  return {
    tag: CORE + name,
    resolve(s, onError) {
      const v = read(s);
      if (v === undefined) onError(TAGGED + refusal(s));
      return v === undefined ? s : (v as string);
    },
  } as ScalarTag;
}
const EXPLICIT: ScalarTag[] = [
  explicit("int", (s) => (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^0x[0-9a-fA-F]+$|^0o[0-7]+$/.test(s) ? Number(s) : undefined)),
  explicit("float", (s) => (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(s) ? Number(s) : undefined)),
  explicit("bool", (s) => (/^(?:true|True|TRUE)$/.test(s) ? true : /^(?:false|False|FALSE)$/.test(s) ? false : undefined)),
  explicit("null", (s) => (/^(?:~|null|Null|NULL|)$/.test(s) ? null : undefined)),
  explicit("binary", (s) => (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s.replace(/[\r\n]/g, "")) ? s : undefined)),
  // Terraform turns a !!timestamp into an RFC 3339 string; Lexum reads none (a date is a string in the core schema).
  explicit("timestamp", () => undefined, () => "the tag !!timestamp is not supported: write the time as a plain string"),
];

/**
 * A YAML document (YAML 1.2 core schema) as a plain value, refusing what would decode
 * silently into something else or blow up: an unknown tag (`!not-supported foo` is not the
 * string "foo"), a key given twice, an alias inside the node it names (a recursive
 * structure), more than 100 alias expansions (the "billion laughs"), and a number that its
 * text does not denote exactly (the rule number literals follow), and a second document (as
 * Terraform: only a single document is allowed). Errors are located at the argument (LXM2044).
 * The depth is checked by the caller before parsing.
 */
export function decodeYaml(text: string): unknown {
  const docs = parseAllDocuments(text, { schema: "core", merge: false, uniqueKeys: true, intAsBigInt: false, logLevel: "silent", customTags: (tags) => [...tags, ...EXPLICIT] });
  // No document at all (empty text, comments only): null, as before.
  if (docs.length === 0) return null;
  const doc = docs[0]!;
  if (docs.length > 1) return invalid("yamldecode", 0, `only a single document is allowed, and the text holds ${docs.length} (each \`---\` starts one)`);
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first?.message.startsWith(TAGGED)) return invalid("yamldecode", 0, first.message.slice(TAGGED.length).split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
  if (first?.code === "TAG_RESOLVE_FAILED") {
    const tag = /Unresolved tag: (\S+)/.exec(first.message)?.[1] ?? "?";
    return invalid("yamldecode", 0, `the tag ${tag} is not one of the YAML 1.2 core schema's (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map)`);
  }
  if (first) return invalid("yamldecode", 0, `not valid YAML (${first.message.split("\n")[0]})`);
  let problem: string | null = null;
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "number" || problem !== null) return;
      const src = node.source ?? "";
      const decimal = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(src);
      if (decimal ? "error" in checkNumber(src.replace(/^\+/, "")) : !Number.isSafeInteger(node.value) && Number.isFinite(node.value)) problem = inexact(src);
      if (!Number.isFinite(node.value)) problem = `the number ${src} is not finite`;
    },
    Alias(_key, node, path) {
      const target = node.resolve(doc);
      if (target && path.includes(target as Node)) {
        problem = `the alias *${node.source} sits inside the node it names (a recursive structure)`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (problem !== null) return invalid("yamldecode", 0, problem);
  try {
    const v = doc.toJS({ maxAliasCount: 100 });
    return v === undefined ? null : v;
  } catch (e) {
    return invalid("yamldecode", 0, `not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
}

