import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { newAjv } from "../../src/program/ajv.js";
import { baseEnv, cleanupRepos, expectHealthyState, headSnapshot, makeRepo, root } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

const scratch: string[] = [];
afterAll(() => {
  cleanupRepos();
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One fs file under `out/` (`page.txt` for the domain `site`, else `<name>.txt`), its content from `content` (an expression). */
const site = (content: string, name = "site"): string => `domain ${name} {
  provider fs { root = "out" }

  resource fs.file page {
    path    = "${name === "site" ? "page" : name}.txt"
    content = ${content}
  }
}
`;

const ignoreOut = { ".gitignore": "out/\n" };

/** schemas/snapshot.json, compiled. */
const snapshotSchema = newAjv().compile(JSON.parse(readFileSync(join(root, "schemas/snapshot.json"), "utf8")) as object);

/** What must hold after a refused apply: exit 1, LXM4220 naming every file, nothing written. */
async function expectRefused(repo: E2eRepo, stateBefore: string | null, names: string[], args: string[] = ["apply", "--yes"]): Promise<string> {
  const worldBefore = repo.exists("out/page.txt") ? repo.read("out/page.txt") : null;
  const r = await repo.lxm(args);
  expect(r.code).toBe(1);
  expect(r.err).toContain("error[LXM4220]");
  for (const n of names) expect(r.err).toContain(n);
  expect(r.err).toContain("--allow-dirty");
  expect(repo.stateHead()).toBe(stateBefore);
  expect(repo.exists("out/page.txt") ? repo.read("out/page.txt") : null).toBe(worldBefore);
  return r.err;
}

describe("apply applies a commit", () => {
  it("refuses an edited, uncommitted .lxm file, naming it; the state branch and the world stay as they were", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), ...ignoreOut });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead();
    repo.write({ "main.lxm": site(`"v2"`) });
    const err = await expectRefused(repo, head, ["modified: main.lxm"]);
    expect(err).toContain("nothing was applied");
    expect(repo.read("out/page.txt")).toBe("v1");
    // Committed, the same change applies.
    repo.commit("v2");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(repo.read("out/page.txt")).toBe("v2");
    expect(headSnapshot(repo).source).toEqual({ commit: repo.git("rev-parse", "HEAD"), path: "" });
  });

  it("refuses the first apply of a project edited since its commit (no state branch is created)", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), ...ignoreOut });
    repo.write({ "main.lxm": site(`"v2"`), "extra.lxm": site(`"x"`, "extra") });
    repo.git("add", "extra.lxm");
    await expectRefused(repo, null, ["modified: main.lxm", "added: extra.lxm"]);
    expect(repo.exists("out")).toBe(false);
  });

  it("refuses when only a file read by file() differs from HEAD", async () => {
    const repo = makeRepo({ "main.lxm": site(`file("data/page.txt")`), "data/page.txt": "one\n", ...ignoreOut });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead();
    repo.write({ "data/page.txt": "two\n" });
    await expectRefused(repo, head, ["modified: data/page.txt"]);
    expect(repo.read("out/page.txt")).toBe("one\n");
  });

  it("refuses when file() reads a file git does not have", async () => {
    const repo = makeRepo({ "main.lxm": site(`file("local.txt")`), ...ignoreOut }, null);
    repo.commit("without the data file");
    repo.write({ "local.txt": "mine\n" });
    await expectRefused(repo, null, ["untracked: local.txt"]);
  });

  it("counts what fileset lists and filesha256 reads among the inputs; --rev reads the commit's files", async () => {
    const repo = makeRepo({ "main.lxm": site(`join(",", fileset("data", "*.txt"))`) + site(`filesha256("data/a.txt")`, "sum"), "data/a.txt": "a\n", ...ignoreOut });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(repo.read("out/page.txt")).toBe("a.txt");
    const head = repo.stateHead();
    // A file git does not have yet, matched by the pattern, is an untracked input.
    repo.write({ "data/b.txt": "b\n" });
    await expectRefused(repo, head, ["untracked: data/b.txt"]);
    const rev = await repo.lxm(["plan", "--rev", "HEAD", "--detailed-exitcode"]);
    expect(rev.code).toBe(0);
    // Changed bytes of a hashed file are a modified input.
    rmSync(join(repo.dir, "data/b.txt"));
    repo.write({ "data/a.txt": "changed\n" });
    await expectRefused(repo, head, ["modified: data/a.txt"]);
    repo.write({ "data/b.txt": "b\n" });
    repo.commit("more data");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    expect(repo.read("out/page.txt")).toBe("a.txt,b.txt");
  });

  it("refuses when only lexum.yaml differs from HEAD", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), "lexum.yaml": "parallelism: 2\n", ...ignoreOut });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead();
    repo.write({ "lexum.yaml": "parallelism: 2\nproviders:\n  fs:\n    root: elsewhere\n" });
    await expectRefused(repo, head, ["modified: lexum.yaml"]);
    expect(repo.exists("elsewhere")).toBe(false);
  });

  it("refuses a saved plan made from a dirty tree too", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), ...ignoreOut });
    repo.write({ "main.lxm": site(`"v2"`) });
    const plan = await repo.lxm(["plan", "--detailed-exitcode", "--out", "p.json"]);
    expect(plan.code).toBe(2);
    await expectRefused(repo, null, ["modified: main.lxm"], ["apply", "--plan", "p.json"]);
  });

  it("names an untracked .lxm file (not part of the project) and refuses until it is added", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), ...ignoreOut });
    repo.write({ "more.lxm": site(`"m"`, "more") });
    const plan = await repo.lxm(["plan", "--detailed-exitcode", "--json"]);
    expect(plan.code).toBe(2);
    const parsed = JSON.parse(plan.out) as { summary: { create: number } };
    expect(parsed.summary.create).toBe(1); // more.lxm is not compiled
    expect(plan.err).toContain("untracked, not part of the project: more.lxm — `git add` it");
    await expectRefused(repo, null, ["untracked, not part of the project: more.lxm — `git add` it"]);
    // --allow-dirty applies the project, which the untracked file is not part of: still replayable.
    const a = await repo.lxm(["apply", "--yes", "--allow-dirty"]);
    expect(a.code).toBe(0);
    expect(headSnapshot(repo).source).toEqual({ commit: repo.git("rev-parse", "HEAD"), path: "" });
    const replay = await repo.lxm(["replay"]);
    expect(replay.out).toMatch(/^replayed sha256:[0-9a-f]{64} = recorded\n$/);
  });
});

