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
import { moduleText, type CompiledModule } from "./load.js";
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
  /** threads that share each step (default 1; more needs a step that splits by rows: graph/batch.ts) */
  readonly threads?: number;
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
  /** threads that shared each step */
  readonly threads: number;
}

const EVAL_BATCH = 500;

export async function train(graph: Graph, module: CompiledModule, data: Mnist, o: TrainOptions, report: Reporter): Promise<TrainResult> {
  const initial = classifier(graph, module, o.seed);
  const rng = new Random(o.seed + 1);
  let resumed: { optimizer: Optimizer; iteration: number } | undefined;
  if (o.resume) {
    const c = loadCheckpoint(join(o.dir, "checkpoint.bin"), graph);
    for (const [n, a] of Object.entries(c.params)) initial.params[n]!.set(a);
    const optimizer = createOptimizer(c.optimizer.name, c.optimizer.lr, initial.params);
    optimizer.steps = c.optimizer.steps;
    for (const [n, list] of Object.entries(c.state)) list.forEach((a, i) => optimizer.state.get(n)![i]!.set(a));
    rng.seedState = c.rng;
    resumed = { optimizer, iteration: c.iteration };
  }
  const optimizer = resumed?.optimizer ?? createOptimizer(o.optimizer, o.lr ?? DEFAULT_LR[o.optimizer], initial.params);
  const stepper = await stepperFor(initial, data, o, optimizer);
  try {
    return loop(graph, { ...initial, params: stepper.params }, stepper, rng, data, o, report, resumed?.iteration ?? 0);
  } finally {
    await stepper.close();
  }
}

function loop(graph: Graph, model: Classifier, stepper: Stepper, rng: Random, data: Mnist, o: TrainOptions, report: Reporter, start: number): TrainResult {
  const checkpoint = join(o.dir, "checkpoint.bin");
  const evalBatch = batch(model, EVAL_BATCH);
  const losses = new Float32Array(Math.max(0, o.iters - start));
  const perEpoch = Math.max(Math.floor(data.train.count / o.batch), 1);
  const epochs: EpochRecord[] = [];
  const t0 = performance.now();
  const indices = stepper.indices;
  report.start(o.iters, start);
  let stoppedAt: TrainResult["stoppedAt"];
  for (let it = start; it < o.iters; it++) {
    for (let i = 0; i < indices.length; i++) indices[i] = rng.int(data.train.count);
    stepper.iterate();
    const loss = stepper.loss[0]!;
    losses[it - start] = loss;
    if (o.checkNumerics && !Number.isFinite(loss)) {
      stoppedAt = { iteration: it + 1, loss, where: locate(graph, model, data, indices) };
      break;
    }
    stepper.update();
    report.tick(it + 1, loss);
    if ((it + 1) % perEpoch === 0 || it + 1 === o.iters) {
      // the epoch an iteration belongs to, whatever the run resumed from: iteration 1200 is in epoch 2
      const r = evaluate(model, evalBatch, data, o, Math.ceil((it + 1) / perEpoch), it + 1, losses, it - start, t0);
      epochs.push(r);
      // the checkpoint first, then the record: killed in between, a resume repeats no iteration in metrics.jsonl
      const opt = stepper.optimizer;
      saveCheckpoint(checkpoint, { graphHash: graphHash(graph), source: graph.file, iteration: it + 1, optimizer: { name: opt.name, lr: opt.lr, steps: opt.steps }, rng: rng.seedState, params: model.params, state: Object.fromEntries(opt.state), dims: { [model.dim]: o.batch } }, graph);
      report.epoch(r);
    }
  }
  report.stop();
  const last = epochs[epochs.length - 1];
  return { model, losses, epochs, seconds: (performance.now() - t0) / 1000, trainAcc: last?.trainAcc ?? 0, testAcc: last?.testAcc ?? 0, stoppedAt, threads: stepper.threads };
}

/** One training iteration, however it is run: the batch's indices in, the loss out, then the update. */
interface Stepper {
  readonly threads: number;
  readonly indices: Int32Array;
  readonly params: Record<string, FloatArray>;
  iterate(): void;
  /** the last iteration's loss */
  readonly loss: Float64Array;
  update(): void;
  readonly optimizer: { readonly name: OptimizerName; readonly lr: number; readonly steps: number; readonly state: ReadonlyMap<string, FloatArray[]> };
  close(): Promise<void>;
}

/**
 * A team of threads over one shared memory (runtime/pool.ts) for a --simd module or more
 * than one thread; else the module's own step on one batch and the optimizer's update.
 */
async function stepperFor(model: Classifier, data: Mnist, o: TrainOptions, optimizer: Optimizer): Promise<Stepper> {
  const threads = Math.max(1, Math.min(o.threads ?? 1, o.batch));
  const arrays = [...Object.values(model.params), batch(model, 1).x];
  const float = arrays.every((a) => a instanceof Float32Array) ? "f32" : arrays.every((a) => a instanceof Float64Array) ? "f64" : undefined;
  const js = moduleText(model.module);
  if ((threads > 1 || model.module.workspaceBytes) && float && js) {
    const { createTeam } = await import("./pool.js");
    const team = await createTeam(model.module, js, {
      threads, batch: o.batch, float, checkNumerics: o.checkNumerics === true,
      names: { x: model.x, t: model.t, loss: model.loss, dim: model.dim },
      optimizer: { name: optimizer.name, lr: optimizer.lr }, params: model.params, state: optimizer.state, steps: optimizer.steps,
      labels: data.train.labels, pixels: data.train.pixels, home: data.train.gatherer?.home,
    });
    return {
      threads, indices: team.indices, params: team.params,
      iterate: () => team.iterate(),
      loss: team.loss,
      update: () => team.update(),
      get optimizer() { return { name: optimizer.name, lr: optimizer.lr, steps: team.steps, state: team.state }; },
      close: () => team.close(),
    };
  }
  const b = batch(model, o.batch);
  let ws = b.ws;
  const loss = new Float64Array(1);
  return {
    threads: 1, indices: b.indices, params: model.params, loss,
    iterate() {
      fillBatch(data.train, b.indices, b.x, b.t);
      ws = model.module.step(b.ws, b.inputs, model.params);
      loss[0] = ws.outputs[model.loss] as number;
    },
    update: () => optimizer.update(model.params, ws.grads[model.loss] as Record<string, FloatArray>),
    optimizer,
    close: async () => {},
  };
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
function locate(graph: Graph, model: Classifier, data: Mnist, indices: Int32Array): string | undefined {
  const b = batch(model, indices.length);
  fillBatch(data.train, indices, b.x, b.t);
  const values = new Map<string, Tensor>();
  for (const [n, a] of Object.entries(model.params)) values.set(n, tensor(graph.params.find((p) => p.name === n)!.node.type.shape.map((d) => (typeof d === "number" ? d : b.size)), a));
  values.set(model.x, tensor([b.size, 784], b.x));
  values.set(model.t, tensor([b.size], b.t));
  const roots = [...graph.outputs, ...graph.losses].map((d) => d.node);
  return firstNonFinite(roots, { values, dims: new Map([[model.dim, b.size]]) }, graph.file, graph.text)?.where;
}

