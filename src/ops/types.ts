/**
 * The shape of an op-table entry. Every fact about an op lives in one entry: its
 * signature, type rule, float64 reference semantics, derivative rule (as graph nodes),
 * scalar formula (elementwise ops: the interpreter's function, the mathjs formula, and
 * the one-line kernel template) and its doc line. Other phases read these entries and
 * ask traits; they never switch on op names.
 */
import type { Args, At } from "../diagnostics/catalogue.js";
import type { Span } from "../diagnostics/index.js";
import type { Attrs, Node } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Dim, DType, Shape, Type } from "../tensor/types.js";
import type { OpName } from "./names.js";
import type { ScalarExpr, UserFn } from "./userfn.js";
import type { Buf, Expr, Stmt } from "../kernel/ir.js";

/** What a builder offers to composites and rewrites (implemented in graph/builder.ts). */
export interface GraphBuilder {
  op(name: OpName, inputs: readonly Node[], attrs?: Attrs, span?: Span): Node;
  constant(value: number | Tensor, like?: Node): Node;
}

/** What VJP rules are given: a builder, and the autodiff driver's services (autodiff/index.ts fills them in). */
export interface VjpBuilder extends GraphBuilder {
  /** vector-Jacobian product of `y` with `seed` for each of `wrt`: for VJPs of fused ops */
  backprop(y: Node, seed: Node, wrt: readonly Node[]): Node[];
  /** ∂body/∂xᵢ of a user function, derived symbolically by mathjs; undefined where mathjs cannot */
  derivatives(fn: UserFn): readonly ScalarExpr[] | undefined;
}

/** What an identity's rewrite is given: a builder that can also find a node already built. */
export interface RewriteBuilder extends GraphBuilder {
  lookup(op: OpName, inputs: readonly Node[], attrs?: Attrs): Node | undefined;
}

/**
 * An algebraic identity of an op, as data: optimize/simplify.ts applies every entry's
 * identities to its nodes, and keeps a rewrite only when it has the node's type.
 */
export interface Identity {
  /** a short name: mul-one, neg-neg */
  readonly name: string;
  /** the identity as people write it: x*1 → x */
  readonly identity: string;
  /** the replacement of `n` (whose inputs are already simplified), or undefined */
  readonly rewrite: (n: Node, b: RewriteBuilder) => Node | undefined;
}

/** An operand that holds class indices (i32), and how many classes they must stay below. */
export interface ClassIndices {
  readonly input: number;
  /** a number or a dim's name */
  readonly classes: (n: Node) => Dim | undefined;
}

/** The node of a mathjs expression tree that is this op: an operator (`subtract`) or a function (`exp`). */
export interface MathjsName {
  readonly kind: "operator" | "function";
  readonly name: string;
}

export interface TypeContext {
  /** reports a type or shape error, an entry of the catalogue (src/diagnostics/errors/shapes.ts), at the expression being built */
  fail<A extends Args>(entry: At<A>, args: NoInfer<A>): never;
}

export interface EvalContext {
  readonly dims: ReadonlyMap<string, number>;
}

/** The kinds of compile-time arguments a built-in function takes. */
export type AttrKind = "int" | "axis" | "axes" | "bool" | "shape" | "fn";

export interface AttrSpec {
  readonly kind: AttrKind;
  /** absent: the argument is required */
  readonly default?: number | boolean | null;
}

export interface Traits {
  /** applies a scalar function per element, with NumPy broadcasting of its inputs */
  readonly elementwise?: boolean;
  readonly commutative?: boolean;
  /** a 2-D transpose: a matmul can read its input in place instead of a copy */
  readonly transpose?: boolean;
  /** adds up its input's elements (over some or all axes): ∂/∂xᵢ of sum(f(x)) is f′(xᵢ) */
  readonly sum?: boolean;
  /** an activation function: a matmul's epilogue of it names its kernel (affine_relu) */
  readonly activation?: boolean;
  /** adds its inputs: a matmul kernel that adds it is an affine layer (affine_relu) */
  readonly bias?: boolean;
  /** the ReLU mask (1 where x > 0, else 0): a kernel that multiplies by it is ReLU's backward (relu_backward) */
  readonly mask?: boolean;
  /** multiplies its inputs element by element */
  readonly product?: boolean;
  /** grad(L, X) before differentiation: stands for the gradient of input 0 with respect to input 1 */
  readonly gradient?: boolean;
  /**
   * How it treats a batch (rows along axis 0 of input 0), for splitting a step over threads:
   * "rows" — row i of the output is computed from row i of input 0 alone, the other inputs
   * holding no batch (x @ W); "mean" — a scalar that is the mean over the rows of its inputs
   * of a per-row term (mean cross-entropy). Elementwise ops need no trait: they keep rows.
   */
  readonly batch?: "rows" | "mean";
}

/**
 * Vector-Jacobian product: given the gradient `g` of the output, the gradients of the
 * inputs, each of the output's shape for elementwise ops (the autodiff driver sums
 * broadcast axes away), or null where `needs[i]` is false.
 */
export type Vjp = (b: VjpBuilder, node: Node, g: Node, needs: readonly boolean[]) => (Node | null)[];

export interface ScalarRule {
  /** float64 reference semantics of one element */
  readonly f: (...xs: number[]) => number;
  /** mathjs formula over x (and y), when mathjs can differentiate it */
  readonly formula?: string;
  /** the kernel template: the element's value as a kernel-program expression over the operands' */
  readonly emit: (...xs: Expr[]) => Expr;
}

