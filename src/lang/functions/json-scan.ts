import { checkNumber } from "../lexer.js";

/** What makes valid JSON text unfit for Lexum: a number not exactly representable, or a key given twice. */
export type JsonTextProblem = { readonly kind: "number"; readonly token: string } | { readonly kind: "duplicate"; readonly key: string };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The first problem of JSON text that JSON.parse accepted, or null, found in one pass
 * without recursion: a number token that does not denote its double exactly (the rule number
 * literals follow, so `jsondecode("9007199254740993")` and the literal agree), or an object
 * key given twice (JSON.parse would keep the last silently).
 */
export function jsonTextProblem(text: string): JsonTextProblem | null {
  // One entry per open collection: an object's keys so far (and whether a key comes next), or null for a list.
  const open: ({ keys: Set<string>; key: boolean } | null)[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "{") {
      open.push({ keys: new Set(), key: true });
      i++;
    } else if (c === "[") {
      open.push(null);
      i++;
    } else if (c === "}" || c === "]") {
      open.pop();
      i++;
    } else if (c === ",") {
      const top = open[open.length - 1];
      if (top) top.key = true;
      i++;
    } else if (c === ":") {
      const top = open[open.length - 1];
      if (top) top.key = false;
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const top = open[open.length - 1];
      if (top && top.key) {
        const k = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(k)) return { kind: "duplicate", key: k };
        top.keys.add(k);
      }
      i = j + 1;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)![0];
      if ("error" in checkNumber(token)) return { kind: "number", token };
      i += token.length;
    } else i++;
  }
  return null;
}