describe("--allow-dirty", () => {
  it("applies the working tree, records the files in source.dirty, and verify/replay explain the run instead of failing", async () => {
    const repo = makeRepo({ "main.lxm": site(`file("page.txt")`), "page.txt": "one\n", ...ignoreOut });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "page.txt": "two\n", "lexum.yaml": "parallelism: 3\n" });
    const a = await repo.lxm(["apply", "--yes", "--allow-dirty"]);
    expect(a.code).toBe(0);
    expect(a.out).toContain("  modified: page.txt\n");
    expect(a.out).toContain("  untracked: lexum.yaml\n");
    expect(repo.read("out/page.txt")).toBe("two\n");
    const snap = headSnapshot(repo);
    expect(snap.source).toEqual({ commit: repo.git("rev-parse", "HEAD"), path: "", dirty: ["lexum.yaml", "page.txt"] });
    expect(repo.git("log", "-1", "--format=%s", "lexum/state")).toContain("with uncommitted changes");
    // Both snapshots, the clean one and the dirty one, are lexum.snapshot/v1 documents.
    for (const rev of ["lexum/state~1", "lexum/state"]) expect(snapshotSchema(headSnapshot(repo, rev)), JSON.stringify(snapshotSchema.errors)).toBe(true);
    expect(snapshotSchema({ ...snap, source: { ...snap.source, dirty: [] } })).toBe(false);

    const verify = await repo.lxm(["state", "verify", "--replay"]);
    expect(verify.err).toBe("");
    expect(verify.code).toBe(0);
    expect(verify.out).toContain("applied with --allow-dirty from uncommitted changes to lexum.yaml, page.txt: its inputs are not in git, so it cannot be replayed");
    expect(verify.out).toContain("ok: 2 snapshots on lexum/state verify and replay (1 run applied from uncommitted changes verified by hash only)");

    const replay = await repo.lxm(["replay"]);
    expect(replay.code).toBe(0);
    expect(replay.err).toBe("");
    expect(replay.out).toContain("applied with --allow-dirty from uncommitted changes to lexum.yaml, page.txt");
    for (const r of [verify, replay]) {
      expect(r.out + r.err).not.toContain("LXM4213");
      expect(r.out + r.err).not.toContain("unshallow");
    }
    const json = JSON.parse((await repo.lxm(["replay", "--json"])).out) as { outcome: string };
    expect(json.outcome).toBe("dirty");
    // The earlier, committed run still replays.
    expect((await repo.lxm(["replay", "lexum/state~1"])).out).toMatch(/ = recorded\n$/);
    await expectHealthyState(repo);

    // Committing the same files makes the next apply a clean one again (a no-op on the world).
    repo.commit("the edits");
    const again = await repo.lxm(["apply", "--yes"]);
    expect(again.code).toBe(0);
    expect((await repo.lxm(["state", "verify", "--replay"])).code).toBe(0);
  });

  it("in a repository without commits, records every input as dirty", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), ...ignoreOut }, null);
    repo.git("add", "main.lxm");
    await expectRefused(repo, null, ["added: main.lxm"]);
    const a = await repo.lxm(["apply", "--yes", "--allow-dirty"]);
    expect(a.code).toBe(0);
    expect(headSnapshot(repo).source).toEqual({ commit: null, path: "", dirty: ["main.lxm"] });
    const verify = await repo.lxm(["state", "verify", "--replay"]);
    expect(verify.code).toBe(0);
    expect(verify.out).toContain("applied with --allow-dirty from uncommitted changes to main.lxm");
  });
});

