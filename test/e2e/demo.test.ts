import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { baseEnv, git } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("lxm demo", () => {
  it("runs the whole cycle in a scratch repository, exits 0, and its state branch verifies", async () => {
    const parent = mkdtempSync(join(tmpdir(), "lexum-e2e-demo-"));
    dirs.push(parent);
    const dir = join(parent, "demo");
    const r = await lxm(parent, ["demo", "--dir", dir], baseEnv);
    expect(r.err).not.toContain("demo failed");
    expect(r.code).toBe(0);
    expect(r.out).toContain("ok: 2 snapshots on lexum/state verify");

    // Two quiescent snapshots, readable by git, fsck clean, HEAD on main with a clean tree.
    const log = git(dir, "log", "--format=%s", "lexum/state").split("\n");
    expect(log).toHaveLength(2);
    const snap = JSON.parse(git(dir, "show", "lexum/state:snapshot.json")) as { status: string; source: { commit: string } };
    expect(snap.status).toBe("quiescent");
    expect(snap.source.commit).toBe(git(dir, "rev-parse", "HEAD"));
    expect(git(dir, "fsck", "--strict", "--no-dangling")).toBe("");
    expect(git(dir, "symbolic-ref", "HEAD")).toBe("refs/heads/main");
    expect((await lxm(dir, ["state", "verify"], baseEnv)).code).toBe(0);
    expect((await lxm(dir, ["plan", "--refresh"], baseEnv)).code).toBe(0);

    // v2's world: the about page deleted, the symlink repointed, settings rewritten.
    expect(existsSync(join(dir, "out/site/about.html"))).toBe(false);
    expect(readlinkSync(join(dir, "out/site/current"))).toBe("contact.html");
    expect(readFileSync(join(dir, "out/data/settings.json"), "utf8")).toContain('"replicas":5');

    // A non-empty --dir is refused.
    const again = await lxm(parent, ["demo", "--dir", dir], baseEnv);
    expect(again.code).toBe(1);
    expect(again.err).toContain("is not empty");
  });

  it("is reproducible: two demos give the same state commit ids", async () => {
    const parent = mkdtempSync(join(tmpdir(), "lexum-e2e-demo-"));
    dirs.push(parent);
    const ids: string[] = [];
    for (const name of ["one", "two"]) {
      const r = await lxm(parent, ["demo", "--dir", join(parent, name)], baseEnv);
      expect(r.code).toBe(0);
      ids.push(git(join(parent, name), "rev-parse", "lexum/state"));
    }
    expect(ids[1]).toBe(ids[0]);
  });
});
