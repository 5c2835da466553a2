import path from "node:path";
import { catalog } from "../../diag/index.js";
import { findRepo } from "../../git/repo.js";
import { loadProjectSettings } from "../../lang/index.js";
import { suggest } from "../../lang/suggest.js";
import { prettyCanonical } from "../../program/canonical.js";
import { DEFAULT_STATE_BRANCH, listStateCommits } from "../../state/store.js";
import { gcState } from "../../state/gc.js";
import { inspectCommit, resolveSnapshotRef } from "../../engine/history.js";
import { verifyBranch } from "../../engine/verify.js";
import { replayBranch, stateAtStep } from "../../engine/replay.js";
import type { Repo } from "../../git/repo.js";
import type { StateCommit } from "../../state/store.js";
import { parse } from "../args.js";
import { count } from "../counts.js";
import type { Io } from "../io.js";
import { printError } from "../io.js";

export const stateUsage = "lxm state log|show [--at STEP]|verify [--replay]|gc [--dir DIR] [--branch NAME] [--json]";

const common = { dir: { type: "string" }, branch: { type: "string" }, json: { type: "boolean" } } as const;

/** The repository and state branch a `state`/`replay` command reads: --branch, else lexum.yaml, else the default. */
export async function locate(io: Io, dir: string | undefined, branch: string | undefined) {
  const projectDir = path.resolve(io.cwd, dir ?? ".");
  const repo = await findRepo(projectDir);
  const settings = branch ? null : (await loadProjectSettings(projectDir)).settings;
  return { repo, branch: branch ?? settings?.state_branch ?? DEFAULT_STATE_BRANCH };
}

function short(h: string | null | undefined): string {
  return h ? h.replace(/^sha256:/, "").slice(0, 12) : "-";
}

/** `lxm state log|show|verify|gc`. */
export async function stateCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "log":
      return stateLog(rest, io);
    case "show":
      return stateShow(rest, io);
    case "verify":
      return stateVerify(rest, io);
    case "gc":
      return stateGc(rest, io);
    default:
      throw catalog.host.usage.error(sub ? `unknown state command '${sub}'\nusage: ${stateUsage}` : `usage: ${stateUsage}`);
  }
}

async function stateLog(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, common, 0, "lxm state log [--dir DIR] [--branch NAME] [--json]");
  const { repo, branch } = await locate(io, values.dir, values.branch);
  const commits = await listStateCommits({ gitdir: repo.gitdir, branch });
  const rows = [];
  for (const c of commits) {
    const ins = await inspectCommit(repo.gitdir, c);
    const s = ins.loaded?.snapshot;
    rows.push({
      commit: c.oid,
      snapshot: ins.loaded?.hash ?? null,
      status: s?.status ?? "unreadable",
      goal: s?.source.commit ?? null,
      resources: s ? Object.keys(s.resources).length : 0,
      done: s?.dag.done.length ?? 0,
      failed: s?.dag.failed.length ?? 0,
      notStarted: s?.dag.notStarted.length ?? 0,
      verified: ins.problems.length === 0,
    });
  }
  if (values.json) {
    io.out(JSON.stringify(rows, null, 2) + "\n");
    return 0;
  }
  if (rows.length === 0) io.out(`no snapshots on ${branch} yet\n`);
  for (const r of rows) {
    io.out(
      `${short(r.snapshot)}  ${r.status.padEnd(11)}  goal ${r.goal ? r.goal.slice(0, 12) : "working-tree"}  ` +
        `${count(r.resources, "resource")} recorded; ${count(r.done, "action")} done, ${r.failed} failed, ${r.notStarted} not started  (commit ${r.commit.slice(0, 12)})` +
        (r.verified ? "" : "  DOES NOT VERIFY") +
        "\n",
    );
  }
  return 0;
}

