import { Lexer, Parser } from "yaml";

/**
 * Where YAML text first nests its collections (block or flow, maps or sequences) more than
 * `limit` deep, as an offset into the text, or null; told without recursion. The `yaml`
 * package's CST parser keeps an explicit stack (the document, the open collections, at most
 * one scalar being read); the answer is the start of the token that takes that stack past
 * `limit + 2`. So an offset means more than `limit` collections deep, and null means at most
 * `limit + 1`. Stops reading there: linear in the text read.
 *
 * Why it exists: the package's composer and `toJS` recurse once per level, and V8 does not
 * always turn running out of stack into a RangeError. When the stack runs out while V8
 * compiles a regular expression, the process aborts ("RegExpCompiler Allocation failed -
 * process out of memory"): `parseDocument` of `[` × 6,910 does so in Node 20. Text that
 * passes this check with `limit` 512 (514 levels at most) parses with a 700 KB stack but not
 * with 600 KB (`node --stack-size`, flow and block forms), of the default 984 KB.
 */
export function yamlTooDeepAt(text: string, limit: number): number | null {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    for (const _token of parser.next(lexeme)) {
      // Finished top-level tokens are not needed here: only the stack of open ones is.
    }
    if (parser.stack.length > limit + 2) return Math.min(Math.max(parser.offset - lexeme.length, 0), text.length);
  }
  return null;
}
