import path from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newAjv } from "../../src/program/ajv.js";
import { precompiledValidator, schemasDir } from "../../src/program/schemas.js";
import { expectGolden } from "../golden.js";
import { GENERATED_VALIDATORS_PATH, renderValidatorsModule, shippedSchemaPaths } from "../../src/program/validators-codegen.js";

const root = path.resolve(__dirname, "../..");

// Values of every JSON type and a few edge cases of the shipped keywords (minLength, minimum,
// maximum, pattern, enum), tried at the top level, as every property at once, and inside a list.
const SAMPLES: unknown[] = [null, true, 0, -1, 1, 300, 1.5, "", "x", "644", "0644", "read", "crash", [], [{}], {}, { a: 1 }];

function inputs(schema: { properties?: Record<string, unknown> }): unknown[] {
  const names = Object.keys(schema.properties ?? {});
  const out: unknown[] = [...SAMPLES];
  for (const v of SAMPLES) {
    out.push(Object.fromEntries(names.map((n) => [n, v])));
    out.push({ ...Object.fromEntries(names.map((n) => [n, v])), extra: v });
    out.push(Object.fromEntries(names.map((n) => [n, [v, { kind: v, op: v, call: v, times: v, address: v }]])));
  }
  return out;
}

describe("precompiled schema validators (src/program/validators.generated.ts)", () => {
  it("are up to date with schemas/ (LXM_UPDATE=1 or npm run gen:validators rewrites them)", () => {
    expectGolden(path.join(root, GENERATED_VALIDATORS_PATH), renderValidatorsModule());
  });

  it("give exactly the errors of ajv.compile with newAjv(): same errors, order, params and data", () => {
    for (const p of shippedSchemaPaths()) {
      const schema = JSON.parse(readFileSync(schemasDir() + p, "utf8")) as { properties?: Record<string, unknown> };
      const compiled = newAjv().compile(schema);
      const pre = precompiledValidator(p);
      for (const data of inputs(schema)) {
        const ok = pre(data);
        expect(ok, `${p} ${JSON.stringify(data)}`).toBe(compiled(data));
        expect(ok ? null : pre.errors, `${p} ${JSON.stringify(data)}`).toEqual(ok ? null : compiled.errors);
      }
    }
  });

  it("a schema without one is an internal error", () => {
    expect(() => precompiledValidator("providers/none.thing.json")).toThrow(/no precompiled validator/);
  });
});
