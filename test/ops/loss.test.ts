/**
 * softmax_cross_entropy's fused backward rule (softmax - t) / N against the rule
 * derived node by node from its primitives, and its stability for huge logits.
 */
import { describe, expect, it } from "vitest";
import { close, runText } from "../helpers.js";

const LOGITS = "input s: f64[3, 4] = [[0.3, 2.9, 4.0, -1], [0.1, 0.2, 0.3, 0.4], [5, -3, 2, 0]]\n";

describe("softmax_cross_entropy", () => {
  it("its fused VJP equals the VJP derived from log_softmax, onehot, sum and mean", () => {
    const text = `${LOGITS}input t: i32[3] = [2, 0, 1]
fused = softmax_cross_entropy(s, t)
derived = -sum(onehot(t, 4) * log_softmax(s)) / 3
output fused, derived
grad fused wrt s
grad derived wrt s`;
    const { outputs, grads } = runText(text);
    expect(close(outputs["fused"], outputs["derived"] as number, 1e-14)).toBe(true);
    expect(close(grads["fused"]!["s"], grads["derived"]!["s"], 1e-12, 1e-15)).toBe(true);
  });

  it("with probability labels, both gradients (logits and labels) match the derived ones", () => {
    const text = `${LOGITS}input p: f64[3, 4] = [[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]]
fused = softmax_cross_entropy(s, p)
derived = mean(-sum(p * log_softmax(s), axis=1))
grad fused wrt s, p
grad derived wrt s, p`;
    const { grads } = runText(text);
    expect(close(grads["fused"]!["s"], grads["derived"]!["s"], 1e-12, 1e-15)).toBe(true);
    expect(close(grads["fused"]!["p"], grads["derived"]!["p"], 1e-12, 1e-15)).toBe(true);
  });

  it("stays finite for logits of ±1e4 in compiled code too", async () => {
    const { bind, compileText } = await import("../../src/index.js");
    const { runCompiled } = await import("../../src/runtime/compiled.js");
    const { loadCompiled } = await import("../../src/runtime/load.js");
    const g = compileText("input s: f32[2, 3] = [[10000, -10000, 0], [-10000, -10000, 10000]]\ninput t: i32[2] = [1, 2]\nloss = softmax_cross_entropy(s, t)\nq = log_softmax(s)\noutput loss, q\ngrad loss wrt s", "big.graph");
    const r = runCompiled(await loadCompiled(g), g, bind(g));
    expect(r.outputs.get("loss")!.data[0]).toBe(10000);
    expect(Array.from(r.outputs.get("q")!.data).every(Number.isFinite)).toBe(true);
    expect(Array.from(r.grads.get("loss")!.get("s")!.data)).toEqual([0.5, -0.5, 0, 0, 0, 0]);
  });

  it("stays finite for logits of ±1e4", () => {
    const text = `input s: f64[2, 3] = [[10000, -10000, 0], [-10000, -10000, 10000]]
input t: i32[2] = [1, 2]
loss = softmax_cross_entropy(s, t)
p = softmax(s)
q = log_softmax(s)
output loss, p, q
grad loss wrt s`;
    const { outputs, grads } = runText(text);
    expect(outputs["loss"]).toBe(10000); // row 0: -log softmax = 20000; row 1: 0
    expect(outputs["p"]).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect((outputs["q"] as number[][]).flat().every(Number.isFinite)).toBe(true);
    expect(grads["loss"]!["s"]).toEqual([[0.5, -0.5, 0], [0, 0, 0]]);
  });

  it("with targets whose rows do not sum to 1 (multi-label, unnormalised), the gradient is the loss's own: against central differences, compiled and interpreted", async () => {
    const { bind, checkGradients, compileText } = await import("../../src/index.js");
    const { runCompiled } = await import("../../src/runtime/compiled.js");
    const { loadCompiled } = await import("../../src/runtime/load.js");
    const text = `${LOGITS}input p: f64[3, 4] = [[1, 1, 0, 0], [0.2, 0.3, 0.1, 0], [2, 0, 1.5, 0.5]]
input v: f64[4] = [0.5, -1, 2, 0]
input q: f64[4] = [0, 3, 0, 1]
L = softmax_cross_entropy(s, p) + softmax_cross_entropy(v, q)
grad L wrt s, p, v
`;
    const g = compileText(text, "multilabel.graph");
    const env = bind(g);
    const compiled = runCompiled(await loadCompiled(g, { dtype: "f64" }), g, env, { dtype: "f64" }).grads;
    for (const r of [...checkGradients(g, env, { atol: 1e-8, rtol: 1e-8 }), ...checkGradients(g, env, { atol: 1e-8, rtol: 1e-8 }, compiled)]) {
      expect(r.meanAbsDiff, r.wrt).toBeLessThan(1e-9);
    }
    // the rule itself: (softmax(s) · Σ t - t) / N, row 0 sums to 2
    const ds = compiled.get("L")!.get("s")!.data;
    const row = [0.3, 2.9, 4.0, -1].map(Math.exp);
    const z = row.reduce((a, b) => a + b, 0);
    expect(ds[0]).toBeCloseTo(((row[0]! / z) * 2 - 1) / 3, 14);
  });

  it("its second derivative through unnormalised targets agrees with central differences", () => {
    const { outputs, grads } = runText(`input s: f64[2, 3] = [[0.1, 0.5, -0.3], [1, -1, 0.2]]
input p: f64[2, 3] = [[1, 1, 0], [0.2, 0.3, 0.1]]
y = sum(grad(softmax_cross_entropy(s, p), s) * [[1, 2, 3], [4, 5, 6]])
output y
grad y wrt s`);
    const f = (ss: number[][]) => {
      const t = [[1, 1, 0], [0.2, 0.3, 0.1]];
      const w = [[1, 2, 3], [4, 5, 6]];
      let y = 0;
      ss.forEach((r, i) => {
        const e = r.map(Math.exp);
        const z = e.reduce((a, b) => a + b, 0);
        const total = t[i]!.reduce((a, b) => a + b, 0);
        r.forEach((_, j) => (y += (((e[j]! / z) * total - t[i]![j]!) / 2) * w[i]![j]!));
      });
      return y;
    };
    const s0 = [[0.1, 0.5, -0.3], [1, -1, 0.2]];
    expect(outputs["y"]).toBeCloseTo(f(s0), 14);
    const h = 1e-5;
    const numeric = s0.map((r, i) => r.map((_, j) => {
      const up = s0.map((rr) => [...rr]);
      const down = s0.map((rr) => [...rr]);
      up[i]![j]! += h;
      down[i]![j]! -= h;
      return (f(up) - f(down)) / (2 * h);
    }));
    expect(close(grads["y"]!["s"], numeric, 1e-8, 1e-9)).toBe(true);
  });
});
