/**
 * The `fn` op: a user function whose body is elementwise, kept as one node. Its
 * scalar body is a small expression tree over the op table's elementwise ops, each with
 * a mathjs formula; its derivative, one tree per parameter, comes from mathjs when the
 * autodiff driver asks (autodiff/symbolic.ts). The forward pass evaluates the body; the
 * VJP builds g · ∂body/∂xᵢ from primitives, or, where mathjs cannot derive the body,
 * differentiates the body node by node.
 */
import type { Attrs, KeyedAttr, Node } from "../graph/ir.js";
import { mapBroadcast } from "../tensor/tensor.js";
import { broadcastType } from "./elementwise.js";
import type { OpName } from "./names.js";
import { num as numExpr, type Expr } from "../kernel/ir.js";
import { mul, num } from "./sugar.js";
import { defineOp, type GraphBuilder, type OpDef, type ScalarRule } from "./types.js";

export type ScalarExpr =
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "var"; readonly index: number }
  | { readonly kind: "op"; readonly op: OpName; readonly args: readonly ScalarExpr[] };

export interface UserFn extends KeyedAttr {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: ScalarExpr;
  /** the body as a mathjs formula over v0, v1, … */
  readonly formula: string;
}

/** Elementwise ops by name, filled in by ops/index.ts (avoids an import cycle). */
export const scalarOps = new Map<string, ScalarRule>();

/**
 * The largest body (in operations) kept as one fn node, whose derivative mathjs derives
 * and simplifies: its simplification grows steeply with size (16 nested exp: 0.7 s, 20:
 * 8 s). A larger body is inlined as graph nodes, which the op table's rules differentiate
 * in linear time.
 */
export const MAX_FORMULA_OPS = 12;

const sizes = new WeakMap<ScalarExpr, number>();
/** Operations in a scalar expression, a shared subexpression counted each time it is written (memoized: linear in the DAG). */
export function opsIn(e: ScalarExpr): number {
  if (e.kind !== "op") return 0;
  let n = sizes.get(e);
  if (n === undefined) {
    n = 1 + e.args.reduce((s, a) => s + opsIn(a), 0);
    sizes.set(e, n);
  }
  return n;
}

/** A mathjs variable name for parameter i. */
export const mathVar = (i: number): string => `v${i}`;

/** Our scalar expression as a mathjs formula; undefined if an op has no formula. */
export function toFormula(e: ScalarExpr): string | undefined {
  if (e.kind === "num") return e.value < 0 ? `(${e.value})` : String(e.value);
  if (e.kind === "var") return mathVar(e.index);
  const formula = scalarOps.get(e.op)?.formula;
  if (!formula) return undefined;
  const args = e.args.map(toFormula);
  if (args.some((a) => a === undefined)) return undefined;
  const names = ["x", "y"];
  return `(${formula.replace(/\b[xy]\b/g, (v) => `(${args[names.indexOf(v)]!})`)})`;
}

/** The user function kept as one node, or undefined when its body is too large or has an op without a formula (it is inlined). */
export function userFn(name: string, params: readonly string[], body: ScalarExpr): UserFn | undefined {
  if (opsIn(body) > MAX_FORMULA_OPS) return undefined;
  const formula = toFormula(body);
  if (formula === undefined) return undefined;
  return { key: `${name}(${params.join(",")})=${formula}`, name, params, body, formula };
}

export function evalScalar(e: ScalarExpr, xs: readonly number[]): number {
  switch (e.kind) {
    case "num":
      return e.value;
    case "var":
      return xs[e.index]!;
    case "op":
      return scalarOps.get(e.op)!.f(...e.args.map((a) => evalScalar(a, xs)));
  }
}

/** The body as one kernel-program expression over the operands' values. */
export function emitScalar(e: ScalarExpr, xs: readonly Expr[]): Expr {
  switch (e.kind) {
    case "num":
      return numExpr(e.value);
    case "var":
      return xs[e.index]!;
    case "op":
      return scalarOps.get(e.op)!.emit(...e.args.map((a) => emitScalar(a, xs)));
  }
}

/** Builds graph nodes computing `e` over the argument nodes. */
export function buildScalar(b: GraphBuilder, e: ScalarExpr, args: readonly Node[]): Node {
  switch (e.kind) {
    case "num":
      return num(b, e.value);
    case "var":
      return args[e.index]!;
    case "op":
      return b.op(e.op, e.args.map((a) => buildScalar(b, a, args)));
  }
}

const fnOf = (attrs: Attrs): UserFn => attrs["fn"] as UserFn;

export const userFnOp: OpDef = defineOp({
  name: "fn",
  doc: "A user function with an elementwise body, kept as one node; its derivative is derived symbolically by mathjs.",
  inputs: ["args"],
  attrs: { fn: { kind: "fn" } },
  traits: { elementwise: true },
  glyph: (attrs) => fnOf(attrs).name,
  type: (ins, attrs, ctx) => broadcastType(fnOf(attrs).name, ins, ctx),
  eval: (ins, attrs, out) => {
    const fn = fnOf(attrs);
    return mapBroadcast(ins, out, (xs) => evalScalar(fn.body, xs));
  },
  // the body's ops, each by its own ONNX rule
  onnx: (o) => {
    const build = (e: ScalarExpr): string =>
      e.kind === "num" ? o.constant([e.value], o.outType.dtype) : e.kind === "var" ? o.x(e.index) : o.apply(e.op, e.args.map(build));
    return build(fnOf(o.attrs).body);
  },
  vjp: (b, node, g, needs) => {
    const fn = fnOf(node.attrs);
    const derivs = b.derivatives(fn);
    if (derivs) return derivs.map((d, i) => (needs[i] ? mul(b, g, buildScalar(b, d, node.inputs)) : null));
    // mathjs could not derive it: the body's nodes, differentiated by their own rules
    const wrt = node.inputs.filter((_, i) => needs[i]);
    const grads = b.backprop(buildScalar(b, fn.body, node.inputs), g, wrt);
    // an argument passed twice, f(x, x), gets its whole gradient once
    return node.inputs.map((x, i) => (needs[i] && node.inputs.indexOf(x) === i ? grads[wrt.indexOf(x)]! : null));
  },
});

/** The scalar rule of an elementwise node: its op's, or its user function's body. */
export function scalarRuleOf(def: OpDef, attrs: Attrs): ScalarRule | undefined {
  if (def.scalar) return def.scalar;
  if (def !== userFnOp) return undefined;
  const fn = fnOf(attrs);
  return { f: (...xs) => evalScalar(fn.body, xs), emit: (...xs) => emitScalar(fn.body, xs) };
}
