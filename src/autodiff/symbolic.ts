/**
 * Symbolic derivatives of elementwise user functions with mathjs. The body, a scalar
 * expression over elementwise ops, is written as a mathjs formula from each op's
 * `formula` (ops/userfn.ts), differentiated by `derivative`, simplified, and read back
 * into a scalar expression through the entries' `mathjs` names. Where mathjs cannot
 * (an expression it has no rule for, or gives back one we cannot read) this returns
 * undefined, and the fn's VJP differentiates the body node by node. Lowering keeps a fn
 * as one node only when every op of its body has a formula (relu, maximum have none:
 * such a body is inlined). mathjs is loaded on first use (it takes ~1 s), when a
 * gradient of a user function is asked for.
 */
import { isConst, isLeaf, isOp, type Node } from "../graph/ir.js";
import { ops, type OpName } from "../ops/index.js";
import { loadMathjs } from "./mathjs.js";
import { mathVar as VAR, opsIn, toFormula, type ScalarExpr, type UserFn } from "../ops/userfn.js";

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
  // the load is synchronous and lazy: only graphs with a user fn pay for it (mathjs.ts)
  math ??= loadMathjs() as MathJs;
  return math;
}

/** The ops that are mathjs operators (`subtract` → sub) or functions (`exp` → exp), from the entries' `mathjs` names. */
function mathNames(kind: "operator" | "function"): ReadonlyMap<string, OpName> {
  return new Map([...ops.values()].flatMap((d) => (d.mathjs?.kind === kind ? [[d.mathjs.name, d.name] as const] : [])));
}
const OPERATORS = mathNames("operator");
const FUNCTIONS = mathNames("function");

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
      const op = fn ? OPERATORS.get(fn) : undefined;
      return op ? { kind: "op", op, args: list } : undefined;
    }
    case "FunctionNode": {
      const fn = typeof node.fn === "object" ? node.fn.name : node.name;
      const list = args();
      if (!list || !fn) return undefined;
      const op = FUNCTIONS.get(fn);
      if (op) return { kind: "op", op, args: list };
      return hyperbolic(fn, list);
    }
    default:
      return undefined;
  }
}

/** sech, cosh, sinh (which mathjs' derivatives of tanh produce) written with exp. */
function hyperbolic(fn: string, [u]: ScalarExpr[]): ScalarExpr | undefined {
  if (!u) return undefined;
  const op = (name: OpName, ...args: ScalarExpr[]): ScalarExpr => ({ kind: "op", op: name, args });
  const ep = op("exp", u);
  const em = op("exp", op("neg", u));
  const two: ScalarExpr = { kind: "num", value: 2 };
  if (fn === "cosh") return op("div", op("add", ep, em), two);
  if (fn === "sinh") return op("div", op("sub", ep, em), two);
  if (fn === "sech") return op("div", two, op("add", ep, em));
  return undefined;
}

/** A user function's derivatives: one tree per parameter, and as mathjs printed them. */
export interface UserFnDerivatives {
  /** ∂body/∂params[i], simplified */
  readonly derivs: readonly ScalarExpr[];
  /** the derivatives as mathjs printed them, over the parameters' names */
  readonly text: readonly string[];
}

/** a function's derivative does not depend on its arguments: derived once per function */
const derived = new WeakMap<UserFn, UserFnDerivatives | null>();

/** ∂body/∂xᵢ of a user function (what its VJP builds), or undefined where mathjs cannot derive it. */
export function userFnDerivatives(fn: UserFn): readonly ScalarExpr[] | undefined {
  return deriveUserFn(fn)?.derivs;
}

/** The user function's symbolic derivatives, or undefined if mathjs cannot derive them. */
export function deriveUserFn(fn: UserFn): UserFnDerivatives | undefined {
  let d = derived.get(fn);
  if (d === undefined) derived.set(fn, (d = derive(fn.params, fn.formula) ?? null));
  return d ?? undefined;
}

function derive(params: readonly string[], formula: string): UserFnDerivatives | undefined {
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
  return { derivs, text: derivText };
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
  const def = isOp(of) ? ops.get(of.op) : undefined;
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
    const def = isOp(n) ? ops.get(n.op) : undefined;
    if (scalarOnly && n.type.shape.length !== 0) e = undefined;
    else if (isConst(n)) e = n.value!.data.length === 1 ? { kind: "num", value: n.value!.data[0]! } : undefined;
    else if (isLeaf(n)) {
      if (!leaves.includes(n)) leaves.push(n);
      e = { kind: "var", index: leaves.indexOf(n) };
    } else if (def?.scalar?.formula || (def?.traits.elementwise && n.attrs["fn"])) {
      const args = n.inputs.map(walk);
      const fn = n.attrs["fn"] as UserFn | undefined;
      if (args.some((a) => a === undefined)) e = undefined;
      else e = fn ? substituteVars(fn.body, args as ScalarExpr[]) : { kind: "op", op: def!.name, args: args as ScalarExpr[] };
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
export function localRule(op: OpName): string | undefined {
  const formula = ops.get(op)?.scalar?.formula;
  if (!formula) return undefined;
  const m = mathjs();
  const vars = ["x", "y"].filter((v) => new RegExp(`\\b${v}\\b`).test(formula));
  return vars.map((v) => `d/d${v} = ${simplified(m, m.derivative(m.parse(formula), v)).toString()}`).join(", ");
}
