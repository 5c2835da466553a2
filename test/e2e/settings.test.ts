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
});
