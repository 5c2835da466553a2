import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatSource } from "../../src/lang/format.js";
import { POSITION_KEYS } from "../../src/lang/nodes.js";
import { parseFile } from "../../src/lang/parser.js";

const ROOT = new URL("../../fixtures/projects/", import.meta.url).pathname;

function lxmFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...lxmFiles(p));
    else if (e.name.endsWith(".lxm")) out.push(p);
  }
  return out.sort();
}

/** The AST without spans and comments: what the program means. */
export function meaning(text: string): string {
  const r = parseFile("f.lxm", text);
  return JSON.stringify(r.file, (k, v) => (POSITION_KEYS.has(k) || k === "comments" ? undefined : v));
}
const commentTexts = (text: string) => parseFile("f.lxm", text).file.comments.map((c) => c.text.replace(/\r\n?/g, "\n")).sort();

function fmt(text: string): string {
  const r = formatSource("f.lxm", text);
  expect(r.diagnostics).toEqual([]);
  return r.text!;
}

/** The properties every formatting must have. */
export function checkFormatting(text: string): string {
  const once = fmt(text);
  expect(fmt(once)).toBe(once);
  expect(meaning(once)).toBe(meaning(text));
  expect(commentTexts(once)).toEqual(commentTexts(text));
  return once;
}

describe("formatter", () => {
  it("formats the LANGUAGE.md example canonically", () => {
    const src = readFileSync(join(ROOT, "language-example/main.lxm"), "utf8");
    const out = checkFormatting(src);
    expect(out).toContain('  provider fs { root = "out" } // provider configuration, visible in this domain only\n');
    expect(out).toContain(
      '    path    = "${data.path}/settings.json"\n    content = jsonencode({ port = 8080, replicas = 3 })\n    mode    = "0644"\n',
    );
    expect(out).toContain("    timeout    = 30s // per action\n    retries    = 2 // bounded; deterministic backoff\n");
    expect(out).toContain('    assert len(page) == 3 : "three pages expected"\n');
    expect(out).toMatch(/^}\n\ndomain web \{$/m);
  });

  it("keeps every fixture's meaning and comments, and is idempotent", () => {
    const files = lxmFiles(ROOT);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      if (parseFile(f, text).diagnostics.length > 0) continue;
      checkFormatting(text);
    }
  });

  it("indents by two, spaces operators, aligns `=` in runs broken by blank lines and comments", () => {
    const src = `domain   a{
resource fs.file f{
path="p"
content=1+2*3
// note
mode    ="0644"
x = 1

longer_name=[1,2]
}
}`;
    expect(checkFormatting(src)).toBe(`domain a {
  resource fs.file f {
    path    = "p"
    content = 1 + 2 * 3
    // note
    mode = "0644"
    x    = 1

    longer_name = [1, 2]
  }
}
`);
  });

  it("lays out multi-line lists, objects and calls one element per line with trailing commas", () => {
    const src = `domain a {
  let xs = [1,
    2]
  let o = {a: 1, "b-c" = { d = 2 }
    long_key = f(
      x, y)}
  let s = [ "x" , "y" ]
}`;
    expect(checkFormatting(src)).toBe(`domain a {
  let xs = [
    1,
    2,
  ]
  let o = {
    a     = 1,
    "b-c" = { d = 2 },
    long_key = f(
      x,
      y,
    ),
  }
  let s = ["x", "y"]
}
`);
  });

  it("collapses blank lines, separates domains by one blank line and keeps literals raw", () => {
    const src = `// header


domain a {


  let x = 0x0 == 1 ? 1.50 : 2.0e3



  let y = """
    keep   \${x}
      this
  """
}
domain b {
  let z = "tab\\t\${a.b}"
}`;
    const out = checkFormatting(src.replace("0x0 == 1", "1.0 == 1"));
    expect(out).toBe(`// header

domain a {
  let x = 1.0 == 1 ? 1.50 : 2.0e3

  let y = """
    keep   \${x}
      this
  """
}

domain b {
  let z = "tab\\t\${a.b}"
}
`);
  });

  it("never loses comments, including ones inside expressions and strings", () => {
    const src = `domain a { // d
  /* before */ let x = 1 + /* mid */ 2 // end
  let y = 1 + // moved
    2
  let z = [ // open
    1, // one
    // own line
    2 /* two */,
  ] // after
  let s = "\${x /* in string */}"
  // last
}
// eof`;
    const out = checkFormatting(src);
    expect(out).toContain("  // moved\n  let y = 1 + 2\n");
    expect(out).toContain("  let x = 1 + /* mid */ 2 // end\n");
    expect(out).toContain("  let z = [ // open\n    1, // one\n    // own line\n");
  });

  it("rewrites CRLF to LF and handles a BOM", () => {
    const out = checkFormatting("\uFEFFdomain a {\r\n  let x = 1\r\n}\r\n");
    expect(out).toBe("domain a {\n  let x = 1\n}\n");
  });

  it("does not format a file that does not parse", () => {
    const r = formatSource("f.lxm", "domain a {\n  let x = \n}");
    expect(r.text).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM1021"]);
  });

  it("keeps one-line blocks on one line and empty blocks empty", () => {
    expect(checkFormatting('domain a {\n  provider fs {root="x"}\n  policy {\n  }\n  goal g {}\n}')).toBe(
      'domain a {\n  provider fs { root = "x" }\n  policy {}\n  goal g {}\n}\n',
    );
  });
});
