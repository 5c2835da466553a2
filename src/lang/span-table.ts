import type { Span } from "../diag/span.js";
import type { SpanTable } from "../program/types.js";

/** The spans of one resource declaration, shared by its instances. */
export interface DeclSpans {
  readonly span: Span;
  /** By attribute name, in the order written. */
  readonly attrs: ReadonlyMap<string, Span>;
}

/**
 * Builds a compile's SpanTable with one entry per instance instead of one per key: the
 * `address#attr` keys (most of the table) are answered from the instance's declaration.
 * As a plain object, 10⁵ resources made a table of ~350,000 keys whose key strings and
 * growing property store were ~45 MB live and as much again in discarded stores.
 */
export class SpanTableBuilder {
  private readonly entries = new Map<string, Span | DeclSpans>();

  /** A key of its own: a domain, `domain#provider.ALIAS`, `domain#goal.NAME[i]`. */
  set(key: string, span: Span): void {
    this.entries.set(key, span);
  }

  /** An instance: its address, and `address#attr` for each attribute of its declaration. */
  instance(address: string, decl: DeclSpans): void {
    this.entries.set(address, decl);
  }

  /**
   * The table, read-only: lookups and enumeration as those of a plain object holding every
   * key, in the order set (an instance's attributes right after its address).
   */
  table(): SpanTable {
    const entries = this.entries;
    const lookup = (key: string): Span | undefined => {
      const v = entries.get(key);
      if (v !== undefined) return isDecl(v) ? v.span : v;
      // Attribute names hold no `#`; an address may (in a string key), so split at the last one.
      const hash = key.lastIndexOf("#");
      if (hash < 0) return undefined;
      const d = entries.get(key.slice(0, hash));
      return d !== undefined && isDecl(d) ? d.attrs.get(key.slice(hash + 1)) : undefined;
    };
    const readOnly = (): boolean => false;
    return new Proxy(Object.create(null) as SpanTable, {
      get: (target, key) => (typeof key === "string" ? lookup(key) : Reflect.get(target, key)),
      has: (target, key) => (typeof key === "string" ? lookup(key) !== undefined : Reflect.has(target, key)),
      ownKeys: () => {
        const keys: string[] = [];
        for (const [k, v] of entries) {
          keys.push(k);
          if (isDecl(v)) for (const attr of v.attrs.keys()) keys.push(`${k}#${attr}`);
        }
        return keys;
      },
      getOwnPropertyDescriptor: (target, key) => {
        const value = typeof key === "string" ? lookup(key) : undefined;
        return value === undefined ? Reflect.getOwnPropertyDescriptor(target, key) : { value, writable: false, enumerable: true, configurable: true };
      },
      set: readOnly,
      defineProperty: readOnly,
      deleteProperty: readOnly,
    });
  }
}

function isDecl(v: Span | DeclSpans): v is DeclSpans {
  return (v as DeclSpans).attrs !== undefined;
}
