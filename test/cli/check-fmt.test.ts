import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { processIo } from "../../src/cli/io.js";
import type { Io } from "../../src/cli/io.js";
import { compile } from "../../src/lang/compile.js";
import { lxm } from "./capture.js";

/** `lxm check` and `lxm fmt` end to end, in-process, on real folders. */

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "lxm-check-fmt-"));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let counter = 0;
/** A fresh project folder holding `files` (path → text or bytes). */
function project(files: Record<string, string | Uint8Array>): string {
  const dir = path.join(tmpRoot, `p${++counter}`);
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const STORAGE = `domain storage {
  provider fs { root = "out" }

  resource fs.dir data {
    path = "data"
  }

  export data
  export port = 8080
}
`;
const WEB = `domain web {
  provider fs { root = "out" }
  import storage.data
  import storage.port as backend_port

  let pages = ["index", "about"]

  resource fs.file page for name in pages {
    path    = "\${data.path}/\${name}.html"
    content = "backend \${backend_port}"
  }
}
`;
const BROKEN = `domain web {
  provider fs { root = "out" }
  let pages = ["index"]
  let n = len(pagez)
  let t = uppper("x")
}
`;

describe("lxm check", () => {
  it("prints the one-line summary with the program hash and exits 0", async () => {
    const dir = project({ "storage.lxm": STORAGE, "web/web.lxm": WEB });
    const r = await lxm(dir, ["check"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const expected = compile([
      { path: "storage.lxm", text: STORAGE },
      { path: "web/web.lxm", text: WEB },
    ]).hash;
    expect(r.out).toBe(`ok: 2 domains, 3 resources, program ${expected}\n`);
    expect(r.out).toMatch(/^ok: \d+ domains?, \d+ resources?, program sha256:[0-9a-f]{64}\n$/);
  });

  it("uses singular words for one domain and one resource", async () => {
    const dir = project({ "a.lxm": `domain a {\n  provider fs { root = "out" }\n  resource fs.dir d {\n    path = "d"\n  }\n}\n` });
    const r = await lxm(dir, ["check"]);
    expect(r.out).toMatch(/^ok: 1 domain, 1 resource, program sha256:[0-9a-f]{64}\n$/);
  });

  it("reports every diagnostic with location, caret and hint, and exits 1", async () => {
    const dir = project({ "main.lxm": BROKEN });
    const r = await lxm(dir, ["check"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("main.lxm:4:15: error[LXM2003]: unknown name `pagez`\n");
    expect(r.err).toContain("4 |   let n = len(pagez)\n  |               ^^^^^\n  hint: did you mean `pages`?\n");
    expect(r.err).toContain("main.lxm:5:11: error[LXM2008]: unknown function `uppper`\n");
    expect(r.err.indexOf("LXM2003")).toBeLessThan(r.err.indexOf("LXM2008"));
  });

  it("--json prints the error document with a stable array of diagnostics on failure (and [] when clean)", async () => {
    const dir = project({ "main.lxm": BROKEN });
    const r = await lxm(dir, ["check", "--json"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    const doc = JSON.parse(r.out) as { error: Record<string, string>; diagnostics: Record<string, unknown>[] };
    expect(doc.error).toEqual({ code: "LXM2003", message: "2 errors", hint: "main.lxm:4:15: unknown name `pagez` (did you mean `pages`?)" });
    const ds = doc.diagnostics;
    expect(ds).toHaveLength(2);
    for (const d of ds) expect(Object.keys(d)).toEqual(["code", "severity", "message", "file", "start", "end", "hint", "related"]);
    expect(ds[0]).toEqual({
      code: "LXM2003",
      severity: "error",
      message: "unknown name `pagez`",
      file: "main.lxm",
      start: { line: 4, column: 15 },
      end: { line: 4, column: 20 },
      hint: "did you mean `pages`?",
      related: [],
    });
    expect(ds[1]!["code"]).toBe("LXM2008");
    // The same input gives the same bytes.
    expect((await lxm(dir, ["check", "--json"])).out).toBe(r.out);

    const clean = await lxm(project({ "storage.lxm": STORAGE }), ["check", "--json"]);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.out)).toEqual([]);
  });

  it("--json reports related locations with their own file, line and column", async () => {
    const dir = project({ "a.lxm": `domain web {\n  provider fs { root = "out" }\n}\n`, "b.lxm": `domain web {\n  provider fs { root = "out" }\n}\n` });
    const ds = JSON.parse((await lxm(dir, ["check", "--json"])).out).diagnostics as { file: string; related: unknown[] }[];
    expect(ds).toHaveLength(1);
    expect(ds[0]!.file).toBe("b.lxm");
    expect(ds[0]!.related).toEqual([{ file: "a.lxm", line: 1, column: 8, message: "first declared here" }]);
  });

  it("shows paths relative to the current directory when run from another folder", async () => {
    const dir = project({ "proj/src/main.lxm": BROKEN });
    const fromParent = await lxm(dir, ["check", "proj"]);
    expect(fromParent.code).toBe(1);
    expect(fromParent.err).toContain("proj/src/main.lxm:4:15: error[LXM2003]");
    const fromInside = await lxm(path.join(dir, "proj", "src"), ["check", ".."]);
    expect(fromInside.err).toContain("../src/main.lxm:4:15: error[LXM2003]");
    const json = JSON.parse((await lxm(dir, ["check", "proj", "--json"])).out).diagnostics as { file: string }[];
    expect(json[0]!.file).toBe("proj/src/main.lxm");
  });

  it("colours only when asked, and processIo never colours with NO_COLOR or without a TTY", async () => {
    const dir = project({ "main.lxm": BROKEN });
    let err = "";
    const io: Io = { out: () => {}, err: (t) => void (err += t), color: true, isTTY: true, cwd: dir, env: {} };
    expect(await run(["check"], io)).toBe(1);
    expect(err).toContain("\x1b[");
    expect((await lxm(dir, ["check"])).err).not.toContain("\x1b[");

    const saved = { tty: Object.getOwnPropertyDescriptor(process.stdout, "isTTY"), noColor: process.env["NO_COLOR"] };
    try {
      Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
      delete process.env["NO_COLOR"];
      expect(processIo().color).toBe(true);
      process.env["NO_COLOR"] = "1";
      expect(processIo().color).toBe(false);
      Object.defineProperty(process.stdout, "isTTY", { value: false, configurable: true });
      delete process.env["NO_COLOR"];
      expect(processIo().color).toBe(false);
    } finally {
      if (saved.tty) Object.defineProperty(process.stdout, "isTTY", saved.tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
      if (saved.noColor === undefined) delete process.env["NO_COLOR"];
      else process.env["NO_COLOR"] = saved.noColor;
    }
  });

  it("a missing directory, a folder without .lxm files and non-UTF-8 bytes are one-line errors, exit 1", async () => {
    const dir = project({ "notes.txt": "no sources\n", "bad/main.lxm": Uint8Array.from([...Buffer.from('domain a {\n  let s = "caf'), 0xe9, 0x22, 0x0a, 0x7d]) });
    const missing = await lxm(dir, ["check", "nowhere"]);
    expect(missing).toEqual({ code: 1, out: "", err: "error[LXM5001]: no such directory: nowhere\n  hint: pass the folder that holds your .lxm files\n" });

    fs.mkdirSync(path.join(dir, "empty"));
    const empty = await lxm(dir, ["check", "empty"]);
    expect(empty.code).toBe(1);
    expect(empty.err).toBe("error[LXM5002]: no .lxm files in empty\n  hint: a project is a directory with at least one .lxm file below it\n");

    const bad = await lxm(dir, ["check", "bad"]);
    expect(bad.code).toBe(1);
    // Located at the first bad byte (line 2, column 15), with the line and a caret below.
    expect(bad.err.split("\n")[0]).toBe("bad/main.lxm:2:15: error[LXM5004]: bad/main.lxm is not valid UTF-8 (first bad byte at offset 25)");

    const json = await lxm(dir, ["check", "nowhere", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).diagnostics).toEqual([
      { code: "LXM5001", severity: "error", message: "no such directory: nowhere", file: null, start: null, end: null, hint: "pass the folder that holds your .lxm files", related: [] },
    ]);
  });

  it("checks lexum.yaml with the project", async () => {
    const dir = project({ "storage.lxm": STORAGE, "lexum.yaml": "parallelism: 0\n" });
    const r = await lxm(dir, ["check"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM2141]: lexum.yaml:");
    fs.writeFileSync(path.join(dir, "lexum.yaml"), "parallelism: 4\n");
    expect((await lxm(dir, ["check"])).code).toBe(0);
  });
});

const UGLY = `// settings
domain web {
provider fs {root="out"}
    let pages=["index","about"]   // the pages
  resource fs.file page for name in pages {
      path="site/\${name}.html"
    content =   upper(name)
  }
}
`;

describe("lxm fmt", () => {
  it("rewrites unformatted files in place, keeps comments and the program hash, and is idempotent", async () => {
    const dir = project({ "web.lxm": UGLY, "storage.lxm": STORAGE });
    const hashBefore = (await lxm(dir, ["check"])).out;
    const r = await lxm(dir, ["fmt"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("web.lxm\n");
    const after = fs.readFileSync(path.join(dir, "web.lxm"), "utf8");
    expect(after).not.toBe(UGLY);
    expect(after).toContain("// settings");
    expect(after).toContain("// the pages");
    expect(after).toContain('  let pages = ["index", "about"]');
    expect(after).toContain('    path    = "site/${name}.html"\n    content = upper(name)\n');
    // Already formatted files are left alone (byte for byte).
    expect(fs.readFileSync(path.join(dir, "storage.lxm"), "utf8")).toBe(STORAGE);
    expect((await lxm(dir, ["check"])).out).toBe(hashBefore);

    const again = await lxm(dir, ["fmt"]);
    expect(again).toEqual({ code: 0, out: "", err: "" });
    expect(fs.readFileSync(path.join(dir, "web.lxm"), "utf8")).toBe(after);
  });

  it("--check lists unformatted files relative to the current directory, exits 1 and writes nothing", async () => {
    const dir = project({ "site/web.lxm": UGLY, "site/storage.lxm": STORAGE, "site/more/b.lxm": UGLY.replace("web", "blog").replace('"site/', '"blog/') });
    const r = await lxm(dir, ["fmt", "--check", "site"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("site/more/b.lxm\nsite/web.lxm\n");
    expect(fs.readFileSync(path.join(dir, "site/web.lxm"), "utf8")).toBe(UGLY);

    expect((await lxm(dir, ["fmt", "site"])).code).toBe(0);
    expect(await lxm(dir, ["fmt", "--check", "site"])).toEqual({ code: 0, out: "", err: "" });
  });

  it("formats a single file given by path", async () => {
    const dir = project({ "a.lxm": UGLY, "b.lxm": UGLY });
    expect((await lxm(dir, ["fmt", "a.lxm"])).out).toBe("a.lxm\n");
    expect(fs.readFileSync(path.join(dir, "b.lxm"), "utf8")).toBe(UGLY);
    expect(fs.readFileSync(path.join(dir, "a.lxm"), "utf8")).not.toBe(UGLY);
  });

  it("does not touch a file that does not parse, and reports why (exit 1)", async () => {
    const text = `domain web {\n  let x = [1, 2\n}\n`;
    const dir = project({ "main.lxm": text });
    const r = await lxm(dir, ["fmt"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("main.lxm:3:1: error[LXM1020]: expected `,` or `]`, found `}`");
    expect(fs.readFileSync(path.join(dir, "main.lxm"), "utf8")).toBe(text);
  });

  it("missing path, no .lxm files and non-UTF-8 bytes: one-line errors, exit 1", async () => {
    const dir = project({ "notes.txt": "x\n", "bad.lxm": Uint8Array.from([0x64, 0x6f, 0xff, 0x0a]) });
    const missing = await lxm(dir, ["fmt", "nowhere"]);
    expect(missing.code).toBe(1);
    expect(missing.err.split("\n")[0]).toBe("error[LXM5001]: no such directory: nowhere");
    fs.mkdirSync(path.join(dir, "empty"));
    const empty = await lxm(dir, ["fmt", "empty"]);
    expect(empty.code).toBe(1);
    expect(empty.err.split("\n")[0]).toMatch(/^error\[LXM5002\]: no \.lxm files in /);
    const bad = await lxm(dir, ["fmt", "bad.lxm"]);
    expect(bad.code).toBe(1);
    expect(bad.err.split("\n")[0]).toBe("bad.lxm:1:3: error[LXM5004]: bad.lxm is not valid UTF-8 (first bad byte at offset 2)");
  });
});

describe("lxm fmt - and file paths", () => {
  it("`fmt -` reads standard input and writes the formatted text to standard output", async () => {
    const dir = project({ "keep.lxm": UGLY });
    const r = await lxm(dir, ["fmt", "-"], {}, UGLY);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const formatted = (await lxm(project({ "w.lxm": UGLY }), ["fmt", "-"], {}, UGLY)).out;
    expect(r.out).toBe(formatted);
    expect(r.out).toContain('    path    = "site/${name}.html"\n    content = upper(name)\n');
    // Nothing on disk is touched; formatted input comes back byte for byte.
    expect(fs.readFileSync(path.join(dir, "keep.lxm"), "utf8")).toBe(UGLY);
    expect(await lxm(dir, ["fmt", "-"], {}, r.out)).toEqual({ code: 0, out: r.out, err: "" });
  });

  it("`fmt --check -` exits 1 (naming <stdin>) when the input is not formatted, 0 when it is", async () => {
    const dir = project({});
    expect(await lxm(dir, ["fmt", "--check", "-"], {}, UGLY)).toEqual({ code: 1, out: "<stdin>\n", err: "" });
    expect(await lxm(dir, ["fmt", "--check", "-"], {}, STORAGE)).toEqual({ code: 0, out: "", err: "" });
  });

  it("a syntax error on standard input: diagnostics naming <stdin>, nothing on stdout, exit 1", async () => {
    const r = await lxm(project({}), ["fmt", "-"], {}, `domain web {\n  let x = [1, 2\n}\n`);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("<stdin>:3:1: error[LXM1020]: expected `,` or `]`, found `}`");
  });

  it("`-` cannot be mixed with paths", async () => {
    const r = await lxm(project({}), ["fmt", "-", "a.lxm"]);
    expect(r.code).toBe(1);
    expect(r.err.split("\n")[0]).toBe("error[LXM5005]: unexpected argument 'a.lxm' for 'lxm fmt -'");
  });

  it("a file path in a subfolder works as well as a folder, whatever the file's extension", async () => {
    const dir = project({ "deep/er/site.lxm": UGLY, "deep/er/other.lxm": UGLY, "deep/snippet.txt": UGLY });
    expect(await lxm(dir, ["fmt", "--check", "deep/er/site.lxm"])).toEqual({ code: 1, out: "deep/er/site.lxm\n", err: "" });
    expect((await lxm(dir, ["fmt", "deep/er/site.lxm", "deep/snippet.txt"])).out).toBe("deep/er/site.lxm\ndeep/snippet.txt\n");
    expect(fs.readFileSync(path.join(dir, "deep/snippet.txt"), "utf8")).toBe(fs.readFileSync(path.join(dir, "deep/er/site.lxm"), "utf8"));
    expect(fs.readFileSync(path.join(dir, "deep/er/other.lxm"), "utf8")).toBe(UGLY);
  });
});

describe("the documented examples are fmt-clean", () => {
  const repoRoot = path.resolve(import.meta.dirname, "../..");

  it("README's tour of the language (its ```lxm block)", async () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```lxm\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(await lxm(repoRoot, ["fmt", "--check", "-"], {}, block)).toEqual({ code: 0, out: "", err: "" });
  });

  it("every .lxm file under fixtures/demo", async () => {
    expect(await lxm(repoRoot, ["fmt", "--check", "fixtures/demo"])).toEqual({ code: 0, out: "", err: "" });
  });
});
