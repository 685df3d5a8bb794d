/**
 * `npm run bench`: a whole training iteration of the textbook's TwoLayerNet (draw the batch,
 * step, update) in gradc — both back ends, 1 and 2 threads — against its peers, all in ONE
 * run on this machine, in interleaved rounds (A B C … A B C …, the median of each) so that a
 * noisy machine moves all of them alike: TensorFlow.js (cpu, wasm), jax-js, NumPy float32,
 * PyTorch. Then a scaling table (hidden 50 / 200 / 1000 × batch 100 / 1000), compile times
 * of 1k- and 10k-node graphs, bytes allocated per iteration, and the end-to-end textbook recipe.
 * Writes the tables into docs/performance.md; the last line printed is one JSON object.
 * BENCH_QUICK=1 skips the end-to-end runs and the scaling table.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { emitModule } from "../../src/codegen/index.js";
import { compileText, loadGraph } from "../../src/index.js";
import { optimize } from "../../src/optimize/pipeline.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { defaultDataDir, loadMnist } from "../../src/runtime/mnist.js";
import { train } from "../../src/runtime/train.js";
import { jaxjs, numpy, tfjs, torch, type Outcome, type Runner, type Shape } from "./peers.js";
import { gradc } from "./runners.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const QUICK = process.env["BENCH_QUICK"] === "1";
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const data = loadMnist(defaultDataDir());
const log = (s: string) => process.stdout.write(s + "\n");
const THREADS = availableParallelism();
const TEXTBOOK: Shape = { hidden: 50, batch: 100 };
/** floating-point operations of one iteration without the unused input gradient: 3 matmuls of 2·B·784·H, 3 of 2·B·H·10 */
const mflop = (s: Shape) => (6 * s.batch * (784 * s.hidden + s.hidden * 10)) / 1e6;

/** chains of this many statements optimize to about 1,000 and 10,000 nodes with their gradients (measured: 7 nodes a statement) */
const CHAINS = [143, 1430];

/**
 * Bytes a training iteration allocates, each configuration alone in a child process
 * (alloc.ts: the young generation's growth per iteration), the median of its pairs of windows.
 */
function allocations(): string {
  return ([[true, THREADS], [true, 1], [false, THREADS], [false, 1]] as const)
    .map(([simd, threads]) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", `${ROOT}test/bench/alloc.ts`, simd ? "simd" : "ts", String(threads)], { encoding: "utf8", cwd: ROOT });
      const windows = (JSON.parse(r.stdout.trim().split("\n").at(-1) || "{}") as { windows?: number[] }).windows ?? [];
      const key = `gradc_${simd ? "simd" : "ts"}_${threads}`;
      return windows.length === 0 ? `${key} not measured (${r.stderr.trim().split("\n").at(-1)})` : `${key} ${median(windows).toFixed(2)} bytes`;
    })
    .join(", ");
}

interface Row {
  readonly name: string;
  readonly key: string;
  readonly ms: number[];
  note?: string;
  skipped?: string;
}

const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;

