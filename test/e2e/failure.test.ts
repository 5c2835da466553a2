import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo, userView } from "./helpers.js";

afterAll(cleanupRepos);

// `cfg.generation` is computed by the provider, so the assertion is checked after apply
// against the read-back value: generation 1 after a create, 2 after an update.
function project(opts: { level: number; extra: boolean; onFailure: "halt" | "rollback"; wantGeneration: number }): string {
  const extra = opts.extra ? `  resource sim.object extra {\n    kind = "config"\n    name = "extra"\n  }\n` : "";
  return `domain base {
  provider sim { world = "world.json" }

  resource sim.object ns {
    kind = "namespace"
    name = "prod"
  }
  resource sim.object cfg {
    kind = "config"
    name = "main"
    spec = { level = ${opts.level}, ns = ns.name }
  }
${extra}
  export level = ${opts.level}

  goal settled {
    assert cfg.generation == ${opts.wantGeneration} : "cfg must be at generation ${opts.wantGeneration}"
  }

  policy {
    on_failure = "${opts.onFailure}"
    prune      = true
  }
}

domain app {
  provider sim { world = "world.json" }
  import base.level

  resource sim.object api {
    kind = "service"
    name = "api"
    spec = { level = level }
  }
}
`;
}

const ignore = { ".gitignore": "world.json\n" };

