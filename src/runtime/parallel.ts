/**
 * A training iteration shared by T threads over one WebAssembly memory (a SharedArrayBuffer):
 * the batch's rows are split between the threads; each draws its rows (the WebAssembly
 * gatherer), runs the compiled step on them in a workspace of its own, laid in the shared
 * memory (createWorkspace(dims, place)); then each thread updates its own replica of the
 * params (and of the optimizer's state), all of it, from the gradients of every thread
 * weighted by its share of the rows, summed in thread order. Every replica is computed by
 * the same arithmetic, so they stay equal bit for bit and a seed and a thread count give the
 * same bits every run; only the gradients cross between cores, not the params. Params,
 * optimizer state, pixels and labels live in the same memory: nothing is copied per
 * iteration. graph/batch.ts checks that a graph's step may be split so.
 *
 * This file is what every thread runs, the main one included; team.ts makes the memory and
 * starts the workers (pool.ts in Node, playground/train/threads.ts in a browser). It uses
 * only WebAssembly and Atomics.
 */
/// <reference path="../webassembly.d.ts" />
import { gatherModule, type GatherFn } from "./gather.js";
import type { CompiledModule, CompiledWorkspace } from "./load.js";
import type { OptimizerName } from "./optimizers.js";
import { ENTRY, updateKernels, type UpdateKernels } from "./update.js";

/** Where everything lives in the shared memory (byte offsets), and what each thread does: sent to every worker. */
export interface TeamPlan {
  readonly threads: number;
  /** optimizer steps taken before this run (a resumed run's) */
  readonly steps: number;
  /** each thread's first row and row count */
  readonly rows: readonly (readonly [number, number])[];
  readonly batch: number;
  readonly names: { readonly x: string; readonly t: string; readonly loss: string; readonly dim: string };
  readonly float: "f32" | "f64";
  readonly optimizer: { readonly name: OptimizerName; readonly lr: number };
  /** stop updating at a loss that is not finite (each thread sees it and skips the update) */
  readonly checkNumerics: boolean;
  /** the step's workspaces live in the shared memory (a --simd module); else their gradients are copied out */
  readonly placed: boolean;
  readonly at: {
    readonly control: number;
    readonly losses: number;
    readonly indices: number;
    readonly labels: number;
    readonly pixels: number;
  };
  readonly count: number;
  /** each param, with a replica per thread: where thread k keeps its copy and its optimizer state */
  readonly params: readonly { readonly name: string; readonly length: number; readonly replicas: readonly { readonly at: number; readonly state: readonly number[] }[] }[];
  /** per thread: its workspace's base, its x and t, where its gradient of each param is (in the order of params), and its update tables (ENTRY · threads bytes per param, then the rates: update.ts SCALARS) */
  readonly members: readonly { readonly base: number; readonly x: number; readonly t: number; readonly grads: readonly number[]; readonly tables: number }[];
}

/** control words: a barrier's arrivals and generation, the stop flag */
const COUNT = 0;
const GENERATION = 1;
const STOP = 2;
/** set by a worker whose step threw: the others stop waiting for it */
const FAILED = 3;
/** a barrier waits in slices of this many ms, and gives up after this many slices without the others */
const SLICE_MS = 1000;
const PATIENCE = 300;
export const CONTROL_BYTES = 64;
/** how many times a thread polls before it sleeps at a barrier (a step takes well under a millisecond) */
const SPINS = 1 << 16;

type Floats = Float32Array | Float64Array;
const ARRAY = { f32: Float32Array, f64: Float64Array } as const;

/** One thread of the team: its rows, its workspace, its share of the update. */
export class Member {
  // no prototype: a param may be called __proto__
  readonly params: Record<string, Floats> = Object.create(null) as Record<string, Floats>;
  readonly state: Record<string, Floats[]> = Object.create(null) as Record<string, Floats[]>;
  private readonly control: Int32Array;
  private readonly losses: Float64Array;
  private readonly ws: CompiledWorkspace;
  private readonly inputs: Record<string, Floats | Int32Array>;
  private readonly x: Floats;
  private readonly t: Int32Array;
  private readonly labels: Uint8Array;
  private readonly pixels: Uint8Array;
  private readonly indices: Int32Array;
  private readonly gather: GatherFn;
  /** per param: [param, state…, each thread's gradient…, this thread's element range] */
  private readonly work: (Work & { readonly name: string; readonly table: number })[] = [];
  /** float32 params are updated in WebAssembly (update.ts), float64 ones by the loops below */
  private readonly kernels: UpdateKernels | undefined;
  private readonly weights: Float64Array;
  /** the update kernels' rates: lr, Adam's lrT, 1 − β1, 1 − β2 */
  private readonly scalars: Float64Array;
  private steps = 0;

