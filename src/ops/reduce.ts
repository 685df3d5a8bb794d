/** Reductions over axes: sum, max (and its first-maximum mask), numel, argmax, mean. */
import * as errors from "../diagnostics/errors.js";
import type { Attrs, Node } from "../graph/ir.js";
import { size, strides, tensor, type Tensor } from "../tensor/tensor.js";
import { formatType, normAxis, type Dim, type Type } from "../tensor/types.js";
import * as K from "../kernel/ir.js";
import { broadcastTo, div, mul, reshape, sum } from "./sugar.js";
import { defineComposite, defineOp, type LoopContext, type OnnxContext, type TypeContext } from "./types.js";

/** The normalized, sorted axes an `axis` attribute names (null: all axes). */
export function reducedAxes(t: Type, attrs: Attrs, ctx: TypeContext): number[] {
  const axis = attrs["axis"];
  const rank = t.shape.length;
  if (axis === null || axis === undefined) return t.shape.map((_, i) => i);
  const list = typeof axis === "number" ? [axis] : (axis as readonly (number | string)[]);
  const out = list.map((a) => {
    const n = typeof a === "number" ? normAxis(a, rank) : undefined;
    if (n === undefined) ctx.fail(errors.axisOutOfRange, { axis: String(a), type: formatType(t) });
    return n;
  });
  if (new Set(out).size !== out.length) ctx.fail(errors.repeatedAxis, { axes: JSON.stringify(axis) });
  return out.sort((a, b) => a - b);
}

