import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { baseEnv, cleanupRepos, makeRepo, userView } from "./helpers.js";
import type { E2eRepo } from "./helpers.js";

afterAll(cleanupRepos);

const goal = `domain site {
  provider fs { root = "out" }
  resource fs.file index {
    path    = "index.html"
    content = "hello"
  }
  resource fs.file about {
    path    = "about.html"
    content = "about"
  }
}
`;
const ignore = { ".gitignore": "out/\n" };

/**
 * Rewrites the head commit of lexum/state with one file of its tree changed (same parent,
 * same message), the way a careless hand edit or a bad merge would, using only the git CLI.
 */
function tamperHead(repo: E2eRepo, file: string, edit: (text: string) => string): string {
  const index = join(repo.dir, ".git", "e2e-tamper-index");
  const env = { ...process.env, GIT_INDEX_FILE: index };
  const run = (args: string[], input?: string) => execFileSync("git", args, { cwd: repo.dir, env, input, encoding: "utf8" }).trim();
  run(["read-tree", "lexum/state"]);
  const blob = run(["hash-object", "-w", "--stdin"], edit(repo.git("show", `lexum/state:${file}`) + "\n"));
  run(["update-index", "--cacheinfo", `100644,${blob},${file}`]);
  const tree = run(["write-tree"]);
  rmSync(index, { force: true });
  const parents = repo.git("log", "-1", "--format=%P", "lexum/state").split(" ").filter(Boolean);
  const message = repo.git("log", "-1", "--format=%B", "lexum/state");
  const commit = run(["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])], message);
  repo.git("update-ref", "refs/heads/lexum/state", commit);
  return commit;
}

describe("bad input never loses or corrupts anything", () => {
  it("outside a git repository: a clear error, exit 1, nothing written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lexum-e2e-norepo-"));
    try {
      writeFileSync(join(dir, "site.lxm"), goal);
      for (const args of [["plan"], ["apply", "--yes"], ["state", "log"]]) {
        const r = await lxm(dir, args, baseEnv);
        expect(r.code).toBe(1);
        expect(r.err).toContain("not a git repository");
        expect(r.err).toContain("git init");
      }
      expect(readdirSync(dir)).toEqual(["site.lxm"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const target of ["snapshot.json", "resources/site/fs.file.index.json"]) {
    it(`a tampered ${target} on the state branch: plan and apply refuse with LXM4204, branch unchanged`, async () => {
      const repo = makeRepo({ ...ignore, "site.lxm": goal });
      expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
      repo.write({ "site.lxm": goal.replace('"hello"', '"hello again"') });
      repo.commit("v2");
      // Inflate a recorded value: the snapshot's hash (or the record's) no longer matches.
      const bad = tamperHead(repo, target, (t) => t.replace(/"hello"|"quiescent"/, (m) => (m === '"hello"' ? '"HELLO"' : '"failed"')));
      const user = userView(repo);
      for (const args of [["plan"], ["apply", "--yes"], ["plan", "--refresh"]]) {
        const r = await repo.lxm(args);
        expect(r.code).toBe(1);
        expect(r.err).toContain("error[LXM4204]");
        expect(r.err).toContain(`the state branch lexum/state is damaged at commit ${bad}`);
        expect(r.err).toContain("lxm state verify");
      }
      expect(repo.stateHead()).toBe(bad);
      expect(readFileSync(join(repo.dir, "out/index.html"), "utf8")).toBe("hello");
      expect(userView(repo)).toEqual(user);
      const v = await repo.lxm(["state", "verify"]);
      expect(v.code).toBe(1);
      expect(v.out + v.err).toContain(bad.slice(0, 12));
    });
  }

  it("an empty ref file for lexum/state is corruption, never a fresh start", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead()!;
    // Loose ref (the state branch was never packed here), truncated as a crash could leave it.
    const refFile = join(repo.dir, ".git/refs/heads/lexum/state");
    writeFileSync(refFile, "");
    const user = userView(repo);
    for (const args of [["plan"], ["apply", "--yes"], ["state", "log"], ["state", "verify"]]) {
      const r = await repo.lxm(args);
      expect(r.code).toBe(1);
      expect(r.err).toContain("LXM4103");
      expect(r.err).toContain("refs/heads/lexum/state is corrupt");
      expect(r.err).toContain("git update-ref");
    }
    expect(readFileSync(refFile, "utf8")).toBe(""); // not overwritten by a "first" run
    expect(userView(repo)).toEqual(user);
    // Restoring the ref brings everything back (git itself refuses update-ref on a broken ref).
    writeFileSync(refFile, head + "\n");
    expect((await repo.lxm(["plan"])).code).toBe(0);
    expect((await repo.lxm(["state", "verify"])).code).toBe(0);
  });

  for (const [what, text] of [
    ["unparsable", "not-an-object-id\n"],
    ["pointing at a missing object", "0123456789abcdef0123456789abcdef01234567\n"],
  ] as const) {
    it(`a ref file for lexum/state ${what} is corruption (LXM4103), exit 1, nothing written`, async () => {
      const repo = makeRepo({ ...ignore, "site.lxm": goal });
      expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
      const refFile = join(repo.dir, ".git/refs/heads/lexum/state");
      writeFileSync(refFile, text);
      for (const args of [["plan"], ["apply", "--yes"], ["state", "verify"]]) {
        const r = await repo.lxm(args);
        expect(r.code).toBe(1);
        expect(r.err).toContain("LXM4103");
        expect(r.err).not.toContain("This is a bug in Lexum");
      }
      expect(readFileSync(refFile, "utf8")).toBe(text);
    });
  }

  it("a truncated (0-byte) loose object of the state head: a clear error, exit 1, nothing written", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead()!;
    const blob = repo.git("rev-parse", "lexum/state:snapshot.json");
    const file = join(repo.dir, ".git/objects", blob.slice(0, 2), blob.slice(2));
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, "");
    for (const args of [["plan"], ["apply", "--yes"], ["state", "verify"]]) {
      const r = await repo.lxm(args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/error\[LXM4\d{3}\]/);
      expect(r.err).not.toContain("This is a bug in Lexum");
    }
    expect(repo.stateHead()).toBe(head);
  });

  it("a program that does not compile: diagnostics, exit 1, the branch and the world untouched", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const head = repo.stateHead();
    repo.write({ "site.lxm": goal.replace('content = "hello"', "content = undefined_name") });
    repo.commit("broken");
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/site\.lxm:\d+:\d+: error\[LXM2\d{3}\]/);
    expect(repo.stateHead()).toBe(head);
    expect(readFileSync(join(repo.dir, "out/index.html"), "utf8")).toBe("hello");
  });
});

