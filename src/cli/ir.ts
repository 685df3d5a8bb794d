/** `gradc ir FILE`: the graph as text, one node a line. */
import { printGraph } from "../graph/print.js";
import { loadGraph } from "../pipeline.js";
import { optimize } from "../optimize/pipeline.js";

export function irCommand(file: string, opts: { backward?: boolean; optimized?: boolean }): void {
  const graph = loadGraph(file);
  process.stdout.write(printGraph(opts.optimized ? optimize(graph) : graph, { backward: opts.backward }));
}
