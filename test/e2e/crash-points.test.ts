import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-build.js";
import type { CliBuild } from "./cli-build.js";
import { baseEnv, cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

// Recovery tells the truth: after a SIGKILL anywhere in a multi-domain `apply --refresh`
// (a secret, a drifted resource), the next run's state equals the world on every attribute
// the goal sets, and nothing that had finished is run again.

let cli: CliBuild;
beforeAll(() => {
  cli = buildCli();
});
afterAll(() => {
  cli?.cleanup();
  cleanupRepos();
});

const BASE = ["a1", "a2", "a3", "a4"];
const APP = ["b1", "b2", "b3"];
const ALL = [...BASE, ...APP];
const address = (n: string) => `${n.startsWith("a") ? "base" : "app"}/sim.object.${n}`;
const JOURNAL = ".git/lexum/journal/apply-lexum_state.jsonl";

function project(opts: { v: number; latency: number; faults?: string }): string {
  const provider = `provider sim {\n    world   = "world.json"\n    latency = ${opts.latency}ms${opts.faults ? `\n    faults  = ${opts.faults}` : ""}\n  }`;
  const res = (names: string[]) =>
    names
      .map((n) => `  resource sim.object ${n} {\n    kind = "thing"\n    name = "${n}"\n    spec = { v = ${opts.v} }\n${n === "a1" ? '    secret = secret("DB_PASSWORD")\n' : ""}  }\n`)
      .join("");
  return `domain base {\n  ${provider}\n${res(BASE)}  export v = ${opts.v}\n}\n\ndomain app {\n  ${provider}\n  import base.v\n${res(APP)}}\n`;
}

const env = { ...process.env, ...baseEnv, NO_COLOR: "1" };

/** Every record of the head equals the world object on kind, name and spec; the secret is recorded as a digest only. */
function expectStateEqualsWorld(repo: E2eRepo, v: number): void {
  const world = repo.world();
  expect(Object.keys(world).sort()).toEqual(ALL.map((n) => `thing/${n}`).sort());
  for (const n of ALL) {
    const rec = JSON.parse(repo.git("show", `lexum/state:resources/${address(n)}.json`)) as { attrs: Record<string, unknown>; sensitive: Record<string, string> };
    const o = world[`thing/${n}`]!;
    expect({ kind: rec.attrs.kind, name: rec.attrs.name, spec: rec.attrs.spec }).toEqual({ kind: o.kind, name: o.name, spec: o.spec });
    expect(o.spec).toEqual({ v });
    if (n === "a1") expect(rec.sensitive.secret).toMatch(/^hmac-sha256:/);
  }
  for (const rev of ["lexum/state", "lexum/state~1"]) expect(repo.git("show", `${rev}:trace.jsonl`)).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD);
  expect(repo.read("world.json")).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD);
}

/** Starts `lxm apply --yes --refresh` and kills it once the journal holds `lines` lines (the begin record and lines-1 events). */
function killAfterJournalLines(repo: E2eRepo, lines: number): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [cli.main, "apply", "--yes", "--refresh"], { cwd: repo.dir, env, stdio: "ignore" });
  const file = join(repo.dir, JOURNAL);
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      if (text.split("\n").length - 1 >= lines) {
        clearInterval(poll);
        child.kill("SIGKILL");
      }
    }, 1);
    child.on("exit", (_code, signal) => {
      clearInterval(poll);
      resolve(signal);
    });
  });
}

describe("SIGKILL at many points of a multi-domain apply --refresh, then a normal run", () => {
  for (const lines of [1, 3, 5]) {
    it(`killed once the journal holds ${lines} line${lines === 1 ? "" : "s"}`, async () => {
      const repo = makeRepo({ ".gitignore": "world.json*\n", "main.lxm": project({ v: 1, latency: 40 }) });
      expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
      // A hand edit (drift) the refreshed run restores, and the goal moves to v=2.
      const w = JSON.parse(repo.read("world.json"));
      w.objects["thing/a2"].spec.v = 7;
      writeFileSync(join(repo.dir, "world.json"), JSON.stringify(w, null, 2));
      repo.write({ "main.lxm": project({ v: 2, latency: 40 }) });
      repo.commit("v2");

      expect(await killAfterJournalLines(repo, lines)).toBe("SIGKILL");
      expect(repo.read(JOURNAL)).not.toContain(baseEnv.LXM_SECRET_DB_PASSWORD);
      const atGoal = ALL.filter((n) => (repo.world()[`thing/${n}`]!.spec as { v: number }).v === 2).map(address);

      const r = await repo.lxm(["apply", "--yes"]);
      expect(r.code).toBe(0);
      expect(r.err).toContain("warning[LXM4209]");
      const recovered = headSnapshot(repo, "lexum/state~1");
      expect(recovered.status).toBe("failed");
      const final = headSnapshot(repo);
      expect(final.status).toBe("quiescent");
      // Nothing that had finished (journaled, or only reached the world) is run again.
      for (const a of [...recovered.dag!.done, ...atGoal]) expect(final.dag!.planned).not.toContain(a);
      expectStateEqualsWorld(repo, 2);
      expect(await expectHealthyState(repo)).toBe(3);
      // Planned against the truth: nothing left to do, even refreshed.
      expect((await repo.lxm(["plan", "--refresh"])).code).toBe(0);
    });
  }

  it("actions that reached the world but not the journal are recorded as read; the way back then reaches the world", async () => {
    const repo = makeRepo({ ".gitignore": "world.json*\n", "main.lxm": project({ v: 1, latency: 0 }) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "main.lxm": project({ v: 2, latency: 0, faults: `[{ address = "${address("b1")}", op = "update", kind = "crash" }]` }) });
    repo.commit("v2 with crash");
    const crash = spawnSync(process.execPath, [cli.main, "apply", "--yes"], { cwd: repo.dir, env, encoding: "utf8" });
    expect(crash.signal).toBe("SIGKILL");
    // base reached v=2; keep only the journal's begin record, as if the kill took every
    // progress line with it: the world moved, the journal does not know.
    const journal = join(repo.dir, JOURNAL);
    writeFileSync(journal, readFileSync(journal, "utf8").split("\n")[0] + "\n");
    for (const n of BASE) expect(repo.world()[`thing/${n}`]!.spec).toEqual({ v: 2 });

    repo.write({ "main.lxm": project({ v: 2, latency: 0 }) });
    repo.commit("v2");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning[LXM4209]: recovered interrupted run apply-lexum_state: 0 completed actions recorded");
    expectStateEqualsWorld(repo, 2);

    repo.write({ "main.lxm": project({ v: 1, latency: 0 }) });
    repo.commit("back to v1");
    const p = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(p.code).toBe(2);
    expect(p.out).toContain("Plan: 0 to create, 7 to update, 0 to replace, 0 to delete.");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expectStateEqualsWorld(repo, 1);
    await expectHealthyState(repo);
  });
});
