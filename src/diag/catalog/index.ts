/**
 * The one catalog of user-facing messages. Ranges by stage:
 * 1xxx syntax (syntax.ts) · 2xxx names, types, evaluation, schemas (semantic.ts) ·
 * 3xxx plan (plan.ts) · 40xx-41xx runtime and state (runtime.ts) · 42xx run orchestration (engine.ts) ·
 * 4340–4359 provider packages named in lexum.yaml (packages.ts) · 5xxx host, CLI, I/O (host.ts) ·
 * 6xxx GitHub and the GitHub Action: 6000–6029 GitHub's API (github.ts), 6030–6049 the runner's inputs, variables and files (runner.ts), 6050–6099 the Action's flows (action.ts) ·
 * 7xxx the lxm-sync agent: 7000–7019 (sync.ts).
 */
export * as syntax from "./syntax.js";
export * as semantic from "./semantic.js";
export * as plan from "./plan.js";
export * as runtime from "./runtime.js";
export * as host from "./host.js";
export * as engine from "./engine.js";
export * as packages from "./packages.js";
export * as action from "./action.js";
export * as github from "./github.js";
export * as runner from "./runner.js";
export * as sync from "./sync.js";
export { allCodes } from "./define.js";
export type { CodeDoc } from "./define.js";
