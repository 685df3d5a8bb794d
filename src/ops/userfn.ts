/**
 * The `fn` op: a user function whose body is elementwise, kept as one node. Its
 * scalar body is a small expression tree over the op table's elementwise ops; its
 * derivative, one tree per parameter, comes from mathjs (autodiff/symbolic.ts). The
 * forward pass evaluates the body; the VJP builds g · ∂body/∂xᵢ from primitives.
 */
import type { Attrs, KeyedAttr, Node } from "../graph/ir.js";
import { mapBroadcast } from "../tensor/tensor.js";
import { broadcastType } from "./elementwise.js";
import { mul, num } from "./sugar.js";
import { defineOp, type GraphBuilder, type OpDef, type ScalarRule } from "./types.js";

export type ScalarExpr =
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "var"; readonly index: number }
  | { readonly kind: "op"; readonly op: string; readonly args: readonly ScalarExpr[] };

export interface UserFn extends KeyedAttr {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: ScalarExpr;
  /** ∂body/∂params[i], simplified */
  readonly derivs: readonly ScalarExpr[];
  /** the derivatives as mathjs printed them, for docs and `gradc ir` */
  readonly derivText: readonly string[];
}

/** Elementwise ops by name, filled in by ops/index.ts (avoids an import cycle). */
export const scalarOps = new Map<string, ScalarRule>();

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

/** The body as one expression; operands that are not atoms get parentheses. */
export function emitScalar(e: ScalarExpr, xs: readonly string[]): string {
  switch (e.kind) {
    case "num":
      return e.value < 0 ? `(${e.value})` : String(e.value);
    case "var":
      return xs[e.index]!;
    case "op":
      return scalarOps.get(e.op)!.emit(...e.args.map((a) => atom(emitScalar(a, xs))));
  }
}

/** An identifier, a number, an indexed load or a call stays bare; anything else is wrapped. */
function atom(code: string): string {
  if (/^[\p{L}\p{Nd}_$.]+(\[[^\[\]]*\])?$/u.test(code)) return code;
  if (/^[\w.]+\((.*)\)$/.test(code) && balanced(code.slice(code.indexOf("(")))) return code;
  if (/^\(.*\)$/.test(code) && balanced(code)) return code;
  return `(${code})`;
}

/** Whether the opening parenthesis at 0 closes at the very end. */
function balanced(code: string): boolean {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    if (code[i] === "(") depth++;
    if (code[i] === ")" && --depth === 0 && i < code.length - 1) return false;
  }
  return depth === 0;
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
    return fn.derivs.map((d, i) => (needs[i] ? mul(b, g, buildScalar(b, d, node.inputs)) : null));
  },
});

/** The scalar rule of an elementwise node: its op's, or its user function's body. */
export function scalarRuleOf(def: OpDef, attrs: Attrs): ScalarRule | undefined {
  if (def.scalar) return def.scalar;
  if (def !== userFnOp) return undefined;
  const fn = fnOf(attrs);
  return { f: (...xs) => evalScalar(fn.body, xs), emit: (...xs) => emitScalar(fn.body, xs) };
}
