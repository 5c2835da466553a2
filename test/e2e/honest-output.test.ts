import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";

afterAll(cleanupRepos);

const ignore = { ".gitignore": "world.json\nout/\n" };

/** One sim domain; its goal holds when `want` is 1 (the generation after a create). */
const sim = (want: number, extra = "", prune = true) => `domain base {
  provider sim { world = "world.json" }

  resource sim.object cfg {
    kind = "config"
    name = "main"
  }
${extra}
  goal settled {
    assert cfg.generation == ${want} : "cfg must be at generation ${want}"
  }

  policy { prune = ${prune} }
}
`;

function snapshotHash(repo: ReturnType<typeof makeRepo>): string {
  return repo.git("log", "-1", "--format=%(trailers:key=Lexum-Snapshot,valueonly)", "lexum/state").trim();
}

describe("lxm plan: exit codes as Terraform users expect", () => {
  it("exits 0 on success with or without changes; --detailed-exitcode gives 2 for changes, 0 without; 1 on error", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": sim(1) });
    const plain = await repo.lxm(["plan"]);
    expect(plain.out).toContain("Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(plain.code).toBe(0);
    expect((await repo.lxm(["plan", "--detailed-exitcode"])).code).toBe(2);
    expect((await repo.lxm(["plan", "--json", "--detailed-exitcode"])).code).toBe(2);
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect((await repo.lxm(["plan"])).code).toBe(0);
    expect((await repo.lxm(["plan", "--detailed-exitcode"])).code).toBe(0);
    repo.write({ "main.lxm": "domain broken {" });
    expect((await repo.lxm(["plan"])).code).toBe(1);
    expect((await repo.lxm(["plan", "--detailed-exitcode"])).code).toBe(1);
  });

  it("says what it compared when nothing changes: the last snapshot's hash, and whether reality was read", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": sim(1) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const hash = snapshotHash(repo);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const plain = await repo.lxm(["plan"]);
    expect(plain.out).toContain(`No changes. The goal matches the last snapshot ${hash}; reality was not read (--refresh reads it).`);
    expect(plain.out).not.toContain("The world matches the goal");
    const refreshed = await repo.lxm(["plan", "--refresh"]);
    expect(refreshed.out).toContain(`No changes. The goal matches the last snapshot ${hash} and what the providers read back.`);
    const md = await repo.lxm(["plan", "--markdown"]);
    expect(md.out.split("\n")[0]).toBe(`**No changes. The goal matches the last snapshot ${hash}; reality was not read (--refresh reads it).**`);
  });
});

describe("a snapshot to record without resource changes", () => {
  it("after a failed run: the plan says so, counts as a change, and apply records it", async () => {
    const repo = makeRepo({ ...ignore, "main.lxm": sim(5) });
    const failed = await repo.lxm(["apply", "--yes"]);
    expect(failed.code).toBe(1);
    expect(headSnapshot(repo).status).toBe("failed");
    // Every action was done; only the goal failed. The goal is fixed: nothing left to create.
    repo.write({ "main.lxm": sim(1) });
    repo.commit("fix the goal");
    const plan = await repo.lxm(["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain("No resource changes, but apply will record a new snapshot: the last run failed.");
    expect((await repo.lxm(["plan", "--detailed-exitcode"])).code).toBe(2);
    const json = JSON.parse((await repo.lxm(["plan", "--json"])).out) as { writesSnapshot?: string; summary: Record<string, number> };
    expect(json.writesSnapshot).toBe("the last run failed");
    expect(json.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });

    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code).toBe(0);
    expect(apply.out).toContain("Apply complete: 0 actions done (0 created, 0 updated, 0 replaced, 0 deleted).");
    expect(apply.out).toMatch(/Recorded quiescent snapshot sha256:[0-9a-f]{64} on lexum\/state/);
    expect(headSnapshot(repo).status).toBe("quiescent");
    const after = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(after.code).toBe(0);
    expect(after.out).toContain("No changes. The goal matches the last snapshot");
    await expectHealthyState(repo);
  });

  it("a resource kept with prune off: the plan says a snapshot will be recorded; apply records it, then nothing is left", async () => {
    const extra = `  resource sim.object old {\n    kind = "config"\n    name = "old"\n  }\n`;
    const repo = makeRepo({ ...ignore, "main.lxm": sim(1, extra, false) });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "main.lxm": sim(1, "", false) });
    repo.commit("drop old, prune off");
    const plan = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain("No resource changes, but apply will record a new snapshot: 1 resource left the code and stays in place (prune is off).");
    const before = repo.stateHead();
    const apply = await repo.lxm(["apply", "--yes"]);
    expect(apply.code).toBe(0);
    expect(repo.stateHead()).not.toBe(before);
    expect((await repo.lxm(["plan", "--detailed-exitcode"])).code).toBe(0);
    const again = await repo.lxm(["apply", "--yes"]);
    expect(again.out).toContain("Nothing to apply; lexum/state unchanged.");
  });
});

