import type { Repo } from "../git/index.js";
import type { Remote } from "../git/remote.js";
import type { ActionInputs, RunnerContext } from "./runner.js";
import type { CodeHost } from "./types.js";

/** One run of the Action: its inputs, the runner's context, and the edges it talks to. */
export interface ActionRun {
  readonly env: NodeJS.ProcessEnv;
  readonly inputs: ActionInputs;
  readonly ctx: RunnerContext;
  readonly host: CodeHost;
  /** The workspace's `origin`, with the token as an http.extraheader (never in the URL). */
  readonly remote: Remote;
  readonly repo: Repo;
  /** The project folder (absolute). */
  readonly dir: string;
  /** The project folder relative to the repository's top, posix; "." for the top. */
  readonly projectPath: string;
  /** The check run's name: `lexum plan`, or `lexum plan (<path>, <environment>)` with what applies (checkRunName). */
  readonly checkName: string;
  /** This workflow run's page (where the job summary is). */
  readonly runUrl: string;
  /** Prints a line the runner reads (a workflow command or a log line). */
  out(line: string): void;
  /** Sets a step output (written once per name and value). */
  output(name: "plan-hash" | "has-changes" | "snapshot" | "summary", value: string): Promise<void>;
}
