/**
 * Diagrams of a graph, forward or backward, with values and gradients on the edges
 * as in the textbook's figures, or the optimized graph with each fused kernel a cluster.
 */
import { edgeGradients } from "../autodiff/edges.js";
import { kernelName, labelsOf } from "../codegen/naming.js";
import { ancestors, type Graph } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import { evaluate, type Bindings } from "../interp/index.js";
import { plan } from "../optimize/fuse.js";
import { optimize } from "../optimize/pipeline.js";
import { roots } from "../optimize/rebuild.js";
import { toDot } from "./dot.js";

export interface RenderOptions {
  /** draw the gradient nodes too; with `values`, write the gradients under the edges */
  readonly backward?: boolean;
  /** evaluate on these bindings and write forward values (and gradients) on the edges */
  readonly values?: Bindings;
  /** draw the optimized graph, each fused kernel a cluster */
  readonly optimized?: boolean;
}

/** The Graphviz DOT text of a graph. */
export function renderDot(source: Graph, options: RenderOptions = {}): string {
  const g = options.optimized ? optimize(source) : source;
  const labels = labelsOf(g);
  const kernels = options.optimized ? plan(roots(g)).kernels.map((k) => ({ name: kernelName(k, (n) => labels.get(n.id) ?? `t${n.id}`), nodes: k.nodes })) : undefined;
  const edgeGrads = edgeGradients(g);
  let values: Map<number, Tensor> | undefined;
  if (options.values) {
    const all = [...roots(g), ...ancestors(roots(g)), ...[...edgeGrads.values()].flatMap((id) => g.nodes.filter((n) => n.id === id))];
    values = evaluate(all, options.values);
  }
  return toDot(g, { backward: options.backward, values, kernels, labels, edgeGrads });
}

/** The diagram as SVG text (Graphviz compiled to WebAssembly, run in a worker). */
export async function renderSvg(graph: Graph, options: RenderOptions = {}): Promise<string> {
  const { dotToSvg } = await import("./svg.js");
  return dotToSvg(renderDot(graph, options));
}
