import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { baseEnv, cleanupRepos, git, makeRepo } from "./helpers.js";
import { acmeSource, install, KV_FIXTURE, KV_PACKAGE, pack, writePackage } from "./provider-packages.js";

afterAll(cleanupRepos);

const TOKEN = "kv-token-clear-7d1e";
const env = { LXM_SECRET_KV_TOKEN: TOKEN };

const kvMain = `domain app {
  provider kv {}

  resource kv.key greeting {
    name   = "greeting"
    value  = "hello"
    labels = { team = "web" }
    token  = secret("KV_TOKEN")
  }

  resource kv.key settings {
    name  = "settings"
    kind  = "config"
    value = "debug=false"
  }
}
`;

const kvYaml = `providers:
  kv:
    package: "${KV_PACKAGE}"
    dir: keys
`;

let scratch: string;
let kvTarball: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "lexum-pkg-"));
  kvTarball = pack(KV_FIXTURE, scratch);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A project with the kv package installed by npm (package.json and package-lock.json committed, node_modules ignored). */
function kvProject(main = kvMain, yaml = kvYaml) {
  const repo = makeRepo({ "main.lxm": main, "lexum.yaml": yaml, ".gitignore": "node_modules/\nkeys/\n" }, null);
  install(repo.dir, kvTarball);
  repo.commit("goal v1");
  return repo;
}

const key = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, "keys", `${name}.json`), "utf8")) as Record<string, unknown>;

