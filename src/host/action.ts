/**
 * The Action's logic: reads the runner's environment, and per event plans (pull_request),
 * checks the merge queue's plan against the reviewed one (merge_group), or applies the
 * reviewed plan and pushes the state branch (push). Returns the step's exit code.
 */
export async function runAction(env: NodeJS.ProcessEnv): Promise<number> {
  void env;
  throw new Error("runAction: not built yet");
}