describe("apply without a terminal", () => {
  it("refuses without --yes (LXM4208) and changes nothing", async () => {
    const repo = makeRepo({ ...ignore, "site.lxm": goal });
    const r = await repo.lxm(["apply"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("LXM4208");
    expect(r.err).toContain("--yes");
    expect(repo.stateHead()).toBeNull();
    expect(repo.exists("out/index.html")).toBe(false);
    expect(existsSync(join(repo.dir, ".git/lexum/journal")) && readdirSync(join(repo.dir, ".git/lexum/journal")).length).toBeFalsy();
  });
});

describe("hostile revisions and refs", () => {
  it("a rev naming a directory of refs, '..', or 5,000 characters is an unknown revision (exit 1), never a crash", async () => {
    const repo = makeRepo({ "site.lxm": goal, ...ignore });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const before = repo.git("rev-parse", "lexum/state");
    const long = "a".repeat(5000);
    const cases: string[][] = [
      ["state", "show", "lexum"],
      ["state", "show", ".."],
      ["state", "show", long],
      ["plan", "--rev", ".."],
      ["plan", "--rev", "lexum"],
      ["plan", "--rev", long],
      ["trace", ".."],
      ["trace", "lexum"],
      ["replay", ".."],
      ["replay", long],
    ];
    for (const args of cases) {
      const r = await repo.lxm(args);
      expect({ args: args.map((a) => a.slice(0, 20)), code: r.code }).toEqual({ args: args.map((a) => a.slice(0, 20)), code: 1 });
      expect(r.err).not.toMatch(/EISDIR|ENAMETOOLONG|internal error|bug in Lexum/);
      expect(r.err).toMatch(/error\[LXM\d{4}\]/);
    }
    expect(repo.git("rev-parse", "lexum/state")).toBe(before);
  });
});

describe("a provider that refuses to read during --refresh", () => {
  const nested = `domain site {
  provider fs { root = "out" }
  resource fs.file index {
    path    = "index.html"
    content = "hello"
  }
  resource fs.file page {
    path    = "sub/page.html"
    content = "page"
  }
}
`;
  it("a managed file that became a directory, or a parent that became a symlink out of the root: a located diagnostic naming the resource, exit 1, nothing written", async () => {
    const repo = makeRepo({ "site.lxm": nested, ...ignore });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const before = repo.git("rev-parse", "lexum/state");
    rmSync(join(repo.dir, "out", "index.html"));
    mkdirSync(join(repo.dir, "out", "index.html"));
    const outside = mkdtempSync(join(tmpdir(), "lexum-e2e-outside-"));
    rmSync(join(repo.dir, "out", "sub"), { recursive: true });
    symlinkSync(outside, join(repo.dir, "out", "sub"));
    try {
      for (const args of [["plan", "--refresh"], ["apply", "--refresh", "--yes"]]) {
        const r = await repo.lxm(args);
        expect(r.code).toBe(1);
        expect(r.err).not.toMatch(/internal error|bug in Lexum|ProviderError|\n\s+at /);
        expect(r.err).toMatch(/site\.lxm:3:\d+: error\[LXM4240\]: cannot read site\/fs\.file\.index back from its provider/);
        expect(r.err).toMatch(/site\.lxm:7:\d+: error\[LXM4240\]: cannot read site\/fs\.file\.page back from its provider/);
      }
      expect(repo.git("rev-parse", "lexum/state")).toBe(before);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
