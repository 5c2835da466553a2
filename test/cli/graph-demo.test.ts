import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lxm } from "./capture.js";

const example = path.resolve(__dirname, "../../fixtures/projects/language-example");

describe("lxm graph", () => {
  it("prints DOT with a cluster per domain and the import edge", async () => {
    const r = await lxm(example, ["graph"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^digraph/);
    expect(r.out).toContain("storage");
    expect(r.out).toContain("web");
    expect(r.out).toContain('page[\\"index\\"]');
  });
  it("prints Mermaid with --format mermaid, and JSON with --json", async () => {
    const m = await lxm(example, ["graph", "--format", "mermaid"]);
    expect(m.code).toBe(0);
    expect(m.out).toMatch(/^(flowchart|graph) /);
    const j = await lxm(example, ["graph", "--json"]);
    const g = JSON.parse(j.out) as { domains: { name: string; step: number; after: string[]; resources: { address: string; dependsOn: string[] }[] }[] };
    expect(g.domains.map((d) => [d.name, d.step, d.after])).toEqual([
      ["storage", 1, []],
      ["web", 2, ["storage"]],
    ]);
    const settings = g.domains[0]!.resources.find((r) => r.address === "storage/fs.file.settings");
    expect(settings?.dependsOn).toEqual(["storage/fs.dir.data"]);
  });
  it("refuses an unknown format with a usage error", async () => {
    const r = await lxm(example, ["graph", "--format", "svg"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM5005]");
  });
});

describe("lxm demo", () => {
  it("runs the whole cycle, and the same goal commits give the same state commit id on every run", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lexum-demo-test-"));
    const a = await lxm(tmp, ["demo", "--dir", "a", "--json"]);
    const b = await lxm(tmp, ["demo", "--dir", "b", "--json"]);
    expect(a.code).toBe(0);
    const ra = JSON.parse(a.out) as { ok: boolean; state: string };
    const rb = JSON.parse(b.out) as { ok: boolean; state: string };
    expect(ra.ok).toBe(true);
    expect(ra.state).toMatch(/^[0-9a-f]{40}$/);
    expect(rb.state).toBe(ra.state);
    // The second goal deleted the about page and repointed the symlink.
    expect(fs.existsSync(path.join(tmp, "a/out/site/about.html"))).toBe(false);
    expect(fs.readlinkSync(path.join(tmp, "a/out/site/current"))).toBe("contact.html");
  });
  it("refuses a folder that is not empty", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lexum-demo-test-"));
    fs.writeFileSync(path.join(tmp, "x"), "");
    const r = await lxm(tmp, ["demo", "--dir", "."]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("not empty");
  });
});
