import fs from "node:fs/promises";
import path from "node:path";
import { catalog } from "../diag/index.js";
import { hashValue } from "../program/canonical.js";
import type { Plan } from "../plan/types.js";

/**
 * Reads a plan saved by `lxm plan --out`: a `lexum.plan/v1` document whose hash matches its
 * content. Anything else (missing, not JSON, another format, edited) is LXM4206 naming the
 * file and why. Says nothing about staleness: apply compares it with the goal and state.
 */
export async function readPlanFile(file: string): Promise<Plan> {
  const name = path.basename(file);
  let saved: Plan;
  try {
    saved = JSON.parse(await fs.readFile(file, "utf8")) as Plan;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw catalog.engine.badPlanFile.error(name, err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "it is a directory" : e instanceof SyntaxError ? "it is not JSON" : err.message);
  }
  if (!saved || typeof saved !== "object" || saved.format !== "lexum.plan/v1") throw catalog.engine.badPlanFile.error(name, "not a lexum.plan/v1 document");
  if (!Array.isArray(saved.steps) || typeof saved.summary !== "object" || saved.summary === null) {
    throw catalog.engine.badPlanFile.error(name, "not a lexum.plan/v1 document (no steps or summary)");
  }
  const { hash, ...rest } = saved;
  if (hashValue(rest) !== hash) throw catalog.engine.badPlanFile.error(name, "its hash does not match its content (edited?)");
  return saved;
}
