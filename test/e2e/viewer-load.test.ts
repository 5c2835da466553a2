import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startViewer } from "../../src/viewer/server.js";
import type { Viewer } from "../../src/viewer/server.js";
import { cleanupRepos, makeRepo } from "./helpers.js";

// A branch of many runs, and many readers at once: every request is answered, each run is
// loaded once however many ask for it together, and memory holds a bounded number of runs.
const RUNS = 10;

function goal(n: number): string {
  const names = Array.from({ length: 10 }, (_, i) => `"o${i}"`).join(", ");
  return `domain d {
  provider sim { world = "world.json" }
  resource sim.object o for name in [${names}] {
    kind = "thing"
    name = name
    spec = { version = ${n} }
  }
}
`;
}

let viewer: Viewer;
let commits: string[] = [];

beforeAll(async () => {
  const repo = makeRepo({ "main.lxm": goal(0), ".gitignore": "world.json*\n" });
  expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
  for (let n = 1; n < RUNS; n++) {
    repo.write({ "main.lxm": goal(n) });
    repo.commit(`goal v${n}`);
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
  }
  commits = repo.git("rev-list", "lexum/state").trim().split("\n");
  expect(commits).toHaveLength(RUNS);
  viewer = await startViewer({ gitdir: join(repo.dir, ".git"), branch: "lexum/state", port: 0 });
}, 120_000);

afterAll(async () => {
  await viewer?.close();
  cleanupRepos();
});

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: viewer.port, path, headers: { host: `127.0.0.1:${viewer.port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the trace viewer under concurrent readers", () => {
  it("answers 600 requests at concurrency 50 over every run: all 200, and the same body for the same path", async () => {
    const paths: string[] = [];
    for (let i = 0; i < 600; i++) {
      const c = commits[(i * 7) % RUNS]!;
      paths.push(i % 10 === 0 ? "/api/runs" : i % 3 === 0 ? `/api/run/${c}` : `/api/run/${c}/frame/${i % 20}`);
    }
    const results: { path: string; status: number; body: string }[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) {
        const path = paths[next++]!;
        results.push({ path, ...(await get(path)) });
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(results).toHaveLength(paths.length);
    expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.path}`)).toEqual([]);
    const bodies = new Map<string, string>();
    for (const r of results) {
      const seen = bodies.get(r.path);
      if (seen !== undefined) expect(r.body).toBe(seen);
      else bodies.set(r.path, r.body);
    }
    const listed = JSON.parse(bodies.get("/api/runs")!) as { runs: { commit: string }[] };
    expect(listed.runs.map((r) => r.commit)).toEqual(commits);
  }, 180_000);
});
