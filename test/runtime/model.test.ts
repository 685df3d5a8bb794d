/** Accuracy counts every image asked for, fewer than a batch included; an empty data set is refused. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGraph } from "../../src/index.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { defaultDataDir, loadMnist } from "../../src/runtime/mnist.js";
import { accuracy, batch, classifier, countCorrect } from "../../src/runtime/model.js";
import { ROOT, throwsError } from "../helpers.js";

describe("accuracy", () => {
  it("evaluates every image of a limit that is not a multiple of the batch (fewer than 500 gave 0.0000)", { timeout: 60_000 }, async () => {
    const data = loadMnist(defaultDataDir());
    const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
    const c = classifier(g, await loadCompiled(g), 1);
    const b = batch(c, 500);
    const one = batch(c, 1);
    // the reference: the same images one at a time, with a batch of 1
    for (const n of [1, 137, 499, 501]) {
      const acc = accuracy(c, b, data.test, n);
      expect(Number.isInteger(Math.round(acc * n * 1e9) / 1e9), `${n}`).toBe(true);
      expect(acc).toBe(accuracy(c, one, data.test, n));
    }
    expect(countCorrect(Float32Array.from([0, 1, 1, 0, 1, 0]), Int32Array.from([1, 0, 0]), 2)).toBe(2);
  });

  it("refuses a data set with no images", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-empty-"));
    const idx = (magic: number, dims: number[]) => {
      const head = Buffer.alloc(4 + 4 * dims.length);
      head.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
      return head;
    };
    for (const split of ["train", "t10k"]) {
      writeFileSync(join(dir, `${split}-images-idx3-ubyte`), idx(0x803, [0, 28, 28]));
      writeFileSync(join(dir, `${split}-labels-idx1-ubyte`), idx(0x801, [0]));
    }
    expect(throwsError("mnist_empty", () => loadMnist(dir))).toMatch(/it holds no images/);
  });
});
