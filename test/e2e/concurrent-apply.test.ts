import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./cli-build.js";
import type { CliBuild } from "./cli-build.js";
import { baseEnv, cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";

// Two real `lxm apply --yes` processes at once: one may plan while the other commits. Whatever
// the interleaving, the second either refuses at once (the apply lock) or plans again from the
// new head after taking it; never a stale plan run against the world (LXM4101 afterwards).

afterAll(cleanupRepos);

describe("two applies at once (real `lxm apply --yes` processes) on overlapping goals", () => {
  let cli: CliBuild;
  beforeAll(() => {
    cli = buildCli();
  });
  afterAll(() => cli?.cleanup());

  const DOMAINS = ["d1", "d2", "d3", "d4"];
  /** One sim object per domain (domains apply in parallel, a refresh reads them one by one), spec { v }; `skip` leaves some out. */
  const goalAt = (v: number, skip: string[] = []) =>
    DOMAINS.filter((d) => !skip.includes(d))
      .map((d) => `domain ${d} {\n  provider sim {\n    world   = "world.json"\n    latency = 20ms\n  }\n  resource sim.object o {\n    kind = "thing"\n    name = "${d}"\n    spec = { v = ${v} }\n  }\n}\n`)
      .join("\n");

  function child(dir: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [cli.main, ...args], { cwd: dir, env: { ...process.env, ...baseEnv, NO_COLOR: "1" } });
      let out = "";
      let err = "";
      p.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      p.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      p.on("exit", (code) => resolve({ code, out, err }));
    });
  }

  it("in every trial the state records what the world holds and each run that did something recorded exactly one snapshot", async () => {
    const repo = makeRepo({ ".gitignore": "world.json*\n", "main.lxm": goalAt(0) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    for (let t = 1; t <= 10; t++) {
      repo.write({ "main.lxm": goalAt(10 * t + 1, ["d4"]) });
      const a = repo.commit(`a${t}`);
      repo.write({ "main.lxm": goalAt(10 * t + 2, ["d1"]) });
      const b = repo.commit(`b${t}`);
      const before = Number(repo.git("rev-list", "--count", "lexum/state"));
      // One plans from the snapshot alone, the other refreshes (slower to plan): the first
      // often commits while the second is still planning against the old head.
      const [ra, rb] = await Promise.all([
        child(repo.dir, ["apply", "--yes", "--rev", t % 2 ? a : b]),
        child(repo.dir, ["apply", "--yes", "--refresh", "--rev", t % 2 ? b : a]),
      ]);
      let recorded = 0;
      for (const r of [ra, rb]) {
        expect(r.err).not.toContain("LXM4101");
        if (r.code !== 0) {
          // The only refusal: the other apply held the lock; this one changed nothing.
          expect(r.err).toContain("error[LXM4214]");
          expect(r.out).not.toContain("Recorded");
        }
        recorded += r.out.split("\n").filter((l) => l.startsWith("Recorded ")).length;
      }
      expect(Number(repo.git("rev-list", "--count", "lexum/state"))).toBe(before + recorded);
      const head = headSnapshot(repo);
      expect(head.status).toBe("quiescent");
      // Every record equals the world on every attribute the goal sets, and nothing else is there.
      const world = repo.world();
      const records = Object.keys(head.resources).map(
        (address) => JSON.parse(repo.git("show", `lexum/state:resources/${address}.json`)) as { attrs: { kind: string; name: string; spec: unknown } },
      );
      expect(Object.keys(world).sort()).toEqual(records.map((r) => `${r.attrs.kind}/${r.attrs.name}`).sort());
      for (const r of records) expect(world[`${r.attrs.kind}/${r.attrs.name}`]!.spec).toEqual(r.attrs.spec);
    }
    await expectHealthyState(repo);
  }, 120_000);
});
