import { describe, expect, it, test } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { formatAddress, parseAddress } from "../../src/program/address.js";
import { loadTypeCatalog } from "../../src/program/schemas.js";
import { identityKey, normalizePath, staticType } from "../../src/lang/check.js";
import { canonicalizeSlow } from "../../src/program/canonical.js";
import type { Json } from "../../src/program/types.js";
import { suggest } from "../../src/lang/suggest.js";

describe("type catalog", () => {
  const cat = loadTypeCatalog();
  test("loads every provider and type with Lexum keywords", () => {
    expect([...cat.providers.keys()].sort()).toEqual(["fs", "http", "postgres", "sim"]);
    expect([...cat.resources.keys()].sort()).toEqual([
      "fs.dir",
      "fs.file",
      "fs.symlink",
      "http.object",
      "postgres.database",
      "postgres.default_privileges",
      "postgres.extension",
      "postgres.grant",
      "postgres.role",
      "postgres.schema",
      "sim.object",
    ]);
    const file = cat.resources.get("fs.file")!;
    expect(file.identity).toEqual(["path"]);
    expect(file.readOnly).toEqual(["sha256", "size"]);
    expect(file.defaults).toEqual({ content: "", mode: "0644" });
    expect(cat.resources.get("fs.symlink")!.replaceOn).toEqual(["target"]);
    expect(cat.resources.get("sim.object")!.sensitive).toEqual(["secret"]);
    expect(cat.providers.get("fs")!.identity).toEqual(["root"]);
    expect(cat.providers.get("postgres")!.identity).toEqual(["host", "port"]);
    expect(cat.providers.get("postgres")!.sensitive).toEqual(["password"]);
    expect(cat.resources.get("postgres.role")!.sensitive).toEqual(["password"]);
    expect(cat.resources.get("postgres.database")!.replaceOn).toEqual(["template", "encoding", "lc_collate", "lc_ctype"]);
  });
  test("validation problems are plain words", () => {
    const file = cat.resources.get("fs.file")!;
    expect(file.validate({ path: "a", mode: "644" }).map((p) => p.problem)).toEqual(['`mode` must match ^0[0-7]{3}$, got "644"']);
    expect(file.validate({ path: 3 }).map((p) => p.problem)).toEqual(["`path` must be a string, got number"]);
    const sim = cat.providers.get("sim")!;
    expect(sim.validate({ world: "w", faults: [{ kind: "boom" }] }).map((p) => p.problem)).toEqual(['`faults.0.kind` must be one of "error", "timeout", "crash", got "boom"']);
  });
  test("every schema property has a description and objects are closed", () => {
    for (const info of [...cat.resources.values(), ...cat.providers.values()]) {
      expect(info.schema["additionalProperties"]).toBe(false);
      const props = info.schema["properties"] as Record<string, { description?: string }>;
      for (const p of Object.keys(props)) expect(props[p]!.description, `${info.type}.${p}`).toBeTruthy();
    }
  });
});

