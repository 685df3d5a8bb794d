/**
 * Training for real on a slice of MNIST: a short run must learn, a checkpoint must
 * reload to the same predictions, and numerics problems must stop the run.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGraph } from "../../src/index.js";
import { graphHash, loadCheckpoint, saveCheckpoint } from "../../src/runtime/checkpoint.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { defaultDataDir, loadMnist, type Mnist } from "../../src/runtime/mnist.js";
import { accuracy, batch, classifier } from "../../src/runtime/model.js";
import { train, type Reporter } from "../../src/runtime/train.js";
import { ROOT, throwsError } from "../helpers.js";

const quiet: Reporter = { start() {}, tick() {}, epoch() {}, stop() {} };
const full = loadMnist(defaultDataDir());
const slice = (n: number, m: number): Mnist => ({
  source: full.source,
  train: { count: n, pixels: full.train.pixels.subarray(0, n * 784), labels: full.train.labels.subarray(0, n) },
  test: { count: m, pixels: full.test.pixels.subarray(0, m * 784), labels: full.test.labels.subarray(0, m) },
});

describe("training the compiled TwoLayerNet", () => {
  it("reaches 83% test accuracy in 300 SGD steps on 10,000 images", { timeout: 120_000 }, async () => {
    const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
    const dir = mkdtempSync(join(tmpdir(), "gradc-train-"));
    const r = await train(g, await loadCompiled(g), slice(10000, 2000), { iters: 300, batch: 100, optimizer: "sgd", seed: 1, dir }, quiet);
    expect(r.testAcc).toBeGreaterThan(0.83); // 0.844 with seed 1
    expect(r.losses[0]).toBeCloseTo(Math.log(10), 1); // starts at chance
    expect(r.losses[299]!).toBeLessThan(0.7);
  });

  it("is reproducible: the same seed gives the same losses, bit for bit", { timeout: 120_000 }, async () => {
    const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
    const run = async () => (await train(g, await loadCompiled(g), slice(2000, 500), { iters: 40, batch: 50, optimizer: "adam", seed: 7, dir: mkdtempSync(join(tmpdir(), "gradc-rep-")) }, quiet)).losses;
    expect(Array.from(await run())).toEqual(Array.from(await run()));
  });

  it("composes: the three-layer net trains with the same loop", { timeout: 120_000 }, async () => {
    const g = loadGraph(`${ROOT}graphs/three_layer_net.graph`);
    const r = await train(g, await loadCompiled(g), slice(5000, 1000), { iters: 200, batch: 100, optimizer: "adam", seed: 1, dir: mkdtempSync(join(tmpdir(), "gradc-3-")) }, quiet);
    expect(r.testAcc).toBeGreaterThan(0.8);
  });

  it("stops at the first non-finite loss with --check-numerics", { timeout: 60_000 }, async () => {
    const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
    const r = await train(g, await loadCompiled(g), slice(1000, 100), { iters: 200, batch: 50, lr: 1e30, optimizer: "sgd", seed: 1, dir: mkdtempSync(join(tmpdir(), "gradc-nan-")), checkNumerics: true }, quiet);
    expect(r.stoppedAt).toBeDefined();
    expect(Number.isFinite(r.stoppedAt!.loss)).toBe(false);
    expect(r.stoppedAt!.where).toMatch(/^\w+ at two_layer_net\.graph:1[0-2]: /);
  });
});

describe("checkpoints", () => {
  it("save → load gives the same predictions, and resume continues the same run", { timeout: 120_000 }, async () => {
    const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
    const mod = await loadCompiled(g);
    const data = slice(2000, 500);
    const dir = mkdtempSync(join(tmpdir(), "gradc-ckpt-"));
    const straight = await train(g, mod, data, { iters: 80, batch: 50, optimizer: "momentum", seed: 3, dir: mkdtempSync(join(tmpdir(), "gradc-s-")) }, quiet);
    const first = await train(g, mod, data, { iters: 40, batch: 50, optimizer: "momentum", seed: 3, dir }, quiet);
    const loaded = loadCheckpoint(join(dir, "checkpoint.bin"), g);
    const again = classifier(g, mod, 99);
    for (const [n, a] of Object.entries(loaded.params)) again.params[n]!.set(a);
    expect(accuracy(again, batch(again, 100), data.test)).toBe(accuracy(first.model, batch(first.model, 100), data.test));
    const resumed = await train(g, mod, data, { iters: 80, batch: 50, optimizer: "momentum", seed: 3, dir, resume: true }, quiet);
    expect(Array.from(resumed.losses)).toEqual(Array.from(straight.losses.subarray(40)));
  });

  it("refuses a checkpoint of another graph, and a damaged file", () => {
    const two = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
    const three = loadGraph(`${ROOT}graphs/three_layer_net.graph`);
    const dir = mkdtempSync(join(tmpdir(), "gradc-bad-"));
    const path = join(dir, "c.bin");
    saveCheckpoint(path, { graphHash: graphHash(three), source: "graphs/three_layer_net.graph", iteration: 1, optimizer: { name: "sgd", lr: 0.1, steps: 1 }, rng: 1, params: {}, state: {} }, three);
    expect(throwsError("checkpoint_other_graph", () => loadCheckpoint(path, two))).toBe(`${path} was saved from graphs/three_layer_net.graph, whose params differ from ${two.file}'s: it cannot be loaded into this graph`);
    writeFileSync(path, "not a checkpoint");
    expect(throwsError("checkpoint_unusable", () => loadCheckpoint(path, two))).toBe(`${path}: not a usable gradc checkpoint: it is not a safetensors file: its first 8 bytes give a header length of 7521891404167278446 bytes, over safetensors' limit of 100 MB`);
  });
});
