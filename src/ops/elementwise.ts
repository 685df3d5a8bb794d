/**
 * Elementwise ops: each is one scalar function applied per element with NumPy
 * broadcasting. The entry holds the scalar semantics, the mathjs formula (checked
 * against the hand-written derivative in tests), the kernel template and the VJP.
 */
import * as errors from "../diagnostics/errors.js";
import type { Node } from "../graph/ir.js";
import { mapBroadcast } from "../tensor/tensor.js";
import { broadcastShapes, formatType, isFloat, promote, type Type } from "../tensor/types.js";
import { involution, unit } from "./identities.js";
import type { OpName } from "./names.js";
import * as K from "../kernel/ir.js";
import { add, div, mul, neg, num, sub } from "./sugar.js";
import { defineOp, type GraphBuilder, type Identity, type MathjsName, type OnnxContext, type OnnxRule, type OpDef, type ScalarRule, type TypeContext, type Vjp } from "./types.js";

const SYMBOL: Record<string, string> = { add: "+", sub: "-", mul: "*", div: "/", pow: "^" };

/** The broadcast type of elementwise operands, naming both shapes when they disagree. */
export function broadcastType(name: string, ins: readonly Type[], ctx: TypeContext, float = true): Type {
  let t = ins[0]!;
  for (const u of ins.slice(1)) {
    const shape = broadcastShapes(t.shape, u.shape);
    if (!shape) {
      const op = SYMBOL[name];
      if (op) ctx.fail(errors.operandsDoNotBroadcast, { op, x: formatType(t), y: formatType(u) });
      ctx.fail(errors.argumentsDoNotBroadcast, { fn: name, x: formatType(t), y: formatType(u) });
    }
    t = { dtype: promote(t, u), shape, weak: t.weak === true && u.weak === true };
  }
  const dtype = float && !isFloat(t.dtype) ? "f64" : t.dtype;
  return t.weak ? { dtype, shape: t.shape, weak: true } : { dtype, shape: t.shape };
}

interface Spec {
  readonly name: OpName;
  readonly glyph?: string;
  readonly doc: string;
  readonly scalar: ScalarRule;
  readonly vjp: Vjp | "none";
  readonly surface?: string;
  readonly commutative?: boolean;
  readonly domain?: OpDef["domain"];
  readonly onnx: OnnxRule;
  readonly identities?: readonly Identity[];
  readonly mathjs?: MathjsName;
  readonly activation?: boolean;
  readonly bias?: boolean;
  readonly mask?: boolean;
  readonly product?: boolean;
}

function unary(spec: Spec): OpDef {
  return elementwise(["x"], spec);
}

function binary(spec: Spec): OpDef {
  return elementwise(["x", "y"], spec);
}

function elementwise(inputs: readonly string[], spec: Spec): OpDef {
  const f = spec.scalar.f;
  return defineOp({
    name: spec.name,
    doc: spec.doc,
    inputs,
    attrs: {},
    traits: { elementwise: true, commutative: spec.commutative, activation: spec.activation, bias: spec.bias, mask: spec.mask, product: spec.product },
    surface: spec.surface,
    glyph: spec.glyph,
    type: (ins, _attrs, ctx) => broadcastType(spec.name, ins, ctx),
    eval: (ins, _attrs, out) => mapBroadcast(ins, out, (xs) => f(...xs)),
    vjp: spec.vjp,
    scalar: spec.scalar,
    domain: spec.domain,
    onnx: spec.onnx,
    identities: spec.identities,
    mathjs: spec.mathjs,
  });
}

const operator = (name: string): MathjsName => ({ kind: "operator", name });
const mathFunction = (name: string): MathjsName => ({ kind: "function", name });

const zero = (o: OnnxContext): string => o.constant([0], o.outType.dtype);

/** A node that is 1 where `x > 0` and 0 elsewhere: the ReLU mask. */
const positive = (b: GraphBuilder, x: Node): Node => b.op("step", [x]);

/**
 * step(x) → step(relu(x)) when relu(x) is computed anyway: the ReLU mask is read from the
 * stored output, so the pre-activation need not be kept for the backward pass.
 */
const reluMask: Identity = {
  name: "relu-mask",
  identity: "step(x) → step(relu(x))",
  rewrite: (n, b) => {
    const r = b.lookup("relu", [n.inputs[0]!]);
    return r ? b.op("step", [r]) : undefined;
  },
};