describe("lxm plan on a working tree that differs from HEAD", () => {
  it("prints a banner naming each differing file; with --json the plan goes alone to stdout", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), "gone.lxm": site(`"g"`, "gone"), ...ignoreOut });
    repo.write({ "main.lxm": site(`"v2"`), "new.lxm": site(`"n"`, "fresh"), "stray.lxm": site(`"s"`, "stray"), "gone.lxm": null });
    repo.git("add", "new.lxm");
    const p = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(p.code).toBe(2);
    const banner = p.out.slice(0, p.out.indexOf("\n\n"));
    expect(banner).toBe(
      [
        "The working tree differs from HEAD in 4 files:",
        "  deleted: gone.lxm",
        "  modified: main.lxm",
        "  added: new.lxm",
        "  untracked, not part of the project: stray.lxm — `git add` it",
        "This plan is a preview of the working tree: `lxm apply` refuses it without --allow-dirty; commit the changes to apply them.",
      ].join("\n"),
    );
    const planText = p.out.slice(banner.length);
    expect(planText).toContain("+ fs.file.page"); // the plan itself follows, without the untracked file
    expect(planText).not.toContain("stray");
    const j = await repo.lxm(["plan", "--detailed-exitcode", "--json"]);
    expect(j.code).toBe(2);
    expect(j.err).toContain("  modified: main.lxm");
    const plan = JSON.parse(j.out) as { format: string };
    expect(plan.format).toBe("lexum.plan/v1");
  });

  it("prints no banner on a clean tree, nor with --rev", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), ...ignoreOut });
    const clean = await repo.lxm(["plan"]);
    expect(clean.out).not.toContain("working tree");
    repo.write({ "main.lxm": site(`"v2"`) });
    const rev = await repo.lxm(["plan", "--rev", "HEAD"]);
    expect(rev.out + rev.err).not.toContain("working tree");
    expect(rev.out).toContain('content = "v1"');
  });
});

