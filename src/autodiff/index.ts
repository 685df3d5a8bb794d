/**
 * Reverse-mode autodiff. Walks the nodes between the wrt targets and the scalar `y`
 * in reverse topological order; each node's gradient is the sum of what its users
 * sent it (fan-out), and each op's VJP rule from the op table sends it on to the
 * node's inputs. Broadcasting is undone here, once: a gradient that arrives at a
 * broadcast shape is summed back to its input's shape (the textbook's Repeat → Sum).
 * VJPs build ordinary nodes, so the result is a graph that can be differentiated again.
 */
import type { Span } from "../diagnostics/index.js";
import { gradientOfNonScalar } from "../diagnostics/errors.js";
import type { Builder } from "../graph/builder.js";
import { ancestors, isConst, isOp, type Node } from "../graph/ir.js";
import { formatType, isFloat, sameShape, type Dim, type Shape } from "../tensor/types.js";
import { opDef, type VjpBuilder } from "../ops/index.js";
import { add, broadcastTo, num, reshape, sum } from "../ops/sugar.js";
import { userFnDerivatives } from "./symbolic.js";

/** "userId:inputIndex" → the gradient node sent back along that edge: what diagrams draw under an edge. */
export type EdgeGrads = Map<string, number>;

/** Gradients of the scalar `y` with respect to each of `wrt`, as nodes of their shapes. */
export function gradients(b: Builder, y: Node, wrt: readonly Node[], span?: Span, edges: EdgeGrads = new Map()): Node[] {
  if (y.type.shape.length !== 0) {
    gradientOfNonScalar(span ?? y.span, { type: formatType(y.type) });
  }
  return backprop(b, y, b.constant(1, y), wrt, edges);
}

/** What VJP rules build with: the builder, and this driver for fused ops' rules and user functions. */
function vjpBuilder(b: Builder, edges: EdgeGrads): VjpBuilder {
  return {
    op: (name, inputs, attrs, span) => b.op(name, inputs, attrs, span),
    constant: (value, like) => b.constant(value, like),
    backprop: (y, seed, wrt) => backprop(b, y, seed, wrt, edges),
    derivatives: userFnDerivatives,
  };
}

/** Vector-Jacobian product of `y` with `seed` (a node of y's shape), for each of `wrt`. */
export function backprop(b: Builder, y: Node, seed: Node, wrt: readonly Node[], edges: EdgeGrads = new Map()): Node[] {
  const vb = vjpBuilder(b, edges);
  const targets = new Set(wrt.map((w) => w.id));
  const cone = ancestors([y]);
  // nodes through which y depends on a target
  const active = new Set<number>();
  for (const n of cone) {
    const target = targets.has(n.id) && isFloat(n.type.dtype);
    if (target || (n.inputs.some((i) => active.has(i.id)) && flows(n))) active.add(n.id);
  }
  const pending = new Map<number, Node[]>();
  const total = new Map<number, Node>();
  const send = (n: Node, g: Node) => {
    const list = pending.get(n.id);
    if (list) list.push(g);
    else pending.set(n.id, [g]);
  };
  send(y, seed);
  for (let k = cone.length - 1; k >= 0; k--) {
    const n = cone[k]!;
    const parts = pending.get(n.id);
    if (!parts || !active.has(n.id)) continue;
    const g = b.at(n.span, () => parts.reduce((acc, p) => add(b, acc, p)));
    total.set(n.id, g);
    if (!b.gradOf.has(g.id) && !isConst(g)) b.gradOf.set(g.id, n.id);
    if (!isOp(n)) continue;
    const rule = opDef(n.op).vjp;
    if (rule === "none") continue;
    const needs = n.inputs.map((i) => active.has(i.id));
    b.at(n.span, () => {
      const grads = rule(vb, n, g, needs);
      n.inputs.forEach((input, i) => {
        const gi = grads[i];
        if (!needs[i] || !gi) return;
        const part = unbroadcast(b, gi, input.type.shape);
        edges.set(`${n.id}:${i}`, part.id);
        send(input, part);
      });
    });
  }
  return wrt.map((w) => total.get(w.id) ?? b.at(w.span, () => zerosLike(b, w)));
}

/** Whether gradient can flow through n: float values from a differentiable op. */
function flows(n: Node): boolean {
  return isFloat(n.type.dtype) && (!isOp(n) || opDef(n.op).vjp !== "none");
}

function zerosLike(b: Builder, w: Node): Node {
  const zero = num(b, 0, w.type.dtype === "i32" ? undefined : w);
  return w.type.shape.length === 0 ? zero : broadcastTo(b, zero, w.type.shape);
}

/** Sums a gradient of a broadcast shape back to `shape`: leading axes, then size-1 axes. */
export function unbroadcast(b: Builder, g: Node, shape: Shape): Node {
  const out = g.type.shape;
  if (sameShape(out, shape)) return g;
  const lead = out.length - shape.length;
  const leading = Array.from({ length: lead }, (_, i) => i);
  let r = leading.length > 0 ? sum(b, g, leading) : g;
  const ones = shape.flatMap((d: Dim, i) => (d === 1 && r.type.shape[i] !== 1 ? [i] : []));
  if (ones.length > 0) r = sum(b, r, ones, true);
  if (!sameShape(r.type.shape, shape)) r = reshape(b, r, shape);
  return r;
}
