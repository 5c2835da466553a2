import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo, stateTrace } from "./helpers.js";

// Objects that exist before Lexum: a file in the fs root and an object in the sim world.
const ignore = { ".gitignore": "out/\nworld.json\n*.json.log\n" };
const world = (spec: object) =>
  JSON.stringify({ format: "lexum.sim/v1", objects: { "vm/legacy": { kind: "vm", name: "legacy", spec, uid: "vm/legacy", generation: 4 } } }, null, 2) + "\n";

const goal = (adopt: boolean) => `domain web {
  provider fs { root = "out" }
  provider sim { world = "world.json" }
  resource fs.file motd { path = "motd", content = "hi\\n"${adopt ? ", meta import = true" : ""} }
  resource sim.object legacy {
    kind = "vm"
    name = "legacy"
    spec = { size = 2 }
${adopt ? "    import = true\n" : ""}  }
}
`;


afterAll(cleanupRepos);

describe("adopting existing objects (import = true) with lxm, fs and sim", () => {
  it("plans adopt, reads then updates in place, records them, and the next plan has no change", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal(true), "out/motd": "old\n", "world.json": world({ size: 1 }) });
    const plan = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(plan.err).toBe("");
    expect(plan.code).toBe(2);
    expect(plan.out).toContain("  <= fs.file.motd  # exists outside Lexum; adopted (import = true)\n      ~ content = \"old\\n\" -> \"hi\\n\"\n");
    expect(plan.out).toContain("  <= sim.object.legacy  # exists outside Lexum; adopted (import = true)\n      ~ spec = {\"size\":1} -> {\"size\":2}\n");
    expect(plan.out).toContain("Plan: 2 to adopt, 0 to create, 0 to update, 0 to replace, 0 to delete.");

    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.err).not.toContain("error");
    expect(apply.code).toBe(0);
    expect(apply.out).toContain("Apply complete: 2 actions done (2 adopted, 0 created, 0 updated, 0 replaced, 0 deleted).");
    expect(repo.read("out/motd")).toBe("hi\n");
    // The same object, updated: its uid kept and its generation one on (not deleted and made anew).
    expect(repo.world()["vm/legacy"]).toMatchObject({ spec: { size: 2 }, uid: "vm/legacy", generation: 5 });
    const t = stateTrace(repo);
    expect(t.filter((e) => e.phase === "start").map((e) => `${e.action} ${e.address}`)).toEqual(["adopt web/fs.file.motd", "adopt web/sim.object.legacy"]);
    expect(t.filter((e) => e.phase === "observe" && e.address === "web/sim.object.legacy").map((e) => e.observation!.call)).toEqual(["read", "update"]);
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("quiescent");
    expect(Object.keys(snap.resources)).toEqual(["web/fs.file.motd", "web/sim.object.legacy"]);

    const again = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(again.code).toBe(0);
    expect(again.out).toContain("No changes.");
    const verify = await repo.lxm(["state", "verify", "--replay"]);
    expect(verify.code).toBe(0);
    await expectHealthyState(repo);
  });

  it("without import = true, refuses to overwrite what differs: the action fails, the objects stay, the snapshot tells the truth", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal(false), "out/motd": "old\n", "world.json": world({ size: 1 }) });
    const plan = await repo.lxm(["plan"]);
    expect(plan.out).toContain("Plan: 2 to create, 0 to update");
    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code).toBe(1);
    expect(apply.out + apply.err).toContain(
      'web/fs.file.motd: fs.file {path = "motd"} already exists outside Lexum and differs from the goal on `content`; it was left as it is (`import = true` adopts it)',
    );
    expect(repo.read("out/motd")).toBe("old\n");
    expect(repo.world()["vm/legacy"]).toMatchObject({ spec: { size: 1 }, generation: 4 });
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("failed");
    expect(snap.resources).toEqual({});
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);

    // Adopting it is the way on: one commit adds import = true.
    repo.write({ "web.lxm": goal(true) });
    repo.commit("adopt them");
    const adopt = await repo.lxm(["apply", "--yes"]);
    expect(adopt.code).toBe(0);
    expect(repo.read("out/motd")).toBe("hi\n");
    await expectHealthyState(repo);
  });

  it("without import = true, an existing object equal to the goal is taken as created", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal(false), "out/motd": "hi\n", "world.json": world({ size: 2 }) });
    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.err).not.toContain("error");
    expect(apply.code).toBe(0);
    expect(headSnapshot(repo).status).toBe("quiescent");
    expect(repo.world()["vm/legacy"]).toMatchObject({ spec: { size: 2 }, uid: "vm/legacy" });
  });

  it("an object to adopt that cannot be read stops the plan with a located error", async () => {
    // A directory where the file should be: the fs provider refuses to read it as a file.
    const repo = makeRepo({ ...ignore, "web.lxm": goal(true), "out/motd/inner": "x", "world.json": world({ size: 1 }) });
    const plan = await repo.lxm(["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.err).toMatch(/^web\.lxm:4:\d+: error\[LXM4361\]: cannot read web\/fs\.file\.motd to adopt it \(import = true\): /m);
    expect(repo.stateHead()).toBeNull();
  });
});
