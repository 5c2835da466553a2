import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, startJsonServer, type JsonServer } from "../providers/http/servers.js";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";

// http.object resources through the lxm CLI against json-server 0.17.4, which wants the
// bearer token from secret() on every request.

const TOKEN = "tok-e2e-4f1d9c7a2b8e";
const env = { LXM_SECRET_API_TOKEN: TOKEN };

let server: JsonServer;
beforeAll(async () => {
  server = await startJsonServer({ users: [] }, TOKEN);
}, 30_000);
afterAll(async () => {
  cleanupRepos();
  await server?.stop();
});

const goal = (aliceRole: string) => `domain people {
  provider http {
    base_url     = "URL"
    headers = { Authorization = "Bearer \${secret("API_TOKEN")}", "X-Team" = "infra" }
  }

  resource http.object alice {
    path      = "/users"
    object_id = "alice"
    data      = { name = "Alice", role = "${aliceRole}" }
  }

  // The server names these two: same collection, no conflict.
  resource http.object bob {
    path          = "/users"
    update_method = "PATCH"   // json-server's PUT would drop createdAt, which the badge reads
    data          = { name = "Bob", tags = ["ops"] }
  }
  resource http.object carol {
    path          = "/users"
    update_method = "PATCH"
    data          = { name = "Carol" }
  }

  export bob
}

domain badge {
  provider fs { root = "out" }
  import people.bob
  resource fs.file bob_badge {
    path    = "bob.txt"
    content = "\${bob.id} since \${bob.api_data.createdAt}"
  }
}
`;

async function users(): Promise<Record<string, unknown>[]> {
  return (await server.db()).users as Record<string, unknown>[];
}

