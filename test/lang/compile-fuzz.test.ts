import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import { compileProjectFiles } from "../../src/lang/compile-project.js";
import { TokenList } from "../../src/lang/lexer.js";
import { loadProjectFromFiles } from "../../src/lang/project.js";
import { LIMITS } from "../../src/lang/values.js";

/**
 * Whole-compiler fuzzing: mutations of the fixture projects (byte flips, token splices, long
 * chains, deep nesting, alias bombs in lexum.yaml, huge comprehension products, error floods)
 * go through loading, parsing, checking and evaluation. A fixed number of cases (seeded), each
 * asserted: no exception, every diagnostic has a code and a location inside its file, and the
 * work stays bounded (evaluation steps under the program budget, token reads linear in the
 * input, heap under a generous ceiling). No wall-clock assertion.
 */

const root = path.resolve(__dirname, "../../fixtures/projects");
const fixtures: { name: string; files: { path: string; text: string }[] }[] = readdirSync(root)
  .sort()
  .map((name) => {
    const dir = path.join(root, name);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".lxm"))
      .sort()
      .map((f) => ({ path: f, text: readFileSync(path.join(dir, f), "utf8") }));
    return { name, files };
  })
  .filter((f) => f.files.length > 0);

const SPLICES = ["{", "}", "[", "]", "(", ")", "\n", "=", ",", '"', "${", "}", "for x in ", ": ", "let ", "resource ", "domain ", "import ", "export ", "/*", "//", "é", "\u0000", "\uD800", "1e400", "?", "=>"];
const HEAP_CEILING = 3 * 1024 ** 3;

/** Compiles a project (bytes through the loader, as the CLI does), checking every invariant. */
function compileChecked(files: { path: string; bytes: Uint8Array }[], yaml: string | null): void {
  let reads = 0;
  const realAt = TokenList.prototype.at;
  TokenList.prototype.at = function (this: TokenList, k: number) {
    reads++;
    return realAt.call(this, k);
  };
  const stats = { steps: 0 };
  let diagnostics: Diagnostic[];
  let texts: Map<string, string>;
  try {
    const loaded = loadProjectFromFiles(files);
    texts = new Map(loaded.files.map((f) => [f.path, f.text]));
    if (yaml !== null) texts.set("lexum.yaml", yaml);
    const { diagnostics: ds } = compileProjectFiles({ files: loaded.files, readFile: () => null, settingsText: yaml, stats });
    diagnostics = [...loaded.diagnostics, ...ds];
  } finally {
    TokenList.prototype.at = realAt;
  }
  const size = files.reduce((n, f) => n + f.bytes.length, 0) + (yaml?.length ?? 0);
  for (const d of diagnostics) {
    expect(d.code).toMatch(/^LXM\d{4}$/);
    expect(d.span, `${d.code} ${d.message}`).toBeDefined();
    const text = d.span!.file === "lexum.yaml" ? yaml : texts.get(d.span!.file) ?? sourceOfBad(files, d.span!.file);
    expect(text, d.span!.file).not.toBeNull();
    expect(d.span!.start).toBeGreaterThanOrEqual(0);
    expect(d.span!.start).toBeLessThanOrEqual(d.span!.end);
    expect(d.span!.end).toBeLessThanOrEqual(text!.length + 1);
  }
  // Work: evaluation within the program budget (a built-in's result may overshoot it once),
  // the parser's token reads linear in the input.
  expect(stats.steps).toBeLessThanOrEqual(LIMITS.steps + LIMITS.elements);
  expect(reads).toBeLessThan(64 * (size + 64));
  expect(process.memoryUsage().heapUsed).toBeLessThan(HEAP_CEILING);
}

/** The text of a file that did not decode (its LXM5004 points into the lenient decoding). */
function sourceOfBad(files: { path: string; bytes: Uint8Array }[], p: string): string | null {
  const f = files.find((x) => x.path === p);
  return f ? new TextDecoder().decode(f.bytes) : null;
}

const enc = (files: { path: string; text: string }[]) => files.map((f) => ({ path: f.path, bytes: new TextEncoder().encode(f.text) }));

