/**
 * Builds IR nodes: fills attribute defaults, runs the op's type rule (a failure is a
 * located user error) and hash-conses, so building the same expression twice yields
 * the same node. Node ids grow, so ids order nodes topologically.
 */
import type { Span } from "../diagnostics/index.js";
import { opDef, type RewriteBuilder } from "../ops/index.js";
import { isConst, isExternal, leafName, type Attrs, type AttrValue, type LeafNode, type Node, type OpName, type OpNode } from "./ir.js";
import { scalar, type Tensor } from "../tensor/tensor.js";
import type { DType, Type } from "../tensor/types.js";
import { checkTensorSize } from "./limits.js";

/** A node before it is interned (and given its id). */
type NewNode = Omit<LeafNode, "id"> | Omit<OpNode, "id">;

export class Builder implements RewriteBuilder {
  readonly nodes: Node[] = [];
  /** gradient node id → id of the node it differentiates, for readable names */
  readonly gradOf = new Map<number, number>();
  private readonly table = new Map<string, Node>();
  /** where nodes built now come from (the statement, or the node being differentiated) */
  span: Span | undefined;

  /** A builder that continues a graph: its nodes are reused, not rebuilt. */
  static from(nodes: readonly Node[], gradOf: ReadonlyMap<number, number> = new Map()): Builder {
    const b = new Builder();
    for (const [g, of] of gradOf) b.gradOf.set(g, of);
    for (const n of nodes) {
      b.nodes.push(n);
      b.table.set(keyOf(n.kind, n.op, n.inputs, n.attrs, n.value, n.type), n);
    }
    return b;
  }

  /** Runs `f` with nodes attributed to `span`. */
  at<T>(span: Span | undefined, f: () => T): T {
    const saved = this.span;
    this.span = span ?? saved;
    try {
      return f();
    } finally {
      this.span = saved;
    }
  }

  op(name: OpName, inputs: readonly Node[], attrs: Attrs = {}, span?: Span): Node {
    const def = opDef(name);
    const full: Record<string, AttrValue> = {};
    for (const [k, spec] of Object.entries(def.attrs)) {
      const v = attrs[k] ?? spec.default;
      if (v === undefined) throw new Error(`internal error: ${name} needs attribute ${k}`);
      full[k] = v;
    }
    const where = span ?? this.span;
    const type = def.type(
      inputs.map((i) => i.type),
      full,
      { fail: (entry, args) => entry(where, args) },
    );
    return this.intern({ kind: "op", op: name, inputs, attrs: full, type, span: where });
  }

  constant(value: number | Tensor, like?: Node): Node {
    const t = typeof value === "number" ? scalar(value) : value;
    const type: Type = like ? { dtype: like.type.dtype, shape: t.shape } : { dtype: "f64", shape: t.shape, weak: true };
    return this.intern({ kind: "const", op: "const", inputs: [], attrs: {}, type, value: t, span: this.span });
  }

  leaf(kind: "input" | "param", name: string, dtype: DType, shape: Type["shape"], span: Span): Node {
    return this.intern({ kind, op: kind, inputs: [], attrs: { name }, type: { dtype, shape }, span });
  }

  /** The node `n` again, over new inputs (re-typed and re-interned). */
  remake(n: Node, inputs: readonly Node[]): Node {
    if (isConst(n)) return this.intern({ kind: "const", op: "const", inputs: [], attrs: {}, type: n.type, value: n.value, span: n.span });
    if (isExternal(n)) return this.leaf(n.kind, leafName(n), n.type.dtype, n.type.shape, n.span!);
    return this.op(n.op, inputs, n.attrs, n.span);
  }

  /** The existing node for this op and these inputs, if one was built. */
  lookup(op: OpName, inputs: readonly Node[], attrs: Attrs = {}): Node | undefined {
    return this.table.get(keyOf("op", op, inputs, attrs, undefined, { dtype: "f64", shape: [] }));
  }

  private intern(n: NewNode): Node {
    // every node passes here: a shape rule (repeat, broadcast_to, matmul) cannot build a tensor past the limit
    const what = n.kind === "input" || n.kind === "param" ? `${n.kind} ${String(n.attrs["name"])}` : n.kind === "const" ? "this constant" : "this expression";
    checkTensorSize(n.type.shape, what, n.span);
    const key = keyOf(n.kind, n.op, n.inputs, n.attrs, n.value, n.type);
    const found = this.table.get(key);
    if (found) return found;
    const node = { id: this.nodes.length, ...n } as Node;
    this.nodes.push(node);
    this.table.set(key, node);
    return node;
  }
}

function keyOf(kind: Node["kind"], op: string, inputs: readonly Node[], attrs: Attrs, value: Tensor | undefined, type: Type): string {
  const a = JSON.stringify(attrs, (_k, v: unknown) => (v && typeof v === "object" && "key" in v ? `fn:${String(v.key)}` : v));
  const ins = inputs.map((i) => i.id).join(",");
  if (kind !== "const") return `${op}(${ins})${a}`;
  return `const:${type.dtype}:${type.weak ? "w" : "s"}:${JSON.stringify(type.shape)}:${Array.from(value!.data).join(",")}`;
}