describe("http.object through lxm", () => {
  it("applies, re-plans as no change, updates, sees drift with --refresh and corrects it; the token is nowhere", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "m.lxm": goal("dev").replace("URL", server.url) });
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const r = await repo.lxm(args, env);
      outputs.push(r.out, r.err);
      return r;
    };

    let r = await run(["apply", "--yes"]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain("Apply complete: 4 actions done (4 created, 0 updated, 0 replaced, 0 deleted).");
    const made = await users();
    expect(made.map((u) => u.name).sort()).toEqual(["Alice", "Bob", "Carol"]);
    expect(made.find((u) => u.name === "Alice")).toEqual({ id: "alice", name: "Alice", role: "dev", createdAt: "2024-05-01T00:00:00.000Z" });
    const bob = made.find((u) => u.name === "Bob")!;
    // A computed attribute of one provider's object feeds another's.
    expect(repo.read("out/bob.txt")).toBe(`${String(bob.id)} since 2024-05-01T00:00:00.000Z`);

    r = await run(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(0);
    r = await run(["plan", "--refresh", "--detailed-exitcode"]);
    expect(r.out).toContain("No changes.");
    expect(r.code).toBe(0);

    // A goal change: one update in place.
    repo.write({ "m.lxm": goal("lead").replace("URL", server.url) });
    repo.commit("alice leads");
    r = await run(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('~ data = {"name":"Alice","role":"dev"} -> {"name":"Alice","role":"lead"}');
    expect(r.out).toContain("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.");
    r = await run(["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect((await users()).find((u) => u.id === "alice")).toMatchObject({ role: "lead" });

    // Drift: raw requests behind Lexum's back, one on a managed field, one on a field no goal manages.
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await rawAuth(`${server.url}/users/${String(bob.id)}`, "PATCH", { tags: ["ops", "oncall"] }, auth)).status).toBe(200);
    const carol = (await users()).find((u) => u.name === "Carol")!;
    expect((await rawAuth(`${server.url}/users/${String(carol.id)}`, "PATCH", { nickname: "cc" }, auth)).status).toBe(200);
    r = await run(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(0); // the snapshot alone cannot know
    r = await run(["plan", "--refresh", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("drift: changed outside Lexum");
    expect(r.out).toContain('~ data = {"name":"Bob","tags":["ops","oncall"]} -> {"name":"Bob","tags":["ops"]}');
    // Carol's nickname is not hers to manage: no drift. The badge reads Bob's computed attributes, known again after his update.
    expect(r.out).not.toContain("http.object.carol");
    expect(r.out).toContain("~ content = ");
    expect(r.out).toContain("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.");
    r = await run(["apply", "--yes", "--refresh"]);
    expect(r.code, r.out + r.err).toBe(0);
    expect((await users()).find((u) => u.id === bob.id)).toMatchObject({ name: "Bob", tags: ["ops"] });
    expect((await users()).find((u) => u.id === carol.id)).toMatchObject({ name: "Carol", nickname: "cc" });
    r = await run(["plan", "--refresh", "--detailed-exitcode"]);
    expect(r.code).toBe(0);

    // The records: computed attributes read back, the provider's headers never recorded.
    type Rec = { attrs: Record<string, unknown>; provider: { config: Record<string, unknown> } };
    const record = (address: string): Rec => JSON.parse(repo.git("show", `lexum/state:resources/people/${address}.json`)) as Rec;
    expect(headSnapshot(repo).status).toBe("quiescent");
    const alice = record("http.object.alice");
    // Alice was updated by PUT: json-server replaced the whole object, createdAt included.
    expect(alice.attrs).toMatchObject({ id: "alice", object_id: "alice", data: { name: "Alice", role: "lead" }, api_data: { id: "alice", name: "Alice", role: "lead" } });
    expect(record("http.object.bob").attrs).toMatchObject({ id: bob.id, data: { name: "Bob", tags: ["ops"] }, api_data: { createdAt: "2024-05-01T00:00:00.000Z" } });
    expect(repo.read("out/bob.txt")).toBe(`${String(bob.id)} since 2024-05-01T00:00:00.000Z`);
    expect(alice.provider.config).toEqual({ create_method: "POST", destroy_method: "DELETE", id_attribute: "id", update_method: "PUT", base_url: server.url });

    // The token appears in no output and in no file of the state branch, in any of its commits.
    for (const o of outputs) expect(o).not.toContain(TOKEN);
    const commits = repo.git("rev-list", "lexum/state").split("\n");
    expect(commits.length).toBeGreaterThanOrEqual(3);
    for (const c of commits) {
      const files = repo.git("ls-tree", "-r", "--name-only", c).split("\n");
      expect(files).toEqual(expect.arrayContaining(["snapshot.json", "plan.json", "trace.jsonl", "resources/people/http.object.alice.json"]));
      for (const f of files) expect(repo.git("show", `${c}:${f}`)).not.toContain(TOKEN);
    }
    expect(repo.git("cat-file", "--batch-all-objects", "--batch")).not.toContain(TOKEN);
    await expectHealthyState(repo);
  }, 120_000);

  it("a wrong token fails the apply with the server's 401, the echoed header redacted", async () => {
    const repo = makeRepo({ ".gitignore": "out/\n", "m.lxm": goal("dev").replace("URL", server.url).replace('object_id = "alice"', 'object_id = "mallory"') });
    const wrong = "wrong-token-8c1e5b";
    const r = await repo.lxm(["apply", "--yes"], { LXM_SECRET_API_TOKEN: wrong });
    expect(r.code).toBe(1);
    const all = r.out + r.err;
    expect(all).toContain("answered 401 Unauthorized");
    expect(all).toContain('"got": "(redacted)"');
    expect(all).not.toContain(wrong);
    expect(repo.git("cat-file", "--batch-all-objects", "--batch")).not.toContain(wrong);
    expect((await users()).find((u) => u.id === "mallory")).toBeUndefined();
  }, 60_000);

  it("a domain that leaves the code has its objects deleted with the token read again from secret()", async () => {
    const domain = (id: string) =>
      `domain leaving {\n  provider http {\n    base_url     = "${server.url}"\n    headers = { Authorization = "Bearer \${secret("API_TOKEN")}" }\n  }\n  resource http.object o {\n    path      = "/users"\n    object_id = "${id}"\n    data      = { name = "Leaving" }\n  }\n}\n`;
    const repo = makeRepo({ "keep.lxm": 'domain keep {\n  provider fs { root = "out" }\n  resource fs.file k { path = "k.txt" }\n}\n', "leaving.lxm": domain("leaver") });
    expect((await repo.lxm(["apply", "--yes"], env)).code).toBe(0);
    expect((await users()).find((u) => u.id === "leaver")).toMatchObject({ name: "Leaving" });
    repo.write({ "leaving.lxm": null });
    repo.commit("the domain leaves");
    const r = await repo.lxm(["apply", "--yes"], env);
    expect(r.code, r.out + r.err).toBe(0);
    expect((await users()).find((u) => u.id === "leaver")).toBeUndefined();
    expect(repo.git("cat-file", "--batch-all-objects", "--batch")).not.toContain(TOKEN);
  }, 60_000);

  it("a header value written in the code (no secret()) is never recorded either", async () => {
    const literal = "literal-key-0d3b7e1f";
    const repo = makeRepo({
      "m.lxm": `domain d {\n  provider http {\n    base_url     = "${server.url}"\n    headers = { Authorization = "Bearer ${TOKEN}", "X-Api-Key" = "${literal}" }\n  }\n  resource http.object a {\n    path      = "/users"\n    object_id = "lit"\n    data      = { name = "Lit" }\n  }\n}\n`,
    });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code, r.out + r.err).toBe(0);
    expect((await users()).find((u) => u.id === "lit")).toMatchObject({ name: "Lit" });
    const rec = JSON.parse(repo.git("show", "lexum/state:resources/d/http.object.a.json")) as { provider: Record<string, unknown> };
    expect(rec.provider).toEqual({ alias: "http", config: { create_method: "POST", destroy_method: "DELETE", id_attribute: "id", update_method: "PUT", base_url: server.url }, type: "http" });
    for (const f of repo.git("ls-tree", "-r", "--name-only", "lexum/state").split("\n")) {
      const text = repo.git("show", `lexum/state:${f}`);
      expect(text).not.toContain(literal);
      expect(text).not.toContain(TOKEN);
    }
    expect(r.out + r.err).not.toContain(literal);
  }, 60_000);

  it("a secret in data: with object_id, applied, unchanged, changed and deleted, never shown; without, refused loudly after the first apply", async () => {
    const PW = "pw-in-data-6a0c2e";
    const src = (idLine: string) =>
      `domain d {\n  provider http {\n    base_url     = "${server.url}"\n    headers = { Authorization = "Bearer \${secret("API_TOKEN")}" }\n  }\n  resource http.object svc {\n    path = "/users"\n${idLine}    data = { name = "svc", password = secret("SVC_PW") }\n  }\n}\n`;
    const repo = makeRepo({ "m.lxm": src('    object_id = "svc"\n') });
    const outputs: string[] = [];
    const run = async (args: string[], pw = PW) => {
      const r = await repo.lxm(args, { ...env, LXM_SECRET_SVC_PW: pw });
      outputs.push(r.out, r.err);
      return r;
    };
    expect((await run(["apply", "--yes"])).code).toBe(0);
    expect((await users()).find((u) => u.id === "svc")).toMatchObject({ password: PW });
    expect((await run(["plan", "--refresh", "--detailed-exitcode"])).code).toBe(0);
    const changed = await run(["plan", "--detailed-exitcode"], "another-pw-1b9d");
    expect(changed.code).toBe(2);
    expect(changed.out).toContain("~ data = (sensitive)");
    expect((await run(["apply", "--yes"], "another-pw-1b9d")).code).toBe(0);
    expect((await users()).find((u) => u.id === "svc")).toMatchObject({ password: "another-pw-1b9d" });
    repo.write({ "m.lxm": 'domain d {\n  provider fs { root = "out" }\n}\n' });
    repo.commit("svc goes");
    const gone = await run(["apply", "--yes"], "another-pw-1b9d");
    expect(gone.code, gone.out + gone.err).toBe(0);
    expect((await users()).find((u) => u.id === "svc")).toBeUndefined();
    for (const o of outputs) for (const s of [PW, "another-pw-1b9d", TOKEN]) expect(o).not.toContain(s);
    const objects = repo.git("cat-file", "--batch-all-objects", "--batch");
    for (const s of [PW, "another-pw-1b9d", TOKEN]) expect(objects).not.toContain(s);

    // The server names the object: its id is recorded only as a digest, so the next read cannot find it.
    const unnamed = makeRepo({ "m.lxm": src("").replace('name = "svc"', 'name = "svc-unnamed"') });
    expect((await unnamed.lxm(["apply", "--yes"], { ...env, LXM_SECRET_SVC_PW: PW })).code).toBe(0);
    const refresh = await unnamed.lxm(["plan", "--refresh"], { ...env, LXM_SECRET_SVC_PW: PW });
    expect(refresh.code).toBe(1);
    expect(refresh.out + refresh.err).toContain("http.object.id was recorded only as a digest (data holds a secret), so the server's id is lost: set object_id");
    expect((await users()).filter((u) => u.name === "svc-unnamed")).toHaveLength(1);
  }, 60_000);

  it("credentials in the base_url are refused (LXM4900) and never shown", async () => {
    const withUser = server.url.replace("http://", "http://deploy:pw-in-url-77@");
    const repo = makeRepo({ "m.lxm": `domain d {\n  provider http { base_url = "${withUser}" }\n  resource http.object a {\n    path = "/users"\n    data = { name = "x" }\n  }\n}\n` });
    const r = await repo.lxm(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain("LXM4900: provider http: base_url holds credentials (user:password@host)");
    expect(r.out + r.err).not.toContain("pw-in-url-77");
    expect((await users()).find((u) => u.name === "x")).toBeUndefined();
  }, 60_000);
});

function rawAuth(url: string, method: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return raw(url, method, body, headers);
}
