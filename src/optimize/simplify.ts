/**
 * Algebraic simplification. The identities are data on the op table's entries
 * (OpDef.identities: `x*1 → x` on mul, `(xᵀ)ᵀ → x` on transpose, …); this pass applies
 * each node's own, in order. A rewrite fires only when the replacement has the node's type.
 */
import { isOp, type Graph } from "../graph/ir.js";
import { sameShape } from "../tensor/types.js";
import { identities, opDef, type Identity } from "../ops/index.js";
import type { Trace } from "./pipeline.js";
import { rebuild } from "./rebuild.js";

/** Every identity the pass applies (for tests and docs), each once. */
export const rules: readonly Identity[] = identities;

export const simplify = (g: Graph, trace?: Trace): Graph =>
  rebuild(g, (n, b) => {
    if (!isOp(n)) return undefined;
    for (const rule of opDef(n.op).identities ?? []) {
      const r = rule.rewrite(n, b);
      if (r && r !== n && r.type.dtype === n.type.dtype && sameShape(r.type.shape, n.type.shape)) {
        trace?.({ pass: "simplify", rule: rule.name, identity: rule.identity, node: n, by: r });
        return r;
      }
    }
    return undefined;
  });
