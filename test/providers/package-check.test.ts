import { describe, expect, it } from "vitest";
import { checkPackageExports, instanceProblem, lexumKeywordProblem } from "../../src/providers/package-check.js";
import { checkProviderPackage } from "../../src/providers/package-load.js";

const widget = { type: "object", required: ["id"], "x-lexum-identity": ["id"], properties: { id: { type: "string" }, size: { type: "integer" }, uid: { type: "string", readOnly: true } } };
const block = { type: "object", properties: { url: { type: "string" } } };
const configure = () => ({});
const good = { provider: { name: "acme", types: ["acme.widget"], configure }, schemas: { provider: block, "acme.widget": widget } };

describe("a provider package's exports", () => {
  it("accepts named exports, and a CommonJS module's (as import() gives them, under default)", () => {
    const a = checkPackageExports(good, "acme");
    expect("kind" in a).toBe(false);
    const b = checkPackageExports({ default: good }, "acme");
    expect("kind" in b ? b : b.provider.name).toBe("acme");
  });

  it.each([
    [{}, "not-a-provider", "it exports no `provider`"],
    [{ provider: good.provider }, "not-a-provider", "it exports no `schemas`"],
    [{ ...good, provider: { ...good.provider, name: 3 } }, "not-a-provider", "`provider.name` is not a string"],
    [{ ...good, provider: { ...good.provider, types: "acme.widget" } }, "not-a-provider", "`provider.types` is not a list of strings"],
    [{ ...good, provider: { ...good.provider, configure: {} } }, "not-a-provider", "`provider.configure` is not a function"],
    [{ ...good, provider: { ...good.provider, name: "acme2" } }, "name", "exports the provider `acme2`, not `acme`: name it `acme2` under providers: in lexum.yaml"],
    [{ ...good, provider: { ...good.provider, types: ["other.widget"] } }, "name", "lists the type `other.widget`, which is not named `acme.<type>`"],
    [{ ...good, provider: { ...good.provider, types: ["acme.wid-get"] } }, "name", "lists the type `acme.wid-get`, which is not named `acme.<type>`"],
    [{ ...good, provider: { ...good.provider, types: ["acme.widget", "acme.widget"] } }, "name", "lists the type `acme.widget` twice"],
    [{ ...good, schemas: { provider: block } }, "schema", "is missing: `schemas` has no entry for a type in `provider.types`"],
    [{ ...good, schemas: { ...good.schemas, "acme.extra": widget } }, "schema", "names a type that is not in `provider.types`"],
    [{ ...good, schemas: { "acme.widget": widget } }, "schema", "is missing: `schemas.provider` describes the provider block's settings"],
  ])("refuses %j: %s", (ns, kind, problem) => {
    expect(checkPackageExports(ns, "acme")).toMatchObject({ kind, problem });
  });

  it("refuses a key that cannot be a provider name in .lxm", () => {
    expect(checkPackageExports({ ...good, provider: { ...good.provider, name: "my-acme" } }, "my-acme")).toMatchObject({ kind: "name", problem: expect.stringContaining("`my-acme` is not a provider name") });
  });

  it("checkProviderPackage compiles the schemas too, and survives exports that throw", async () => {
    expect(await checkProviderPackage(good, "acme")).toBeNull();
    const strnig = { ...good, schemas: { ...good.schemas, "acme.widget": { ...widget, properties: { id: { type: "strnig" } } } } };
    expect(await checkProviderPackage(strnig, "acme")).toMatch(/^schema acme\.widget does not compile as a JSON Schema: schema is invalid: data\/properties\/id\/type must be equal to one of the allowed values/);
    const unknownKeyword = { ...good, schemas: { ...good.schemas, provider: { ...block, "x-acme": 1 } } };
    expect(await checkProviderPackage(unknownKeyword, "acme")).toBe('schema provider does not compile as a JSON Schema: strict mode: unknown keyword: "x-acme"');
    const throwing = { get provider(): never { throw new Error("lazy init failed"); }, schemas: {} };
    expect(await checkProviderPackage(throwing, "acme")).toBe("reading its exports threw: lazy init failed");
  });

  it("an instance must have every method", () => {
    expect(instanceProblem({ read() {}, create() {}, update() {}, delete() {}, close() {} })).toBeNull();
    expect(instanceProblem(null)).toBe("`provider.configure` did not return an object");
    expect(instanceProblem({ read() {}, create() {}, update() {}, delete() {} })).toBe("the instance `provider.configure` returned has no `close` method");
  });
});

