/**
 * What to say about an object that could not be read: the repository's shape when that is
 * the cause (a borrowed object store that is gone, a shallow clone's boundary), damage
 * otherwise. Never advice to rewrite refs for a shape problem.
 */
import { promises as fsp } from "node:fs";
import { resolve } from "node:path";
import type { LexumError } from "../diag/diagnostic.js";
import { alternateMissing, beyondShallowHistory, gitObjectUnreadable } from "../diag/catalog/runtime.js";
import { missingAlternates } from "./alternates.js";
import { hasObject } from "./pack.js";

/**
 * The error for object `oid` that could not be read: LXM4121 when borrowed object directories
 * (objects/info/alternates) are gone; LXM4122 when the object is absent from a shallow clone
 * (outside the history it fetched); else LXM4107 with `problem` (missing or corrupt).
 */
export async function objectUnreadable(commondir: string, oid: string, problem: string): Promise<LexumError> {
  const missing = await missingAlternates(commondir);
  if (missing.length > 0) return alternateMissing.error(oid, missing, resolve(commondir, "objects", "info", "alternates"));
  const shallow = resolve(commondir, "shallow");
  const isShallow = await fsp.stat(shallow).then((s) => s.size > 0, () => false);
  // Present but unreadable is damage, shallow or not.
  if (isShallow && /^[0-9a-f]{40}$/.test(oid) && !(await hasObject(commondir, oid))) return beyondShallowHistory.error(oid, shallow);
  return gitObjectUnreadable.error(oid, problem);
}
