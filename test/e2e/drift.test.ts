import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo, userView } from "./helpers.js";

afterAll(cleanupRepos);

const fsGoal = `domain site {
  provider fs { root = "out" }
  resource fs.file index {
    path    = "index.html"
    content = "<h1>hi</h1>"
  }
  resource fs.file about {
    path    = "about.html"
    content = "<p>about</p>"
  }
}
`;

const simGoal = `domain svc {
  provider sim { world = "world.json" }
  resource sim.object api {
    kind = "service"
    name = "api"
    spec = { replicas = 2 }
  }
  resource sim.object db {
    kind = "database"
    name = "main"
    spec = { size = "small" }
  }
}
`;

describe("drift: changes made behind Lexum's back", () => {
  it("fs: plan --refresh shows a drift update (exit 2), apply --refresh restores the file", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": fsGoal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const index = join(repo.dir, "out/index.html");
    writeFileSync(index, "<h1>defaced</h1>");
    chmodSync(join(repo.dir, "out/about.html"), 0o600);

    // Without --refresh the plan only compares against the snapshot: no changes.
    expect((await repo.lxm(["plan"])).code).toBe(0);
    const head = repo.stateHead();
    const user = userView(repo);
    let r = await repo.lxm(["plan", "--detailed-exitcode", "--refresh"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("drift: changed outside Lexum");
    expect(r.out).toContain('~ content = "<h1>defaced</h1>" -> "<h1>hi</h1>"');
    expect(r.out).toContain('~ mode = "0600" -> "0644"');
    expect(r.out).toContain("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.");
    const json = JSON.parse((await repo.lxm(["plan", "--refresh", "--json"])).out) as {
      steps: { domains: { actions: { address: string; action: string; drift?: boolean }[] }[] }[];
    };
    const actions = json.steps.flatMap((s) => s.domains.flatMap((d) => d.actions)).filter((a) => a.action !== "noop");
    expect(actions.map((a) => [a.address, a.action, a.drift])).toEqual([
      ["site/fs.file.about", "update", true],
      ["site/fs.file.index", "update", true],
    ]);
    expect(repo.stateHead()).toBe(head); // planning wrote nothing

    r = await repo.lxm(["apply", "--yes", "--refresh"]);
    expect(r.code).toBe(0);
    expect(readFileSync(index, "utf8")).toBe("<h1>hi</h1>");
    expect(statSync(join(repo.dir, "out/about.html")).mode & 0o777).toBe(0o644);
    expect(userView(repo)).toEqual(user);
    expect((await repo.lxm(["plan", "--refresh"])).code).toBe(0);
    expect(await expectHealthyState(repo)).toBe(2);
  });

  it("fs: a deleted file plans as drift and is recreated", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": fsGoal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    rmSync(join(repo.dir, "out/about.html"));
    const r = await repo.lxm(["plan", "--detailed-exitcode", "--refresh"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("fs.file.about");
    expect(r.out).toContain("drift");
    expect((await repo.lxm(["apply", "--yes", "--refresh"])).code).toBe(0);
    expect(readFileSync(join(repo.dir, "out/about.html"), "utf8")).toBe("<p>about</p>");
    await expectHealthyState(repo);
  });

  it("sim: an edited world file plans as drift and apply --refresh converges it without duplicates", async () => {
    const repo = makeRepo({ ".gitignore": "world.json\n", "svc.lxm": simGoal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const worldFile = join(repo.dir, "world.json");
    const w = JSON.parse(readFileSync(worldFile, "utf8"));
    w.objects["service/api"].spec.replicas = 7;
    writeFileSync(worldFile, JSON.stringify(w, null, 2));
    const r = await repo.lxm(["plan", "--detailed-exitcode", "--refresh"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("drift: changed outside Lexum");
    expect(r.out).toContain("sim.object.api");
    expect(r.out).not.toContain("sim.object.db");
    expect((await repo.lxm(["apply", "--yes", "--refresh"])).code).toBe(0);
    const world = repo.world();
    expect(Object.keys(world).sort()).toEqual(["database/main", "service/api"]);
    expect(world["service/api"]!.spec).toEqual({ replicas: 2 });
    expect(headSnapshot(repo).status).toBe("quiescent");
    await expectHealthyState(repo);
  });
});

describe("refresh records what it read: reality already at the goal", () => {
  const one = (v: number) => `domain svc {
  provider sim { world = "world.json" }
  resource sim.object api {
    kind = "service"
    name = "api"
    spec = { v = ${v} }
  }
}
`;
  const recordedSpec = (repo: ReturnType<typeof makeRepo>) =>
    (JSON.parse(repo.git("show", "lexum/state:resources/svc/sim.object.api.json")) as { attrs: { spec: unknown } }).attrs.spec;

  it("goal v=2, world v=2, record v=1: apply --refresh records v=2; a commit back to v=1 plans the update and reaches the world", async () => {
    const repo = makeRepo({ ".gitignore": "world.json\n", "svc.lxm": one(1) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    // A hand edit brings the world to v=2, then the goal is committed at v=2.
    const worldFile = join(repo.dir, "world.json");
    const w = JSON.parse(readFileSync(worldFile, "utf8"));
    w.objects["service/api"].spec.v = 2;
    writeFileSync(worldFile, JSON.stringify(w, null, 2));
    repo.write({ "svc.lxm": one(2) });
    repo.commit("v2");
    expect(recordedSpec(repo)).toEqual({ v: 1 });

    const r = await repo.lxm(["apply", "--yes", "--refresh"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("No resource changes, but apply will record a new snapshot: 1 resource reads back other attributes than recorded (refreshed).");
    expect(recordedSpec(repo)).toEqual({ v: 2 });
    expect(headSnapshot(repo).status).toBe("quiescent");

    repo.write({ "svc.lxm": one(1) });
    repo.commit("back to v1");
    const p = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(p.code).toBe(2);
    expect(p.out).toContain("~ spec = {\"v\":2} -> {\"v\":1}");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(repo.world()["service/api"]!.spec).toEqual({ v: 1 });
    expect(recordedSpec(repo)).toEqual({ v: 1 });
    await expectHealthyState(repo);
    // The refreshed run replays from its recorded plan and trace.
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
  });

  it("a refreshed no-op on an unchanged goal still records what it read when it differs from the record", async () => {
    const repo = makeRepo({ ".gitignore": "world.json\n", "svc.lxm": one(1) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead();
    const worldFile = join(repo.dir, "world.json");
    const w = JSON.parse(readFileSync(worldFile, "utf8"));
    w.objects["service/api"].generation = 9; // a computed attribute changed outside Lexum
    writeFileSync(worldFile, JSON.stringify(w, null, 2));
    expect((await repo.lxm(["apply", "--yes", "--refresh"])).code).toBe(0);
    expect(repo.stateHead()).not.toBe(head);
    expect((JSON.parse(repo.git("show", "lexum/state:resources/svc/sim.object.api.json")) as { attrs: { generation: number } }).attrs.generation).toBe(9);
    // Reading again finds nothing new: no commit.
    const again = repo.stateHead();
    expect((await repo.lxm(["apply", "--yes", "--refresh"])).code).toBe(0);
    expect(repo.stateHead()).toBe(again);
    await expectHealthyState(repo);
  });
});