/**
 * What a custom loop kernel is given to build its statements (codegen fills it in).
 * Sizes are expressions (numbers and dims, folded); the template makes its own locals
 * with `local(hint)` of kernel/ir.ts, which the printer names through the resolver.
 */
export interface LoopContext {
  /** the output array */
  readonly out: Buf;
  /** operand i's array (an array operand only) */
  buf(i: number): Buf;
  /** operand i's value when it is a scalar: a number parameter or `b2[0]` */
  value(i: number): Expr;
  readonly inTypes: readonly Type[];
  readonly inShapes: readonly (readonly Expr[])[];
  readonly outShape: readonly Expr[];
  readonly attrs: Attrs;
  /** a float64 scratch array of at least `scratch(k)` elements */
  readonly scratch: Buf;
  /** operand i's element at `vars` of its own shape, or a scalar operand's value */
  at(i: number, vars: readonly Expr[]): Expr;
}

/** How codegen computes a node that is not elementwise. */
export type KernelSpec =
  /** a reduction over the `axis` attribute: acc = combine(acc, v), from init */
  | { readonly kind: "reduce"; readonly init: number; readonly combine: (acc: Expr, v: Expr) => Expr }
  /** matrix product: codegen's matmul writer (tiling and epilogues live there) */
  | { readonly kind: "matmul" }
  /** the same elements as its input, row-major: no code, the same array */
  | { readonly kind: "alias" }
  /** a number known from the dims at run time (numel) */
  | { readonly kind: "dims" }
  /** its own loops; `scratch` says how many float64 scratch elements it needs */
  | { readonly kind: "loop"; readonly write: (k: LoopContext) => readonly Stmt[]; readonly scratch?: (k: LoopContext) => Expr };

/** An ONNX tensor type: the IR's dtypes, plus the int64 and bool that ONNX ops use for shapes and masks. */
export type OnnxType = DType | "i64" | "bool";

/**
 * What an op's ONNX rule is given (export/onnx.ts fills it in). Values are ONNX value
 * names; each call adds nodes to the exported graph and returns its output's name.
 */
export interface OnnxContext {
  /** operand i, cast to the node's output dtype (constants are emitted in it directly) */
  x(i: number): string;
  /** operand i as it is */
  raw(i: number): string;
  readonly inTypes: readonly Type[];
  readonly outType: Type;
  readonly attrs: Attrs;
  /** adds an ONNX node; integer attributes only (axes, flags, dtypes) */
  node(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, number | readonly number[]>>): string;
  constant(values: readonly number[], dtype: OnnxType, shape?: readonly number[]): string;
  cast(value: string, to: OnnxType): string;
  /** a 1-D int64 tensor holding `shape`, its symbolic dims read from the inputs at run time */
  shape(shape: Shape): string;
  /** reports that this node cannot be exported, at its `.graph` line: an entry of the catalogue, given the node's op */
  fail(entry: At<{ op: string }>): never;
  /** another op's rule applied to values already of the output dtype (for user functions' bodies) */
  apply(op: OpName, values: readonly string[]): string;
}

/** An op's ONNX export: the name of one ONNX op taking the operands, or nodes built by hand. */
export type OnnxRule = string | ((o: OnnxContext) => string);

export interface OpDef {
  readonly name: OpName;
  readonly doc: string;
  /** tensor operands, in order */
  readonly inputs: readonly string[];
  /** compile-time arguments, after the operands in a call */
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  readonly traits: Traits;
  /** callable from `.graph` files under this name (default: not callable) */
  readonly surface?: string;
  /** inputs where the op accepts gradient-free integer data */
  readonly type: (ins: readonly Type[], attrs: Attrs, ctx: TypeContext) => Type;
  readonly eval: (ins: readonly Tensor[], attrs: Attrs, out: readonly number[], ctx: EvalContext) => Tensor;
  /** "none": not differentiable (no gradient flows: integer outputs, masks, stop_gradient) */
  readonly vjp: Vjp | "none";
  readonly scalar?: ScalarRule;
  /** how generated code computes it, for ops that are not elementwise */
  readonly kernel?: KernelSpec;
  /** how diagrams draw it in its circle: the textbook's ×, +, or a short name, a line break where it wraps (default: the op's name) */
  readonly glyph?: string | ((attrs: Attrs) => string);
  /** how `gradc export --onnx` writes it (ops without one cannot be exported) */
  readonly onnx?: OnnxRule;
  /** domain of each input for gradient tests: positive only, away from kinks, … */
  readonly domain?: "any" | "positive" | "nonzero";
  /** its algebraic identities, which optimize/simplify.ts applies (// x*1 → x) */
  readonly identities?: readonly Identity[];
  /** an operand of class indices: its defaults and bound values are checked against the class count */
  readonly classIndices?: ClassIndices;
  /** the mathjs node that is this op, to read mathjs' derivatives back (autodiff/symbolic.ts) */
  readonly mathjs?: MathjsName;
}

/** A function of the language that expands into primitive ops (mean, softmax, mse, …). */
export interface Composite {
  readonly name: string;
  readonly doc: string;
  readonly inputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  readonly expand: (b: GraphBuilder, ins: readonly Node[], attrs: Attrs, ctx: TypeContext) => Node;
}

export const defineOp = (def: OpDef): OpDef => def;
export const defineComposite = (def: Composite): Composite => def;
