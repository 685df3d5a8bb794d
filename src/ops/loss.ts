/**
 * Probabilities and losses. softmax and log_softmax are composites of primitives
 * (stable: shifted by a max that passes no gradient); softmax_cross_entropy is a
 * primitive with the textbook's fused backward rule (y - t) / N, which tests check
 * against the rule derived from its primitives.
 */
import * as errors from "../diagnostics/errors.js";
import type { Node } from "../graph/ir.js";
import { tensor, type Tensor } from "../tensor/tensor.js";
import { formatType, isFloat, type Type } from "../tensor/types.js";
import * as K from "../kernel/ir.js";
import { div, mul, neg, num, sub, sum } from "./sugar.js";
import { defineComposite, defineOp, type GraphBuilder, type LoopContext, type OnnxContext, type TypeContext } from "./types.js";

const probAttrs = { axis: { kind: "axis", default: -1 } } as const;

/** x - max(x) along the axis, the max held constant (it cancels in softmax). */
function shifted(b: GraphBuilder, x: Node, axis: number): Node {
  const m = b.op("max", [x], { axis: [axis], keepdims: true });
  return sub(b, x, b.op("stop_gradient", [m]));
}

function softmax(b: GraphBuilder, x: Node, axis: number): Node {
  const e = b.op("exp", [shifted(b, x, axis)]);
  return div(b, e, sum(b, e, [axis], true));
}

function logSoftmax(b: GraphBuilder, x: Node, axis: number): Node {
  const z = shifted(b, x, axis);
  return sub(b, z, b.op("log", [sum(b, b.op("exp", [z]), [axis], true)]));
}

/** Checks logits [N, C] (or [C]) against labels i32[N] (or []) or probabilities of logits' shape. */
function lossType([logits, labels]: readonly Type[], ctx: TypeContext): Type {
  const s = logits!.shape;
  const t = labels!;
  if (s.length !== 1 && s.length !== 2) ctx.fail(errors.crossEntropyLogits, { type: formatType(logits!) });
  const indexShape = s.slice(0, -1);
  const isIndex = t.dtype === "i32";
  const ok = isIndex
    ? t.shape.length === indexShape.length && t.shape.every((d, i) => d === indexShape[i])
    : t.shape.length === s.length && t.shape.every((d, i) => d === s[i]);
  if (!ok) {
    const want = isIndex ? `i32[${indexShape.join(", ")}] class indices` : `${logits!.dtype}[${s.join(", ")}] probabilities`;
    ctx.fail(errors.crossEntropyLabels, { want, logits: formatType(logits!), got: formatType(t) });
  }
  return { dtype: isFloat(logits!.dtype) ? logits!.dtype : "f64", shape: [] };
}

/** The per-row targets as probabilities: one-hot rows for class indices. */
function targets(b: GraphBuilder, logits: Node, labels: Node): Node {
  if (labels.type.dtype !== "i32") return labels;
  const c = logits.type.shape[logits.type.shape.length - 1]!;
  return b.op("onehot", [labels], { classes: c as number });
}

function batchSize(b: GraphBuilder, logits: Node): Node {
  return logits.type.shape.length === 2 ? b.op("numel", [logits], { axis: [0] }) : num(b, 1);
}

function crossEntropy(logits: Tensor, labels: Tensor, indexLabels: boolean): number {
  const c = logits.shape[logits.shape.length - 1]!;
  const rows = logits.data.length / c;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits.data[r * c + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits.data[r * c + j]! - m);
    const lse = m + Math.log(s);
    if (indexLabels) total += lse - logits.data[r * c + labels.data[r]!]!;
    else for (let j = 0; j < c; j++) total -= labels.data[r * c + j]! * (logits.data[r * c + j]! - lse);
  }
  return total / rows;
}

/** One-hot rows of `labels`: compared with 0..c-1; out-of-range labels give zero rows. */
function onnxOneHot(o: OnnxContext, labels: string, c: number): string {
  const column = o.node("Unsqueeze", [labels, o.constant([-1], "i64", [1])]);
  const classes = o.constant(Array.from({ length: c }, (_, i) => i), "i32", [c]);
  return o.cast(o.node("Equal", [column, classes]), o.outType.dtype);
}

