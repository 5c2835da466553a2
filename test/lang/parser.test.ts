import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Expr, LetDecl, ResourceDecl, StringExpr } from "../../src/lang/ast.js";
import { parseFile } from "../../src/lang/parser.js";

const EXAMPLE = readFileSync(new URL("../../fixtures/projects/language-example/main.lxm", import.meta.url), "utf8");

/** Compact prefix form of an expression, to assert structure (precedence, associativity). */
function sx(e: Expr): string {
  switch (e.kind) {
    case "Number":
      return e.raw;
    case "Ref":
      return e.name;
    case "Bool":
      return String(e.value);
    case "Null":
      return "null";
    case "Duration":
      return `${e.ms}ms`;
    case "String":
      return JSON.stringify(e.parts.map((p) => (typeof p === "string" ? p : sx(p))));
    case "Binary":
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case "Unary":
      return `(${e.op} ${sx(e.operand)})`;
    case "Cond":
      return `(? ${sx(e.test)} ${sx(e.then)} ${sx(e.otherwise)})`;
    case "Member":
      return `(. ${sx(e.object)} ${e.name.name})`;
    case "Index":
      return `([] ${sx(e.object)} ${sx(e.index)})`;
    case "Call":
      return `(${e.callee.name} ${e.args.map(sx).join(" ")})`;
    case "Paren":
      return `(paren ${sx(e.expr)})`;
    case "List":
      return `[${e.items.map(sx).join(" ")}]`;
    case "Object":
      return `{${e.entries.map((en) => `${en.key}=${sx(en.value)}`).join(" ")}}`;
    case "ListComp":
      return `[for ${e.vars.map((v) => v.name).join(",")} ${sx(e.source)} ${sx(e.body)}${e.cond ? " if " + sx(e.cond) : ""}]`;
    case "ObjectComp":
      return `{for ${e.vars.map((v) => v.name).join(",")} ${sx(e.source)} ${sx(e.key)}=>${sx(e.value)}${e.cond ? " if " + sx(e.cond) : ""}}`;
    case "Error":
      return "<error>";
  }
}

/** Parses `let x = <src>` in a domain and returns the value. */
function expr(src: string): { e: Expr; codes: string[]; text: string } {
  const text = `domain d {\n  let x = ${src}\n}\n`;
  const r = parseFile("t.lxm", text);
  const let_ = r.file.domains[0]?.items[0] as LetDecl | undefined;
  return { e: let_?.value ?? { kind: "Error", span: { file: "t.lxm", start: 0, end: 0 } }, codes: r.diagnostics.map((d) => d.code), text };
}
const ok = (src: string): string => {
  const r = expr(src);
  expect(r.codes).toEqual([]);
  return sx(r.e);
};
const errs = (text: string) => parseFile("t.lxm", text).diagnostics.map((d) => [d.code, text.slice(d.span!.start, d.span!.end)]);

