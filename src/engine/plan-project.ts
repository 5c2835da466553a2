import { hasErrors, sortDiagnostics } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import type { SourceSet } from "../diag/source.js";
import { compileProjectFiles } from "../lang/compile-project.js";
import { evaluateResidual } from "../lang/residual.js";
import { buildPlan } from "../plan/index.js";
import type { Plan, PriorState, Reality } from "../plan/types.js";
import type { Program, SpanTable } from "../program/types.js";
import { priorOf } from "../state/snapshot.js";
import { DEFAULT_STATE_BRANCH } from "../state/store.js";
import { ProviderPool } from "./providers.js";
import { secretAccess, secretNames } from "./secrets.js";
import type { SecretAccess } from "./secrets.js";
import { readStateHead } from "./state-head.js";
import type { StateHead } from "./state-head.js";
import { openWorkspace } from "./workspace.js";
import type { Workspace } from "./workspace.js";

export interface PlanOptions {
  readonly dir: string;
  readonly rev?: string;
  readonly refresh?: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Keep the plan's canonical JSON (`Planned.planText`): an apply journals it. */
  readonly keepPlanText?: boolean;
}

/** Everything a plan was made from, so apply can run it and record it. */
export interface Planned {
  readonly workspace: Workspace;
  readonly sources: SourceSet;
  readonly program: Program;
  readonly programHash: string;
  readonly spans: SpanTable;
  readonly settings: { readonly stateBranch: string; readonly parallelism: number };
  readonly head: StateHead | null;
  readonly prior: PriorState;
  readonly plan: Plan;
  /** `canonicalize(plan)`, made while the plan was hashed (with `keepPlanText`). */
  readonly planText?: string;
  readonly secrets: SecretAccess;
  readonly diagnostics: Diagnostic[];
}

/** Compile failed (or the plan was refused): the diagnostics say why; nothing was touched. */
export interface NotPlanned {
  readonly sources: SourceSet;
  readonly diagnostics: Diagnostic[];
}

/**
 * Compiles the goal, reads the state branch's head, optionally refreshes reality through the
 * providers, and builds the plan. Writes nothing (except, once, the state key).
 */
export async function planProject(opts: PlanOptions): Promise<Planned | NotPlanned> {
  const ws = await openWorkspace({ dir: opts.dir, rev: opts.rev });
  if (hasErrors(ws.diagnostics)) return { sources: ws.sources, diagnostics: sortDiagnostics(ws.diagnostics) };
  const { result: compiled, settings: projectSettings, diagnostics: compileDiagnostics } = compileProjectFiles({
    files: ws.files,
    readFile: ws.readFile,
    settingsText: ws.settingsText,
  });
  const diagnostics = [...ws.diagnostics, ...compileDiagnostics];
  if (!compiled.program || !compiled.hash || hasErrors(diagnostics)) return { sources: compiled.sources, diagnostics: sortDiagnostics(diagnostics) };
  const program = compiled.program;
  const settings = { stateBranch: projectSettings.state_branch ?? DEFAULT_STATE_BRANCH, parallelism: projectSettings.parallelism ?? 10 };

  const secrets = secretAccess({ commondir: ws.repo.commondir, env: opts.env });
  for (const name of secretNames(program)) if (secrets.secret(name) === undefined) throw catalog.engine.missingSecret.error(name);

  const head = await readStateHead({ gitdir: ws.repo.gitdir, branch: settings.stateBranch });
  const prior = priorOf(head?.loaded ?? null);
  const reality = opts.refresh ? await refresh(program, prior, ws, opts.cwd, secrets) : undefined;
  const built = buildPlan({
    program,
    programHash: compiled.hash,
    prior,
    priorRun: head ? { status: head.loaded.snapshot.status, program: head.loaded.snapshot.program } : undefined,
    reality,
    sensitiveDigests: sensitiveDigests(program, secrets),
    spans: compiled.spans,
    keepText: opts.keepPlanText,
  });
  diagnostics.push(...built.diagnostics);
  if (!built.plan || hasErrors(diagnostics)) return { sources: compiled.sources, diagnostics: sortDiagnostics(diagnostics) };
  return {
    workspace: ws,
    sources: compiled.sources,
    program,
    programHash: compiled.hash,
    spans: compiled.spans,
    settings,
    head,
    prior,
    plan: built.plan,
    planText: built.text,
    secrets,
    diagnostics: sortDiagnostics(diagnostics),
  };
}

export function isPlanned(r: Planned | NotPlanned): r is Planned {
  return "plan" in r;
}

/** Digests of sensitive attributes whose value is known once secrets are (for change detection without the value). */
function sensitiveDigests(program: Program, secrets: SecretAccess): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of Object.keys(program.domains).sort()) {
    const dom = program.domains[d]!;
    for (const address of Object.keys(dom.resources).sort()) {
      const res = dom.resources[address]!;
      for (const attr of Object.keys(res.deferred).sort()) {
        const def = res.deferred[attr]!;
        if (!def.sensitive) continue;
        const r = evaluateResidual(def.expr, { ref: () => undefined, res: () => undefined, secret: (n) => secrets.secret(n) });
        if ("value" in r) out[`${address}#${attr}`] = secrets.digest(typeof r.value === "string" ? r.value : JSON.stringify(r.value));
      }
    }
  }
  return out;
}

/** Reads every recorded resource back from its provider (the `--refresh` view of reality). */
async function refresh(program: Program, prior: PriorState, ws: Workspace, cwd: string, secrets: SecretAccess): Promise<Reality> {
  const pool = new ProviderPool(program, prior, { cwd, projectDir: ws.projectDir }, secrets);
  const reality: Record<string, import("../program/types.js").JsonObject | null> = {};
  try {
    for (const address of Object.keys(prior.resources).sort()) {
      const rec = prior.resources[address]!;
      const inst = pool.get(rec.domain, rec.provider.alias);
      const controller = new AbortController();
      reality[address] = await inst.read(rec.type, rec.attrs, { signal: controller.signal, attempt: 1, address });
    }
  } finally {
    await pool.close();
  }
  return reality;
}
