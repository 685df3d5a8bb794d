/**
 * `npm run bench`: the compiled TwoLayerNet's training step against its peers, all in
 * ONE run on this machine — TensorFlow.js (cpu and wasm backends) on the same model and
 * batches, and NumPy (../shared/peers) when Python has it — with ratios, compile time,
 * allocation per step, peak RSS and the end-to-end textbook recipe. Writes the table
 * into docs/performance.md. BENCH_QUICK=1 skips the end-to-end run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { emitModule } from "../../src/codegen/index.js";
import { loadGraph } from "../../src/index.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { defaultDataDir, fillBatch, loadMnist } from "../../src/runtime/mnist.js";
import { batch, classifier } from "../../src/runtime/model.js";
import { createOptimizer, type FloatArray } from "../../src/runtime/optimizers.js";
import { Random } from "../../src/tensor/random.js";
import { train } from "../../src/runtime/train.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MFLOP = 16.1; // per iteration, without the unused input gradient
const data = loadMnist(defaultDataDir());
const rows: { name: string; ms: number; note?: string }[] = [];
const log = (s: string) => process.stdout.write(s + "\n");

async function gradc(simd: boolean): Promise<{ ms: number; compileMs: number; bytesPerStep: number }> {
  const g = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
  const t0 = performance.now();
  emitModule(g, { simd });
  const compileMs = performance.now() - t0;
  const model = classifier(g, await loadCompiled(g, { simd }), 1);
  const b = batch(model, 100);
  const opt = createOptimizer("sgd", 0.1, model.params);
  const rng = new Random(2);
  const iteration = () => {
    for (let i = 0; i < 100; i++) b.indices[i] = rng.int(data.train.count);
    fillBatch(data.train, b.indices, b.x, b.t);
    const ws = model.module.step(b.ws, b.inputs, model.params);
    opt.update(model.params, ws.grads[model.loss] as Record<string, FloatArray>);
  };
  for (let i = 0; i < 300; i++) iteration();
  const n = 2000;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) iteration();
  const ms = (performance.now() - t1) / n;
  // heap growth: the least of 5 trials after a full collection (a per-step allocation shows in every trial)
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  let least = Infinity;
  for (let trial = 0; trial < 5; trial++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 400; i++) iteration();
    least = Math.min(least, Math.max(0, process.memoryUsage().heapUsed - before) / 400);
  }
  return { ms, compileMs, bytesPerStep: least };
}

async function tfjs(backend: "cpu" | "wasm"): Promise<number> {
  const tf = await import("@tensorflow/tfjs-core");
  // tfjs-core registers no gradients by itself (the @tensorflow/tfjs bundle imports this module);
  // it is ES module code with extensionless imports, which tsx loads as CommonJS but Node's ESM loader refuses
  createRequire(import.meta.url)("@tensorflow/tfjs-core/dist/register_all_gradients");
  if (backend === "cpu") await import("@tensorflow/tfjs-backend-cpu");
  else {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dir = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    wasm.setWasmPaths(join(dir, "dist") + "/");
  }
  await tf.setBackend(backend);
  await tf.ready();
  const W1 = tf.variable(tf.randomNormal([784, 50], 0, 0.01));
  const b1 = tf.variable(tf.zeros([50]));
  const W2 = tf.variable(tf.randomNormal([50, 10], 0, 0.01));
  const b2 = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.1);
  const x = new Float32Array(100 * 784);
  const t = new Int32Array(100);
  const idx = new Int32Array(100);
  const rng = new Random(3);
  const iteration = () => {
    for (let i = 0; i < 100; i++) idx[i] = rng.int(data.train.count);
    fillBatch(data.train, idx, x, t);
    tf.tidy(() => {
      const xs = tf.tensor2d(x, [100, 784]);
      const ys = tf.oneHot(tf.tensor1d(t, "int32"), 10);
      // functions, not chained methods: tfjs-core alone does not add those to its tensors
      const scores = () => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xs, W1), b1)), W2), b2);
      opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, scores()) as import("@tensorflow/tfjs-core").Scalar);
    });
  };
  for (let i = 0; i < 20; i++) iteration();
  const n = backend === "cpu" ? 60 : 200;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) iteration();
  return (performance.now() - t0) / n;
}

function numpy(): { ms: number; acc: number } | string {
  const script = `${ROOT}../shared/peers/numpy_two_layer.py`;
  if (!existsSync(script)) return "skipped: ../shared/peers/numpy_two_layer.py is not here";
  const r = spawnSync("python3", [script, "--data", defaultDataDir(), "--dtype", "float32", "--no-gradcheck", "--no-dx1"], { encoding: "utf8" });
  if (r.status !== 0) return `skipped: python3 with NumPy is not available (${(r.stderr || r.error?.message || "").split("\n")[0]})`;
  const last = JSON.parse(r.stdout.trim().split("\n").pop()!) as { ms_per_iter: number; test_acc: number };
  return { ms: last.ms_per_iter, acc: last.test_acc };
}

async function main(): Promise<void> {
  log("benchmarking the TwoLayerNet training step (784-50-10, batch 100, SGD) …");
  const ts = await gradc(false);
  rows.push({ name: "gradc compiled step, TypeScript backend (default), 1 thread", ms: ts.ms });
  log(`gradc TypeScript: ${ts.ms.toFixed(3)} ms/iter`);
  const g = await gradc(true);
  rows.unshift({ name: "gradc compiled step, `--simd` (matmuls in WebAssembly SIMD), 1 thread", ms: g.ms });
  log(`gradc --simd: ${g.ms.toFixed(3)} ms/iter`);
  for (const backend of ["wasm", "cpu"] as const) {
    const ms = await tfjs(backend);
    rows.push({ name: `TensorFlow.js 4.22 ${backend} backend`, ms });
    log(`tfjs ${backend}: ${ms.toFixed(3)} ms/iter`);
  }
  const np = numpy();
  if (typeof np === "string") log(`NumPy: ${np}`);
  else rows.push({ name: "NumPy float32, textbook code without dx1 (peers/)", ms: np.ms, note: `test acc ${np.acc}` });
  const e2e: string[] = [];
  for (const simd of [true, false]) {
    if (process.env["BENCH_QUICK"] === "1") break;
    const graph = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
    const quiet = { start() {}, tick() {}, epoch() {}, stop() {} };
    const r = await train(graph, await loadCompiled(graph, { simd }), data, { iters: 10000, batch: 100, optimizer: "sgd", seed: 1, dir: `${ROOT}runs/bench` }, quiet);
    e2e.push(`${simd ? "`--simd`" : "TypeScript"} ${r.seconds.toFixed(1)} s, test accuracy ${r.testAcc.toFixed(4)}`);
  }
  const table = [
    "| implementation | ms / iteration | GFLOP/s | gradc `--simd` is faster by | gradc TypeScript is faster by |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(3)} | ${(MFLOP / r.ms).toFixed(2)} | ${(r.ms / g.ms).toFixed(2)}× | ${(r.ms / ts.ms).toFixed(2)}× |${r.note ? ` ${r.note}` : ""}`),
    "",
    `- compile time of the MLP graph (optimize + fuse + emit): TypeScript ${ts.compileMs.toFixed(0)} ms, \`--simd\` ${g.compileMs.toFixed(0)} ms`,
    `- heap growth per training iteration (least of 5 trials of 400, after a full collection): TypeScript ${ts.bytesPerStep.toFixed(1)} bytes, \`--simd\` ${g.bytesPerStep.toFixed(1)} bytes`,
    `- peak RSS of this benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    `- end-to-end textbook recipe (10,000 iterations + 17 evaluations on 70,000 images): ${e2e.join("; ") || "skipped (BENCH_QUICK=1)"}`,
    `- NumPy: ${typeof np === "string" ? np : "run in the same sitting, `--dtype float32 --no-dx1`"}`,
  ].join("\n");
  log("\n" + table);
  const doc = `${ROOT}docs/performance.md`;
  const text = readFileSync(doc, "utf8");
  const block = `<!-- bench:start -->\n${table}\n<!-- bench:end -->`;
  writeFileSync(doc, /<!-- bench:start -->[^]*<!-- bench:end -->/.test(text) ? text.replace(/<!-- bench:start -->[^]*<!-- bench:end -->/, block) : `${text}\n## npm run bench (${new Date().toISOString().slice(0, 10)})\n\n${block}\n`);
  log(`\nwrote the table into docs/performance.md`);
}

await main();
