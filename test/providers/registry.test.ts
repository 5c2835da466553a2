import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as providers from "../../src/providers/index.js";
import { builtinProviders, getProvider, providerForType, providerNames } from "../../src/providers/registry.js";

const schemaDir = join(import.meta.dirname, "../../schemas/providers");
const ctx = { signal: new AbortController().signal, attempt: 1 };

function schemaProps(type: string): string[] {
  const schema = JSON.parse(readFileSync(join(schemaDir, `${type}.json`), "utf8")) as { properties: Record<string, unknown> };
  return Object.keys(schema.properties).sort();
}

describe("provider registry", () => {
  it("lists the built-ins sorted and finds them by name", () => {
    expect(providerNames()).toEqual(["fs", "http", "postgres", "sim"]);
    expect([...builtinProviders.keys()]).toEqual(["fs", "http", "postgres", "sim"]);
    expect(getProvider("fs")?.name).toBe("fs");
    expect(getProvider("sim")?.types).toEqual(["sim.object"]);
    expect(getProvider("nope")).toBeUndefined();
  });

  it("maps a resource type to its provider", () => {
    expect(providerForType("fs.symlink")?.name).toBe("fs");
    expect(providerForType("sim.object")?.name).toBe("sim");
    expect(providerForType("http.object")?.name).toBe("http");
    expect(providerForType("postgres.default_privileges")?.name).toBe("postgres");
    expect(providerForType("fs.socket")).toBeUndefined();
    expect(providerForType("file")).toBeUndefined();
  });

  it("every provider and type has its schema file", () => {
    for (const name of providerNames()) {
      expect(existsSync(join(schemaDir, `${name}.provider.json`))).toBe(true);
      for (const type of getProvider(name)!.types) expect(existsSync(join(schemaDir, `${type}.json`))).toBe(true);
    }
  });

  it("read-back attributes are exactly the schemas' properties", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lexum-reg-"));
    try {
      const fs = getProvider("fs")!.configure({ root: dir }, { projectDir: dir });
      expect(Object.keys(await fs.create("fs.file", { path: "f", content: "x" }, ctx)).sort()).toEqual(schemaProps("fs.file"));
      expect(Object.keys(await fs.create("fs.dir", { path: "d" }, ctx)).sort()).toEqual(schemaProps("fs.dir"));
      expect(Object.keys(await fs.create("fs.symlink", { path: "l", target: "f" }, ctx)).sort()).toEqual(schemaProps("fs.symlink"));
      const sim = getProvider("sim")!.configure({ world: "w.json" }, { projectDir: dir });
      const o = await sim.create("sim.object", { kind: "k", name: "n", secret: "s" }, ctx);
      expect(Object.keys(o).sort()).toEqual(schemaProps("sim.object"));
      await sim.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the index re-exports the contract and the registry", () => {
    expect(typeof providers.ProviderError).toBe("function");
    expect(providers.getProvider).toBe(getProvider);
    expect(providers.providerNames()).toEqual(["fs", "http", "postgres", "sim"]);
  });
});
