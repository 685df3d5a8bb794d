/**
 * The training worker: compiles the graph in the worker (the same core as the page),
 * prints its module as JavaScript, imports it, and trains it on MNIST with the
 * textbook's SGD. With threads (a cross-origin isolated page, a step that splits by the
 * batch's rows, class-index labels), every kernel runs in WebAssembly (`--simd`) and a team
 * of Web Workers shares each step over one memory, as `gradc train --threads` does in Node;
 * otherwise each iteration is one call of the compiled `step` and a loop of SGD.
 * Posts the loss as it goes, test accuracy now and then, and the predictions at the end.
 */
import { compileSource } from "../core/compile.js";
import { emitJs } from "../codegen-chunk.js";
import { batchSplit } from "../../graph/batch.js";
import type { Graph } from "../../graph/ir.js";
import type { CompiledModule } from "../../runtime/load.js";
import { Random } from "../../tensor/random.js";
import { browserTeam, canShare } from "./threads.js";
import { mathjsLoaded } from "../platform/mathjs.js";
import { readImages, readLabels, type Images } from "./idx.js";
import type { Digit, TrainMessage, TrainRequest } from "./protocol.js";
import { mnistShape, type MnistShape } from "./shape.js";

type Arrays = Record<string, Float32Array | Float64Array | Int32Array | number>;
interface Workspace {
  readonly outputs: Record<string, ArrayLike<number> | number>;
  readonly grads: Record<string, Record<string, ArrayLike<number>>>;
}
interface Module {
  createWorkspace(dims: Record<string, number>): Workspace;
  step(ws: Workspace, inputs: Arrays, params: Arrays): Workspace;
  forward(ws: Workspace, inputs: Arrays, params: Arrays): Workspace["outputs"];
  readonly meta: { readonly inputs: Record<string, { dtype: string }>; readonly params: Record<string, { dtype: string }> };
}

const post = (m: TrainMessage) => (self as unknown as { postMessage(m: TrainMessage): void }).postMessage(m);
const TEST_EVERY = 50;
const QUICK_TEST = 1000;

async function load(req: TrainRequest) {
  // a graph with a user function differentiates it with mathjs: load it first
  await mathjsLoaded();
  const c = compileSource(req.text, req.file, req.seed);
  if (!c.ok) throw new Error(c.diagnostic.message);
  const shape = mnistShape(c.graph);
  if (!shape) throw new Error("this graph has no MNIST-shaped input x: [N, 784], labels t, a loss and an [N, 10] output");
  const team = teamFits(req, c.graph, shape);
  post({ kind: "status", text: team ? `compiling the module (every kernel in WebAssembly, for ${req.threads} thread${req.threads > 1 ? "s" : ""})…` : "compiling the module…" });
  const js = emitJs(c.graph, team);
  const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
  const mod = (await import(/* @vite-ignore */ url)) as Module;
  URL.revokeObjectURL(url);
  const params: Arrays = {};
  for (const p of c.graph.params) {
    const v = c.env.values.get(p.name)!;
    params[p.name] = mod.meta.params[p.name]?.dtype === "f64" ? Float64Array.from(v.data) : Float32Array.from(v.data);
  }
  post({ kind: "status", text: "loading MNIST…" });
  const [train, trainLabels, test, testLabels] = await Promise.all([
    readImages(`${req.data}train-images-idx3-ubyte`),
    readLabels(`${req.data}train-labels-idx1-ubyte`),
    readImages(`${req.data}t10k-images-idx3-ubyte`),
    readLabels(`${req.data}t10k-labels-idx1-ubyte`),
  ]);
  return { mod, js, team, shape, params, train, trainLabels, test, testLabels };
}

/** Whether a team (of one thread or more) can run each step: memory threads can share, a step that splits by rows, f32 pixels, class indices. */
function teamFits(req: TrainRequest, g: Graph, shape: MnistShape): boolean {
  const loss = g.losses.find((l) => l.name === shape.loss)?.node;
  return req.threads >= 1 && canShare() && !shape.oneHot && shape.x.node.type.dtype === "f32" && loss !== undefined && batchSplit(g, shape.dim, loss).ok;
}

/** One iteration at a time: draws a batch, steps, updates; says the loss. */
interface Stepper {
  readonly threads: number;
  /** every kernel in WebAssembly (a team), or the TypeScript module */
  readonly wasm: boolean;
  readonly params: Arrays;
  iterate(rng: Random): number;
  close(): Promise<void>;
}

/** The compiled step on one thread, then SGD. */
function plainStepper(mod: Module, shape: MnistShape, params: Arrays, req: TrainRequest, train: Images, labels: Uint8Array): Stepper {
  const ws = mod.createWorkspace({ [shape.dim]: req.batch });
  const fill = batchInputs(mod, shape, req.batch);
  const rows = new Int32Array(req.batch);
  return {
    threads: 1,
    wasm: false,
    params,
    iterate(rng) {
      for (let r = 0; r < req.batch; r++) rows[r] = rng.int(train.count);
      const r = mod.step(ws, fill(train, labels, rows), params);
      for (const [name, g] of Object.entries(r.grads[shape.loss] ?? {})) {
        const p = params[name] as Float32Array;
        for (let i = 0; i < p.length; i++) p[i] = p[i]! - req.lr * g[i]!;
      }
      return Number(r.outputs[shape.loss]);
    },
    close: async () => undefined,
  };
}

