import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LexumError } from "../../src/diag/diagnostic.js";
import { schemasDir } from "../../src/program/schemas.js";
import { loadSyncConfig, parseDuration, parseSyncConfig, SYNC_DEFAULTS } from "../../src/sync/config.js";

const root = mkdtempSync(join(tmpdir(), "lxm-sync-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** Writes `text` as lxm-sync.yaml in a fresh folder; returns its path. */
function configFile(text: string): string {
  const dir = join(root, `c${n++}`);
  mkdirSync(dir);
  const file = join(dir, "lxm-sync.yaml");
  writeFileSync(file, text);
  return file;
}

/** The error loadSyncConfig throws (the test fails when it returns). */
function loadError(text: string, env: NodeJS.ProcessEnv = {}): LexumError {
  try {
    loadSyncConfig(configFile(text), env);
  } catch (e) {
    expect(e).toBeInstanceOf(LexumError);
    return e as LexumError;
  }
  throw new Error("loadSyncConfig accepted the configuration");
}

/** The errors of `text` named as lxm-sync.yaml: "code message". */
function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  const { config, errors } = parseSyncConfig(text, "lxm-sync.yaml", env);
  expect(config).toBeNull();
  return errors.map((e) => `${e.code} ${e.message}`);
}

const MINIMAL = "data_dir: /var/lib/lxm-sync\nrepositories:\n  - url: http://127.0.0.1:8080/infra.git\n";

describe("lxm-sync.yaml", () => {
  it("reads every key, with its secrets from the environment", () => {
    const file = configFile(
      [
        "listen: '[::1]:0'",
        "data_dir: /srv/lxm",
        "max_concurrent_per_host: 2",
        "repositories:",
        "  - url: https://git.example.com/infra.git",
        "    branch: release",
        "    path: ./envs/prod/",
        "    state_branch: ops/state",
        "    interval: 1m30s",
        "    drift_interval: 1h",
        "    drift: correct",
        "    token_env: INFRA_TOKEN",
        "    webhook_secret_env: HOOK_SECRET",
        "  - url: ../mirrors/infra.git",
        "    interval: 1s",
        "    drift_interval: 500ms500ms",
        "    drift: off",
        "coordination:",
        "  backend: postgres",
        "  url_env: SYNC_DB",
        "  ttl: 12s",
        "  replica_id: sync-1.eu:a",
        "  address: sync-1.internal:9464",
        "",
      ].join("\n"),
    );
    const config = loadSyncConfig(file, { INFRA_TOKEN: "tok-1", HOOK_SECRET: "hook-2", SYNC_DB: "postgres://lexum:pw@db:5432/lexum" });
    expect(config).toEqual({
      listen: { host: "::1", port: 0 },
      dataDir: "/srv/lxm",
      maxConcurrentPerHost: 2,
      repositories: [
        { url: "https://git.example.com/infra.git", branch: "release", path: "envs/prod", environment: null, stateBranch: "ops/state", intervalMs: 90_000, driftIntervalMs: 3_600_000, drift: "correct", token: "tok-1", webhookSecret: "hook-2" },
        // A local path resolves against the configuration file's folder; YAML 1.2 reads `off` as text.
        { url: join(root, "mirrors/infra.git"), branch: "main", path: ".", environment: null, stateBranch: "lexum/state", intervalMs: 1000, driftIntervalMs: 1000, drift: "off", token: null, webhookSecret: null },
      ],
      coordination: { backend: "postgres", url: "postgres://lexum:pw@db:5432/lexum", ttlMs: 12_000, replicaId: "sync-1.eu:a", address: "sync-1.internal:9464" },
    });
  });

  it("fills the coordination section's defaults, and refuses what it cannot use without quoting the connection string", () => {
    const base = "data_dir: /d\nrepositories:\n  - url: http://h/r.git\ncoordination:\n";
    const env = { DB: "postgresql://u:secret-pw@db/x" };
    expect(loadSyncConfig(configFile(base + "  url_env: DB\n"), env).coordination).toEqual({ backend: "postgres", url: env.DB, ttlMs: 30_000, replicaId: null, address: null });
    const problems = (text: string, e: NodeJS.ProcessEnv = env) => parseSyncConfig(text, "sync.yaml", e).errors.map((x) => `${x.code} ${x.message}`);
    expect(problems(base + "  url_env: DB\n  ttl: 2s\n")).toEqual(['LXM7003 sync.yaml:6:8: ttl "2s" is shorter than 3s']);
    expect(problems(base + "  url_env: NOPE\n")).toEqual(["LXM7008 sync.yaml:5:12: url_env names NOPE, which is not set (or empty) in lxm-sync's environment"]);
    expect(problems(base + "  url_env: DB\n", { DB: "mysql://u:secret-pw@db/x" })).toEqual(["LXM7002 sync.yaml:5:12: the variable DB does not hold a postgres:// connection string"]);
    expect(problems(base + "  url_env: DB\n  tll: 10s\n")[0]).toMatch(/^LXM7002 sync.yaml:6:3: unknown setting `tll` in coordination/);
    expect(parseSyncConfig(base + "  url_env: DB\n  tll: 10s\n", "sync.yaml", env).errors[0]!.hint).toBe("did you mean `ttl`?");
    expect(problems(base + "  ttl: 10s\n")).toEqual(["LXM7002 sync.yaml:5:3: coordination is missing `url_env`"]);
    expect(problems(base + "  url_env: DB\n  replica_id: 'a b'\n")[0]).toMatch(/^LXM7002 sync.yaml:6:15: replica_id must be letters/);
    expect(problems(base + "  url_env: DB\n  backend: etcd\n")[0]).toMatch(/^LXM7002 sync.yaml:6:12: coordination.backend must be one of postgres/);
    for (const p of [...problems(base + "  url_env: DB\n", { DB: "mysql://u:secret-pw@db/x" }), ...problems(base + "  url_env: DB\n  ttl: 1s\n")]) expect(p).not.toContain("secret-pw");
  });

  it("fills every default when only the required keys are given", () => {
    expect(loadSyncConfig(configFile(MINIMAL), {})).toEqual({
      listen: { host: "127.0.0.1", port: 9464 },
      dataDir: "/var/lib/lxm-sync",
      maxConcurrentPerHost: 4,
      repositories: [{ url: "http://127.0.0.1:8080/infra.git", branch: "main", path: ".", environment: null, stateBranch: "lexum/state", intervalMs: 30_000, driftIntervalMs: 600_000, drift: "report", token: null, webhookSecret: null }],
      coordination: null,
    });
  });

  it("resolves a relative data_dir against the configuration file's folder, not the working directory", () => {
    const file = configFile("data_dir: state/clones\nrepositories:\n  - url: http://h/r.git\n");
    expect(loadSyncConfig(file, {}).dataDir).toBe(join(file, "..", "state/clones"));
  });

  it("has the schema's defaults", () => {
    const schema = JSON.parse(readFileSync(schemasDir() + "lxm-sync.yaml.json", "utf8")) as {
      properties: Record<string, { default?: unknown }>;
      $defs: { repository: { properties: Record<string, { default?: unknown }> }; coordination: { properties: Record<string, { default?: unknown }> } };
    };
    const defaults: Record<string, unknown> = {};
    for (const [k, v] of [...Object.entries(schema.properties), ...Object.entries(schema.$defs.repository.properties), ...Object.entries(schema.$defs.coordination.properties)]) if ("default" in v) defaults[k] = v.default;
    expect(defaults).toEqual({ ...SYNC_DEFAULTS });
  });

  it("parses durations", () => {
    expect(["500ms", "30s", "10m", "1h", "1m30s", "1h0m5s20ms", "0s"].map(parseDuration)).toEqual([500, 30_000, 600_000, 3_600_000, 90_000, 3_605_020, 0]);
    expect(["", "30", "1.5h", "30 s", "1d", "s", "-1s", "99999999999999999999h"].map(parseDuration)).toEqual([null, null, null, null, null, null, null, null]);
  });
});

describe("lxm-sync.yaml errors name the file, line and column", () => {
  it("a number where a duration belongs", () => {
    const e = loadError(MINIMAL + "    interval: 5\n");
    expect(e.code).toBe("LXM7002");
    expect(e.message).toMatch(/^\/.*\/lxm-sync\.yaml:4:15: repositories\[0\]\.interval must be a string, got the number 5$/);
    expect(e.hint).toContain("30s");
  });

  it("a drift mode that does not exist", () => {
    expect(problems(MINIMAL + "    drift: fix\n")).toEqual(['LXM7002 lxm-sync.yaml:4:12: repositories[0].drift must be one of report, correct, off, got "fix"']);
  });

  it("a number where a branch name belongs, with the quoting hint", () => {
    const { errors } = parseSyncConfig(MINIMAL + "    branch: 2024\n", "lxm-sync.yaml", {});
    expect(errors.map((e) => [e.message, e.hint])).toEqual([["lxm-sync.yaml:4:13: repositories[0].branch must be a string, got the number 2024", 'quote it if you mean the text: branch: "2024"']]);
  });

  it("an unknown key, at the key, with a suggestion", () => {
    const { errors } = parseSyncConfig(MINIMAL + "    intervall: 30s\n", "lxm-sync.yaml", {});
    expect(errors.map((e) => [e.code, e.message, e.hint])).toEqual([["LXM7002", "lxm-sync.yaml:4:5: unknown setting `intervall` in repositories[0]", "did you mean `interval`?"]]);
    expect(problems("listen: 127.0.0.1:1\ndatadir: /x\nrepositories: [{url: http://h/r}]\n")).toEqual([
      "LXM7002 lxm-sync.yaml:1:1: the configuration is missing `data_dir`",
      "LXM7002 lxm-sync.yaml:2:1: unknown setting `datadir`",
    ]);
  });

  it("a repository without a url", () => {
    expect(problems("data_dir: /d\nrepositories:\n  - branch: main\n  - url: http://h/r\n")).toEqual(["LXM7002 lxm-sync.yaml:3:5: repositories[0] is missing `url`"]);
    expect(problems("data_dir: /d\nrepositories: []\n")).toEqual(["LXM7002 lxm-sync.yaml:2:15: repositories must list at least one repository"]);
  });

  it("a bad duration, and one under 1s", () => {
    expect(problems(MINIMAL + "    interval: 30x\n    drift_interval: 1d\n")).toEqual([
      'LXM7003 lxm-sync.yaml:4:15: interval "30x" is not a duration',
      'LXM7003 lxm-sync.yaml:5:21: drift_interval "1d" is not a duration',
    ]);
    expect(problems(MINIMAL + "    interval: 1s\n    drift_interval: 999ms\n")).toEqual(['LXM7003 lxm-sync.yaml:5:21: drift_interval "999ms" is shorter than 1s']);
    expect(problems(MINIMAL + "    interval: 0s\n")).toEqual(['LXM7003 lxm-sync.yaml:4:15: interval "0s" is shorter than 1s']);
    expect(problems(MINIMAL + "    interval: 600h\n")).toEqual(['LXM7003 lxm-sync.yaml:4:15: interval "600h" is longer than 596h (the longest a timer waits)']);
  });

  it("a listen address that is not host:port, or whose port is past 65535", () => {
    expect(problems("listen: 9464\n" + MINIMAL)).toEqual(["LXM7002 lxm-sync.yaml:1:9: listen must be a string, got the number 9464"]);
    expect(problems("listen: localhost:70000\n" + MINIMAL)).toEqual(['LXM7004 lxm-sync.yaml:1:9: listen "localhost:70000" is not host:port with a port from 0 to 65535']);
    expect(problems("listen: ':80'\n" + MINIMAL)).toEqual(['LXM7004 lxm-sync.yaml:1:9: listen ":80" is not host:port with a port from 0 to 65535']);
  });

  it("a token_env whose variable is unset names the variable", () => {
    const e = loadError(MINIMAL + "    token_env: INFRA_TOKEN\n", { OTHER: "x", INFRA_TOKEN: "" });
    expect(e.code).toBe("LXM7008");
    expect(e.message).toMatch(/lxm-sync\.yaml:4:16: token_env names INFRA_TOKEN, which is not set \(or empty\) in lxm-sync's environment$/);
    expect(e.hint).toContain("INFRA_TOKEN");
    expect(problems(MINIMAL + "    webhook_secret_env: HOOK\n")).toEqual(["LXM7008 lxm-sync.yaml:4:25: webhook_secret_env names HOOK, which is not set (or empty) in lxm-sync's environment"]);
  });

  it("never puts a secret in a message: not from the environment, not from a url, not one written where a variable's name belongs", () => {
    const secret = "ghp_S3cretS3cretS3cretS3cretS3cret0000";
    const env = { INFRA_TOKEN: secret, HOOK: secret };
    const texts = [
      // Every check fails once, with the secret set in the environment: the schema's, then the others.
      "listen: h:99999x\ndata_dir: 7\nrepositories:\n  - url: http://h/r\n    token_env: INFRA_TOKEN\n    webhook_secret_env: HOOK\n    interval: 1x\n    drift: fix\n    branch: 3\n    other: 1\n",
      "listen: h:99999\ndata_dir: /d\nrepositories:\n  - url: http://h/r\n    token_env: INFRA_TOKEN\n    webhook_secret_env: HOOK\n    interval: 1ms\n    branch: a..b\n    path: ../x\n  - url: http://h/r\n    branch: a..b\n    path: ../x\n    token_env: UNSET\n",
      `data_dir: /d\nrepositories:\n  - url: https://user:${secret}@git.example.com/r.git\n`,
      `data_dir: /d\nrepositories:\n  - url: https://${secret}@git.example.com/r.git\n`,
      `data_dir: /d\nrepositories:\n  - url: http://h/r\n    token_env: ${secret}\n`,
      `data_dir: /d\nrepositories:\n  - url: http://h/r\n    webhook_secret_env: "s3cr3t-${secret}"\n`,
    ];
    const messages = texts.flatMap((t) => parseSyncConfig(t, "lxm-sync.yaml", env).errors.map((e) => `${e.code} ${e.message} ${e.hint ?? ""}`));
    expect(messages.length).toBeGreaterThanOrEqual(16);
    for (const m of messages) expect(m).not.toContain("S3cret");
    expect(messages.filter((m) => m.startsWith("LXM7005"))).toEqual([
      "LXM7005 lxm-sync.yaml:3:10: url holds a user name or password remove the credentials from the URL and name the variable that holds the token in token_env",
      "LXM7005 lxm-sync.yaml:3:10: url holds a user name or password remove the credentials from the URL and name the variable that holds the token in token_env",
    ]);
    expect(messages.filter((m) => m.includes("token_env looks like a secret"))).toHaveLength(1);
  });

  it("the same url, branch and path twice, however the path is written", () => {
    expect(problems("data_dir: /d\nrepositories:\n  - url: http://h/r.git\n    path: infra\n  - url: http://h/r.git\n    branch: dev\n    state_branch: lexum/dev\n  - url: http://h/r.git\n    path: ./infra/\n")).toEqual([
      "LXM7009 lxm-sync.yaml:8:5: this repository (same url, branch and path) is already listed at line 3",
    ]);
  });

  it("two entries of one repository recording to one state branch", () => {
    // Each project's branch is derived from its path (lexum/state-infra, lexum/state-web): only a named one can collide.
    expect(problems("data_dir: /d\nrepositories:\n  - url: http://h/r.git\n    path: infra\n  - url: http://h/r.git\n    path: web\n  - url: http://h/r.git\n    path: db\n    state_branch: lexum/state-infra\n  - url: http://h/r.git\n    path: ok\n    state_branch: lexum/ok\n  - url: http://h/r.git\n  - url: http://h/r.git\n    path: top\n    state_branch: lexum/state\n")).toEqual([
      "LXM7010 lxm-sync.yaml:9:19: state_branch lexum/state-infra of this repository is already used by the entry at line 3",
      "LXM7010 lxm-sync.yaml:16:19: state_branch lexum/state of this repository is already used by the entry at line 13",
    ]);
  });

  it("urls git speaks but lxm-sync does not, paths outside the repository, bad branches", () => {
    expect(problems("data_dir: /d\nrepositories:\n  - url: ssh://git@h/r.git\n  - url: git@github.com:o/r.git\n  - url: http://h/r\n    path: ../up\n  - url: http://h/r\n    state_branch: main\n  - url: http://h/r\n    branch: 'a b'\n")).toEqual([
      "LXM7005 lxm-sync.yaml:3:10: url uses ssh://, which lxm-sync does not speak",
      "LXM7005 lxm-sync.yaml:4:10: url looks like an ssh address (host:path), which lxm-sync does not speak",
      'LXM7006 lxm-sync.yaml:6:11: path "../up" is not a folder inside the repository',
      'LXM7007 lxm-sync.yaml:8:19: state_branch is the watched branch "main"',
      "LXM7007 lxm-sync.yaml:10:13: branch \"a b\" is not a branch name git allows (no spaces, control characters or any of ~ ^ : ? * [ \\)",
    ]);
  });

  it("malformed YAML", () => {
    const e = loadError("data_dir: /d\nrepositories:\n  - url: [http://h/r\n");
    expect(e.code).toBe("LXM7001");
    expect(e.message).toMatch(/lxm-sync\.yaml:\d+:\d+: /);
    expect(problems("data_dir: /d\ndata_dir: /e\nrepositories: [{url: x}]\n")).toEqual(["LXM7001 lxm-sync.yaml:2:1: Map keys must be unique"]);
    expect(problems("data_dir: *nowhere\nrepositories: [{url: x}]\n")).toEqual(['LXM7001 lxm-sync.yaml:1:11: Unresolved alias (the anchor must be set before the alias): nowhere']);
    expect(problems("")).toEqual(["LXM7002 lxm-sync.yaml:1:1: the configuration must be a map, got nothing"]);
  });

  it("over-deep YAML is refused before it is parsed", () => {
    const text = "data_dir: /d\nrepositories: [{url: " + "[".repeat(10_000) + "\n";
    expect(problems(text)).toEqual(["LXM7001 lxm-sync.yaml:2:84: the document nests too deeply (more than 64 levels)"]);
  });

  it("an alias bomb is refused, not expanded", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join("\n");
    const [p] = problems(bomb + "\n");
    expect(p).toMatch(/^LXM7001 lxm-sync\.yaml:2:\d+: .*alias/i);
  });

  it("an unreadable file", () => {
    const e = (() => {
      try {
        loadSyncConfig(join(root, "absent.yaml"), {});
      } catch (x) {
        return x as LexumError;
      }
      throw new Error("accepted");
    })();
    expect([e.code, e.message]).toEqual(["LXM7000", `${join(root, "absent.yaml")}: cannot read the lxm-sync configuration: it does not exist`]);
    const bad = configFile("");
    writeFileSync(bad, Buffer.from([0x64, 0x3a, 0xff, 0x0a]));
    expect(() => loadSyncConfig(bad, {})).toThrow(/lxm-sync\.yaml: cannot read the lxm-sync configuration: it is not UTF-8 text/);
  });
});
