/**
 * gradc as a library: `import { … } from "gradc"`. The whole pipeline on one screen:
 *
 *   parseGraph → buildGraph → differentiate          (compileText / loadGraph do all three)
 *     → interpret | checkGradients | printGraph        the float64 reference
 *     → compileGraph → loadModule                      generated TypeScript, and running it
 *     → renderSvg | renderDot                          diagrams
 *     → exportOnnx                                     an ONNX model for other engines
 *
 * Each step returns a typed value; errors in a `.graph` file are GradcErrors that
 * carry a located Diagnostic (format them with formatDiagnostic). The command line
 * (src/cli) uses the phases directly, so that each command loads only what it needs.
 */
import { emitModule, type EmitOptions } from "./codegen/index.js";
import type { Graph } from "./graph/ir.js";

export { GradcError, formatDiagnostic, type Diagnostic, type Source, type Span } from "./diagnostics/index.js";
export { parseGraph, compileText, loadGraph } from "./pipeline.js";
export { buildGraph } from "./graph/lower.js";
export { differentiate } from "./autodiff/differentiate.js";
export { printGraph } from "./graph/print.js";
export { evaluate, run as interpret, type Bindings } from "./interp/index.js";
export { checkGradients, type GradCheck } from "./interp/check.js";
export { bind, type BindOptions } from "./runtime/bind.js";
export { fromNested, toNested, type Tensor } from "./tensor/tensor.js";
export { loadCompiled as loadModule, type CompiledModule, type CompiledWorkspace } from "./runtime/load.js";
export { renderDot, renderSvg, type RenderOptions } from "./render/index.js";
export { exportOnnx, type OnnxModel, type OnnxOptions } from "./export/onnx.js";
export type { Graph, Node } from "./graph/ir.js";
export type { EmitOptions };

/**
 * The generated TypeScript module of a graph: forward/step functions over a reusable
 * workspace, importing nothing. Same graph and options, same text (what `gradc compile`
 * writes).
 */
export function compileGraph(graph: Graph, options: EmitOptions = {}): string {
  return emitModule(graph, options);
}
