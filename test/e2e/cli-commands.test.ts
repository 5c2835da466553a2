import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPlanText } from "../../src/plan/index.js";
import { cleanupRepos, makeRepo } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

afterAll(cleanupRepos);

/** The Terraform-style commands against a real applied repository: state list, output, show, state show addresses. */

const GOAL = `domain storage {
  provider fs { root = "out" }

  resource fs.dir data {
    path = "data"
  }

  resource fs.file node for i in range(0, 12) {
    path    = "data/n\${i}.txt"
    content = "n\${i}"
  }

  export data
  export port = 8080
  export password = secret("DB_PASSWORD")
}

domain web {
  provider fs { root = "out" }
  import storage.port

  resource fs.file page for name in ["index", "about"] {
    path    = "site/\${name}.html"
    content = "port \${port}"
  }

  export url = "http://localhost:\${port}/"
}

domain blog {
  provider fs { root = "out" }

  resource fs.file page for name in ["index"] {
    path    = "blog/\${name}.html"
    content = "blog"
  }
}
`;

const NODES = Array.from({ length: 12 }, (_, i) => `storage/fs.file.node[${i}]`);
const ALL = ['blog/fs.file.page["index"]', "storage/fs.dir.data", ...NODES, 'web/fs.file.page["about"]', 'web/fs.file.page["index"]'];

let repo: E2eRepo;
let planText: string;
beforeAll(async () => {
  repo = makeRepo({ ".gitignore": "out/\n*.plan.json\n", "main.lxm": GOAL });
  const p = await repo.lxm(["plan", "--out", "p.plan.json"]);
  expect(p.code).not.toBe(1);
  planText = p.out;
  expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
});

describe("lxm state list", () => {
  it("prints every address of the last snapshot, one per line, in natural order (node[2] before node[10])", async () => {
    const r = await repo.lxm(["state", "list"]);
    expect(r).toEqual({ code: 0, out: ALL.join("\n") + "\n", err: "" });
    expect(r.out.indexOf("node[2]")).toBeLessThan(r.out.indexOf("node[10]"));
    expect(JSON.parse((await repo.lxm(["state", "list", "--json"])).out)).toEqual(ALL);
  });

  it("filters by an address prefix, with or without the domain", async () => {
    expect((await repo.lxm(["state", "list", "web"])).out).toBe('web/fs.file.page["about"]\nweb/fs.file.page["index"]\n');
    expect((await repo.lxm(["state", "list", "fs.file.page"])).out).toBe('blog/fs.file.page["index"]\nweb/fs.file.page["about"]\nweb/fs.file.page["index"]\n');
    expect((await repo.lxm(["state", "list", "storage/fs.file.node[1"])).out).toBe(["storage/fs.file.node[1]", "storage/fs.file.node[10]", "storage/fs.file.node[11]"].join("\n") + "\n");
  });

  it("works from another folder with --dir / -C", async () => {
    const parent = join(repo.dir, "..");
    const name = repo.dir.slice(parent.length + 1);
    const { lxm } = await import("../cli/capture.js");
    expect((await lxm(parent, ["state", "list", "--dir", name])).out).toBe(ALL.join("\n") + "\n");
    expect((await lxm(parent, ["state", "list", "-C", name, "web"])).out).toBe('web/fs.file.page["about"]\nweb/fs.file.page["index"]\n');
  });

  it("state show lists the resources in natural order too", async () => {
    const r = await repo.lxm(["state", "show"]);
    expect(r.out).toContain(`resources (16):\n${ALL.map((a) => `  ${a}`).join("\n")}\n`);
  });
});

