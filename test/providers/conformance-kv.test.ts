import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { conformanceChecks, type ConformanceCase } from "../../src/providers/conformance.js";
import { checkProviderPackage, loadProviderPackages } from "../../src/providers/package-load.js";
import { builtinProjectProviders } from "../../src/providers/project.js";
import { getProvider } from "../../src/providers/registry.js";
import { loadTypeCatalog } from "../../src/program/schemas.js";
import { install, KV_FIXTURE, KV_PACKAGE, pack } from "../e2e/provider-packages.js";

// The fixture package as a project gets it: packed and installed by npm, loaded by name
// through Lexum's package loader (checked, schemas compiled), then put through the kit.
const project = mkdtempSync(join(tmpdir(), "lexum-conf-kv-"));
install(project, pack(KV_FIXTURE, project));
const loaded = await loadProviderPackages(project, [{ name: "kv", package: KV_PACKAGE }]);
const provider = loaded.providers.get("kv")!;

function keyCase(dir: string): ConformanceCase {
  return {
    type: "kv.key",
    goal: { name: "alpha", kind: "text", value: "one", labels: { a: "1" }, token: "t0p-secret" },
    updates: { value: "two", labels: { b: "2" }, token: "another-secret" },
    replace: { name: "beta" },
    // read returns the token's digest, never the token.
    writeOnly: ["token"],
    drift: async () => {
      const file = join(project, dir, "alpha.json");
      const rec = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...rec, value: "changed outside", labels: { c: "3" } }));
      return { value: "changed outside", labels: { c: "3" } };
    },
  };
}

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe("the conformance kit over the kv fixture package, installed with npm", () => {
  it("loaded with no diagnostics, under its own name", () => {
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.providers.packages.map((p) => [p.name, p.package])).toEqual([["kv", KV_PACKAGE]]);
    expect(provider.types).toEqual(["kv.key"]);
    expect(loaded.providers.names()).toEqual(["fs", "http", "kv", "postgres", "sim"]);
    expect(loaded.providers.catalog.resources.get("kv.key")?.sensitive).toEqual(["token"]);
  });

  it("checkProviderPackage (for a package's own tests) passes it, and says why under another name", async () => {
    const ns: unknown = await import(pathToFileURL(loaded.providers.packages[0]!.file).href);
    expect(await checkProviderPackage(ns, "kv")).toBeNull();
    expect(await checkProviderPackage(ns, "store")).toBe("exports the provider `kv`, not `store`: name it `kv` under providers: in lexum.yaml");
  });

  it("the project's set is its own: the built-in registry and catalog are unchanged", () => {
    expect(getProvider("kv")).toBeUndefined();
    expect(loadTypeCatalog().resources.has("kv.key")).toBe(false);
    expect(builtinProjectProviders().get("kv")).toBeUndefined();
    expect(builtinProjectProviders().names()).toEqual(["fs", "http", "postgres", "sim"]);
  });

  for (const [dir, latency] of [
    ["keys", 0],
    ["slow-keys", 25],
  ] as const) {
    describe(`latency ${latency} ms`, () => {
      const checks = conformanceChecks({ provider, config: { dir, latency }, env: { projectDir: project }, cases: [keyCase(dir)] });
      it("has the update checks of each mutable attribute", () => {
        expect(checks.map((c) => c.name).filter((n) => n.includes("update of"))).toEqual(["kv.key: update of labels", "kv.key: update of token", "kv.key: update of value"]);
      });
      for (const c of checks) it(c.name, c.run, 30_000);
      it("each check cleaned up: no key is left", async () => {
        const { readdir } = await import("node:fs/promises");
        expect(await readdir(join(project, dir))).toEqual([]);
      });
    });
  }
});