describe("failed apply: halt and rollback", () => {
  it("halt: an assertion fails, later steps never start, a failed snapshot records the DAG diff (exit 1)", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": project({ level: 1, extra: false, onFailure: "halt", wantGeneration: 5 }) });
    const user = userView(repo);
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("base: assertion failed: goal base.settled, assertion 1 failed: cfg must be at generation 5");
    expect(r.err).toContain("[step 2] domain app: skipped");
    expect(r.out).toContain("Apply failed in domain base");
    expect(r.out).toMatch(/Recorded failed snapshot sha256:[0-9a-f]{64} on lexum\/state/);

    const snap = headSnapshot(repo);
    expect(snap.status).toBe("failed");
    expect(snap.lastQuiescent).toBeNull();
    // DAG lists are in plan (run) order: step, domain, dependency order, ties by address.
    expect(snap.dag).toEqual({
      planned: ["base/sim.object.ns", "base/sim.object.cfg", "app/sim.object.api"],
      done: ["base/sim.object.ns", "base/sim.object.cfg"],
      failed: [],
      notStarted: ["app/sim.object.api"],
    });
    expect((snap.domains as Record<string, string>).base).toBe("failed");
    expect((snap.domains as Record<string, string>).app).not.toBe("quiescent");
    // The real state of everything touched is recorded; the skipped domain wrote nothing.
    expect(Object.keys(snap.resources).sort()).toEqual(["base/sim.object.cfg", "base/sim.object.ns"]);
    expect(Object.keys(repo.world()).sort()).toEqual(["config/main", "namespace/prod"]);
    expect(userView(repo)).toEqual(user);
    await expectHealthyState(repo);

    // The next plan starts from the failed snapshot: only the skipped work remains.
    const again = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(again.code).toBe(2);
    expect(again.out).toContain("Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.");
  });

  it("halt on an action failure: retries exhausted, failed list names the address", async () => {
    const src = project({ level: 1, extra: false, onFailure: "halt", wantGeneration: 1 }).replace(
      'provider sim { world = "world.json" }',
      'provider sim {\n    world  = "world.json"\n    faults = [{ address = "base/sim.object.ns", kind = "error", times = 9 }]\n  }',
    );
    const repo = makeRepo({ ...ignore, "main.lxm": src.replace("  policy {\n", "  policy {\n    retries    = 1\n") });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Apply failed in domain base at base/sim.object.ns");
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("failed");
    // cfg depends on ns: it never started; app's step never started.
    expect(snap.dag).toEqual({
      planned: ["base/sim.object.ns", "base/sim.object.cfg", "app/sim.object.api"],
      done: [],
      failed: ["base/sim.object.ns"],
      notStarted: ["base/sim.object.cfg", "app/sim.object.api"],
    });
    expect(repo.world()).toEqual({});
    await expectHealthyState(repo);
  });

  it("rollback: a failed assertion records a failed then a rolled-back snapshot and the world returns to the last quiescent goal", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": project({ level: 1, extra: false, onFailure: "rollback", wantGeneration: 1 }) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const good = headSnapshot(repo);
    const goodHead = repo.stateHead()!;
    const goodHash = repo.git("log", "-1", "--format=%(trailers:key=Lexum-Snapshot,valueonly)", "lexum/state");
    const before = repo.world();
    expect(good.status).toBe("quiescent");

    // v2 updates cfg (generation 2 breaks the goal) and adds an object.
    repo.write({ "main.lxm": project({ level: 2, extra: true, onFailure: "rollback", wantGeneration: 1 }) });
    repo.commit("goal v2");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Rolled back to the last quiescent snapshot: rolled-back");
    expect(r.out).toMatch(/Recorded failed snapshot[\s\S]*Recorded rolled-back snapshot/);

    const log = repo.git("log", "--format=%H", "lexum/state").split("\n");
    expect(log).toHaveLength(3);
    expect(log[2]).toBe(goodHead);
    const failed = headSnapshot(repo, "lexum/state~1");
    const rolled = headSnapshot(repo);
    expect(failed.status).toBe("failed");
    expect(failed.dag!.done).toEqual(["base/sim.object.extra", "base/sim.object.cfg"]);
    expect(failed.dag!.notStarted).toEqual(["app/sim.object.api"]);
    expect(rolled.status).toBe("rolled-back");
    expect(failed.lastQuiescent).toBe(goodHash);
    expect(rolled.lastQuiescent).toBe(goodHash);

    // The world is back to v1's goal: extra gone, cfg's spec restored (its generation moved on).
    const world = repo.world();
    expect(Object.keys(world).sort()).toEqual(Object.keys(before).sort());
    for (const k of Object.keys(before)) expect(world[k]!.spec).toEqual(before[k]!.spec);
    expect(world["config/main"]!.spec).toEqual({ level: 1, ns: "prod" });
    expect(Object.keys(rolled.resources).sort()).toEqual(Object.keys(good.resources).sort());
    await expectHealthyState(repo);
  });

  it("a sim call that times out on every attempt fails the action after the policy's retries (failed snapshot)", async () => {
    const src = `domain slow {
  provider sim {
    world  = "world.json"
    faults = [{ address = "slow/sim.object.b", kind = "timeout", times = 5 }]
  }
  resource sim.object a {
    kind = "thing"
    name = "a"
  }
  resource sim.object b {
    kind = "thing"
    name = "b"
  }
  policy {
    timeout = 40ms
    retries = 1
  }
}
`;
    const repo = makeRepo({ ...ignore, "slow.lxm": src });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Apply failed in domain slow at slow/sim.object.b");
    expect(r.out.toLowerCase()).toContain("time");
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("failed");
    expect(snap.dag).toEqual({ planned: ["slow/sim.object.a", "slow/sim.object.b"], done: ["slow/sim.object.a"], failed: ["slow/sim.object.b"], notStarted: [] });
    // Two attempts (1 + retries) are in the trace as observations of the failed action.
    const trace = repo.git("show", "lexum/state:trace.jsonl").split("\n").map((l) => JSON.parse(l) as { address?: string; phase: string });
    expect(trace.some((e) => e.address === "slow/sim.object.b" && e.phase === "failed")).toBe(true);
    expect(Object.keys(repo.world())).toEqual(["thing/a"]);
    await expectHealthyState(repo);
  });
});

