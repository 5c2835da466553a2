import type { Span } from "../diag/span.js";
import type {
  Attribute,
  BinaryExpr,
  BinaryOp,
  BoolExpr,
  CallExpr,
  CondExpr,
  DurationExpr,
  ErrorExpr,
  Expr,
  ForClause,
  Ident,
  IndexExpr,
  ListCompExpr,
  ListExpr,
  MemberExpr,
  NullExpr,
  NumberExpr,
  ObjectCompExpr,
  ObjectEntry,
  ObjectExpr,
  ParenExpr,
  RefExpr,
  ResourceDecl,
  StringExpr,
  UnaryExpr,
  UnaryOp,
} from "./ast.js";

/**
 * The parser's nodes for the bulk of a syntax tree (names, attributes, resource declarations,
 * expressions): the shapes of ast.ts with each position stored inline (file, start, end)
 * and its Span built when read. A large project has ~30 spans per resource; as objects of
 * their own they were nearly half of the tree's memory. Each read of a `span` returns a
 * new object, equal to the previous one.
 */

/** A node's position, inline. */
abstract class Positioned {
  // Fields assigned in the constructor, not declared as class fields: V8 runs class field
  // initializers apart from the constructor, which made parsing twice as slow.
  declare readonly file: string;
  declare readonly start: number;
  /** End-exclusive. */
  declare readonly end: number;
  constructor(file: string, start: number, end: number) {
    this.file = file;
    this.start = start;
    this.end = end;
  }
  get span(): Span {
    return { file: this.file, start: this.start, end: this.end };
  }
  toJSON(): object {
    return plain(this);
  }
}

/**
 * A node's `kind` lives on its class's prototype (one field less in each of ~10⁶ nodes);
 * reads are the same.
 */
function setKind(c: { prototype: object }, kind: string): void {
  Object.defineProperty(c.prototype, "kind", { value: kind });
}

/** A node as plain data, its kind included (JSON.stringify, e.g. to compare trees). */
function plain(node: object): object {
  return { kind: (node as { kind?: string }).kind, ...node };
}

export class IdentNode extends Positioned implements Ident {
  declare readonly name: string;
  constructor(name: string, file: string, start: number, end: number) {
    super(file, start, end);
    this.name = name;
  }
}

/** Starts where its name starts. */
export class AttributeNode implements Attribute {
  declare readonly kind: "Attribute";
  declare readonly meta?: IdentNode;
  declare readonly name: IdentNode;
  declare readonly value: Expr;
  declare private readonly end: number;
  constructor(name: IdentNode, value: Expr, end: number, meta?: IdentNode) {
    // Set only when written, so lines without the prefix keep their shape.
    if (meta) this.meta = meta;
    this.name = name;
    this.value = value;
    this.end = end;
  }
  get span(): Span {
    return { file: this.name.file, start: (this.meta ?? this.name).start, end: this.end };
  }
  toJSON(): object {
    return plain(this);
  }
}
setKind(AttributeNode, "Attribute");

export class ResourceNode extends Positioned implements ResourceDecl {
  declare readonly kind: "Resource";
  declare readonly provider: Ident;
  declare readonly type: Ident;
  declare readonly name: Ident;
  declare readonly forEach: ForClause | undefined;
  declare readonly attributes: Attribute[];
  constructor(provider: Ident, type: Ident, name: Ident, forEach: ForClause | undefined, attributes: Attribute[], file: string, start: number, end: number) {
    super(file, start, end);
    this.provider = provider;
    this.type = type;
    this.name = name;
    this.forEach = forEach;
    this.attributes = attributes;
  }
}
setKind(ResourceNode, "Resource");

export class ForClauseNode extends Positioned implements ForClause {
  declare readonly vars: Ident[];
  declare readonly source: Expr;
  constructor(vars: Ident[], source: Expr, file: string, start: number, end: number) {
    super(file, start, end);
    this.vars = vars;
    this.source = source;
  }
}

