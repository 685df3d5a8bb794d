/**
 * Code generation for the page, split into its own chunk: the module printer uses
 * ts-morph (and the TypeScript it bundles), megabytes that only the code panel and the
 * trainer need, so the page loads them on demand.
 */
import { emitModule } from "../codegen/index.js";
import type { Graph } from "../graph/ir.js";

/** The graph's compiled module as plain JavaScript (`gradc compile -o NAME.mjs`; with simd, `--simd`: every kernel in WebAssembly). */
export function emitJs(graph: Graph, simd = false): string {
  return emitModule(graph, { language: "js", simd });
}
