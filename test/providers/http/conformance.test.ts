import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { conformanceChecks, type ConformanceCase, type ConformanceSubject } from "../../../src/providers/conformance.js";
import { httpProvider } from "../../../src/providers/http/provider.js";
import { raw, startJsonServer, type JsonServer } from "./servers.js";

// The conformance kit over http.object, against json-server 0.17.4 requiring a bearer token.
// The kit names an object by its goal, so its cases name theirs (object_id); objects whose
// id the server assigns are covered by json-server.test.ts and the e2e test.

const TOKEN = "conformance-token-5e2a";
const auth = { authorization: `Bearer ${TOKEN}` };

// The checks are listed when the file is collected, before the server exists: its URL is filled in by then.
const project = mkdtempSync(join(tmpdir(), "lexum-conf-http-"));
const config: { base_url: string; headers: Record<string, string> } = { base_url: "http://127.0.0.1:1", headers: { Authorization: `Bearer ${TOKEN}` } };
let server: JsonServer;

beforeAll(async () => {
  server = await startJsonServer({ users: [], teams: [] }, TOKEN);
  config.base_url = server.url;
}, 30_000);

afterAll(async () => {
  await server?.stop();
  rmSync(project, { recursive: true, force: true });
});

const users: ConformanceCase = {
  type: "http.object",
  goal: { path: "/users", object_id: "conf-alice", data: { name: "Alice", role: "dev", tags: ["a"] } },
  updates: { data: { name: "Alice", role: "lead", tags: ["a", "b"] }, update_method: "PATCH" },
  replace: { object_id: "conf-alice-2" },
  drift: async () => {
    const r = await raw(`${server.url}/users/conf-alice`, "PUT", { name: "Alice", role: "intern", tags: ["a"], note: "by hand" }, auth);
    if (r.status !== 200) throw new Error(`raw PUT answered ${r.status}`);
    return { data: { name: "Alice", role: "intern", tags: ["a"] } };
  },
};

const teams: ConformanceCase = {
  // Explicit paths and methods, a nested object, an id with characters that need encoding.
  type: "http.object",
  goal: {
    path: "/teams",
    object_id: "ops team/1",
    read_path: "/teams/{id}",
    update_path: "/teams/{id}",
    update_method: "PATCH",
    destroy_path: "/teams/{id}",
    data: { lead: { name: "Bea", since: 2020 }, size: 4 },
  },
  updates: { data: { lead: { name: "Cy", since: 2024 }, size: 5 } },
};

const subject: ConformanceSubject = { provider: httpProvider, config, env: { projectDir: project }, cases: [users, teams] };

describe("the conformance kit over the http provider (json-server)", () => {
  const checks = conformanceChecks(subject);
  it("lists every check", () => {
    expect(checks.map((c) => c.name)).toEqual([
      "http.object: create then read equals the goal",
      "http.object: a second create of the same goal is accepted and changes nothing",
      "http.object: update of data",
      "http.object: update of update_method",
      "http.object: replace on identity change",
      "http.object: delete of an absent object succeeds",
      "http.object: read of an absent object is null",
      "http.object: a call whose signal is aborted stops and changes nothing",
      "http.object: drift made outside is seen by read",
      "http.object #2: create then read equals the goal",
      "http.object #2: a second create of the same goal is accepted and changes nothing",
      "http.object #2: update of data",
      "http.object #2: delete of an absent object succeeds",
      "http.object #2: read of an absent object is null",
      "http.object #2: a call whose signal is aborted stops and changes nothing",
    ]);
  });
  for (const c of checks) it(c.name, c.run, 30_000);
  it("each check cleaned up what it created", async () => {
    const db = await server.db();
    expect({ users: db.users, teams: db.teams }).toEqual({ users: [], teams: [] });
  });
});
