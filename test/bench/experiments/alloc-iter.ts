/**
 * Heap growth per call of each part of a --simd training iteration (the least of 5 trials of 400
 * after a full collection). Run from the repository's root: `npx tsx test/bench/experiments/alloc-iter.ts`.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadGraph } from "../../../src/pipeline.js";
import { loadCompiled } from "../../../src/runtime/load.js";
import { defaultDataDir, fillBatch, loadMnist } from "../../../src/runtime/mnist.js";
import { batch, classifier } from "../../../src/runtime/model.js";
import { createOptimizer, type FloatArray } from "../../../src/runtime/optimizers.js";
import { Random } from "../../../src/tensor/random.js";
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const data = loadMnist(defaultDataDir());
const g = loadGraph("graphs/two_layer_net.graph");
const model = classifier(g, await loadCompiled(g, { simd: true }), 1);
const b = batch(model, 100);
const opt = createOptimizer("sgd", 0.1, model.params);
const rng = new Random(2);
const ws = model.module.step(b.ws, b.inputs, model.params);
const parts: Record<string, () => void> = {
  rng: () => { for (let i = 0; i < 100; i++) b.indices[i] = rng.int(data.train.count); },
  fill: () => fillBatch(data.train, b.indices, b.x, b.t),
  step: () => void model.module.step(b.ws, b.inputs, model.params),
  update: () => opt.update(model.params, ws.grads[model.loss] as Record<string, FloatArray>),
};
for (const [name, f] of Object.entries(parts)) {
  for (let i = 0; i < 500; i++) f();
  let least = Infinity;
  for (let trial = 0; trial < 5; trial++) { gc(); const before = process.memoryUsage().heapUsed; for (let i = 0; i < 400; i++) f(); least = Math.min(least, (process.memoryUsage().heapUsed - before) / 400); }
  console.log(name, least.toFixed(1), "bytes/call");
}