  constructor(
    private readonly plan: TeamPlan,
    private readonly k: number,
    memory: WebAssembly.Memory,
    private readonly module: CompiledModule,
  ) {
    const buf = memory.buffer;
    const [first, rows] = plan.rows[k]!;
    const me = plan.members[k]!;
    const F = ARRAY[plan.float];
    this.control = new Int32Array(buf, plan.at.control, CONTROL_BYTES / 4);
    this.losses = new Float64Array(buf, plan.at.losses, plan.threads);
    this.labels = new Uint8Array(buf, plan.at.labels, plan.count);
    this.pixels = new Uint8Array(buf, plan.at.pixels, plan.count * 784);
    this.indices = new Int32Array(buf, plan.at.indices + 4 * first, rows);
    this.x = new F(buf, me.x, rows * 784);
    this.t = new Int32Array(buf, me.t, rows);
    this.inputs = { [plan.names.x]: this.x, [plan.names.t]: this.t };
    const dims = { [plan.names.dim]: rows };
    this.ws = plan.placed ? module.createWorkspace(dims, { memory, base: me.base }) : module.createWorkspace(dims);
    this.gather = new WebAssembly.Instance(gatherModule(true), { env: { memory } }).exports["gather"] as GatherFn;
    this.weights = Float64Array.from(plan.rows, ([, n]) => n / plan.batch);
    this.steps = plan.steps;
    for (const [i, p] of plan.params.entries()) {
      // this thread's replica: it updates all of it from every thread's gradient, as each thread does its own
      const mine = p.replicas[k]!;
      const view = new F(buf, mine.at, p.length);
      this.params[p.name] = view;
      this.state[p.name] = mine.state.map((at) => new F(buf, at, p.length));
      const [lo, hi] = [0, p.length];
      const table = me.tables + i * ENTRY * plan.threads;
      this.work.push({ name: p.name, p: view, state: this.state[p.name]!, grads: plan.members.map((m) => new F(buf, m.grads[i]!, p.length)), lo, hi, table });
      plan.members.forEach((m, j) => {
        new Int32Array(buf, table + ENTRY * j, 1)[0] = m.grads[i]! + 4 * lo;
        new Float64Array(buf, table + ENTRY * j + 8, 1)[0] = this.weights[j]!;
      });
    }
    this.kernels = plan.float === "f32" ? updateKernels(plan.threads, memory) : undefined;
    this.scalars = new Float64Array(buf, me.tables + ENTRY * plan.threads * plan.params.length, 4);
    this.scalars.set([plan.optimizer.lr, 0, 1 - 0.9, 1 - 0.999]);
  }

  /** Clears the control words; writes the labels, and the pixels the gatherer reads unless they are there already (once, by the thread that makes the memory). */
  static fill(memory: WebAssembly.Memory, plan: TeamPlan, labels: Uint8Array, pixels: Uint8Array | undefined): void {
    // the control words start at 0: a closed team's, laid out here before, said STOP, and the next team's workers left at once
    new Int32Array(memory.buffer, plan.at.control, CONTROL_BYTES / 4).fill(0);
    new Uint8Array(memory.buffer, plan.at.labels, plan.count).set(labels);
    if (!pixels) return;
    new Uint8Array(memory.buffer, plan.at.pixels, plan.count * 784).set(pixels);
  }

