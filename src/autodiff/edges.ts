/**
 * The gradient sent back along each edge ("userId:inputIndex" → node id), which diagrams
 * write under the edge. It is not part of the IR: a side table beside the graph that
 * differentiation fills in, that rebuilding carries over to the rebuilt graph
 * (optimize/rebuild.ts), and that render/ reads. Graphs are immutable, so a table keyed
 * by the graph object stays true.
 */
import type { Graph } from "../graph/ir.js";

export type EdgeGradTable = ReadonlyMap<string, number>;

const tables = new WeakMap<Graph, EdgeGradTable>();
const none: EdgeGradTable = new Map();

/** The per-edge gradients recorded for `g` (none for a graph nobody differentiated). */
export function edgeGradients(g: Graph): EdgeGradTable {
  return tables.get(g) ?? none;
}

/** `g`, with its per-edge gradients recorded. */
export function withEdgeGradients(g: Graph, edges: EdgeGradTable): Graph {
  if (edges.size > 0) tables.set(g, edges);
  return g;
}
