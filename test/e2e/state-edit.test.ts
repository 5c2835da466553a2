import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";

const ignore = { ".gitignore": "out/\nworld.json\n*.json.log\n" };
const goal = (file = "motd", pages = ["a", "b"]) => `domain web {
  provider fs { root = "out" }
  provider sim { world = "world.json" }
  resource fs.file ${file} {
    path    = "motd"
    content = "hi\\n"
  }
  resource fs.file page for p in ${JSON.stringify(pages)} {
    path    = "\${p}.html"
    content = p
  }
  resource sim.object app {
    kind = "vm"
    name = "app"
    spec = { size = 1 }
  }
}
`;

afterAll(cleanupRepos);

describe("lxm state rm and lxm state mv: hand edits recorded as state commits", () => {
  it("mv records an object under a new address (the file kept), the next plan with the renamed code has nothing to do; verify --replay rebuilds the edit", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal() });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const inode = statSync(join(repo.dir, "out/motd")).ino;
    const before = repo.stateHead();

    const mv = await repo.lxm(["state", "mv", "fs.file.motd", "fs.file.greeting"]);
    expect(mv.err).toBe("");
    expect(mv.code).toBe(0);
    expect(mv.out).toMatch(/^moved web\/fs\.file\.motd → web\/fs\.file\.greeting\nrecorded on lexum\/state: snapshot [0-9a-f]{12} \(commit [0-9a-f]{12}\)\n$/);
    expect(repo.git("rev-parse", "lexum/state~1")).toBe(before);
    const snap = headSnapshot(repo) as unknown as { kind: string; status: string; edit: unknown; resources: Record<string, string>; plan: unknown };
    expect(snap.kind).toBe("edit");
    expect(snap.status).toBe("quiescent");
    expect(snap.plan).toBeNull();
    expect(snap.edit).toEqual({ command: "mv", moves: [{ from: "web/fs.file.motd", to: "web/fs.file.greeting" }] });
    expect(Object.keys(snap.resources)).toContain("web/fs.file.greeting");
    expect(Object.keys(snap.resources)).not.toContain("web/fs.file.motd");
    expect(repo.git("log", "-1", "--format=%B", "lexum/state")).toContain("State edit: moved web/fs.file.motd → web/fs.file.greeting (lxm state mv)");

    repo.write({ "web.lxm": goal("greeting") });
    repo.commit("rename in the code");
    const plan = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(plan.out).toContain("No resource changes, but apply will record a new snapshot: the goal changed");
    expect(plan.out).not.toContain("to create");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(statSync(join(repo.dir, "out/motd")).ino).toBe(inode);

    // A `for` resource without a key moves every instance; a domain-qualified destination too.
    const all = await repo.lxm(["state", "mv", "--json", "web/fs.file.page", "web/fs.file.pages"]);
    expect(all.code, all.err).toBe(0);
    expect(JSON.parse(all.out).edit).toEqual({ command: "mv", moves: [
      { from: 'web/fs.file.page["a"]', to: 'web/fs.file.pages["a"]' },
      { from: 'web/fs.file.page["b"]', to: 'web/fs.file.pages["b"]' },
    ] });
    const log = await repo.lxm(["state", "log"]);
    expect(log.out).toContain('edit record: moved web/fs.file.page["a"] → web/fs.file.pages["a"], web/fs.file.page["b"] → web/fs.file.pages["b"] (lxm state mv)');
    const verify = await repo.lxm(["state", "verify", "--replay"]);
    expect(verify.code, verify.out + verify.err).toBe(0);
    const replay = await repo.lxm(["replay"]);
    expect(replay.code, replay.out + replay.err).toBe(0);
    expect(replay.out).toContain("an edit of the state by hand: moved");
    await expectHealthyState(repo);
  });

  it("rm forgets without deleting: the object stays, the next plan creates it again and converges on the same object", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal() });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const rm = await repo.lxm(["state", "rm", "web/sim.object.app", "fs.file.page"]);
    expect(rm.code, rm.err).toBe(0);
    expect(rm.out).toContain('forgot web/fs.file.page["a"] (the object is left as it is)\nforgot web/fs.file.page["b"] (the object is left as it is)\nforgot web/sim.object.app (the object is left as it is)\n');
    expect(Object.keys(headSnapshot(repo).resources)).toEqual(["web/fs.file.motd"]);
    expect(repo.world()["vm/app"]).toMatchObject({ generation: 1 });
    expect(repo.read("out/a.html")).toBe("a");
    const plan = await repo.lxm(["plan"]);
    expect(plan.out).toContain("Plan: 3 to create, 0 to update, 0 to replace, 0 to delete.");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    // The same object, found by the read before the create: not made anew.
    expect(repo.world()["vm/app"]).toMatchObject({ generation: 1 });
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
  });

  it("refuses what cannot be done, clearly, and leaves the branch as it was", async () => {
    const repo = makeRepo({ ...ignore, "web.lxm": goal() });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead();
    const cases: [string[], string][] = [
      [["state", "rm", "fs.file.mtod"], "error[LXM4211]: the snapshot records no resource fs.file.mtod"],
      [["state", "mv", "fs.file.motd", 'fs.file.page["a"]'], 'error[LXM4260]: cannot move fs.file.motd to fs.file.page["a"]: web/fs.file.page["a"] is already recorded'],
      [["state", "mv", "fs.file.motd", "fs.dir.motd"], "error[LXM4260]: cannot move fs.file.motd to fs.dir.motd: web/fs.file.motd is a fs.file, web/fs.dir.motd a fs.dir"],
      [["state", "mv", "fs.file.motd", "not an address"], 'error[LXM4260]: cannot move fs.file.motd to not an address: "not an address" is not a resource address'],
      [["state", "mv", "fs.file.motd"], "TO (the new address)"],
      [["state", "rm"], "an ADDRESS to forget"],
    ];
    for (const [args, message] of cases) {
      const r = await repo.lxm(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.err).toContain(message);
    }
    expect(repo.stateHead()).toBe(head);
  });
});
