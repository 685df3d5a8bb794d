/** `gradc ir FILE`: the graph as text, one node a line. */
import { printGraph } from "../graph/print.js";
import { kernelListing } from "../codegen/index.js";
import { loadGraph, requireResults } from "../pipeline.js";
import { optimize } from "../optimize/pipeline.js";
import { rewritesReport } from "./rewrites.js";

export function irCommand(file: string, opts: { backward?: boolean; optimized?: boolean; kernels?: boolean; simd?: boolean; rewrites?: boolean }): void {
  const graph = loadGraph(file);
  if (opts.rewrites) return void process.stdout.write(rewritesReport(graph));
  if (opts.kernels) return void process.stdout.write(kernelListing(requireResults(graph), { simd: opts.simd }));
  process.stdout.write(printGraph(opts.optimized ? optimize(graph) : graph, { backward: opts.backward }));
}
