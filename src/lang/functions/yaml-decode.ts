import { parseDocument, visit } from "yaml";
import type { Node } from "yaml";
import { checkNumber } from "../lexer.js";
import { invalid } from "./args.js";

/** The problem with a number token as written that does not denote its double exactly. */
export function inexact(token: string): string {
  return `the number ${token} cannot be represented exactly (integers must lie within ±2^53, and numbers must be finite)`;
}

/**
 * A YAML document (YAML 1.2 core schema) as a plain value, refusing what would decode
 * silently into something else or blow up: an unknown tag (`!not-supported foo` is not the
 * string "foo"), a key given twice, an alias inside the node it names (a recursive
 * structure), more than 100 alias expansions (the "billion laughs"), and a number that its
 * text does not denote exactly (the rule number literals follow). Errors are located at the
 * argument (LXM2044). The depth is checked by the caller before parsing.
 */
export function decodeYaml(text: string): unknown {
  const doc = parseDocument(text, { schema: "core", merge: false, uniqueKeys: true, intAsBigInt: false, logLevel: "silent" });
  const first = doc.errors[0] ?? doc.warnings[0];
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