describe("failed apply: more shapes", () => {
  it("halt lets the failing step's other domains finish; the next apply of a fixed goal converges", async () => {
    const src = `domain bad {
  provider sim {
    world  = "world.json"
    faults = [{ address = "bad/sim.object.x", kind = "error", times = 99 }]
  }
  resource sim.object x {
    kind = "bad"
    name = "x"
  }
  export ok = true
}

domain good {
  provider sim {
    world   = "world.json"
    latency = 10ms
  }
  resource sim.object y for n in ["1", "2", "3"] {
    kind = "good"
    name = n
  }
}

domain later {
  provider sim { world = "world.json" }
  import bad.ok
  resource sim.object z {
    kind = "later"
    name = "z"
  }
}
`;
    const repo = makeRepo({ ...ignore, "main.lxm": src });
    const r = await repo.lxm(["apply", "--yes", "--parallelism", "2"]);
    expect(r.code).toBe(1);
    const snap = headSnapshot(repo);
    expect(snap.domains).toEqual({ bad: "failed", good: "quiescent", later: "skipped" });
    expect(snap.dag!.done).toEqual(['good/sim.object.y["1"]', 'good/sim.object.y["2"]', 'good/sim.object.y["3"]']);
    expect(snap.dag!.notStarted).toEqual(["later/sim.object.z"]);
    expect(Object.keys(repo.world()).sort()).toEqual(["good/1", "good/2", "good/3"]);

    // The fault removed in a new commit: the next apply does only what is left.
    repo.write({ "main.lxm": src.replace(/\n {4}faults = \[[^\n]*\]/, "") });
    repo.commit("fix");
    const plan = await repo.lxm(["plan"]);
    expect(plan.out).toContain("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.");
    const again = await repo.lxm(["apply", "--yes"]);
    expect(again.code).toBe(0);
    const fixed = headSnapshot(repo);
    expect(fixed.status).toBe("quiescent");
    expect(fixed.lastQuiescent).toBeNull(); // no quiescent snapshot before this one
    expect(Object.keys(repo.world()).sort()).toEqual(["bad/x", "good/1", "good/2", "good/3", "later/z"]);
    expect(await expectHealthyState(repo)).toBe(2);
  });

  it("rollback with no earlier quiescent snapshot removes what the failed run created", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": project({ level: 1, extra: true, onFailure: "rollback", wantGeneration: 9 }) });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(headSnapshot(repo, "lexum/state~1").status).toBe("failed");
    const rolled = headSnapshot(repo);
    expect(rolled.status).toBe("rolled-back");
    expect(rolled.resources).toEqual({});
    expect(repo.world()).toEqual({});
    await expectHealthyState(repo);
  });

  it("rollback restores files with the fs provider", async () => {
    const fsProject = (content: string, size: number) => `domain site {
  provider fs { root = "out" }
  resource fs.file index {
    path    = "index.html"
    content = "${content}"
  }
  goal small {
    assert index.size <= ${size} : "index.html too big"
  }
  policy { on_failure = "rollback" }
}
`;
    const repo = makeRepo({ ".gitignore": "out/\n", "site.lxm": fsProject("short", 5) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "site.lxm": fsProject("much longer", 5) });
    repo.commit("too big");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("index.html too big");
    expect(repo.read("out/index.html")).toBe("short");
    expect(headSnapshot(repo).status).toBe("rolled-back");
    await expectHealthyState(repo);
  });
});

describe("a value known only at apply time that breaks its schema", () => {
  it("fails the action before any provider call (LXM4010), records a failed snapshot, exit 1", async () => {
    // cfg's spec becomes ns's generation: a number, known only once ns exists.
    const src = project({ level: 1, extra: false, onFailure: "halt", wantGeneration: 1 }).replace("spec = { level = 1, ns = ns.name }", "spec = ns.generation");
    expect(src).toContain("spec = ns.generation");
    const repo = makeRepo({ ...ignore, "main.lxm": src });
    const plan = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(2); // lxm check cannot know: the value is computed by the provider
    expect(plan.out).toContain("(known after apply)");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain("base/sim.object.cfg: attribute `spec`, evaluated at apply time, is invalid: `spec` must be an object, got number");
    const snap = headSnapshot(repo);
    expect(snap.status).toBe("failed");
    expect(snap.dag).toMatchObject({ done: ["base/sim.object.ns"], failed: ["base/sim.object.cfg"] });
    expect(Object.keys(repo.world())).toEqual(["namespace/prod"]); // cfg never reached the provider
    await expectHealthyState(repo);
  });
});
