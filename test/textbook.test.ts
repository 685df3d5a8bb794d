/** The textbook's numbers, exactly: the apple graph and its layers (ch. 5). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT, close, runText } from "./helpers.js";

const read = (name: string) => readFileSync(`${ROOT}graphs/${name}`, "utf8");

describe("the apple graph (textbook figure 5-16)", () => {
  const { outputs, grads } = runText(read("apple.graph"));

  it("prices the purchase at 715", () => {
    expect(outputs["price"]).toBe(715.0000000000001); // (100·2 + 150·3)·1.1 in float64
    expect(close(outputs["price"], 715)).toBe(true);
  });

  it("sends back 2.2, 110, 3.3, 165, 650", () => {
    const g = grads["price"]!;
    expect(g["apple"]).toBe(2.2);
    expect(close(g["apple_num"], 110)).toBe(true);
    expect(close(g["orange"], 3.3)).toBe(true);
    expect(g["orange_num"]).toBe(165);
    expect(g["tax"]).toBe(650);
  });
});

describe("the textbook's layers", () => {
  it("Mul and Add: two apples", () => {
    const { outputs, grads } = runText(read("mul_add.graph"));
    expect(close(outputs["price"], 220)).toBe(true);
    expect(close(grads["total"]!["apple"], 2.2)).toBe(true);
    expect(close(grads["total"]!["apple_num"], 110)).toBe(true);
    expect(grads["total"]!["tax"]).toBe(200);
  });

  it("ReLU passes the gradient only where x > 0", () => {
    const { outputs, grads } = runText(read("relu.graph"));
    expect(outputs["y"]).toEqual([[1, 0], [0, 3]]);
    expect(grads["s"]!["x"]).toEqual([[1, 0], [0, 1]]);
  });

  it("Sigmoid's backward is y(1 - y)", () => {
    const { outputs, grads } = runText(read("sigmoid.graph"));
    const y = outputs["y"] as number[];
    expect(close(grads["s"]!["x"], y.map((v) => v * (1 - v)))).toBe(true);
  });

  it("Affine: dX = dY·Wᵀ, dW = Xᵀ·dY, dB = sum of dY over the batch", () => {
    const { outputs, grads } = runText(read("affine.graph"));
    expect(close(outputs["Y"], [[3.2, 4.8], [5.9, 8.4]])).toBe(true);
    expect(close(grads["L"]!["X"], [[0.3, 0.7, 1.1], [0.3, 0.7, 1.1]])).toBe(true);
    expect(grads["L"]!["W"]).toEqual([[5, 5], [7, 7], [9, 9]]);
    expect(grads["L"]!["B"]).toEqual([2, 2]);
  });

  it("Softmax-with-Loss: (y - t) / N, with class indices and one-hot labels alike", () => {
    const idx = runText(read("softmax_with_loss.graph"));
    const hot = runText(read("softmax_with_loss_onehot.graph"));
    const y = idx.outputs["y"] as number[][];
    const t = [[0, 0, 1], [1, 0, 0]];
    const expected = y.map((row, i) => row.map((v, j) => (v - t[i]![j]!) / 2));
    expect(close(idx.grads["loss"]!["a"], expected)).toBe(true);
    expect(close(hot.grads["loss"]!["a"], expected)).toBe(true);
    // cross-entropy by hand: -mean(log y[t])
    const ce = -(Math.log(y[0]![2]!) + Math.log(y[1]![0]!)) / 2;
    expect(close(idx.outputs["loss"], ce, 1e-12)).toBe(true);
    expect(close(hot.outputs["loss"], ce, 1e-12)).toBe(true);
  });

  it("Repeat sums its gradients; Sum copies its gradient back", () => {
    const { outputs, grads } = runText(read("repeat_sum_matmul.graph"));
    expect(outputs["B"]).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(outputs["col"]).toEqual([2, 4, 6]);
    // dL/db = sum over the two copies of (Y + 1)
    const Y = outputs["Y"] as number[][];
    expect(grads["L"]!["b"]).toEqual([[0, 1, 2].map((j) => Y[0]![j]! + Y[1]![j]! + 2)]);
  });

  it("softplus' is derived symbolically: exp(z) / (1 + exp(z)) = sigmoid(z)", () => {
    const { outputs, grads } = runText(read("softplus.graph"));
    const z = [-1, 0, 2];
    expect(close(outputs["y"], z.reduce((s, v) => s + Math.log(1 + Math.exp(v)), 0))).toBe(true);
    expect(close(grads["y"]!["z"], z.map((v) => 1 / (1 + Math.exp(-v))))).toBe(true);
  });
});
