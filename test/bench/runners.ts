/**
 * gradc's whole training iteration (draw the batch, step, update) as the bench times it:
 * shared by bench.ts and alloc.ts (which counts its allocations in a process of its own).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileText } from "../../src/index.js";
import { loadCompiled, moduleText } from "../../src/runtime/load.js";
import { fillBatch, type Mnist } from "../../src/runtime/mnist.js";
import { batch, classifier } from "../../src/runtime/model.js";
import { createOptimizer, type FloatArray } from "../../src/runtime/optimizers.js";
import { createTeam } from "../../src/runtime/pool.js";
import { Random } from "../../src/tensor/random.js";
import type { Runner, Shape } from "./peers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const netText = (hidden: number) => readFileSync(`${ROOT}graphs/two_layer_net.graph`, "utf8").replaceAll("50]", `${hidden}]`).replace("[50,", `[${hidden},`);

/** gradc's whole iteration: the team (runtime/pool.ts) for --simd or threads > 1, else the module's step and the optimizer. */
export async function gradc(data: Mnist, simd: boolean, threads: number, s: Shape): Promise<{ run: Runner; iteration: () => void; close: () => Promise<void> }> {
  const g = compileText(netText(s.hidden), "graphs/two_layer_net.graph");
  const mod = await loadCompiled(g, simd ? { simd: true } : {});
  const model = classifier(g, mod, 1);
  const rng = new Random(2);
  if (simd || threads > 1) {
    const team = await createTeam(mod, moduleText(mod)!, { threads, batch: s.batch, float: "f32", checkNumerics: false, names: { x: model.x, t: model.t, loss: model.loss, dim: model.dim }, optimizer: { name: "sgd", lr: 0.1 }, params: model.params, steps: 0, labels: data.train.labels, pixels: data.train.pixels, home: data.train.gatherer?.home });
    const iteration = () => {
      for (let i = 0; i < s.batch; i++) team.indices[i] = rng.int(data.train.count);
      team.iterate();
      team.update();
    };
    return { run: warmed(iteration), iteration, close: () => team.close() };
  }
  const b = batch(model, s.batch);
  const opt = createOptimizer("sgd", 0.1, model.params);
  const iteration = () => {
    for (let i = 0; i < s.batch; i++) b.indices[i] = rng.int(data.train.count);
    fillBatch(data.train, b.indices, b.x, b.t);
    const ws = mod.step(b.ws, b.inputs, model.params);
    opt.update(model.params, ws.grads[model.loss] as Record<string, FloatArray>);
  };
  return { run: warmed(iteration), iteration, close: async () => {} };
}

export function warmed(iteration: () => void): Runner {
  for (let i = 0; i < 200; i++) iteration();
  return (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) iteration();
    return (performance.now() - t0) / n;
  };
}

