import { residualNodes } from "../../program/residual-walk.js";
import type { Json, Residual } from "../../program/types.js";
import type { Builtin } from "../builtins.js";
import { isObject, sortedKeys } from "../values.js";

/** A key as Terraform's type notation writes it: bare when it is an identifier, quoted otherwise. */
function keyText(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
}

/**
 * A value's type in Terraform's notation, on one line. Lexum has one list type and one object
 * type, so a list is described as Terraform describes a literal of it (a tuple) and an object
 * as an object; null has no type of its own (`dynamic`).
 */
export function typeNotation(v: Json): string {
  if (v === null) return "dynamic";
  if (Array.isArray(v)) return `tuple([${v.map(typeNotation).join(", ")}])`;
  if (isObject(v)) return `object({${sortedKeys(v).map((k) => `${keyText(k)}: ${typeNotation((v as { [k: string]: Json })[k]!)}`).join(", ")}})`;
  return typeof v === "boolean" ? "bool" : typeof v;
}

/** True when a `secret()` flows into the residual anywhere. */
export function readsSecret(r: Residual): boolean {
  for (const x of residualNodes(r)) if (x.op === "secret") return true;
  return false;
}

/**
 * Type conversion and errors: `can`, `try`, `type`, `sensitive`, `nonsensitive`, `issensitive`
 * (tobool … toset live with the collections). The evaluators give `can` and `try` their lazy
 * arguments and the sensitivity functions their marking; the implementations here are what
 * is left once every argument is a known, unmarked value (an expanded `try(xs...)`, say).
 */
export const conversion: Builtin[] = [
  { name: "can", min: 1, max: 1, signature: "can(expression)", impl: () => true },
  { name: "try", min: 1, max: Infinity, signature: "try(expressions...)", impl: (a) => a[0]! },
  { name: "type", min: 1, max: 1, signature: "type(value)", impl: (a) => typeNotation(a[0]!) },
  { name: "sensitive", min: 1, max: 1, signature: "sensitive(value)", impl: (a) => a[0]! },
  { name: "nonsensitive", min: 1, max: 1, signature: "nonsensitive(value)", impl: (a) => a[0]! },
  { name: "issensitive", min: 1, max: 1, signature: "issensitive(value)", impl: () => false },
  { name: "ephemeralasnull", min: 1, max: 1, signature: "ephemeralasnull(value)", impl: (a) => a[0]! },
  // A splat's source (see ListCompExpr): not a name anyone can call.
  { name: "[*]", min: 1, max: 1, signature: "[*]", impl: (a) => (a[0] === null ? [] : Array.isArray(a[0]) ? a[0] : [a[0]!]) },
];
