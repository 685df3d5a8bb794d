/**
 * Where a --simd training iteration allocates: V8's sampling heap profiler, counting objects
 * that minor and major collections freed too, over 20,000 iterations of the team (1 thread).
 * Prints each allocation site's bytes per iteration. `npx tsx test/bench/experiments/alloc-sites.ts [threads] [ts]`.
 */
import { Session } from "node:inspector/promises";
import { compileText } from "../../../src/index.js";
import { readFileSync } from "node:fs";
import { loadCompiled, moduleText } from "../../../src/runtime/load.js";
import { defaultDataDir, loadMnist } from "../../../src/runtime/mnist.js";
import { classifier } from "../../../src/runtime/model.js";
import { createTeam } from "../../../src/runtime/pool.js";
import { Random } from "../../../src/tensor/random.js";

const threads = Number(process.argv[2] ?? 1);
const simd = process.argv[3] !== "ts";
const data = loadMnist(defaultDataDir());
const g = compileText(readFileSync("graphs/two_layer_net.graph", "utf8"), "graphs/two_layer_net.graph");
const mod = await loadCompiled(g, simd ? { simd: true } : {});
const model = classifier(g, mod, 1);
const team = await createTeam(mod, moduleText(mod)!, { threads, batch: 100, float: "f32", checkNumerics: false, names: { x: model.x, t: model.t, loss: model.loss, dim: model.dim }, optimizer: { name: "sgd", lr: 0.1 }, params: model.params, steps: 0, labels: data.train.labels, pixels: data.train.pixels, home: data.train.gatherer?.home });
const rng = new Random(2);
const iteration = () => {
  for (let i = 0; i < 100; i++) team.indices[i] = rng.int(data.train.count);
  team.iterate();
  team.update();
};
for (let i = 0; i < 2000; i++) iteration();
const session = new Session();
session.connect();
await session.post("HeapProfiler.enable");
await session.post("HeapProfiler.startSampling", { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const N = simd ? 20000 : 2000;
for (let i = 0; i < N; i++) iteration();
const { profile } = (await session.post("HeapProfiler.stopSampling")) as { profile: { head: Node } };
interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
const sites: [string, number][] = [];
const walk = (n: Node, path: string[]) => {
  const here = [...path, `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`];
  if (n.selfSize > 0) sites.push([here.slice(-3).join(" < "), n.selfSize]);
  for (const c of n.children) walk(c, here);
};
walk(profile.head, []);
sites.sort((a, b) => b[1] - a[1]);
for (const [site, bytes] of sites.slice(0, 15)) console.log((bytes / N).toFixed(2).padStart(8), "B/iter", site);
await team.close();
