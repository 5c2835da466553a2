import * as catalog from "../../diag/catalog/runtime.js";
import type { JsonObject } from "../../program/types.js";
import type { CallContext, Provider, ProviderEnv, ProviderInstance } from "../types.js";
import { ProviderError, resolveConfigPath } from "../types.js";
import { TempSweeper } from "./atomic.js";
import { applyDirResource, deleteDirResource, readDirResource } from "./dir.js";
import { unknownType } from "./errors.js";
import { applyFileResource, deleteFileResource, readFileResource } from "./file.js";
import { applySymlinkResource, deleteSymlinkResource, readSymlinkResource } from "./symlink.js";

interface TypeOps {
  read(root: string, attrs: JsonObject): Promise<JsonObject | null>;
  apply(root: string, attrs: JsonObject, sweeper: TempSweeper): Promise<JsonObject>;
  remove(root: string, attrs: JsonObject): Promise<void>;
}

const OPS: ReadonlyMap<string, TypeOps> = new Map([
  ["fs.dir", { read: readDirResource, apply: applyDirResource, remove: deleteDirResource }],
  ["fs.file", { read: readFileResource, apply: applyFileResource, remove: deleteFileResource }],
  ["fs.symlink", { read: readSymlinkResource, apply: applySymlinkResource, remove: deleteSymlinkResource }],
]);

function opsFor(type: string): TypeOps {
  const ops = OPS.get(type);
  if (!ops) throw unknownType(type);
  return ops;
}

// fs calls are short; an already-expired action timeout is honoured before touching disk.
function checkSignal(ctx: CallContext): void {
  if (ctx.signal.aborted) throw new ProviderError("timeout", "fs: the call was aborted (action timeout)", true);
}

/**
 * Resolves the fs provider's configuration to the absolute root: `root` (default ".")
 * resolves against the project directory when relative (`resolveConfigPath`). Throws a LexumError (LXM4900) on bad config.
 */
export function resolveFsRoot(config: JsonObject, env: ProviderEnv): string {
  for (const key of Object.keys(config).sort()) {
    if (key !== "root") throw catalog.providerConfigInvalid.error("fs", key, "is not a setting of this provider (only `root`)");
  }
  const root = config.root ?? ".";
  if (typeof root !== "string" || root.length === 0) throw catalog.providerConfigInvalid.error("fs", "root", "must be a non-empty string");
  if (root.includes("\0")) throw catalog.providerConfigInvalid.error("fs", "root", "contains a NUL byte");
  return resolveConfigPath(env, root);
}

/**
 * The `fs` provider: files (`fs.file`), directories (`fs.dir`) and symlinks (`fs.symlink`)
 * under one root directory. Nothing escapes the root; writes are atomic; every call is
 * idempotent and create converges an existing object to the goal (see docs/providers.md).
 */
export const fsProvider: Provider = {
  name: "fs",
  types: ["fs.dir", "fs.file", "fs.symlink"],
  configure(config: JsonObject, env: ProviderEnv): ProviderInstance {
    const root = resolveFsRoot(config, env);
    // Temp files of a write killed before its rename are removed from the directories written to.
    const sweeper = new TempSweeper();
    return {
      async read(type, attrs, ctx) {
        checkSignal(ctx);
        return opsFor(type).read(root, attrs);
      },
      async create(type, attrs, ctx) {
        checkSignal(ctx);
        return opsFor(type).apply(root, attrs, sweeper);
      },
      async update(type, _prior, attrs, ctx) {
        checkSignal(ctx);
        // The goal alone decides the result; the recorded prior is not needed to converge.
        return opsFor(type).apply(root, attrs, sweeper);
      },
      async delete(type, attrs, ctx) {
        checkSignal(ctx);
        return opsFor(type).remove(root, attrs);
      },
      async close() {
        // Nothing is held open between calls.
      },
    };
  },
};
