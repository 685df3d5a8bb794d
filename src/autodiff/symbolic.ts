/**
 * Symbolic derivatives of elementwise user functions with mathjs. The body, a scalar
 * expression over elementwise ops, is written as a mathjs formula from each op's
 * `formula`, differentiated by `derivative`, simplified, and read back into a scalar
 * expression. Functions mathjs cannot differentiate (relu, maximum, …) make this
 * return undefined: the caller then inlines the body and lets the op table's rules
 * differentiate it node by node. mathjs is loaded on first use (it takes ~1 s).
 */
import { createRequire } from "node:module";
import type { Node } from "../graph/ir.js";
import { ops } from "../ops/index.js";
import type { ScalarExpr, UserFn } from "../ops/userfn.js";

/** The parts of mathjs' node API we read (mathjs' own types are loose here). */
interface MathNode {
  readonly type: string;
  readonly fn?: string | { name: string };
  readonly name?: string;
  readonly value?: unknown;
  readonly args?: MathNode[];
  readonly content?: MathNode;
  transform(f: (node: MathNode) => MathNode): MathNode;
  toString(): string;
}

interface MathJs {
  parse(text: string): MathNode;
  derivative(expr: MathNode, variable: string): MathNode;
  simplify: { (expr: MathNode, rules?: readonly unknown[]): MathNode; readonly rules: readonly unknown[] };
}

let math: MathJs | undefined;
function mathjs(): MathJs {
  // createRequire keeps the load synchronous and lazy: only graphs with a user fn pay for it
  math ??= createRequire(import.meta.url)("mathjs") as MathJs;
  return math;
}

const VAR = (i: number): string => `v${i}`;

/** Our scalar expression as a mathjs formula; undefined if an op has no formula. */
export function toFormula(e: ScalarExpr): string | undefined {
  if (e.kind === "num") return e.value < 0 ? `(${e.value})` : String(e.value);
  if (e.kind === "var") return VAR(e.index);
  const formula = ops.get(e.op)?.scalar?.formula;
  if (!formula) return undefined;
  const args = e.args.map(toFormula);
  if (args.some((a) => a === undefined)) return undefined;
  const names = ["x", "y"];
  return `(${formula.replace(/\b[xy]\b/g, (v) => `(${args[names.indexOf(v)]!})`)})`;
}

const OPERATORS: Record<string, string> = {
  add: "add",
  subtract: "sub",
  multiply: "mul",
  divide: "div",
  pow: "pow",
  unaryMinus: "neg",
};
const FUNCTIONS = new Set(["exp", "log", "sqrt", "tanh", "abs", "sign"]);

/** A mathjs expression tree back to ours; undefined for anything we have no op for. */
export function fromMath(node: MathNode, params: number): ScalarExpr | undefined {
  const args = () => {
    const list = (node.args ?? []).map((a) => fromMath(a, params));
    return list.every((a) => a !== undefined) ? (list as ScalarExpr[]) : undefined;
  };
  switch (node.type) {
    case "ConstantNode":
      return typeof node.value === "number" ? { kind: "num", value: node.value } : undefined;
    case "ParenthesisNode":
      return node.content ? fromMath(node.content, params) : undefined;
    case "SymbolNode": {
      const m = /^v(\d+)$/.exec(node.name ?? "");
      if (m && Number(m[1]) < params) return { kind: "var", index: Number(m[1]) };
      if (node.name === "e") return { kind: "num", value: Math.E };
      if (node.name === "pi") return { kind: "num", value: Math.PI };
      return undefined;
    }
    case "OperatorNode": {
      const fn = typeof node.fn === "string" ? node.fn : node.fn?.name;
      const list = args();
      if (!list) return undefined;
      if (fn === "unaryPlus") return list[0];
      const op = fn ? OPERATORS[fn] : undefined;
      return op ? { kind: "op", op, args: list } : undefined;
    }
    case "FunctionNode": {
      const fn = typeof node.fn === "object" ? node.fn.name : node.name;
      const list = args();
      if (!list || !fn) return undefined;
      if (FUNCTIONS.has(fn)) return { kind: "op", op: fn, args: list };
      return hyperbolic(fn, list);
    }
    default:
      return undefined;
  }
}

/** sech, cosh, sinh (which mathjs' derivatives of tanh produce) written with exp. */
function hyperbolic(fn: string, [u]: ScalarExpr[]): ScalarExpr | undefined {
  if (!u) return undefined;
  const op = (name: string, ...args: ScalarExpr[]): ScalarExpr => ({ kind: "op", op: name, args });
  const ep = op("exp", u);
  const em = op("exp", op("neg", u));
  const two: ScalarExpr = { kind: "num", value: 2 };
  if (fn === "cosh") return op("div", op("add", ep, em), two);
  if (fn === "sinh") return op("div", op("sub", ep, em), two);
  if (fn === "sech") return op("div", two, op("add", ep, em));
  return undefined;
}

/**
 * The largest body (in operations) whose derivative mathjs derives and simplifies: its
 * simplification grows steeply with size (16 nested exp: 0.7 s, 20: 8 s). A larger body
 * is inlined as graph nodes, which the op table's rules differentiate in linear time.
 */
export const MAX_FORMULA_OPS = 12;

const sizes = new WeakMap<ScalarExpr, number>();
/** Operations in a scalar expression, a shared subexpression counted each time it is written (memoized: linear in the DAG). */
function opsIn(e: ScalarExpr): number {
  if (e.kind !== "op") return 0;
  let n = sizes.get(e);
  if (n === undefined) {
    n = 1 + e.args.reduce((s, a) => s + opsIn(a), 0);
    sizes.set(e, n);
  }
  return n;
}