/** The targets of a loss rule's node as probabilities (operand 1: class indices or probabilities). */
function onnxTargets(o: OnnxContext): string {
  return o.inTypes[1]!.dtype === "i32" ? onnxOneHot(o, o.raw(1), o.inTypes[0]!.shape.at(-1) as number) : o.x(1);
}

export const lossOps = [
  defineOp({
    name: "softmax_ce",
    // class indices (i32 labels) go up to the logits' last axis
    classIndices: { input: 1, classes: (n) => n.inputs[0]!.type.shape.at(-1) },
    glyph: "Softmax\nWithLoss",
    surface: "softmax_cross_entropy",
    doc: "Mean cross-entropy of softmax(logits) against labels: i32 class indices or [N, C] probabilities (the textbook's SoftmaxWithLoss). Its backward rule is (softmax(logits) · Σⱼ tⱼ - t) / N — the textbook's (y - t) / N when each row of t sums to 1.",
    inputs: ["logits", "labels"],
    attrs: {},
    traits: { batch: "mean" },
    type: (ins, _attrs, ctx) => lossType(ins, ctx),
    eval: ([logits, labels], _attrs, _out) => tensor([], [crossEntropy(logits!, labels!, labels!.shape.length < logits!.shape.length)]),
    kernel: { kind: "loop", write: (k) => rowLoop(k, "loss") },
    // -mean over rows of Σ t · log_softmax(logits)
    onnx: (o) => {
      const logp = o.node("LogSoftmax", [o.x(0)], { axis: -1 });
      const rows = o.node("ReduceSum", [o.node("Mul", [onnxTargets(o), logp]), o.constant([-1], "i64", [1])], { keepdims: 0 });
      return o.node("Neg", [o.inTypes[0]!.shape.length === 2 ? o.node("ReduceMean", [rows], { keepdims: 0 }) : rows]);
    },
    vjp: (b, node, g, needs) => {
      const [logits, labels] = node.inputs as [Node, Node];
      const dlogits = needs[0] ? b.op("softmax_ce_grad", [logits, labels, g]) : null;
      const dlabels = needs[1] ? mul(b, neg(b, logSoftmax(b, logits, logits.type.shape.length - 1)), div(b, g, batchSize(b, logits))) : null;
      return [dlogits, dlabels];
    },
  }),
  defineOp({
    name: "softmax_ce_grad",
    glyph: "Softmax\nWithLoss′",
    doc: "The backward rule of softmax_cross_entropy, fused: (softmax(logits) · Σⱼ tⱼ - t) · g / N, one pass over each row (Σⱼ tⱼ is 1 for class indices and one-hot rows; multi-label or unnormalised targets need it).",
    inputs: ["logits", "labels", "g"],
    attrs: {},
    traits: {},
    type: ([logits, labels], _attrs, ctx) => (lossType([logits!, labels!], ctx), { dtype: logits!.dtype, shape: logits!.shape }),
    eval: ([logits, labels, g], _attrs, out) => {
      const c = logits!.shape[logits!.shape.length - 1]!;
      const rows = logits!.data.length / c;
      const index = labels!.shape.length < logits!.shape.length;
      const r = tensor(out);
      const scale = g!.data[0]! / rows;
      for (let i = 0; i < rows; i++) {
        let m = -Infinity;
        for (let j = 0; j < c; j++) m = Math.max(m, logits!.data[i * c + j]!);
        let s = 0;
        for (let j = 0; j < c; j++) s += Math.exp(logits!.data[i * c + j]! - m);
        // ∂/∂x of -Σ t·log softmax(x) is softmax(x)·Σ t - t: Σ t is 1 for a class index
        let total = 1;
        if (!index) {
          total = 0;
          for (let j = 0; j < c; j++) total += labels!.data[i * c + j]!;
        }
        for (let j = 0; j < c; j++) {
          const t = index ? (labels!.data[i] === j ? 1 : 0) : labels!.data[i * c + j]!;
          r.data[i * c + j] = ((Math.exp(logits!.data[i * c + j]! - m) / s) * total - t) * scale;
        }
      }
      return r;
    },
    // the row's exponentials kept in the scratch: each computed once, for the sum and the softmax
    kernel: { kind: "loop", write: (k) => rowLoop(k, "grad"), scratch: (k) => k.inShapes[0]!.at(-1)! },
    onnx: (o) => {
      const shape = o.inTypes[0]!.shape;
      const t = onnxTargets(o);
      const total = o.node("ReduceSum", [t, o.constant([-1], "i64", [1])], { keepdims: 1 });
      const residual = o.node("Sub", [o.node("Mul", [o.node("Softmax", [o.x(0)], { axis: -1 }), total]), t]);
      const scaled = o.node("Mul", [residual, o.x(2)]);
      return shape.length === 2 ? o.node("Div", [scaled, o.cast(o.shape([shape[0]!]), o.outType.dtype)]) : scaled;
    },
    // its own derivative (for second derivatives) goes through the rule's primitives
    vjp: (b, node, gg, needs) => {
      const [logits, labels, g] = node.inputs as [Node, Node, Node];
      const axis = logits.type.shape.length - 1;
      const t = targets(b, logits, labels);
      const rule = mul(b, sub(b, mul(b, softmax(b, logits, axis), sum(b, t, [axis], true)), t), div(b, g, batchSize(b, logits)));
      const wrt = [logits, labels, g].filter((_, i) => needs[i]);
      const grads = b.backprop(rule, gg, wrt);
      return [logits, labels, g].map((n, i) => (needs[i] ? grads[wrt.indexOf(n)]! : null));
    },
  }),
  defineOp({
    name: "onehot",
    classIndices: { input: 0, classes: (n) => n.attrs["classes"] as number },
    surface: "onehot",
    doc: "Class indices → one-hot rows of `classes` columns. Not differentiable.",
    inputs: ["labels"],
    attrs: { classes: { kind: "int" } },
    traits: {},
    type: ([l], attrs, ctx) => {
      const c = attrs["classes"];
      if (typeof c !== "number" || !Number.isInteger(c) || c < 1) ctx.fail(errors.onehotClassCount, { got: String(c) });
      return { dtype: "f64", shape: [...l!.shape, c as number], weak: true };
    },
    eval: ([l], attrs, out) => {
      const c = attrs["classes"] as number;
      const r = tensor(out);
      l!.data.forEach((v, i) => {
        if (Number.isInteger(v) && v >= 0 && v < c) r.data[i * c + v] = 1;
      });
      return r;
    },
    onnx: (o) => onnxOneHot(o, o.raw(0), o.attrs["classes"] as number),
    kernel: {
      kind: "loop",
      write: (k) => {
        const c = K.num(k.attrs["classes"] as number);
        const scalar = k.inShapes[0]!.length === 0;
        const label = K.local("label");
        const L = K.get(label);
        return [
          { k: "fill", buf: k.out, value: K.num(0), count: K.product(k.outShape) },
          K.loop("i", K.product(k.inShapes[0]!), (i) => [
            K.decl(label, scalar ? k.value(0) : K.load(k.buf(0), i)),
            K.iff(K.bin("&&", K.bin(">=", L, K.num(0)), K.bin("<", L, c)), [K.store(k.out, K.add(K.mul(i, c), L), K.num(1))]),
          ]),
        ];
      },
    },
    vjp: "none",
  }),
  defineOp({
    name: "stop_gradient",
    // stop_gradient(x) → x: after differentiation it only marks where no gradient flowed
    identities: [{ name: "stop-gradient", identity: "stop_gradient(x) → x", rewrite: (n) => n.inputs[0] }],
    glyph: "stop",
    surface: "stop_gradient",
    doc: "x itself in the forward pass; no gradient flows back through it.",
    inputs: ["x"],
    attrs: {},
    type: ([x]) => x!,
    eval: ([x]) => x!,
    traits: { elementwise: true },
    scalar: { f: (x) => x, emit: (x) => x },
    onnx: "Identity",
    vjp: "none",
  }),
];