/** One measurement per round of every peer, in the same order each round; Python peers run as subprocesses. */
async function rounds(): Promise<{ rows: Row[] }> {
  const inProcess: [Row, Runner, number][] = [];
  const closers: (() => Promise<void>)[] = [];
  for (const [simd, threads] of [[true, THREADS], [true, 1], [false, THREADS], [false, 1]] as const) {
    const key = `gradc_${simd ? "simd" : "ts"}_${threads}`;
    const g = await gradc(data, simd, threads, TEXTBOOK);
    closers.push(g.close);
    inProcess.push([{ key, name: `gradc ${simd ? "`--simd` (WebAssembly SIMD)" : "TypeScript backend"}, ${threads} thread${threads > 1 ? "s" : ""}`, ms: [] }, g.run, simd ? 2000 : 400]);
  }
  inProcess.push([{ key: "tfjs_wasm", name: "TensorFlow.js 4.22, wasm backend", ms: [] }, await tfjs("wasm", data, TEXTBOOK), 150]);
  inProcess.push([{ key: "jaxjs", name: "jax-js 0.1.25, whole step under jit (wasm)", ms: [] }, await jaxjs(data, TEXTBOOK), 100]);
  const py: [Row, (iters: number) => Outcome, number][] = [
    [{ key: "numpy", name: "NumPy float32, the textbook's code without dx1 (../shared/peers), OpenBLAS's default threads", ms: [] }, (n) => numpy(TEXTBOOK, n), 3000],
    [{ key: "numpy_1", name: "NumPy float32, the same, OPENBLAS_NUM_THREADS=1", ms: [] }, (n) => numpy(TEXTBOOK, n, 1), 3000],
    [{ key: "torch", name: "PyTorch float32, 1 thread (test/bench/torch_two_layer.py)", ms: [] }, (n) => torch(TEXTBOOK, n), 3000],
  ];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [row, run, n] of inProcess) row.ms.push(run(n));
    for (const [row, run, n] of py) {
      if (row.skipped) continue;
      const o = run(n);
      if ("skipped" in o) row.skipped = o.skipped;
      else {
        row.ms.push(o.ms);
        if (o.acc !== undefined) row.note = `test accuracy ${o.acc.toFixed(4)} after its ${n.toLocaleString("en-US")} timed iterations`;
      }
    }
    log(`round ${r + 1}: ${[...inProcess.map(([row]) => row), ...py.map(([row]) => row)].map((row) => `${row.key} ${row.skipped ? "skipped" : row.ms.at(-1)!.toFixed(3)}`).join(" · ")}`);
  }
  const cpu: Row = { key: "tfjs_cpu", name: "TensorFlow.js 4.22, cpu backend", ms: [] };
  const cpuRun = await tfjs("cpu", data, TEXTBOOK);
  for (let r = 0; r < ROUNDS; r++) cpu.ms.push(cpuRun(30));
  for (const c of closers) await c();
  return { rows: [...inProcess.map(([row]) => row), ...py.map(([row]) => row), cpu] };
}

/** gradc (--simd, all threads) against NumPy and TensorFlow.js wasm as the layer and the batch grow. */
async function scaling(): Promise<string[]> {
  const lines = ["| hidden × batch | gradc `--simd`, " + THREADS + " threads (ms) | NumPy float32, its better of 1 and 2 BLAS threads (ms) | TF.js wasm (ms) | vs NumPy | vs TF.js wasm |", "|---|---|---|---|---|---|"];
  for (const hidden of [50, 200, 1000]) {
    for (const b of [100, 1000]) {
      const s = { hidden, batch: b };
      const n = Math.max(20, Math.round(400 / (mflop(s) / 16)));
      const g = await gradc(data, true, THREADS, s);
      const ours = median([g.run(n), g.run(n), g.run(n)]);
      await g.close();
      const [a, b1] = [numpy(s, Math.max(200, n)), numpy(s, Math.max(200, n), 1)];
      const np = "ms" in a && "ms" in b1 ? (a.ms <= b1.ms ? a : b1) : a;
      const tf = await tfjs("wasm", data, s);
      const theirs = median([tf(Math.max(10, n >> 3)), tf(Math.max(10, n >> 3))]);
      const npMs = "ms" in np ? np.ms : NaN;
      lines.push(`| ${hidden} × ${b} | ${ours.toFixed(3)} | ${"ms" in np ? npMs.toFixed(3) : "skipped"} | ${theirs.toFixed(3)} | ${(npMs / ours).toFixed(2)}× | ${(theirs / ours).toFixed(2)}× |`);
      log(lines.at(-1)!);
    }
  }
  return lines;
}

/** Compile time (parse, differentiate, optimize, emit) of chains `x{i} = tanh(x{i-1}) * 0.9 + 0.1` with their gradients. */
function compileTimes(): string[] {
  return CHAINS.map((statements) => {
    const lines = ["input x0: f64[4] = [0.1, 0.2, 0.3, 0.4]"];
    for (let i = 1; i <= statements; i++) lines.push(`x${i} = tanh(x${i - 1}) * 0.9 + 0.1`);
    lines.push(`L = sum(x${statements})`, "grad L wrt x0", "");
    const t0 = performance.now();
    const g = compileText(lines.join("\n"), "chain.graph");
    const nodes = optimize(g).nodes.length;
    emitModule(g);
    return `- compile time of a graph of ${nodes.toLocaleString("en")} nodes after optimization (${statements} statements with their gradient): ${((performance.now() - t0) / 1000).toFixed(2)} s`;
  });
}