describe("lxm state show ADDRESS", () => {
  it("accepts the address as plan prints it, the full form, the domain-dot form and an unquoted key", async () => {
    expect(planText).toContain('  + fs.file.page["about"]');
    const full = await repo.lxm(["state", "show", 'web/fs.file.page["about"]']);
    expect(full.code).toBe(0);
    expect(JSON.parse(full.out).address).toBe('web/fs.file.page["about"]');
    for (const form of ['fs.file.page["about"]', 'web.fs.file.page["about"]', "fs.file.page[about]", "web/fs.file.page[about]"]) {
      const r = await repo.lxm(["state", "show", form]);
      expect(r.code, form).toBe(0);
      expect(r.out, form).toBe(full.out);
    }
    const node = await repo.lxm(["state", "show", "fs.file.node[10]"]);
    expect(JSON.parse(node.out).address).toBe("storage/fs.file.node[10]");
    // The address after a revision too.
    expect((await repo.lxm(["state", "show", "lexum/state", "fs.file.page[about]"])).out).toBe(full.out);
  });

  it("an unknown address is LXM4211 with a did-you-mean; a short form in two domains is LXM5023", async () => {
    const typo = await repo.lxm(["state", "show", "fs.file.page[abot]"]);
    expect(typo.code).toBe(1);
    expect(typo.err).toBe('error[LXM4211]: the snapshot records no resource fs.file.page[abot]\n  hint: did you mean web/fs.file.page["about"]?\n');
    const amb = await repo.lxm(["state", "show", 'fs.file.page["index"]']);
    expect(amb.code).toBe(1);
    expect(amb.err.split("\n")[0]).toBe('error[LXM5023]: fs.file.page["index"] matches 2 resources: blog/fs.file.page["index"], web/fs.file.page["index"]');
  });
});

describe("lxm output", () => {
  it("prints every export of the last snapshot as domain.name = value, sensitive ones as (sensitive)", async () => {
    const r = await repo.lxm(["output"]);
    expect(r).toEqual({
      code: 0,
      out: 'storage.data = {"mode":"0755","path":"data"}\nstorage.password = (sensitive)\nstorage.port = 8080\nweb.url = "http://localhost:8080/"\n',
      err: "",
    });
    expect(r.out).not.toContain("hunter2");
    expect(r.out).not.toContain("hmac-sha256");
  });

  it("DOMAIN lists that domain's; DOMAIN.NAME prints the value alone; --json an object", async () => {
    expect((await repo.lxm(["output", "web"])).out).toBe('web.url = "http://localhost:8080/"\n');
    expect((await repo.lxm(["output", "storage.port"])).out).toBe("8080\n");
    expect((await repo.lxm(["output", "web.url"])).out).toBe('"http://localhost:8080/"\n');
    expect((await repo.lxm(["output", "storage.password"])).out).toBe("(sensitive)\n");
    expect(JSON.parse((await repo.lxm(["output", "--json"])).out)).toEqual({
      "storage.data": { mode: "0755", path: "data" },
      "storage.password": "(sensitive)",
      "storage.port": 8080,
      "web.url": "http://localhost:8080/",
    });
    expect(JSON.parse((await repo.lxm(["output", "storage.port", "--json"])).out)).toBe(8080);
  });

  it("an unknown name is LXM5022 with a did-you-mean", async () => {
    const r = await repo.lxm(["output", "storage.prot"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error[LXM5022]: the last snapshot records no output storage.prot\n  hint: did you mean storage.port?\n");
    expect((await repo.lxm(["output", "webb"])).err).toContain("did you mean web?");
  });
});

describe("lxm show PLANFILE", () => {
  it("renders a saved plan exactly as lxm plan showed it; --json is the saved document", async () => {
    const r = await repo.lxm(["show", "p.plan.json"]);
    expect(r).toEqual({ code: 0, out: planText, err: "" });
    const saved = JSON.parse(readFileSync(join(repo.dir, "p.plan.json"), "utf8"));
    expect(r.out).toBe(renderPlanText(saved));
    expect(JSON.parse((await repo.lxm(["show", "p.plan.json", "--json"])).out)).toEqual(saved);
  });

  it("a file that is not a valid lexum.plan/v1 is LXM4206", async () => {
    writeFileSync(join(repo.dir, "bad.plan.json"), '{"format":"something/v2"}');
    const saved = JSON.parse(readFileSync(join(repo.dir, "p.plan.json"), "utf8"));
    writeFileSync(join(repo.dir, "edited.plan.json"), JSON.stringify({ ...saved, refreshed: !saved.refreshed }));
    for (const [file, why] of [
      ["bad.plan.json", "not a lexum.plan/v1 document"],
      ["edited.plan.json", "its hash does not match its content (edited?)"],
      ["main.lxm", "it is not JSON"],
      ["missing.plan.json", "no such file"],
    ]) {
      const r = await repo.lxm(["show", file!]);
      expect(r.code, file).toBe(1);
      expect(r.err.split("\n")[0]).toBe(`error[LXM4206]: cannot use plan file ${file}: ${why}`);
    }
  });
});
