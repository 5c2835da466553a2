import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { verifyBranch } from "../../src/engine/verify.js";
import { install, KV_FIXTURE, KV_PACKAGE, pack } from "../e2e/provider-packages.js";
import { cleanupScratch, startAgent, startRemote, tempDir, waitFor, writeConfig } from "./harness.js";
import type { InProcessAgent, Remote } from "./harness.js";

const open: (InProcessAgent | Remote)[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await ("agent" in x ? x.stop() : x.close());
});
afterAll(cleanupScratch);

const goal = (keys: string, value: string) => `domain app {
  provider kv { dir = ${JSON.stringify(keys)} }

  resource kv.key greeting {
    name  = "greeting"
    value = "${value}"
  }
}
`;

describe("lxm-sync with a provider package", () => {
  it("loads it from <data_dir>/node_modules (npm install --prefix) and applies each pushed goal", async () => {
    const r = await startRemote();
    open.push(r);
    const keys = join(tempDir(), "keys");
    const first = r.push({ "app.lxm": goal(keys, "hello"), "lexum.yaml": `providers:\n  kv:\n    package: "${KV_PACKAGE}"\n` }, "kv goal");
    const dir = tempDir();
    install(dir, pack(KV_FIXTURE, dir), "--prefix", join(dir, "data"));
    const a = await startAgent(writeConfig(dir, [{ url: r.url, interval: "1s", drift: "off" }]));
    open.push(a);
    await waitFor("the goal applied", () => a.status().applied === first);
    expect(JSON.parse(readFileSync(join(keys, "greeting.json"), "utf8"))).toMatchObject({ value: "hello", version: 1 });

    const next = r.push({ "app.lxm": goal(keys, "bonjour") }, "new value");
    await waitFor("the update applied", () => a.status().applied === next);
    expect(JSON.parse(readFileSync(join(keys, "greeting.json"), "utf8"))).toMatchObject({ value: "bonjour", version: 2 });
    expect(r.stateLog().map((c) => [c.snapshot.status, c.snapshot.source.commit])).toEqual([
      ["quiescent", next],
      ["quiescent", first],
    ]);
    expect((await verifyBranch(r.bare, "lexum/state")).bad).toBeNull();
    expect(a.status().lastError).toBeNull();
  });

  it("a package it cannot find is a failed goal naming LXM4340, recorded on the remote, and nothing is applied", async () => {
    const r = await startRemote();
    open.push(r);
    const keys = join(tempDir(), "keys");
    const bad = r.push({ "app.lxm": goal(keys, "hello"), "lexum.yaml": `providers:\n  kv:\n    package: "${KV_PACKAGE}"\n` }, "kv goal");
    const dir = tempDir();
    const a = await startAgent(writeConfig(dir, [{ url: r.url, interval: "1s", drift: "off" }]));
    open.push(a);
    const log = await waitFor("a failure record", () => r.stateLog().find((c) => c.snapshot.source.commit === bad));
    expect(log.snapshot.kind).toBe("failure");
    expect(log.snapshot.failure?.message).toContain("LXM4340");
    expect(existsSync(keys)).toBe(false);
  });
});
