import path from "node:path";
import { catalog } from "../diag/index.js";
import { findProjects } from "../engine/projects.js";
import type { Io } from "./io.js";

/** A project a command runs on: its folder, and its path under the folder the command was given ("" for that folder). */
export interface ChosenProject {
  readonly dir: string;
  readonly name: string;
}

/**
 * The projects a command runs on, under `base` (its --dir or positional folder): the one
 * `--project` names; else the folder itself, or its only project; else, with several
 * projects, all of them for the commands that take several (`many`: check, plan), LXM5024
 * for the others. A folder with no project is returned as it is (the command says what is
 * missing).
 */
export async function chooseProjects(base: string, project: string | undefined, many: boolean, cwd: string = base): Promise<ChosenProject[]> {
  const found = await findProjects(base);
  const shown = path.relative(cwd, base).split(path.sep).join("/") || ".";
  if (project !== undefined) {
    const wanted = path.posix.normalize(project.split(path.sep).join("/")).replace(/\/+$/, "");
    const name = wanted === "." ? "" : wanted;
    if (!found.includes(name)) throw catalog.host.projectChoice.error(`--project ${project} is not a project under ${shown}`, found);
    return [{ dir: name === "" ? base : path.join(base, ...name.split("/")), name }];
  }
  if (found.length <= 1) {
    const only = found[0] ?? "";
    return [{ dir: only === "" ? base : path.join(base, ...only.split("/")), name: only }];
  }
  if (!many) throw catalog.host.projectChoice.error(`${shown} holds ${found.length} projects`, found);
  return found.map((name) => ({ dir: name === "" ? base : path.join(base, ...name.split("/")), name }));
}

/**
 * Runs a command on each chosen project. One project: the command as it always ran. Several
 * (check, plan): each in turn under a `== project PATH ==` heading; with --json one document,
 * `{"projects": [{"project": PATH, "result": <the command's document>}]}`. The exit code is
 * the worst: 1 when any failed, else 2 when any reported changes (--detailed-exitcode), else 0.
 */
export async function forEachProject(io: Io, chosen: readonly ChosenProject[], json: boolean, run: (io: Io, project: ChosenProject) => Promise<number>): Promise<number> {
  if (chosen.length === 1) return run(io, chosen[0]!);
  const codes: number[] = [];
  const docs: { project: string; result: unknown }[] = [];
  for (const [i, p] of chosen.entries()) {
    const shown = p.name === "" ? "." : p.name;
    if (!json) {
      io.out(`${i === 0 ? "" : "\n"}== project ${shown} ==\n`);
      codes.push(await run(io, p));
      continue;
    }
    let text = "";
    codes.push(await run({ ...io, out: (t) => void (text += t) }, p));
    docs.push({ project: shown, result: JSON.parse(text) as unknown });
  }
  if (json) io.out(JSON.stringify({ projects: docs }, null, 2) + "\n");
  return codes.includes(1) ? 1 : codes.includes(2) ? 2 : 0;
}
