/**
 * Differentiation of a built graph, in two steps. First each `grad(L, X)` node that
 * lowering wrote is replaced, in place, by the backward nodes of L with respect to X:
 * the graph's nodes are remade in id order through a fresh builder, and at a grad node
 * the driver builds its gradient — so every node gets the id it would have had if the
 * gradient had been built where grad() was written, and later uses of grad(L, X) read
 * the gradient itself. Then the gradients that `loss` and `grad … wrt` statements ask
 * for are added. The per-edge gradients go to the side table of autodiff/edges.ts.
 */
import { Builder } from "../graph/builder.js";
import { isOp, type GradDecl, type Graph, type Node } from "../graph/ir.js";
import { opDef } from "../ops/index.js";
import { edgeGradients, withEdgeGradients } from "./edges.js";
import { gradients, type EdgeGrads } from "./index.js";

/** Expands the graph's grad() nodes and adds the gradient nodes that its `loss` and `grad` statements request. */
export function differentiate(graph: Graph): Graph {
  const edges: EdgeGrads = new Map(edgeGradients(graph));
  const expanded = expandGradCalls(graph, edges);
  const b = Builder.from(expanded.nodes, expanded.gradOf);
  const results = new Map<GradDecl, Node>();
  // one backward sweep per differentiated scalar, for all its wrt targets at once
  for (const of of new Set(expanded.grads.map((g) => g.ofNode))) {
    const asked = expanded.grads.filter((g) => g.ofNode === of);
    const nodes = gradients(b, of, asked.map((g) => g.wrtNode), asked[0]!.span, edges);
    asked.forEach((g, i) => results.set(g, nodes[i]!));
  }
  const grads = expanded.grads.map((g): GradDecl => ({ ...g, node: results.get(g) }));
  return withEdgeGradients({ ...expanded, grads, nodes: b.nodes, gradOf: b.gradOf }, edges);
}

/** Whether n is a grad(L, X) node that lowering wrote: the gradient of input 0 with respect to input 1. */
const isGradCall = (n: Node): boolean => isOp(n) && opDef(n.op).traits.gradient === true;

/** The graph with each grad(L, X) node replaced by the gradient it stands for (the graph itself if it has none). */
function expandGradCalls(graph: Graph, edges: EdgeGrads): Graph {
  if (!graph.nodes.some(isGradCall)) return graph;
  const b = new Builder();
  const map = new Map<number, Node>();
  const get = (n: Node): Node => map.get(n.id)!;
  for (const n of graph.nodes) {
    const inputs = n.inputs.map(get);
    // lowering checked that L is a scalar and X is not i32, with the call's spans
    const fresh = isGradCall(n) ? b.at(n.span, () => gradients(b, inputs[0]!, [inputs[1]!], n.span, edges)[0]!) : b.remake(n, inputs);
    map.set(n.id, fresh);
  }
  return {
    ...graph,
    inputs: graph.inputs.map((d) => ({ ...d, node: get(d.node) })),
    params: graph.params.map((d) => ({ ...d, node: get(d.node) })),
    outputs: graph.outputs.map((d) => ({ ...d, node: get(d.node) })),
    losses: graph.losses.map((d) => ({ ...d, node: get(d.node) })),
    names: graph.names.map((d) => ({ ...d, node: get(d.node) })),
    grads: graph.grads.map((d) => ({ ...d, ofNode: get(d.ofNode), wrtNode: get(d.wrtNode), node: d.node && get(d.node) })),
    nodes: b.nodes,
    gradOf: b.gradOf,
  };
}
