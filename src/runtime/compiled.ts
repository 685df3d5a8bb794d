/**
 * Evaluates a graph with its compiled module: converts bound values to the typed
 * arrays the module expects, runs `step` (or `forward`), and reads the results back
 * as float64 tensors for printing and comparison.
 */
import type { Graph, Node } from "../graph/ir.js";
import { tensor, type Tensor } from "../tensor/tensor.js";
import { resolveShape } from "../tensor/types.js";
import type { Bindings } from "../interp/index.js";
import type { CompiledModule } from "./load.js";

export interface Results {
  readonly outputs: Map<string, Tensor>;
  readonly grads: Map<string, Map<string, Tensor>>;
}

type ArrayDType = "f32" | "f64" | "i32";
const make = (d: ArrayDType, data: ArrayLike<number>) =>
  d === "f32" ? Float32Array.from(data) : d === "i32" ? Int32Array.from(data) : Float64Array.from(data);

export function runCompiled(mod: CompiledModule, graph: Graph, env: Bindings, options: { dtype?: "f32" | "f64"; forwardOnly?: boolean } = {}): Results {
  const dtypeOf = (n: Node): ArrayDType => (n.type.dtype === "i32" ? "i32" : (options.dtype ?? n.type.dtype));
  const value = (name: string, n: Node) => {
    const v = env.values.get(name)!;
    return n.type.shape.length === 0 ? v.data[0]! : make(dtypeOf(n), v.data);
  };
  const inputs = Object.fromEntries(graph.inputs.map((d) => [d.name, value(d.name, d.node)]));
  const params = Object.fromEntries(graph.params.map((d) => [d.name, value(d.name, d.node)]));
  const ws = mod.createWorkspace(Object.fromEntries(graph.dims.map((d) => [d, env.dims.get(d)!])));
  const read = (v: unknown, n: Node): Tensor => {
    const shape = resolveShape(n.type.shape, env.dims);
    return typeof v === "number" ? tensor([], [v]) : tensor(shape, v as ArrayLike<number>);
  };
  if (options.forwardOnly) {
    const out = mod.forward(ws, inputs, params);
    return { outputs: new Map(graph.outputs.map((o) => [o.name, read(out[o.name], o.node)])), grads: new Map() };
  }
  const r = mod.step(ws, inputs, params);
  const outputs = new Map(graph.outputs.map((o) => [o.name, read(r.outputs[o.name], o.node)]));
  const grads = new Map<string, Map<string, Tensor>>();
  for (const g of graph.grads) {
    if (!grads.has(g.of)) grads.set(g.of, new Map());
    grads.get(g.of)!.set(g.wrt, read(r.grads[g.of]![g.wrt], g.wrtNode));
  }
  return { outputs, grads };
}