export const lossComposites = [
  defineComposite({
    name: "softmax",
    doc: "exp(x - max) / sum(exp(x - max)) along `axis` (default -1): stable for large logits.",
    inputs: ["x"],
    attrs: probAttrs,
    expand: (b, [x], attrs) => softmax(b, x!, attrs["axis"] as number),
  }),
  defineComposite({
    name: "log_softmax",
    doc: "(x - max) - log(sum(exp(x - max))) along `axis` (default -1): stable for large logits.",
    inputs: ["x"],
    attrs: probAttrs,
    expand: (b, [x], attrs) => logSoftmax(b, x!, attrs["axis"] as number),
  }),
  defineComposite({
    name: "mse",
    doc: "0.5 * sum((y - t)^2), divided by the batch size when y is 2-D.",
    inputs: ["y", "t"],
    attrs: {},
    expand: (b, [y, t]) => {
      const half = mul(b, num(b, 0.5), sum(b, b.op("square", [sub(b, y!, t!)]), null));
      return y!.type.shape.length === 2 ? div(b, half, b.op("numel", [y!], { axis: [0] })) : half;
    },
  }),
];

/**
 * One pass per row of logits: the max, the sum of exponentials, then either the
 * cross-entropy (averaged over rows) or the gradient (softmax - t) · g / rows — the
 * gradient keeps each exponential in the scratch as it sums them, and divides those.
 */
