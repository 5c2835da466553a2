import type { JsonObject } from "../../program/types.js";
import type { Provider, ProviderEnv, ProviderInstance } from "../types.js";
import { Connections } from "./connections.js";
import { databaseOps } from "./database.js";
import { defaultPrivilegesOps } from "./default-privileges.js";
import { unknownType } from "./errors.js";
import { extensionOps } from "./extension.js";
import { grantOps } from "./grant.js";
import type { TypeOps } from "./ops.js";
import { roleOps } from "./role.js";
import { schemaOps } from "./schema.js";
import { resolvePostgresSettings } from "./settings.js";

const OPS: ReadonlyMap<string, TypeOps> = new Map([
  ["postgres.database", databaseOps],
  ["postgres.default_privileges", defaultPrivilegesOps],
  ["postgres.extension", extensionOps],
  ["postgres.grant", grantOps],
  ["postgres.role", roleOps],
  ["postgres.schema", schemaOps],
]);

function opsFor(type: string): TypeOps {
  const ops = OPS.get(type);
  if (!ops) throw unknownType(type);
  return ops;
}

/**
 * The `postgres` provider: roles, databases, schemas, extensions, grants and default
 * privileges on one PostgreSQL server, with Terraform's postgresql provider's attribute
 * names. Every call is idempotent (create converges an existing object, delete of an absent
 * one succeeds), reads the catalogs back, and quotes every name with node-postgres'
 * escaping or binds it as a parameter (see docs/providers.md).
 */
export const postgresProvider: Provider = {
  name: "postgres",
  types: [...OPS.keys()],
  configure(config: JsonObject, env: ProviderEnv): ProviderInstance {
    const cx = new Connections(resolvePostgresSettings(config, env));
    return {
      read: async (type, attrs, ctx) => opsFor(type).read(cx, attrs, ctx),
      create: async (type, attrs, ctx) => opsFor(type).apply(cx, attrs, ctx),
      // The goal alone decides the result: apply converges from whatever the catalogs hold.
      update: async (type, _prior, attrs, ctx) => opsFor(type).apply(cx, attrs, ctx),
      delete: async (type, attrs, ctx) => opsFor(type).remove(cx, attrs, ctx),
      close: () => cx.close(),
    };
  },
};