/** Starts where its key starts. */
export class ObjectEntryNode implements ObjectEntry {
  declare readonly key: string;
  declare readonly quoted: boolean;
  declare readonly value: Expr;
  declare private readonly file: string;
  declare private readonly keyStart: number;
  declare private readonly keyEnd: number;
  declare private readonly end: number;
  constructor(key: string, quoted: boolean, value: Expr, file: string, keyStart: number, keyEnd: number, end: number) {
    this.key = key;
    this.quoted = quoted;
    this.value = value;
    this.file = file;
    this.keyStart = keyStart;
    this.keyEnd = keyEnd;
    this.end = end;
  }
  get keySpan(): Span {
    return { file: this.file, start: this.keyStart, end: this.keyEnd };
  }
  get span(): Span {
    return { file: this.file, start: this.keyStart, end: this.end };
  }
}

// ---------------------------------------------------------------- expressions

export class StringNode extends Positioned implements StringExpr {
  declare readonly kind: "String";
  declare readonly parts: (string | Expr)[];
  declare readonly multiline: boolean;
  constructor(parts: (string | Expr)[], multiline: boolean, file: string, start: number, end: number) {
    super(file, start, end);
    this.parts = parts;
    this.multiline = multiline;
  }
}
setKind(StringNode, "String");

export class NumberNode extends Positioned implements NumberExpr {
  declare readonly kind: "Number";
  declare readonly value: number;
  declare readonly raw: string;
  constructor(value: number, raw: string, file: string, start: number, end: number) {
    super(file, start, end);
    this.value = value;
    this.raw = raw;
  }
}
setKind(NumberNode, "Number");

export class BoolNode extends Positioned implements BoolExpr {
  declare readonly kind: "Bool";
  declare readonly value: boolean;
  constructor(value: boolean, file: string, start: number, end: number) {
    super(file, start, end);
    this.value = value;
  }
}
setKind(BoolNode, "Bool");

export class NullNode extends Positioned implements NullExpr {
  declare readonly kind: "Null";
}
setKind(NullNode, "Null");

export class DurationNode extends Positioned implements DurationExpr {
  declare readonly kind: "Duration";
  declare readonly ms: number;
  declare readonly raw: string;
  constructor(ms: number, raw: string, file: string, start: number, end: number) {
    super(file, start, end);
    this.ms = ms;
    this.raw = raw;
  }
}
setKind(DurationNode, "Duration");

export class ListNode extends Positioned implements ListExpr {
  declare readonly kind: "List";
  declare readonly items: Expr[];
  constructor(items: Expr[], file: string, start: number, end: number) {
    super(file, start, end);
    this.items = items;
  }
}
setKind(ListNode, "List");

export class ObjectNode extends Positioned implements ObjectExpr {
  declare readonly kind: "Object";
  declare readonly entries: ObjectEntry[];
  constructor(entries: ObjectEntry[], file: string, start: number, end: number) {
    super(file, start, end);
    this.entries = entries;
  }
}
setKind(ObjectNode, "Object");

export class RefNode extends Positioned implements RefExpr {
  declare readonly kind: "Ref";
  declare readonly name: string;
  constructor(name: string, file: string, start: number, end: number) {
    super(file, start, end);
    this.name = name;
  }
}
setKind(RefNode, "Ref");

export class MemberNode extends Positioned implements MemberExpr {
  declare readonly kind: "Member";
  declare readonly object: Expr;
  declare readonly name: Ident;
  constructor(object: Expr, name: Ident, file: string, start: number, end: number) {
    super(file, start, end);
    this.object = object;
    this.name = name;
  }
}
setKind(MemberNode, "Member");

export class IndexNode extends Positioned implements IndexExpr {
  declare readonly kind: "Index";
  declare readonly object: Expr;
  declare readonly index: Expr;
  constructor(object: Expr, index: Expr, file: string, start: number, end: number) {
    super(file, start, end);
    this.object = object;
    this.index = index;
  }
}
setKind(IndexNode, "Index");

