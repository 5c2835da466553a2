import type { Deferred, Json, JsonObject } from "../program/types.js";
import type { ResourceTypeInfo } from "../program/schemas.js";
import { canonicalize } from "../program/canonical.js";

/** The part of the type catalog the runtime uses (loadTypeCatalog() fits). */
export interface RuntimeCatalog {
  /** `validate`, when present, checks attributes known only at apply time (LXM4010). */
  readonly resources: ReadonlyMap<string, Pick<ResourceTypeInfo, "readOnly" | "sensitive" | "identity" | "replaceOn"> & Partial<Pick<ResourceTypeInfo, "validate">>>;
}

/**
 * The attributes of one resource that are never recorded in clear: the type's sensitive
 * attributes, attributes fed by a sensitive Deferred, and, when the resource has any
 * sensitive input, all its readOnly attributes (a computed sha256 of secret content
 * would reveal it). Sorted.
 */
export function redactedAttrs(
  type: string,
  deferred: { readonly [attr: string]: Deferred },
  goalAttrs: readonly string[],
  catalog: RuntimeCatalog | undefined,
): readonly string[] {
  const info = catalog?.resources.get(type);
  // On the way to every provider call: without sensitive deferred values the answer depends
  // only on the type and on whether the goal sets a sensitive attribute, so it is kept.
  if (info && !Object.values(deferred).some((d) => d.sensitive)) {
    let known = byType.get(info);
    if (!known) {
      known = { plain: [...info.sensitive].sort(), withInput: [...new Set([...info.sensitive, ...info.readOnly])].sort() };
      byType.set(info, known);
    }
    return goalAttrs.some((a) => info.sensitive.includes(a)) ? known.withInput : known.plain;
  }
  const set = new Set<string>();
  for (const a of info?.sensitive ?? []) set.add(a);
  for (const a of Object.keys(deferred)) if (deferred[a]!.sensitive) set.add(a);
  const hasSensitiveInput = goalAttrs.some((a) => set.has(a));
  if (hasSensitiveInput) for (const a of info?.readOnly ?? []) set.add(a);
  return [...set].sort();
}

const byType = new WeakMap<object, { readonly plain: readonly string[]; readonly withInput: readonly string[] }>();

/** A value's keyed digest: strings as they are, other JSON as canonical JSON. */
export function digestValue(digest: (value: string) => string, v: Json): string {
  return digest(typeof v === "string" ? v : canonicalize(v));
}

/**
 * Masks read-back attributes for the trace: each redacted attribute is replaced by its
 * keyed digest. Masking is what the runtime stores in observations, so a replay (which
 * only has masked values) rebuilds the same records.
 */
export function mask(attrs: JsonObject, redacted: readonly string[], digest: (value: string) => string): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(attrs).sort()) {
    const v = attrs[k]!;
    out[k] = redacted.includes(k) ? digestValue(digest, v) : v;
  }
  return out;
}

/** Splits masked attributes into what a RecordedResource keeps: clear attrs and the digests of redacted ones. */
export function split(masked: JsonObject, redacted: readonly string[]): { attrs: JsonObject; sensitive: { [attr: string]: string } } {
  const attrs: JsonObject = {};
  const sensitive: { [attr: string]: string } = {};
  for (const k of Object.keys(masked).sort()) {
    const v = masked[k]!;
    if (redacted.includes(k)) sensitive[k] = typeof v === "string" ? v : canonicalize(v);
    else attrs[k] = v;
  }
  return { attrs, sensitive };
}
