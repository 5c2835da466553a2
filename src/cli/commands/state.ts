import path from "node:path";
import { catalog } from "../../diag/index.js";
import { findRepo } from "../../git/repo.js";
import { loadProjectSettings, projectStateBranch } from "../../lang/index.js";
import { realpathSync } from "node:fs";
import { compareNatural } from "../../program/address.js";
import { findAddress } from "../../engine/address-lookup.js";
import { prettyCanonical } from "../../program/canonical.js";
import { listStateCommits, readStateFile } from "../../state/store.js";
import { firstLine } from "../../state/snapshot.js";
import { editWords } from "../../state/records.js";
import { parseTraceJsonl } from "../../runtime/trace.js";
import type { TraceEvent } from "../../runtime/types.js";
import { collectGarbage } from "../../engine/gc.js";
import { inspectCommit, resolveSnapshotRef } from "../../engine/history.js";
import { readStateHead } from "../../engine/state-head.js";
import { verifyBranch } from "../../engine/verify.js";
import { editState } from "../../engine/edit-state.js";
import type { EditRequest } from "../../engine/edit-state.js";
import { replayBranch, stateAtStep } from "../../engine/replay.js";
import type { Repo } from "../../git/repo.js";
import type { StateCommit } from "../../state/store.js";
import { branchFlag, dirFlag, jsonFlag, parse, pickSubcommand, projectFlag } from "../args.js";
import { chooseProjects } from "../projects.js";
import type { CommandSpec, GroupSpec } from "../args.js";
import { count } from "../counts.js";
import type { Io } from "../io.js";
import { errorDocument, printError } from "../io.js";

const common = { ...dirFlag, ...projectFlag, ...branchFlag, ...jsonFlag } as const;
const REF_NOTE = "REF is a state-branch revision (lexum/state~1, a commit id), HASH a snapshot hash or prefix; the default is the last run.";

const listSpec = {
  name: "state list",
  summary: "Every resource address of the last snapshot, one per line (natural order); PREFIX keeps those that start with it.",
  args: "[PREFIX]",
  maxPositionals: 1,
  flags: common,
  notes: ["PREFIX matches the full address (web/fs.file.page) or the address without its domain (fs.file.page)."],
} as const satisfies CommandSpec;

const logSpec = {
  name: "state log",
  summary: "One line per snapshot: short hash, status, goal commit, counts (a failure record: its reason; a drift record: what it observed).",
  maxPositionals: 0,
  flags: common,
} as const satisfies CommandSpec;

const showSpec = {
  name: "state show",
  summary: "A snapshot's summary and resources, or one resource's record.",
  args: "[REF|HASH] [ADDRESS]",
  maxPositionals: 2,
  flags: {
    ...common,
    at: { type: "string", value: "STEP", integer: { min: 0, words: "a trace step (a whole number ≥ 0)" }, description: "every resource as it stood after trace step STEP" },
  },
  notes: [
    REF_NOTE,
    'ADDRESS as `lxm plan` prints it (fs.file.page["index"], the key quoted or not) or in full (web/fs.file.page["index"]).',
  ],
} as const satisfies CommandSpec;

const verifySpec = {
  name: "state verify",
  summary: "Recompute every snapshot hash, check the parent chain and each commit's tree; name the first bad commit.",
  maxPositionals: 0,
  flags: { ...common, replay: { type: "boolean", description: "also replay every snapshot on its recorded observations" } },
} as const satisfies CommandSpec;

const gcSpec = {
  name: "state gc",
  summary: "Pack the loose objects state commits leave behind (git gc, git's grace period, never --prune=now), under the apply lock.",
  maxPositionals: 0,
  flags: common,
} as const satisfies CommandSpec;

const ADDRESS_NOTE = 'ADDRESS as `lxm plan` prints it (fs.file.page["index"]) or in full (web/fs.file.page["index"]); a `for` resource without a key names every recorded instance.';

const rmSpec = {
  name: "state rm",
  summary: "Forget resources without deleting them: one commit on the state branch (an edit record) that verify and replay rebuild.",
  args: "ADDRESS…",
  maxPositionals: 1000,
  flags: common,
  notes: [ADDRESS_NOTE, "The objects stay in the world, no longer managed; the next plan creates what the code still declares (and refuses to overwrite an object that differs)."],
} as const satisfies CommandSpec;

const mvSpec = {
  name: "state mv",
  summary: "Record a resource under another address, the object kept: one commit on the state branch (an edit record) that verify and replay rebuild.",
  args: "FROM TO",
  maxPositionals: 2,
  flags: common,
  notes: [ADDRESS_NOTE, "TO without a domain stays in FROM's domain. A rename in the code is better written as a `moved` block, which the plan shows and applies."],
} as const satisfies CommandSpec;