describe("apply output: counts that say what they count", () => {
  it("Apply complete: N actions done, with plurals; a failure counts actions done, failed, not started", async () => {
    const two = `  resource sim.object b {\n    kind = "config"\n    name = "b"\n  }\n`;
    const repo = makeRepo({ ...ignore, "main.lxm": sim(1, two) });
    const ok = await repo.lxm(["apply", "--yes"]);
    expect(ok.out).toContain("Apply complete: 2 actions done (2 created, 0 updated, 0 replaced, 0 deleted).");
    repo.write({ "main.lxm": sim(9, two.replace('name = "b"', 'name = "b"\n    spec = { v = 2 }')) });
    repo.commit("update b, break the goal");
    const bad = await repo.lxm(["apply", "--yes"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("  done: 1 action, failed: 0, not started: 0");
    const log = await repo.lxm(["state", "log"]);
    expect(log.out).toContain("2 resources recorded; 1 action done, 0 failed, 0 not started");
    expect(log.out).toContain("2 resources recorded; 2 actions done, 0 failed, 0 not started");
  });
});

describe("a failed assertion shows where it is, its expression and its operands' values", () => {
  const site = (limit: number) => `domain web {
  provider fs { root = "out" }

  resource fs.file page for name in ["index", "about"] {
    path    = "\${name}.html"
    content = "<h1>\${name}</h1>"
  }

  goal served {
    assert len(page) == 2 : "two pages"
    assert page["index"].size > ${limit} : "index.html must not be empty"
  }
}
`;

  it("in the apply output (file:line:col, expression, values) and in the trace (expr, operands); replay reproduces it", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "web.lxm": site(100) });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      [
        "assertion failed: goal web.served, assertion 2 at web.lxm:11:5",
        '  assert page["index"].size > 100 : "index.html must not be empty"',
        '  page["index"].size = 14',
      ].join("\n"),
    );
    expect(r.out).toContain("Apply failed in domain web: goal web.served, assertion 2 failed: index.html must not be empty");
    expect(r.err).toContain("web: assertion failed: goal web.served, assertion 2 failed: index.html must not be empty (web.lxm:11:5)");

    const trace = (await repo.lxm(["trace", "--json"])).out
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const asserts = trace.filter((e) => e["phase"] === "assert");
    expect(asserts.map((e) => [e["index"], e["ok"], e["expr"]])).toEqual([
      [0, true, "len(page) == 2"],
      [1, false, 'page["index"].size > 100'],
    ]);
    expect(asserts[1]!["operands"]).toEqual([{ text: 'page["index"].size', value: 14 }]);
    expect(asserts[1]!["span"]).toMatchObject({ file: "web.lxm", line: 11, column: 5 });

    const replay = await repo.lxm(["replay"]);
    expect(replay.code).toBe(0);
  });

  it("a sensitive operand is masked everywhere", async () => {
    const repo = makeRepo({
      ...ignore,
      "m.lxm": `domain d {
  provider sim { world = "world.json" }
  resource sim.object a {
    kind   = "thing"
    name   = "a"
    secret = secret("DB_PASSWORD")
  }
  goal kept {
    assert a.secret == "something else"
  }
}
`,
    });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  assert a.secret == "something else"\n  a.secret = (sensitive)\n');
    expect(r.out + r.err).not.toContain("hunter2-e2e");
    const trace = (await repo.lxm(["trace", "--json"])).out;
    expect(trace).not.toContain("hunter2-e2e");
    expect(trace).toContain('"operands":[{"text":"a.secret","value":"(sensitive)"}]');
    expect(repo.git("show", "lexum/state:trace.jsonl")).not.toContain("hunter2-e2e");
    expect((await repo.lxm(["replay"])).code).toBe(0);
  });
});
