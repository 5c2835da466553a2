import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonObject } from "../../src/program/types.js";
import type { ProviderInstance } from "../../src/providers/types.js";
import { getProvider } from "../../src/providers/registry.js";
import { replayRun, runPlan } from "../../src/runtime/index.js";
import { canonicalize } from "../../src/program/canonical.js";
import { addr, build, digest } from "./fixtures.js";

const SECRET = "sim-secret-value-42";

// The real sim provider (JSON world file, latency, fault injection) under the runtime.
async function runOnSim(parallelism: number) {
  const dir = mkdtempSync(join(tmpdir(), "lexum-runtime-sim-"));
  const config: JsonObject = { world: "world.json", latency: 3, faults: [{ op: "create", address: addr("a", "a2"), kind: "timeout" }] };
  const instances: ProviderInstance[] = [];
  const b = build([
    { name: "a", step: 1, policy: { timeoutMs: 100, retries: 1 }, resources: [{ name: "a1" }, { name: "a2", spec: { size: 2 } }] },
    { name: "b", step: 1, resources: [{ name: "b1", deferred: { secret: { expr: { op: "secret", name: "TOKEN" }, sensitive: true } } }] },
    { name: "c", step: 2, after: ["a", "b"], resources: [{ name: "c1" }] },
  ]);
  const base = { ...b, parallelism, secret: () => SECRET, digest, backoffMs: () => 0 };
  const result = await runPlan({
    ...base,
    providers: () => {
      const p = getProvider("sim")!.configure(config, { projectDir: dir });
      instances.push(p);
      return p;
    },
  });
  for (const p of instances) await p.close();
  return { result, base, world: readFileSync(join(dir, "world.json"), "utf8") };
}

describe("runtime over the sim provider", () => {
  it("applies through timeouts, redacts secrets, is parallelism-independent and replays exactly", async () => {
    const serial = await runOnSim(1);
    const parallel = await runOnSim(4);
    expect(serial.result.status).toBe("quiescent");
    const timeouts = serial.result.trace.filter((e) => e.observation?.error?.code === "LXM4002");
    expect(timeouts.map((e) => e.address)).toEqual([addr("a", "a2")]);
    expect(canonicalize(parallel.result)).toBe(canonicalize(serial.result));
    expect(JSON.stringify(serial.result)).not.toContain(SECRET);
    expect(serial.result.resources[addr("b", "b1")]!.sensitive["secret"]).toMatch(/^hmac-sha256:/);
    expect(serial.world).toContain('"b1"');
    const { result, divergence } = await replayRun(serial.base, JSON.parse(JSON.stringify(serial.result.trace)));
    expect(divergence).toBeNull();
    expect(canonicalize(result)).toBe(canonicalize(serial.result));
  });
});