/** The user function with its symbolic derivatives, or undefined if mathjs cannot derive it (or it is too large). */
export function deriveUserFn(name: string, params: readonly string[], body: ScalarExpr): UserFn | undefined {
  if (opsIn(body) > MAX_FORMULA_OPS) return undefined;
  const formula = toFormula(body);
  if (formula === undefined) return undefined;
  const m = mathjs();
  const expr = m.parse(formula);
  const derivs: ScalarExpr[] = [];
  const derivText: string[] = [];
  for (let i = 0; i < params.length; i++) {
    let d: MathNode;
    try {
      d = m.simplify(m.derivative(expr, VAR(i)));
    } catch {
      return undefined; // mathjs has no rule for something in the body
    }
    const back = fromMath(d, params.length);
    if (!back) return undefined;
    derivs.push(back);
    derivText.push(d.toString().replace(/\bv(\d+)\b/g, (_s, k: string) => params[Number(k)]!));
  }
  return { key: `${name}(${params.join(",")})=${formula}`, name, params, body, derivs, derivText };
}

/** A gradient as a formula: per element when `of` sums an elementwise expression of tensors. */
export interface SymbolicGradient {
  readonly formula: string;
  readonly elementwise: boolean;
}

/** Rules added to mathjs' own: sqrt(x)^2 is x (where sqrt(x) is defined), sech written as the textbook does. */
const EXTRA_RULES = ["sqrt(n) ^ 2 -> n", "n ^ (1 / 2) -> sqrt(n)", "1 / (1 / n) -> n"];

function simplified(m: MathJs, node: MathNode): MathNode {
  return m.simplify(m.simplify(node), [...m.simplify.rules, ...EXTRA_RULES]);
}

/**
 * A graph's gradients as formulas: `of` written as one mathjs expression over the leaves
 * it depends on, differentiated with respect to each leaf in `wrt` and simplified. `of`
 * is a scalar expression of elementwise ops (user functions included), or a sum of an
 * elementwise expression of tensors — then ∂of/∂xᵢ is the same formula for every element
 * i. Undefined when some node has no formula, or the formula would be too large to read.
 */
export function symbolicGradients(of: Node, wrt: readonly Node[], name: (leaf: Node) => string): SymbolicGradient[] | undefined {
  const def = ops.get(of.op);
  const elementwise = def?.traits.sum === true && of.inputs.length === 1;
  const root = elementwise ? of.inputs[0]! : of;
  if (!elementwise && root.type.shape.length !== 0) return undefined;
  const leaves: Node[] = [];
  const body = formulaOf(root, leaves, root.type.shape.length === 0);
  if (!body || opsIn(body) > MAX_PRINTED_OPS) return undefined;
  const formula = toFormula(body);
  if (!formula) return undefined;
  const m = mathjs();
  const expr = m.parse(formula);
  const names = leaves.map(name);
  return wrt.map((w) => {
    const i = leaves.indexOf(w);
    if (i < 0) return { formula: "0", elementwise };
    const d = simplified(m, m.derivative(expr, VAR(i)));
    return { formula: d.toString().replace(/\bv(\d+)\b/g, (_s, k: string) => names[Number(k)]!), elementwise };
  });
}

/** The largest expression (operations, shared ones counted each time) that a formula is printed for. */
const MAX_PRINTED_OPS = 200;

/** n as a scalar expression over `leaves` (appended as met); tensors only where `scalarOnly` is false. */
function formulaOf(root: Node, leaves: Node[], scalarOnly: boolean): ScalarExpr | undefined {
  const memo = new Map<number, ScalarExpr | undefined>();
  const walk = (n: Node): ScalarExpr | undefined => {
    if (memo.has(n.id)) return memo.get(n.id);
    let e: ScalarExpr | undefined;
    const def = ops.get(n.op);
    if (scalarOnly && n.type.shape.length !== 0) e = undefined;
    else if (n.op === "const") e = n.value!.data.length === 1 ? { kind: "num", value: n.value!.data[0]! } : undefined;
    else if (n.inputs.length === 0) {
      if (!leaves.includes(n)) leaves.push(n);
      e = { kind: "var", index: leaves.indexOf(n) };
    } else if (def?.scalar?.formula || (def?.traits.elementwise && n.attrs["fn"])) {
      const args = n.inputs.map(walk);
      const fn = n.attrs["fn"] as UserFn | undefined;
      if (args.some((a) => a === undefined)) e = undefined;
      else e = fn ? substituteVars(fn.body, args as ScalarExpr[]) : { kind: "op", op: n.op, args: args as ScalarExpr[] };
    }
    // a budget on the expanded size: formulas of shared subexpressions grow exponentially
    if (e && opsIn(e) > MAX_PRINTED_OPS) e = undefined;
    memo.set(n.id, e);
    return e;
  };
  return walk(root);
}

function substituteVars(e: ScalarExpr, args: readonly ScalarExpr[]): ScalarExpr {
  if (e.kind === "var") return args[e.index]!;
  if (e.kind === "num") return e;
  return { kind: "op", op: e.op, args: e.args.map((a) => substituteVars(a, args)) };
}

/** The local derivative rule of an elementwise op, from its mathjs formula: "d/dx = y, d/dy = x". */
export function localRule(op: string): string | undefined {
  const formula = ops.get(op)?.scalar?.formula;
  if (!formula) return undefined;
  const m = mathjs();
  const vars = ["x", "y"].filter((v) => new RegExp(`\\b${v}\\b`).test(formula));
  return vars.map((v) => `d/d${v} = ${simplified(m, m.derivative(m.parse(formula), v)).toString()}`).join(", ");
}
