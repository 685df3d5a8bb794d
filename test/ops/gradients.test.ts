/**
 * Every op of the table, differentiated by its VJP rule and checked against central
 * differences in float64, at seeded random points, with and without broadcasting.
 * A new op without a case here fails the coverage test at the bottom.
 */
import { describe, expect, it } from "vitest";
import { bind, checkGradients } from "../../src/index.js";
import { ops } from "../../src/ops/index.js";
import { close, compile, runText } from "../helpers.js";

const PRELUDE = `
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
const CASES: readonly (string | [string, string])[] = [
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
];

function caseText(expr: string, wrt: string): string {
  return `${PRELUDE}y = ${expr}\nL = sum(y * y)\ngrad L wrt ${wrt}\n`;
}

describe("VJP rules against central differences (float64)", () => {
  for (const entry of CASES) {
    const [expr, wrt] = typeof entry === "string" ? [entry, "a, b, c, d, s"] : entry;
    it(expr, () => {
      const g = compile(caseText(expr, wrt));
      for (const seed of [1, 2]) {
        const results = checkGradients(g, bind(g, { seed }), { h: 1e-5, atol: 1e-8, rtol: 1e-7 });
        for (const r of results) expect({ wrt: r.wrt, ok: r.ok, diff: r.meanAbsDiff }).toMatchObject({ wrt: r.wrt, ok: true });
      }
    });
  }
});

describe("second derivatives: gradients are graphs, so they differentiate again", () => {
  it("d²/dx² of sum(x³) is 6x", () => {
    const { outputs } = runText(`input x: f64[3] = [1, -2, 0.5]\ny = sum(x * x * x)\nh = grad(sum(grad(y, x)), x)\noutput h\n`);
    expect(close(outputs["h"], [6, -12, 3])).toBe(true);
  });

  it("the second derivative of softplus, from its mathjs derivative, is sigmoid'", () => {
    const { outputs } = runText(`fn softplus(x) = log(1 + exp(x))\ninput z: f64[3] = [-1, 0, 2]\nh = grad(sum(grad(sum(softplus(z)), z)), z)\noutput h\n`);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expect(close(outputs["h"], [-1, 0, 2].map((v) => sig(v) * (1 - sig(v))), 1e-12)).toBe(true);
  });
});

describe("the op table", () => {
  it("has a gradient case for every op (or the op passes no gradient)", () => {
    const used = new Set<string>();
    for (const entry of CASES) {
      const expr = typeof entry === "string" ? entry : entry[0];
      for (const n of compile(caseText(expr, "a")).nodes) used.add(n.op);
    }
    const missing = [...ops.keys()].filter((name) => !used.has(name));
    expect(missing).toEqual([]);
  });

  it("declares every op with a doc line", () => {
    for (const op of ops.values()) expect(op.doc.length, op.name).toBeGreaterThan(10);
  });
});
