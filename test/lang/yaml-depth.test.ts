import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { parseProjectSettings } from "../../src/lang/project.js";
import { LIMITS } from "../../src/lang/values.js";
import { yamlTooDeepAt } from "../../src/lang/yaml-depth.js";

/**
 * Deep YAML is measured before the `yaml` package parses it: its composer recurses per level,
 * and running out of stack inside V8's regular-expression compiler aborts the process
 * ("RegExpCompiler Allocation failed - process out of memory") where a RangeError was
 * expected. `providers: [` × 6,910 (a case of the compiler fuzz test) did so in the test
 * worker: the run lost that worker.
 */

/** Each way YAML nests, `n` levels of lists or maps deep. */
const FORMS: Record<string, (n: number) => string> = {
  "flow sequences": (n) => "[".repeat(n) + "]".repeat(n),
  "flow maps": (n) => "{a: ".repeat(n) + "1" + "}".repeat(n),
  "block sequences": (n) => "- ".repeat(n) + "x\n",
  "block maps": (n) => Array.from({ length: n }, (_, i) => " ".repeat(i) + "a:").join("\n") + " 1\n",
  "flow inside block": (n) => "a:\n  - " + "[".repeat(n - 2) + "1" + "]".repeat(n - 2) + "\n",
};

/** How deep a parsed value nests lists and objects (iteratively: the values here are deep). */
function depthOf(v: unknown): number {
  let max = 0;
  const todo: [unknown, number][] = [[v, 0]];
  while (todo.length > 0) {
    const [x, d] = todo.pop()!;
    if (x === null || typeof x !== "object") continue;
    max = Math.max(max, d + 1);
    for (const c of Object.values(x)) todo.push([c, d + 1]);
  }
  return max;
}

describe("yamlTooDeepAt", () => {
  for (const [name, make] of Object.entries(FORMS)) {
    it(`${name}: null at the limit, an offset two levels past it`, () => {
      // The forms nest exactly as deep as asked: the parsed value says so.
      expect(depthOf(parseYaml(make(40)))).toBe(40);
      expect(yamlTooDeepAt(make(40), 40)).toBeNull();
      expect(yamlTooDeepAt(make(42), 40)).not.toBeNull();
      expect(yamlTooDeepAt(make(LIMITS.depth), LIMITS.depth)).toBeNull();
      expect(yamlTooDeepAt(make(LIMITS.depth + 2), LIMITS.depth)).not.toBeNull();
    });
  }

  it("points at the bracket that opens one level too many, and stops reading there", () => {
    const text = "providers: " + "[".repeat(100_000) + "]".repeat(100_000);
    const at = yamlTooDeepAt(text, 10)!;
    expect(text[at]).toBe("[");
    // Document, the `providers` map, and the brackets opened so far: past 10 + 2.
    expect(at).toBe("providers: ".length + 10);
  });

  it("is not fooled by brackets in quoted scalars or comments", () => {
    const brackets = "[".repeat(2000);
    expect(yamlTooDeepAt(`a: "${brackets}"\nb: '${brackets}'\n# ${brackets}\nc: [[1]]\n`, 3)).toBeNull();
  });
});

describe("deep YAML is refused before it is parsed", () => {
  const deep = "providers: " + "[".repeat(6910) + "]".repeat(6910) + "\n";

  it("lexum.yaml 6,910 deep, again and again: LXM2140 at the first level too many, the process alive", () => {
    // Before the measurement, the fifth parse of this text aborted the process.
    for (let i = 0; i < 10; i++) {
      const r = parseProjectSettings(deep);
      expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([["LXM2140", `lexum.yaml: the document nests too deeply (more than ${LIMITS.depth} levels)`]]);
      expect(r.diagnostics[0]!.span).toEqual({ file: "lexum.yaml", start: "providers: ".length + LIMITS.depth, end: "providers: ".length + LIMITS.depth + 1 });
    }
  });

  it("lexum.yaml as deep as the limit is parsed and checked against its schema", () => {
    const r = parseProjectSettings("state_branch: " + "[".repeat(LIMITS.depth - 1) + "]".repeat(LIMITS.depth - 1) + "\n");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2141"]);
  });

  it("yamldecode of a document 6,910 deep, again and again: LXM2161 at its argument", () => {
    const text = `domain a {\n let x = yamldecode("${"[".repeat(6910)}${"]".repeat(6910)}")\n}\n`;
    for (let i = 0; i < 10; i++) {
      const r = compile([{ path: "m.lxm", text }], { readFile: () => null });
      expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2161"]);
      expect(r.diagnostics[0]!.span!.start).toBe(text.indexOf('"[')); // the document argument
    }
  });

  it("yamldecode as deep as the limit gives the value; one level deeper is LXM2161", () => {
    const at = (n: number) => `domain a {\n export x = yamldecode("${"[".repeat(n)}1${"]".repeat(n)}")\n}\n`;
    const ok = compile([{ path: "m.lxm", text: at(LIMITS.depth) }], { readFile: () => null });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.program!.domains["a"]!.exports["x"]!.kind).toBe("value");
    expect(depthOf((ok.program!.domains["a"]!.exports["x"] as { value: unknown }).value)).toBe(LIMITS.depth);
    expect(compile([{ path: "m.lxm", text: at(LIMITS.depth + 1) }], { readFile: () => null }).diagnostics.map((d) => d.code)).toEqual(["LXM2161"]);
  });
});