describe("parser: declarations", () => {
  it("parses the LANGUAGE.md example without diagnostics", () => {
    const r = parseFile("main.lxm", EXAMPLE);
    expect(r.diagnostics).toEqual([]);
    expect(r.file.domains.map((d) => d.name.name)).toEqual(["storage", "web"]);
    expect(r.file.domains[0]!.items.map((i) => i.kind)).toEqual(["Provider", "Let", "Resource", "Resource", "Export", "Export"]);
    expect(r.file.domains[1]!.items.map((i) => i.kind)).toEqual(["Provider", "Import", "Import", "Let", "Resource", "Goal", "Policy"]);
    const page = r.file.domains[1]!.items[4] as ResourceDecl;
    expect(page.forEach?.vars.map((v) => v.name)).toEqual(["name"]);
    expect(page.attributes.map((a) => a.name.name)).toEqual(["path", "content"]);
    const goal = r.file.domains[1]!.items[5]!;
    expect(goal.kind === "Goal" && goal.asserts.map((a) => [sx(a.expr), a.message ? sx(a.message) : null])).toEqual([
      ["(== (len page) 3)", '["three pages expected"]'],
      ['(> (. ([] page ["index"]) size) 0)', '["index.html must not be empty"]'],
      ['(== (. settings path) ["data/settings.json"])', null],
    ]);
    const policy = r.file.domains[1]!.items[6]!;
    expect(policy.kind === "Policy" && policy.attributes.map((a) => [a.name.name, sx(a.value)])).toEqual([
      ["timeout", "30000ms"],
      ["retries", "2"],
      ["on_failure", '["halt"]'],
      ["prune", "true"],
    ]);
    expect(r.file.comments.length).toBe(12);
  });

  it("parses aliases, two-variable for, exports with values and keyword attribute names", () => {
    const r = parseFile(
      "t.lxm",
      `domain a {
  provider sim as backup { root = "x" }
  import b.c as d
  export e = 1
  resource sim.object o for k, v in m {
    provider   = backup
    depends_on = [d]
    protect    = true
  }
}`,
    );
    expect(r.diagnostics).toEqual([]);
    const [p, i, e, res] = r.file.domains[0]!.items;
    expect(p).toMatchObject({ kind: "Provider", provider: { name: "sim" }, alias: { name: "backup" } });
    expect(i).toMatchObject({ kind: "Import", domain: { name: "b" }, name: { name: "c" }, alias: { name: "d" } });
    expect(e).toMatchObject({ kind: "Export", name: { name: "e" }, value: { kind: "Number", value: 1 } });
    expect((res as ResourceDecl).forEach!.vars.map((v) => v.name)).toEqual(["k", "v"]);
    expect((res as ResourceDecl).attributes.map((a) => a.name.name)).toEqual(["provider", "depends_on", "protect"]);
  });

  it("gives every node a span covering exactly its text", () => {
    const text = 'domain a {\n  let x = f(a.b[0], -c) + (d ? "s${e}" : 2)\n}';
    const r = parseFile("t.lxm", text);
    expect(r.diagnostics).toEqual([]);
    const d = r.file.domains[0]!;
    expect(text.slice(d.span.start, d.span.end)).toBe(text);
    const let_ = d.items[0] as LetDecl;
    expect(text.slice(let_.span.start, let_.span.end)).toBe('let x = f(a.b[0], -c) + (d ? "s${e}" : 2)');
    const v = let_.value;
    expect(v.kind).toBe("Binary");
    if (v.kind !== "Binary") return;
    expect(text.slice(v.opSpan.start, v.opSpan.end)).toBe("+");
    expect(text.slice(v.left.span.start, v.left.span.end)).toBe("f(a.b[0], -c)");
    expect(text.slice(v.right.span.start, v.right.span.end)).toBe('(d ? "s${e}" : 2)');
    const call = v.left;
    if (call.kind !== "Call") throw new Error("expected call");
    expect(call.args.map((a) => text.slice(a.span.start, a.span.end))).toEqual(["a.b[0]", "-c"]);
  });
});

