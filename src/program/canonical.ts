import { createHash } from "node:crypto";
import { InternalError } from "../diag/diagnostic.js";

/**
 * RFC 8785 (JCS) canonical JSON: object keys sorted by UTF-16 code units, no whitespace,
 * numbers in ECMAScript's shortest round-trip form, strings escaped as JSON.stringify does.
 * Deterministic; throws InternalError on values JSON cannot carry (a bug, never user input).
 */
export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

function write(v: unknown, out: string[]): void {
  switch (typeof v) {
    case "string":
      out.push(JSON.stringify(v));
      return;
    case "number":
      if (!Number.isFinite(v)) throw new InternalError(`non-finite number in canonical JSON`);
      // ES Number::toString is exactly RFC 8785's number form; -0 prints as 0.
      out.push(Object.is(v, -0) ? "0" : String(v));
      return;
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "object": {
      if (v === null) {
        out.push("null");
        return;
      }
      if (Array.isArray(v)) {
        out.push("[");
        for (let i = 0; i < v.length; i++) {
          if (i) out.push(",");
          write(v[i] === undefined ? null : v[i], out);
        }
        out.push("]");
        return;
      }
      const obj = v as Record<string, unknown>;
      // Default sort compares UTF-16 code units: RFC 8785's order, and locale-free.
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      out.push("{");
      for (let i = 0; i < keys.length; i++) {
        if (i) out.push(",");
        out.push(JSON.stringify(keys[i]), ":");
        write(obj[keys[i]!], out);
      }
      out.push("}");
      return;
    }
    default:
      throw new InternalError(`cannot canonicalize a ${typeof v}`);
  }
}

/** `sha256:` + hex of the bytes (UTF-8 for strings). */
export function sha256(data: string | Uint8Array): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

/** The hash of a value: sha256 of its canonical JSON. */
export function hashValue(value: unknown): string {
  return sha256(canonicalize(value));
}
