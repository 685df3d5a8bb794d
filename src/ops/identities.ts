/**
 * Building blocks of the entries' algebraic identities (OpDef.identities), which
 * optimize/simplify.ts applies to every node of the op. Each states its identity.
 */
import type { Node } from "../graph/ir.js";
import { sameShape } from "../tensor/types.js";
import type { Identity } from "./types.js";

/** Whether n is the constant v everywhere: a constant, or a broadcast or reshape of one. */
export function isConstant(n: Node | undefined, v: number): boolean {
  let at = n;
  while (at && (at.op === "broadcast_to" || at.op === "reshape")) at = at.inputs[0];
  // ops/ imports no value of graph/ (graph/ imports the table): the kind is read directly
  return at !== undefined && at.kind === "const" && at.value!.data.length > 0 && at.value!.data.every((x) => x === v);
}

const operand = (n: Node, i: number): Node => n.inputs[i]!;

/** x ∘ unit → x, and unit ∘ x → x where the op is commutative: x*1, x+0, x-0, x/1. */
export function unit(name: string, identity: string, value: number, commutative: boolean): Identity {
  return {
    name,
    identity,
    rewrite: (n) => (isConstant(operand(n, 1), value) ? operand(n, 0) : commutative && isConstant(operand(n, 0), value) ? operand(n, 1) : undefined),
  };
}

/** f(f(x)) → x for an op that undoes itself: -(-x), (xᵀ)ᵀ. */
export function involution(name: string, identity: string): Identity {
  return { name, identity, rewrite: (n) => (operand(n, 0).op === n.op ? operand(operand(n, 0), 0) : undefined) };
}

/** reshape(x, shape of x) → x, broadcast_to(x, shape of x) → x: one identity of both entries. */
export const unchangedShape: Identity = {
  name: "reshape-same",
  identity: "reshape(x, x.shape) → x",
  rewrite: (n) => (sameShape(operand(n, 0).type.shape, n.type.shape) ? operand(n, 0) : undefined),
};