describe("parser: expressions", () => {
  it("follows the precedence table", () => {
    expect(ok("1 + 2 * 3 - 4 % 5 / 6")).toBe("(- (+ 1 (* 2 3)) (/ (% 4 5) 6))");
    expect(ok("a || b && c == d < e + f")).toBe("(|| a (&& b (== c (< d (+ e f)))))");
    expect(ok("!a.b[c]")).toBe("(! ([] (. a b) c))");
    expect(ok("-x.y * 2")).toBe("(* (- (. x y)) 2)");
    expect(ok("a ? b : c ? d : e")).toBe("(? a b (? c d e))");
    expect(ok("(1 + 2) * 3")).toBe("(* (paren (+ 1 2)) 3)");
  });

  it("rejects chained comparisons with a hint", () => {
    const r = expr("a < b < c");
    expect(r.codes).toEqual(["LXM1027"]);
    expect(ok("(a < b) < c")).toBe("(< (paren (< a b)) c)");
  });

  it("parses literals, lists, objects and comprehensions", () => {
    expect(ok('[1, "a", true, null, 250ms,]')).toBe('[1 ["a"] true null 250ms]');
    expect(ok('{ a = 1, "k-2" = 2, for: 3 }')).toBe("{a=1 k-2=2 for=3}");
    expect(ok("{\n a = 1\n b = [\n 2,\n 3\n ]\n}")).toBe("{a=1 b=[2 3]}");
    expect(ok("[for x in xs: x * 2 if x > 1]")).toBe("[for x xs (* x 2) if (> x 1)]");
    expect(ok("[for i, x in xs: i]")).toBe("[for i,x xs i]");
    expect(ok("{for k, v in m: k => v if v}")).toBe("{for k,v m k=>v if v}");
    expect(ok("{ for = 1 }")).toBe("{for=1}");
  });

  it("continues an expression onto the next line only after an operator or opener", () => {
    expect(ok("1 +\n    2")).toBe("(+ 1 2)");
    expect(ok("a ?\n b :\n c")).toBe("(? a b c)");
    expect(ok("f(\n a,\n b,\n)")).toBe("(f a b)");
    const r = parseFile("t.lxm", "domain d {\n  let x = 1\n  + 2\n}");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM1025"]);
  });

  it("decodes escapes and interpolations, including nested strings and $${", () => {
    expect(ok('"a\\n\\t\\"\\\\\\$\\u0041\\u{1F600}"')).toBe(JSON.stringify(['a\n\t"\\$A\u{1F600}']));
    expect(ok('"x${"y${z}"}w"')).toBe(JSON.stringify(["x", JSON.stringify(["y", "z"]), "w"]));
    expect(ok('"$${literal} $x"')).toBe(JSON.stringify(["${literal} $x"]));
    const r = expr('"bad \\q here"');
    expect(r.codes).toEqual(["LXM1006"]);
    expect(errs('domain d {\n let x = "a\\qb"\n}')).toEqual([["LXM1006", "\\q"]]);
  });

  it("lays out multi-line strings: first newline dropped, common indent and closing line stripped", () => {
    const s = (src: string) => (expr(src).e as StringExpr).parts;
    expect(s('"""\n    hello\n      world\n    """')).toEqual(["hello\n  world"]);
    expect(s('"""\n  a\n\n  b\n"""')).toEqual(["  a\n\n  b"]);
    expect(s('"""\r\n    x ${y}\r\n    z\r\n    """').map((p) => (typeof p === "string" ? p : sx(p)))).toEqual(["x ", "y", "\nz"]);
    expect(s('"""inline"""')).toEqual(["inline"]);
    expect(s('"""\n  \\n  keep\n  """')).toEqual(["\n  keep"]);
  });

  it("reports numbers that would be rounded", () => {
    expect(expr("9007199254740993").codes).toEqual(["LXM1007"]);
    expect(expr("1e400").codes).toEqual(["LXM1008"]);
    expect(expr("1.5ms").codes).toEqual(["LXM1009"]);
    expect(ok("0.1")).toBe("0.1");
  });

  it("only calls names, and rejects interpolated object keys", () => {
    expect(expr("a.b(1)").codes).toEqual(["LXM1028"]);
    expect(expr('{ "k${x}" = 1 }').codes).toEqual(["LXM1029"]);
  });
});

