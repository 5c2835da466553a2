import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo, stateTrace } from "./helpers.js";

const ignore = { ".gitignore": "out/\nworld.json\n*.json.log\n" };

/** A file and a sim object in domain `web`, named `names.file` and `names.obj`; `extra` goes after them. */
const goal = (names: { file: string; obj: string; domain?: string }, size = 1, extra = "") => `domain ${names.domain ?? "web"} {
  provider fs { root = "out" }
  provider sim { world = "world.json" }
  resource fs.file ${names.file} {
    path    = "motd"
    content = "hi\\n"
  }
  resource sim.object ${names.obj} {
    kind = "vm"
    name = "app"
    spec = { size = ${size} }
  }
}
${extra}`;


afterAll(cleanupRepos);

describe("moved: a rename keeps the real objects", () => {
  it("renames a resource owning a real file and a sim object: planned and traced as moved, the file's inode and the object's generation unchanged, verify --replay passes", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal({ file: "motd", obj: "app" }) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    // One update first, so that a re-creation (generation 1) could not pass for the same object.
    repo.write({ "web.lxm": goal({ file: "motd", obj: "app" }, 2) });
    repo.commit("size 2");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const inode = statSync(join(repo.dir, "out/motd")).ino;
    expect(repo.world()["vm/app"]).toMatchObject({ generation: 2 });

    repo.write({
      "web.lxm": goal({ file: "greeting", obj: "server" }, 2, "\nmoved {\n  from = web/fs.file.motd\n  to   = web/fs.file.greeting\n}\n\nmoved {\n  from = web/sim.object.app\n  to   = web/sim.object.server\n}\n"),
    });
    repo.commit("rename");
    const plan = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(plan.err).toBe("");
    expect(plan.code).toBe(2);
    expect(plan.out).toContain("  >> fs.file.greeting  # moved from web/fs.file.motd\n");
    expect(plan.out).toContain("  >> sim.object.server  # moved from web/sim.object.app\n");
    expect(plan.out).toContain("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 2 to move.");
    const json = JSON.parse((await repo.lxm(["plan", "--json"])).out) as { summary: Record<string, number>; steps: { domains: { actions: { action: string; address: string; movedFrom?: string }[] }[] }[] };
    const actions = json.steps.flatMap((s) => s.domains.flatMap((d) => d.actions));
    expect(actions.map((a) => [a.action, a.address, a.movedFrom])).toEqual([
      ["moved", "web/fs.file.greeting", "web/fs.file.motd"],
      ["moved", "web/sim.object.server", "web/sim.object.app"],
    ]);
    expect(json.summary).toEqual({ create: 0, delete: 0, moved: 2, noop: 0, replace: 0, update: 0 });

    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code, apply.out + apply.err).toBe(0);
    expect(apply.out).toContain("Apply complete: 2 actions done (0 created, 0 updated, 0 replaced, 0 deleted, 2 moved).");
    expect(statSync(join(repo.dir, "out/motd")).ino).toBe(inode);
    expect(repo.read("out/motd")).toBe("hi\n");
    expect(repo.world()["vm/app"]).toMatchObject({ generation: 2, spec: { size: 2 } });
    const t = stateTrace(repo);
    expect(t.filter((e) => e.phase === "start").map((e) => `${e.action} ${e.address} ${e.movedFrom}`)).toEqual([
      "moved web/fs.file.greeting web/fs.file.motd",
      "moved web/sim.object.server web/sim.object.app",
    ]);
    // No provider was called: nothing was deleted or made.
    expect(t.filter((e) => e.phase === "observe")).toEqual([]);
    const snap = headSnapshot(repo);
    expect(Object.keys(snap.resources)).toEqual(["web/fs.file.greeting", "web/sim.object.server"]);
    expect(repo.git("show", "lexum/state:resources/web/fs.file.greeting.json").length).toBeGreaterThan(0);

    // The move is done: the same code plans nothing, the blocks can stay.
    const again = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(again.code, again.out).toBe(0);
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
    await expectHealthyState(repo);
  });

  it("moves between domains, into a template instance, and a move that also updates", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal({ file: "motd", obj: "app" }) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const inode = statSync(join(repo.dir, "out/motd")).ino;
    // `web` becomes an instance of a template; its file goes to the new domain `site` and its object changes size.
    const template = `template host(size: number) {
  provider sim { world = "world.json" }
  resource sim.object app {
    kind = "vm"
    name = "app"
    spec = { size = size }
  }
}

domain api = host(size = 3)

domain site {
  provider fs { root = "out" }
  resource fs.file motd {
    path    = "motd"
    content = "hi\\n"
  }
}

moved {
  from = web/fs.file.motd
  to   = site/fs.file.motd
}

moved {
  from = web/sim.object.app
  to   = api/sim.object.app
}
`;
    repo.write({ "web.lxm": template });
    repo.commit("template and a domain of its own");
    const plan = await repo.lxm(["plan"]);
    expect(plan.err).toBe("");
    expect(plan.out).toContain("  >> fs.file.motd  # moved from web/fs.file.motd\n");
    expect(plan.out).toContain("  ~ sim.object.app  # moved from web/sim.object.app\n      ~ spec = {\"size\":1} -> {\"size\":3}\n");
    expect(plan.out).toContain("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 2 to move.");
    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code, apply.out + apply.err).toBe(0);
    expect(statSync(join(repo.dir, "out/motd")).ino).toBe(inode);
    expect(repo.world()["vm/app"]).toMatchObject({ generation: 2, spec: { size: 3 } });
    expect(stateTrace(repo).filter((e) => e.phase === "observe").map((e) => `${e.address} ${e.observation!.call}`)).toEqual(["api/sim.object.app update"]);
    expect(Object.keys(headSnapshot(repo).resources)).toEqual(["api/sim.object.app", "site/fs.file.motd"]);
    expect((await repo.lxm(["plan", "--detailed-exitcode"])).code).toBe(0);
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
  });

  it("a run that fails rolls the moves back too: the objects stay, recorded under their old addresses", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal({ file: "motd", obj: "app" }) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const inode = statSync(join(repo.dir, "out/motd")).ino;
    const before = headSnapshot(repo);
    // A directory where the new file must go: its create fails, and the domain rolls back.
    mkdirSync(join(repo.dir, "out/blocked/inside"), { recursive: true });
    const failing = goal({ file: "greeting", obj: "server" }, 1, "\nmoved {\n  from = web/fs.file.motd\n  to   = web/fs.file.greeting\n}\n\nmoved {\n  from = web/sim.object.app\n  to   = web/sim.object.server\n}\n")
      .replace("  resource sim.object", '  resource fs.file blocked {\n    path       = "blocked"\n    content    = "x"\n    depends_on = [greeting]\n  }\n  policy { on_failure = "rollback" }\n  resource sim.object');
    repo.write({ "web.lxm": failing });
    repo.commit("rename, and a file that cannot be written");
    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code).toBe(1);
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("rolled-back");
    expect(Object.keys(snap.resources)).toEqual(Object.keys(before.resources));
    expect(statSync(join(repo.dir, "out/motd")).ino).toBe(inode);
    expect(repo.world()["vm/app"]).toMatchObject({ generation: 1 });
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
  });

  it("refuses a move onto an address that already has a record, and changes nothing", async () => {
    const both = (extra: string) => `${goal({ file: "motd", obj: "app" })}
domain more {
  provider fs { root = "out" }
  resource fs.file other {
    path    = "other"
    content = "x"
  }
}
${extra}`;
    const repo = makeRepo({ ...ignore, "web.lxm": both("") });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead();
    repo.write({ "web.lxm": both("").replace("resource fs.file motd", "resource fs.file motd2").replace('path    = "motd"', 'path    = "motd2"') + "\nmoved {\n  from = web/fs.file.motd\n  to   = more/fs.file.other\n}\n" });
    repo.commit("bad move");
    const plan = await repo.lxm(["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.err).toContain("error[LXM3004]: cannot move web/fs.file.motd to more/fs.file.other: more/fs.file.other already has a record");
    expect(plan.err).toContain("web.lxm:");
    expect(repo.stateHead()).toBe(head);
  });
});
