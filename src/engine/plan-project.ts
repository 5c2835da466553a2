import { hasErrors, sortDiagnostics } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import * as sem from "../diag/catalog/semantic.js";
import type { SourceSet } from "../diag/source.js";
import { evaluateResidual } from "../lang/residual.js";
import { buildPlan } from "../plan/index.js";
import type { Plan, PriorState, Reality } from "../plan/types.js";
import type { JsonObject, Program, ResourceIR, SpanTable } from "../program/types.js";
import { isProviderError } from "../providers/types.js";
import { priorOf } from "../state/snapshot.js";
import { DEFAULT_STATE_BRANCH } from "../state/store.js";
import { compileProject } from "./project-providers.js";
import { ProviderPool } from "./providers.js";
import type { ProjectProviders } from "../providers/project.js";
import { secretAccess, secretNames } from "./secrets.js";
import type { SecretAccess } from "./secrets.js";
import { readStateHead } from "./state-head.js";
import type { StateHead } from "./state-head.js";
import { openWorkspace } from "./workspace.js";
import type { InputChange, Workspace } from "./workspace.js";

export interface PlanOptions {
  readonly dir: string;
  readonly rev?: string;
  readonly refresh?: boolean;
  /** The current directory: paths in messages are shown relative to it (provider paths never resolve against it). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The environment (`--env`): its inputs and state branch (lexum.yaml `environments`). */
  readonly environment?: string;
  /** The state branch, overriding lexum.yaml's `state_branch` (the Action's `state-branch` input). */
  readonly stateBranch?: string;
  /**
   * Called once the state branch's name is known, before its head is read (the Action fetches
   * the remote's tip into the local branch here). Called again by each re-plan of an apply.
   */
  readonly beforeStateRead?: (args: { readonly gitdir: string; readonly branch: string }) => Promise<void>;
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
  /** The providers the project can use (built-ins and its package providers) and their types. */
  readonly providers: ProjectProviders;
  readonly head: StateHead | null;
  readonly prior: PriorState;
  /**
   * With `refresh`: what the providers read back for each recorded resource (address →
   * attributes as the provider returned them, sensitive ones included; null: gone). Never
   * written as is: driftedAddresses/recordDrift compare and record it without sensitive
   * attributes. Absent without `refresh`.
   */
  readonly reality?: Reality;
  readonly plan: Plan;
  /** `canonicalize(plan)`, made while the plan was hashed (with `keepPlanText`). */
  readonly planText?: string;
  readonly secrets: SecretAccess;
  readonly diagnostics: Diagnostic[];
  /**
   * How the working tree differs from the goal commit (HEAD) in the run's inputs, and the
   * untracked `.lxm` files (see Workspace.changes); empty for a clean tree and for `--rev`.
   * A plan with changes is a preview: apply refuses it without `allowDirty`.
   */
  readonly changes: InputChange[];
}

/** Compile failed (or the plan was refused): the diagnostics say why; nothing was touched. */
export interface NotPlanned {
  readonly sources: SourceSet;
  readonly diagnostics: Diagnostic[];
  /** As Planned.changes, as far as the inputs were read (absent when the workspace could not be opened). */
  readonly changes?: InputChange[];
}

/**
 * Compiles the goal, reads the state branch's head, optionally refreshes reality through the
 * providers, and builds the plan. Writes nothing (except, once, the state key).
 */
