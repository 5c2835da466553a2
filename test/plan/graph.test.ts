import { describe, expect, it } from "vitest";
import { domainCycle, domainOrder, domainSteps, kahn, resourceCycle, resourceOrder } from "../../src/plan/index.js";
import { dom, prog, res } from "./helpers.js";

describe("domainSteps / domainOrder", () => {
  it("roots are step 1 and a domain is 1 + the largest step it waits for", () => {
    const p = prog(
      dom("c", [], { after: ["a", "b"] }),
      dom("b", [], { after: ["a"] }),
      dom("a", []),
      dom("d", []),
      dom("e", [], { after: ["d"] }),
    );
    expect([...domainSteps(p).entries()]).toEqual([
      ["a", 1],
      ["d", 1],
      ["b", 2],
      ["e", 2],
      ["c", 3],
    ]);
    expect(domainOrder(p)).toEqual(["a", "d", "b", "e", "c"]);
  });

  it("does not depend on the key order of the program", () => {
    const p1 = prog(dom("x", [], { after: ["y"] }), dom("y", []), dom("w", []));
    const p2 = prog(dom("w", []), dom("y", []), dom("x", [], { after: ["y"] }));
    expect(domainOrder(p1)).toEqual(domainOrder(p2));
    expect(domainOrder(p1)).toEqual(["w", "y", "x"]);
  });

  it("terminates on a cycle and reports it", () => {
    const p = prog(dom("a", [], { after: ["b"] }), dom("b", [], { after: ["a"] }), dom("c", []));
    expect(domainSteps(p).size).toBe(3);
    expect(domainCycle(p)).toEqual(["a", "b", "a"]);
    expect(domainCycle(prog(dom("a", []), dom("b", [], { after: ["a"] })))).toBeNull();
  });
});

describe("resourceOrder", () => {
  it("is topological by dependsOn with ties broken by address", () => {
    const z = res("s", "fs.dir", "z", { path: "z" });
    const b = res("s", "fs.file", "b", { path: "z/b" }, { dependsOn: ["s/fs.dir.z"] });
    const a = res("s", "fs.file", "a", { path: "z/a" }, { dependsOn: ["s/fs.dir.z", "other/fs.file.x"] });
    const m = res("s", "fs.file", "m", { path: "m" });
    // z sorts after a/b/m by address, but a and b need it first; the cross-domain dep is ignored.
    expect(resourceOrder(dom("s", [b, m, a, z]))).toEqual(["s/fs.dir.z", "s/fs.file.a", "s/fs.file.b", "s/fs.file.m"]);
  });

  it("places a resource as soon as it is ready, smallest ready address first", () => {
    expect(
      kahn(
        new Map([
          ["d", []],
          ["c", ["d"]],
          ["b", []],
          ["a", ["c"]],
        ]),
      ),
    ).toEqual(["b", "d", "c", "a"]);
  });

  it("reports a resource cycle and still orders every resource", () => {
    const a = res("s", "fs.file", "a", { path: "a" }, { dependsOn: ["s/fs.file.b"] });
    const b = res("s", "fs.file", "b", { path: "b" }, { dependsOn: ["s/fs.file.a"] });
    const d = dom("s", [a, b]);
    expect(resourceCycle(d)).toEqual(["s/fs.file.a", "s/fs.file.b", "s/fs.file.a"]);
    expect(resourceOrder(d)).toEqual(["s/fs.file.a", "s/fs.file.b"]);
  });
});

describe("long chains", () => {
  it("orders and checks a 50,000-resource dependency chain without overflowing the stack", () => {
    const rs = [];
    for (let i = 0; i < 50_000; i++) rs.push(res("s", "fs.file", `f${i}`, { path: `f${i}` }, { dependsOn: i > 0 ? [`s/fs.file.f${i - 1}`] : [] }));
    const d = dom("s", rs);
    expect(resourceCycle(d)).toBeNull();
    const order = resourceOrder(d);
    expect(order.length).toBe(50_000);
    expect(order[0]).toBe("s/fs.file.f0");
    expect(order[1]).toBe("s/fs.file.f1");
    expect(order[49_999]).toBe("s/fs.file.f49999");
  });
});
