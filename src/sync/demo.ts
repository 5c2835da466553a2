import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyBranch } from "../engine/verify.js";
import { commitFiles } from "../git/commit-files.js";
import { startGitHttpBackend } from "../git/http-backend.js";
import { initRepo } from "../git/init.js";
import { pushRef } from "../git/remote.js";
import { listStateCommits } from "../state/store.js";
import { Agent } from "./agent.js";
import { loadSyncConfig } from "./config.js";
import { lockDataDir } from "./data-dir.js";
import { startHttpServer } from "./http.js";
import { createLogger } from "./log.js";
import { createMetrics } from "./metrics.js";

/**
 * `lxm-sync demo`: the whole GitOps loop on the embedded example, on this machine only. A bare
 * repository is served over smart HTTP on 127.0.0.1; an agent is started on an lxm-sync.yaml
 * watching it; the example's first version is pushed, and the agent applies it and pushes the
 * snapshot to the remote's state branch; then a second version is pushed and its update
 * follows. No network beyond loopback, no credentials.
 */

export interface DemoIo {
  out(text: string): void;
}

/** How long the demo waits for the agent to apply one push before it gives up. */
const WAIT_MS = 120_000;

export async function runDemo(dir: string | null, io: DemoIo): Promise<number> {
  const scratch = dir ? resolve(dir) : mkdtempSync(join(tmpdir(), "lexum-sync-demo-"));
  mkdirSync(scratch, { recursive: true });
  if (readdirSync(scratch).length) throw new Error(`${scratch} is not empty: the demo needs an empty or new folder`);
  const root = join(scratch, "remote");
  const home = join(scratch, "home");
  mkdirSync(root, { recursive: true });
  mkdirSync(home, { recursive: true });
  const remoteDir = join(root, "infra.git");
  await initRepo(remoteDir, { bare: true });
  const author = join(scratch, "author.git");
  await initRepo(author, { bare: true });

  const git = await startGitHttpBackend({ root, home });
  const url = git.url("infra.git");
  const say = (line: string) => io.out(line + "\n");
  say(`Remote:  ${url}  (git http-backend on loopback, serving ${remoteDir})`);

  const configFile = join(scratch, "lxm-sync.yaml");
  writeFileSync(
    configFile,
    [
      "listen: 127.0.0.1:0",
      "data_dir: agent",
      "repositories:",
      `  - url: ${url}`,
      "    branch: main",
      "    path: .",
      "    state_branch: lexum/state",
      "    interval: 1s",
      "    drift_interval: 10m",
      "    drift: report",
      "",
    ].join("\n"),
  );
  say(`Config:  ${configFile}`);
  const config = loadSyncConfig(configFile, {});
  const release = lockDataDir(config.dataDir);
  const logger = createLogger((line) => narrate(line, say), () => new Date());
  const metrics = createMetrics();
  const agent = new Agent({ config, env: {}, log: (level, event, fields) => logger(level, event, fields), onEvent: (e) => metrics.observe(e) });
  let server: Awaited<ReturnType<typeof startHttpServer>> | null = null;
  try {
    await agent.open();
    server = await startHttpServer({ host: config.listen.host, port: config.listen.port, agent, metrics, repositories: config.repositories, now: () => Date.now(), log: logger });
    const api = `http://${server.host}:${server.port}`;
    say(`Agent:   lxm-sync watching main, serving ${api}/status and ${api}/metrics\n`);
    agent.start();

    const v1 = await push(author, url, null, "v1", "storage and web: the first goal");
    say(`Pushed ${v1.slice(0, 12)} (fixtures/demo/v1) to main`);
    await appliedWithin(agent, v1);

    const v2 = await push(author, url, v1, "v2", "an update, a replacement and a deletion");
    say(`\nPushed ${v2.slice(0, 12)} (fixtures/demo/v2) to main, and told the agent: POST ${api}/hooks/poll`);
    await fetch(`${api}/hooks/poll`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url, branch: "main" }) });
    await appliedWithin(agent, v2);

    say(`\nThe remote's state branch (git log lexum/state in ${remoteDir}):`);
    for (const c of await listStateCommits({ gitdir: remoteDir, branch: "lexum/state" })) say(`  ${c.oid.slice(0, 12)} ${c.message.split("\n")[0]}`);
    const verified = await verifyBranch(remoteDir, "lexum/state");
    say(verified.bad ? `lxm state verify: commit ${verified.bad.oid} is bad: ${verified.bad.problems.join("; ")}` : `lxm state verify: ${verified.commits} snapshots, every hash recomputed and matching`);
    const counters = (await metrics.text()).split("\n").filter((l) => l.startsWith("lexum_reconcile_total") || l.startsWith("lexum_git_request_total"));
    say(`\nMetrics (${api}/metrics):`);
    for (const l of counters) say(`  ${l}`);
    const out = join(config.dataDir, readdirSync(config.dataDir).find((n) => statSync(join(config.dataDir, n)).isDirectory()) ?? "", "out");
    say(`\nFiles the fs provider wrote: ${out}`);
    say(`Try: git --git-dir ${remoteDir} log --stat lexum/state`);
    return verified.bad ? 1 : 0;
  } finally {
    await agent.stop();
    await server?.close();
    await git.close();
    release();
  }
}

/** Commits the example's version `v` on top of `parent` in the author's repository and pushes it to main. */
async function push(author: string, url: string, parent: string | null, v: "v1" | "v2", subject: string): Promise<string> {
  const folder = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/demo", v);
  const files = readdirSync(folder)
    .sort()
    .map((name) => ({ path: name, content: readFileSync(join(folder, name)) }));
  // Fixed dates: the demo's commit ids, and so its state commit ids, are the same on every machine.
  const seconds = Date.UTC(2026, 0, 1, 12, v === "v1" ? 0 : 5) / 1000;
  const oid = await commitFiles({ gitdir: author, files, parent, message: `${v}: ${subject}\n`, author: { name: "Lexum Demo", email: "demo@lexum.invalid", seconds, tzOffsetMinutes: 0 } });
  const r = await pushRef(author, { url }, { oid, ref: "refs/heads/main", expect: parent });
  if (!r.ok) throw new Error(`the demo's push was refused: ${r.detail}`);
  return oid;
}

async function appliedWithin(agent: Agent, goal: string): Promise<void> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const s = agent.status()[0]!;
    if (s.applied === goal && s.phase === "idle") return;
    if (s.lastError && s.lastError.commit === goal && s.lastError.reason !== "remote-unreachable") throw new Error(`the agent could not apply ${goal}: ${s.lastError.message}`);
    if (Date.now() > until) throw new Error(`the agent did not apply ${goal} within ${WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The agent's JSON log lines, told as the demo's story (the lines that say what happened). */
function narrate(line: string, say: (s: string) => void): void {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const short = (v: unknown) => (typeof v === "string" ? v.replace(/^sha256:/, "").slice(0, 12) : String(v));
  switch (e.event) {
    case "goal.seen":
      if (e.goal) say(`  agent: main is now ${short(e.goal)}`);
      break;
    case "reconcile.applied":
      say(`  agent: applied ${short(e.goal)}, snapshot ${short(e.snapshot)} pushed to lexum/state (${e.seconds} s)`);
      break;
    case "reconcile.failed":
      say(`  agent: ${short(e.goal)} failed (${String(e.reason)})`);
      break;
    case "reconcile.error":
      say(`  agent: error: ${String(e.error)}`);
      break;
  }
}