describe("identity and addresses", () => {
  test("paths are normalised so equivalent spellings conflict", () => {
    expect(normalizePath("./a//b/")).toBe("a/b");
    expect(identityKey("fs", { root: "out/" }, { path: "./x" })).toBe(identityKey("fs", { root: "out" }, { path: "x" }));
    expect(identityKey("fs", { root: "a" }, { path: "x" })).not.toBe(identityKey("fs", { root: "b" }, { path: "x" }));
  });
  test("the key is the canonical JSON of {id, provider, scope}, keys unsorted, integer-like and path-valued included", () => {
    const cases: [string, Record<string, Json>, Record<string, Json>][] = [
      ["fs", { root: "out/" }, { path: "./a//b" }],
      ["sim", { world: "./w.json", z: 1, a: [2, { y: 1, x: "é" }] }, { name: 'q"\\', kind: "svc" }],
      ["x", { "10": true, "9": null, b: 1.5 }, { "2": "two", "1": ["o\u2028"] }],
      ["sim", {}, {}],
    ];
    for (const [provider, scope, id] of cases) {
      const pathKeys = provider === "fs" ? ["root", "path"] : provider === "sim" ? ["world"] : [];
      const norm = (o: Record<string, Json>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "string" && pathKeys.includes(k) ? normalizePath(v) : v]));
      const want = canonicalizeSlow({ id: norm(id), provider, scope: norm(scope) });
      expect(identityKey(provider, scope, id)).toBe(want);
      // Again with the same scope object (its part of the key is kept per scope).
      expect(identityKey(provider, scope, id)).toBe(want);
    }
  });
  test("addresses format and parse back", () => {
    expect(formatAddress("web", "fs.file", "page", "index")).toBe('web/fs.file.page["index"]');
    expect(formatAddress("storage", "fs.file", "settings", null)).toBe("storage/fs.file.settings");
    expect(formatAddress("a", "fs.file", "p", 3)).toBe("a/fs.file.p[3]");
    expect(parseAddress('web/fs.file.page["a]b"]')).toEqual({ domain: "web", type: "fs.file", name: "page", key: "a]b" });
    expect(parseAddress("a/fs.file.p[3]")).toEqual({ domain: "a", type: "fs.file", name: "p", key: 3 });
    expect(parseAddress("nonsense")).toBeNull();
  });
  test("suggestions by edit distance, deterministic ties", () => {
    expect(suggest("contnet", ["content", "mode", "path"])).toBe("content");
    expect(suggest("zzz", ["content"])).toBeNull();
    expect(suggest("ab", ["ac", "ad"])).toBe("ac");
  });
});

describe("assertions whose type is known at compile time", () => {
  const FS = `provider fs { root = "out" }`;
  const diags = (goal: string) => {
    const r = compile([{ path: "m.lxm", text: `domain a {\n ${FS}\n resource fs.file f {\n path = "a"\n }\n goal g {\n ${goal}\n }\n}\n` }]);
    return r.diagnostics.map((d) => [d.code, d.message]);
  };

  it("an integer attribute read back after apply is LXM2150 at the expression, not a failed snapshot later", () => {
    const r = compile([{ path: "m.lxm", text: `domain a {\n ${FS}\n resource fs.file f {\n path = "a"\n }\n goal g {\n assert f.size : "sized"\n }\n}\n` }]);
    expect(r.program).toBeNull();
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe("LXM2150");
    expect(d.message).toBe("an assertion must be a bool, but `f.size` is an integer (fs.file's `size`, read back after apply)");
    expect(d.hint).toBe("compare it, e.g. `f.size > 0`");
    // The span is the expression itself.
    expect(r.sources.get("m.lxm")!.text.slice(d.span!.start, d.span!.end)).toBe("f.size");
  });

  it("strings, lists, objects and arithmetic are caught; comparisons, logic and bool-valued calls pass", () => {
    expect(diags(`assert f.sha256`)[0]).toEqual(["LXM2150", "an assertion must be a bool, but `f.sha256` is a string (fs.file's `sha256`, read back after apply)"]);
    expect(diags(`assert [f.size]`)[0]![0]).toBe("LXM2150");
    expect(diags(`assert { s = f.size }`)[0]![0]).toBe("LXM2150");
    expect(diags(`assert f.size * 2`)[0]![1]).toBe("an assertion must be a bool, but `f.size * 2` is a number");
    expect(diags(`assert "\${f.sha256}"`)[0]![0]).toBe("LXM2150");
    for (const ok of [`assert f.size > 0`, `assert f.size > 0 && f.sha256 != ""`, `assert !(f.size == 0)`, `assert contains([f.sha256], "x")`, `assert jsondecode(f.sha256)`]) {
      expect(diags(ok)).toEqual([]);
    }
  });

  it("staticType reads attribute types from the schemas", () => {
    const catalog = loadTypeCatalog();
    expect(staticType({ op: "ref", address: "a/fs.file.f", attr: "size" }, catalog)).toEqual({ types: ["integer"], from: { type: "fs.file", attr: "size" } });
    expect(staticType({ op: "ref", address: "a/sim.object.o", attr: "spec" }, catalog)?.types).toEqual(["object"]);
    expect(staticType({ op: "ref", address: "a/fs.file.f", attr: "nope" }, catalog)).toBeNull();
    expect(staticType({ op: "index", x: { op: "res", address: "a/fs.file.f" }, i: { op: "lit", value: "size" } }, catalog)).toBeNull();
  });
});
