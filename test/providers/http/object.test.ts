import { describe, expect, it } from "vitest";
import { resolveHttpConfig } from "../../../src/providers/http/config.js";
import { fillPath, holdsGoal, idIn, objectSpec, project, withId } from "../../../src/providers/http/object.js";
import { excerpt, redact, secretForms } from "../../../src/providers/http/redact.js";
import { parseRetryAfter } from "../../../src/providers/http/retry-after.js";
import { rejection } from "./rejection.js";

const cfg = resolveHttpConfig({ base_url: "https://h", update_method: "PATCH" }, { projectDir: "/" });

describe("http.object attributes", () => {
  it("fills defaults from path and from the provider", () => {
    const s = objectSpec({ path: "/users/", data: { a: 1 } }, cfg);
    expect(s).toMatchObject({ createPath: "/users/", readPath: "/users/{id}", updatePath: "/users/{id}", destroyPath: "/users/{id}", createMethod: "POST", updateMethod: "PATCH", destroyMethod: "DELETE", idAt: ["id"] });
    expect(objectSpec({ path: "/u", data: {}, update_method: "PUT", id_attribute: "a/b" }, cfg)).toMatchObject({ updateMethod: "PUT", idAt: ["a", "b"] });
  });

  it.each([
    [{ path: "users", data: {} }, "http.object.path"],
    [{ path: "/u", data: [] }, "http.object.data"],
    [{ path: "/u", data: {}, object_id: "" }, "http.object.object_id"],
    [{ path: "/u", data: {}, read_path: "x" }, "http.object.read_path"],
    [{ path: "/u", data: {}, update_method: "GET" }, "http.object.update_method"],
  ])("refuses %j (%s, not retryable)", async (attrs, what) => {
    const e = await rejection(Promise.resolve().then(() => objectSpec(attrs as never, cfg)));
    expect(e.code).toBe("http.invalid_attr");
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(what);
  });

  it("url-encodes the id into {id}; a template needing an id the server has not given is refused", () => {
    expect(fillPath("/u/{id}/x/{id}", "read_path", "a b/ü")).toBe("/u/a%20b%2F%C3%BC/x/a%20b%2F%C3%BC");
    expect(fillPath("/u", "create_path", undefined)).toBe("/u");
    expect(() => fillPath("/u/{id}", "create_path", undefined)).toThrow(/create_path uses \{id\}, but the server assigns this object's id: set object_id/);
  });

  it("finds ids (strings or numbers) at a nested id_attribute, and sets them only where absent", () => {
    expect(idIn({ id: 7 }, ["id"])).toBe("7");
    expect(idIn({ meta: { key: "k" } }, ["meta", "key"])).toBe("k");
    expect(idIn({ meta: "k" }, ["meta", "key"])).toBeUndefined();
    expect(idIn({ id: "" }, ["id"])).toBeUndefined();
    expect(withId({ a: 1 }, ["meta", "key"], "k")).toEqual({ a: 1, meta: { key: "k" } });
    expect(withId({ id: "mine" }, ["id"], "k")).toEqual({ id: "mine" });
  });

  it("projects the server's object on the goal's keys: nested objects and same-length lists element by element", () => {
    const server = { id: 1, name: "a", createdAt: "t", spec: { n: 1, status: "ok" }, tags: [{ k: "x", id: 9 }], list: [1, 2, 3] };
    expect(project(server, { name: "a", spec: { n: 1 }, tags: [{ k: "x" }], list: [1, 2] })).toEqual({ name: "a", spec: { n: 1 }, tags: [{ k: "x" }], list: [1, 2, 3] });
    expect(project(server, { missing: 1 })).toEqual({});
    expect(holdsGoal(server, { name: "a", spec: { n: 1 } })).toBe(true);
    expect(holdsGoal(server, { name: "b" })).toBe(false);
    expect(holdsGoal(server, { list: [1, 2] })).toBe(false);
  });
});

describe("http provider: redaction and Retry-After", () => {
  it("hides header values (whole, after the scheme, JSON- and URL-encoded) and credential fields", () => {
    const forms = secretForms(["Bearer ab/c\"d-1234", "in"]);
    expect(forms).toEqual(["Bearer%20ab%2Fc%22d-1234", 'Bearer ab/c\\"d-1234', 'Bearer ab/c"d-1234', "ab%2Fc%22d-1234", 'ab/c\\"d-1234', 'ab/c"d-1234']);
    expect(redact('{"h":"ab/c\\"d-1234","u":"ab%2Fc%22d-1234","team":"in"}', forms)).toBe('{"h":"(redacted)","u":"(redacted)","team":"in"}');
    expect(redact('{"Password" : "p", "refresh_token": 123, "name": "n"}', [])).toBe('{"Password" : "(redacted)", "refresh_token": "(redacted)", "name": "n"}');
    expect(redact("x-api-key: k1 secret=s&a=1 Authorization: Basic dXNlcjpw", [])).toBe("x-api-key: (redacted) secret=(redacted)&a=1 Authorization: (redacted)");
  });

  it("cuts after redacting, so a secret across the cut is never half shown", () => {
    const secret = "ABCDEFGHIJKLMNOP";
    const body = "x".repeat(505) + secret;
    const e = excerpt(body, secretForms([secret]));
    expect(e).toBe("x".repeat(505) + "(redac…");
    expect(e).not.toContain("ABC");
    expect(excerpt("a\n\n  b\t", [])).toBe("a b");
  });

  it("reads Retry-After as seconds or an HTTP date, bounded by 60 s", () => {
    const now = Date.parse("Wed, 01 May 2024 00:00:00 GMT");
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("120", now)).toBe(60_000);
    expect(parseRetryAfter("Wed, 01 May 2024 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 30 Apr 2024 00:00:10 GMT", now)).toBe(0);
    expect(parseRetryAfter(["4", "9"], now)).toBe(4_000);
    for (const bad of [undefined, "", "-1", "1.5", "soon", "2024-05-01T00:00:10Z"]) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});
