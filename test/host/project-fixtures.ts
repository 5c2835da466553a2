import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyProject } from "../../src/engine/apply-project.js";
import type { ApplyOutcome } from "../../src/engine/apply-project.js";
import { isPlanned, planProject } from "../../src/engine/plan-project.js";
import type { NotPlanned, Planned } from "../../src/engine/plan-project.js";
import { gitc, repoFactory } from "../git/helpers.js";

/** Real projects for the host's tests: a git repository per project, compiled and planned by the engine. */

export const ENV = { LXM_STATE_KEY: "test-key" };

export interface Project {
  readonly dir: string;
  readonly gitdir: string;
  /** Replaces files, commits them, returns the new commit id. */
  commit(files: Record<string, string>): string;
  head(): string;
  plan(): Promise<Planned>;
  /** Compiles a project that has errors. */
  fail(): Promise<NotPlanned>;
  apply(): Promise<ApplyOutcome>;
}

/** For one test file: `project(files)` makes a repository holding `files` (plus a .gitignore for the sim world). */
export function projectFactory(): (files: Record<string, string>) => Project {
  const repo = repoFactory();
  return (files) => {
    const r = repo({ ".gitignore": "world.json\n", ...files });
    const self: Project = {
      dir: r.dir,
      gitdir: r.gitdir,
      commit(next) {
        for (const [p, c] of Object.entries(next)) writeFileSync(join(r.dir, p), c);
        gitc(r.dir, "add", "-A");
        gitc(r.dir, "commit", "-q", "-m", "change");
        return self.head();
      },
      head: () => gitc(r.dir, "rev-parse", "HEAD"),
      async plan() {
        const p = await planProject({ dir: r.dir, cwd: r.dir, env: ENV });
        if (!isPlanned(p)) throw new Error(`did not plan: ${p.diagnostics.slice(0, 3).map((d) => `${d.code} ${d.message}`).join("; ")}`);
        return p;
      },
      async fail() {
        const p = await planProject({ dir: r.dir, cwd: r.dir, env: ENV });
        if (isPlanned(p)) throw new Error("planned, expected compile errors");
        return p;
      },
      async apply() {
        const out = await applyProject({ dir: r.dir, cwd: r.dir, env: ENV, backoffMs: () => 0 });
        if (!("commits" in out)) throw new Error(`did not apply: ${out.diagnostics.slice(0, 3).map((d) => `${d.code} ${d.message}`).join("; ")}`);
        return out;
      },
    };
    return self;
  };
}
