import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-build.js";
import type { CliBuild } from "./cli-build.js";
import { baseEnv, cleanupRepos, headSnapshot, makeRepo } from "./helpers.js";

// A SIGKILL after a secret-fed file was written: the recovered snapshot records that file as
// the run did (the digests of its sensitive and computed attributes), so nothing finished is
// redone — neither the file nor the symlink that depends on it.

let cli: CliBuild;
beforeAll(() => {
  cli = buildCli();
});
afterAll(() => {
  cli?.cleanup();
  cleanupRepos();
});

function project(crash: boolean): string {
  return `domain base {
  provider fs { root = "out" }
  resource fs.file token {
    path    = "token.txt"
    content = secret("DB_PASSWORD")
    mode    = "0600"
  }
  resource fs.symlink current {
    path   = "current"
    target = token.path
  }
  export ready = true
}

domain app {
  provider sim {
    world  = "world.json"
    faults = ${crash ? '[{ address = "app/sim.object.svc", kind = "crash" }]' : "[]"}
  }
  import base.ready
  resource sim.object svc {
    kind = "service"
    name = "svc"
    spec = { ready = ready }
  }
}
`;
}

interface PlanJson {
  steps: { domains: { domain: string; actions: { address: string; action: string }[] }[] }[];
}

describe("crash recovery keeps what completed actions recorded about sensitive values", () => {
  it("the recovered record of a secret-fed file holds its digests; the next run redoes nothing of it", async () => {
    const repo = makeRepo({ ".gitignore": "out/\nworld.json*\n", "main.lxm": project(true) });
    const crash = spawnSync(process.execPath, [cli.main, "apply", "--yes"], { cwd: repo.dir, env: { ...process.env, ...baseEnv, NO_COLOR: "1" }, encoding: "utf8" });
    expect(crash.signal).toBe("SIGKILL");
    expect(repo.read("out/token.txt")).toBe(baseEnv.LXM_SECRET_DB_PASSWORD);
    repo.write({ "main.lxm": project(false) });
    repo.commit("no fault");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning[LXM4209]");

    const recovered = headSnapshot(repo, "lexum/state~1");
    expect(recovered.status).toBe("failed");
    const record = (rev: string) =>
      JSON.parse(repo.git("show", `${rev}:resources/base/fs.file.token.json`)) as { attrs: Record<string, unknown>; sensitive: Record<string, string> };
    const token = record("lexum/state~1");
    expect(Object.keys(token.sensitive).sort()).toEqual(["content", "sha256", "size"]);
    for (const d of Object.values(token.sensitive)) expect(d).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(token.attrs).toMatchObject({ path: "token.txt", mode: "0600" });

    // The run after recovery: only the service is created; the file and the link are noops.
    const plan = JSON.parse(repo.git("show", "lexum/state:plan.json")) as PlanJson;
    const actions = Object.fromEntries(plan.steps.flatMap((s) => s.domains.flatMap((d) => d.actions.map((a) => [a.address, a.action]))));
    // The link's completion may not have reached the journal before the kill (the tail a
    // crash can lose): then it is created again, which finds it in place. Never a replace.
    const linkDone = recovered.dag!.done.includes("base/fs.symlink.current");
    expect(recovered.dag!.done).toContain("base/fs.file.token");
    expect(actions).toEqual({ "base/fs.file.token": "noop", "base/fs.symlink.current": linkDone ? "noop" : "create", "app/sim.object.svc": "create" });
    // The same digests as a clean run would record.
    expect(record("lexum/state").sensitive).toEqual(token.sensitive);
    for (const rev of ["lexum/state", "lexum/state~1"]) {
      for (const f of ["snapshot.json", "trace.jsonl", "resources/base/fs.file.token.json"]) {
        expect(repo.git("show", `${rev}:${f}`)).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD);
      }
    }
    const again = await repo.lxm(["plan", "--refresh", "--json"]);
    expect(JSON.parse(again.out).summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
  });
});