/** A team of req.threads Web Workers over one shared memory (runtime/team.ts), the update in WebAssembly. */
async function teamStepper(loaded: Awaited<ReturnType<typeof load>>, req: TrainRequest): Promise<Stepper> {
  const { mod, js, shape, params, train, trainLabels } = loaded;
  const team = await browserTeam(mod as unknown as CompiledModule, js, {
    threads: Math.min(req.threads, req.batch), batch: req.batch, float: "f32", checkNumerics: false,
    names: { x: shape.x.name, t: shape.t.name, loss: shape.loss, dim: shape.dim },
    optimizer: { name: "sgd", lr: req.lr }, params: params as Record<string, Float32Array>, steps: 0, labels: trainLabels, pixels: train.pixels,
  });
  return {
    threads: team.threads,
    wasm: true,
    params: team.params,
    iterate(rng) {
      for (let r = 0; r < req.batch; r++) team.indices[r] = rng.int(train.count);
      team.iterate();
      team.update();
      return team.loss[0]!;
    },
    close: () => team.close(),
  };
}

/** Batch `rows` of a split into the module's input arrays (pixels / 255, labels as indices or one-hot). */
function batchInputs(mod: Module, shape: MnistShape, n: number) {
  const x = mod.meta.inputs[shape.x.name]?.dtype === "f64" ? new Float64Array(n * 784) : new Float32Array(n * 784);
  const t = shape.oneHot ? new Float32Array(n * 10) : new Int32Array(n);
  const fill = (images: Images, labels: Uint8Array, rows: ArrayLike<number>) => {
    if (shape.oneHot) t.fill(0);
    for (let r = 0; r < n; r++) {
      const at = rows[r]! * 784;
      for (let j = 0; j < 784; j++) x[r * 784 + j] = images.pixels[at + j]! / 255;
      if (shape.oneHot) t[r * 10 + labels[rows[r]!]!] = 1;
      else t[r] = labels[rows[r]!]!;
    }
    return { [shape.x.name]: x, [shape.t.name]: t } as Arrays;
  };
  return fill;
}

let evaluation: { ws: Workspace; fill: ReturnType<typeof batchInputs> } | undefined;

function argmax(v: ArrayLike<number>, row: number): number {
  let best = 0;
  for (let k = 1; k < 10; k++) if (v[row * 10 + k]! > v[row * 10 + best]!) best = k;
  return best;
}

/** Test accuracy on the first `count` test images, in chunks of QUICK_TEST; the first predictions too. */
function evaluate(mod: Module, shape: MnistShape, params: Arrays, test: Images, labels: Uint8Array, count: number) {
  // one workspace for every evaluation of a run: a --simd workspace is a WebAssembly memory and instance
  const { ws, fill } = (evaluation ??= { ws: mod.createWorkspace({ [shape.dim]: QUICK_TEST }), fill: batchInputs(mod, shape, QUICK_TEST) });
  let right = 0;
  const predicted: number[] = [];
  for (let start = 0; start + QUICK_TEST <= count; start += QUICK_TEST) {
    const rows = Int32Array.from({ length: QUICK_TEST }, (_, i) => start + i);
    const out = mod.forward(ws, fill(test, labels, rows), params)[shape.output.name] as ArrayLike<number>;
    for (let r = 0; r < QUICK_TEST; r++) {
      const p = argmax(out, r);
      if (p === labels[start + r]) right++;
      if (predicted.length < 32) predicted.push(p);
    }
  }
  return { accuracy: right / (Math.floor(count / QUICK_TEST) * QUICK_TEST), predicted };
}

async function train(req: TrainRequest): Promise<void> {
  const loaded = await load(req);
  const { mod, shape, params, train, trainLabels, test, testLabels } = loaded;
  const stepper = loaded.team ? await teamStepper(loaded, req) : plainStepper(mod, shape, params, req, train, trainLabels);
  const started = performance.now();
  const rng = new Random(req.seed);
  for (let iter = 1; iter <= req.iters; iter++) {
    const loss = stepper.iterate(rng);
    const testAccuracy = iter % TEST_EVERY === 0 ? evaluate(mod, shape, stepper.params, test, testLabels, QUICK_TEST).accuracy : undefined;
    if (iter % 10 === 0 || iter === 1 || testAccuracy !== undefined) post({ kind: "progress", iter, loss, testAccuracy, ms: performance.now() - started, threads: stepper.threads, wasm: stepper.wasm });
  }
  const ms = performance.now() - started;
  const final = evaluate(mod, shape, stepper.params, test, testLabels, test.count);
  await stepper.close();
  const digits: Digit[] = final.predicted.map((predicted, i) => ({ pixels: test.pixels.slice(i * 784, (i + 1) * 784), label: testLabels[i]!, predicted }));
  post({ kind: "done", iter: req.iters, testAccuracy: final.accuracy, tested: Math.floor(test.count / QUICK_TEST) * QUICK_TEST, ms, threads: stepper.threads, wasm: stepper.wasm, digits });
}

self.addEventListener("message", (e: MessageEvent<TrainRequest>) => {
  if (e.data.kind !== "train") return;
  train(e.data).catch((err: unknown) => post({ kind: "error", text: err instanceof Error ? err.message : String(err) }));
});