describe("which files are the project", () => {
  it("a copy in a hidden folder that git does not track is not part of it; a tracked one is", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), ...ignoreOut });
    repo.write({ ".hidden/main.lxm": site(`"v1"`) });
    const check = await repo.lxm(["check"]);
    expect(check.err).toContain("warning[LXM5011]: untracked, not part of the project: .hidden/main.lxm — `git add` it");
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/^ok: 1 domain, 1 resource, program sha256:/);
    const plan = await repo.lxm(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.err).toBe("");
    expect(plan.out).toContain("untracked, not part of the project: .hidden/main.lxm");
    // Ignored by git: not even named.
    repo.write({ ".gitignore": "out/\n.hidden/\n" });
    repo.commit("ignore .hidden");
    const quiet = await repo.lxm(["plan"]);
    expect(quiet.out).not.toContain(".hidden");
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    // Tracked (forced past .gitignore): git decides, so it counts, hidden or not.
    repo.git("add", "-f", ".hidden/main.lxm");
    repo.commit("track the copy");
    for (const cmd of [["check"], ["plan"]]) {
      const r = await repo.lxm(cmd);
      expect(r.code).toBe(1);
      expect(r.err).toContain("domain `site` is declared more than once");
    }
  });

  it("a .lxm file deleted from disk but still in the index is a deletion, and `git rm` removes it from the project", async () => {
    const repo = makeRepo({ "main.lxm": site(`"v1"`), "two.lxm": site(`"2"`, "two"), ...ignoreOut });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    repo.write({ "two.lxm": null });
    const p = await repo.lxm(["plan"]);
    expect(p.out).toContain("  deleted: two.lxm");
    expect(p.out).toContain("- fs.file.page");
    repo.git("rm", "-q", "--cached", "--ignore-unmatch", "two.lxm");
    repo.commit("drop two");
    const a = await repo.lxm(["apply", "--yes"]);
    expect(a.code).toBe(0);
    expect(Object.keys(headSnapshot(repo).resources)).toEqual(["site/fs.file.page"]);
  });

  it("a tracked symbolic link to a .lxm file is read through and, unchanged, is no difference", async () => {
    const repo = makeRepo({ "shared/site.lxm.txt": site(`"linked"`), ...ignoreOut }, null);
    symlinkSync("shared/site.lxm.txt", join(repo.dir, "main.lxm"));
    repo.commit("a linked project file");
    const p = await repo.lxm(["plan"]);
    expect(p.out).not.toContain("working tree");
    expect(p.out).toContain('content = "linked"');
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    rmSync(join(repo.dir, "main.lxm"));
    symlinkSync("shared/other.lxm.txt", join(repo.dir, "main.lxm"));
    repo.write({ "shared/other.lxm.txt": site(`"other"`) });
    await expectRefused(repo, repo.stateHead(), ["modified: main.lxm"]);
  });

  it("no tracked .lxm file, only untracked ones: LXM5010 names them", async () => {
    const repo = makeRepo({ "README.md": "x\n" });
    repo.write({ "main.lxm": site(`"v1"`) });
    for (const cmd of [["plan"], ["check"]]) {
      const r = await repo.lxm(cmd);
      expect(r.code).toBe(1);
      expect(r.err).toContain("error[LXM5010]: no .lxm file in");
      expect(r.err).toContain("main.lxm");
      expect(r.err).toContain("`git add`");
    }
  });
});

describe("relative provider paths resolve against the project directory", () => {
  it("plan from another folder finds the world the apply made: no changes", async () => {
    const repo = makeRepo({ "infra/main.lxm": site(`"v1"`), ".gitignore": "infra/out/\n" });
    const project = join(repo.dir, "infra");
    const a = await lxm(project, ["apply", "--yes"], baseEnv);
    expect(a.code).toBe(0);
    expect(repo.read("infra/out/page.txt")).toBe("v1");
    const elsewhere = mkdtempSync(join(tmpdir(), "lexum-elsewhere-"));
    scratch.push(elsewhere);
    for (const [cwd, dir] of [[repo.dir, "infra"], [elsewhere, project]] as const) {
      const p = await lxm(cwd, ["plan", "--refresh", dir], baseEnv);
      expect(p.err).toBe("");
      expect(p.out).toContain("and what the providers read back.");
      expect(p.code).toBe(0);
    }
    // An apply from the repository's top writes where the project says, not under the cwd.
    mkdirSync(join(repo.dir, "sub"));
    repo.write({ "infra/main.lxm": site(`"v2"`) });
    repo.commit("v2");
    expect((await lxm(join(repo.dir, "sub"), ["apply", "--yes", "../infra"], baseEnv)).code).toBe(0);
    expect(repo.read("infra/out/page.txt")).toBe("v2");
    expect(repo.exists("sub/out")).toBe(false);
    expect(repo.exists("out")).toBe(false);
  });
});

describe("replay compiles the goal as plan does", () => {
  it("a committed lexum.yaml's provider defaults are part of the replayed program", async () => {
    const repo = makeRepo({ "main.lxm": "domain site {\n  provider fs {}\n  resource fs.file page {\n    path = \"p.txt\"\n    content = \"x\"\n  }\n}\n", "lexum.yaml": "providers:\n  fs:\n    root: out\n", ...ignoreOut });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const r = await repo.lxm(["replay"]);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/ = recorded\n$/);
  });
});
