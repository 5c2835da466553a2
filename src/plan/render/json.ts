import { canonicalize } from "../../program/canonical.js";
import type { Plan } from "../types.js";

/** The plan's bytes: exactly its canonical JSON (RFC 8785). What is saved, hashed and applied. */
export function renderPlanJson(plan: Plan): string {
  return canonicalize(plan);
}