export const elementwiseOps: readonly OpDef[] = [
  binary({
    name: "add",
    // x+0 → x, 0+x → x
    identities: [unit("add-zero", "x+0 → x", 0, true)],
    mathjs: operator("add"),
    onnx: "Add",
    glyph: "+",
    doc: "x + y. Local derivative 1 for both: the gradient passes through unchanged.",
    commutative: true,
    bias: true,
    scalar: { f: (x, y) => x + y, formula: "x + y", emit: (x, y) => K.bin("+", x, y) },
    vjp: (_b, _n, g) => [g, g],
  }),
  binary({
    name: "sub",
    // x-0 → x
    identities: [unit("sub-zero", "x-0 → x", 0, false)],
    mathjs: operator("subtract"),
    onnx: "Sub",
    glyph: "−",
    doc: "x - y. Local derivatives 1 and -1.",
    scalar: { f: (x, y) => x - y, formula: "x - y", emit: (x, y) => K.bin("-", x, y) },
    vjp: (b, _n, g, needs) => [g, needs[1] ? neg(b, g) : null],
  }),
  binary({
    name: "mul",
    // x*1 → x, 1*x → x
    identities: [unit("mul-one", "x*1 → x", 1, true)],
    mathjs: operator("multiply"),
    onnx: "Mul",
    glyph: "×",
    doc: "x * y. Each input's gradient is the upstream gradient times the other input (the textbook's Mul node swaps them).",
    commutative: true,
    product: true,
    scalar: { f: (x, y) => x * y, formula: "x * y", emit: (x, y) => K.bin("*", x, y) },
    vjp: (b, n, g, needs) => [needs[0] ? mul(b, g, n.inputs[1]!) : null, needs[1] ? mul(b, g, n.inputs[0]!) : null],
  }),
  binary({
    name: "div",
    // x/1 → x
    identities: [unit("div-one", "x/1 → x", 1, false)],
    mathjs: operator("divide"),
    onnx: "Div",
    glyph: "÷",
    doc: "x / y. Derivatives 1/y and -x/y².",
    domain: "nonzero",
    scalar: { f: (x, y) => x / y, formula: "x / y", emit: (x, y) => K.bin("/", x, y) },
    vjp: (b, n, g, needs) => {
      const [x, y] = n.inputs as [Node, Node];
      return [needs[0] ? div(b, g, y) : null, needs[1] ? neg(b, div(b, mul(b, g, n), y)) : null];
    },
  }),
  binary({
    name: "pow",
    mathjs: operator("pow"),
    onnx: "Pow",
    glyph: "^",
    doc: "x ^ y (power, right-associative). Derivatives y·x^(y-1) and x^y·log(x).",
    surface: undefined,
    domain: "positive",
    scalar: { f: (x, y) => Math.pow(x, y), formula: "x ^ y", emit: (x, y) => K.math("pow", x, y) },
    vjp: (b, n, g, needs) => {
      const [x, y] = n.inputs as [Node, Node];
      const dx = needs[0] ? mul(b, g, mul(b, y, b.op("pow", [x, sub(b, y, num(b, 1))]))) : null;
      const dy = needs[1] ? mul(b, g, mul(b, n, b.op("log", [x]))) : null;
      return [dx, dy];
    },
  }),
  binary({
    name: "maximum",
    onnx: "Max",
    surface: "maximum",
    doc: "maximum(x, y), elementwise. The gradient goes to x where x >= y (ties to the first argument), else to y.",
    commutative: false,
    scalar: { f: (x, y) => (x >= y ? x : y), emit: (x, y) => K.select(K.bin(">=", x, y), x, y) },
    vjp: (b, n, g, needs) => {
      const mask = b.op("ge", n.inputs);
      return [needs[0] ? mul(b, g, mask) : null, needs[1] ? mul(b, g, sub(b, num(b, 1), mask)) : null];
    },
  }),
  binary({
    name: "minimum",
    onnx: "Min",
    surface: "minimum",
    doc: "minimum(x, y), elementwise. The gradient goes to x where x <= y (ties to the first argument), else to y.",
    scalar: { f: (x, y) => (x <= y ? x : y), emit: (x, y) => K.select(K.bin("<=", x, y), x, y) },
    vjp: (b, n, g, needs) => {
      const [x, y] = n.inputs as [Node, Node];
      const mask = b.op("ge", [y, x]);
      return [needs[0] ? mul(b, g, mask) : null, needs[1] ? mul(b, g, sub(b, num(b, 1), mask)) : null];
    },
  }),
  binary({
    name: "ge",
    onnx: (o) => o.cast(o.node("GreaterOrEqual", [o.x(0), o.x(1)]), o.outType.dtype),
    glyph: "≥",
    doc: "1 where x >= y, else 0. A mask; it passes no gradient.",
    scalar: { f: (x, y) => (x >= y ? 1 : 0), emit: (x, y) => K.select(K.bin(">=", x, y), K.num(1), K.num(0)) },
    vjp: "none",
  }),
  unary({
    name: "neg",
    // -(-x) → x
    identities: [involution("neg-neg", "-(-x) → x")],
    mathjs: operator("unaryMinus"),
    onnx: "Neg",
    glyph: "−x",
    doc: "-x. Local derivative -1.",
    scalar: { f: (x) => -x, formula: "-x", emit: (x) => K.neg(x) },
    vjp: (b, _n, g) => [neg(b, g)],
  }),
  unary({
    name: "exp",
    activation: true,
    mathjs: mathFunction("exp"),
    onnx: "Exp",
    surface: "exp",
    doc: "e^x. Its derivative is itself: the backward pass multiplies by the forward output.",
    scalar: { f: Math.exp, formula: "exp(x)", emit: (x) => K.math("exp", x) },
    vjp: (b, n, g) => [mul(b, g, n)],
  }),
  unary({
    name: "log",
    mathjs: mathFunction("log"),
    onnx: "Log",
    surface: "log",
    doc: "Natural logarithm. Derivative 1/x.",
    domain: "positive",
    scalar: { f: Math.log, formula: "log(x)", emit: (x) => K.math("log", x) },
    vjp: (b, n, g) => [div(b, g, n.inputs[0]!)],
  }),
  unary({
    name: "sqrt",
    mathjs: mathFunction("sqrt"),
    onnx: "Sqrt",
    glyph: "√",
    surface: "sqrt",
    doc: "Square root. Derivative 1/(2·sqrt(x)).",
    domain: "positive",
    scalar: { f: Math.sqrt, formula: "sqrt(x)", emit: (x) => K.math("sqrt", x) },
    vjp: (b, n, g) => [div(b, g, mul(b, num(b, 2), n))],
  }),
  unary({
    name: "tanh",
    activation: true,
    mathjs: mathFunction("tanh"),
    onnx: "Tanh",
    surface: "tanh",
    doc: "Hyperbolic tangent. Derivative 1 - tanh(x)², from the forward output.",
    scalar: { f: Math.tanh, formula: "tanh(x)", emit: (x) => K.math("tanh", x) },
    vjp: (b, n, g) => [mul(b, g, sub(b, num(b, 1), mul(b, n, n)))],
  }),
  unary({
    name: "sigmoid",
    activation: true,
    onnx: "Sigmoid",
    surface: "sigmoid",
    doc: "1 / (1 + e^-x), the textbook's Sigmoid layer. Derivative y·(1 - y) from the forward output y.",
    scalar: { f: (x) => 1 / (1 + Math.exp(-x)), formula: "1 / (1 + exp(-x))", emit: (x) => K.bin("/", K.num(1), K.bin("+", K.num(1), K.math("exp", K.neg(x)))) },
    vjp: (b, n, g) => [mul(b, g, mul(b, n, sub(b, num(b, 1), n)))],
  }),
  unary({
    name: "relu",
    activation: true,
    onnx: "Relu",
    surface: "relu",
    doc: "max(0, x), the textbook's ReLU layer. The gradient passes where x > 0 and is 0 where x <= 0.",
    scalar: { f: (x) => (x > 0 ? x : 0), emit: (x) => K.select(K.bin(">", x, K.num(0)), x, K.num(0)) },
    vjp: (b, n, g) => [mul(b, g, positive(b, n.inputs[0]!))],
  }),
  unary({
    name: "abs",
    mathjs: mathFunction("abs"),
    onnx: "Abs",
    surface: "abs",
    doc: "|x|. Derivative sign(x), with 0 at 0.",
    scalar: { f: Math.abs, formula: "abs(x)", emit: (x) => K.math("abs", x) },
    vjp: (b, n, g) => [mul(b, g, b.op("sign", [n.inputs[0]!]))],
  }),
  unary({
    name: "square",
    onnx: (o) => o.node("Mul", [o.x(0), o.x(0)]),
    glyph: "x²",
    surface: "square",
    doc: "x². Derivative 2x.",
    scalar: { f: (x) => x * x, formula: "x ^ 2", emit: (x) => K.bin("*", x, x) },
    vjp: (b, n, g) => [mul(b, g, mul(b, num(b, 2), n.inputs[0]!))],
  }),
  unary({
    name: "step",
    identities: [reluMask],
    onnx: (o) => o.cast(o.node("Greater", [o.x(0), zero(o)]), o.outType.dtype),
    glyph: "x>0",
    doc: "1 where x > 0, else 0: the ReLU mask. It passes no gradient.",
    mask: true,
    scalar: { f: (x) => (x > 0 ? 1 : 0), emit: (x) => K.select(K.bin(">", x, K.num(0)), K.num(1), K.num(0)) },
    vjp: "none",
  }),
  unary({
    name: "sign",
    mathjs: mathFunction("sign"),
    onnx: "Sign",
    doc: "-1, 0 or 1. It passes no gradient.",
    scalar: { f: (x) => Math.sign(x), emit: (x) => K.math("sign", x) },
    vjp: "none",
  }),
];
