import { describe, expect, test } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { POSITION_KEYS } from "../../src/lang/nodes.js";
import { parseFile } from "../../src/lang/parser.js";

const text = [
  `domain d {`,
  `  provider fs { root = "out" }`,
  `  provider fs as other { root = "elsewhere" }`,
  `  let keys = ["a", "b#path", "c"]`,
  `  resource fs.file f for k in keys {`,
  `    path    = "f/\${k}"`,
  `    content = k`,
  `    mode    = "0600"`,
  `  }`,
  `  resource fs.dir g {`,
  `    provider = other`,
  `    path = "g"`,
  `  }`,
  `  goal ok {`,
  `    assert len(f) == 3`,
  `    assert true : "fine"`,
  `  }`,
  `}`,
].join("\n");

describe("the compile's span table", () => {
  const r = compile([{ path: "m.lxm", text }]);
  const slice = (key: string) => {
    const s = r.spans[key];
    return s ? `${s.file}:${text.slice(s.start, s.end)}` : undefined;
  };

  test("every key, in the order a plain object built key by key would list them", () => {
    expect(r.diagnostics).toEqual([]);
    const f = (k: string) => `d/fs.file.f[${JSON.stringify(k)}]`;
    const instance = (a: string) => [a, `${a}#path`, `${a}#content`, `${a}#mode`];
    expect(Object.keys(r.spans)).toEqual([
      "d",
      "d#provider.fs",
      "d#provider.other",
      ...instance(f("a")),
      ...instance(f("b#path")),
      ...instance(f("c")),
      "d/fs.dir.g",
      "d/fs.dir.g#path",
      "d#goal.ok[0]",
      "d#goal.ok[0].expr",
      "d#goal.ok[0].operand.0",
      "d#goal.ok[0].operand.1",
      "d#goal.ok[1]",
      "d#goal.ok[1].expr",
    ]);
    for (const k of Object.keys(r.spans)) {
      expect(k in r.spans).toBe(true);
      expect(Object.getOwnPropertyDescriptor(r.spans, k)?.value).toEqual(r.spans[k]);
    }
  });

  test("each key points at its source", () => {
    expect(slice("d")).toBe("m.lxm:d");
    expect(slice("d#provider.other")).toBe('m.lxm:provider fs as other { root = "elsewhere" }');
    expect(slice('d/fs.file.f["a"]')).toMatch(/^m\.lxm:resource fs\.file f for k in keys \{.*\}$/s);
    expect(slice('d/fs.file.f["c"]#content')).toBe("m.lxm:content = k");
    // An instance key holding `#`: the address is the part before the last `#`.
    expect(slice('d/fs.file.f["b#path"]')).toBe(slice('d/fs.file.f["a"]'));
    expect(slice('d/fs.file.f["b#path"]#path')).toBe('m.lxm:path    = "f/${k}"');
    expect(slice("d#goal.ok[1]")).toBe('m.lxm:assert true : "fine"');
    // An assertion's expression and the operands of its top-level operator (what a failure shows).
    expect(slice("d#goal.ok[0].expr")).toBe("m.lxm:len(f) == 3");
    expect(slice("d#goal.ok[0].operand.0")).toBe("m.lxm:len(f)");
    expect(slice("d#goal.ok[0].operand.1")).toBe("m.lxm:3");
    expect(slice("d#goal.ok[1].expr")).toBe("m.lxm:true");
    expect(slice("d#goal.ok[1].operand.0")).toBeUndefined();
  });

  test("anything else is absent, and the table is read-only", () => {
    for (const k of ['d/fs.file.f["b"]', 'd/fs.file.f["a"]#provider', "d/fs.dir.g#provider", "d/fs.dir.g#", "#path", "e", "toString"]) {
      expect(r.spans[k]).toBeUndefined();
      expect(k in r.spans).toBe(false);
    }
    expect(() => {
      (r.spans as Record<string, unknown>)["x"] = { file: "m.lxm", start: 0, end: 1 };
    }).toThrow(TypeError);
    expect(r.spans["x"]).toBeUndefined();
  });
});

describe("syntax tree positions", () => {
  test("each node's spans are equal on every read, and JSON keeps kinds", () => {
    const src = `domain d {\n  let x = { "a" = 1 + y.z, b = [f(2)] }\n}`;
    const file = parseFile("p.lxm", src).file;
    const let_ = file.domains[0]!.items[0]!;
    if (let_.kind !== "Let" || let_.value.kind !== "Object") throw new Error("unexpected tree");
    const entry = let_.value.entries[0]!;
    expect(entry.span).toEqual(entry.span);
    expect(entry.span).not.toBe(entry.span);
    expect(src.slice(entry.keySpan.start, entry.keySpan.end)).toBe('"a"');
    const sum = entry.value;
    if (sum.kind !== "Binary") throw new Error("unexpected tree");
    expect(src.slice(sum.opSpan.start, sum.opSpan.end)).toBe("+");
    const meaning = JSON.parse(JSON.stringify(let_.value, (k, v) => (POSITION_KEYS.has(k) ? undefined : v)));
    expect(meaning.kind).toBe("Object");
    expect(meaning.entries[0].value).toMatchObject({ kind: "Binary", op: "+", left: { kind: "Number", value: 1 }, right: { kind: "Member" } });
  });
});
