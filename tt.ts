import { loadGraph } from "./src/pipeline.js";
import { loadCompiled } from "./src/runtime/load.js";
import { loadMnist, defaultDataDir } from "./src/runtime/mnist.js";
import { train } from "./src/runtime/train.js";
const data = loadMnist(defaultDataDir());
const g = loadGraph("graphs/two_layer_net.graph");
const quiet = { start() {}, tick() {}, epoch() {}, stop() {} };
for (const [simd, threads] of [[false, 2], [true, 1], [true, 2], [true, 1], [true, 2]] as const) {
  const mod = await loadCompiled(g, simd ? { simd: true } : {});
  const t0 = performance.now();
  const r = await train(g, mod, data, { iters: 3000, batch: 100, optimizer: "sgd", seed: 1, dir: "/tmp/ttrun", threads, evalLimit: 100 }, quiet);
  console.log(simd, threads, r.threads, ((performance.now() - t0) / 3000).toFixed(3), "ms/it", r.losses[2999]);
}