async function stateShow(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...common, at: { type: "string" } }, 2, "lxm state show [REF|HASH] [ADDRESS] [--at STEP] [--dir DIR] [--branch NAME] [--json]");
  const { repo, branch } = await locate(io, values.dir, values.branch);
  // One positional that looks like an address (domain/type.name) is the address of the head.
  let ref: string | undefined = positionals[0];
  let address: string | undefined = positionals[1];
  if (ref !== undefined && address === undefined && /^[A-Za-z_][\w-]*\/[^\s]+\.[^\s]+/.test(ref) && !ref.startsWith("lexum/")) {
    address = ref;
    ref = undefined;
  }
  const commit = await resolveSnapshotRef(repo.gitdir, branch, ref);
  if (values.at !== undefined) return stateShowAt(io, repo, branch, commit, values.at, address, Boolean(values.json));
  const ins = await inspectCommit(repo.gitdir, commit);
  if (!ins.loaded) throw catalog.engine.corruptState.error(branch, commit.oid, ins.problems[0] ?? "unreadable");
  const { snapshot, hash, resources } = ins.loaded;
  if (address !== undefined) {
    const rec = resources[address];
    if (!rec) throw catalog.engine.noSuchAddress.error(address, suggest(address, Object.keys(resources)));
    io.out(prettyCanonical(rec));
    return 0;
  }
  if (values.json) {
    io.out(prettyCanonical({ ...snapshot, hash, commit: commit.oid }));
    return 0;
  }
  const lines = [
    `snapshot ${hash}`,
    `commit   ${commit.oid}`,
    `status   ${snapshot.status}`,
    `goal     ${snapshot.source.commit ?? "(working tree)"}  path ${snapshot.source.path || "."}`,
    `program  ${snapshot.program}`,
    `plan     ${snapshot.plan}`,
    `parent   ${snapshot.parent ?? "none"}`,
  ];
  if (snapshot.failure) lines.push(`failure  ${snapshot.failure.domain}${snapshot.failure.address ? " " + snapshot.failure.address : ""}: ${snapshot.failure.message}`);
  if (ins.problems.length) lines.push(`DOES NOT VERIFY: ${ins.problems[0]}`);
  lines.push("", `domains:`);
  for (const d of Object.keys(snapshot.domains).sort()) lines.push(`  ${d}  ${snapshot.domains[d]}`);
  lines.push("", `resources (${Object.keys(resources).length}):`);
  for (const a of Object.keys(resources).sort()) lines.push(`  ${a}`);
  io.out(lines.join("\n") + "\n");
  return 0;
}

/** `lxm state show --at STEP`: every resource as it stood after trace step STEP (past the last step: the final state). */
async function stateShowAt(io: Io, repo: Repo, branch: string, commit: StateCommit, at: string, address: string | undefined, json: boolean): Promise<number> {
  if (!/^\d+$/.test(at)) throw catalog.host.usage.error(`--at takes a trace step (a whole number ≥ 0), got '${at}'`);
  const st = await stateAtStep({ gitdir: repo.gitdir, commondir: repo.commondir, branch, env: io.env }, commit, Number(at));
  if (address !== undefined) {
    const attrs = st.resources[address];
    if (!attrs) throw catalog.engine.noSuchAddress.error(address, suggest(address, Object.keys(st.resources)));
    io.out(prettyCanonical(json ? { address, step: st.step, attrs } : attrs));
    return 0;
  }
  if (json) {
    io.out(prettyCanonical({ snapshot: st.loaded.hash, commit: commit.oid, step: st.step, lastStep: st.lastStep, resources: st.resources }));
    return 0;
  }
  const addresses = Object.keys(st.resources);
  const lines = [
    `snapshot ${st.loaded.hash}`,
    `commit   ${commit.oid}`,
    `at step  ${st.step} of ${st.lastStep}${st.step === 0 ? " (before the run: the parent snapshot)" : st.step === st.lastStep ? " (the end of the run)" : ""}`,
    "",
    `resources (${addresses.length}):`,
    ...addresses.map((a) => `  ${a}`),
  ];
  io.out(lines.join("\n") + "\n");
  return 0;
}

async function stateVerify(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { ...common, replay: { type: "boolean" } }, 0, "lxm state verify [--replay] [--dir DIR] [--branch NAME] [--json]");
  const { repo, branch } = await locate(io, values.dir, values.branch);
  const report = await verifyBranch(repo.gitdir, branch);
  // Replay only a branch whose hashes and chain hold: a broken commit is named by the checks above.
  const replayed = values.replay && !report.bad ? await replayBranch({ gitdir: repo.gitdir, commondir: repo.commondir, branch, env: io.env }) : null;
  const ok = report.bad === null && !replayed?.bad;
  if (values.json) {
    io.out(JSON.stringify({ branch, commits: report.commits, ok, bad: report.bad, ...(replayed ? { replay: replayed } : {}) }, null, 2) + "\n");
  } else if (report.bad) {
    printError(io, catalog.engine.branchNotVerified.error(branch, report.bad.oid, report.bad.problems), false);
  } else if (replayed?.bad) {
    const b = replayed.bad;
    printError(io, catalog.engine.branchNotReplayed.error(branch, b.commit, b.problem ?? "it diverged"), false);
  } else {
    const hashOnly = replayed ? replayed.reports.filter((r) => r.outcome === "hash-only").length : 0;
    const how = replayed ? ` and replay${hashOnly ? ` (${hashOnly} interrupted run${hashOnly === 1 ? "" : "s"} verified by hash only)` : ""}` : "";
    io.out(`ok: ${report.commits} snapshot${report.commits === 1 ? "" : "s"} on ${branch} verify${how}\n`);
  }
  return ok ? 0 : 1;
}

async function stateGc(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, common, 0, "lxm state gc [--dir DIR]");
  const { repo } = await locate(io, values.dir, values.branch);
  await gcState({ workdir: repo.workdir });
  io.out(values.json ? JSON.stringify({ ok: true }) + "\n" : "ok: loose objects packed (git gc)\n");
  return 0;
}