  /** Waits until every thread has arrived. */
  arrive(): void {
    const c = this.control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, COUNT, 1) === this.plan.threads - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    for (let i = 0; i < SPINS; i++) if (Atomics.load(c, GENERATION) !== generation) return;
    let slices = 0;
    while (Atomics.load(c, GENERATION) === generation) {
      const woke = Atomics.wait(c, GENERATION, generation, SLICE_MS);
      // a thread that failed, or one that never comes, is an error here rather than a process that waits forever
      if (Atomics.load(c, FAILED) !== 0) throw new Error("a training thread failed: its error follows");
      if (woke === "timed-out" && ++slices >= PATIENCE) throw new Error(`internal error: a training thread has not reached the barrier in ${(PATIENCE * SLICE_MS) / 1000} s`);
    }
  }

  /** This thread failed: every thread waiting at a barrier stops waiting and throws. */
  giveUp(): void {
    Atomics.store(this.control, FAILED, 1);
    Atomics.notify(this.control, GENERATION);
  }

  get stopped(): boolean {
    return Atomics.load(this.control, STOP) === 1;
  }

  stop(): void {
    Atomics.store(this.control, STOP, 1);
  }

  /** This thread's rows of the batch whose indices are in the memory: draw them, step, keep the loss and the gradients. */
  step(): void {
    const n = this.t.length;
    if (this.x instanceof Float32Array) this.gather(n, this.indices.byteOffset, this.x.byteOffset, this.plan.at.pixels);
    else {
      for (let b = 0; b < n; b++) {
        const at = this.indices[b]! * 784;
        for (let p = 0; p < 784; p++) this.x[b * 784 + p] = this.pixels[at + p]! / 255;
      }
    }
    for (let b = 0; b < n; b++) this.t[b] = this.labels[this.indices[b]!]!;
    const ws = this.module.step(this.ws, this.inputs, this.params);
    this.losses[this.k] = ws.outputs[this.plan.names.loss] as number;
    if (!this.plan.placed) {
      const grads = ws.grads[this.plan.names.loss]!;
      for (const w of this.work) w.grads[this.k]!.set(grads[w.name] as Floats);
    }
  }

  /** The batch's loss: the threads' losses weighted by their rows, in thread order, into total[0] (a number returned would be boxed: an allocation per iteration). */
  readonly total = new Float64Array(1);
  sumLosses(): void {
    let sum = 0;
    for (let j = 0; j < this.plan.threads; j++) sum += this.weights[j]! * this.losses[j]!;
    this.total[0] = sum;
  }

  /** This thread's share of the optimizer's update (skipped, on every thread alike, at a loss that is not finite under checkNumerics). */
  update(): void {
    this.steps++;
    if (this.plan.checkNumerics) {
      this.sumLosses();
      if (!Number.isFinite(this.total[0]!)) return;
    }
    const { name, lr } = this.plan.optimizer;
    const k = this.kernels;
    if (k) {
      if (name === "adam") this.scalars[1] = adamRate(lr, this.steps);
      const rates = this.scalars.byteOffset;
      for (const w of this.work) {
        const at = w.p.byteOffset + 4 * w.lo;
        const n = w.hi - w.lo;
        if (name === "sgd") k.sgd(at, n, w.table, rates);
        else if (name === "momentum") k.momentum(at, w.state[0]!.byteOffset + 4 * w.lo, n, w.table, rates);
        else k.adam(at, w.state[0]!.byteOffset + 4 * w.lo, w.state[1]!.byteOffset + 4 * w.lo, n, w.table, rates);
      }
      return;
    }
    for (const w of this.work) {
      // one loop per optimizer, none testing which inside: the update runs over every param each iteration
      if (name === "sgd") sgd(w, this.weights, lr);
      else if (name === "momentum") momentum(w, this.weights, lr);
      else adam(w, this.weights, lr, this.steps);
    }
  }

  /** Steps taken (Adam's bias correction), for checkpoints. */
  get taken(): number {
    return this.steps;
  }

  /** A worker's life: at each generation, step, meet, update — until told to stop. */
  serve(): void {
    for (;;) {
      this.arrive();
      if (this.stopped) return;
      this.step();
      this.arrive();
      this.update();
    }
  }
}

export type Work = { readonly p: Floats; readonly state: readonly Floats[]; readonly grads: readonly Floats[]; readonly lo: number; readonly hi: number };

/** The batch's gradient of element i: each thread's weighted by its rows, summed in thread order (one thread: its own, × 1). */
function gradient(grads: readonly Floats[], weights: Float64Array, i: number): number {
  let g = weights[0]! * grads[0]![i]!;
  for (let j = 1; j < grads.length; j++) g += weights[j]! * grads[j]![i]!;
  return g;
}

/** Adam's step size with its bias corrections at step t (as optimizers.ts computes it). */
const adamRate = (lr: number, t: number) => (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);

export function sgd({ p, grads, lo, hi }: Work, weights: Float64Array, lr: number): void {
  if (grads.length === 1) {
    const g0 = grads[0]!;
    const w0 = weights[0]!;
    for (let i = lo; i < hi; i++) p[i]! -= lr * (w0 * g0[i]!);
  } else if (grads.length === 2) {
    // indexed, not destructured: destructuring an array allocates an iterator each update
    const g0 = grads[0]!;
    const g1 = grads[1]!;
    const w0 = weights[0]!;
    const w1 = weights[1]!;
    for (let i = lo; i < hi; i++) p[i]! -= lr * (w0 * g0[i]! + w1 * g1[i]!);
  } else for (let i = lo; i < hi; i++) p[i]! -= lr * gradient(grads, weights, i);
}

export function momentum({ p, state, grads, lo, hi }: Work, weights: Float64Array, lr: number): void {
  const v = state[0]!;
  for (let i = lo; i < hi; i++) {
    v[i] = 0.9 * v[i]! - lr * gradient(grads, weights, i);
    p[i]! += v[i]!;
  }
}

export function adam({ p, state, grads, lo, hi }: Work, weights: Float64Array, lr: number, steps: number): void {
  const beta1 = 0.9;
  const beta2 = 0.999;
  const lrT = adamRate(lr, steps);
  const m = state[0]!;
  const v = state[1]!;
  for (let i = lo; i < hi; i++) {
    const g = gradient(grads, weights, i);
    m[i]! += (1 - beta1) * (g - m[i]!);
    v[i]! += (1 - beta2) * (g * g - v[i]!);
    p[i]! -= (lrT * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
  }
}
