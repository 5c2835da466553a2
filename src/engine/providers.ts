import type { Deferred, JsonObject, Program } from "../program/types.js";
import type { PriorState } from "../plan/types.js";
import type { ProviderEnv, ProviderInstance } from "../providers/types.js";
import type { ProjectProviders } from "../providers/project.js";
import { evaluateResidual } from "../lang/residual.js";
import { catalog } from "../diag/index.js";
import type { SecretAccess } from "./secrets.js";

/**
 * Binds provider blocks to live provider instances, once each: the program's blocks, and,
 * for resources whose domain or block left the code, the configuration their record kept
 * (so they can still be deleted). Deferred configuration (a token from `secret()`) is
 * resolved here, at the edge. Providers come from the project's set (built-ins and its
 * package providers).
 */
export class ProviderPool {
  private readonly live = new Map<string, ProviderInstance>();

  constructor(
    private readonly program: Program,
    private readonly prior: PriorState,
    private readonly env: ProviderEnv,
    private readonly secrets: SecretAccess,
    private readonly providers: ProjectProviders,
  ) {}

  get = (domain: string, alias: string): ProviderInstance => {
    const key = `${domain}\u0000${alias}`;
    const hit = this.live.get(key);
    if (hit) return hit;
    const { type, config } = this.configOf(domain, alias);
    const provider = this.providers.get(type);
    if (!provider) throw catalog.engine.unknownProvider.error(type, this.providers.names());
    const inst = provider.configure(config, this.env);
    this.live.set(key, inst);
    return inst;
  };

  private configOf(domain: string, alias: string): { type: string; config: JsonObject } {
    const block = this.program.domains[domain]?.providers[alias];
    if (block) return { type: block.type, config: this.resolved(domain, alias, block.config, block.deferred) };
    for (const address of Object.keys(this.prior.resources).sort()) {
      const rec = this.prior.resources[address]!;
      if (rec.domain === domain && rec.provider.alias === alias) return { type: rec.provider.type, config: this.resolved(domain, alias, rec.provider.config, rec.provider.deferred ?? {}) };
    }
    throw catalog.engine.providerConfig.error(domain, alias, "no provider block and no recorded configuration");
  }

  /** The known settings with the deferred ones evaluated (secrets read here, at the edge). */
  private resolved(domain: string, alias: string, known: JsonObject, deferred: { readonly [attr: string]: Deferred }): JsonObject {
    const config: JsonObject = { ...known };
    for (const attr of Object.keys(deferred).sort()) {
      const r = evaluateResidual(deferred[attr]!.expr, {
        ref: () => undefined,
        res: () => undefined,
        secret: (n) => this.secrets.secret(n),
      });
      if ("error" in r) throw catalog.engine.providerConfig.error(domain, alias, r.error);
      config[attr] = r.value;
    }
    return config;
  }

  async close(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((p) => p.close()));
  }
}
