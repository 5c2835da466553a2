import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LexumError } from "../../../src/diag/diagnostic.js";
import { compile } from "../../../src/lang/compile.js";
import { resolveHttpConfig } from "../../../src/providers/http/config.js";

const dir = mkdtempSync(join(tmpdir(), "lexum-http-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { projectDir: dir };

function refusal(config: Record<string, unknown>): LexumError {
  let caught: unknown = null;
  try {
    resolveHttpConfig(config as never, env);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(LexumError);
  expect((caught as LexumError).code).toBe("LXM4900");
  return caught as LexumError;
}

describe("http provider configuration", () => {
  it("resolves the base URL (no trailing slash), sorted lower-case headers and the defaults", () => {
    const c = resolveHttpConfig({ base_url: "https://API.example.com/v1/", headers: { "X-Team": "infra", Accept: "application/vnd.x+json" } }, env);
    expect(c).toEqual({
      base: "https://api.example.com/v1",
      https: true,
      headers: [
        ["accept", "application/vnd.x+json"],
        ["x-team", "infra"],
      ],
      idAttribute: "id",
      createMethod: "POST",
      updateMethod: "PUT",
      destroyMethod: "DELETE",
    });
  });

  it("refuses credentials in the base_url without quoting them, and says to use headers with secret()", () => {
    const e = refusal({ base_url: "https://deploy:pa55w0rd@api.example.com/v1" });
    expect(e.message).toBe("provider http: base_url holds credentials (user:password@host), which would be recorded and shown with the URL");
    expect(e.hint).toContain('headers = { Authorization = "Bearer ${secret("API_TOKEN")}" }');
    expect(`${e.message} ${e.hint}`).not.toContain("pa55w0rd");
    expect(`${e.message} ${e.hint}`).not.toContain("deploy");
    const user = refusal({ base_url: "http://token123@api.example.com" });
    expect(user.message).not.toContain("token123");
  });

  it.each([
    [{}, "base_url", "is required"],
    [{ base_url: "api.example.com" }, "base_url", "is not an absolute URL"],
    [{ base_url: "ftp://api.example.com" }, "base_url", "must be an http:// or https:// URL"],
    [{ base_url: "https://api.example.com/v1?api_key=k" }, "base_url", "has a query"],
    [{ base_url: "https://api.example.com/v1#x" }, "base_url", "has a fragment"],
    [{ base_url: "https://h", color: "red" }, "color", "is not a setting of this provider"],
    [{ base_url: "https://h", headers: ["a"] }, "headers", "must be a map"],
    [{ base_url: "https://h", headers: { "Bad Name": "v" } }, 'headers["Bad Name"]', "is not a valid header name"],
    [{ base_url: "https://h", headers: { A: 1 } }, 'headers["A"]', "must be a string"],
    [{ base_url: "https://h", headers: { A: "x", a: "y" } }, 'headers["a"]', "is given twice"],
    [{ base_url: "https://h", create_method: "GET" }, "create_method", "must be one of POST, PUT, PATCH"],
    [{ base_url: "https://h", id_attribute: "a//b" }, "id_attribute", "must be a key"],
    [{ base_url: "http://h", root_ca_file: "ca.pem" }, "root_ca_file", "is set but base_url is not https://"],
    [{ base_url: "https://h", root_ca_file: "missing.pem" }, "root_ca_file", "cannot be read"],
  ])("refuses %j naming %s (LXM4900)", (config, attr, problem) => {
    const e = refusal(config);
    expect(e.message).toContain(`provider http: ${attr} ${problem}`);
  });

  it("never quotes a header value, even a broken one", () => {
    const e = refusal({ base_url: "https://h", headers: { Authorization: "Bearer abc\r\nX-Evil: 1" } });
    expect(e.message).toBe('provider http: headers["Authorization"] holds a line break or NUL byte (value not shown)');
  });

  it("reads root_ca_file against the project directory, and refuses a file that is not PEM", () => {
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFileSync(join(dir, "junk.pem"), "hello");
    expect(resolveHttpConfig({ base_url: "https://h", root_ca_file: "ca.pem" }, env).ca).toContain("BEGIN CERTIFICATE");
    expect(resolveHttpConfig({ base_url: "https://h", root_ca_file: join(dir, "ca.pem") }, { projectDir: "/elsewhere" }).ca).toContain("BEGIN CERTIFICATE");
    expect(refusal({ base_url: "https://h", root_ca_file: "junk.pem" }).message).toContain(`is not a PEM certificate file (${join(dir, "junk.pem")})`);
  });
});

describe("http.object identities (authority)", () => {
  const program = (resources: string) =>
    compile([{ path: "m.lxm", text: `domain d {\n  provider http { base_url = "https://api.example.com" }\n${resources}}\ndomain e {\n  provider http { base_url = "https://api.example.com/" }\n  resource http.object same { \n path = "/users"\n object_id = "shared"\n data = {}\n }\n}\n` }]);

  it("objects whose ids the server assigns never conflict, even with equal goals", () => {
    const r = program(`  resource http.object a {\n path = "/users"\n data = { name = "x" }\n }\n  resource http.object b {\n path = "/users"\n data = { name = "x" }\n }\n`);
    expect(r.diagnostics).toEqual([]);
    const ids = Object.values(r.program!.domains.d!.resources).map((x) => x.identity);
    expect(new Set(ids).size).toBe(2);
  });

  it("two resources naming the same object (base_url, path, object_id) are an authority conflict, across domains too", () => {
    const r = program(`  resource http.object a {\n path = "/users"\n object_id = "alice"\n data = {}\n }\n  resource http.object b {\n path = "/users"\n object_id = "alice"\n data = {}\n }\n  resource http.object c {\n path = "/teams"\n object_id = "alice"\n data = {}\n }\n`);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'LXM2090 authority conflict: http object_id "alice", path "/users" (base_url "https://api.example.com") is also claimed by d/http.object.a',
    ]);
    const across = program(`  resource http.object mine {\n path = "/users"\n object_id = "shared"\n data = {}\n }\n`);
    expect(across.diagnostics.map((d) => d.code)).toEqual(["LXM2090"]);
  });
});