function reducedShape(t: Type, axes: readonly number[], keepdims: boolean): Dim[] {
  const out: Dim[] = [];
  t.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** For values the type rule has already accepted: a failure here is our bug. */
const internal: TypeContext = {
  fail(entry, args): never {
    let message = entry.entry.id;
    try {
      entry(undefined, args);
    } catch (e) {
      if (e instanceof Error) message = e.message;
    }
    throw new Error(`internal error: ${message}`);
  },
};

/** Folds x over `axes` into a tensor of the kept shape (keepdims layout). */
function reduce(x: Tensor, axes: readonly number[], init: number, fold: (acc: number, v: number) => number): Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = tensor(kept);
  out.data.fill(init);
  const ks = strides(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const idx = x.shape.map(() => 0);
  let o = 0;
  for (let k = 0; k < x.data.length; k++) {
    out.data[o] = fold(out.data[o]!, x.data[k]!);
    for (let ax = x.shape.length - 1; ax >= 0; ax--) {
      idx[ax]!++;
      o += ks[ax]!;
      if (idx[ax]! < x.shape[ax]!) break;
      o -= ks[ax]! * x.shape[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

const withShape = (t: Tensor, shape: readonly number[]): Tensor => ({ shape: [...shape], data: t.data });

/** The gradient of a reduced output, read back at the input's shape. */
function expandBack(b: Parameters<typeof sum>[0], n: Node, g: Node): Node {
  const x = n.inputs[0]!;
  const axes = reducedAxes(x.type, n.attrs, internal);
  const kept = reducedShape(x.type, axes, true);
  return broadcastTo(b, n.attrs["keepdims"] ? g : reshape(b, g, kept), x.type.shape);
}

/** The reduced axes of an ONNX rule's node. */
const onnxAxes = (o: OnnxContext): number[] => reducedAxes(o.inTypes[0]!, o.attrs, internal);

const reductionAttrs = { axis: { kind: "axes", default: null }, keepdims: { kind: "bool", default: false } } as const;

export const reduceOps = [
  defineOp({
    name: "sum",
    glyph: "Σ",
    surface: "sum",
    doc: "Sum over `axis` (all axes when absent). The backward pass copies the gradient back over the summed axes (the textbook's Sum ↔ Repeat nodes).",
    inputs: ["x"],
    attrs: reductionAttrs,
    traits: { sum: true },
    type: (ins, attrs, ctx) => ({
      dtype: ins[0]!.dtype === "i32" ? "f64" : ins[0]!.dtype,
      shape: reducedShape(ins[0]!, reducedAxes(ins[0]!, attrs, ctx), attrs["keepdims"] === true),
    }),
    eval: (ins, attrs, out) => withShape(reduce(ins[0]!, reducedAxes(typeOfTensor(ins[0]!), attrs, internal), 0, (a, v) => a + v), out),
    kernel: { kind: "reduce", init: 0, combine: (acc, v) => K.bin("+", acc, v) },
    onnx: (o) => {
      const axes = onnxAxes(o);
      if (axes.length === 0) return o.node("Identity", [o.x(0)]);
      return o.node("ReduceSum", [o.x(0), o.constant(axes, "i64", [axes.length])], { keepdims: o.attrs["keepdims"] === true ? 1 : 0 });
    },
    vjp: (b, n, g) => [expandBack(b, n, g)],
  }),
  defineOp({
    name: "max",
    surface: "max",
    doc: "Maximum over `axis` (all axes when absent). The gradient goes to the first maximum.",
    inputs: ["x"],
    attrs: reductionAttrs,
    traits: {},
    type: (ins, attrs, ctx) => ({
      dtype: ins[0]!.dtype,
      shape: reducedShape(ins[0]!, reducedAxes(ins[0]!, attrs, ctx), attrs["keepdims"] === true),
    }),
    eval: (ins, attrs, out) => withShape(reduce(ins[0]!, reducedAxes(typeOfTensor(ins[0]!), attrs, internal), -Infinity, Math.max), out),
    kernel: { kind: "reduce", init: -Infinity, combine: (acc, v) => K.math("max", acc, v) },
    onnx: (o) => {
      const axes = onnxAxes(o);
      if (axes.length === 0) return o.node("Identity", [o.x(0)]);
      return o.node("ReduceMax", [o.x(0)], { axes, keepdims: o.attrs["keepdims"] === true ? 1 : 0 });
    },
    vjp: (b, n, g) => [mul(b, b.op("max_mask", [n.inputs[0]!], { axis: n.attrs["axis"] ?? null }), expandBack(b, n, g))],
  }),
  defineOp({
    name: "max_mask",
    glyph: "argmax\nmask",
    doc: "1 at the first maximum over `axis`, 0 elsewhere: where max sends its gradient. It passes no gradient.",
    inputs: ["x"],
    attrs: { axis: { kind: "axes", default: null } },
    traits: {},
    type: (ins, attrs, ctx) => (reducedAxes(ins[0]!, attrs, ctx), { dtype: ins[0]!.dtype, shape: ins[0]!.shape }),
    eval: (ins, attrs) => firstMaxMask(ins[0]!, reducedAxes(typeOfTensor(ins[0]!), attrs, internal)),
    kernel: { kind: "loop", write: maxMaskLoop, scratch: (k) => K.mul(keptSize(k), K.num(2)) },
    // the maxima (x == max), then the first of them: where their running count is 1
    onnx: (o) => {
      const rank = o.inTypes[0]!.shape.length;
      const axes = onnxAxes(o);
      if (axes.length === 0) return o.constant([1], o.outType.dtype);
      const flat = axes.length === rank && rank > 1;
      if (axes.length > 1 && !flat) o.fail(errors.onnxMaskOverSomeAxes);
      const x = flat ? o.node("Reshape", [o.raw(0), o.constant([-1], "i64", [1])]) : o.raw(0);
      const axis = flat ? 0 : axes[0]!;
      const isMax = o.node("Equal", [x, o.node("ReduceMax", [x], { axes: [axis], keepdims: 1 })]);
      const count = o.node("CumSum", [o.cast(isMax, "i32"), o.constant([axis], "i64")]);
      const first = o.cast(o.node("And", [isMax, o.node("Equal", [count, o.constant([1], "i32")])]), o.outType.dtype);
      return flat ? o.node("Reshape", [first, o.node("Shape", [o.raw(0)])]) : first;
    },
    vjp: "none",
  }),
  defineOp({
    name: "numel",
    glyph: "N",
    doc: "The number of elements along `axis` (all axes when absent), known at run time: the divisor of mean.",
    inputs: ["x"],
    attrs: { axis: { kind: "axes", default: null } },
    traits: {},
    type: (ins, attrs, ctx) => (reducedAxes(ins[0]!, attrs, ctx), { dtype: "f64", shape: [], weak: true }),
    eval: (ins, attrs) => {
      const x = ins[0]!;
      const axes = reducedAxes(typeOfTensor(x), attrs, internal);
      return tensor([], [axes.reduce((a, i) => a * x.shape[i]!, 1)]);
    },
    kernel: { kind: "dims" },
    onnx: (o) => {
      const dims = onnxAxes(o).map((i) => o.inTypes[0]!.shape[i]!);
      if (dims.every((d) => typeof d === "number")) return o.constant([dims.reduce<number>((a, d) => a * (d as number), 1)], o.outType.dtype);
      return o.cast(o.node("ReduceProd", [o.shape(dims)], { keepdims: 0 }), o.outType.dtype);
    },
    vjp: "none",
  }),
  defineOp({
    name: "argmax",
    surface: "argmax",
    doc: "Index of the first maximum along `axis`, as i32. Not differentiable.",
    inputs: ["x"],
    attrs: { axis: { kind: "axis" } },
    traits: {},
    type: (ins, attrs, ctx) => {
      const axes = reducedAxes(ins[0]!, attrs, ctx);
      return { dtype: "i32", shape: reducedShape(ins[0]!, axes, false) };
    },
    eval: (ins, attrs, out) => {
      const x = ins[0]!;
      const axis = reducedAxes(typeOfTensor(x), attrs, internal)[0]!;
      const mask = firstMaxMask(x, [axis]);
      const result = tensor(out);
      const inner = size(x.shape.slice(axis + 1));
      const n = x.shape[axis]!;
      for (let k = 0; k < mask.data.length; k++) {
        if (mask.data[k] === 1) {
          const i = Math.floor(k / inner) % n;
          const o = Math.floor(k / (inner * n)) * inner + (k % inner);
          result.data[o] = i;
        }
      }
      return result;
    },
    kernel: { kind: "loop", write: argmaxLoop },
    onnx: (o) => o.cast(o.node("ArgMax", [o.raw(0)], { axis: onnxAxes(o)[0]!, keepdims: 0, select_last_index: 0 }), "i32"),
    vjp: "none",
  }),
];

export const reduceComposites = [
  defineComposite({
    name: "mean",
    doc: "Mean over `axis` (all axes when absent): sum(x, axis) / numel(x, axis).",
    inputs: ["x"],
    attrs: reductionAttrs,
    expand: (b, [x], attrs) => div(b, b.op("sum", [x!], attrs), b.op("numel", [x!], { axis: attrs["axis"] ?? null })),
  }),
];

function typeOfTensor(t: Tensor): Type {
  return { dtype: "f64", shape: t.shape };
}

/** 1 at the first maximum of each fiber along `axes`. */
function firstMaxMask(x: Tensor, axes: readonly number[]): Tensor {
  const best = reduce(x, axes, -Infinity, Math.max);
  const taken = new Uint8Array(best.data.length);
  const mask = tensor(x.shape);
  const ks = strides(best.shape).map((s, i) => (axes.includes(i) ? 0 : s));
  const idx = x.shape.map(() => 0);
  let o = 0;
  for (let k = 0; k < x.data.length; k++) {
    const v = x.data[k]!;
    if (!taken[o] && (v === best.data[o] || (Number.isNaN(v) && Number.isNaN(best.data[o]!)))) {
      mask.data[k] = 1;
      taken[o] = 1;
    }
    for (let ax = x.shape.length - 1; ax >= 0; ax--) {
      idx[ax]!++;
      o += ks[ax]!;
      if (idx[ax]! < x.shape[ax]!) break;
      o -= ks[ax]! * x.shape[ax]!;
      idx[ax] = 0;
    }
  }
  return mask;
}

// ---- kernels -------------------------------------------------------------------

const axesOf = (k: LoopContext): number[] => reducedAxes(k.inTypes[0]!, k.attrs, internal);
const keptSize = (k: LoopContext): K.Expr => {
  const axes = axesOf(k);
  return K.product(k.inShapes[0]!.filter((_, i) => !axes.includes(i)));
};

/** 1 at the first maximum of each fiber: one pass for the maxima, one to mark the first. */
function maxMaskLoop(k: LoopContext): K.Stmt[] {
  const shape = k.inShapes[0]!;
  const axes = axesOf(k);
  const kept = shape.filter((_, i) => !axes.includes(i));
  const outAt = (vars: readonly K.Expr[]) => K.index(kept, vars.filter((_, i) => !axes.includes(i)));
  const n = keptSize(k);
  const s = k.scratch;
  // scratch[o]: the fiber's max; scratch[n + o]: whether its first maximum is marked
  const best = (o: K.Expr) => K.load(s, o);
  const marked = (o: K.Expr) => K.add(n, o);
  return [
    K.loop("o", n, (o) => [K.store(s, o, K.num(-Infinity)), K.store(s, marked(o), K.num(0))]),
    ...K.loops(shape, (v) => {
      const o = K.local("o");
      return [K.decl(o, outAt(v)), K.store(s, K.get(o), K.math("max", best(K.get(o)), k.at(0, v)))];
    }),
    ...K.loops(shape, (v) => {
      const o = K.local("o");
      const value = K.local("value");
      const isFirst = K.local("isFirst");
      const [O, V] = [K.get(o), K.get(value)];
      const same = K.bin("||", K.bin("===", V, best(O)), K.bin("&&", K.bin("!==", V, V), K.bin("!==", best(O), best(O))));
      return [
        K.decl(o, outAt(v)),
        K.decl(value, k.at(0, v)),
        K.decl(isFirst, K.bin("&&", K.bin("===", K.load(s, marked(O)), K.num(0)), same)),
        K.store(k.out, K.index(shape, v), K.select(K.get(isFirst), K.num(1), K.num(0))),
        K.iff(K.get(isFirst), [K.store(s, marked(O), K.num(1))]),
      ];
    }),
  ];
}

/** Index of the first maximum along the axis. */
function argmaxLoop(k: LoopContext): K.Stmt[] {
  const x = k.buf(0);
  const shape = k.inShapes[0]!;
  const axis = axesOf(k)[0]!;
  const outer = K.product(shape.slice(0, axis));
  const d = shape[axis]!;
  const inner = K.product(shape.slice(axis + 1));
  const base = K.local("base");
  const best = K.local("best");
  const at = K.local("at");
  const xAt = (i: K.Expr) => K.load(x, K.add(K.get(base), K.mul(i, inner)));
  return [
    K.loop("a", outer, (a) => [
      K.loop("q", inner, (q) => {
        const v = K.local("v");
        const [B, V] = [K.get(best), K.get(v)];
        return [
          K.decl(base, K.add(K.mul(K.mul(a, d), inner), q)),
          K.declLet(best, K.num(-Infinity)),
          K.loop("i", d, (i) => [K.set(best, K.math("max", B, xAt(i)))]),
          K.declLet(at, K.num(0)),
          K.loop("i", d, (i) => [
            K.decl(v, xAt(i)),
            K.iff(K.bin("||", K.bin("===", V, B), K.bin("&&", K.bin("!==", V, V), K.bin("!==", B, B))), [K.set(at, i), { k: "break" }]),
          ]),
          K.store(k.out, K.add(K.mul(a, inner), q), K.get(at)),
        ];
      }),
    ]),
  ];
}