describe("parser: errors and recovery", () => {
  it("reports three independent errors as exactly three diagnostics", () => {
    const text = `domain a {
  let x = 1 +
  resource fs.file f {
    path = )
    mode = "0644"
  }
  let y = [1, 2 3]
  let z = 4
}
`;
    const r = parseFile("t.lxm", text);
    expect(r.diagnostics.map((d) => [d.code, text.slice(d.span!.start, d.span!.end)])).toEqual([
      ["LXM1021", "resource"],
      ["LXM1021", ")"],
      ["LXM1020", "3"],
    ]);
    const items = r.file.domains[0]!.items;
    expect(items.map((i) => i.kind)).toEqual(["Resource", "Let"]);
    expect((items[0] as ResourceDecl).attributes.map((a) => a.name.name)).toEqual(["mode"]);
  });

  it("points a missing `}` at the opener and keeps parsing the next declaration", () => {
    const text = 'domain a {\n  resource fs.file f {\n    path = "p"\n\n  resource fs.file g {\n    path = "q"\n  }\n}\n';
    const r = parseFile("t.lxm", text);
    expect(r.diagnostics.length).toBe(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe("LXM1022");
    expect(text.slice(d.span!.start, d.span!.end)).toBe("resource");
    expect(d.related?.map((x) => text.slice(x.span.start, x.span.end))).toEqual(["{"]);
    expect(d.hint).toContain("closing `}`");
    expect(r.file.domains[0]!.items.map((i) => (i as ResourceDecl).name.name)).toEqual(["f", "g"]);
  });

  it("points an unclosed list at its `[` when the next line starts a new attribute", () => {
    const text = "domain a {\n  resource fs.file f {\n    xs = [1, 2\n    path = \"p\"\n  }\n}";
    const r = parseFile("t.lxm", text);
    expect(r.diagnostics.map((d) => [d.code, text.slice(d.span!.start, d.span!.end), d.related?.map((x) => text.slice(x.span.start, x.span.end))])).toEqual([
      ["LXM1022", "path", ["["]],
    ]);
    expect((r.file.domains[0]!.items[0] as ResourceDecl).attributes.map((a) => a.name.name)).toEqual(["path"]);
  });

  it("takes a comma between attributes as a separator, and reports a stray one but keeps the attributes", () => {
    const ok = parseFile("t.lxm", 'domain a {\n  policy { retries = 2, prune = true, }\n  resource fs.file f { path = "f",\n    content = "x" }\n}');
    expect(ok.diagnostics).toEqual([]);
    const p = ok.file.domains[0]!.items[0]!;
    expect(p.kind === "Policy" && p.attributes.map((a) => a.name.name)).toEqual(["retries", "prune"]);
    const f = ok.file.domains[0]!.items[1]!;
    expect(f.kind === "Resource" && f.attributes.map((a) => a.name.name)).toEqual(["path", "content"]);
    const r = parseFile("t.lxm", 'domain a {\n  policy { retries = 2,, prune = true }\n}');
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM1023"]);
    const q = r.file.domains[0]!.items[0]!;
    expect(q.kind === "Policy" && q.attributes.length).toBe(2);
    // Still one attribute a line: two without a comma or a newline between them are an error.
    expect(parseFile("t.lxm", "domain a {\n  policy { retries = 2 prune = true }\n}").diagnostics.length).toBeGreaterThan(0);
  });

  it("accepts `key: value` in objects but reports it in blocks, hinting at `=`", () => {
    const r = parseFile("t.lxm", "domain a {\n  policy {\n    retries: 2\n  }\n}");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM1032"]);
    expect(r.diagnostics[0]!.hint).toContain("=");
  });

  it("explains declarations outside domains, keywords as names and stray tokens", () => {
    expect(errs('let x = 1\ndomain a {}')).toEqual([["LXM1024", "let"]]);
    expect(errs("domain a {\n  let in = 1\n}")).toEqual([["LXM1026", "in"]]);
    expect(errs("domain a {\n  42\n}")).toEqual([["LXM1025", "42"]]);
    expect(errs("domain a {\n  let a = 1 let b = 2\n}")).toEqual([["LXM1030", "let"]]);
    expect(errs("domain a {\n  goal g {\n    x == 1\n  }\n}")).toEqual([["LXM1031", "x"]]);
    expect(errs("domain a {\n  let x = 'y'\n}")).toEqual([["LXM1011", "'"]]);
    expect(errs("domain a {\n  let x = 1\n")).toEqual([["LXM1022", ""]]);
  });

  it("skips a BOM and handles CRLF and lone CR line endings", () => {
    const text = "\uFEFFdomain a {\r\n  let x = 1\r  let y = 2\n}\r\n";
    const r = parseFile("t.lxm", text);
    expect(r.diagnostics).toEqual([]);
    expect(r.file.domains[0]!.items.length).toBe(2);
    expect(r.file.domains[0]!.span.start).toBe(1);
  });

  it("reports nesting too deep instead of overflowing the stack", () => {
    for (const open of ["[", "(", "{ a = ", "-", "!"]) {
      const text = `domain a {\n  let x = ${open.repeat(1000)}1\n  let y = 2\n}`;
      const r = parseFile("t.lxm", text);
      expect(r.diagnostics.map((d) => d.code)).toContain("LXM1012");
      expect(r.file.domains[0]!.items.map((i) => i.kind === "Let" && i.name.name)).toContain("y");
    }
    const ok256 = parseFile("t.lxm", `domain a {\n  let x = ${"(".repeat(200)}1${")".repeat(200)}\n}`);
    expect(ok256.diagnostics).toEqual([]);
  });
});
