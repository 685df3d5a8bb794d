/**
 * Constant folding: an op whose inputs are all constants is evaluated at compile
 * time with its reference semantics, when its result is small and its shape static.
 */
import { isConst, isOp, type Graph } from "../graph/ir.js";
import { size } from "../tensor/tensor.js";
import { opDef } from "../ops/index.js";
import type { Trace } from "./pipeline.js";
import { rebuild } from "./rebuild.js";

/** Larger results stay computed: a folded constant is stored in the generated module. */
const MAX_FOLDED = 64;

export const fold = (g: Graph, trace?: Trace): Graph =>
  rebuild(g, (n, b) => {
    if (!isOp(n) || n.inputs.length === 0 || !n.inputs.every(isConst)) return undefined;
    if (!n.type.shape.every((d) => typeof d === "number")) return undefined;
    const shape = n.type.shape as number[];
    if (size(shape) > MAX_FOLDED) return undefined;
    // an op that expands its inputs (broadcast_to(1, [2, 3])) stays: a scalar load is cheaper than a table
    if (n.inputs.some((i) => size(i.value!.shape) < size(shape))) return undefined;
    const value = opDef(n.op).eval(n.inputs.map((i) => i.value!), n.attrs, shape, { dims: new Map() });
    const c = b.constant(value);
    // keep the folded node's dtype: a literal stays weak only if all its inputs were
    const by = n.type.weak ? c : b.constant(value, n);
    trace?.({ pass: "fold", rule: "fold", identity: "an op of constants → its value", node: n, by });
    return by;
  });
