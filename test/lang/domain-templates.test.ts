import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { formatSource } from "../../src/lang/format.js";
import { renderGraph } from "../../src/plan/index.js";

const TEMPLATE = `template service(name: string, replicas: number = 1, image: string) {
  provider sim { world = "world.json" }
  resource sim.object svc { kind = "service", name = name, spec = { replicas = replicas, image = image } }
  export svc
}
`;
const INSTANCES = `domain api    = service(name = "api", replicas = 3, image = "api:1.7")
domain worker = service(name = "worker", image = "worker:0.9")
`;
const BY_HAND = `domain api {
  provider sim { world = "world.json" }
  resource sim.object svc { kind = "service", name = "api", spec = { replicas = 3, image = "api:1.7" } }
  export svc
}
domain worker {
  provider sim { world = "world.json" }
  resource sim.object svc { kind = "service", name = "worker", spec = { replicas = 1, image = "worker:0.9" } }
  export svc
}
`;

const codes = (files: { path: string; text: string }[]) => compile(files).diagnostics.map((d) => `${d.code} ${d.message}`);

describe("domain templates", () => {
  it("each instance is a real domain, its parameters from the arguments or the defaults", () => {
    const r = compile([{ path: "main.lxm", text: TEMPLATE + INSTANCES }]);
    expect(r.diagnostics).toEqual([]);
    const p = r.program!;
    expect(Object.keys(p.domains).sort()).toEqual(["api", "worker"]);
    expect(p.domains["api"]!.resources["api/sim.object.svc"]!.attrs).toMatchObject({ name: "api", spec: { replicas: 3, image: "api:1.7" } });
    expect(p.domains["worker"]!.resources["worker/sim.object.svc"]!.attrs).toMatchObject({ name: "worker", spec: { replicas: 1, image: "worker:0.9" } });
  });
  it("gives the program hash of the same project written out by hand, whatever the template's layout or file", () => {
    const byHand = compile([{ path: "main.lxm", text: BY_HAND }]).hash;
    expect(byHand).not.toBeNull();
    expect(compile([{ path: "main.lxm", text: TEMPLATE + INSTANCES }]).hash).toBe(byHand);
    expect(compile([{ path: "z.lxm", text: INSTANCES }, { path: "lib/a.lxm", text: TEMPLATE }]).hash).toBe(byHand);
    const reformatted = formatSource("main.lxm", INSTANCES + "\n" + TEMPLATE).text!;
    expect(compile([{ path: "main.lxm", text: reformatted }]).hash).toBe(byHand);
  });
  it("an instance's domain imports and exports like any other", () => {
    const text = `${TEMPLATE}${INSTANCES}domain front {
  provider fs { root = "out" }
  import api.svc
  resource fs.file f { path = "f", content = svc.name }
}
`;
    const r = compile([{ path: "main.lxm", text }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.program!.domains["front"]!.resources["front/fs.file.f"]!.attrs["content"]).toBe("api");
    expect(r.program!.domains["front"]!.resources["front/fs.file.f"]!.dependsOn).toEqual(["api/sim.object.svc"]);
  });
  it("refuses wrong arguments with located errors", () => {
    expect(codes([{ path: "m.lxm", text: TEMPLATE + 'domain x = service(name = 5, replicas = "3", image = "i")\n' }])).toEqual([
      "LXM2234 argument `name` of template `service` must be a string, got number",
      "LXM2234 argument `replicas` of template `service` must be a number, got string",
    ]);
    expect(codes([{ path: "m.lxm", text: TEMPLATE + 'domain x = service(name = "x")\n' }])).toEqual(["LXM2233 template `service` needs `image`: it has no default"]);
    expect(codes([{ path: "m.lxm", text: TEMPLATE + 'domain x = service(name = "x", image = "i", imgae = "j")\n' }])).toEqual([
      "LXM2232 template `service` has no parameter `imgae` (its parameters: `name`, `replicas`, `image`)",
    ]);
    expect(codes([{ path: "m.lxm", text: TEMPLATE + 'domain x = service(name = "x", name = "y", image = "i")\n' }])).toEqual(["LXM2237 argument `name` appears more than once"]);
    expect(codes([{ path: "m.lxm", text: TEMPLATE + 'domain x = service(name = other, image = "i")\n' }])).toEqual([
      "LXM2235 `other`: template arguments and defaults are values written in place; they cannot refer to names",
    ]);
    expect(codes([{ path: "m.lxm", text: TEMPLATE + "domain x = servce()\n" }])).toEqual(["LXM2231 unknown template `servce`"]);
    expect(codes([{ path: "m.lxm", text: TEMPLATE + TEMPLATE }])).toEqual(["LXM2230 template `service` is declared more than once"]);
    expect(codes([{ path: "m.lxm", text: "template t(n: int) {\n}\ndomain a = t(n = 1)\n" }])).toEqual(["LXM2236 `int` is not a parameter type (string, number, bool, list, object, any)"]);
  });
  it("names both instantiation sites when two instances claim the same object", () => {
    const r = compile([{ path: "m.lxm", text: TEMPLATE + 'domain a = service(name = "same", image = "i")\ndomain b = service(name = "same", image = "j")\n' }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2090"]);
    const notes = r.diagnostics[0]!.related!.map((x) => x.message);
    expect(notes).toContain("in domain `a`, an instance of `service`");
    expect(notes).toContain("in domain `b`, an instance of `service`");
  });
  it("a finding inside the template shows the template's line and the instantiation that led there", () => {
    const tpl = 'template t(n: number) {\n  let half = n / "2"\n}\n';
    const r = compile([{ path: "lib.lxm", text: tpl }, { path: "m.lxm", text: "domain a = t(n = 4)\n" }]);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.span).toMatchObject({ file: "lib.lxm" });
    expect(d.related).toEqual([{ span: { file: "m.lxm", start: 11, end: 19 }, message: "in domain `a`, an instance of `t`" }]);
  });
  it("the graph says which template a domain came from (outside the program and its hash)", () => {
    const r = compile([{ path: "main.lxm", text: TEMPLATE + INSTANCES }]);
    expect(r.instances).toEqual({ api: "service", worker: "service" });
    expect(renderGraph(r.program!, "dot", r.instances)).toContain('label="api (template service)";');
    expect(renderGraph(r.program!, "mermaid", r.instances)).toContain('["worker (template service)"]');
    expect(compile([{ path: "main.lxm", text: BY_HAND }]).instances).toBeUndefined();
  });
  it("lxm fmt keeps templates and instances, on one line or one argument per line", () => {
    const src = `template service(name: string, replicas: number = 1) {
  let n = name
}

domain api = service(name = "api", replicas = 3)

domain worker = service(
  name = "worker",
)
`;
    const f = formatSource("m.lxm", src);
    expect(f.diagnostics).toEqual([]);
    expect(f.text).toBe(src);
  });
});
