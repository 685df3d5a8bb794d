/**
 * The names of the op table's primitives, as a type the compiler checks: an entry's
 * `name`, a builder's `op(name, …)` and a node's `op` are OpNames, so a misspelt op
 * does not compile. ops/index.ts checks at load that every name has exactly one entry.
 */
export const OP_NAMES = [
  // elementwise
  "add", "sub", "mul", "div", "pow", "maximum", "minimum", "ge", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "square", "step", "sign",
  // losses and probabilities
  "softmax_ce", "softmax_ce_grad", "onehot", "stop_gradient",
  // reductions
  "sum", "max", "max_mask", "numel", "argmax",
  "matmul",
  // shape
  "transpose", "reshape", "broadcast_to", "repeat",
  // a user function kept as one node; grad(L, X) until autodiff expands it
  "fn", "grad",
] as const;

export type OpName = (typeof OP_NAMES)[number];

/** Leaves of the graph are a kind of node of their own, not ops of the table. */
export type LeafKind = "input" | "param" | "const";
