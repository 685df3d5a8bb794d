/**
 * The textbook's training loop (ch. 5.7.4) over a compiled graph: random batches
 * drawn with replacement, the compiled step, the optimizer's update; the train and
 * test accuracy after each epoch; a checkpoint after each epoch, so nothing is lost.
 */
import { join } from "node:path";
import type { Graph } from "../graph/ir.js";
import { tensor, type Tensor } from "../tensor/tensor.js";
import { firstNonFinite } from "../interp/numerics.js";
import { graphHash, loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import type { CompiledModule } from "./load.js";
import { accuracy, batch, classifier, type Classifier } from "./model.js";
import { fillBatch, type Mnist } from "./mnist.js";
import { createOptimizer, DEFAULT_LR, type FloatArray, type Optimizer, type OptimizerName } from "./optimizers.js";
import { Random } from "../tensor/random.js";

export interface TrainOptions {
  readonly iters: number;
  readonly batch: number;
  readonly lr?: number;
  readonly optimizer: OptimizerName;
  readonly seed: number;
  /** where checkpoint.bin goes */
  readonly dir: string;
  readonly resume?: boolean;
  /** evaluate on at most this many images of each split (default: all) */
  readonly evalLimit?: number;
  /** stop at the first non-finite loss */
  readonly checkNumerics?: boolean;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly iteration: number;
  readonly loss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
  readonly seconds: number;
}

export interface Reporter {
  start(total: number, from: number): void;
  tick(iteration: number, loss: number): void;
  epoch(r: EpochRecord): void;
  stop(): void;
}

export interface TrainResult {
  readonly model: Classifier;
  readonly losses: Float32Array;
  readonly epochs: EpochRecord[];
  readonly seconds: number;
  readonly trainAcc: number;
  readonly testAcc: number;
  /** where --check-numerics stopped: the iteration, the loss, and the first node whose value was not finite */
  readonly stoppedAt?: { iteration: number; loss: number; where?: string };
}

const EVAL_BATCH = 500;

export function train(graph: Graph, module: CompiledModule, data: Mnist, o: TrainOptions, report: Reporter): TrainResult {
  const model = classifier(graph, module, o.seed);
  const rng = new Random(o.seed + 1);
  let optimizer = createOptimizer(o.optimizer, o.lr ?? DEFAULT_LR[o.optimizer], model.params);
  let start = 0;
  const checkpoint = join(o.dir, "checkpoint.bin");
  if (o.resume) {
    const c = loadCheckpoint(checkpoint, graph);
    for (const [n, a] of Object.entries(c.params)) model.params[n]!.set(a);
    optimizer = createOptimizer(c.optimizer.name, c.optimizer.lr, model.params);
    optimizer.steps = c.optimizer.steps;
    for (const [n, list] of Object.entries(c.state)) list.forEach((a, i) => optimizer.state.get(n)![i]!.set(a));
    rng.seedState = c.rng;
    start = c.iteration;
  }
  const b = batch(model, o.batch);
  const evalBatch = batch(model, EVAL_BATCH);
  const losses = new Float32Array(Math.max(0, o.iters - start));
  const perEpoch = Math.max(Math.floor(data.train.count / o.batch), 1);
  const epochs: EpochRecord[] = [];
  const t0 = performance.now();
  const grads = () => (b.ws.grads[model.loss] as Record<string, FloatArray>);
  report.start(o.iters, start);
  let stoppedAt: TrainResult["stoppedAt"];
  for (let it = start; it < o.iters; it++) {
    for (let i = 0; i < b.size; i++) b.indices[i] = rng.int(data.train.count);
    fillBatch(data.train, b.indices, b.x, b.t);
    const ws = module.step(b.ws, b.inputs, model.params);
    const loss = ws.outputs[model.loss] as number;
    losses[it - start] = loss;
    if (o.checkNumerics && !Number.isFinite(loss)) {
      stoppedAt = { iteration: it + 1, loss, where: locate(graph, model, b) };
      break;
    }
    optimizer.update(model.params, grads());
    report.tick(it + 1, loss);
    if ((it + 1) % perEpoch === 0 || it + 1 === o.iters) {
      // the epoch an iteration belongs to, whatever the run resumed from: iteration 1200 is in epoch 2
      const r = evaluate(model, evalBatch, data, o, Math.ceil((it + 1) / perEpoch), it + 1, losses, it - start, t0);
      epochs.push(r);
      // the checkpoint first, then the record: killed in between, a resume repeats no iteration in metrics.jsonl
      saveCheckpoint(checkpoint, { graphHash: graphHash(graph), source: graph.file, iteration: it + 1, optimizer: { name: optimizer.name, lr: optimizer.lr, steps: optimizer.steps }, rng: rng.seedState, params: model.params, state: stateOf(optimizer), dims: { [model.dim]: o.batch } }, graph);
      report.epoch(r);
    }
  }
  report.stop();
  const last = epochs[epochs.length - 1];
  return { model, losses, epochs, seconds: (performance.now() - t0) / 1000, trainAcc: last?.trainAcc ?? 0, testAcc: last?.testAcc ?? 0, stoppedAt };
}

function evaluate(model: Classifier, b: ReturnType<typeof batch>, data: Mnist, o: TrainOptions, epoch: number, iteration: number, losses: Float32Array, upTo: number, t0: number): EpochRecord {
  let sum = 0;
  let n = 0;
  for (let i = upTo; i >= 0 && n < 100; i--, n++) sum += losses[i]!;
  return {
    epoch,
    iteration,
    loss: sum / Math.max(1, n),
    trainAcc: accuracy(model, b, data.train, o.evalLimit),
    testAcc: accuracy(model, b, data.test, o.evalLimit),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The first forward node whose value is not finite on this batch, with these params. */
function locate(graph: Graph, model: Classifier, b: ReturnType<typeof batch>): string | undefined {
  const values = new Map<string, Tensor>();
  for (const [n, a] of Object.entries(model.params)) values.set(n, tensor(graph.params.find((p) => p.name === n)!.node.type.shape.map((d) => (typeof d === "number" ? d : b.size)), a));
  values.set(model.x, tensor([b.size, 784], b.x));
  values.set(model.t, tensor([b.size], b.t));
  const roots = [...graph.outputs, ...graph.losses].map((d) => d.node);
  return firstNonFinite(roots, { values, dims: new Map([[model.dim, b.size]]) }, graph.file, graph.text)?.where;
}

function stateOf(o: Optimizer): Record<string, FloatArray[]> {
  return Object.fromEntries(o.state);
}