export class CallNode extends Positioned implements CallExpr {
  declare readonly kind: "Call";
  declare readonly callee: Ident;
  declare readonly args: Expr[];
  declare readonly expand?: true;
  constructor(callee: Ident, args: Expr[], file: string, start: number, end: number, expand = false) {
    super(file, start, end);
    this.callee = callee;
    this.args = args;
    if (expand) this.expand = true;
  }
}
setKind(CallNode, "Call");

export class UnaryNode extends Positioned implements UnaryExpr {
  declare readonly kind: "Unary";
  declare readonly op: UnaryOp;
  declare readonly operand: Expr;
  constructor(op: UnaryOp, operand: Expr, file: string, start: number, end: number) {
    super(file, start, end);
    this.op = op;
    this.operand = operand;
  }
}
setKind(UnaryNode, "Unary");

/** The operator's end is not stored: an operator token is exactly its text. */
export class BinaryNode extends Positioned implements BinaryExpr {
  declare readonly kind: "Binary";
  declare readonly op: BinaryOp;
  declare readonly left: Expr;
  declare readonly right: Expr;
  declare private readonly opStart: number;
  constructor(op: BinaryOp, left: Expr, right: Expr, opStart: number, file: string, start: number, end: number) {
    super(file, start, end);
    this.op = op;
    this.left = left;
    this.right = right;
    this.opStart = opStart;
  }
  get opSpan(): Span {
    return { file: this.file, start: this.opStart, end: this.opStart + this.op.length };
  }
}
setKind(BinaryNode, "Binary");

export class CondNode extends Positioned implements CondExpr {
  declare readonly kind: "Cond";
  declare readonly test: Expr;
  declare readonly then: Expr;
  declare readonly otherwise: Expr;
  constructor(test: Expr, then: Expr, otherwise: Expr, file: string, start: number, end: number) {
    super(file, start, end);
    this.test = test;
    this.then = then;
    this.otherwise = otherwise;
  }
}
setKind(CondNode, "Cond");

export class ListCompNode extends Positioned implements ListCompExpr {
  declare readonly kind: "ListComp";
  declare readonly vars: Ident[];
  declare readonly source: Expr;
  declare readonly body: Expr;
  declare readonly cond: Expr | undefined;
  constructor(vars: Ident[], source: Expr, body: Expr, cond: Expr | undefined, file: string, start: number, end: number) {
    super(file, start, end);
    this.vars = vars;
    this.source = source;
    this.body = body;
    this.cond = cond;
  }
}
setKind(ListCompNode, "ListComp");

export class ObjectCompNode extends Positioned implements ObjectCompExpr {
  declare readonly kind: "ObjectComp";
  declare readonly vars: Ident[];
  declare readonly source: Expr;
  declare readonly key: Expr;
  declare readonly value: Expr;
  declare readonly cond: Expr | undefined;
  constructor(vars: Ident[], source: Expr, key: Expr, value: Expr, cond: Expr | undefined, file: string, start: number, end: number) {
    super(file, start, end);
    this.vars = vars;
    this.source = source;
    this.key = key;
    this.value = value;
    this.cond = cond;
  }
}
setKind(ObjectCompNode, "ObjectComp");

export class ParenNode extends Positioned implements ParenExpr {
  declare readonly kind: "Paren";
  declare readonly expr: Expr;
  constructor(expr: Expr, file: string, start: number, end: number) {
    super(file, start, end);
    this.expr = expr;
  }
}
setKind(ParenNode, "Paren");

export class ErrorNode extends Positioned implements ErrorExpr {
  declare readonly kind: "Error";
}
setKind(ErrorNode, "Error");

/**
 * Every key under which a node keeps a position (Span objects, inline offsets): what to leave
 * out to compare two trees by meaning (e.g. a file and its formatted text).
 */
export const POSITION_KEYS: ReadonlySet<string> = new Set(["span", "opSpan", "keySpan", "file", "start", "end", "opStart", "keyStart", "keyEnd"]);