/** `lxm state`'s subcommands and their flags (parser, usage and --help). */
export const stateSpec: GroupSpec = {
  name: "state",
  summary: "Inspect and edit the state branch: list, log, show, verify, gc, rm, mv.",
  subcommands: { list: listSpec, log: logSpec, show: showSpec, verify: verifySpec, gc: gcSpec, rm: rmSpec, mv: mvSpec },
};

/** The repository and state branch a `state`/`replay` command reads: --branch, else lexum.yaml, else the default. */
export async function locate(io: Io, dir: string | undefined, branch: string | undefined, project?: string) {
  const base = path.resolve(io.cwd, dir ?? ".");
  // The project's own branch (a folder with several projects: the one --project names).
  const projectDir = branch && project === undefined ? base : (await chooseProjects(base, project, false, io.cwd))[0]!.dir;
  const repo = await findRepo(projectDir);
  if (branch) return { repo, branch };
  const settings = (await loadProjectSettings(projectDir)).settings;
  const projectPath = path.relative(realpathSync(repo.workdir), realpathSync(projectDir)).split(path.sep).join("/");
  return { repo, branch: projectStateBranch(settings, projectPath) };
}

function short(h: string | null | undefined): string {
  return h ? h.replace(/^sha256:/, "").slice(0, 12) : "-";
}

/** `lxm state list|log|show|verify|gc`. */
export async function stateCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (pickSubcommand(stateSpec, sub)) {
    case listSpec:
      return stateList(rest, io);
    case logSpec:
      return stateLog(rest, io);
    case showSpec:
      return stateShow(rest, io);
    case verifySpec:
      return stateVerify(rest, io);
    case rmSpec:
      return stateEdit(rest, io, rmSpec);
    case mvSpec:
      return stateEdit(rest, io, mvSpec);
    default:
      return stateGc(rest, io);
  }
}

/** `lxm state rm ADDRESS…` and `lxm state mv FROM TO`: one edit record on the state branch. */
async function stateEdit(argv: string[], io: Io, spec: typeof rmSpec | typeof mvSpec): Promise<number> {
  const { values, positionals } = parse(argv, spec);
  const wanted = spec === rmSpec ? 1 : 2;
  if (positionals.length < wanted) {
    const what = spec === rmSpec ? "an ADDRESS to forget" : positionals.length === 0 ? "FROM and TO (the address and its new address)" : "TO (the new address)";
    throw catalog.host.usage.error({ kind: "missing-argument", what, command: `lxm ${spec.name}` });
  }
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  const request: EditRequest = spec === rmSpec ? { command: "rm", addresses: positionals } : { command: "mv", from: positionals[0]!, to: positionals[1]! };
  const done = await editState({ gitdir: repo.gitdir, commondir: repo.commondir, branch, request });
  if (values.json) io.out(JSON.stringify({ commit: done.oid, snapshot: done.hash, edit: done.edit }, null, 2) + "\n");
  else {
    const lines = done.edit.command === "rm" ? done.edit.addresses.map((a) => `forgot ${a} (the object is left as it is)`) : done.edit.moves.map((m) => `moved ${m.from} → ${m.to}`);
    io.out(`${lines.join("\n")}\nrecorded on ${branch}: snapshot ${short(done.hash)} (commit ${done.oid.slice(0, 12)})\n`);
  }
  return 0;
}

/** `lxm state list [PREFIX]`: the last snapshot's addresses in natural order (Terraform's `state list`). */
async function stateList(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, listSpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  const head = await readStateHead({ gitdir: repo.gitdir, branch });
  const prefix = positionals[0];
  const addresses = Object.keys(head?.loaded.resources ?? {})
    .filter((a) => prefix === undefined || a.startsWith(prefix) || a.slice(a.indexOf("/") + 1).startsWith(prefix))
    .sort(compareNatural);
  if (values.json) io.out(JSON.stringify(addresses, null, 2) + "\n");
  else for (const a of addresses) io.out(a + "\n");
  if (!head) io.err(`no snapshot on ${branch} yet\n`);
  return 0;
}

