import { createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Program, Residual } from "../program/types.js";
import { residualNodes } from "../program/residual-walk.js";

/**
 * Secrets and the key that digests sensitive values. Both live at the edge: the core only
 * sees `secret(name)` and `digest(value)` functions.
 *
 * - `secret("NAME")` reads the environment variable `LXM_SECRET_NAME`.
 * - Sensitive values are recorded as `hmac-sha256:<hex>` under a key kept outside the
 *   repository's content: `LXM_STATE_KEY` (hex or any string) when set, else
 *   `<git common dir>/lexum/state.key`, created (0600, random) on first use. Without the
 *   same key, a recorded digest cannot be compared, so a sensitive attribute plans as an update.
 */
export interface SecretAccess {
  secret(name: string): string | undefined;
  digest(value: string): string;
}

export function secretAccess(opts: { commondir: string; env: NodeJS.ProcessEnv; createKey?: boolean }): SecretAccess {
  let key: Buffer | undefined;
  const getKey = (): Buffer => {
    if (key) return key;
    const fromEnv = opts.env.LXM_STATE_KEY;
    if (fromEnv) return (key = Buffer.from(fromEnv, "utf8"));
    const file = path.join(opts.commondir, "lexum", "state.key");
    try {
      key = Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
      if (key.length >= 16) return key;
    } catch {
      // absent: created below
    }
    // The one place randomness is right: a key nobody may guess. Never hashed into content.
    key = randomBytes(32);
    if (opts.createKey !== false) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600 });
    }
    return key;
  };
  return {
    secret: (name) => opts.env[`LXM_SECRET_${name}`],
    digest: (value) => "hmac-sha256:" + createHmac("sha256", getKey()).update(value, "utf8").digest("hex"),
  };
}

/** Every secret name a program uses (for a clear error when one is missing before anything runs). */
export function secretNames(program: Program): string[] {
  const names = new Set<string>();
  const walk = (r: Residual): void => {
    for (const x of residualNodes(r)) if (x.op === "secret") names.add(x.name);
  };
  for (const d of Object.values(program.domains)) {
    for (const p of Object.values(d.providers)) for (const def of Object.values(p.deferred)) walk(def.expr);
    for (const r of Object.values(d.resources)) for (const def of Object.values(r.deferred)) walk(def.expr);
  }
  return [...names].sort();
}
