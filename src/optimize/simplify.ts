/**
 * Algebraic simplification. Each rule is data: a name, its identity, and a match that
 * returns the replacement. A rule fires only when the replacement has the node's type.
 */
import type { Builder } from "../graph/builder.js";
import type { Graph, Node } from "../graph/ir.js";
import { sameShape } from "../tensor/types.js";
import { rebuild } from "./rebuild.js";

interface Simplification {
  readonly name: string;
  readonly identity: string;
  readonly match: (n: Node, b: Builder) => Node | undefined;
}

/** Whether n is the constant v everywhere: a constant, or a broadcast or reshape of one. */
function isConst(n: Node | undefined, v: number): boolean {
  let at = n;
  while (at && (at.op === "broadcast_to" || at.op === "reshape")) at = at.inputs[0];
  return at?.op === "const" && at.value!.data.length > 0 && at.value!.data.every((x) => x === v);
}

const operand = (n: Node, i: number): Node => n.inputs[i]!;

export const rules: readonly Simplification[] = [
  // x*1 → x, 1*x → x
  { name: "mul-one", identity: "x*1 → x", match: (n) => (n.op === "mul" ? (isConst(operand(n, 1), 1) ? operand(n, 0) : isConst(operand(n, 0), 1) ? operand(n, 1) : undefined) : undefined) },
  // x+0 → x, 0+x → x
  { name: "add-zero", identity: "x+0 → x", match: (n) => (n.op === "add" ? (isConst(operand(n, 1), 0) ? operand(n, 0) : isConst(operand(n, 0), 0) ? operand(n, 1) : undefined) : undefined) },
  // x-0 → x
  { name: "sub-zero", identity: "x-0 → x", match: (n) => (n.op === "sub" && isConst(operand(n, 1), 0) ? operand(n, 0) : undefined) },
  // x/1 → x
  { name: "div-one", identity: "x/1 → x", match: (n) => (n.op === "div" && isConst(operand(n, 1), 1) ? operand(n, 0) : undefined) },
  // -(-x) → x
  { name: "neg-neg", identity: "-(-x) → x", match: (n) => (n.op === "neg" && operand(n, 0).op === "neg" ? operand(operand(n, 0), 0) : undefined) },
  // (xᵀ)ᵀ → x
  { name: "transpose-transpose", identity: "(xᵀ)ᵀ → x", match: (n) => (n.op === "transpose" && operand(n, 0).op === "transpose" ? operand(operand(n, 0), 0) : undefined) },
  // reshape(x, shape of x) → x, broadcast_to(x, shape of x) → x
  { name: "reshape-same", identity: "reshape(x, x.shape) → x", match: (n) => ((n.op === "reshape" || n.op === "broadcast_to") && sameShape(operand(n, 0).type.shape, n.type.shape) ? operand(n, 0) : undefined) },
  // reshape(reshape(x, a), b) → reshape(x, b)
  { name: "reshape-reshape", identity: "reshape(reshape(x, a), b) → reshape(x, b)", match: (n, b) => (n.op === "reshape" && operand(n, 0).op === "reshape" ? b.op("reshape", [operand(operand(n, 0), 0)], n.attrs) : undefined) },
  // stop_gradient(x) → x: after differentiation it only marks where no gradient flowed
  { name: "stop-gradient", identity: "stop_gradient(x) → x", match: (n) => (n.op === "stop_gradient" ? operand(n, 0) : undefined) },
  // step(x) → step(relu(x)) when relu(x) is computed anyway: the ReLU mask is read from
  // the stored output, so the pre-activation need not be kept for the backward pass
  { name: "relu-mask", identity: "step(x) → step(relu(x))", match: (n, b) => {
    if (n.op !== "step") return undefined;
    const r = b.lookup("relu", [operand(n, 0)]);
    return r ? b.op("step", [r]) : undefined;
  } },
];

export const simplify = (g: Graph): Graph =>
  rebuild(g, (n, b) => {
    for (const rule of rules) {
      const r = rule.match(n, b);
      if (r && r !== n && r.type.dtype === n.type.dtype && sameShape(r.type.shape, n.type.shape)) return r;
    }
    return undefined;
  });