function rowLoop(k: LoopContext, what: "loss" | "grad"): K.Stmt[] {
  const x = k.buf(0);
  const shape = k.inShapes[0]!;
  const c = shape[shape.length - 1]!;
  const rows = K.product(shape.slice(0, -1));
  const index = k.inTypes[1]!.dtype === "i32";
  const [row, rowMax, expSum, total, lse, scale, e] = ["row", "rowMax", "expSum", "total", "lse", "scale", "e"].map(K.local) as [K.Local, K.Local, K.Local, K.Local, K.Local, K.Local, K.Local];
  const R = K.get(row);
  const xAt = (j: K.Expr) => K.load(x, K.add(R, j));
  const tAt = (j: K.Expr) => K.load(k.buf(1), K.add(R, j));
  const exp = (j: K.Expr) => K.math("exp", K.bin("-", xAt(j), K.get(rowMax)));
  const softmax = (j: K.Expr) => K.bin("/", K.load(k.scratch, j), K.get(expSum));
  // the rows loop: its variable is made here, so a label array can be read at it
  const i = K.local("i");
  const label = k.inShapes[1]!.length === 0 ? k.value(1) : K.load(k.buf(1), K.get(i));
  const sum = (j: K.Expr): K.Stmt[] => (what === "grad" ? [K.decl(e, exp(j)), K.store(k.scratch, j, K.get(e)), K.set(expSum, K.get(e), "+=")] : [K.set(expSum, exp(j), "+=")]);
  const rowsLoop = (body: readonly K.Stmt[]): K.Stmt => ({
    k: "for",
    v: i,
    init: K.num(0),
    cond: K.bin("<", K.get(i), rows),
    step: 1,
    body: [
      K.decl(row, K.mul(K.get(i), c)),
      K.declLet(rowMax, K.num(-Infinity)),
      K.loop("j", c, (j) => [K.set(rowMax, K.math("max", K.get(rowMax), xAt(j)))]),
      K.declLet(expSum, K.num(0)),
      K.loop("j", c, sum),
      ...body,
    ],
  });
  if (what === "loss") {
    const term = index
      ? [K.set(total, K.bin("-", K.bin("+", K.get(rowMax), K.math("log", K.get(expSum))), xAt(label)), "+=")]
      : [
          K.decl(lse, K.bin("+", K.get(rowMax), K.math("log", K.get(expSum)))),
          K.loop("j", c, (j) => [K.set(total, K.bin("*", tAt(j), K.bin("-", xAt(j), K.get(lse))), "-=")]),
        ];
    return [K.declLet(total, K.num(0)), rowsLoop(term), K.store(k.out, K.num(0), K.bin("/", K.get(total), rows))];
  }
  const g = k.value(2);
  const head = K.decl(scale, K.bin("/", g, rows));
  if (index) {
    return [
      head,
      rowsLoop([K.loop("j", c, (j) => [K.store(k.out, K.add(R, j), K.bin("*", K.bin("-", softmax(j), K.select(K.bin("===", label, j), K.num(1), K.num(0))), K.get(scale)))])]),
    ];
  }
  // probability targets: softmax · Σ t - t, which is softmax - t only when the row sums to 1
  return [
    head,
    rowsLoop([
      K.declLet(total, K.num(0)),
      K.loop("j", c, (j) => [K.set(total, tAt(j), "+=")]),
      K.loop("j", c, (j) => [K.store(k.out, K.add(R, j), K.bin("*", K.bin("-", K.bin("*", softmax(j), K.get(total)), tAt(j)), K.get(scale)))]),
    ]),
  ];
}
