/**
 * The backward pass as the textbook walks it: op nodes in reverse topological order, one
 * at a time. Step k has processed k nodes: each receives its upstream gradient (the seed 1
 * at the loss), multiplies it by its local derivative and sends the product back along
 * each incoming edge. The gradients on the edges come from autodiff's side table
 * (autodiff/edges.ts) and the interpreter's values — nothing here differentiates.
 */
import { edgeGradients } from "../../autodiff/edges.js";
import { ancestors, isOp, type Graph, type Node } from "../../graph/ir.js";
import { scalar, type Tensor } from "../../tensor/tensor.js";

/** What one edge carries back: from `user` to its input `index`. */
export interface Sent {
  readonly user: Node;
  readonly index: number;
  readonly input: Node;
  readonly grad: Tensor;
}

export interface Step {
  /** the op node this step processes */
  readonly node: Node;
  /** ∂L/∂(this node's value) */
  readonly upstream: Tensor;
  /** what it sends back along each incoming edge that carries a gradient */
  readonly sent: readonly Sent[];
}

export interface Backprop {
  /** the scalar being differentiated: a loss or the `of` of a grad statement */
  readonly loss: Node;
  readonly steps: readonly Step[];
}

/** The scalar whose backward pass the page walks: the first loss, else the first grad statement's. */
export function lossOf(g: Graph): Node | undefined {
  return g.losses[0]?.node ?? g.grads[0]?.ofNode;
}

export function backprop(g: Graph, values: ReadonlyMap<number, Tensor>): Backprop | undefined {
  const loss = lossOf(g);
  if (!loss) return undefined;
  const table = edgeGradients(g);
  const gradOf = new Map<number, number>();
  for (const [grad, of] of g.gradOf) if (!gradOf.has(of)) gradOf.set(of, grad);
  const sentOf = (n: Node): Sent[] =>
    n.inputs.flatMap((input, index) => {
      const id = table.get(`${n.id}:${index}`);
      const grad = id === undefined ? undefined : values.get(id);
      return grad ? [{ user: n, index, input, grad }] : [];
    });
  const order = ancestors([loss]).filter(isOp).reverse();
  const all = order.map((node) => ({ node, sent: sentOf(node) })).filter((s) => s.sent.length > 0);
  const upstream = (n: Node): Tensor => {
    if (n.id === loss.id) return scalar(1);
    const arriving = all.flatMap((s) => s.sent.filter((e) => e.input.id === n.id)).map((e) => e.grad);
    const known = gradOf.get(n.id);
    if (known !== undefined && values.has(known)) return values.get(known)!;
    return sum(arriving);
  };
  return { loss, steps: all.map((s) => ({ ...s, upstream: upstream(s.node) })) };
}

/** Fan-out: the gradients arriving along several edges add up (the textbook's branch node). */
function sum(ts: readonly Tensor[]): Tensor {
  const first = ts[0];
  if (!first) return scalar(0);
  const data = Float64Array.from(first.data);
  for (const t of ts.slice(1)) t.data.forEach((v, i) => (data[i] = data[i]! + v));
  return { shape: first.shape, data };
}

/** The step count a URL asks for, clamped to what the graph has. */
export function clampStep(k: number, b: Backprop | undefined): number {
  const n = b?.steps.length ?? 0;
  return Number.isFinite(k) ? Math.max(0, Math.min(n, Math.trunc(k))) : 0;
}
