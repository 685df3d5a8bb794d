/**
 * mathjs as an independent oracle: each elementwise op's hand-written VJP against
 * mathjs' derivative of its formula; user functions derived symbolically, and the
 * fallback to node-by-node rules where mathjs cannot differentiate.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { deriveUserFn } from "../../src/autodiff/symbolic.js";
import { ops } from "../../src/ops/index.js";
import type { UserFn } from "../../src/ops/userfn.js";
import { close, compile, runText } from "../helpers.js";

interface MathJs {
  derivative(expr: string, v: string): { evaluate(scope: Record<string, number>): number };
}
const math = createRequire(import.meta.url)("mathjs") as MathJs;

const POINTS = [-1.7, -0.4, 0.3, 0.9, 2.2];

describe("hand-written elementwise rules agree with mathjs", () => {
  const withFormula = [...ops.values()].filter((op) => op.traits.elementwise && op.scalar?.formula);

  it("covers the elementwise ops mathjs can differentiate", () => {
    expect(withFormula.map((o) => o.name).sort()).toEqual(["abs", "add", "div", "exp", "log", "mul", "neg", "pow", "sigmoid", "sqrt", "square", "sub", "tanh"]);
  });

  for (const op of withFormula) {
    it(op.name, () => {
      const positive = op.domain === "positive" || op.domain === "nonzero";
      const xs = positive ? POINTS.map((p) => Math.abs(p) + 0.1) : POINTS;
      const ys = POINTS.map((p) => Math.abs(p) + 0.5);
      const binary = op.inputs.length === 2;
      const sym = op.surface ?? ({ add: "+", sub: "-", mul: "*", div: "/", pow: "^", neg: "-" } as Record<string, string>)[op.name]!;
      const call = binary ? (/^\w/.test(sym) ? `${sym}(x, y)` : `x ${sym} y`) : /^\w/.test(sym) ? `${sym}(x)` : `${sym}x`;
      const text = `input x: f64[5] = [${xs}]\ninput y: f64[5] = [${ys}]\nL = sum(${call})\ngrad L wrt x${binary ? ", y" : ""}`;
      const { grads } = runText(text);
      for (const [v, name] of binary ? ([["x", "x"], ["y", "y"]] as const) : ([["x", "x"]] as const)) {
        const d = math.derivative(op.scalar!.formula!, v);
        const expected = xs.map((x, i) => d.evaluate({ x, y: ys[i]! }));
        expect(close(grads["L"]![name], expected, 1e-12, 1e-14), `${op.name} d/d${v}`).toBe(true);
      }
    });
  }
});

describe("user functions", () => {
  it("keeps an elementwise fn as one node with its simplified mathjs derivative", () => {
    const g = compile("fn softplus(x) = log(1 + exp(x))\ninput z: f64[3]\ny = sum(softplus(z))\ngrad y wrt z");
    const fnNodes = g.nodes.filter((n) => n.op === "fn");
    expect(fnNodes).toHaveLength(1);
    const fn = fnNodes[0]!.attrs["fn"] as unknown as UserFn;
    expect(deriveUserFn(fn)?.text).toEqual(["exp(x) / (exp(x) + 1)"]);
  });

  it("rewrites sigmoid and square to formulas mathjs knows", () => {
    const { grads } = runText("fn f(x) = sigmoid(x) * square(x)\ninput z: f64[3] = [-1, 0.5, 2]\ny = sum(f(z))\ngrad y wrt z");
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    expect(close(grads["y"]!["z"], [-1, 0.5, 2].map((v) => s(v) * (1 - s(v)) * v * v + s(v) * 2 * v))).toBe(true);
  });

  it("falls back to the op table's rules where mathjs cannot differentiate (relu, maximum)", () => {
    const text = "fn leaky(x) = maximum(x, 0.1 * x) + relu(x)\ninput z: f64[4] = [-2, -0.5, 0.5, 2]\ny = sum(leaky(z))\ngrad y wrt z";
    const g = compile(text);
    expect(g.nodes.some((n) => n.op === "fn")).toBe(false);
    expect(runText(text).grads["y"]!["z"]).toEqual([0.1, 0.1, 2, 2]);
  });

  it("inlines a function whose body is not elementwise", () => {
    const text = "fn affine(x, W, b) = x @ W + b\ninput x: f64[1, 2] = [[1, 2]]\ninput W: f64[2, 1] = [[3], [4]]\ninput b: f64[1] = [5]\ny = sum(affine(x, W, b))\noutput y\ngrad y wrt W";
    const { outputs, grads } = runText(text);
    expect(outputs["y"]).toBe(16);
    expect(grads["y"]!["W"]).toEqual([[1], [2]]);
  });

  it("derives tanh through mathjs' sech", () => {
    const { grads } = runText("fn f(x) = tanh(2 * x)\ninput z: f64[3] = [-1, 0.25, 1]\ny = sum(f(z))\ngrad y wrt z");
    expect(close(grads["y"]!["z"], [-1, 0.25, 1].map((v) => 2 * (1 - Math.tanh(2 * v) ** 2)), 1e-12)).toBe(true);
  });
});
