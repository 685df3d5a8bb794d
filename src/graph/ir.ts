/**
 * The typed IR. A node is immutable; the builder hash-conses nodes, so identical
 * subgraphs are one object and ids are a topological order (inputs before users).
 */
import type { Span } from "../diagnostics/index.js";
import type { LeafKind, OpName } from "../ops/names.js";
import type { Tensor } from "../tensor/tensor.js";
import type { DType, Shape, Type } from "../tensor/types.js";

/** An attribute: compile-time data of a node (axes, shapes, flags, a user fn). */
export type AttrValue = number | boolean | string | null | readonly (number | string)[] | KeyedAttr;

/** An attribute that is an object (a user function); hashed by its key. */
export interface KeyedAttr {
  readonly key: string;
}

export type Attrs = Readonly<Record<string, AttrValue>>;

export type { LeafKind, OpName } from "../ops/names.js";

interface NodeBase {
  readonly id: number;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  readonly type: Type;
  /** where the node came from in the `.graph` file */
  readonly span?: Span;
  /** the value of a `const` node */
  readonly value?: Tensor;
}

/** A leaf of one kind. Its `op` is its kind (what `gradc ir` prints). */
export interface LeafOf<K extends LeafKind> extends NodeBase {
  readonly kind: K;
  readonly op: K;
}

/** A leaf: an input, a param or a constant. */
export type LeafNode = LeafOf<"input"> | LeafOf<"param"> | LeafOf<"const">;

/** An application of an op of the table to its inputs. */
export interface OpNode extends NodeBase {
  readonly kind: "op";
  readonly op: OpName;
}

/** A node of the graph: ask its kind with isInput, isParam, isConst, isLeaf, isOp — never compare op names. */
export type Node = LeafNode | OpNode;

export const isInput = (n: Node): n is LeafOf<"input"> => n.kind === "input";
export const isParam = (n: Node): n is LeafOf<"param"> => n.kind === "param";
export const isConst = (n: Node): n is LeafOf<"const"> => n.kind === "const";
/** an input or a param: a value the caller supplies, not computed nor folded */
export const isExternal = (n: Node): n is LeafOf<"input"> | LeafOf<"param"> => n.kind === "input" || n.kind === "param";
export const isLeaf = (n: Node): n is LeafNode => n.kind !== "op";
export const isOp = (n: Node): n is OpNode => n.kind === "op";
/** the `.graph` name of an input or param */
export const leafName = (n: Node): string => String(n.attrs["name"]);

export type InitSpec =
  | { kind: "value"; value: Tensor }
  | { kind: "zeros" | "ones" | "he" | "xavier" }
  | { kind: "normal"; mean: number; std: number }
  | { kind: "uniform"; low: number; high: number };

export interface InputDecl {
  readonly name: string;
  readonly node: Node;
  readonly default?: Tensor;
}

export interface ParamDecl {
  readonly name: string;
  readonly node: Node;
  readonly init: InitSpec;
}

export interface Named {
  readonly name: string;
  readonly node: Node;
}

/** A requested gradient: d of / d wrt, as a node of wrt's shape (once differentiated). */
export interface GradDecl {
  readonly of: string;
  readonly wrt: string;
  readonly ofNode: Node;
  readonly wrtNode: Node;
  /** the gradient, once `differentiate` has run */
  readonly node?: Node;
  readonly span?: Span;
}

export interface Graph {
  readonly file: string;
  readonly text: string;
  readonly dims: readonly string[];
  readonly inputs: readonly InputDecl[];
  readonly params: readonly ParamDecl[];
  readonly outputs: readonly Named[];
  /** every named node, in definition order (for diagrams and the IR printer) */
  readonly names: readonly Named[];
  readonly losses: readonly Named[];
  readonly grads: readonly GradDecl[];
  /** every node built, ids ascending (a topological order) */
  readonly nodes: readonly Node[];
  /** gradient node id → the forward node id it is the (total) gradient of (names: grad_W1) */
  readonly gradOf: ReadonlyMap<number, number>;
}

export function typeOf(dtype: DType, shape: Shape): Type {
  return { dtype, shape };
}

/** The nodes that `roots` depend on, ids ascending. Iterative: no recursion depth. */
export function ancestors(roots: readonly Node[]): Node[] {
  const seen = new Map<number, Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.set(n.id, n);
    for (const i of n.inputs) if (!seen.has(i.id)) stack.push(i);
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}
