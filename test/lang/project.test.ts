import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadProject, loadProjectFromFiles, parseProjectSettings } from "../../src/lang/project.js";

describe("loadProject", () => {
  test("finds .lxm files recursively in sorted order, skipping .git and node_modules", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lexum-proj-"));
    mkdirSync(join(dir, "b/c"), { recursive: true });
    mkdirSync(join(dir, ".git"));
    mkdirSync(join(dir, "node_modules"));
    writeFileSync(join(dir, "b/c/z.lxm"), "domain z {}");
    writeFileSync(join(dir, "a.lxm"), "domain a {}");
    writeFileSync(join(dir, ".git/x.lxm"), "x");
    writeFileSync(join(dir, "node_modules/y.lxm"), "y");
    writeFileSync(join(dir, "readme.md"), "no");
    const p = await loadProject(dir);
    expect(p.diagnostics).toEqual([]);
    expect(p.files.map((f) => f.path)).toEqual(["a.lxm", "b/c/z.lxm"]);
    expect(p.sources.get("a.lxm")!.text).toBe("domain a {}");
  });
  test("missing dir, empty dir, invalid UTF-8", async () => {
    expect((await loadProject("/nonexistent/lexum")).diagnostics.map((d) => d.code)).toEqual(["LXM5001"]);
    const empty = mkdtempSync(join(tmpdir(), "lexum-empty-"));
    expect((await loadProject(empty)).diagnostics.map((d) => d.code)).toEqual(["LXM5002"]);
    const bad = mkdtempSync(join(tmpdir(), "lexum-bad-"));
    writeFileSync(join(bad, "x.lxm"), Buffer.from([0x64, 0x6f, 0xff, 0x20]));
    const r = await loadProject(bad);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM5004"]);
    expect(r.diagnostics[0]!.message).toContain("offset 2");
  });
  test("from in-memory files", () => {
    const r = loadProjectFromFiles([{ path: "b.lxm", text: "domain b {}" }, { path: "a.lxm", bytes: new TextEncoder().encode("domain a {}") }, { path: "x.txt", text: "" }]);
    expect(r.files.map((f) => f.path)).toEqual(["a.lxm", "b.lxm"]);
  });
});

describe("lexum.yaml", () => {
  test("defaults, values, errors", () => {
    expect(parseProjectSettings("").settings).toEqual({ state_branch: "lexum/state", parallelism: 10, providers: {}, inputs: {}, environments: {} });
    expect(parseProjectSettings("parallelism: 4\nproviders:\n  fs: { root: out }\n").settings).toEqual({ state_branch: "lexum/state", parallelism: 4, providers: { fs: { root: "out" } }, inputs: {}, environments: {} });
    const bad = parseProjectSettings("parallelism: [\n");
    expect(bad.diagnostics.map((d) => d.code)).toEqual(["LXM2140"]);
    expect(bad.diagnostics[0]!.span!.file).toBe("lexum.yaml");
    const inv = parseProjectSettings("paralelism: 4\n");
    expect(inv.diagnostics.map((d) => [d.code, d.hint])).toEqual([["LXM2141", "did you mean `parallelism`?"]]);
    expect(parseProjectSettings("parallelism: 0").diagnostics[0]!.message).toBe("lexum.yaml: `parallelism` must be ≥ 1, got 0");
  });

  test("state_branch must be a branch name git accepts", () => {
    for (const bad of ["HEAD", "-x", "refs/tags/v1", "refs/heads/lexum/state", "a..b", "a/", "a.lock", ".hidden/x", "a b", "x@{1}", "a//b", "a:b"]) {
      const r = parseProjectSettings(`state_branch: ${JSON.stringify(bad)}\n`);
      expect({ bad, codes: r.diagnostics.map((d) => d.code) }).toEqual({ bad, codes: ["LXM2141"] });
      expect(r.diagnostics[0]!.message).toContain(`state_branch ${JSON.stringify(bad)}`);
      // Located at the value, on line 1.
      expect(r.diagnostics[0]!.span).toMatchObject({ file: "lexum.yaml", start: "state_branch: ".length });
    }
    for (const good of ["lexum/state", "state", "lexum/state/prod-1", "x.y"]) {
      expect(parseProjectSettings(`state_branch: ${good}\n`).diagnostics).toEqual([]);
    }
  });

  test("provider defaults: an unknown provider or setting is refused with a did-you-mean", () => {
    const unknownProvider = parseProjectSettings("providers:\n  fss: { root: out }\n");
    expect(unknownProvider.diagnostics.map((d) => [d.code, d.hint])).toEqual([["LXM2141", "did you mean `fs`?"]]);
    expect(unknownProvider.diagnostics[0]!.message).toContain("unknown provider `fss`");
    const nope = parseProjectSettings("providers:\n  nope: {}\n");
    expect(nope.diagnostics.map((d) => d.code)).toEqual(["LXM2141"]);
    const bogus = parseProjectSettings("providers:\n  fs:\n    rot: out\n");
    expect(bogus.diagnostics.map((d) => [d.code, d.hint])).toEqual([["LXM2141", "did you mean `root`?"]]);
    expect(bogus.diagnostics[0]!.message).toBe("lexum.yaml: providers.fs: `rot` is not a setting of the fs provider (its settings: root)");
    // The span is the key itself (line 3).
    const text = "providers:\n  fs:\n    rot: out\n";
    expect(bogus.diagnostics[0]!.span).toMatchObject({ file: "lexum.yaml", start: text.indexOf("rot") });
    const wrongType = parseProjectSettings("providers:\n  sim:\n    latency: fast\n");
    expect(wrongType.diagnostics.map((d) => d.code)).toEqual(["LXM2141"]);
    expect(parseProjectSettings("providers:\n  fs: { root: out }\n  sim: { world: w.json }\n").diagnostics).toEqual([]);
  });
});
