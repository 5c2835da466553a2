import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, makeRepo } from "./helpers.js";

afterAll(cleanupRepos);

// A goal over a computed attribute of a secret-fed resource: the run sees the size in clear,
// the trace records only its digest. Replay takes that assertion's outcome as recorded, so an
// honest branch verifies; a failed one replays as failed.
function goal(min: number): string {
  return `domain d {
  provider fs { root = "out" }
  resource fs.file token {
    path    = "token.txt"
    content = secret("TOKEN")
  }
  goal stored {
    assert token.size > ${min} : "the token file must not be empty"
  }
}
`;
}

describe("replay of a goal that reads a sensitive computed attribute", () => {
  it("verify --replay and replay pass on the untampered history, held or broken", async () => {
    const env = { LXM_SECRET_TOKEN: "s3cr3t-value" };
    const repo = makeRepo({ ".gitignore": "out/\n", "m.lxm": goal(0) });
    expect((await repo.lxm(["apply", "--yes"], env)).code).toBe(0);
    repo.write({ "m.lxm": goal(100) });
    repo.commit("a goal the token cannot meet");
    const failed = await repo.lxm(["apply", "--yes"], env);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain("assertion failed: goal d.stored, assertion 1");
    expect(failed.out + failed.err).not.toContain("s3cr3t-value");

    const verify = await repo.lxm(["state", "verify", "--replay"]);
    expect(verify.err).toBe("");
    expect(verify.code).toBe(0);
    for (const rev of ["lexum/state", "lexum/state~1"]) {
      const r = await repo.lxm(["replay", rev]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/replayed sha256:[0-9a-f]{64} = recorded/);
    }
  });
});
