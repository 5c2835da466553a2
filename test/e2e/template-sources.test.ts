import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/lang/compile.js";
import { cleanupRepos, makeRepo, root } from "./helpers.js";
import { install, pack } from "./provider-packages.js";

const FIXTURE = join(root, "fixtures/templates-service");
const PACKAGE = "@lexum-fixtures/templates-service";

const MAIN = `template service from "${PACKAGE}"

template site from "${PACKAGE}/web"

domain api = service(name = "api", replicas = 3, image = "api:1.7")

domain worker = service(name = "worker", image = "worker:0.9")

domain home = site(name = "index", text = "Hello")
`;

/** The same project written out by hand. */
const BY_HAND = `domain api {
  provider sim { world = "world.json" }
  resource sim.object svc {
    kind = "service"
    name = "api"
    spec = { replicas = 3, image = "api:1.7" }
  }
  export svc
}
domain worker {
  provider sim { world = "world.json" }
  resource sim.object svc {
    kind = "service"
    name = "worker"
    spec = { replicas = 1, image = "worker:0.9" }
  }
  export svc
}
domain home {
  provider fs { root = "out" }
  resource fs.file page {
    path    = "index.html"
    content = "<h1>Hello</h1>"
  }
}
`;

let scratch: string;
let tarball: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "lexum-tpl-"));
  tarball = pack(FIXTURE, scratch);
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  cleanupRepos();
});

describe("domain templates from an npm package (fixtures/templates-service, installed with npm)", () => {
  it("plans exactly the hand-written project's program and plan, applies, and replays", async () => {
    const repo = makeRepo({ "main.lxm": MAIN, ".gitignore": "node_modules/\nout/\nworld.json\n*.json.log\n" }, null);
    install(repo.dir, tarball);
    repo.commit("templates from a package");
    expect(JSON.parse(repo.read("package.json")).dependencies[PACKAGE]).toMatch(/^file:/);

    const check = await repo.lxm(["check"]);
    expect(check.err).toBe("");
    const byHand = compile([{ path: "main.lxm", text: BY_HAND }]);
    expect(check.out).toBe(`ok: 3 domains, 3 resources, program ${byHand.hash}\n`);

    const plan = await repo.lxm(["plan"]);
    expect(plan.err).toBe("");
    expect(plan.out.split("\n").filter((l) => /^(──|  [+~-])/.test(l))).toEqual([
      "── step 1 · domain api",
      "  + sim.object.svc",
      "── step 1 · domain home",
      "  + fs.file.page",
      "── step 1 · domain worker",
      "  + sim.object.svc",
    ]);
    expect(plan.out).toContain("Plan: 3 to create, 0 to update, 0 to replace, 0 to delete.");
    const graph = await repo.lxm(["graph"]);
    expect(graph.out).toContain("api (template service)");
    expect(graph.out).toContain("home (template site)");

    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code, apply.out + apply.err).toBe(0);
    expect(repo.read("out/index.html")).toBe("<h1>Hello</h1>");
    expect(repo.world()["service/api"]).toMatchObject({ spec: { replicas: 3, image: "api:1.7" } });
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
  });

  it("refuses a package the project's package.json does not declare, and a template the package lacks", async () => {
    const repo = makeRepo({ "main.lxm": MAIN.replace('template site from', 'template sites from').replace("= site(", "= sites("), ".gitignore": "node_modules/\n" }, null);
    install(repo.dir, tarball);
    repo.commit("a misspelt template");
    const check = await repo.lxm(["check"]);
    expect(check.code).toBe(1);
    expect(check.err).toContain(`main.lxm:3:10: error[LXM2261]: "${PACKAGE}/web" declares no template \`sites\``);
    expect(check.err).toContain("hint: did you mean `site`?");

    const pkg = JSON.parse(repo.read("package.json")) as { dependencies: Record<string, string> };
    delete pkg.dependencies[PACKAGE];
    writeFileSync(join(repo.dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
    const undeclared = await repo.lxm(["check"]);
    expect(undeclared.code).toBe(1);
    expect(undeclared.err).toContain(`error[LXM2260]: cannot read templates from "${PACKAGE}": the package ${PACKAGE} is not declared in the project's package.json (dependencies)`);
  });
});

describe("domain templates from another folder of the repository", () => {
  const SHARED = `template service(name: string, replicas: number = 1) {
  provider sim { world = "world.json" }
  resource sim.object svc {
    kind = "service"
    name = name
    spec = { replicas = replicas }
  }
}
`;
  const APP = `template service from "../shared"

domain api = service(name = "api", replicas = 2)
`;

  it("reads the folder at the goal commit; an uncommitted change to it is an input change that apply refuses; --rev and replay read the commit", async () => {
    const repo = makeRepo({ "shared/service.lxm": SHARED, "app/main.lxm": APP, ".gitignore": "world.json\n*.json.log\n" });
    const apply = await repo.lxm(["apply", "--dir", "app", "--yes"]);
    expect(apply.code, apply.out + apply.err).toBe(0);
    expect(repo.world("app/world.json")["service/api"]).toMatchObject({ spec: { replicas: 2 } });

    // The shared template edited, not committed: part of the goal, so the apply refuses.
    repo.write({ "shared/service.lxm": SHARED.replace("spec = { replicas = replicas }", "spec = { replicas = replicas * 2 }") });
    const dirty = await repo.lxm(["apply", "--dir", "app", "--yes"]);
    expect(dirty.code).toBe(1);
    // Named from where the command runs (the repository's top here).
    expect(dirty.err).toContain("in 1 file: modified: shared/service.lxm; nothing was applied");
    const working = await repo.lxm(["plan", "--dir", "app"]);
    expect(working.out).toContain('~ spec = {"replicas":2} -> {"replicas":4}');
    const rev = await repo.lxm(["plan", "--dir", "app", "--rev", "HEAD", "--detailed-exitcode"]);
    expect(rev.code, rev.out + rev.err).toBe(0);

    repo.commit("four replicas");
    expect((await repo.lxm(["apply", "--dir", "app", "--yes"])).code).toBe(0);
    expect(repo.world("app/world.json")["service/api"]).toMatchObject({ spec: { replicas: 4 } });
    const verify = await repo.lxm(["state", "verify", "--replay", "--dir", "app"]);
    expect(verify.code, verify.out + verify.err).toBe(0);

    // A folder that is not there at the goal commit.
    repo.write({ "app/main.lxm": APP.replace("../shared", "../common") });
    repo.commit("a folder that does not exist");
    const missing = await repo.lxm(["plan", "--dir", "app", "--rev", "HEAD"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/error\[LXM2260\]: cannot read templates from "\.\.\/common": there is no folder \.\.\/common in the repository at commit [0-9a-f]{12}/);
  });
});
