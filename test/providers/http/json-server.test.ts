import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../../src/program/types.js";
import { httpProvider } from "../../../src/providers/http/provider.js";
import type { CallContext, ProviderInstance } from "../../../src/providers/types.js";
import { rejection } from "./rejection.js";
import { raw, startJsonServer, type JsonServer } from "./servers.js";

// The http provider against json-server 0.17.4, a REST server nobody here wrote.

const ctx = (over: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, attempt: 1, ...over });
const T = "http.object";
const STAMP = "2024-05-01T00:00:00.000Z";

let server: JsonServer;
let p: ProviderInstance;

beforeAll(async () => {
  server = await startJsonServer({ users: [], teams: [] });
  p = httpProvider.configure({ base_url: `${server.url}/`, headers: { "X-Team": "infra" } }, { projectDir: server.dir });
}, 30_000);

afterAll(async () => {
  await p?.close();
  await server?.stop();
});

const users = async () => (await server.db()).users as JsonObject[];
/** The stored object with this id, without its id (json-server stores the ids it assigns as numbers). */
const user = async (id: string): Promise<JsonObject | undefined> => {
  const u = (await users()).find((x) => String(x.id) === id);
  if (u === undefined) return undefined;
  const { id: _, ...rest } = u;
  return rest;
};

describe("http.object on json-server: ids the server assigns", () => {
  it("creates by POST to the collection, takes the id from the answer, reads back data without the server's fields", async () => {
    const goal = { path: "/users", data: { name: "Bob", email: "b@example.com" } };
    const made = await p.create(T, goal, ctx());
    const id = made.id as string;
    expect(id).toMatch(/^[0-9]+$/);
    expect(await user(id)).toEqual({ name: "Bob", email: "b@example.com", createdAt: STAMP });
    const stored = { name: "Bob", email: "b@example.com", createdAt: STAMP, id: Number(id) };
    expect(made).toEqual({
      path: "/users",
      data: { email: "b@example.com", name: "Bob" },
      id,
      api_data: stored,
      api_response: JSON.stringify(stored, null, 2),
    });
    // Read from the record (as a refresh does): the same attributes.
    expect(await p.read(T, made, ctx())).toEqual(made);
    // A goal without an id names no object yet.
    expect(await p.read(T, goal, ctx())).toBeNull();
  });

  it("two resources in one collection are two objects", async () => {
    const a = await p.create(T, { path: "/users", data: { name: "Twin" } }, ctx());
    const b = await p.create(T, { path: "/users", data: { name: "Twin" } }, ctx());
    expect(a.id).not.toBe(b.id);
    expect((await users()).filter((u) => u.name === "Twin")).toHaveLength(2);
  });

  it("updates by PUT (the whole object: server fields not in data are dropped) and by PATCH (merged)", async () => {
    const made = await p.create(T, { path: "/users", data: { name: "Carol", role: "dev" } }, ctx());
    const id = made.id as string;
    const put = await p.update(T, made, { path: "/users", data: { name: "Carol", role: "lead" } }, ctx());
    expect(put.id).toBe(id);
    expect(put.data).toEqual({ name: "Carol", role: "lead" });
    expect(await user(id)).toEqual({ name: "Carol", role: "lead" });

    const patched = await p.update(T, put, { path: "/users", update_method: "PATCH", data: { role: "cto" } }, ctx());
    expect(patched.data).toEqual({ role: "cto" });
    expect(patched.update_method).toBe("PATCH");
    expect(await user(id)).toEqual({ name: "Carol", role: "cto" });
  });

  it("an update that changes nothing writes nothing", async () => {
    const made = await p.create(T, { path: "/users", data: { name: "Dan" } }, ctx());
    const before = JSON.stringify(await server.db());
    const again = await p.update(T, made, { path: "/users", data: { name: "Dan" } }, ctx());
    expect(again).toEqual(made);
    expect(JSON.stringify(await server.db())).toBe(before);
  });

  it("sees drift made by a raw request on a managed field, and not on a field the goal does not manage", async () => {
    const made = await p.create(T, { path: "/users", data: { name: "Eve", team: "a" } }, ctx());
    const id = made.id as string;
    expect((await raw(`${server.url}/users/${id}`, "PATCH", { nickname: "e" })).status).toBe(200);
    const unmanaged = await p.read(T, made, ctx());
    expect(unmanaged!.data).toEqual(made.data);
    expect((unmanaged!.api_data as JsonObject).nickname).toBe("e");
    expect((await raw(`${server.url}/users/${id}`, "PUT", { name: "Eve", team: "b" })).status).toBe(200);
    const drifted = await p.read(T, made, ctx());
    expect(drifted!.data).toEqual({ name: "Eve", team: "b" });
    // Corrected by an update to the goal.
    const fixed = await p.update(T, drifted!, { path: "/users", data: { name: "Eve", team: "a" } }, ctx());
    expect(fixed.data).toEqual({ name: "Eve", team: "a" });
    expect(await user(id)).toMatchObject({ name: "Eve", team: "a" });
  });

  it("deletes; a delete of an absent object succeeds; a read of it is null", async () => {
    const made = await p.create(T, { path: "/users", data: { name: "Fay" } }, ctx());
    await p.delete(T, made, ctx());
    expect(await user(made.id as string)).toBeUndefined();
    await p.delete(T, made, ctx());
    expect(await p.read(T, made, ctx())).toBeNull();
  });

  it("an update of an object deleted behind Lexum's back makes it anew", async () => {
    const made = await p.create(T, { path: "/users", data: { name: "Gus" } }, ctx());
    expect((await raw(`${server.url}/users/${made.id as string}`, "DELETE")).status).toBe(200);
    expect((await users()).filter((u) => u.name === "Gus")).toHaveLength(0);
    const again = await p.update(T, made, { path: "/users", data: { name: "Gus", age: 3 } }, ctx());
    expect(again.data).toEqual({ name: "Gus", age: 3 });
    expect((await users()).filter((u) => u.name === "Gus")).toHaveLength(1);
    expect(await user(again.id as string)).toEqual({ name: "Gus", age: 3, createdAt: STAMP });
  });
});

