/**
 * `grad(L, X)` as lowering writes it: a node of X's shape that the autodiff driver
 * (autodiff/differentiate.ts) replaces by the backward nodes of L with respect to X,
 * before any other phase sees the graph. So graph/ builds it without knowing autodiff.
 */
import { defineOp } from "./types.js";

export const gradOp = defineOp({
  name: "grad",
  doc: "`grad(L, X)` until differentiation replaces it by the gradient nodes of the scalar `L` with respect to `X` (of `X`'s shape).",
  inputs: ["of", "wrt"],
  // the ordinal of the call: each call is expanded by its own backward sweep, in order, so the
  // per-edge gradients that diagrams draw are the last sweep's, as if built where it was written
  attrs: { call: { kind: "int" } },
  traits: { gradient: true },
  // the gradient's dtype: the seed's (L's) where L depends on X, X's otherwise (f64 wins, as in arithmetic)
  type: ([of, wrt]) => ({ dtype: of!.dtype === "f64" || wrt!.dtype === "f64" ? "f64" : wrt!.dtype, shape: wrt!.shape }),
  eval: () => {
    throw new Error("internal error: a grad node was not expanded: differentiate the graph before evaluating it");
  },
  vjp: "none",
});
