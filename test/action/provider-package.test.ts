import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { install, KV_FIXTURE, KV_PACKAGE, pack } from "../e2e/provider-packages.js";
import { ActionWorld, OWNER, REPO } from "./harness.js";

// The committed bundle run as the runner runs it, on a project whose lexum.yaml names the kv
// fixture package; the package is installed by npm above the checkout (as `npm ci` in an
// earlier step would put it beside the project).

let world: ActionWorld | null = null;
afterEach(async () => {
  if (world) {
    expect(world.github.violations).toEqual([]);
    await world.close();
    world = null;
  }
});

const main = (keys: string, value: string) => `domain app {\n  provider kv { dir = ${JSON.stringify(keys)} }\n\n  resource kv.key greeting {\n    name  = "greeting"\n    value = "${value}"\n  }\n}\n`;

describe("the Action with a provider package", () => {
  it("plans a pull request with the package's types and applies it on merge", async () => {
    const w = await ActionWorld.start((worldFile) => ({ "main.lxm": main(join(worldFile, "..", "keys"), "hello"), "lexum.yaml": `providers:\n  kv:\n    package: "${KV_PACKAGE}"\n` }));
    world = w;
    install(w.dir, pack(KV_FIXTURE, w.dir));
    const keys = join(w.worldFile, "..", "keys");
    w.pushPull(1, { "main.lxm": main(keys, "bonjour") });
    const plan = await w.run(w.pullEvent(1));
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    const comment = w.github.comments(OWNER, REPO, 1).find((c: { body: string }) => c.body.startsWith("<!-- lexum:plan "));
    expect(comment?.body).toContain("Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(comment?.body).toContain("kv.key");

    const m = w.mergePull(1);
    const apply = await w.run(w.pushMainEvent(m.sha, m.before));
    expect(apply.code).toBe(0);
    expect(JSON.parse(readFileSync(join(keys, "greeting.json"), "utf8"))).toMatchObject({ value: "bonjour", version: 1 });
    expect(w.stateLog()).toHaveLength(1);
  });
});
