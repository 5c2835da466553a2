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
import { parse } from "../args.js";
import type { Io } from "../io.js";

export const stateUsage = "lxm state log|show|verify|gc [--dir DIR] [--branch NAME] [--json]";

const common = { dir: { type: "string" }, branch: { type: "string" }, json: { type: "boolean" } } as const;

async function locate(io: Io, dir: string | undefined, branch: string | undefined) {
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
        `${r.resources} resources, ${r.done} done, ${r.failed} failed, ${r.notStarted} not started  (commit ${r.commit.slice(0, 12)})` +
        (r.verified ? "" : "  DOES NOT VERIFY") +
        "\n",
    );
  }
  return 0;
}

async function stateShow(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, common, 2, "lxm state show [REF|HASH] [ADDRESS] [--dir DIR] [--branch NAME] [--json]");
  const { repo, branch } = await locate(io, values.dir, values.branch);
  // One positional that looks like an address (domain/type.name) is the address of the head.
  let ref: string | undefined = positionals[0];
  let address: string | undefined = positionals[1];
  if (ref !== undefined && address === undefined && /^[A-Za-z_][\w-]*\/[^\s]+\.[^\s]+/.test(ref) && !ref.startsWith("lexum/")) {
    address = ref;
    ref = undefined;
  }
  const commit = await resolveSnapshotRef(repo.gitdir, branch, ref);
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

async function stateVerify(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { ...common, replay: { type: "boolean" } }, 0, "lxm state verify [--replay] [--dir DIR] [--branch NAME] [--json]");
  const { repo, branch } = await locate(io, values.dir, values.branch);
  const report = await verifyBranch(repo.gitdir, branch);
  if (values.json) io.out(JSON.stringify({ branch, commits: report.commits, ok: report.bad === null, bad: report.bad }, null, 2) + "\n");
  else if (report.bad) {
    io.err(`error: ${branch} does not verify: first bad commit ${report.bad.oid}\n` + report.bad.problems.map((p) => `  - ${p}\n`).join(""));
  } else io.out(`ok: ${report.commits} snapshot${report.commits === 1 ? "" : "s"} on ${branch} verify\n`);
  return report.bad ? 1 : 0;
}

async function stateGc(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, common, 0, "lxm state gc [--dir DIR]");
  const { repo } = await locate(io, values.dir, values.branch);
  await gcState({ workdir: repo.workdir });
  if (!values.json) io.out("ok: loose objects packed (git gc)\n");
  return 0;
}
