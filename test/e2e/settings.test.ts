import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, makeRepo } from "./helpers.js";

afterAll(cleanupRepos);

const main = `domain site {
  provider fs {}

  resource fs.file hello {
    path    = "hello.txt"
    content = "hi"
  }
}
`;

describe("lexum.yaml", () => {
  it("its provider defaults go under provider blocks, and state_branch names the branch", async () => {
    const repo = makeRepo({ "main.lxm": main, "lexum.yaml": "state_branch: ops/state\nproviders:\n  fs:\n    root: out\n", ".gitignore": "out/\n" });
    const check = await repo.lxm(["check"]);
    expect(check.code).toBe(0);
    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code).toBe(0);
    expect(repo.read("out/hello.txt")).toBe("hi");
    expect(repo.git("rev-parse", "--verify", "-q", "refs/heads/ops/state").trim()).toMatch(/^[0-9a-f]{40}$/);
    const log = await repo.lxm(["state", "log"]);
    expect(log.out).toContain("quiescent");
  });
  it("with --rev, the lexum.yaml of that commit is used, not the working tree's", async () => {
    const repo = makeRepo({ "main.lxm": main, "lexum.yaml": "providers:\n  fs:\n    root: committed\n", ".gitignore": "committed/\nedited/\n" });
    repo.write({ "lexum.yaml": "providers:\n  fs:\n    root: edited\n" });
    const plan = await repo.lxm(["plan", "--detailed-exitcode", "--rev", "HEAD", "--json"]);
    expect(plan.code).toBe(2);
    const apply = await repo.lxm(["apply", "--rev", "HEAD", "--yes"]);
    expect(apply.code).toBe(0);
    expect(repo.exists("committed/hello.txt")).toBe(true);
    expect(repo.exists("edited/hello.txt")).toBe(false);
  });
  it("a bad lexum.yaml stops plan with a located diagnostic and writes nothing", async () => {
    const repo = makeRepo({ "main.lxm": main, "lexum.yaml": "parallelism: many\n" });
    const r = await repo.lxm(["plan"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/lexum\.yaml:1:\d+: error\[LXM2\d{3}\]/);
    expect(repo.stateHead()).toBeNull();
  });
  it("a state_branch git would refuse, or an unknown provider setting, stops plan and apply before any ref is made", async () => {
    for (const [yaml, where] of [
      ["state_branch: HEAD\n", /lexum\.yaml:1:15: error\[LXM2141\]: lexum\.yaml: state_branch "HEAD"/],
      ["state_branch: refs/tags/v1\n", /lexum\.yaml:1:15: error\[LXM2141\]/],
      ['state_branch: "-x"\n', /lexum\.yaml:1:15: error\[LXM2141\]/],
      ["providers:\n  fs:\n    bogus: 1\n", /lexum\.yaml:3:5: error\[LXM2141\]: lexum\.yaml: providers\.fs: `bogus` is not a setting/],
      ["providers:\n  nope: {}\n", /lexum\.yaml:2:3: error\[LXM2141\]: lexum\.yaml: providers: unknown provider `nope`/],
    ] as const) {
      const repo = makeRepo({ "main.lxm": main, "lexum.yaml": yaml, ".gitignore": "*.html\n" });
      const refsBefore = repo.git("for-each-ref", "--format=%(refname)");
      for (const args of [["check"], ["plan"], ["apply", "--yes"]]) {
        const r = await repo.lxm(args);
        expect({ yaml, args, code: r.code }).toEqual({ yaml, args, code: 1 });
        expect(r.err).toMatch(where);
      }
      expect(repo.git("for-each-ref", "--format=%(refname)")).toBe(refsBefore);
      expect(repo.exists("hello.txt")).toBe(false);
    }
  });
});