async function stateLog(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, logSpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  const commits = await listStateCommits({ gitdir: repo.gitdir, branch });
  const rows = [];
  for (const c of commits) {
    const ins = await inspectCommit(repo.gitdir, c);
    const s = ins.loaded?.snapshot;
    rows.push({
      commit: c.oid,
      snapshot: ins.loaded?.hash ?? null,
      status: s?.status ?? "unreadable",
      kind: s?.kind ?? "run",
      goal: s?.source.commit ?? null,
      resources: s ? Object.keys(s.resources).length : 0,
      done: s?.dag.done.length ?? 0,
      failed: s?.dag.failed.length ?? 0,
      notStarted: s?.dag.notStarted.length ?? 0,
      reason: s?.failure?.reason ?? null,
      // A drift record: how many resources it observed other than recorded (its drift events).
      drifted: s?.kind === "drift" ? await driftCount(repo.gitdir, c.oid) : null,
      verified: ins.problems.length === 0,
      ...(s?.kind === "failure" ? { message: firstLine(s.failure.message) } : {}),
      ...(s?.kind === "edit" ? { edit: editWords(s.edit) } : {}),
    });
  }
  if (values.json) {
    io.out(JSON.stringify(rows, null, 2) + "\n");
    return 0;
  }
  if (rows.length === 0) io.out(`no snapshots on ${branch} yet\n`);
  for (const r of rows) {
    // Runs count their actions; a failure record says why its goal never ran, a drift record what it observed.
    const what =
      r.kind === "failure"
        ? `failure record (${r.reason}): ${r.message ?? ""}`
        : r.kind === "drift"
          ? `drift record: ${count(r.drifted ?? 0, "resource")} read back other than recorded`
          : r.kind === "edit"
            ? `edit record: ${r.edit ?? ""}`
            : `${count(r.done, "action")} done, ${r.failed} failed, ${r.notStarted} not started`;
    io.out(
      `${short(r.snapshot)}  ${r.status.padEnd(11)}  goal ${r.goal ? r.goal.slice(0, 12) : "working-tree"}  ` +
        `${count(r.resources, "resource")} recorded; ${what}  (commit ${r.commit.slice(0, 12)})` +
        (r.verified ? "" : "  DOES NOT VERIFY") +
        "\n",
    );
  }
  return 0;
}

/** The drift events of a drift record's trace.jsonl (0 when it cannot be read: `verified` says so). */
async function driftCount(gitdir: string, oid: string): Promise<number> {
  const bytes = await readStateFile({ gitdir, oid, path: "trace.jsonl" });
  if (!bytes) return 0;
  return new TextDecoder().decode(bytes).split("\n").filter((l) => l.includes('"phase":"drift"')).length;
}

/** A drift record's events (address, observed or gone), in trace order; [] when unreadable. */
async function driftEventsOf(gitdir: string, oid: string): Promise<TraceEvent[]> {
  const bytes = await readStateFile({ gitdir, oid, path: "trace.jsonl" });
  if (!bytes) return [];
  try {
    return parseTraceJsonl(new TextDecoder().decode(bytes)).filter((e) => e.phase === "drift");
  } catch {
    return [];
  }
}

async function stateShow(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, showSpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  // One positional that looks like an address is the address of the head.
  let ref: string | undefined = positionals[0];
  let address: string | undefined = positionals[1];
  if (ref !== undefined && address === undefined && looksLikeAddress(ref)) {
    address = ref;
    ref = undefined;
  }
  const commit = await resolveSnapshotRef(repo.gitdir, branch, ref);
  if (values.at !== undefined) return stateShowAt(io, repo, branch, commit, values.at, address, Boolean(values.json));
  const ins = await inspectCommit(repo.gitdir, commit);
  if (!ins.loaded) throw catalog.engine.corruptState.error(branch, commit.oid, ins.problems[0] ?? "unreadable");
  const { snapshot, hash, resources } = ins.loaded;
  if (address !== undefined) {
    io.out(prettyCanonical(resources[findAddress(address, Object.keys(resources))]!));
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
    ...(snapshot.kind === "failure" ? ["kind     failure record: the goal commit never ran; the resources are the parent's"] : []),
    ...(snapshot.kind === "drift" ? ["kind     drift record: reality read back other than recorded; nothing was applied"] : []),
    `goal     ${snapshot.source.commit ?? "(working tree)"}  path ${snapshot.source.path || "."}`,
    `program  ${snapshot.program ?? "none"}`,
    `plan     ${snapshot.plan ?? "none"}${snapshot.kind === "drift" ? " (the correction plan)" : ""}`,
    `parent   ${snapshot.parent ?? "none"}`,
  ];
  const f = snapshot.failure;
  if (f) {
    const where = f.domain !== null ? `${f.domain}${f.address ? " " + f.address : ""}: ` : "";
    const [first, ...more] = f.message.split("\n");
    lines.push(`failure  ${f.reason ? `(${f.reason}) ` : ""}${where}${first}`, ...more.map((l) => `         ${l}`));
  }
  if (ins.problems.length) lines.push(`DOES NOT VERIFY: ${ins.problems[0]}`);
  if (snapshot.kind === "drift") {
    const events = await driftEventsOf(repo.gitdir, commit.oid);
    lines.push("", `drifted (${events.length}):`);
    for (const e of events) lines.push(`  ${e.address ?? "?"}  ${e.after === null ? "gone" : "changed"}`);
  }
  if (snapshot.kind === undefined) {
    lines.push("", `domains:`);
    for (const d of Object.keys(snapshot.domains).sort()) lines.push(`  ${d}  ${snapshot.domains[d]}`);
  }
  lines.push("", `resources (${Object.keys(resources).length}):`);
  for (const a of Object.keys(resources).sort(compareNatural)) lines.push(`  ${a}`);
  io.out(lines.join("\n") + "\n");
  return 0;
}

