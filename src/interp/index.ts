/**
 * The float64 reference interpreter: simple and slow on purpose. It evaluates the
 * nodes that the requested roots need, in id (topological) order, with each op's
 * `eval` from the op table. Compiled code and every pass are tested against it.
 */
import { ancestors, isConst, isExternal, leafName, type Graph, type Node } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import { resolveShape } from "../tensor/types.js";
import { opDef } from "../ops/index.js";

export interface Bindings {
  /** values of inputs and params, by name */
  readonly values: ReadonlyMap<string, Tensor>;
  /** sizes of symbolic dims */
  readonly dims: ReadonlyMap<string, number>;
}

/** Evaluates `roots`, returning the value of every node evaluated on the way. */
export function evaluate(roots: readonly Node[], env: Bindings): Map<number, Tensor> {
  const values = new Map<number, Tensor>();
  for (const n of ancestors(roots)) values.set(n.id, evalNode(n, values, env));
  return values;
}

function evalNode(n: Node, values: ReadonlyMap<number, Tensor>, env: Bindings): Tensor {
  if (isConst(n)) return n.value!;
  if (isExternal(n)) {
    const v = env.values.get(leafName(n));
    if (!v) throw new Error(`internal error: no value bound for ${n.kind} ${leafName(n)}`);
    return v;
  }
  const ins = n.inputs.map((i) => values.get(i.id)!);
  return opDef(n.op).eval(ins, n.attrs, resolveShape(n.type.shape, env.dims), env);
}

/** Evaluates the graph's outputs and requested gradients. */
export function run(graph: Graph, env: Bindings): { outputs: Map<string, Tensor>; grads: Map<string, Map<string, Tensor>> } {
  const roots = [...graph.outputs.map((o) => o.node), ...graph.grads.flatMap((g) => (g.node ? [g.node] : []))];
  const values = evaluate(roots, env);
  const outputs = new Map(graph.outputs.map((o) => [o.name, values.get(o.node.id)!]));
  const grads = new Map<string, Map<string, Tensor>>();
  for (const g of graph.grads) {
    if (!g.node) continue;
    if (!grads.has(g.of)) grads.set(g.of, new Map());
    grads.get(g.of)!.set(g.wrt, values.get(g.node.id)!);
  }
  return { outputs, grads };
}