describe("http.object on json-server: ids the goal names (object_id)", () => {
  it("creates under the goal's id (sent in the body at id_attribute); a second create accepts it untouched", async () => {
    const goal = { path: "/users", object_id: "alice", data: { name: "Alice" } };
    expect(await p.read(T, goal, ctx())).toBeNull();
    const made = await p.create(T, goal, ctx());
    expect(made).toMatchObject({ id: "alice", object_id: "alice", data: { name: "Alice" } });
    expect(await user("alice")).toEqual({ name: "Alice", createdAt: STAMP });
    const before = JSON.stringify(await server.db());
    expect(await p.create(T, goal, ctx())).toEqual(made);
    expect(JSON.stringify(await server.db())).toBe(before);
    expect(await p.read(T, goal, ctx())).toEqual(made);
  });

  it("a create whose object already exists and differs converges it", async () => {
    expect((await raw(`${server.url}/users`, "POST", { id: "bert", name: "Old", extra: 1 })).status).toBe(201);
    const made = await p.create(T, { path: "/users", object_id: "bert", data: { name: "Bert" } }, ctx());
    expect(made.data).toEqual({ name: "Bert" });
    expect(await user("bert")).toEqual({ name: "Bert" });
    expect((await users()).filter((u) => u.id === "bert")).toHaveLength(1);
  });

  it("url-encodes the id in paths", async () => {
    const made = await p.create(T, { path: "/teams", object_id: "a b/c", data: { size: 3 } }, ctx());
    expect(made.id).toBe("a b/c");
    expect(((await server.db()).teams as JsonObject[]).map((t) => t.id)).toContain("a b/c");
    expect((await raw(`${server.url}/teams/a%20b%2Fc`, "GET")).status).toBe(200);
    await p.delete(T, made, ctx());
    expect(((await server.db()).teams as JsonObject[]).map((t) => t.id)).not.toContain("a b/c");
  });

  it("a record without data (it held a secret, recorded as a digest) is still read and deleted by its object_id; without an id it is refused, never read as absent", async () => {
    const made = await p.create(T, { path: "/users", object_id: "digest", data: { name: "D", password: "pw" } }, ctx());
    const record = { path: "/users", object_id: "digest" };
    const back = await p.read(T, record, ctx());
    expect(back).toMatchObject({ id: "digest", api_data: { password: "pw" } });
    expect(back).not.toHaveProperty("data");
    await p.delete(T, record, ctx());
    expect(await user("digest")).toBeUndefined();
    expect(made.id).toBe("digest");
    for (const call of [p.read(T, { path: "/users" }, ctx()), p.delete(T, { path: "/users" }, ctx()), p.update(T, { path: "/users" }, { path: "/users", data: { name: "D" } }, ctx())]) {
      const e = await rejection(call);
      expect(e.code).toBe("http.invalid_attr");
      expect(e.message).toContain("set object_id");
    }
  });

  it("a call whose signal is already aborted stops with a retryable timeout and changes nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const before = JSON.stringify(await server.db());
    const e = await rejection(p.create(T, { path: "/users", object_id: "zed", data: { name: "Z" } }, ctx({ signal: ac.signal })));
    expect(e.code).toBe("timeout");
    expect(e.retryable).toBe(true);
    expect(JSON.stringify(await server.db())).toBe(before);
  });

  it("a 404 on the collection (a wrong path) fails the create with the status, not retryable", async () => {
    const e = await rejection(p.create(T, { path: "/nope", data: { a: 1 } }, ctx()));
    expect(e.code).toBe("http.client_error");
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(`POST ${server.url}/nope answered 404 Not Found`);
  });
});