async function endToEnd(): Promise<string> {
  if (QUICK) return "skipped (BENCH_QUICK=1)";
  const graph = loadGraph(`${ROOT}graphs/two_layer_net.graph`);
  const quiet = { start() {}, tick() {}, epoch() {}, stop() {} };
  const parts: string[] = [];
  for (const [simd, threads] of [[true, THREADS], [true, 1], [false, THREADS]] as const) {
    const r = await train(graph, await loadCompiled(graph, simd ? { simd: true } : {}), data, { iters: 10000, batch: 100, optimizer: "sgd", seed: 1, dir: `${ROOT}runs/bench`, threads }, quiet);
    parts.push(`${simd ? "`--simd`" : "TypeScript"} ${threads} thread${threads > 1 ? "s" : ""} ${r.seconds.toFixed(1)} s, test accuracy ${r.testAcc.toFixed(4)}`);
    log(`end to end: ${parts.at(-1)}`);
  }
  return parts.join("; ");
}

async function main(): Promise<void> {
  log(`benchmarking a training iteration of the TwoLayerNet (784-50-10, batch 100, SGD), ${ROUNDS} interleaved rounds …`);
  const { rows } = await rounds();
  const ms = (key: string) => {
    const r = rows.find((x) => x.key === key);
    return r && !r.skipped ? median(r.ms) : NaN;
  };
  const best = ms(`gradc_simd_${THREADS}`);
  const table = [
    `| implementation | ms / iteration (median of ${ROUNDS}) | GFLOP/s | gradc \`--simd\` ${THREADS} threads is faster by | note |`,
    "|---|---|---|---|---|",
    ...rows.map((r) => (r.skipped ? `| ${r.name} | skipped: ${r.skipped} | | | |` : `| ${r.name} | ${median(r.ms).toFixed(3)} | ${(mflop(TEXTBOOK) / median(r.ms)).toFixed(2)} | ${(median(r.ms) / best).toFixed(2)}× | ${r.note ?? ""} |`)),
  ];
  const scale = QUICK ? ["(skipped: BENCH_QUICK=1)"] : await scaling();
  const notes = [
    ...compileTimes(),
    `- bytes allocated per training iteration (the growth of V8's young generation over 40,000 iterations less that over 10,000, divided by 30,000 — 4,000 and 1,000 for TypeScript — median of 5 such pairs, each configuration alone in a process: test/bench/alloc.ts): ${allocations()}`,
    `- peak RSS of this benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    `- end-to-end textbook recipe (10,000 iterations + 17 evaluations on 70,000 images): ${await endToEnd()}`,
  ];
  const text = [...table, "", "Scaling (the same iteration, wider layers and larger batches):", "", ...scale, "", ...notes].join("\n");
  log("\n" + text);
  const doc = `${ROOT}docs/performance.md`;
  const old = readFileSync(doc, "utf8");
  const block = `<!-- bench:start -->\n${text}\n<!-- bench:end -->`;
  writeFileSync(doc, old.replace(/<!-- bench:start -->[^]*<!-- bench:end -->/, block));
  log("\nwrote the tables into docs/performance.md");
  // NumPy's better configuration: with OpenBLAS on two cores, or on one (often faster at this size)
  const numpyMs = Math.min(ms("numpy"), ms("numpy_1"));
  const ratio = (key: string) => (Number.isFinite(ms(key)) ? Number((ms(key) / best).toFixed(3)) : null);
  log(JSON.stringify({ gradc_ms: Number(best.toFixed(4)), numpy_ms: Number.isFinite(numpyMs) ? Number(numpyMs.toFixed(4)) : null, ratio_vs_numpy: Number.isFinite(numpyMs) ? Number((numpyMs / best).toFixed(3)) : null, ratio_vs_tfjs_wasm: ratio("tfjs_wasm"), ratio_vs_jaxjs: ratio("jaxjs"), ratio_vs_torch: ratio("torch") }));
}

await main();
