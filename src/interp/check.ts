/**
 * Gradient checking by central differences in float64, the textbook's
 * `numerical_gradient`: each element of X moves by ±h and L is evaluated again.
 * Only the nodes downstream of X are recomputed. Reports, like the textbook, the
 * mean absolute difference between backprop and numerical gradients.
 */
import type { Graph, GradDecl, Node } from "../graph/ir.js";
import { ancestors } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import { resolveShape } from "../tensor/types.js";
import { opDef } from "../ops/index.js";
import { Random } from "../tensor/random.js";
import { evaluate, type Bindings } from "./index.js";

export interface GradCheck {
  readonly of: string;
  readonly wrt: string;
  /** mean |backprop - numerical|, the textbook's figure */
  readonly meanAbsDiff: number;
  /** max |backprop - numerical| / max(1, |numerical|) */
  readonly maxRelDiff: number;
  readonly ok: boolean;
  /** how many elements were compared, of how many */
  readonly checked: number;
  readonly size: number;
  /** the element that differs most: its flat index, and both values */
  readonly worst: { readonly index: number; readonly backprop: number; readonly numerical: number };
  /** compared elements where the function has a kink (one-sided slopes differ: relu at 0, a tie of max) */
  readonly kinks: number;
  /** compared elements where the function curves too sharply for the step h (1/x near 0), or has a kink within h */
  readonly rough: number;
  /** compared elements where backprop or central differences are not finite */
  readonly nonFinite: number;
}

export interface CheckOptions {
  readonly h?: number;
  /** pass when the mean difference is at most atol + rtol · mean |gradient| */
  readonly atol?: number;
  readonly rtol?: number;
  /** compare at most this many elements of each tensor, chosen by a seeded draw (default: all) */
  readonly sample?: number;
  readonly seed?: number;
}

/**
 * Checks every requested gradient. `analytic` gives the backprop gradients to check
 * (e.g. from the compiled module); by default the interpreter computes them.
 */
export function checkGradients(graph: Graph, env: Bindings, options: CheckOptions = {}, analytic?: ReadonlyMap<string, ReadonlyMap<string, Tensor>>): GradCheck[] {
  const { h = 1e-4, atol = 1e-6, rtol = 1e-6, sample = Infinity } = options;
  const rng = new Random(options.seed ?? 1);
  return graph.grads.filter((g) => g.node).map((g) => checkOne(g, env, { h, atol, rtol, sample, rng }, analytic?.get(g.of)?.get(g.wrt)));
}

interface Settings {
  readonly h: number;
  readonly atol: number;
  readonly rtol: number;
  readonly sample: number;
  readonly rng: Random;
}

/** Indices to compare: all of them, or a seeded sample of `k`, ascending. */
function chooseIndices(n: number, k: number, rng: Random): Int32Array {
  if (n <= k) return Int32Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  // Floyd's algorithm: k distinct draws without a shuffle of all n
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    picked.add(picked.has(t) ? j : t);
  }
  return Int32Array.from([...picked].sort((a, b) => a - b));
}

function checkOne(g: GradDecl, env: Bindings, s: Settings, given?: Tensor): GradCheck {
  const { h, atol, rtol } = s;
  const values = evaluate(given ? [g.ofNode] : [g.ofNode, g.node!], env);
  const analytic = given ?? values.get(g.node!.id)!;
  const x = values.get(g.wrtNode.id) ?? evaluate([g.wrtNode], env).get(g.wrtNode.id)!;
  const indices = chooseIndices(x.data.length, s.sample, s.rng);
  const { grad: numeric, kinks, rough } = numericalGradient(g.ofNode, g.wrtNode, x, indices, values, env, h);
  let sumAbs = 0;
  let sumMag = 0;
  let maxRel = 0;
  let worst = { index: indices[0] ?? 0, backprop: analytic.data[indices[0] ?? 0] ?? 0, numerical: numeric[0] ?? 0, d: -1 };
  let nonFinite = 0;
  indices.forEach((at, i) => {
    const a = analytic.data[at]!;
    const d = Math.abs(a - numeric[i]!);
    if (!Number.isFinite(a) || !Number.isFinite(numeric[i]!)) nonFinite++;
    sumAbs += d;
    sumMag += Math.abs(numeric[i]!);
    maxRel = Math.max(maxRel, d / Math.max(1, Math.abs(numeric[i]!)));
    const far = Number.isNaN(d) ? Infinity : d;
    if (far > worst.d) worst = { index: at, backprop: a, numerical: numeric[i]!, d: far };
  });
  const n = Math.max(1, numeric.length);
  const meanAbsDiff = sumAbs / n;
  const ok = Number.isFinite(meanAbsDiff) && meanAbsDiff <= atol + rtol * (sumMag / n);
  const { index, backprop, numerical } = worst;
  return { of: g.of, wrt: g.wrt, meanAbsDiff, maxRelDiff: maxRel, ok, checked: indices.length, size: x.data.length, worst: { index, backprop, numerical }, kinks, rough, nonFinite };
}

/** Central differences of the scalar `l` by the elements `indices` of `x` (any node: only what lies downstream of it is recomputed). */
export function numericalGradient(l: Node, x: Node, value: Tensor, indices: Int32Array, cached: Map<number, Tensor>, env: Bindings, h: number): { grad: Float64Array; kinks: number; rough: number } {
  // the nodes between x and l: the only ones a change of x can move
  const cone = ancestors([l]).filter((n) => n.id > x.id);
  const moved = new Set([x.id]);
  const affected = cone.filter((n) => n.inputs.some((i) => moved.has(i.id)) && moved.add(n.id));
  const work = new Map(cached);
  const data = Float64Array.from(value.data);
  work.set(x.id, { shape: value.shape, data });
  const lossAt = () => {
    for (const n of affected) {
      const ins = n.inputs.map((i) => work.get(i.id)!);
      work.set(n.id, opDef(n.op).eval(ins, n.attrs, resolveShape(n.type.shape, env.dims), env));
    }
    return work.get(l.id)!.data[0]!;
  };
  const grad = new Float64Array(indices.length);
  const here = cached.get(l.id)?.data[0] ?? lossAt();
  /** L at x[at] ± step: [up, down] */
  const around = (at: number, step: number): [number, number] => {
    const keep = data[at]!;
    data[at] = keep + step;
    const up = lossAt();
    data[at] = keep - step;
    const down = lossAt();
    data[at] = keep;
    return [up, down];
  };
  let kinks = 0;
  let rough = 0;
  indices.forEach((at, i) => {
    const [up, down] = around(at, h);
    grad[i] = (up - down) / (2 * h);
    // the one-sided slopes differ by |up - 2 here + down| / h: O(h) where f is smooth, O(1) at a kink
    const bend = Math.abs(up - 2 * here + down) / h;
    if (!(bend > 1e-3 * (1 + Math.abs(grad[i]!)))) return;
    // a kink's jump does not shrink with the step; a smooth curve's bend halves with it (1/x near 0)
    const [up2, down2] = around(at, h / 2);
    const half = Math.abs(up2 - 2 * here + down2) / (h / 2);
    if (half > 0.75 * bend) kinks++;
    else rough++;
  });
  return { grad, kinks, rough };
}
