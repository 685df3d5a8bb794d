/** Expressions covering every op of the table, over a shared prelude of inputs: the gradient tests and the ONNX round trip use them. */

export const PRELUDE = `
input a: f64[2, 3]
input b: f64[2, 3]
input c: f64[3]
input d: f64[2, 1]
input s: f64
input labels: i32[2] = [2, 0]
input k: i32 = 1
u = 4 * a - 2
v = 4 * b - 2
w = 4 * c - 2
fn sp(x, y) = log(1 + exp(x)) * y
fn leaky(x) = maximum(x, 0.1 * x)
`;

/** y = EXPR; the loss is sum(y * y), so every element gets a different upstream gradient. */
export const CASES: readonly (string | [string, string])[] = [
  "u + v", "u + c", "d + c", "u + 3", "s + u",
  "u - v", "c - u", "d - c",
  "u * v", "u * c", "d * w", "s * u",
  "u / (b + 1)", "c / (d + 1)",
  "(a + 0.5) ^ (b + 0.5)", "(a + 0.5) ^ c", "u ^ 2", "2 ^ u",
  "maximum(u, v)", "maximum(u, w)", "minimum(u, v)", "minimum(d, w)",
  "-u", "exp(u)", "log(a + 0.5)", "sqrt(a + 0.5)", "tanh(u)", "sigmoid(u)", "relu(u)", "abs(u)", "square(u)",
  "sum(u, axis=0)", "sum(u, axis=1, keepdims=true)", "sum(u)", "sum(u, axis=[0, 1])", "sum(u, axis=-1)",
  "max(u, axis=1)", "max(u)", "max(u, axis=0, keepdims=true)",
  "mean(u, axis=0)", "mean(u)", "mean(u, axis=1, keepdims=true)",
  "u @ v.T", "w @ u.T", "u @ w", "w @ w", "d.T @ u",
  "transpose(u)", "reshape(u, [3, 2])", "reshape(u, [-1])", "reshape(c, [3, 1]) * u.T",
  "broadcast_to(w, [2, 3])", "broadcast_to(d, [2, 3]) * u",
  "repeat(d, 3, axis=1) * u", "repeat(u, 2, axis=0)", "repeat(u, 2, axis=-1)",
  "softmax(u)", "softmax(u, axis=0)", "log_softmax(u)", "log_softmax(w)",
  "softmax_cross_entropy(u, labels)", "softmax_cross_entropy(u, softmax(v))", "softmax_cross_entropy(w, k)",
  "mse(u, v)", "mse(w, c)",
  "sp(u, c)", "sp(w, s)", "leaky(u)",
  ["u * stop_gradient(v)", "a"],
  "onehot(labels, 3) * u",
  "u.T * argmax(v, axis=1)",
  "grad(sum(u * u * v), a)",
  "grad(sum(sp(u, v)), b)",
  "grad(softmax_cross_entropy(u, labels), a)",
  "grad(softmax_cross_entropy(u, softmax(v)), b)",
  // scalars and size-1 tensors through every kind of kernel: loop kernels, reductions, aliases
  "max(s)", "sum(s)", "mean(s)", "exp(s) * max(s)", "max(s) * u",
  "reshape(s, [-1])", "reshape(s, [1])", "reshape(s, [1, 1]) * u", "reshape(s, [-1]) * c",
  "broadcast_to(s, [2, 3])", "repeat(reshape(s, [1]), 3, axis=0) * c", "softmax(reshape(s, [1]))",
  "max(reshape(s, [1, 1]), axis=0)", "sum(d, axis=1) * max(d)",
  // targets whose rows do not sum to 1 (multi-label, unnormalised): the gradient is softmax · Σt - t
  "softmax_cross_entropy(u, a)", "softmax_cross_entropy(w, 2 * c)", "grad(softmax_cross_entropy(u, a), b)",
];
