import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TraceEvent } from "../../src/runtime/types.js";
import type { E2eRepo } from "./helpers.js";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";

// Two domains, `app` importing from `base`: app's file lives in base's directory and app's
// machine sits on base's network. Removing both at once must delete app's objects first,
// whatever the parallelism; a directory deleted first would refuse (it is not empty).
const ignore = { ".gitignore": "out/\n*.json.log\n" };

const base = (withObjects: boolean, dirPath = "data") => `domain base {
  provider fs { root = "out" }
  provider sim { world = "base-world.json" }
${withObjects ? `  resource fs.dir data { path = "${dirPath}" }\n  resource sim.object net { kind = "network", name = "net", spec = { cidr = "10.0.0.0/24" } }\n  export data\n  export net\n` : ""}  resource fs.file keep { path = "keep.txt", content = "keep" }
  export version = 1
}
`;

const app = (withObjects: boolean) => `domain app {
  provider fs { root = "out" }
  provider sim { world = "app-world.json" }
  import base.version
${withObjects ? `  import base.data\n  import base.net\n  resource fs.file conf { path = "\${data.path}/conf.txt", content = "v\${version}" }\n  resource sim.object vm { kind = "machine", name = "vm", spec = { network = net.name } }\n` : ""}  resource fs.file other { path = "other-\${version}.txt", content = "o" }
}
`;

/** The resource actions (noops left out) of the head's trace, in trace order: `step action address`. */
function starts(repo: E2eRepo): string[] {
  const events = repo
    .git("show", "lexum/state:trace.jsonl")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TraceEvent);
  return events.filter((e) => e.phase === "start" && e.action !== "noop").map((e) => `${e.step} ${e.action} ${e.address}`);
}

async function apply(repo: E2eRepo, parallelism: number): Promise<void> {
  const r = await repo.lxm(["apply", "--yes", "--parallelism", String(parallelism)]);
  expect(r.err).not.toContain("error");
  expect(r.code).toBe(0);
}

afterAll(cleanupRepos);

describe("teardown in reverse dependency order across domains (fs and sim)", () => {
  it("deletes the importing domain's objects before those they used, at parallelism 1 and 8 alike", async () => {
    const repos = [1, 8].map(() => makeRepo({ ...ignore, "base.lxm": base(true), "app.lxm": app(true) }));
    for (const [i, repo] of repos.entries()) await apply(repo, i === 0 ? 1 : 8);
    expect(existsSync(join(repos[0]!.dir, "out/data/conf.txt"))).toBe(true);

    for (const repo of repos) {
      repo.write({ "base.lxm": base(false), "app.lxm": app(false) });
      repo.commit("remove the network, the machine, the directory and the file in it");
    }
    const plan = await repos[0]!.lxm(["plan"]);
    expect(plan.out).toContain("── step 1 · teardown · domain app");
    expect(plan.out).toContain("── step 2 · teardown · domain base");
    for (const [i, repo] of repos.entries()) await apply(repo, i === 0 ? 1 : 8);

    expect(starts(repos[0]!)).toEqual([
      "1 delete app/fs.file.conf",
      "1 delete app/sim.object.vm",
      "2 delete base/fs.dir.data",
      "2 delete base/sim.object.net",
    ]);
    // The same trace, byte for byte, and the same state commit at both parallelisms.
    expect(repos[1]!.git("show", "lexum/state:trace.jsonl")).toBe(repos[0]!.git("show", "lexum/state:trace.jsonl"));
    expect(repos[1]!.stateHead()).toBe(repos[0]!.stateHead());
    expect(existsSync(join(repos[0]!.dir, "out/data"))).toBe(false);
    expect(repos[0]!.world("base-world.json")).toEqual({});
    expect(headSnapshot(repos[0]!).status).toBe("quiescent");
    for (const repo of repos) await expectHealthyState(repo);
  });

  it("a domain that left the code is torn down before the domain its objects depended on (from the records)", async () => {
    const repos = [1, 8].map(() => makeRepo({ ...ignore, "base.lxm": base(true), "app.lxm": app(true) }));
    for (const [i, repo] of repos.entries()) await apply(repo, i === 0 ? 1 : 8);
    for (const repo of repos) {
      repo.write({ "base.lxm": base(false), "app.lxm": null });
      repo.commit("app leaves; base drops its directory and network");
    }
    for (const [i, repo] of repos.entries()) await apply(repo, i === 0 ? 1 : 8);
    expect(starts(repos[0]!)).toEqual([
      "1 delete app/fs.file.conf",
      "1 delete app/fs.file.other",
      "1 delete app/sim.object.vm",
      "2 delete base/fs.dir.data",
      "2 delete base/sim.object.net",
    ]);
    expect(repos[1]!.git("show", "lexum/state:trace.jsonl")).toBe(repos[0]!.git("show", "lexum/state:trace.jsonl"));
    for (const repo of repos) await expectHealthyState(repo);
  });

  it("replacements delete dependents first too: the file goes before its directory, and both come back in order", async () => {
    const repos = [1, 8].map(() => makeRepo({ ...ignore, "base.lxm": base(true), "app.lxm": app(true) }));
    for (const [i, repo] of repos.entries()) await apply(repo, i === 0 ? 1 : 8);
    for (const repo of repos) {
      repo.write({ "base.lxm": base(true, "data2") });
      repo.commit("move the directory: the directory and the file in it are replaced");
    }
    const plan = await repos[0]!.lxm(["plan"]);
    expect(plan.out).toContain("Plan: 0 to create, 0 to update, 2 to replace, 0 to delete.");
    for (const [i, repo] of repos.entries()) await apply(repo, i === 0 ? 1 : 8);
    expect(starts(repos[0]!)).toEqual([
      "1 replace app/fs.file.conf",
      "2 replace base/fs.dir.data",
      "3 replace base/fs.dir.data",
      "4 replace app/fs.file.conf",
    ]);
    expect(existsSync(join(repos[0]!.dir, "out/data"))).toBe(false);
    expect(repos[0]!.read("out/data2/conf.txt")).toBe("v1");
    expect(repos[1]!.git("show", "lexum/state:trace.jsonl")).toBe(repos[0]!.git("show", "lexum/state:trace.jsonl"));
    for (const repo of repos) await expectHealthyState(repo);
  });
});