describe("a provider package named in lexum.yaml", () => {
  it("is installed with npm, checked, planned, applied, kept converged and replayed", async () => {
    const repo = kvProject();
    expect(JSON.parse(repo.read("package.json")).dependencies[KV_PACKAGE]).toMatch(/^file:/);
    expect(repo.exists("package-lock.json")).toBe(true);

    const check = await repo.lxm(["check"]);
    expect(check.err).toBe("");
    expect(check.out).toMatch(/^ok: 1 domain, 2 resources, program sha256:[0-9a-f]{64}\n$/);

    const apply = await repo.lxm(["apply", "--yes"], env);
    expect(apply.err).not.toContain("error");
    expect(apply.code).toBe(0);
    expect(apply.out).toContain("2 to create");
    expect(key(repo.dir, "greeting")).toEqual({
      kind: "text",
      labels: { team: "web" },
      name: "greeting",
      tokenDigest: `sha256:${(await import("node:crypto")).createHash("sha256").update(TOKEN).digest("hex")}`,
      value: "hello",
      version: 1,
    });
    expect(key(repo.dir, "settings")).toMatchObject({ kind: "config", value: "debug=false", version: 1 });
    // The token is sensitive (x-lexum-sensitive in the package's schema): never in clear on the state branch.
    expect(repo.git("log", "-p", "lexum/state")).not.toContain(TOKEN);
    const record = JSON.parse(repo.git("show", "lexum/state:resources/app/kv.key.greeting.json"));
    expect(record.attrs).toEqual({ kind: "text", labels: { team: "web" }, name: "greeting", value: "hello" });
    expect(record.sensitive.token).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(record.provider).toEqual({ alias: "kv", config: { dir: "keys", latency: 0 }, type: "kv" });

    expect((await repo.lxm(["plan", "--detailed-exitcode"], env)).code).toBe(0);

    // Drift made outside Lexum is read back through the package's read().
    writeFileSync(join(repo.dir, "keys/greeting.json"), JSON.stringify({ ...key(repo.dir, "greeting"), value: "edited by hand" }));
    const drift = await repo.lxm(["plan", "--refresh", "--detailed-exitcode"], env);
    expect(drift.code).toBe(2);
    expect(drift.out).toContain("edited by hand");
    expect((await repo.lxm(["apply", "--refresh", "--yes"], env)).code).toBe(0);
    expect(key(repo.dir, "greeting")).toMatchObject({ value: "hello", version: 2 });

    // An update in place, and a replace on `kind` (x-lexum-replace-on in the package's schema).
    repo.write({ "main.lxm": kvMain.replace('value  = "hello"', 'value  = "bonjour"').replace('kind  = "config"', 'kind  = "text"') });
    repo.commit("goal v2");
    const plan2 = await repo.lxm(["plan"], env);
    expect(plan2.out).toContain("Plan: 0 to create, 1 to update, 1 to replace, 0 to delete.");
    expect((await repo.lxm(["apply", "--yes"], env)).code).toBe(0);
    expect(key(repo.dir, "greeting")).toMatchObject({ value: "bonjour", version: 3 });
    expect(key(repo.dir, "settings")).toMatchObject({ kind: "text", version: 1 });

    const replay = await repo.lxm(["replay"], env);
    expect(replay.err).toBe("");
    expect(replay.out).toMatch(/^replayed sha256:[0-9a-f]{64} = recorded\n$/);
    const verify = await repo.lxm(["state", "verify", "--replay"], env);
    expect(verify.code).toBe(0);

    // Uninstalled: check stops at the `package` value; the history can no longer be replayed.
    rmSync(join(repo.dir, "node_modules"), { recursive: true });
    const gone = await repo.lxm(["check"]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain(`lexum.yaml:3:14: error[LXM4340]: provider kv: package ${KV_PACKAGE} is not installed where ${repo.dir} can see it`);
    expect(gone.err).toContain(`hint: run \`npm install ${KV_PACKAGE}\` in the project directory`);
    const noReplay = await repo.lxm(["replay"], env);
    expect(noReplay.code).toBe(1);
    expect(noReplay.err).toContain("no longer compiles");
  });

  it("validates the code against the package's schemas, and lexum.yaml defaults against its provider schema", async () => {
    const repo = kvProject(kvMain.replace('kind  = "config"', 'kind  = "binary"'));
    const r = await repo.lxm(["check"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/main\.lxm:13:13: error\[LXM2\d{3}\]: .*kind.*"text", "config"/);

    const yaml = kvProject(kvMain, kvYaml.replace("dir: keys", "dirr: keys"));
    const y = await yaml.lxm(["check"]);
    expect(y.code).toBe(1);
    expect(y.err).toContain("lexum.yaml:4:5: error[LXM2141]: lexum.yaml: providers.kv: `dirr` is not a setting of the kv provider (its settings: dir, latency)");
  });

  it("a call it cannot finish in time is aborted through the signal and changes nothing", async () => {
    const slow = kvMain.replace("domain app {\n", "domain app {\n  policy {\n    timeout = 50ms\n  }\n");
    const repo = kvProject(slow, kvYaml + "    latency: 2000\n");
    const t0 = performance.now();
    const r = await repo.lxm(["apply", "--yes"], env);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain("LXM4002");
    expect(performance.now() - t0).toBeLessThan(1900);
    expect(repo.exists("keys")).toBe(false);
  });

  it("its ProviderError-shaped failures are read as provider errors (reason code kept)", async () => {
    const repo = kvProject();
    expect((await repo.lxm(["apply", "--yes"], env)).code).toBe(0);
    writeFileSync(join(repo.dir, "keys/settings.json"), "{ not json");
    const r = await repo.lxm(["plan", "--refresh"], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/main\.lxm:\d+:\d+: error\[LXM4240\]: cannot read app\/kv\.key\.settings back from its provider: kv: .*settings\.json is not JSON \(kv\.corrupt\)/);
  });
});

describe("a provider package that cannot be used is refused, located at its `package` value", () => {
  // Every broken package is installed once, by npm, in a folder above the projects that name
  // them: Node's resolution walks up from each project to that node_modules.
  let parent: string;
  const broken: Record<string, string> = {
    throws: `throw new Error("cannot start: the widget SDK is missing");\n`,
    empty: `export const hello = "world";\n`,
    "bad-methods": `export const provider = { name: "acme", types: ["acme.widget"], configure: "no" };\nexport const schemas = {};\n`,
    "not-json-schema": acmeSource({ widget: { type: "object", "x-lexum-identity": ["id"], properties: { id: { type: "strnig" } } } }),
    "identity-missing": acmeSource({ widget: { type: "object", "x-lexum-identity": ["nope"], properties: { id: { type: "string" } } } }),
    reserved: acmeSource({ widget: { type: "object", "x-lexum-identity": ["id"], properties: { id: { type: "string" }, depends_on: { type: "array" } } } }),
    "schema-missing": acmeSource({ types: ["acme.widget", "acme.gadget"] }),
    "wrong-name": acmeSource({ name: "other", types: ["other.widget"] }),
    "configure-throws": acmeSource({ configure: `() { throw new Error("no API token configured"); }` }),
    "no-delete": acmeSource({ configure: `() { return { async read() { return null; }, async create(_t, a) { return a; }, async update(_t, _p, a) { return a; }, async close() {} }; }` }),
  };
  const pkg = (variant: string) => `@lexum-fixtures/broken-${variant}`;

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), "lexum-pkg-broken-"));
    const tarballs = Object.keys(broken)
      .sort()
      .map((v) => pack(writePackage(join(scratch, "src", v), pkg(v), { "index.js": broken[v]! }), scratch));
    install(parent, ...tarballs);
  }, 60_000);

  afterAll(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  const widgetMain = `domain app {\n  provider acme {}\n\n  resource acme.widget w {\n    id = "one"\n  }\n}\n`;

  /** A committed project under `parent` naming `variant` as provider `name`. */
  function project(variant: string, name = "acme", main = widgetMain) {
    const dir = mkdtempSync(join(parent, "project-"));
    git(dir, "init", "-q", "-b", "main");
    writeFileSync(join(dir, "main.lxm"), main);
    writeFileSync(join(dir, "lexum.yaml"), `# provider packages\nproviders:\n  ${name}:\n    package: "${pkg(variant)}"\n`);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "goal");
    return { dir, lxm: (args: string[]) => lxm(dir, args, baseEnv), refs: () => git(dir, "for-each-ref", "--format=%(refname)") };
  }

  it.each([
    ["not-installed", "LXM4340", `provider acme: package ${pkg("not-installed")} is not installed where`],
    ["throws", "LXM4341", `provider acme: importing package ${pkg("throws")} (`],
    ["empty", "LXM4342", `provider acme: package ${pkg("empty")} is not a Lexum provider package: it exports no \`provider\``],
    ["bad-methods", "LXM4342", "`provider.configure` is not a function"],
    ["not-json-schema", "LXM4345", `provider acme: package ${pkg("not-json-schema")}: schema acme.widget does not compile as a JSON Schema: schema is invalid: data/properties/id/type must be equal to one of the allowed values`],
    ["identity-missing", "LXM4345", "schema acme.widget lists `nope` in `x-lexum-identity`, which is not one of its properties"],
    ["reserved", "LXM4345", "schema acme.widget defines the property `depends_on`, a name Lexum reserves (depends_on, import, protect, provider)"],
    ["schema-missing", "LXM4345", "schema acme.gadget is missing: `schemas` has no entry for a type in `provider.types`"],
    ["wrong-name", "LXM4343", `provider acme: package ${pkg("wrong-name")} exports the provider \`other\`, not \`acme\`: name it \`other\` under providers: in lexum.yaml`],
  ])("%s: %s, nothing compiled, planned or applied", async (variant, code, message) => {
    const p = project(variant);
    const before = p.refs();
    for (const args of [["check"], ["plan"], ["apply", "--yes"]]) {
      const r = await p.lxm(args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.err).toContain(`lexum.yaml:4:14: error[${code}]: `);
      expect(r.err).toContain(message);
      expect(r.err).toMatch(/\n {2}hint: /);
    }
    expect(p.refs()).toBe(before);
  });

  it("the import error is quoted, and a package may not take a built-in provider's name", async () => {
    const t = await project("throws").lxm(["check"]);
    expect(t.err).toContain("threw: cannot start: the widget SDK is missing");
    const fs = await project("reserved", "fs", `domain app {\n  provider fs {}\n}\n`).lxm(["check"]);
    expect(fs.code).toBe(1);
    expect(fs.err).toContain(`lexum.yaml:4:14: error[LXM4344]: provider fs: package ${pkg("reserved")} would replace the built-in provider fs (built-in: fs, http, postgres, sim)`);
  });

  it("a `package` that is not an npm package name is a settings error", async () => {
    const p = project("empty");
    writeFileSync(join(p.dir, "lexum.yaml"), `providers:\n  acme:\n    package: "../acme"\n`);
    const r = await p.lxm(["check"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('lexum.yaml:3:14: error[LXM2141]: lexum.yaml: `providers.acme.package` must match ^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$, got "../acme"');
  });

  it("configure failures and incomplete instances fail the action with the package named, recorded as a failed run", async () => {
    for (const [variant, code, words] of [
      ["configure-throws", "LXM4346", `provider acme (package ${pkg("configure-throws")}): configure failed: no API token configured`],
      ["no-delete", "LXM4342", "the instance `provider.configure` returned has no `delete` method"],
    ] as const) {
      const p = project(variant);
      expect((await p.lxm(["check"])).code).toBe(0);
      const r = await p.lxm(["apply", "--yes"]);
      expect(r.code).toBe(1);
      expect(r.out + r.err).toContain(`failed after 0 attempts: ${code}: `);
      expect(r.out + r.err).toContain(words);
      expect(git(p.dir, "show", "lexum/state:snapshot.json")).toContain('"status": "failed"');
    }
  });
});
