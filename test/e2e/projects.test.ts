import { afterAll, describe, expect, it } from "vitest";
import { defaultStateBranch } from "../../src/lang/project.js";
import { cleanupRepos, makeRepo } from "./helpers.js";

afterAll(cleanupRepos);

const domain = (name: string, file: string) => `domain ${name} {
  provider fs { root = "out" }
  resource fs.file conf {
    path    = "${file}"
    content = "${name}"
  }
}
`;

describe("several projects in one repository", () => {
  it("derives each state branch from the project's path alone", () => {
    expect(defaultStateBranch("")).toBe("lexum/state");
    expect(defaultStateBranch(".")).toBe("lexum/state");
    expect(defaultStateBranch("infra")).toBe("lexum/state-infra");
    expect(defaultStateBranch("teams/web")).toBe("lexum/state-teams.web");
    expect(defaultStateBranch("example.com")).toBe("lexum/state-example%2Ecom");
    expect(defaultStateBranch("équipe/a b")).toBe("lexum/state-%C3%A9quipe.a%20b");
    // Distinct paths, distinct names.
    expect(defaultStateBranch("a.b/c")).not.toBe(defaultStateBranch("a/b.c"));
  });

  it("check and plan at the top take each project; apply takes the one --project names, recording to its own branch; a nested project's files are its own", async () => {
    const repo = makeRepo({
      ".gitignore": "out/\n",
      "main.lxm": domain("top", "top.conf"),
      "infra/lexum.yaml": "parallelism: 2\n",
      "infra/net.lxm": domain("net", "net.conf"),
      "teams/web/lexum.yaml": "parallelism: 2\n",
      "teams/web/site.lxm": domain("site", "site.conf"),
    });
    const check = await repo.lxm(["check"]);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/^== project \. ==\nok: 1 domain, 1 resource, program sha256:[0-9a-f]{64}\n\n== project infra ==\nok: 1 domain, 1 resource, program sha256:[0-9a-f]{64}\n\n== project teams\/web ==\nok: 1 domain, 1 resource, program sha256:[0-9a-f]{64}\n$/);

    const plan = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.out.match(/^Plan: 1 to create, 0 to update, 0 to replace, 0 to delete\.$/gm)).toHaveLength(3);
    const json = JSON.parse((await repo.lxm(["plan", "--json"])).out) as { projects: { project: string; result: { summary: { create: number } } }[] };
    expect(json.projects.map((p) => [p.project, p.result.summary.create])).toEqual([[".", 1], ["infra", 1], ["teams/web", 1]]);

    const refused = await repo.lxm(["apply", "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("error[LXM5024]: . holds 3 projects; the projects here: ., infra, teams/web");
    expect(refused.err).toContain("hint: choose one with --project (e.g. --project infra)");
    const unknown = await repo.lxm(["plan", "--project", "teams"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("error[LXM5024]: --project teams is not a project under .");

    for (const p of ["infra", "teams/web", "."]) expect((await repo.lxm(["apply", "--yes", "--project", p])).code).toBe(0);
    expect(repo.git("branch", "--list", "lexum/*").split("\n").map((b) => b.trim())).toEqual(["lexum/state", "lexum/state-infra", "lexum/state-teams.web"]);
    // The top project did not take the nested projects' files.
    expect(repo.git("ls-tree", "-r", "--name-only", "lexum/state", "resources")).toBe("resources/top/fs.file.conf.json");
    expect(repo.read("infra/out/net.conf")).toBe("net");

    // Inside a project, or with --project, the state commands read its branch.
    const log = await repo.lxm(["state", "log", "--project", "infra"]);
    expect(log.out).toContain("1 resource recorded; 1 action done");
    expect((await repo.lxm(["state", "list", "--dir", "teams/web"])).out).toBe("site/fs.file.conf\n");
    expect((await repo.lxm(["replay", "--project", "teams/web"])).code).toBe(0);
    expect((await repo.lxm(["plan", "--detailed-exitcode"])).code).toBe(0);
  });

  it("a folder with a single project below it runs that one", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "infra/lexum.yaml": "parallelism: 2\n", "infra/net.lxm": domain("net", "net.conf") });
    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code, apply.err).toBe(0);
    expect(apply.out).toContain("on lexum/state-infra");
  });
});
