/** Concrete float64 tensors: the values of the reference interpreter and of `run`. */
import type { Shape } from "./types.js";

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function tensor(shape: readonly number[], data?: ArrayLike<number>): Tensor {
  const d = new Float64Array(size(shape));
  if (data) d.set(data);
  return { shape: [...shape], data: d };
}

export const scalar = (v: number): Tensor => tensor([], [v]);

export function filled(shape: readonly number[], v: number): Tensor {
  const t = tensor(shape);
  t.data.fill(v);
  return t;
}

/** Row-major strides. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Strides of `shape` read as broadcast to `out` (0 on repeated axes). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const own = strides(shape);
  const lead = out.length - shape.length;
  return out.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]!));
}

/**
 * Elementwise map with NumPy broadcasting. Walks the output in row-major order with
 * an odometer over the axes, so it needs no recursion and no per-element division.
 */
export function mapBroadcast(ins: readonly Tensor[], out: readonly number[], f: (xs: number[]) => number): Tensor {
  const result = tensor(out);
  const st = ins.map((t) => broadcastStrides(t.shape, out));
  const offs = ins.map(() => 0);
  const idx = out.map(() => 0);
  const xs = ins.map(() => 0);
  const n = result.data.length;
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < ins.length; j++) xs[j] = ins[j]!.data[offs[j]!]!;
    result.data[k] = f(xs);
    for (let ax = out.length - 1; ax >= 0; ax--) {
      idx[ax]!++;
      for (let j = 0; j < ins.length; j++) offs[j]! += st[j]![ax]!;
      if (idx[ax]! < out[ax]!) break;
      for (let j = 0; j < ins.length; j++) offs[j]! -= st[j]![ax]! * out[ax]!;
      idx[ax] = 0;
    }
  }
  return result;
}

/** Converts a nested array (or number) to a tensor; undefined if ragged. */
export function fromNested(v: unknown): Tensor | undefined {
  const shape: number[] = [];
  let probe = v;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  const walk = (x: unknown, depth: number): boolean => {
    if (depth === shape.length) {
      if (typeof x !== "number") return false;
      flat.push(x);
      return true;
    }
    return Array.isArray(x) && x.length === shape[depth] && x.every((y) => walk(y, depth + 1));
  };
  return walk(v, 0) ? tensor(shape, flat) : undefined;
}

/** Tensor → number (scalar) or nested arrays, the form of `run --json`. */
export function toNested(t: Tensor): unknown {
  if (t.shape.length === 0) return t.data[0]!;
  const build = (depth: number, offset: number): unknown => {
    const n = t.shape[depth]!;
    const step = size(t.shape.slice(depth + 1));
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(depth === t.shape.length - 1 ? t.data[offset + i]! : build(depth + 1, offset + i * step));
    return out;
  };
  return build(0, 0);
}

export type { Shape };

/** The smallest, mean and largest element (a summary where the elements are too many to print). */
export function stats(t: Tensor): { min: number; mean: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of t.data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, mean: sum / Math.max(1, t.data.length), max };
}
