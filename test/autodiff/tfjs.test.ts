/**
 * An independent framework as a second oracle: gradients of the same functions from
 * TensorFlow.js's tf.grads (tfjs-core on its cpu backend) against gradc's compiled
 * float64 module.
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core registers no gradients by itself (the @tensorflow/tfjs bundle imports this module;
// vitest transforms its ES module code, whose imports have no extensions)
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { describe, expect, it } from "vitest";
import { bind, compileText } from "../../src/index.js";
import { runCompiled } from "../../src/runtime/compiled.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { close } from "../helpers.js";

type T = tf.Tensor;
const A = [[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]];
const B = [[0.2, 0.4, -0.6], [-1.0, 0.8, 0.1]];
const W = [[0.3, -0.2], [0.5, 0.1], [-0.4, 0.6]];

/** [gradc expression over a, b, w; the same function in TF.js; the inputs it differentiates] */
const CASES: readonly [string, (a: T, b: T, w: T) => T, string?][] = [
  ["sum(exp(a) * b)", (a, b) => tf.sum(tf.mul(tf.exp(a), b))],
  ["sum(tanh(a) / (b * b + 1))", (a, b) => tf.sum(tf.div(tf.tanh(a), tf.add(tf.mul(b, b), 1)))],
  ["sum(sigmoid(a) * relu(b))", (a, b) => tf.sum(tf.mul(tf.sigmoid(a), tf.relu(b)))],
  ["sum(log(a * a + 1) + sqrt(b * b + 2))", (a, b) => tf.sum(tf.add(tf.log(tf.add(tf.mul(a, a), 1)), tf.sqrt(tf.add(tf.mul(b, b), 2))))],
  ["sum(maximum(a, b) * minimum(a, b))", (a, b) => tf.sum(tf.mul(tf.maximum(a, b), tf.minimum(a, b)))],
  ["sum(square(a @ w))", (a, _b, w) => tf.sum(tf.square(tf.matMul(a, w))), "aw"],
  ["sum(softmax(a) * b)", (a, b) => tf.sum(tf.mul(tf.softmax(a), b))],
  ["sum(log_softmax(a) * b)", (a, b) => tf.sum(tf.mul(tf.logSoftmax(a), b))],
  ["sum(mean(a, axis=0) * max(b, axis=0))", (a, b) => tf.sum(tf.mul(tf.mean(a, 0), tf.max(b, 0)))],
  ["sum(abs(a - b) * transpose(w))", (a, b, w) => tf.sum(tf.mul(tf.abs(tf.sub(a, b)), tf.transpose(w))), "abw"],
  ["softmax_cross_entropy(a, softmax(b))", (a, b) => tf.losses.softmaxCrossEntropy(tf.softmax(b), a), "a"],
];

describe("gradients against TensorFlow.js tf.grad", () => {
  it("tf runs on its cpu backend", async () => {
    await tf.setBackend("cpu");
    expect(tf.getBackend()).toBe("cpu");
  });

  for (const [expr, fn, wrt = "ab"] of CASES) {
    it(expr, async () => {
      const names = [...wrt];
      const text = `input a: f64[2, 3] = ${JSON.stringify(A)}\ninput b: f64[2, 3] = ${JSON.stringify(B)}\ninput w: f64[3, 2] = ${JSON.stringify(W)}\nL = ${expr}\ngrad L wrt ${names.join(", ")}\n`;
      const g = compileText(text, "tfjs.graph");
      const ours = runCompiled(await loadCompiled(g, { dtype: "f64" }), g, bind(g), { dtype: "f64" }).grads.get("L")!;
      const values: Record<string, number[][]> = { a: A, b: B, w: W };
      const theirs = tf.grads((...xs: T[]) => {
        const at = (n: string) => xs[names.indexOf(n)] ?? tf.tensor(values[n]!);
        return fn(at("a"), at("b"), at("w"));
      })(names.map((n) => tf.tensor(values[n]!)));
      // TF.js computes in float32: agreement to its precision
      for (const [i, n] of names.entries()) {
        expect(close(Array.from(ours.get(n)!.data), Array.from(await theirs[i]!.data()), 1e-4, 1e-5), `d/d${n}`).toBe(true);
      }
    });
  }
});
