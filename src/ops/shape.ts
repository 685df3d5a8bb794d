/** Ops that move or copy elements: transpose, reshape, broadcast_to, repeat. */
import * as errors from "../diagnostics/errors.js";
import { mapBroadcast, strides, tensor } from "../tensor/tensor.js";
import { broadcastShapes, dimFactors, dimMul, formatShape, formatType, normAxis, sameShape, type Dim, type Shape } from "../tensor/types.js";
import { involution, unchangedShape } from "./identities.js";
import * as K from "../kernel/ir.js";
import { reshape, sum, transpose } from "./sugar.js";
import { defineOp, type Identity, type TypeContext } from "./types.js";

/** reshape(reshape(x, a), b) → reshape(x, b) */
const reshapeReshape: Identity = {
  name: "reshape-reshape",
  identity: "reshape(reshape(x, a), b) → reshape(x, b)",
  rewrite: (n, b) => (n.inputs[0]!.op === "reshape" ? b.op("reshape", [n.inputs[0]!.inputs[0]!], n.attrs) : undefined),
};

/** A dim product as (number, sorted symbols), to compare element counts symbolically. */
function factor(shape: Shape): { n: number; syms: string[] } {
  const fs = shape.map(dimFactors);
  return { n: fs.reduce((a, f) => a * f.numeric, 1), syms: fs.flatMap((f) => f.names).sort() };
}

/** The target of a reshape, with one -1 entry inferred; fails when counts differ. */
function reshapeTarget(from: Shape, to: Shape, ctx: TypeContext): Dim[] {
  const total = factor(from);
  const holes = to.filter((d) => d === -1).length;
  if (holes > 1) ctx.fail(errors.reshapeHoles, { shape: formatShape(to) });
  const known = factor(to.filter((d) => d !== -1));
  if (holes === 1) {
    const rest = [...total.syms];
    for (const s of known.syms) {
      const i = rest.indexOf(s);
      if (i < 0) ctx.fail(errors.reshapeCannotInfer, { from: formatShape(from), to: formatShape(to) });
      rest.splice(i, 1);
    }
    if (known.n === 0 || total.n % known.n !== 0) ctx.fail(errors.reshapeCannotInfer, { from: formatShape(from), to: formatShape(to) });
    const fill = [total.n / known.n, ...rest].reduce<Dim>((a, b) => dimMul(a, b), 1);
    return to.map((d) => (d === -1 ? fill : d));
  }
  if (known.n !== total.n || known.syms.join("*") !== total.syms.join("*")) {
    ctx.fail(errors.reshapeSizeMismatch, { from: formatShape(from), to: formatShape(to) });
  }
  return [...to];
}

