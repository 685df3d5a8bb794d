/**
 * The one mechanism every pass uses: rebuild the graph's live nodes in order through
 * a fresh builder, letting a rule replace a node. Rebuilding keeps only what the
 * roots need (dead-code elimination) and re-interns every node (common
 * subexpressions become one node).
 */
import { Builder } from "../graph/builder.js";
import { edgeGradients, withEdgeGradients } from "../autodiff/edges.js";
import { ancestors, isConst, type Graph, type Node } from "../graph/ir.js";

/** A rewrite: a replacement for `n` (whose inputs are already rewritten), or undefined. */
export type Rule = (n: Node, b: Builder) => Node | undefined;

/** The nodes a graph must compute: outputs, losses, requested gradients. */
export function roots(g: Graph): Node[] {
  return [...g.outputs.map((o) => o.node), ...g.losses.map((l) => l.node), ...g.grads.flatMap((d) => (d.node ? [d.node] : []))];
}

export function rebuild(g: Graph, rule?: Rule): Graph {
  const b = new Builder();
  const map = new Map<number, Node>();
  const get = (n: Node): Node => map.get(n.id) ?? n;
  // leaves first, in declaration order, so inputs and params keep stable ids
  for (const d of [...g.inputs, ...g.params]) map.set(d.node.id, b.remake(d.node, []));
  for (const n of ancestors(roots(g))) {
    if (map.has(n.id)) continue;
    const fresh = b.remake(n, n.inputs.map(get));
    map.set(n.id, (rule && b.at(n.span, () => rule(fresh, b))) ?? fresh);
  }
  const out: Graph = {
    ...g,
    inputs: g.inputs.map((d) => ({ ...d, node: get(d.node) })),
    params: g.params.map((d) => ({ ...d, node: get(d.node) })),
    outputs: g.outputs.map((d) => ({ ...d, node: get(d.node) })),
    losses: g.losses.map((d) => ({ ...d, node: get(d.node) })),
    names: g.names.filter((d) => map.has(d.node.id)).map((d) => ({ ...d, node: get(d.node) })),
    grads: g.grads.map((d) => ({ ...d, ofNode: get(d.ofNode), wrtNode: get(d.wrtNode), node: d.node && get(d.node) })),
    nodes: b.nodes,
    gradOf: new Map(
      [...g.gradOf].flatMap(([grad, of]) => {
        const [ng, nf] = [map.get(grad), map.get(of)];
        return ng && nf && !isConst(ng) ? [[ng.id, nf.id] as [number, number]] : [];
      }),
    ),
  };
  return withEdgeGradients(out, remapEdges(g, map));
}

/**
 * The gradient sent along each edge ("user:input" → node), in the rebuilt graph: kept
 * where the user survived with the same input on that edge, and the gradient survived
 * (perhaps simplified: 1 · tax is tax), so optimized diagrams still carry their gradients.
 */
function remapEdges(g: Graph, map: ReadonlyMap<number, Node>): Map<string, number> {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  for (const [edge, grad] of edgeGradients(g)) {
    const [userId, index] = edge.split(":").map(Number) as [number, number];
    const user = byId.get(userId);
    const [nu, ng] = [map.get(userId), map.get(grad)];
    const input = user?.inputs[index];
    if (!nu || !ng || !input || nu.inputs[index] !== (map.get(input.id) ?? input)) continue;
    out.set(`${nu.id}:${index}`, ng.id);
  }
  return out;
}
