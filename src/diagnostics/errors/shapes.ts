/**
 * E007: operands that an op's type rule refuses. The op table (src/ops/) chooses the entry
 * and gives the facts through TypeContext.fail; the builder adds the span of the expression.
 * Types and shapes come formatted: f64[2, 3], [N, 784].
 */
import { type At, at } from "../catalogue.js";
import { codes } from "../index.js";

const S = codes.shape;

/** `op` is an operator's symbol: + - * / ^ */
export const operandsDoNotBroadcast: At<{ op: string; x: string; y: string }> = at(
  S,
  "operands_do_not_broadcast",
  (a) => `${a.op} needs shapes that broadcast: ${a.x} ${a.op} ${a.y}`,
  { op: "+", x: "f64[2, 3]", y: "f64[4]" },
);

/** `fn` is an elementwise function of the language or a user's fn */
export const argumentsDoNotBroadcast: At<{ fn: string; x: string; y: string }> = at(
  S,
  "arguments_do_not_broadcast",
  (a) => `${a.fn} needs shapes that broadcast: ${a.x} and ${a.y}`,
  { fn: "maximum", x: "f64[2, 3]", y: "f64[4]" },
);

export const matmulRank: At<{ x: string; y: string }> = at(S, "matmul_rank", (a) => `@ takes 1-D or 2-D operands: ${a.x} @ ${a.y}`, {
  x: "f64[2, 3, 4]",
  y: "f64[4]",
});

export const matmulInnerDims: At<{ x: string; y: string }> = at(S, "matmul_inner_dims", (a) => `@ needs inner dimensions to agree: ${a.x} @ ${a.y}`, {
  x: "f32[N, 784]",
  y: "f32[50, 10]",
});

export const axisOutOfRange: At<{ axis: string; type: string }> = at(S, "axis_out_of_range", (a) => `axis ${a.axis} is out of range for ${a.type}`, {
  axis: "1",
  type: "f64[3]",
});

/** `axes` as written, in JSON: [0, 0] */
export const repeatedAxis: At<{ axes: string }> = at(S, "repeated_axis", (a) => `repeated axis in ${a.axes}`, { axes: "[0,0]" });

export const reshapeHoles: At<{ shape: string }> = at(S, "reshape_holes", (a) => `reshape takes at most one -1 in ${a.shape}`, { shape: "[-1, -1]" });

export const reshapeCannotInfer: At<{ from: string; to: string }> = at(S, "reshape_cannot_infer", (a) => `reshape cannot infer -1: ${a.from} to ${a.to}`, {
  from: "[2, 3]",
  to: "[4, -1]",
});

export const reshapeSizeMismatch: At<{ from: string; to: string }> = at(
  S,
  "reshape_size_mismatch",
  (a) => `reshape needs the same number of elements: ${a.from} to ${a.to}`,
  { from: "[2, 3]", to: "[4, 2]" },
);

export const transposeNeedsMatrix: At<{ type: string }> = at(S, "transpose_needs_matrix", (a) => `transpose needs a 2-D tensor, got ${a.type}`, { type: "f64[3]" });

export const cannotBroadcastTo: At<{ type: string; shape: string }> = at(S, "cannot_broadcast_to", (a) => `cannot broadcast ${a.type} to ${a.shape}`, {
  type: "f64[3]",
  shape: "[2, 2]",
});

export const repeatCount: At<{ n: number }> = at(S, "repeat_count", (a) => `repeat needs a positive integer count, got ${a.n}`, { n: 0 });

export const onehotClassCount: At<{ got: string }> = at(S, "onehot_class_count", (a) => `onehot needs a positive integer class count, got ${a.got}`, {
  got: "0",
});

export const crossEntropyLogits: At<{ type: string }> = at(
  S,
  "cross_entropy_logits",
  (a) => `softmax_cross_entropy needs logits of shape [N, C] or [C], got ${a.type}`,
  { type: "f64[2, 3, 4]" },
);

/** `want` is what labels must be: i32[4] class indices, f64[4, 3] probabilities */
export const crossEntropyLabels: At<{ want: string; logits: string; got: string }> = at(
  S,
  "cross_entropy_labels",
  (a) => `softmax_cross_entropy needs labels ${a.want} for logits ${a.logits}, got ${a.got}`,
  { want: "i32[4] class indices", logits: "f64[4, 3]", got: "i32[3]" },
);
