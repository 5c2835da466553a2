import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newAjv } from "../../src/program/ajv.js";
import { loadTypeCatalog, schemasDir } from "../../src/program/schemas.js";
import type { JsonObject } from "../../src/program/types.js";

// Run time uses precompiled validators and never checks schemas against the meta-schema; this is the check.
describe("shipped provider schemas", () => {
  const dir = schemasDir() + "providers/";
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

  it("are valid draft 2020-12 schemas and compile in strict mode", () => {
    expect(files.length).toBeGreaterThan(0);
    const ajv = newAjv();
    for (const f of files) {
      const schema = JSON.parse(readFileSync(dir + f, "utf8")) as object;
      expect(ajv.validateSchema(schema), `${f}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      expect(() => newAjv().compile(schema)).not.toThrow();
    }
  });

  it("use no resource meta-attribute as a property name", async () => {
    const { isMeta } = await import("../../src/lang/resolve.js");
    expect(["depends_on", "provider", "protect", "import"].every(isMeta)).toBe(true);
    for (const f of files) {
      const schema = JSON.parse(readFileSync(dir + f, "utf8")) as { properties?: object };
      expect(Object.keys(schema.properties ?? {}).filter(isMeta), f).toEqual([]);
    }
  });

  it("a meta-schema violation is what the check catches", () => {
    expect(newAjv().validateSchema({ type: "object", properties: { a: { type: 5 } } })).toBe(false);
  });

  it("every catalog type validates with the same result as a fully checked compile", () => {
    const cat = loadTypeCatalog();
    for (const info of [...cat.resources.values(), ...cat.providers.values()]) {
      const strict = newAjv().compile(info.schema);
      for (const attrs of [{}, { name: "x", mode: "644", path: 1 }] as JsonObject[]) {
        expect(info.validate(attrs).length === 0).toBe(strict(attrs));
      }
    }
  });
});
