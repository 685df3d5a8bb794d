/**
 * A training step allocates nothing: after warm-up, 1000 steps of the compiled
 * TwoLayerNet leave the heap where it was. The test first proves it can see a
 * small allocation per step, so it cannot pass by not measuring.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

/** The generated module's API as this test uses it (imported by path: the project's
 * tsconfig is stricter than `strict`, which is what generated code promises). */
interface Net {
  createWorkspace(dims: { N: number }): Workspace;
  dimsOf(inputs: Inputs, params: Params): { N: number };
  step(ws: Workspace, inputs: Inputs, params: Params): Workspace;
  forward(ws: Workspace, inputs: Inputs, params: Params): { loss: number };
}
interface Workspace {
  outputs: { loss: number };
}
type Inputs = { x: Float32Array; t: Int32Array };
type Params = { W1: Float32Array; b1: Float32Array; W2: Float32Array; b2: Float32Array };
const net = (await import(`${ROOT}generated/two_layer_net.ts`)) as Net;
const simdNet = (await import(`${ROOT}generated/two_layer_net.simd.ts`)) as Net;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Bytes per call of `f`: heap growth over `n` calls after a warm-up and a full
 * collection, the least of five trials (the runner itself allocates now and then,
 * but a per-call allocation shows in every trial).
 */
function bytesPerCall(f: () => void, n = 1000): number {
  for (let i = 0; i < 2000; i++) f();
  let least = Infinity;
  for (let trial = 0; trial < 5; trial++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) f();
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  return least / n;
}

describe("allocation per step", () => {
  const N = 4; // allocation does not depend on the batch size; a small one keeps the test fast
  const inputs = { x: new Float32Array(N * 784).map((_, i) => (i % 7) / 7), t: new Int32Array(N).map((_, i) => i % 10) };
  const params = {
    W1: new Float32Array(784 * 50).map((_, i) => Math.sin(i) * 0.01),
    b1: new Float32Array(50),
    W2: new Float32Array(50 * 10).map((_, i) => Math.cos(i) * 0.01),
    b2: new Float32Array(10),
  };
  const ws = net.createWorkspace(net.dimsOf(inputs, params));

  it("the measurement sees a small object a step", () => {
    let keep: unknown = null;
    // 10,000 calls: the growth (~240 kB) stands well above what the test runner itself
    // may free during a trial (a full run once measured a 24-byte object below 16 over 1,000)
    expect(bytesPerCall(() => void (keep = { a: 1, b: 2, prev: keep }), 10_000)).toBeGreaterThan(16);
  });

  it("step allocates nothing, over 1000 steps", { timeout: 60_000 }, () => {
    expect(bytesPerCall(() => void net.step(ws, inputs, params))).toBeLessThan(4);
  });

  it("forward allocates nothing, over 1000 calls", { timeout: 60_000 }, () => {
    expect(bytesPerCall(() => void net.forward(ws, inputs, params))).toBeLessThan(4);
  });

  it("the step's loss is the cross-entropy of 10 nearly uniform classes", () => {
    net.step(ws, inputs, params);
    expect(ws.outputs.loss).toBeCloseTo(Math.log(10), 2);
  });

  it("the --simd step (matmuls in WebAssembly, inputs copied into its memory) allocates nothing either", { timeout: 60_000 }, () => {
    const simdWs = simdNet.createWorkspace(simdNet.dimsOf(inputs, params));
    expect(bytesPerCall(() => void simdNet.step(simdWs, inputs, params))).toBeLessThan(4);
    expect(simdWs.outputs.loss).toBeCloseTo(net.step(ws, inputs, params).outputs.loss, 5);
  });
});
