/**
 * Builds IR nodes: fills attribute defaults, runs the op's type rule (a failure is a
 * located user error) and hash-conses, so building the same expression twice yields
 * the same node. Node ids grow, so ids order nodes topologically.
 */
import { backprop } from "../autodiff/index.js";
import type { Span } from "../diagnostics/index.js";
import { opDef, type GraphBuilder } from "../ops/index.js";
import type { Attrs, AttrValue, Node } from "./ir.js";
import { scalar, type Tensor } from "./tensor.js";
import type { DType, Type } from "./types.js";
import { checkTensorSize } from "./limits.js";

export class Builder implements GraphBuilder {
  readonly nodes: Node[] = [];
  /** gradient node id → id of the node it differentiates, for readable names */
  readonly gradOf = new Map<number, number>();
  /** "userId:inputIndex" → gradient node sent along that edge, for diagrams */
  readonly edgeGrads = new Map<string, number>();
  private readonly table = new Map<string, Node>();
  /** where nodes built now come from (the statement, or the node being differentiated) */
  span: Span | undefined;

  /** A builder that continues a graph: its nodes are reused, not rebuilt. */
  static from(nodes: readonly Node[], gradOf: ReadonlyMap<number, number> = new Map(), edgeGrads: ReadonlyMap<string, number> = new Map()): Builder {
    const b = new Builder();
    for (const [g, of] of gradOf) b.gradOf.set(g, of);
    for (const [e, g] of edgeGrads) b.edgeGrads.set(e, g);
    for (const n of nodes) {
      b.nodes.push(n);
      b.table.set(keyOf(n.op, n.inputs, n.attrs, n.value, n.type), n);
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

  op(name: string, inputs: readonly Node[], attrs: Attrs = {}, span?: Span): Node {
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
    return this.intern({ op: name, inputs, attrs: full, type, span: where });
  }

  constant(value: number | Tensor, like?: Node): Node {
    const t = typeof value === "number" ? scalar(value) : value;
    const type: Type = like ? { dtype: like.type.dtype, shape: t.shape } : { dtype: "f64", shape: t.shape, weak: true };
    return this.intern({ op: "const", inputs: [], attrs: {}, type, value: t, span: this.span });
  }

  leaf(op: "input" | "param", name: string, dtype: DType, shape: Type["shape"], span: Span): Node {
    return this.intern({ op, inputs: [], attrs: { name }, type: { dtype, shape }, span });
  }

  /** The node `n` again, over new inputs (re-typed and re-interned). */
  remake(n: Node, inputs: readonly Node[]): Node {
    if (n.op === "const") return this.intern({ op: "const", inputs: [], attrs: {}, type: n.type, value: n.value, span: n.span });
    if (n.op === "input" || n.op === "param") return this.leaf(n.op, n.attrs["name"] as string, n.type.dtype, n.type.shape, n.span!);
    return this.op(n.op, inputs, n.attrs, n.span);
  }

  backprop(y: Node, seed: Node, wrt: readonly Node[]): Node[] {
    return backprop(this, y, seed, wrt);
  }

  /** The existing node for this op and these inputs, if one was built. */
  lookup(op: string, inputs: readonly Node[], attrs: Attrs = {}): Node | undefined {
    return this.table.get(keyOf(op, inputs, attrs, undefined, { dtype: "f64", shape: [] }));
  }

  private intern(n: Omit<Node, "id">): Node {
    // every node passes here: a shape rule (repeat, broadcast_to, matmul) cannot build a tensor past the limit
    const what = n.op === "input" || n.op === "param" ? `${n.op} ${String(n.attrs["name"])}` : n.op === "const" ? "this constant" : "this expression";
    checkTensorSize(n.type.shape, what, n.span);
    const key = keyOf(n.op, n.inputs, n.attrs, n.value, n.type);
    const found = this.table.get(key);
    if (found) return found;
    const node: Node = { id: this.nodes.length, ...n };
    this.nodes.push(node);
    this.table.set(key, node);
    return node;
  }
}

function keyOf(op: string, inputs: readonly Node[], attrs: Attrs, value: Tensor | undefined, type: Type): string {
  const a = JSON.stringify(attrs, (_k, v: unknown) => (v && typeof v === "object" && "key" in v ? `fn:${String(v.key)}` : v));
  const ins = inputs.map((i) => i.id).join(",");
  if (op !== "const") return `${op}(${ins})${a}`;
  return `const:${type.dtype}:${type.weak ? "w" : "s"}:${JSON.stringify(type.shape)}:${Array.from(value!.data).join(",")}`;
}