export async function planProject(opts: PlanOptions): Promise<Planned | NotPlanned> {
  const ws = await openWorkspace({ dir: opts.dir, rev: opts.rev });
  if (hasErrors(ws.diagnostics)) return { sources: ws.sources, diagnostics: sortDiagnostics(ws.diagnostics), changes: await ws.changes() };
  const { result: compiled, settings: projectSettings, diagnostics: compileDiagnostics, providers, stateBranch } = await compileProject({
    projectDir: ws.projectDir,
    files: ws.files,
    readFile: ws.readFile,
    tree: ws.tree,
    settingsText: ws.settingsText,
    environment: opts.environment ?? null,
    place: { projectDir: ws.projectDir, projectPath: ws.projectPath, folder: ws.folder, ...(ws.committed && ws.goal.commit ? { at: `at commit ${ws.goal.commit.slice(0, 12)}` } : {}) },
  });
  const diagnostics = [...ws.diagnostics, ...compileDiagnostics];
  // Environments have a state branch each: a plan is for one of them (the inputs' errors
  // without one would only be a consequence).
  const environments = Object.keys(projectSettings.environments).sort();
  if (environments.length > 0 && opts.environment === undefined && opts.stateBranch === undefined) {
    return { sources: compiled.sources, diagnostics: [...ws.diagnostics, sem.environmentRequired(undefined, environments)], changes: await ws.changes() };
  }
  // After compiling: file() read its inputs then.
  const changes = await ws.changes();
  if (!compiled.program || !compiled.hash || hasErrors(diagnostics)) return { sources: compiled.sources, diagnostics: sortDiagnostics(diagnostics), changes };
  const program = compiled.program;
  const settings = { stateBranch: opts.stateBranch ?? stateBranch ?? DEFAULT_STATE_BRANCH, parallelism: projectSettings.parallelism ?? 10 };

  const secrets = secretAccess({ commondir: ws.repo.commondir, env: opts.env });
  for (const name of secretNames(program)) if (secrets.secret(name) === undefined) throw catalog.engine.missingSecret.error(name);

  await opts.beforeStateRead?.({ gitdir: ws.repo.gitdir, branch: settings.stateBranch });
  const head = await readStateHead({ gitdir: ws.repo.gitdir, branch: settings.stateBranch });
  const prior = priorOf(head?.loaded ?? null);
  const refreshed = opts.refresh ? await refresh(program, prior, ws, secrets, compiled.spans, providers) : undefined;
  if (refreshed && "refused" in refreshed) return { sources: compiled.sources, diagnostics: sortDiagnostics([...diagnostics, ...refreshed.refused]), changes };
  const reality = refreshed?.reality;
  const found = await readToAdopt(program, prior, ws, secrets, compiled.spans, providers);
  if ("refused" in found) return { sources: compiled.sources, diagnostics: sortDiagnostics([...diagnostics, ...found.refused]), changes };
  const built = buildPlan({
    program,
    programHash: compiled.hash,
    prior,
    priorRun: head ? { status: head.loaded.snapshot.status, program: head.loaded.snapshot.program } : undefined,
    reality,
    existing: found.existing,
    catalog: providers.catalog,
    sensitiveDigests: sensitiveDigests(program, secrets),
    spans: compiled.spans,
    keepText: opts.keepPlanText,
  });
  for (const d of built.diagnostics) diagnostics.push(d);
  if (!built.plan || hasErrors(diagnostics)) return { sources: compiled.sources, diagnostics: sortDiagnostics(diagnostics), changes };
  return {
    workspace: ws,
    sources: compiled.sources,
    program,
    programHash: compiled.hash,
    spans: compiled.spans,
    settings,
    providers,
    head,
    prior,
    ...(reality ? { reality } : {}),
    plan: built.plan,
    planText: built.text,
    secrets,
    diagnostics: sortDiagnostics(diagnostics),
    changes,
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

/**
 * Reads every recorded resource back from its provider (the `--refresh` view of reality). A
 * provider's refusal (ProviderError: the object is of another kind, a path leaves the root, …)
 * becomes a located diagnostic naming the resource, one per refused resource; any other
 * error is a bug and propagates.
 */
async function refresh(
  program: Program,
  prior: PriorState,
  ws: Workspace,
  secrets: SecretAccess,
  spans: SpanTable,
  providers: ProjectProviders,
): Promise<{ reality: Reality } | { refused: Diagnostic[] }> {
  const pool = new ProviderPool(program, prior, { projectDir: ws.projectDir }, secrets, providers);
  const reality: Record<string, JsonObject | null> = {};
  const refused: Diagnostic[] = [];
  try {
    for (const address of Object.keys(prior.resources).sort()) {
      const rec = prior.resources[address]!;
      const inst = pool.get(rec.domain, rec.provider.alias);
      const controller = new AbortController();
      try {
        reality[address] = await inst.read(rec.type, rec.attrs, { signal: controller.signal, attempt: 1, address });
      } catch (e) {
        if (!isProviderError(e)) throw e;
        refused.push(catalog.engine.refreshReadRefused(spans[address], address, e.message, e.code));
      }
    }
  } finally {
    await pool.close();
  }
  return refused.length ? { refused } : { reality };
}

/**
 * Reads, through their providers, the resources marked `import = true` that have no record
 * yet: an object that exists is planned as `adopt`. A provider's refusal is a located
 * diagnostic (LXM4361); nothing is read when no resource asks for it.
 */
async function readToAdopt(
  program: Program,
  prior: PriorState,
  ws: Workspace,
  secrets: SecretAccess,
  spans: SpanTable,
  providers: ProjectProviders,
): Promise<{ existing: Reality } | { refused: Diagnostic[] }> {
  const wanted: ResourceIR[] = [];
  for (const d of Object.keys(program.domains).sort()) {
    const res = program.domains[d]!.resources;
    for (const address of Object.keys(res).sort()) if (res[address]!.import === true && !(address in prior.resources)) wanted.push(res[address]!);
  }
  const existing: Record<string, JsonObject | null> = {};
  if (wanted.length === 0) return { existing };
  const pool = new ProviderPool(program, prior, { projectDir: ws.projectDir }, secrets, providers);
  const refused: Diagnostic[] = [];
  try {
    for (const r of wanted) {
      try {
        const inst = pool.get(r.domain, r.provider);
        existing[r.address] = await inst.read(r.type, r.attrs, { signal: new AbortController().signal, attempt: 1, address: r.address });
      } catch (e) {
        if (!isProviderError(e)) throw e;
        refused.push(catalog.engine.adoptReadRefused(spans[r.address], r.address, e.message, e.code));
      }
    }
  } finally {
    await pool.close();
  }
  return refused.length ? { refused } : { existing };
}
