/**
 * The parts of a --simd training iteration, timed apart: drawing the batch, the compiled step, the
 * SGD update (2,500 iterations on random MNIST batches). Run from the repository's root:
 * `npx tsx test/bench/experiments/iter.ts`. docs/performance.md quotes it.
 */
import { loadGraph } from "../../../src/pipeline.js";
import { loadCompiled } from "../../../src/runtime/load.js";
import { defaultDataDir, fillBatch, loadMnist } from "../../../src/runtime/mnist.js";
import { batch, classifier } from "../../../src/runtime/model.js";
import { createOptimizer, type FloatArray } from "../../../src/runtime/optimizers.js";
import { Random } from "../../../src/tensor/random.js";
const data = loadMnist(defaultDataDir());
const g = loadGraph("graphs/two_layer_net.graph");
const model = classifier(g, await loadCompiled(g, { simd: true }), 1);
const b = batch(model, 100);
const opt = createOptimizer("sgd", 0.1, model.params);
const rng = new Random(2);
let tf = 0, ts = 0, tu = 0;
for (let it = 0; it < 3000; it++) {
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) b.indices[i] = rng.int(data.train.count);
  fillBatch(data.train, b.indices, b.x, b.t);
  const t1 = performance.now();
  const ws = model.module.step(b.ws, b.inputs, model.params);
  const t2 = performance.now();
  opt.update(model.params, ws.grads[model.loss] as Record<string, FloatArray>);
  const t3 = performance.now();
  if (it >= 500) { tf += t1 - t0; ts += t2 - t1; tu += t3 - t2; }
}
console.log("fill", (tf / 2500).toFixed(3), "step", (ts / 2500).toFixed(3), "update", (tu / 2500).toFixed(3));
