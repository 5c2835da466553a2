import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, makeRepo } from "./helpers.js";

afterAll(() => cleanupRepos());

const SETTINGS = (prodReplicas: number) => `inputs:
  replicas: { type: number, default: 1 }
  name: { type: string }
environments:
  staging:
    inputs: { name: staging }
  production:
    inputs: { name: production, replicas: ${prodReplicas} }
`;
const MAIN = `domain web {
  provider fs { root = "out/\${input("name")}" }
  resource fs.file conf {
    path    = "conf.txt"
    content = "replicas=\${input("replicas")}"
  }
}
`;

describe("environments: one repository, two environments, two state branches", () => {
  it("applies each independently; a change to production's inputs plans nothing in staging", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "lexum.yaml": SETTINGS(3), "main.lxm": MAIN });
    const none = await repo.lxm(["apply", "--yes"]);
    expect(none.code).toBe(1);
    expect(none.err).toContain("error[LXM2143]: this project has environments (`production`, `staging`): choose one");
    const unknown = await repo.lxm(["plan", "--env", "prod"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("error[LXM2142]: lexum.yaml declares no environment `prod` (declared: `production`, `staging`)");

    expect((await repo.lxm(["apply", "--env", "staging", "--yes"])).code).toBe(0);
    expect((await repo.lxm(["apply", "--env", "production", "--yes"])).code).toBe(0);
    expect(repo.read("out/staging/conf.txt")).toBe("replicas=1");
    expect(repo.read("out/production/conf.txt")).toBe("replicas=3");
    const stagingHead = repo.git("rev-parse", "lexum/state/staging");
    const prodHead = repo.git("rev-parse", "lexum/state/production");
    expect(repo.git("branch", "--list", "lexum/state")).toBe("");

    repo.write({ "lexum.yaml": SETTINGS(5) });
    repo.commit("production: 5 replicas");
    expect((await repo.lxm(["plan", "--env", "staging", "--detailed-exitcode"])).code).toBe(0);
    const prodPlan = await repo.lxm(["plan", "--env", "production", "--detailed-exitcode"]);
    expect(prodPlan.code).toBe(2);
    expect(prodPlan.out).toContain('~ content = "replicas=3" -> "replicas=5"');
    expect((await repo.lxm(["apply", "--env", "production", "--yes"])).code).toBe(0);
    expect(repo.read("out/production/conf.txt")).toBe("replicas=5");
    expect(repo.read("out/staging/conf.txt")).toBe("replicas=1");
    expect(repo.git("rev-parse", "lexum/state/staging")).toBe(stagingHead);
    expect(repo.git("rev-parse", "lexum/state/production")).not.toBe(prodHead);

    // Replay finds each branch's environment by its name in the goal's lexum.yaml.
    for (const branch of ["lexum/state/staging", "lexum/state/production"]) {
      const r = await repo.lxm(["replay", "--branch", branch]);
      expect(r.code, r.out + r.err).toBe(0);
    }
  });
});
