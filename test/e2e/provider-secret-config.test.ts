import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";

// A provider block configured from a secret (a database password, an API token): when its
// domain leaves the code, only the records are left to delete its objects with, and they
// must reach the provider configured as it was, secret included, without holding the secret.
// (sim's latency stands in for a password: a setting that may come from a secret.)
const ignore = { ".gitignore": "*.json\n*.json.log\n" };
const WORLD = "gone-world.json";

const keep = `domain keep {
  provider fs { root = "out" }
  resource fs.file a { path = "a.txt", content = "a" }
}
`;
const gone = `domain gone {
  provider sim { world = "${WORLD}", latency = tonumber(secret("SIM_LATENCY")) }
  resource sim.object vm { kind = "vm", name = "vm1", spec = { size = 1 } }
}
`;

afterAll(cleanupRepos);

describe("a provider configured from a secret, once its domain left the code", () => {
  it("records the secret's name (never its value) and deletes with the secret read again", async () => {
    const repo = makeRepo({ ...ignore, "keep.lxm": keep, "gone.lxm": gone });
    const env = { LXM_SECRET_SIM_LATENCY: "3" };
    const first = await repo.lxm(["apply", "--yes"], env);
    expect(first.code).toBe(0);
    expect(Object.keys(repo.world(WORLD))).toEqual(["vm/vm1"]);
    const rec = JSON.parse(repo.git("show", "lexum/state:resources/gone/sim.object.vm.json")) as { provider: Record<string, unknown> };
    expect(rec.provider).toEqual({
      alias: "sim",
      config: { faults: [], world: WORLD },
      deferred: { latency: { expr: { op: "call", fn: "tonumber", args: [{ op: "secret", name: "SIM_LATENCY" }] }, sensitive: true } },
      type: "sim",
    });

    repo.write({ "gone.lxm": null });
    repo.commit("the domain leaves the code");
    const plan = await repo.lxm(["plan"], env);
    expect(plan.out).toContain("- sim.object.vm  # domain gone left the code");
    const del = await repo.lxm(["apply", "--yes"], env);
    expect(del.err).not.toContain("error");
    expect(del.code).toBe(0);
    expect(repo.world(WORLD)).toEqual({});
    expect(Object.keys(headSnapshot(repo).resources)).toEqual(["keep/fs.file.a"]);
    await expectHealthyState(repo);
  });

  it("without the secret, the delete fails naming the missing secret; the record stays", async () => {
    const repo = makeRepo({ ...ignore, "keep.lxm": keep, "gone.lxm": gone });
    expect((await repo.lxm(["apply", "--yes"], { LXM_SECRET_SIM_LATENCY: "3" })).code).toBe(0);
    repo.write({ "gone.lxm": null });
    repo.commit("the domain leaves the code");
    const del = await repo.lxm(["apply", "--yes"]);
    expect(del.code).toBe(1);
    expect(del.out + del.err).toContain("SIM_LATENCY");
    expect(Object.keys(repo.world(WORLD))).toEqual(["vm/vm1"]);
    expect(Object.keys(headSnapshot(repo).resources)).toContain("gone/sim.object.vm");
  });
});
