import { describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { formatSource } from "../../src/lang/format.js";
import { templateSource } from "../../src/lang/template-source.js";

const SHARED = `template service(name: string) {
  provider sim { world = "w.json" }
  resource sim.object svc {
    kind = "service"
    name = name
  }
}
`;

describe("template sources", () => {
  it("a folder relative to the declaring file, outside the project; an npm package and a folder in it", () => {
    expect(templateSource("main.lxm", "../shared")).toEqual({ kind: "folder", key: "folder:../shared", path: "../shared" });
    expect(templateSource("sub/main.lxm", "../../shared/t/")).toEqual({ kind: "folder", key: "folder:../shared/t", path: "../shared/t" });
    expect(templateSource("main.lxm", "@acme/lexum-templates/web")).toEqual({ kind: "package", key: "package:@acme/lexum-templates/web", name: "@acme/lexum-templates", folder: "web" });
    expect(templateSource("main.lxm", "templates")).toEqual({ kind: "package", key: "package:templates", name: "templates", folder: "" });
    expect(templateSource("sub/main.lxm", "../lib")).toEqual({ problem: '"../lib" is inside the project: its templates are the project\'s already (use them by name)' });
    expect(templateSource("main.lxm", "/etc/t")).toHaveProperty("problem");
    expect(templateSource("main.lxm", "@acme/../x")).toHaveProperty("problem");
    expect(templateSource("main.lxm", "Not A Package")).toHaveProperty("problem");
  });

  it("compiles an instance of a template from a loaded source to the program of the template copied into the project", () => {
    const main = `template service from "../shared"\n\ndomain api = service(name = "api")\n`;
    const libraries = new Map([["folder:../shared", { files: [{ path: "../shared/service.lxm", text: SHARED }] }]]);
    const r = compile([{ path: "main.lxm", text: main }], { libraries });
    expect(r.diagnostics).toEqual([]);
    const copied = compile([{ path: "main.lxm", text: `${SHARED}\ndomain api = service(name = "api")\n` }]);
    expect(r.hash).toBe(copied.hash);
    expect(r.instances).toEqual({ api: "service" });
    // Declared in the project too: twice.
    const twice = compile([{ path: "main.lxm", text: `${main}\n${SHARED}` }], { libraries });
    expect(twice.diagnostics.map((d) => d.code)).toEqual(["LXM2230"]);
    // Not loaded: located at the source.
    expect(compile([{ path: "main.lxm", text: main }]).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'LXM2260 cannot read templates from "../shared": it was not loaded (compile was given no template libraries)',
    ]);
  });

  it("lxm fmt keeps the declaration on one line", () => {
    expect(formatSource("f.lxm", `template   service  from "../shared"   // shared\n`).text).toBe(`template service from "../shared" // shared\n`);
  });
});
