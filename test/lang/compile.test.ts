import { readdirSync, readFileSync, statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { allCodes } from "../../src/diag/catalog/define.js";
import { compile } from "../../src/lang/compile.js";
import { loadProject } from "../../src/lang/project.js";

const one = (text: string, opts = {}) => compile([{ path: "main.lxm", text }], opts);
const codes = (text: string, opts = {}) => one(text, opts).diagnostics.map((d) => d.code);
const FS = `provider fs { root = "out" }`;

describe("compile: programs", () => {
  test("LANGUAGE.md example compiles; for instances, defaults, residual goals", () => {
    const text = readFileSync("fixtures/projects/language-example/main.lxm", "utf8");
    const r = one(text);
    expect(r.diagnostics).toEqual([]);
    const web = r.program!.domains["web"]!;
    expect(Object.keys(web.resources).sort()).toEqual(['web/fs.file.page["about"]', 'web/fs.file.page["contact"]', 'web/fs.file.page["index"]']);
    expect(web.resources['web/fs.file.page["index"]']!.attrs).toEqual({ path: "site/index.html", content: "<h1>INDEX</h1><!-- backend on 8080 -->", mode: "0644" });
    expect(web.after).toEqual(["storage"]);
    expect(web.goals[0]!.asserts.map((a) => a.checkedAtPlan)).toEqual([true, false, true]);
    expect(web.goals[0]!.asserts[1]!.expr).toEqual({ op: "binary", o: ">", l: { op: "ref", address: 'web/fs.file.page["index"]', attr: "size" }, r: { op: "lit", value: 0 } });
    expect(r.program!.domains["storage"]!.resources["storage/fs.file.settings"]!.dependsOn).toEqual(["storage/fs.dir.data"]);
    expect(r.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.spans["web"]).toBeDefined();
    expect(r.spans['web/fs.file.page["index"]#path']).toBeDefined();
    expect(r.spans["web#goal.served[1]"]).toBeDefined();
  });

  test("hash is invariant under file renames, moved declarations, whitespace and comments", () => {
    const a = `domain a {\n ${FS}\n let x = 1\n resource fs.file f {
 path = "f"
 content = "\${x}"
 }\n export x\n}`;
    const b = `domain b {\n ${FS}\n import a.x\n resource fs.dir d { path = "d\${x}" }\n}`;
    const h1 = compile([{ path: "a.lxm", text: a }, { path: "b.lxm", text: b }]).hash;
    const h2 = compile([{ path: "z/other.lxm", text: b }, { path: "q.lxm", text: a }]).hash;
    const moved = `// comment\ndomain a {\n export x\n resource fs.file f {\n   content = "\${x}"\n   path = "f"\n }\n let x = 1\n ${FS}\n}\n\n\ndomain b { import a.x\n ${FS}\n resource fs.dir d { path = "d\${x}" } }`;
    const h3 = compile([{ path: "all.lxm", text: moved }]).hash;
    expect(h1).not.toBeNull();
    expect(h2).toBe(h1);
    expect(h3).toBe(h1);
    const changed = compile([{ path: "all.lxm", text: moved.replace("let x = 1", "let x = 2") }]).hash;
    expect(changed).not.toBe(h1);
  });

  test("readOnly attributes flow as unknown; secrets are sensitive and never in attrs", () => {
    const r = one(`domain d {
      ${FS}
      provider sim { world = "w.json" }
      resource fs.file a { path = "a" }
      resource fs.file b {
 path = "b"
 content = "size=\${a.size}"
 }
      resource sim.object s {
 kind = "svc"
 name = "x"
 secret = secret("TOKEN")
 spec = { n = len(a.path) }
 }
      export token = secret("TOKEN")
    }`);
    expect(r.diagnostics).toEqual([]);
    const d = r.program!.domains["d"]!;
    expect(d.resources["d/fs.file.b"]!.deferred["content"]).toEqual({
      expr: { op: "interp", parts: [{ op: "lit", value: "size=" }, { op: "ref", address: "d/fs.file.a", attr: "size" }] },
      sensitive: false,
    });
    expect(d.resources["d/fs.file.b"]!.dependsOn).toEqual(["d/fs.file.a"]);
    expect(d.resources["d/sim.object.s"]!.attrs["secret"]).toBeUndefined();
    expect(d.resources["d/sim.object.s"]!.deferred["secret"]).toEqual({ expr: { op: "secret", name: "TOKEN" }, sensitive: true });
    expect(d.exports["token"]).toEqual({ kind: "deferred", value: { expr: { op: "secret", name: "TOKEN" }, sensitive: true } });
  });

  test("file() reads relative to the calling file and refuses escapes", () => {
    const files = { "conf/a.txt": "hello" };
    const readFile = (p: string) => (files as Record<string, string>)[p] ?? null;
    const ok = compile([{ path: "conf/main.lxm", text: `domain d { ${FS}\n resource fs.file f {
 path = "f"
 content = file("a.txt")
 } }` }], { readFile });
    expect(ok.program!.domains["d"]!.resources["d/fs.file.f"]!.attrs["content"]).toBe("hello");
    const esc = compile([{ path: "main.lxm", text: `domain d { let x = file("../etc/passwd") }` }], { readFile });
    expect(esc.diagnostics.map((d) => d.code)).toEqual(["LXM2042"]);
    const missing = compile([{ path: "main.lxm", text: `domain d { let x = file("nope.txt") }` }], { readFile });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(["LXM2043"]);
  });
});

describe("compile: diagnostics", () => {
  test("name not imported: hint names the import and the export to add", () => {
    const r = one(`domain a { let secretish = 1 }\ndomain b { let y = secretish }`);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.code).toBe("LXM2004");
    expect(r.diagnostics[0]!.hint).toBe("add `import a.secretish` to this domain and `export secretish` to domain `a`");
    const r2 = one(`domain a { let v = 1\n export v }\ndomain b { let y = v }`);
    expect(r2.diagnostics[0]!.hint).toBe("add `import a.v` to this domain");
  });

  test("unknown names and functions get suggestions", () => {
    const r = one(`domain a { let count = 1\n let y = cuont + lenn("x") }`);
    expect(r.diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["LXM2003", "did you mean `count`?"],
      ["LXM2008", "did you mean `len`?"],
    ]);
  });

  test("import cycles print the cycle with one related span per edge", () => {
    const r = one(`domain a { import b.x\n export y = 1 }\ndomain b { import c.z\n export x = 1 }\ndomain c { import a.y\n export z = 1 }`);
    const d = r.diagnostics.find((x) => x.code === "LXM2011")!;
    expect(d.message).toBe("domain dependency cycle: a → b → c → a");
    expect(d.related).toHaveLength(3);
    expect(codes(`domain a { import a.x as y\n export x = 1 }`)).toEqual(["LXM2011"]);
  });

  test("authority conflict across domains names both places", () => {
    const r = one(`domain a { ${FS}\n resource fs.file f { path = "x/y" } }\ndomain b { ${FS}\n resource fs.dir g { path = "./x/y/" } }`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2090"]);
    expect(r.diagnostics[0]!.related).toHaveLength(1);
    expect(r.program).toBeNull();
    // Different roots are different identities.
    expect(codes(`domain a { ${FS}\n resource fs.file f { path = "x" } }\ndomain b { provider fs { root = "other" }\n resource fs.file g { path = "x" } }`)).toEqual([]);
  });

  test("schema errors map to attribute spans in plain words", () => {
    const text = `domain a { ${FS}\n resource fs.file f { mode = "644"\n contnet = "x"\n size = 3 } }`;
    const r = one(text);
    const by = Object.fromEntries(r.diagnostics.map((d) => [d.code, d]));
    expect(by["LXM2084"]!.hint).toBe("did you mean `content`?");
    expect(by["LXM2087"]!.message).toContain("size");
    // mode/missing path are checked once unknown/readOnly attributes are fixed
    const r2 = one(`domain a { ${FS}\n resource fs.file f { mode = "644" } }`);
    expect(r2.diagnostics.map((d) => d.message)).toEqual(["missing required attribute `path` of `fs.file`", '`mode` must match ^0[0-7]{3}$, got "644"']);
    const modeSpan = r2.diagnostics[1]!.span!;
    expect(`domain a { ${FS}\n resource fs.file f { mode = "644" } }`.slice(modeSpan.start, modeSpan.end)).toBe('"644"');
  });

  test("for resources: duplicate keys name both elements; unknown collections are refused", () => {
    const r = one(`domain a { ${FS}\n resource fs.file p for n in ["x", "y", "x"] { path = n } }`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2038"]);
    expect(r.diagnostics[0]!.message).toContain("elements 1 and 3");
    expect(codes(`domain a { ${FS}\n resource fs.file s { path = "s" }\n resource fs.file p for n in [s.sha256] { path = n } }`)).toEqual(["LXM2040"]);
  });

  test("evaluation errors point at the operand", () => {
    const text = `domain a { let x = 1 + "a"\n let y = 10 / 0\n let z = "\${[1]}"\n let w = 9007199254740991 + 2 }`;
    const r = one(text);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2030", "LXM2033", "LXM2034", "LXM2032"]);
    const s = r.diagnostics[0]!.span!;
    expect(text.slice(s.start, s.end)).toBe('"a"');
  });

  test("follow-on errors are not reported", () => {
    expect(codes(`domain a { let x = nope\n let y = x + 1\n let z = upper(y) }`)).toEqual(["LXM2003"]);
  });

  test("assertions known false at compile time fail; let cycles are reported once", () => {
    expect(codes(`domain a { goal g { assert 1 == 2 : "math" } }`)).toEqual(["LXM2045"]);
    const r = one(`domain a { let x = y\n let y = x }`);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["reference cycle: x → y → x"]);
  });

  test("provider problems: missing block, unknown provider/type, alias", () => {
    expect(one(`domain a { resource fs.file f { path = "x" } }`).diagnostics[0]!.hint).toBe("add `provider fs { … }` to this domain");
    expect(codes(`domain a { resource ffs.file f { path = "x" } }`)).toEqual(["LXM2080"]);
    expect(codes(`domain a { ${FS}\n resource fs.fiel f { path = "x" } }`)).toEqual(["LXM2081"]);
    expect(codes(`domain a { provider fs as o { root = "o" }\n resource fs.file f { provider = o\n path = "x" } }`)).toEqual([]);
    expect(codes(`domain a { provider fs as o { root = "o" }\n resource fs.file f { provider = oo\n path = "x" } }`)).toEqual(["LXM2083"]);
  });

  test("policy: values and unknown keys", () => {
    const r = one(`domain a { policy { timeout = 5s\n retries = 3\n on_failure = "rollback"\n prune = false } }`);
    expect(r.program!.domains["a"]!.policy).toEqual({ timeoutMs: 5000, retries: 3, onFailure: "rollback", prune: false });
    expect(one(`domain a { policy { retires = 1 } }`).diagnostics[0]!.hint).toBe("did you mean `retries`?");
    expect(codes(`domain a { policy { retries = 11 } }`)).toEqual(["LXM2121"]);
  });

  test("duplicates: domains, names, imports, exports", () => {
    expect(codes(`domain a {}\ndomain a {}`)).toEqual(["LXM2001"]);
    expect(codes(`domain a { let x = 1\n let x = 2 }`)).toEqual(["LXM2002"]);
    expect(codes(`domain a { export v = 1 }\ndomain b { let v = 2\n import a.v }`)).toEqual(["LXM2007"]);
    expect(codes(`domain a { let q = 1\n export q\n export q }`)).toEqual(["LXM2014"]);
    expect(codes(`domain a { let q = 1 }\ndomain b { import a.q }`)).toEqual(["LXM2006"]);
    expect(codes(`domain b { import nope.q }`)).toEqual(["LXM2005"]);
  });
});

describe("fixtures/projects", () => {
  const dirs = readdirSync("fixtures/projects").filter((d) => statSync(`fixtures/projects/${d}`).isDirectory()).sort();
  test("there are at least six example projects", () => expect(dirs.length).toBeGreaterThanOrEqual(6));
  for (const d of dirs) {
    test(`${d} compiles with no diagnostics`, async () => {
      const p = await loadProject(`fixtures/projects/${d}`);
      expect(p.diagnostics).toEqual([]);
      const r = compile(p.files, { readFile: (rel) => { try { return readFileSync(`fixtures/projects/${d}/${rel}`, "utf8"); } catch { return null; } } });
      expect(r.diagnostics).toEqual([]);
      expect(r.hash).toMatch(/^sha256:/);
    });
  }
});

test("every semantic code is registered with a doc", () => {
  const sem = allCodes().filter((c) => c.code >= "LXM2001" && c.code <= "LXM2199");
  expect(sem.length).toBeGreaterThan(40);
  for (const c of sem) expect(c.doc.length).toBeGreaterThan(20);
});
