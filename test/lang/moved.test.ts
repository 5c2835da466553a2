import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { formatSource } from "../../src/lang/format.js";

const domain = `domain a {
  provider fs { root = "out" }
  resource fs.file g {
    path    = "g.txt"
    content = "g"
  }
  resource fs.file pages for p in ["x", "y"] {
    path    = "\${p}.txt"
    content = p
  }
}
domain b {
  provider fs { root = "out" }
  resource fs.file h {
    path    = "h.txt"
    content = "h"
  }
}
`;
function moved(blocks: string) {
  const r = compile([{ path: "main.lxm", text: domain + blocks }]);
  return { moved: r.program?.moved, problems: r.diagnostics.map((d) => `${d.code} ${r.sources.get(d.span!.file)!.text.slice(d.span!.start, d.span!.end).split("\n")[0]} | ${d.message}`), hash: r.hash, spans: r.spans };
}

describe("moved blocks", () => {
  it("are read as addresses, bare or quoted, one line or several, chains collapsed, sorted by from", () => {
    const r = moved(`
moved {
  from = a/fs.file.f
  to   = a/fs.file.g
}
moved { from = "a/fs.file.page", to = a/fs.file.pages }
moved { from = a/fs.file.old["k"], to = b/fs.file.mid }
moved { from = b/fs.file.mid, to = b/fs.file.h }
`);
    expect(r.problems).toEqual([]);
    expect(r.moved).toEqual([
      { from: "a/fs.file.f", to: "a/fs.file.g" },
      { from: "a/fs.file.old[\"k\"]", to: "b/fs.file.h" },
      { from: "a/fs.file.page", to: "a/fs.file.pages" },
      { from: "b/fs.file.mid", to: "b/fs.file.h" },
    ]);
    expect(r.spans["moved:a/fs.file.f"]).toBeDefined();
  });

  it("leave a program without them as it was (no `moved` key, same hash), and change the hash of one with them", () => {
    const plain = moved("");
    expect(plain.moved).toBeUndefined();
    expect(compile([{ path: "main.lxm", text: domain }]).hash).toBe(plain.hash);
    expect(moved(`moved { from = a/fs.file.f, to = a/fs.file.g }`).hash).not.toBe(plain.hash);
    // Order and layout of the blocks do not matter.
    const one = moved(`moved { from = a/fs.file.f, to = a/fs.file.g }\nmoved { from = b/fs.file.k, to = b/fs.file.h }`);
    const two = moved(`moved {\n  from = b/fs.file.k\n  to = "b/fs.file.h"\n}\nmoved { from = a/fs.file.f, to = a/fs.file.g }`);
    expect(two.hash).toBe(one.hash);
  });

  it("a single resource into an instance (a resource gains `for`)", () => {
    expect(moved(`moved { from = a/fs.file.pages, to = a/fs.file.pages["x"] }`).problems).toEqual([]);
  });

  it("refuse what is wrong, each located", () => {
    expect(moved(`moved { from = a/fs.file.f }`).problems).toEqual(["LXM2250 moved { from = a/fs.file.f } | this `moved` block has no `to`"]);
    expect(moved(`moved { from = a/fs.file.f, to = a/fs.file.g, by = 1 }`).problems).toEqual(["LXM2250 by | this `moved` block has `by`: only `from` and `to` are allowed"]);
    expect(moved(`moved { from = fs.file.f, to = a/fs.file.g }`).problems).toEqual([
      "LXM2251 fs.file.f | `from` must be a resource address (DOMAIN/PROVIDER.TYPE.NAME[KEY]), found an expression",
    ]);
    expect(moved(`moved { from = "a/f", to = a/fs.file.g }`).problems).toEqual(['LXM2251 "a/f" | `from` must be a resource address (DOMAIN/PROVIDER.TYPE.NAME[KEY]), found "a/f"']);
    expect(moved(`moved { from = a/fs.file.g, to = b/fs.file.h }`).problems).toEqual([
      "LXM2252 a/fs.file.g | `a/fs.file.g` is moved away but the program still declares it",
    ]);
    expect(moved(`moved { from = a/fs.file.f, to = a/fs.file.gg }`).problems).toEqual([
      "LXM2253 a/fs.file.gg | `a/fs.file.gg` is not a resource of the program",
    ]);
    expect(moved(`moved { from = a/fs.dir.f, to = a/fs.file.g }`).problems).toEqual([
      "LXM2254 moved { from = a/fs.dir.f, to = a/fs.file.g } | `a/fs.dir.f` and `a/fs.file.g` are resources of different types",
    ]);
    expect(moved(`moved { from = a/fs.file.f, to = a/fs.file.g }\nmoved { from = a/fs.file.f, to = b/fs.file.h }`).problems).toEqual([
      "LXM2255 moved { from = a/fs.file.f, to = b/fs.file.h } | `a/fs.file.f` is moved by two `moved` blocks",
    ]);
    expect(moved(`moved { from = a/fs.file.e, to = a/fs.file.g }\nmoved { from = a/fs.file.f, to = a/fs.file.g }`).problems).toEqual([
      "LXM2255 moved { from = a/fs.file.f, to = a/fs.file.g } | two `moved` blocks move to `a/fs.file.g`",
    ]);
    expect(moved(`moved { from = a/fs.file.e, to = a/fs.file.f }\nmoved { from = a/fs.file.f, to = a/fs.file.e }`).problems).toEqual([
      "LXM2255 moved { from = a/fs.file.e, to = a/fs.file.f } | the `moved` blocks from `a/fs.file.e` form a cycle (a/fs.file.e → a/fs.file.f → a/fs.file.e)",
      "LXM2255 moved { from = a/fs.file.f, to = a/fs.file.e } | the `moved` blocks from `a/fs.file.f` form a cycle (a/fs.file.f → a/fs.file.e → a/fs.file.f)",
    ]);
    expect(moved(`moved { from = a/fs.file.g, to = a/fs.file.g }`).problems).toEqual(["LXM2255 moved { from = a/fs.file.g, to = a/fs.file.g } | `a/fs.file.g` is moved to itself"]);
  });
});

describe("lxm fmt and moved blocks", () => {
  it("lays a block out one attribute per line, `=` aligned, addresses without spaces, comments kept; stable", () => {
    const src = `// renamed\nmoved { from = a / fs.file.f, to = a/fs.file.g["k"] }\nmoved {\n  from="a/fs.file.x" // old\n  to = a/fs.file.y\n}\n`;
    const once = formatSource("f.lxm", src).text!;
    expect(once).toBe(`// renamed\nmoved {\n  from = a/fs.file.f\n  to   = a/fs.file.g["k"]\n}\n\nmoved {\n  from = "a/fs.file.x" // old\n  to   = a/fs.file.y\n}\n`);
    expect(formatSource("f.lxm", once).text).toBe(once);
  });
});
