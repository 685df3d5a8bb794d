/**
 * Diagrams of a graph, forward or backward, with values and gradients on the edges
 * as in the textbook's figures, or the optimized graph with each fused kernel a cluster.
 */
import { edgeGradients, type EdgeGradTable } from "../autodiff/edges.js";
import { kernelName, labelsOf } from "../codegen/naming.js";
import { ancestors, type Graph } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import { evaluate, type Bindings } from "../interp/index.js";
import { plan } from "../optimize/fuse.js";
import { optimize } from "../optimize/pipeline.js";
import { roots } from "../optimize/rebuild.js";
import { figureDot, type Backward } from "./figure.js";
import { nameOf } from "./parts.js";
import { programDot } from "./program.js";
import { summaryLines } from "./summary.js";

export interface RenderOptions {
  /** draw the backward pass: red arrows back along the edges, with the gradients when there are values */
  readonly backward?: boolean;
  /** evaluate on these bindings and write forward values (and gradients) on the edges */
  readonly values?: Bindings;
  /** draw the optimized graph, each fused kernel a cluster */
  readonly optimized?: boolean;
  /** a line under the figure (where its values came from) */
  readonly caption?: string;
}

/** The Graphviz DOT text of a graph: the textbook's figure, or with `optimized` the program's kernels. */
export function renderDot(source: Graph, options: RenderOptions = {}): string {
  const g = options.optimized ? optimize(source) : source;
  const labels = labelsOf(g);
  const edgeGrads = edgeGradients(g);
  let values: Map<number, Tensor> | undefined;
  if (options.values) {
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    const all = [...roots(g), ...ancestors(roots(g)), ...[...edgeGrads.values()].flatMap((id) => byId.get(id) ?? [])];
    values = evaluate(all, options.values);
  }
  if (options.optimized) {
    const kernels = plan(roots(g)).kernels.map((k) => ({ name: kernelName(k, (n) => labels.get(n.id) ?? `t${n.id}`), nodes: k.nodes }));
    return programDot(g, { title: g.file, labels, values, kernels, backward: options.backward, caption: options.caption });
  }
  const backward = options.backward ? sentBack(g, edgeGrads, labels, values) : undefined;
  return figureDot(g, { title: g.file, labels, values, backward, caption: options.caption });
}

/** What each edge sends back: its gradient's numbers, or without values ∂L/∂(the edge's tail). */
function sentBack(g: Graph, table: EdgeGradTable, labels: ReadonlyMap<number, string>, values: ReadonlyMap<number, Tensor> | undefined): Backward {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const seeds = new Set([...g.losses.map((d) => d.node.id), ...g.grads.map((d) => d.ofNode.id)]);
  const of = new Set([...g.losses.map((d) => d.name), ...g.grads.map((d) => d.of)]);
  const loss = of.size === 1 ? [...of][0]! : "L";
  const sent = new Map<string, readonly string[]>();
  for (const [key, id] of table) {
    const [user, index] = key.split(":").map(Number) as [number, number];
    const from = byId.get(user)?.inputs[index];
    const grad = values?.get(id);
    if (!from) continue;
    sent.set(key, grad ? summaryLines(grad, from.type.dtype) : [`∂${loss}/∂${nameOf(from, labels)}`]);
  }
  return { seeds, sent };
}

/** The diagram as SVG text (Graphviz compiled to WebAssembly, run in a worker). */
export async function renderSvg(graph: Graph, options: RenderOptions = {}): Promise<string> {
  const { dotToSvg } = await import("./svg.js");
  return dotToSvg(renderDot(graph, options));
}
