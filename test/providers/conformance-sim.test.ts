import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { conformanceChecks, type ConformanceCase, type ConformanceSubject } from "../../src/providers/conformance.js";
import { simProvider } from "../../src/providers/sim/provider.js";
import { readWorld, serializeWorld } from "../../src/providers/sim/world.js";

const project = mkdtempSync(join(tmpdir(), "lexum-conf-sim-"));

function objectCase(world: string): ConformanceCase {
  return {
    type: "sim.object",
    goal: { kind: "service", name: "api", spec: { replicas: 2, image: "api:1.4" }, secret: "s3cret-value" },
    updates: { spec: { replicas: 3, image: "api:1.5" }, secret: "another-secret" },
    replace: { name: "api-2" },
    // read returns the secret's digest, never the secret.
    writeOnly: ["secret"],
    // An edit of the world file (the world as the provider sees it: file plus change log).
    drift: async () => {
      const path = join(project, world);
      const objects = readWorld(path);
      if (typeof objects === "string") throw new Error(objects);
      const o = objects.get("service/api");
      if (o === undefined) throw new Error("the created object is not in the world");
      const spec = { replicas: 9, image: "api:hand-edited" };
      objects.set("service/api", { ...o, spec });
      await writeFile(path, serializeWorld(objects));
      return { spec };
    },
  };
}

function subject(world: string, latency: number): ConformanceSubject {
  return { provider: simProvider, config: { world, latency }, env: { projectDir: project }, cases: [objectCase(world)] };
}

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe("the conformance kit over the sim provider", () => {
  for (const [world, latency] of [
    ["instant.json", 0],
    ["slow.json", 20],
  ] as const) {
    describe(`latency ${latency} ms`, () => {
      const checks = conformanceChecks(subject(world, latency));
      it("lists the update checks per attribute and the drift check", () => {
        expect(checks.map((c) => c.name).filter((n) => n.includes("update") || n.includes("drift"))).toEqual([
          "sim.object: update of secret",
          "sim.object: update of spec",
          "sim.object: drift made outside is seen by read",
        ]);
        expect(checks).toHaveLength(9);
      });
      for (const c of checks) it(c.name, c.run, 30_000);
      it("each check cleaned up what it created: the world is empty", () => {
        const objects = readWorld(join(project, world));
        expect(typeof objects === "string" ? objects : [...objects.keys()]).toEqual([]);
      });
    });
  }
});
