import type { Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import * as sem from "../diag/catalog/semantic.js";
import { formatAddress, parseAddress } from "../program/address.js";
import type { Address, DomainIR, MovedIR } from "../program/types.js";
import type { Expr, MovedDecl } from "./ast.js";
import { suggest } from "./suggest.js";

/**
 * `moved { from = …, to = … }` blocks, read once the program's resources are known: each
 * address checked (written bare, `web/fs.file.page["index"]`, or as a string), the moves
 * validated against the program, chains collapsed (a → b, b → c is a → c and b → c), sorted by `from`.
 *
 * A move without keys on both sides moves the resource with every instance (`page["x"]` →
 * `pages["x"]`); with a key on either side it moves that one instance (`a` → `a["x"]` when a
 * resource gains `for`). The program still declares neither `from` (the object would have two
 * owners) nor lacks the chain's end (the object would be moved, then deleted).
 */
export function readMoved(
  decls: readonly MovedDecl[],
  domains: { readonly [name: string]: DomainIR },
  diags: Diagnostic[],
): { moved: MovedIR[]; spans: Map<Address, Span> } {
  const read: { from: Address; to: Address; span: Span; fromSpan: Span; toSpan: Span }[] = [];
  for (const d of decls) {
    const attrs = new Map<string, Expr>();
    let ok = true;
    for (const a of d.attributes) {
      const name = a.name.name;
      if (name !== "from" && name !== "to") {
        diags.push(sem.movedBlockShape(a.name.span, `has \`${name}\`: only \`from\` and \`to\` are allowed`));
        ok = false;
      } else if (attrs.has(name)) {
        diags.push(sem.movedBlockShape(a.name.span, `sets \`${name}\` twice`));
        ok = false;
      } else attrs.set(name, a.value);
    }
    for (const name of ["from", "to"]) if (!attrs.has(name)) {
      diags.push(sem.movedBlockShape(d.span, `has no \`${name}\``));
      ok = false;
    }
    if (!ok) continue;
    const from = addressOf(attrs.get("from")!, "from", diags);
    const to = addressOf(attrs.get("to")!, "to", diags);
    if (from === null || to === null) continue;
    if (from === to) {
      diags.push(sem.movedConflict(d.span, `\`${from}\` is moved to itself`));
      continue;
    }
    read.push({ from, to, span: d.span, fromSpan: attrs.get("from")!.span, toSpan: attrs.get("to")!.span });
  }

  // Declared addresses, and resources by their address without a key.
  const declared = new Set<Address>();
  const bases = new Set<Address>();
  for (const name of Object.keys(domains)) {
    for (const address of Object.keys(domains[name]!.resources)) {
      declared.add(address);
      bases.add(baseOf(address));
    }
  }

  const byFrom = new Map<Address, (typeof read)[number]>();
  const byTo = new Map<Address, (typeof read)[number]>();
  for (const m of read.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0))) {
    const twice = byFrom.get(m.from) ?? byTo.get(m.to);
    if (twice) {
      const why = byFrom.has(m.from) ? `\`${m.from}\` is moved by two \`moved\` blocks` : `two \`moved\` blocks move to \`${m.to}\``;
      diags.push(sem.movedConflict.withRelated(m.span, [{ span: twice.span, message: "the other `moved` block" }], why));
      continue;
    }
    const fp = parseAddress(m.from)!;
    const tp = parseAddress(m.to)!;
    if (fp.type !== tp.type) {
      diags.push(sem.movedTypeChange(m.span, m.from, m.to));
      continue;
    }
    byFrom.set(m.from, m);
    byTo.set(m.to, m);
  }

  const moved: MovedIR[] = [];
  const spans = new Map<Address, Span>();
  for (const [from, m] of byFrom) {
    // Declared: the very address, or (a whole resource moved) any instance of it.
    const whole = parseAddress(from)!.key === null && parseAddress(m.to)!.key === null;
    if (declared.has(from) || (whole && bases.has(from))) {
      diags.push(sem.movedFromDeclared(m.fromSpan, from));
      continue;
    }
    // Follow the chain to its end; a chain that comes back is a cycle.
    let end = m;
    const seen = new Set<Address>([from]);
    let cycle = false;
    for (let next = byFrom.get(end.to); next !== undefined; next = byFrom.get(end.to)) {
      if (seen.has(next.from)) {
        cycle = true;
        break;
      }
      seen.add(next.from);
      end = next;
    }
    if (cycle) {
      diags.push(sem.movedConflict(m.span, `the \`moved\` blocks from \`${from}\` form a cycle (${[...seen].join(" → ")} → ${from})`));
      continue;
    }
    // Every link of a chain moves to its end (the state may hold any of them); an undeclared
    // end is reported once, for the move that starts the chain.
    const to = end.to;
    const wholeTo = parseAddress(to)!.key === null;
    if (!declared.has(to) && !(wholeTo && whole && bases.has(to))) {
      if (!byTo.has(from)) diags.push(sem.movedToUndeclared(end.toSpan, to, suggest(to, bases)));
      continue;
    }
    moved.push({ from, to });
    spans.set(from, m.span);
  }
  return { moved: moved.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0)), spans };
}

/** `d/t.n` of `d/t.n["k"]`. */
function baseOf(address: Address): Address {
  const p = parseAddress(address);
  return p === null || p.key === null ? address : formatAddress(p.domain, p.type, p.name, null);
}

/**
 * The address an expression spells: `web/fs.file.page["index"]` parses as a division of `web`
 * by a member chain, which is read back as the address; a string is parsed as one. Null after
 * a diagnostic.
 */
function addressOf(e: Expr, attr: string, diags: Diagnostic[]): Address | null {
  let text: string | null = null;
  if (e.kind === "String") {
    if (e.parts.length === 1 && typeof e.parts[0] === "string") text = e.parts[0];
    else if (e.parts.length === 0) text = "";
  } else if (e.kind === "Binary" && e.op === "/" && e.left.kind === "Ref") {
    const rest = chain(e.right);
    if (rest !== null) text = `${e.left.name}/${rest}`;
  }
  const parsed = text === null ? null : parseAddress(text);
  if (parsed === null) {
    diags.push(sem.movedNotAddress(e.span, attr, text === null ? "an expression" : JSON.stringify(text)));
    return null;
  }
  return formatAddress(parsed.domain, parsed.type, parsed.name, parsed.key);
}

/** `fs.file.page["index"]` as text, or null for anything else. */
function chain(e: Expr): string | null {
  switch (e.kind) {
    case "Ref":
      return e.name;
    case "Member": {
      const left = chain(e.object);
      return left === null ? null : `${left}.${e.name.name}`;
    }
    case "Index": {
      const left = chain(e.object);
      if (left === null) return null;
      const k = e.index;
      if (k.kind === "Number") return `${left}[${String(k.value)}]`;
      if (k.kind === "String" && k.parts.length === 1 && typeof k.parts[0] === "string") return `${left}[${JSON.stringify(k.parts[0])}]`;
      return null;
    }
    default:
      return null;
  }
}
