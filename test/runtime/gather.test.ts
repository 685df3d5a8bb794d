/**
 * Drawing batches in WebAssembly gives the very numbers of the plain loop (byte / 255 in
 * float64, rounded to float32), for the real MNIST, and allocates nothing.
 */
import { describe, expect, it } from "vitest";
import { CAPACITY, gatherer } from "../../src/runtime/gather.js";
import { defaultDataDir, fillBatch, loadMnist } from "../../src/runtime/mnist.js";

describe("the batch gatherer", () => {
  const data = loadMnist(defaultDataDir());

  it("gives float32 batches equal, bit for bit, to byte / 255 of the chosen images", () => {
    const indices = Int32Array.from({ length: 100 }, (_, i) => (i * 7919 + 13) % data.train.count);
    const x = new Float32Array(100 * 784);
    const t = new Int32Array(100);
    fillBatch(data.train, indices, x, t);
    const want = new Float32Array(100 * 784);
    indices.forEach((img, b) => {
      for (let p = 0; p < 784; p++) want[b * 784 + p] = data.train.pixels[img * 784 + p]! / 255;
    });
    expect(Buffer.from(x.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    expect(Array.from(t)).toEqual(Array.from(indices, (i) => data.train.labels[i]));
  });

  it("covers every byte value exactly, and the last image of a split", () => {
    const bytes = Uint8Array.from({ length: 784 * 2 }, (_, i) => i % 256);
    const g = gatherer(bytes);
    const x = new Float32Array(784 * 2);
    g.gather(Int32Array.of(1, 0), x);
    for (let p = 0; p < 784; p++) {
      expect(x[p]).toBe(Math.fround(((784 + p) % 256) / 255));
      expect(x[784 + p]).toBe(Math.fround((p % 256) / 255));
    }
  });

  it("float64 batches and batches over its capacity take the plain loop, with the same numbers", () => {
    const indices = Int32Array.from({ length: CAPACITY + 1 }, (_, i) => i);
    const x32 = new Float32Array((CAPACITY + 1) * 784);
    const x64 = new Float64Array((CAPACITY + 1) * 784);
    const t = new Int32Array(CAPACITY + 1);
    fillBatch(data.test, indices, x32, t);
    fillBatch(data.test, indices, x64, t);
    expect(Array.from(x32.subarray(0, 5000))).toEqual(Array.from(x64.subarray(0, 5000), Math.fround));
  });
});