export const shapeOps = [
  defineOp({
    name: "transpose",
    // (xᵀ)ᵀ → x
    identities: [involution("transpose-transpose", "(xᵀ)ᵀ → x")],
    glyph: "T",
    surface: "transpose",
    doc: "Transpose of a 2-D tensor, also written x.T. Its gradient is the transposed gradient.",
    inputs: ["x"],
    attrs: {},
    traits: { transpose: true },
    type: ([x], _attrs, ctx) => {
      if (x!.shape.length !== 2) ctx.fail(errors.transposeNeedsMatrix, { type: formatType(x!) });
      return { dtype: x!.dtype, shape: [x!.shape[1]!, x!.shape[0]!] };
    },
    eval: ([x], _attrs, out) => {
      const [m, n] = x!.shape as [number, number];
      const r = tensor(out);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) r.data[j * m + i] = x!.data[i * n + j]!;
      return r;
    },
    kernel: {
      kind: "loop",
      write: (k) => {
        const [m, n] = k.inShapes[0] as [K.Expr, K.Expr];
        const x = k.buf(0);
        return [K.loop("i", m, (i) => [K.loop("j", n, (j) => [K.store(k.out, K.add(K.mul(j, m), i), K.load(x, K.add(K.mul(i, n), j)))])])];
      },
    },
    onnx: (o) => o.node("Transpose", [o.raw(0)], { perm: [1, 0] }),
    vjp: (b, _n, g) => [transpose(b, g)],
  }),
  defineOp({
    name: "reshape",
    // reshape(x, shape of x) → x; reshape(reshape(x, a), b) → reshape(x, b)
    identities: [unchangedShape, reshapeReshape],
    surface: "reshape",
    doc: "The same elements in a new shape (row-major); one entry may be -1. The gradient is reshaped back.",
    inputs: ["x"],
    attrs: { shape: { kind: "shape" } },
    traits: {},
    type: ([x], attrs, ctx) => ({ dtype: x!.dtype, shape: reshapeTarget(x!.shape, attrs["shape"] as Shape, ctx) }),
    eval: ([x], _attrs, out) => tensor(out, x!.data),
    kernel: { kind: "alias" },
    onnx: (o) => o.node("Reshape", [o.raw(0), o.shape(o.outType.shape)]),
    vjp: (b, n, g) => [reshape(b, g, n.inputs[0]!.type.shape)],
  }),
  defineOp({
    name: "broadcast_to",
    // broadcast_to(x, shape of x) → x
    identities: [unchangedShape],
    glyph: "repeat",
    surface: "broadcast_to",
    doc: "x repeated to a larger shape by NumPy broadcasting. The backward pass sums the gradient over the repeated axes.",
    inputs: ["x"],
    attrs: { shape: { kind: "shape" } },
    // elementwise: each output element reads x with broadcasting
    traits: { elementwise: true },
    scalar: { f: (x) => x, emit: (x) => x },
    type: ([x], attrs, ctx) => {
      const target = attrs["shape"] as Shape;
      const out = broadcastShapes(x!.shape, target);
      if (!out || !sameShape(out, target)) ctx.fail(errors.cannotBroadcastTo, { type: formatType(x!), shape: formatShape(target) });
      return { dtype: x!.dtype, shape: target, weak: x!.weak };
    },
    eval: ([x], _attrs, out) => mapBroadcast([x!], out, (xs) => xs[0]!),
    onnx: (o) => o.node("Expand", [o.x(0), o.shape(o.outType.shape)]),
    // the autodiff driver sums the gradient back to x's shape
    vjp: (_b, _n, g) => [g],
  }),
  defineOp({
    name: "repeat",
    surface: "repeat",
    doc: "Each element repeated n times along `axis` (NumPy's repeat; the textbook's Repeat node). The gradient sums the n copies.",
    inputs: ["x"],
    attrs: { n: { kind: "int" }, axis: { kind: "axis" } },
    traits: {},
    type: ([x], attrs, ctx) => {
      const axis = normAxis(attrs["axis"] as number, x!.shape.length);
      const n = attrs["n"] as number;
      if (axis === undefined) ctx.fail(errors.axisOutOfRange, { axis: String(attrs["axis"]), type: formatType(x!) });
      if (!Number.isInteger(n) || n < 1) ctx.fail(errors.repeatCount, { n });
      return { dtype: x!.dtype, shape: x!.shape.map((d, i) => (i === axis ? dimMul(d, n) : d)) };
    },
    eval: ([x], attrs, out) => {
      const axis = normAxis(attrs["axis"] as number, x!.shape.length)!;
      const n = attrs["n"] as number;
      const outer = x!.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const d = x!.shape[axis]!;
      const inner = strides(x!.shape)[axis]!;
      const r = tensor(out);
      let o = 0;
      for (let a = 0; a < outer; a++) {
        for (let i = 0; i < d; i++) {
          const src = (a * d + i) * inner;
          for (let c = 0; c < n; c++) for (let k = 0; k < inner; k++) r.data[o++] = x!.data[src + k]!;
        }
      }
      return r;
    },
    kernel: {
      kind: "loop",
      write: (k) => {
        const shape = k.inShapes[0]!;
        const axis = normAxis(k.attrs["axis"] as number, shape.length)!;
        const outer = K.product(shape.slice(0, axis));
        const inner = K.product(shape.slice(axis + 1));
        const d = shape[axis]!;
        const o = K.local("o");
        const src = K.local("src");
        const x = k.buf(0);
        return [
          K.declLet(o, K.num(0)),
          K.loop("a", outer, (a) => [
            K.loop("i", d, (i) => [
              K.decl(src, K.mul(K.add(K.mul(a, d), i), inner)),
              K.loop("c", K.num(k.attrs["n"] as number), () => [
                K.loop("q", inner, (q) => [K.store(k.out, K.get(o), K.load(x, K.add(K.get(src), q))), K.set(o, K.num(1), "+=")]),
              ]),
            ]),
          ]),
        ];
      },
    },
    // x[..., d, ...] → [..., d, 1, ...] → expanded to n copies → merged back into one axis
    onnx: (o) => {
      const shape = o.inTypes[0]!.shape;
      const axis = normAxis(o.attrs["axis"] as number, shape.length)!;
      const inserted = o.node("Unsqueeze", [o.raw(0), o.constant([axis + 1], "i64", [1])]);
      const copies = o.node("Expand", [inserted, o.shape([...shape.slice(0, axis + 1), o.attrs["n"] as number, ...shape.slice(axis + 1)])]);
      return o.node("Reshape", [copies, o.shape(o.outType.shape)]);
    },
    vjp: (b, node, g) => {
      const x = node.inputs[0]!;
      const axis = normAxis(node.attrs["axis"] as number, x.type.shape.length)!;
      const split = [...x.type.shape.slice(0, axis + 1), node.attrs["n"] as number, ...x.type.shape.slice(axis + 1)];
      return [sum(b, reshape(b, g, split), [axis + 1])];
    },
  }),
];
