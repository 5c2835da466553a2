import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import type { CompileResult } from "../../src/lang/compile.js";
import { projectFileReader } from "../../src/lang/file-reader.js";
import { formatSource } from "../../src/lang/format.js";

/**
 * Properties of the whole compiler: the program hash covers meaning, not layout; `fmt`
 * never changes meaning; no input makes compile() throw.
 */

type Files = { path: string; text: string }[];

/** A small deterministic PRNG, so that layouts are a pure function of fast-check's seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}
function shuffle<T>(xs: readonly T[], r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// ------------------------------------------------------------------ generated programs

interface DomainModel {
  readonly name: string;
  /** Declarations, each a complete piece of text (possibly several lines). */
  readonly decls: string[];
}

/**
 * A program model: domains d0…dN-1, each with lets, plain and `for` resources, exports, a
 * goal that holds, maybe a policy; domain i imports from some domains j < i (acyclic).
 */
const programModel = fc
  .record({
    domains: fc.array(
      fc.record({
        num: fc.integer({ min: 0, max: 99 }),
        word: fc.constantFrom("alpha", "beta", "gamma", "delta"),
        pages: fc.uniqueArray(fc.constantFrom("index", "about", "blog", "faq", "team"), { minLength: 1, maxLength: 3 }),
        files: fc.integer({ min: 0, max: 3 }),
        withFor: fc.boolean(),
        withPolicy: fc.boolean(),
        imports: fc.array(fc.nat(), { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ domains }): DomainModel[] =>
    domains.map((d, i) => {
      const name = `d${i}`;
      const decls: string[] = [`provider fs { root = "out" }`, `let n = ${d.num}`, `let word = "${d.word}"`, `let pages = [${d.pages.map((p) => `"${p}"`).join(", ")}]`];
      decls.push(`let label = "\${upper(word)}-\${n * 2 + 1}"`);
      decls.push(`let meta = { count = len(pages), first = pages[0], tag = label }`);
      decls.push(`export n`, `export label`, `export total = n + len(pages)`);
      const imported = [...new Set(d.imports.filter(() => i > 0).map((k) => k % i))].sort((a, b) => a - b);
      for (const j of imported) decls.push(`import d${j}.total as total_${j}`, `let from_${j} = total_${j} + n`);
      for (let k = 0; k < d.files; k++) {
        const content = k % 2 === 0 ? `jsonencode(meta)` : `"\${label}:\${join(",", pages)}"`;
        decls.push(`resource fs.file f${k} {\n    path    = "${name}/f${k}.txt"\n    content = ${content}\n  }`);
      }
      if (d.withFor) {
        decls.push(`resource fs.file page for p in pages {\n    path    = "${name}/pages/\${p}.html"\n    content = "<h1>\${upper(p)}</h1>"\n  }`);
        decls.push(`goal pages_ok {\n    assert len(page) == ${d.pages.length} : "one page per name"\n  }`);
      }
      if (d.withPolicy) decls.push(`policy {\n    timeout = 30s\n    retries = 2\n  }`);
      return { name, decls };
    }),
  );

/** Text of one domain block from its declarations in the given order, with given trivia. */
function domainText(d: DomainModel, order: readonly string[], r: () => number, trivia: boolean): string {
  const sep = () => (trivia ? ["\n", "\n\n", "\n  // note\n", "\n  /* block\n  comment */\n", "   \n\n"][Math.floor(r() * 5)]! : "\n");
  const indent = () => (trivia ? ["  ", "    ", "\t", " "][Math.floor(r() * 4)]! : "  ");
  const head = trivia && r() < 0.5 ? `// domain ${d.name}\ndomain   ${d.name}{` : `domain ${d.name} {`;
  return `${head}\n${order.map((x) => indent() + x).join(sep())}\n}\n`;
}

/** The canonical layout: one file per domain, declarations as generated. */
function canonical(model: DomainModel[]): Files {
  return model.map((d) => ({ path: `${d.name}.lxm`, text: domainText(d, d.decls, () => 0, false) }));
}

/** Another layout of the same program: domains spread over renamed files, shuffled declarations, trivia. */
function relayout(model: DomainModel[], seed: number, opts: { shuffleDecls: boolean; trivia: boolean; moveDomains: boolean; rename: boolean }): Files {
  const r = rng(seed);
  const nFiles = opts.moveDomains ? 1 + Math.floor(r() * model.length) : model.length;
  const buckets: string[][] = Array.from({ length: nFiles }, () => []);
  model.forEach((d, i) => {
    const b = opts.moveDomains ? Math.floor(r() * nFiles) : i;
    const order = opts.shuffleDecls ? shuffle(d.decls, r) : d.decls;
    buckets[b]!.push(domainText(d, order, r, opts.trivia));
  });
  const files = buckets
    .map((texts, i) => ({ path: opts.rename ? `nested/x${Math.floor(r() * 1000)}_${i}.lxm` : `d${i}.lxm`, text: shuffle(texts, r).join(opts.trivia ? "\n\n// --\n" : "\n") }))
    .filter((f) => f.text.length > 0);
  return shuffle(files, r);
}

const hashOf = (files: Files, opts = {}): CompileResult => compile(files, opts);

describe("program hash: meaning, not layout", () => {
  it("generated programs compile without diagnostics (so the properties below are not vacuous)", () => {
    for (const model of fc.sample(programModel, { numRuns: 30, seed: 3 })) {
      const r = hashOf(canonical(model));
      expect(r.diagnostics).toEqual([]);
      expect(r.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  const cases = [
    { title: "shuffling file order and renaming files", opts: { shuffleDecls: false, trivia: false, moveDomains: false, rename: true } },
    { title: "moving domains between files", opts: { shuffleDecls: false, trivia: false, moveDomains: true, rename: false } },
    { title: "shuffling declaration order within each domain", opts: { shuffleDecls: true, trivia: false, moveDomains: false, rename: false } },
    { title: "whitespace and comment changes", opts: { shuffleDecls: false, trivia: true, moveDomains: false, rename: false } },
    { title: "all of these at once", opts: { shuffleDecls: true, trivia: true, moveDomains: true, rename: true } },
  ];
  for (const c of cases) {
    it(`is invariant under ${c.title}`, () => {
      fc.assert(
        fc.property(programModel, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (model, seed) => {
          const base = hashOf(canonical(model));
          const moved = hashOf(relayout(model, seed, c.opts));
          expect(moved.diagnostics).toEqual([]);
          expect(moved.hash).toBe(base.hash);
        }),
        { numRuns: 40, seed: 17 },
      );
    });
  }

  it("changes when the meaning changes (a value, a path)", () => {
    fc.assert(
      fc.property(programModel, (model) => {
        const base = hashOf(canonical(model)).hash;
        const bumped = model.map((d, i) => (i === 0 ? { ...d, decls: d.decls.map((x) => (x.startsWith("let n = ") ? `let n = ${Number(x.slice(8)) + 1}` : x)) } : d));
        expect(hashOf(canonical(bumped)).hash).not.toBe(base);
      }),
      { numRuns: 20, seed: 23 },
    );
  });
});

// ------------------------------------------------------------------ fmt

const projectsDir = path.resolve(__dirname, "../../fixtures/projects");
const fixtureProjects = fs
  .readdirSync(projectsDir)
  .filter((n) => fs.statSync(path.join(projectsDir, n)).isDirectory())
  .sort()
  .map((name) => {
    const dir = path.join(projectsDir, name);
    const files: Files = [];
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".lxm")) files.push({ path: p, text: fs.readFileSync(path.join(dir, p), "utf8") });
      }
    };
    walk("");
    return { name, dir, files };
  });

/** Formats every file; throws if one does not format. */
function fmtAll(files: Files): Files {
  return files.map((f) => {
    const r = formatSource(f.path, f.text);
    if (r.text === null) throw new Error(`${f.path} did not format: ${r.diagnostics.map((d) => d.message).join("; ")}`);
    return { path: f.path, text: r.text };
  });
}

describe("fmt is idempotent and hash-preserving", () => {
  it("has fixture projects to check", () => {
    expect(fixtureProjects.length).toBeGreaterThanOrEqual(6);
  });
  for (const p of fixtureProjects) {
    it(`on fixtures/projects/${p.name}`, () => {
      const opts = { readFile: projectFileReader(p.dir) };
      const before = compile(p.files, opts);
      expect(before.diagnostics).toEqual([]);
      const once = fmtAll(p.files);
      expect(fmtAll(once)).toEqual(once);
      expect(compile(once, opts).hash).toBe(before.hash);
    });
  }

  it("on generated programs in any layout", () => {
    fc.assert(
      fc.property(programModel, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (model, seed) => {
        const files = relayout(model, seed, { shuffleDecls: true, trivia: true, moveDomains: true, rename: false });
        const once = fmtAll(files);
        expect(fmtAll(once)).toEqual(once);
        expect(compile(once).hash).toBe(compile(files).hash);
        // Comments survive formatting.
        const count = (fs_: Files) => fs_.reduce((n, f) => n + (f.text.match(/\/\/|\/\*/g)?.length ?? 0), 0);
        expect(count(once)).toBe(count(files));
      }),
      { numRuns: 40, seed: 29 },
    );
  });
});

// ------------------------------------------------------------------ robustness

const FRAGMENTS = ["{", "}", "[", "]", "(", ")", '"', "${", "\n", "=", ",", ".", "domain x {", "let", "import", "export", "resource fs.file", "for", "in", "1e400", "9007199254740993", "\u0000", "\r", "\ufeff", "'", "/*", "//", "depends_on = [", "file(\"../x\")", "range(0, 10000000)", "a.b.c", "-", "!", "?", ":"];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant("char" as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 2 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, ms: readonly Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.at % t.length;
    if (m.kind === "delete") t = t.slice(0, at) + t.slice(at + m.len);
    else if (m.kind === "insert") t = t.slice(0, at) + m.text + t.slice(at);
    else if (m.kind === "duplicate") t = t.slice(0, at + m.len) + t.slice(at, at + m.len) + t.slice(at + m.len);
    else t = t.slice(0, at) + m.text + t.slice(at + 1);
  }
  return t;
}

describe("compile never throws", () => {
  it("on mutated fixture sources: either a hashed program or error diagnostics with valid spans", () => {
    fc.assert(
      fc.property(fc.constantFrom(...fixtureProjects), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat(), (p, ms, which) => {
        const files = p.files.map((f, i) => (i === which % p.files.length ? { path: f.path, text: mutate(f.text, ms) } : f));
        const r = compile(files, { readFile: projectFileReader(p.dir) });
        if (r.program) {
          expect(r.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        } else {
          expect(r.hash).toBeNull();
          expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
        }
        for (const d of r.diagnostics) {
          expect(d.code).toMatch(/^LXM[12]\d{3}$/);
          if (!d.span) continue;
          const text = files.find((f) => f.path === d.span!.file)?.text;
          expect(text).toBeDefined();
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.start).toBeLessThanOrEqual(d.span.end);
          expect(d.span.end).toBeLessThanOrEqual(text!.length);
        }
      }),
      { numRuns: 300, seed: 41 },
    );
  });
});