describe("compiler fuzzing over the fixture projects", () => {
  it("byte flips", () => {
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }), (fi, flips) => {
        const files = enc(fixtures[fi]!.files);
        const target = files[0]!.bytes.slice();
        for (const [at, byte] of flips) target[at % target.length] = byte;
        compileChecked([{ path: files[0]!.path, bytes: target }, ...files.slice(1)], null);
      }),
      { numRuns: 40, seed: 101 },
    );
  });

  it("token splices", () => {
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom(...SPLICES)), { minLength: 1, maxLength: 6 }), (fi, edits) => {
        const files = fixtures[fi]!.files.map((f) => ({ ...f }));
        let t = files[0]!.text;
        for (const [at, del, ins] of edits) {
          const i = at % (t.length + 1);
          t = t.slice(0, i) + ins + t.slice(i + del);
        }
        files[0] = { path: files[0]!.path, text: t };
        compileChecked(enc(files), null);
      }),
      { numRuns: 60, seed: 202 },
    );
  });

  it("long chains, deep nesting, products and error floods appended to a fixture", () => {
    const grow = fc.oneof(
      fc.integer({ min: 1000, max: 12_000 }).map((n) => {
        let s = "domain fuzz_chain {\n provider fs { root = \"out\" }\n resource fs.dir r0 { path = \"p\" }\n";
        for (let i = 1; i < n; i++) s += ` resource fs.file r${i} {\n  path = "f${i}"\n  content = r${i - 1}.path\n }\n`;
        return s + "}\n";
      }),
      fc.integer({ min: 1000, max: 12_000 }).map((n) => {
        let s = `domain fuzz_lets {\n let l0 = l${n - 1}\n`;
        for (let i = 1; i < n; i++) s += ` let l${i} = [l${i - 1}]\n`;
        return s + "}\n";
      }),
      fc.tuple(fc.integer({ min: 10, max: 5000 }), fc.constantFrom("[", "(", "{a=", '"${', "-")).map(([n, open]) => `domain fuzz_deep {\n let x = ${open.repeat(n)}1\n}\n`),
      fc.integer({ min: 10, max: 3000 }).map((n) => `domain fuzz_json {\n let x = jsondecode("${"[".repeat(n)}${"]".repeat(n)}")\n}\n`),
      fc.tuple(fc.integer({ min: 10, max: 3000 }), fc.integer({ min: 10, max: 3000 })).map(([a, b]) => `domain fuzz_product {\n let x = [for x in range(${a}): [for y in range(${b}): x]]\n}\n`),
      fc.tuple(fc.integer({ min: 100, max: 50_000 }), fc.constantFrom("let = \n", "  a = (\n", "é", "}\n", "resource\n")).map(([n, bad]) => `domain fuzz_flood {\n${bad.repeat(n)}}\n`),
    );
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), grow, (fi, extra) => {
        compileChecked(enc([...fixtures[fi]!.files, { path: "zz-fuzz.lxm", text: extra }]), null);
      }),
      { numRuns: 24, seed: 303 },
    );
  });

  it("alias bombs and broken YAML in lexum.yaml", () => {
    const yaml = fc.oneof(
      fc.integer({ min: 2, max: 9 }).map((levels) => {
        const names = "abcdefghij";
        const lines = [`a: &a [${Array(9).fill("x").join(", ")}]`];
        for (let i = 1; i < levels; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(", ")}]`);
        return lines.join("\n") + "\n";
      }),
      fc.integer({ min: 10, max: 8000 }).map((n) => "providers: " + "[".repeat(n) + "]".repeat(n) + "\n"),
      fc.constantFrom("parallelism: *nope\n", "a: [\n", "state_branch: &x\n  - *x\n", "providers:\n  fs: &p {root: out}\n  fs2: *p\n", ": : :\n"),
    );
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), yaml, (fi, y) => {
        compileChecked(enc(fixtures[fi]!.files), y);
      }),
      { numRuns: 20, seed: 404 },
    );
  });

  it("a product past the budget stops at it, with one LXM2160", () => {
    const stats = { steps: 0 };
    const text = "domain p {\n let x = [for x in range(5000): [for y in range(5000): x]]\n}\n";
    const r = compileProjectFiles({ files: [{ path: "p.lxm", text }], readFile: () => null, settingsText: null, stats });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2160"]);
    expect(stats.steps).toBeGreaterThan(LIMITS.steps);
    expect(stats.steps).toBeLessThanOrEqual(LIMITS.steps + LIMITS.elements);
  });
});
