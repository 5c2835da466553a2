import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, makeRepo, root } from "./helpers.js";

afterAll(cleanupRepos);

/** Every command with --json fails with one document of schemas/error.json on stdout, exit 1. */

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(root, "schemas/error.json"), "utf8")));

const GOOD = `domain site {
  provider fs { root = "out" }

  resource fs.file index {
    path    = "index.html"
    content = "hello"
  }
}
`;
const SYNTAX = `domain site {\n  let x = [1, 2\n}\n`;
const COMPILE = `domain site {\n  provider fs { root = "out" }\n  let n = len(pagez)\n  let t = uppper("x")\n}\n`;

type Doc = { error: { code: string; message: string; hint: string }; diagnostics: { code: string; file: string | null }[] };

function expectErrorDocument(r: { code: number; out: string; err: string }): Doc {
  expect(r.code).toBe(1);
  const doc = JSON.parse(r.out) as Doc;
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  expect(r.err).toBe("");
  return doc;
}

describe("the one JSON error document (schemas/error.json)", () => {
  it("check with a syntax error: the first error's code, `N errors`, every diagnostic", async () => {
    const repo = makeRepo({ "site.lxm": SYNTAX });
    const doc = expectErrorDocument(await repo.lxm(["check", "--json"]));
    expect(doc.error.code).toBe("LXM1020");
    expect(doc.error.message).toBe("1 error");
    expect(doc.error.hint).toContain("site.lxm:3:1");
    expect(doc.diagnostics.map((d) => d.code)).toEqual(["LXM1020"]);
    expect(doc.diagnostics[0]!.file).toBe("site.lxm");
  });

  it("plan and apply with a compile error: the same document (no more {error: 'plan failed'})", async () => {
    const repo = makeRepo({ "site.lxm": COMPILE });
    const plan = expectErrorDocument(await repo.lxm(["plan", "--json"]));
    expect(plan.error).toMatchObject({ code: "LXM2003", message: "2 errors" });
    expect(plan.diagnostics.map((d) => d.code)).toEqual(["LXM2003", "LXM2008"]);
    const apply = expectErrorDocument(await repo.lxm(["apply", "--yes", "--json"]));
    expect(apply.diagnostics).toEqual(plan.diagnostics);
    const graph = expectErrorDocument(await repo.lxm(["graph", "--json"]));
    expect(graph.diagnostics).toEqual(plan.diagnostics);
    expect(repo.stateHead()).toBeNull();
  });

  it("state show of an unknown address, output of an unknown name, show of a bad file, replay without state", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": GOOD });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const show = expectErrorDocument(await repo.lxm(["state", "show", "site/fs.file.indx", "--json"]));
    expect(show.error).toEqual({ code: "LXM4211", message: "the snapshot records no resource site/fs.file.indx", hint: "did you mean site/fs.file.index?" });
    expect(show.diagnostics).toEqual([]);
    expect(expectErrorDocument(await repo.lxm(["output", "site.nope", "--json"])).error.code).toBe("LXM5022");
    expect(expectErrorDocument(await repo.lxm(["show", "site.lxm", "--json"])).error.code).toBe("LXM4206");
    const empty = makeRepo({ "site.lxm": GOOD });
    expect(expectErrorDocument(await empty.lxm(["replay", "--json"])).error.code).toBe("LXM4210");
  });

  it("a failed apply --json: LXM5020 beside the run report", async () => {
    const goal = `domain d {\n  provider sim { world = "world.json" }\n  resource sim.object a {\n    kind = "thing"\n    name = "a"\n  }\n  goal g {\n    assert a.generation == 7 : "never"\n  }\n}\n`;
    const repo = makeRepo({ ".gitignore": "world.json\n", "d.lxm": goal });
    const r = await repo.lxm(["apply", "--yes", "--json"]);
    const doc = expectErrorDocument(r) as Doc & { status: string; commits: unknown[] };
    expect(doc.error.code).toBe("LXM5020");
    expect(doc.error.message).toMatch(/^apply failed in domain d/);
    expect(doc.status).toBe("failed");
    expect(doc.commits).toHaveLength(1);
  });

  it("an unknown flag or command with --json", async () => {
    const repo = makeRepo({ "site.lxm": GOOD });
    const flag = expectErrorDocument(await repo.lxm(["state", "log", "--jsn", "--json"]));
    expect(flag.error).toEqual({ code: "LXM5005", message: "unknown flag '--jsn' for 'lxm state log' (did you mean '--json'?)", hint: "run `lxm state log --help` for usage" });
    expect(expectErrorDocument(await repo.lxm(["pln", "--json"])).error.message).toBe("unknown command 'pln' (did you mean 'plan'?)");
  });

  it("fmt --check --json: one LXM5021 diagnostic per unformatted file, at its first changed line, with the file list", async () => {
    const repo = makeRepo({ "site.lxm": GOOD.replace('  resource fs.file index {', '  resource   fs.file index {') });
    const doc = expectErrorDocument(await repo.lxm(["fmt", "--check", "--json"])) as Doc & { files: string[] };
    expect(doc.error.code).toBe("LXM5021");
    expect(doc.files).toEqual(["site.lxm"]);
    expect(doc.diagnostics).toMatchObject([{ code: "LXM5021", file: "site.lxm", start: { line: 4, column: 1 } }]);
  });
});
