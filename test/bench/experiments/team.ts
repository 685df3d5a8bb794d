/**
 * A whole --simd training iteration (draw, step, update) with 1 and 2 threads, in
 * interleaved rounds: `npx tsx test/bench/experiments/team.ts`.
 */
import { loadGraph } from "../../../src/pipeline.js";
import { loadCompiled, moduleText } from "../../../src/runtime/load.js";
import { defaultDataDir, loadMnist } from "../../../src/runtime/mnist.js";
import { classifier } from "../../../src/runtime/model.js";
import { createTeam, type Team } from "../../../src/runtime/pool.js";
import { Random } from "../../../src/tensor/random.js";

const data = loadMnist(defaultDataDir());
const g = loadGraph("graphs/two_layer_net.graph");
const mod = await loadCompiled(g, { simd: true });
const teams: Team[] = [];
for (const threads of [1, 2]) {
  const m = classifier(g, mod, 1);
  teams.push(await createTeam(mod, moduleText(mod)!, { threads, batch: 100, float: "f32", checkNumerics: false, names: { x: m.x, t: m.t, loss: m.loss, dim: m.dim }, optimizer: { name: "sgd", lr: 0.1 }, params: m.params, steps: 0, labels: data.train.labels, pixels: data.train.pixels }));
}
const rng = new Random(2);
const run = (t: Team, n: number) => {
  const t0 = performance.now();
  for (let it = 0; it < n; it++) {
    for (let i = 0; i < 100; i++) t.indices[i] = rng.int(data.train.count);
    t.iterate();
    t.update();
  }
  return (performance.now() - t0) / n;
};
for (const t of teams) run(t, 300);
const rounds: number[][] = [[], []];
for (let r = 0; r < 5; r++) teams.forEach((t, i) => rounds[i]!.push(run(t, 1000)));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
teams.forEach((t, i) => console.log(`${t.threads} thread(s): ${median(rounds[i]!).toFixed(3)} ms/iter (rounds ${rounds[i]!.map((x) => x.toFixed(3)).join(" ")})`));
for (const t of teams) await t.close();
