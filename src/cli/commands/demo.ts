import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jsonFlag, parse } from "../args.js";
import type { CommandSpec } from "../args.js";
import { catalog } from "../../diag/index.js";
import type { Io } from "../io.js";
import { printError } from "../io.js";

/** `lxm demo`'s flags (parser, usage and --help). */
export const demoSpec = {
  name: "demo",
  summary: "Run the built-in demo in a scratch git repository (no network).",
  maxPositionals: 0,
  flags: {
    dir: { type: "string", value: "DIR", description: "the scratch folder, empty or new (default: a new temporary folder)" },
    ...jsonFlag,
  },
} as const satisfies CommandSpec;

/** Where the demo's two goal versions live (fixtures/demo/v1, v2), from src/ or dist/. */
function demoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../fixtures/demo");
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Lexum Demo",
      GIT_AUTHOR_EMAIL: "demo@lexum.invalid",
      GIT_COMMITTER_NAME: "Lexum Demo",
      GIT_COMMITTER_EMAIL: "demo@lexum.invalid",
      // Fixed dates: the demo's state commit ids are the same on every machine.
      GIT_AUTHOR_DATE: "2026-01-01T12:00:00Z",
      GIT_COMMITTER_DATE: "2026-01-01T12:00:00Z",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function copyInto(from: string, to: string): void {
  for (const name of fs.readdirSync(to)) if (name !== ".git" && name !== "out") fs.rmSync(path.join(to, name), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}

/**
 * `lxm demo`: a whole GitOps cycle on the embedded example, in a scratch git repository:
 * commit v1 → plan → apply (fs provider, files under ./out) → commit v2 (changes, a
 * replacement and a deletion) → plan → apply → state log → state verify. No network.
 */
export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, demoSpec);
  const { run } = await import("../main.js");
  const dir = values.dir ? path.resolve(io.cwd, values.dir) : fs.mkdtempSync(path.join(os.tmpdir(), "lexum-demo-"));
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw catalog.host.usage.error(`demo: ${dir} is not empty; pass --dir with an empty or new folder`);
  // With --json the steps' own output is dropped and one JSON summary is printed at the end.
  const quiet = Boolean(values.json);
  const inner: Io = quiet ? { ...io, out: () => undefined, err: () => undefined, cwd: dir, confirm: undefined } : { ...io, cwd: dir, confirm: undefined };
  const say = (s: string) => void (quiet || io.out(`\n== ${s}\n`));
  const step = async (title: string, args: string[], expect: number[]): Promise<boolean> => {
    say(`${title}: lxm ${args.join(" ")}`);
    const code = await run(args, inner);
    if (!expect.includes(code)) {
      printError(io, catalog.engine.demoStepFailed.error(`lxm ${args.join(" ")}`, code, expect.join(" or ")), false);
      return false;
    }
    return true;
  };

  say(`scratch repository ${dir}`);
  git(dir, "init", "--quiet", "--initial-branch=main");
  copyInto(path.join(demoRoot(), "v1"), dir);
  git(dir, "add", "-A");
  git(dir, "commit", "--quiet", "-m", "goal v1: storage settings, three pages, a symlink");
  const ok =
    (await step("check the goal", ["check"], [0])) &&
    (await step("plan the first commit", ["plan", "--detailed-exitcode"], [2])) &&
    (await step("apply it", ["apply", "--yes"], [0])) &&
    (await step("plan again: nothing to do", ["plan", "--detailed-exitcode"], [0])) &&
    (await (async () => {
      copyInto(path.join(demoRoot(), "v2"), dir);
      git(dir, "add", "-A");
      git(dir, "commit", "--quiet", "-m", "goal v2: drop the about page, tighten modes, repoint the symlink");
      return true;
    })()) &&
    (await step("plan the second commit", ["plan", "--detailed-exitcode"], [2])) &&
    (await step("apply it", ["apply", "--yes"], [0])) &&
    (await step("the state branch", ["state", "log"], [0])) &&
    (await step("verify every snapshot", ["state", "verify"], [0]));
  say(ok ? `done. Look around: cd ${dir} && git log lexum/state && ls -R out` : "demo failed");
  if (quiet) io.out(JSON.stringify({ ok, dir, state: ok ? git(dir, "rev-parse", "lexum/state").trim() : null }) + "\n");
  return ok ? 0 : 1;
}
