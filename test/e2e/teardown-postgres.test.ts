import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TraceEvent } from "../../src/runtime/types.js";
import { startPostgres } from "../postgres-server.js";
import type { PostgresServer } from "../postgres-server.js";
import type { E2eRepo } from "./helpers.js";
import { cleanupRepos, expectHealthyState, headSnapshot, makeRepo } from "./helpers.js";

// Two domains on one server: `owner` holds a role, `shop` imports it and holds a database
// owned by that role and a schema in it. Removing all three in one commit must drop the
// schema, then the database, then the role: the role first would fail (2BP01, it still owns
// the database), the database before its schema would take the schema with it unrecorded.

let srv: PostgresServer;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  srv = await startPostgres();
  env = srv.password !== undefined ? { LXM_SECRET_PGPASSWORD: srv.password } : {};
});
afterAll(async () => {
  cleanupRepos();
  await srv?.stop();
});

const provider = () =>
  `provider postgres { host = "${srv.host}", port = ${srv.port}, user = "${srv.user}",${srv.password !== undefined ? ' password = secret("PGPASSWORD"),' : ""} sslmode = "disable" }`;

const owner = (withObjects: boolean) => `domain owner {
  ${provider()}
${withObjects ? '  resource postgres.role app { name = "td_app" }\n  export app\n' : ""}  export version = 1
}
`;

const shop = (withObjects: boolean) => `domain shop {
  ${provider()}
  import owner.version
${
  withObjects
    ? `  import owner.app
  resource postgres.database db {
    name  = "td_shop_v\${version}"
    owner = app.name
  }
  resource postgres.schema sales {
    database = db.name
    name     = "sales"
    owner    = app.name
  }
`
    : ""
}}
`;

/** The resource actions (noops left out) of the head's trace, in trace order: `step action address`. */
function starts(repo: E2eRepo): string[] {
  return repo
    .git("show", "lexum/state:trace.jsonl")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TraceEvent)
    .filter((e) => e.phase === "start" && e.action !== "noop")
    .map((e) => `${e.step} ${e.action} ${e.address}`);
}

async function apply(repo: E2eRepo, parallelism: number): Promise<void> {
  const r = await repo.lxm(["apply", "--yes", "--parallelism", String(parallelism)], env);
  expect(r.err).not.toContain("error");
  expect(r.code).toBe(0);
}

const exists = async () => ({
  role: (await srv.psql("SELECT 1 FROM pg_roles WHERE rolname = 'td_app'")).length,
  db: (await srv.psql("SELECT 1 FROM pg_database WHERE datname = 'td_shop_v1'")).length,
});

describe("teardown in reverse dependency order across domains (postgres)", () => {
  it("drops the schema, then the database, then the role, at parallelism 1 and 8 alike (one server, one run after the other)", async () => {
    const repos = [1, 8].map(() => makeRepo({ "owner.lxm": owner(true), "shop.lxm": shop(true) }));
    // Each repository builds the objects and tears them down before the next one starts:
    // the same names on the same server, so both runs see the same world.
    for (const [i, repo] of repos.entries()) {
      const parallelism = i === 0 ? 1 : 8;
      await apply(repo, parallelism);
      expect(await exists()).toEqual({ role: 1, db: 1 });
      expect(await srv.psql("SELECT pg_get_userbyid(nspowner)::text AS o FROM pg_namespace WHERE nspname = 'sales'", "td_shop_v1")).toEqual([{ o: "td_app" }]);
      repo.write({ "owner.lxm": owner(false), "shop.lxm": shop(false) });
      repo.commit("remove the role, the database and its schema");
      if (i === 0) {
        const plan = await repo.lxm(["plan"], env);
        expect(plan.out).toContain("── step 1 · teardown · domain shop");
        expect(plan.out).toContain("── step 2 · teardown · domain owner");
      }
      await apply(repo, parallelism);
      expect(await exists()).toEqual({ role: 0, db: 0 });
    }
    expect(starts(repos[0]!)).toEqual(["1 delete shop/postgres.schema.sales", "1 delete shop/postgres.database.db", "2 delete owner/postgres.role.app"]);
    // The same trace, byte for byte, and the same state commits at both parallelisms.
    expect(repos[1]!.git("show", "lexum/state:trace.jsonl")).toBe(repos[0]!.git("show", "lexum/state:trace.jsonl"));
    expect(repos[1]!.git("rev-parse", "lexum/state~1")).toBe(repos[0]!.git("rev-parse", "lexum/state~1"));
    expect(repos[1]!.stateHead()).toBe(repos[0]!.stateHead());
    expect(headSnapshot(repos[0]!).status).toBe("quiescent");
    expect(headSnapshot(repos[0]!).resources).toEqual({});
    for (const repo of repos) await expectHealthyState(repo);
  });

  it("a domain that left the code is torn down first, through the provider block its records kept (the password from its secret)", async () => {
    const repo = makeRepo({ "owner.lxm": owner(true), "shop.lxm": shop(true) });
    await apply(repo, 4);
    repo.write({ "owner.lxm": owner(false), "shop.lxm": null });
    repo.commit("shop leaves; owner drops its role");
    await apply(repo, 4);
    expect(starts(repo)).toEqual(["1 delete shop/postgres.schema.sales", "1 delete shop/postgres.database.db", "2 delete owner/postgres.role.app"]);
    expect(await exists()).toEqual({ role: 0, db: 0 });
    await expectHealthyState(repo);
  });
});