describe("Lexum's keywords in a package schema", () => {
  it("accepts the built-in shapes", () => {
    expect(lexumKeywordProblem(widget, true)).toBeNull();
    expect(lexumKeywordProblem({ ...widget, "x-lexum-replace-on": ["size"], properties: { ...widget.properties, pw: { type: "string", "x-lexum-sensitive": true } } }, true)).toBeNull();
    expect(lexumKeywordProblem(block, false)).toBeNull();
  });

  it.each([
    [{ ...widget, type: "array" }, 'must be `"type": "object"`'],
    [{ ...widget, properties: [] }, "has `properties` that is not an object"],
    [{ ...widget, "x-lexum-identity": "id" }, "has `x-lexum-identity` that is not a list of distinct property names"],
    [{ ...widget, "x-lexum-identity": ["id", "id"] }, "has `x-lexum-identity` that is not a list of distinct property names"],
    [{ ...widget, "x-lexum-identity": ["nope"] }, "lists `nope` in `x-lexum-identity`, which is not one of its properties"],
    [{ ...widget, "x-lexum-identity": ["uid"] }, "lists `uid` in `x-lexum-identity`, but `uid` is readOnly (computed by the provider)"],
    [{ ...widget, "x-lexum-replace-on": ["uid"] }, "lists `uid` in `x-lexum-replace-on`, but `uid` is readOnly (computed by the provider)"],
    [{ ...widget, "x-lexum-replace-on": [1] }, "has `x-lexum-replace-on` that is not a list of distinct property names"],
    [{ ...widget, "x-lexum-identity": [] }, "has no `x-lexum-identity`: a resource type names the attributes that identify the real object"],
    [{ ...widget, "x-lexum-sensitive": true }, "has `x-lexum-sensitive` at the top: it marks properties, so put it on each sensitive property"],
    [{ ...widget, properties: { ...widget.properties, size: { type: "integer", "x-lexum-sensitive": "yes" } } }, "has `x-lexum-sensitive` on `size` that is not a boolean"],
    [{ ...widget, properties: { ...widget.properties, id: { type: "string", "x-lexum-sensitive": true } } }, "lists `id` in `x-lexum-identity`, but `id` is sensitive (identities appear in plans)"],
    [{ ...widget, required: ["id", "uid"] }, "requires `uid`, which is readOnly (a user cannot set it)"],
    [{ ...widget, properties: { ...widget.properties, protect: { type: "boolean" } } }, "defines the property `protect`, a name Lexum reserves (depends_on, import, protect, provider)"],
    [{ ...widget, default: Number.NaN }, "holds a number that is not finite at /default"],
    [{ ...widget, properties: { ...widget.properties, at: { type: "string", default: new Date(0) } } }, "holds a value that is not JSON (object) at /properties/at/default"],
  ])("refuses %j: %s", (schema, problem) => {
    expect(lexumKeywordProblem(schema, true)).toBe(problem);
  });

  it("a provider block needs no identity, but may not use reserved names either", () => {
    expect(lexumKeywordProblem({ type: "object", properties: {} }, false)).toBeNull();
    expect(lexumKeywordProblem({ type: "object", properties: { provider: { type: "string" } } }, false)).toContain("defines the property `provider`");
  });
});
