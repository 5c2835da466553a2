import path from "node:path";
import { LexumError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { isValidRefName, branchRef, findRepo } from "../git/index.js";
import { remoteUrl, tokenAuth } from "../git/remote.js";
import { applyMerge } from "./action-apply.js";
import { checkMergeGroup, planOnly, planPullRequest } from "./action-plan.js";
import type { ActionRun } from "./action-run.js";
import { createGitHubHost } from "./github.js";
import { findProjects } from "../engine/projects.js";
import { appendSummary, command, readInputs, readRunnerContext, setOutput } from "./runner.js";

/** Where the Action's commands go (stdout for the runner); tests pass their own. */
export interface ActionIo {
  out(line: string): void;
}

const processIo: ActionIo = { out: (line) => void process.stdout.write(line + "\n") };

/**
 * The Action's logic: reads the runner's environment, and per event plans (pull_request),
 * checks the merge queue's plan against the reviewed one (merge_group), or applies the
 * reviewed plan and pushes the state branch (push to the default branch). Returns the
 * step's exit code (0 or 1); every failure is reported as an annotation and in the job
 * summary, never as a stack.
 */
export async function runAction(env: NodeJS.ProcessEnv, io: ActionIo = processIo): Promise<number> {
  let projects: string[];
  try {
    const inputs = readInputs(env);
    if (inputs.githubToken !== "") io.out(`::add-mask::${inputs.githubToken}`);
    // The folder's projects (subfolders with their own lexum.yaml); the folder itself when it is the only one.
    projects = await findProjects(path.resolve(readRunnerContext(env).workspace, inputs.path));
  } catch (e) {
    io.out(command("error", { title: codeOf(e) }, messageOf(e)));
    return 1;
  }
  if (projects.length <= 1) return runProject(env, io, projects[0] ?? "", null);
  // Several projects: each planned or applied in turn, with its own check run, comment and
  // state branch; the step's outputs gather them once every project ran.
  const gathered = new Map<string, Map<string, string>>();
  let code = 0;
  for (const p of projects) {
    const outputs = new Map<string, string>();
    gathered.set(p === "" ? "." : p, outputs);
    code = Math.max(code, await runProject(env, io, p, outputs));
  }
  await gatherOutputs(env, gathered);
  return code;
}

/** One project's run (`sub`: its folder under the `path` input); `collect` takes its outputs instead of the step's when there are several projects. */
async function runProject(env: NodeJS.ProcessEnv, io: ActionIo, sub: string, collect: Map<string, string> | null): Promise<number> {
  let run: ActionRun;
  try {
    run = await openRun(env, io, sub, collect);
  } catch (e) {
    io.out(command("error", { title: codeOf(e) }, messageOf(e)));
    return 1;
  }
  try {
    return await dispatch(run);
  } catch (e) {
    run.out(command("error", { title: codeOf(e) }, messageOf(e)));
    await appendSummary(run.env, `### Lexum failed${collect ? ` (${run.projectPath})` : ""}\n\n**${codeOf(e)}**: ${escapeText(messageOf(e))}\n`).catch(() => undefined);
    return 1;
  }
}

/**
 * The step's outputs of a run over several projects: `has-changes` true when any project's
 * plan has changes; `summary` one line per project (`infra: Plan: …`); `plan-hash` and
 * `snapshot` a JSON object by project path.
 */
async function gatherOutputs(env: NodeJS.ProcessEnv, gathered: ReadonlyMap<string, ReadonlyMap<string, string>>): Promise<void> {
  const names = [...gathered.keys()].sort();
  const byProject = (name: string): string => JSON.stringify(Object.fromEntries(names.filter((p) => gathered.get(p)!.has(name)).map((p) => [p, gathered.get(p)!.get(name)!])));
  if (names.some((p) => gathered.get(p)!.has("has-changes"))) await setOutput(env, "has-changes", String(names.some((p) => gathered.get(p)!.get("has-changes") === "true")));
  const summaries = names.filter((p) => gathered.get(p)!.has("summary")).map((p) => `${p}: ${gathered.get(p)!.get("summary")!}`);
  if (summaries.length > 0) await setOutput(env, "summary", summaries.join("\n"));
  for (const name of ["plan-hash", "snapshot"]) if (names.some((p) => gathered.get(p)!.has(name))) await setOutput(env, name, byProject(name));
}

async function dispatch(run: ActionRun): Promise<number> {
  const name = run.ctx.eventName;
  const mode = run.inputs.mode;
  if (name === "pull_request" || name === "pull_request_target") {
    if (mode === "apply") throw catalog.action.applyOnPullRequest.error(name);
    const action = String(run.ctx.event.action ?? "");
    if (!["opened", "synchronize", "reopened"].includes(action)) {
      run.out(command("notice", {}, `Lexum plans on opened, synchronize and reopened; nothing to do for "${action}".`));
      return 0;
    }
    return planPullRequest(run);
  }
  if (name === "merge_group") return checkMergeGroup(run);
  if (name === "push") {
    const repo = run.ctx.event.repository as { default_branch?: unknown } | undefined;
    const onDefault = typeof repo?.default_branch === "string" && run.ctx.ref === `refs/heads/${repo.default_branch}`;
    if (mode === "apply" || (mode === "auto" && onDefault)) return applyMerge(run);
    return planOnly(run, run.ctx.sha);
  }
  if (mode === "apply") return applyMerge(run);
  return planOnly(run, run.ctx.sha);
}

/** Reads inputs and the runner's context, masks the token, and finds the repository and its remote. */
async function openRun(env: NodeJS.ProcessEnv, io: ActionIo, sub: string, collect: Map<string, string> | null): Promise<ActionRun> {
  // The token is masked already (runAction), before anything else was printed.
  const inputs = readInputs(env);
  const ctx = readRunnerContext(env);
  if (inputs.stateBranch !== null && !isValidRefName(branchRef(inputs.stateBranch))) throw catalog.action.badStateBranchInput.error(inputs.stateBranch);
  // One state branch cannot hold several projects.
  if (inputs.stateBranch !== null && collect !== null) throw catalog.action.stateBranchForSeveral.error(inputs.stateBranch, inputs.path);
  if (inputs.githubToken === "") throw catalog.action.noToken.error();
  const dir = path.resolve(ctx.workspace, inputs.path, ...sub.split("/").filter((p) => p !== ""));
  const repo = await findRepo(dir);
  const projectPath = path.relative(repo.workdir, dir).split(path.sep).join("/") || ".";
  if (projectPath.startsWith("..")) throw catalog.action.pathOutsideWorkspace.error(inputs.path);
  const host = createGitHubHost({ token: inputs.githubToken, apiUrl: ctx.apiUrl, repository: ctx.repository });
  const remote = { url: await remoteUrl(repo.gitdir), auth: tokenAuth(inputs.githubToken) };
  const outputs = new Map<string, string>();
  return {
    env,
    inputs,
    ctx,
    host,
    remote,
    repo,
    dir,
    projectPath,
    // One check run per project and environment.
    checkName: checkRunName(projectPath, inputs.environment),
    runUrl: ctx.runId === null ? `${ctx.serverUrl}/${ctx.repository}/actions` : `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}`,
    out: (line) => io.out(line),
    output: async (name, value) => {
      if (outputs.get(name) === value) return;
      outputs.set(name, value);
      if (collect) collect.set(name, value);
      else await setOutput(env, name, value);
    },
  };
}

function codeOf(e: unknown): string {
  return e instanceof LexumError ? e.code : "LXM4021";
}

function messageOf(e: unknown): string {
  if (e instanceof LexumError) return e.hint ? `${e.message} (${e.hint})` : e.message;
  return catalog.engine.internalError.error(e instanceof Error ? e.message : String(e)).message;
}

function escapeText(s: string): string {
  return s.replace(/[<>&]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&amp;"));
}

/** The check run's name: `lexum plan`, with the project folder and the environment in parentheses when there are. */
export function checkRunName(projectPath: string, environment: string | null): string {
  const parts = [projectPath === "." ? null : projectPath, environment].filter((p): p is string => p !== null);
  return parts.length === 0 ? "lexum plan" : `lexum plan (${parts.join(", ")})`;
}