/** `lxm state show --at STEP`: every resource as it stood after trace step STEP (past the last step: the final state). */
async function stateShowAt(io: Io, repo: Repo, branch: string, commit: StateCommit, at: string, address: string | undefined, json: boolean): Promise<number> {
  const st = await stateAtStep({ gitdir: repo.gitdir, commondir: repo.commondir, branch, env: io.env }, commit, Number(at));
  if (address !== undefined) {
    const found = findAddress(address, Object.keys(st.resources));
    const attrs = st.resources[found]!;
    io.out(prettyCanonical(json ? { address: found, step: st.step, attrs } : attrs));
    return 0;
  }
  if (json) {
    io.out(prettyCanonical({ snapshot: st.loaded.hash, commit: commit.oid, step: st.step, lastStep: st.lastStep, resources: st.resources }));
    return 0;
  }
  const addresses = Object.keys(st.resources).sort(compareNatural);
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
  const { values } = parse(argv, verifySpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  const report = await verifyBranch(repo.gitdir, branch);
  // Replay only a branch whose hashes and chain hold: a broken commit is named by the checks above.
  const replayed = values.replay && !report.bad ? await replayBranch({ gitdir: repo.gitdir, commondir: repo.commondir, workdir: repo.workdir, branch, env: io.env }) : null;
  const ok = report.bad === null && !replayed?.bad;
  if (values.json) {
    const failed = report.bad
      ? errorDocument(catalog.engine.corruptState.error(branch, report.bad.oid, report.bad.problems[0] ?? "it does not verify"))
      : replayed?.bad
        ? errorDocument(catalog.engine.notReproduced.error(replayed.bad.recorded, replayed.bad.commit, replayed.bad.problem ?? "it diverged"))
        : {};
    io.out(JSON.stringify({ ...failed, branch, commits: report.commits, ok, bad: report.bad, ...(replayed ? { replay: replayed } : {}) }, null, 2) + "\n");
  } else if (report.bad) {
    printError(io, catalog.engine.branchNotVerified.error(branch, report.bad.oid, report.bad.problems), false);
  } else if (replayed?.bad) {
    const b = replayed.bad;
    printError(io, catalog.engine.branchNotReplayed.error(branch, b.commit, b.problem ?? "it diverged"), false);
  } else {
    const hashOnly = replayed ? replayed.reports.filter((r) => r.outcome === "hash-only").length : 0;
    const dirty = replayed ? replayed.reports.filter((r) => r.outcome === "dirty") : [];
    const records = replayed ? replayed.reports.filter((r) => r.outcome === "recorded").length : 0;
    const notes = [
      ...(hashOnly ? [`${hashOnly} interrupted run${hashOnly === 1 ? "" : "s"} verified by hash only`] : []),
      ...(records ? [`${records} failure or drift record${records === 1 ? "" : "s"} rebuilt from ${records === 1 ? "its parent" : "their parents"}`] : []),
      ...(dirty.length ? [`${dirty.length} run${dirty.length === 1 ? "" : "s"} applied from uncommitted changes verified by hash only`] : []),
    ];
    const how = replayed ? ` and replay${notes.length ? ` (${notes.join(", ")})` : ""}` : "";
    // Each run that cannot be replayed is explained, so that it is not taken for tampering.
    for (const r of dirty) io.out(`not replayed ${r.recorded} (commit ${r.commit.slice(0, 12)}): ${r.problem}\n`);
    io.out(`ok: ${report.commits} snapshot${report.commits === 1 ? "" : "s"} on ${branch} verify${how}\n`);
  }
  return ok ? 0 : 1;
}

async function stateGc(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, gcSpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  await collectGarbage({ repo, branch });
  io.out(values.json ? JSON.stringify({ ok: true }) + "\n" : "ok: loose objects packed (git gc)\n");
  return 0;
}

/** True when a lone `state show` argument is an address rather than a revision or hash. */
function looksLikeAddress(s: string): boolean {
  if (s.startsWith("lexum/")) return false;
  return /\]$/.test(s) || /^[A-Za-z_][\w-]*[/.][A-Za-z_]\w*\.[A-Za-z_][\w-]*/.test(s);
}
