/**
 * Where a NaN or an infinity first appears: the forward nodes evaluated in order by the
 * reference interpreter — rounding each value to float32 where the graph computes in
 * float32, so an overflow shows where the compiled code's did — and the first whose value
 * is not finite is reported with its `.graph` line.
 */
import { ancestors, isConst, isExternal, leafName, type Node } from "../graph/ir.js";
import { resolveShape } from "../tensor/types.js";
import { opDef } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Bindings } from "./index.js";

export interface NonFinite {
  readonly node: Node;
  /** e.g. "two_layer_net.graph:10: h = relu(x @ W1 + b1)" */
  readonly where: string;
}

export function firstNonFinite(roots: readonly Node[], env: Bindings, file: string, text: string): NonFinite | undefined {
  const values = new Map<number, Tensor>();
  for (const n of ancestors(roots)) {
    let v: Tensor;
    if (isConst(n)) v = n.value!;
    else if (isExternal(n)) v = env.values.get(leafName(n))!;
    else v = opDef(n.op).eval(n.inputs.map((i) => values.get(i.id)!), n.attrs, resolveShape(n.type.shape, env.dims), env);
    if (n.type.dtype === "f32") v = { shape: v.shape, data: v.data.map(Math.fround) };
    values.set(n.id, v);
    if (!v.data.every(Number.isFinite)) {
      const line = n.span?.line;
      const source = line ? text.split(/\r?\n/)[line - 1]!.trim() : "";
      const where = line ? `${file.split(/[\\/]/).pop()}:${line}: ${source}` : `${n.op} %${n.id}`;
      return { node: n, where: `${n.op} at ${where}` };
    }
  }
  return undefined;
}
