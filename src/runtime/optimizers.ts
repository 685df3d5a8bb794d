/**
 * SGD, Momentum and Adam as in the textbook (ch. 6), updating params in place with
 * plain loops: no allocation per step. Their state is named arrays, so a checkpoint
 * can save and restore it.
 */
import * as errors from "../diagnostics/errors.js";

export type FloatArray = Float32Array | Float64Array;
export type OptimizerName = "sgd" | "momentum" | "adam";

export interface Optimizer {
  readonly name: OptimizerName;
  readonly lr: number;
  /** per param: the optimizer's state arrays (velocity; or Adam's m and v) */
  readonly state: Map<string, FloatArray[]>;
  /** steps taken (Adam's bias correction needs it) */
  steps: number;
  update(params: Record<string, FloatArray>, grads: Record<string, FloatArray>): void;
}

/** Default learning rates: the textbook's 0.1 for SGD, 0.01 for Momentum, 0.001 for Adam. */
export const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.1, momentum: 0.01, adam: 0.001 };

/** The params with their gradients and state, listed once: an update then iterates an array, allocating nothing. */
function pairs(o: Optimizer, ps: Record<string, FloatArray>, gs: Record<string, FloatArray>, cache: { list?: [FloatArray, FloatArray, FloatArray[]][]; gs?: object }) {
  if (cache.list && cache.gs === gs) return cache.list;
  cache.gs = gs;
  cache.list = Object.keys(ps).map((n) => [ps[n]!, gs[n]!, o.state.get(n) ?? []]);
  return cache.list;
}

export function createOptimizer(name: string, lr: number, params: Record<string, FloatArray>): Optimizer {
  const cache: { list?: [FloatArray, FloatArray, FloatArray[]][]; gs?: object } = {};
  const like = (k: number) => new Map(Object.entries(params).map(([n, p]) => [n, Array.from({ length: k }, () => new (p.constructor as new (n: number) => FloatArray)(p.length))]));
  switch (name) {
    case "sgd":
      return { name, lr, state: new Map(), steps: 0, update(ps, gs) {
        for (const [p, g] of pairs(this, ps, gs, cache)) {
          for (let i = 0; i < p.length; i++) p[i]! -= lr * g[i]!;
        }
        this.steps++;
      } };
    case "momentum": {
      const momentum = 0.9;
      return { name, lr, state: like(1), steps: 0, update(ps, gs) {
        for (const [p, g, [v]] of pairs(this, ps, gs, cache)) {
          for (let i = 0; i < p.length; i++) {
            v![i] = momentum * v![i]! - lr * g[i]!;
            p[i]! += v![i]!;
          }
        }
        this.steps++;
      } };
    }
    case "adam": {
      const [beta1, beta2] = [0.9, 0.999];
      return { name, lr, state: like(2), steps: 0, update(ps, gs) {
        this.steps++;
        const lrT = (lr * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
        for (const [p, g, [m, v]] of pairs(this, ps, gs, cache) as [FloatArray, FloatArray, [FloatArray, FloatArray]][]) {
          for (let i = 0; i < p.length; i++) {
            const gi = g[i]!;
            m[i]! += (1 - beta1) * (gi - m[i]!);
            v[i]! += (1 - beta2) * (gi * gi - v[i]!);
            p[i]! -= (lrT * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
          }
        }
      } };
    }
    default:
      return errors.unknownOptimizer({ name });
  }
}
