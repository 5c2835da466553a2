import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, makeRepo } from "./helpers.js";

afterAll(cleanupRepos);

const goal = `domain d {
  provider sim { world = "world.json" }
  resource sim.object a {
    kind   = "thing"
    name   = "a"
    spec   = { n = 1 }
    secret = secret("DB_PASSWORD")
  }
}
`;

describe("sensitive values end to end", () => {
  it("an applied secret plans as no change (with and without --refresh); a new secret plans as an update", async () => {
    const repo = makeRepo({ ".gitignore": "world.json\n", "m.lxm": goal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const plain = await repo.lxm(["plan"]);
    expect(plain.out).toMatch(/No changes\. The goal matches the last snapshot sha256:[0-9a-f]{64}; reality was not read \(--refresh reads it\)\./);
    expect(plain.code).toBe(0);
    const refreshed = await repo.lxm(["plan", "--refresh"]);
    expect(refreshed.out).toMatch(/No changes\. The goal matches the last snapshot sha256:[0-9a-f]{64} and what the providers read back\./);
    expect(refreshed.code).toBe(0);

    const changed = await repo.lxm(["plan", "--detailed-exitcode"], { LXM_SECRET_DB_PASSWORD: "another-one" });
    expect(changed.code).toBe(2);
    expect(changed.out).toContain("~ secret = (sensitive)");
    expect(changed.out).not.toContain("another-one");
    const r = await repo.lxm(["apply", "--yes"], { LXM_SECRET_DB_PASSWORD: "another-one" });
    expect(r.code).toBe(0);
    expect(repo.world()["thing/a"]!.generation).toBe(2);
    expect((await repo.lxm(["plan", "--refresh"], { LXM_SECRET_DB_PASSWORD: "another-one" })).code).toBe(0);
    for (const f of ["snapshot.json", "plan.json", "trace.jsonl", "resources/d/sim.object.a.json"]) {
      const text = repo.git("show", `lexum/state:${f}`);
      expect(text).not.toContain("another-one");
      expect(text).not.toContain("hunter2-e2e");
    }
    await expectHealthyState(repo);
  });
});
