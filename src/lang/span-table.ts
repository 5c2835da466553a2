import type { Span } from "../diag/span.js";
import type { SpanTable } from "../program/types.js";
import type { Attribute } from "./ast.js";

/**
 * The spans of one resource declaration and of its attributes, shared by its instances:
 * offsets kept in one array (no Span object or Map per declaration), Spans built on lookup.
 */
export class DeclSpans {
  private readonly file: string;
  /** The declaration's start and end, then each attribute's name, start and end, in the order written. */
  private readonly packed: (string | number)[];
  constructor(decl: Span, attrs: readonly Attribute[]) {
    this.file = decl.file;
    const packed: (string | number)[] = new Array(2 + attrs.length * 3);
    packed[0] = decl.start;
    packed[1] = decl.end;
    attrs.forEach((a, k) => {
      const s = a.span;
      packed[2 + k * 3] = a.name.name;
      packed[3 + k * 3] = s.start;
      packed[4 + k * 3] = s.end;
    });
    this.packed = packed;
  }
  get span(): Span {
    return { file: this.file, start: this.packed[0] as number, end: this.packed[1] as number };
  }
  /** The span of the attribute written under `name`; undefined when there is none. */
  attr(name: string): Span | undefined {
    const p = this.packed;
    for (let k = 2; k < p.length; k += 3) if (p[k] === name) return { file: this.file, start: p[k + 1] as number, end: p[k + 2] as number };
    return undefined;
  }
  /** The attributes' names, in the order written. */
  *attrNames(): Iterable<string> {
    for (let k = 2; k < this.packed.length; k += 3) yield this.packed[k] as string;
  }
}

/**
 * Builds a compile's SpanTable with one entry per instance instead of one per key: the
 * `address#attr` keys (most of the table) are answered from the instance's declaration,
 * instead of a plain object holding a key string per attribute and a growing property store.
 */
export class SpanTableBuilder {
  private readonly entries = new Map<string, Span | DeclSpans>();

  /** A key of its own: a domain, `domain#provider.ALIAS`, `domain#goal.NAME[i]` (and its `.expr`, `.operand.K`). */
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
      if (v !== undefined) return v instanceof DeclSpans ? v.span : v;
      // Attribute names hold no `#`; an address may (in a string key), so split at the last one.
      const hash = key.lastIndexOf("#");
      if (hash < 0) return undefined;
      const d = entries.get(key.slice(0, hash));
      return d instanceof DeclSpans ? d.attr(key.slice(hash + 1)) : undefined;
    };
    const readOnly = (): boolean => false;
    return new Proxy(Object.create(null) as SpanTable, {
      get: (target, key) => (typeof key === "string" ? lookup(key) : Reflect.get(target, key)),
      has: (target, key) => (typeof key === "string" ? lookup(key) !== undefined : Reflect.has(target, key)),
      ownKeys: () => {
        const keys: string[] = [];
        for (const [k, v] of entries) {
          keys.push(k);
          if (v instanceof DeclSpans) for (const attr of v.attrNames()) keys.push(`${k}#${attr}`);
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
