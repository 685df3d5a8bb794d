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
import type { Tensor } from "../graph/tensor.js";
import type { DType, Shape, Type } from "../graph/types.js";

/** What a builder offers to VJP rules and composites (implemented in graph/builder.ts). */
export interface GraphBuilder {
  op(name: string, inputs: readonly Node[], attrs?: Attrs, span?: Span): Node;
  constant(value: number | Tensor, like?: Node): Node;
  /** vector-Jacobian product of `y` with `seed` for each of `wrt`: for VJPs of fused ops */
  backprop(y: Node, seed: Node, wrt: readonly Node[]): Node[];
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
}

/**
 * Vector-Jacobian product: given the gradient `g` of the output, the gradients of the
 * inputs, each of the output's shape for elementwise ops (the autodiff driver sums
 * broadcast axes away), or null where `needs[i]` is false.
 */
export type Vjp = (b: GraphBuilder, node: Node, g: Node, needs: readonly boolean[]) => (Node | null)[];

export interface ScalarRule {
  /** float64 reference semantics of one element */
  readonly f: (...xs: number[]) => number;
  /** mathjs formula over x (and y), when mathjs can differentiate it */
  readonly formula?: string;
  /** the kernel template: a TypeScript expression over the operand expressions */
  readonly emit: (...xs: string[]) => string;
}

/** What a custom loop kernel is given to write its code (codegen fills it in). */
export interface LoopContext {
  /** the output array */
  readonly out: string;
  /** the operands: an array's name, or for a scalar operand its value as an expression (`k`, `b2[0]`), never indexed */
  readonly ins: readonly string[];
  readonly inTypes: readonly Type[];
  /** dims as code: numbers or identifiers such as N */
  readonly inShapes: readonly (readonly string[])[];
  readonly outShape: readonly string[];
  readonly attrs: Attrs;
  /** a float64 scratch array of at least `scratchSize` elements */
  readonly scratch: string;
  /** nested loops over `shape`; `body` gets the index variable of each axis */
  loops(shape: readonly string[], body: (vars: readonly string[]) => string): string;
  /** a row-major flat index of `vars` in `shape`; axes whose var is undefined are skipped */
  index(shape: readonly string[], vars: readonly (string | undefined)[]): string;
  /** operand i's element at `vars` of its own shape: `x[i0 * 3 + i1]`, or a scalar operand's value */
  at(i: number, vars: readonly string[]): string;
}

/** How codegen computes a node that is not elementwise. */
export type KernelSpec =
  /** a reduction over the `axis` attribute: acc = combine(acc, v), from init */
  | { readonly kind: "reduce"; readonly init: string; readonly combine: (acc: string, v: string) => string }
  /** matrix product: codegen's matmul writer (tiling and epilogues live there) */
  | { readonly kind: "matmul" }
  /** the same elements as its input, row-major: no code, the same array */
  | { readonly kind: "alias" }
  /** a number known from the dims at run time (numel) */
  | { readonly kind: "dims" }
  /** its own loops; `scratch` says how many float64 scratch elements it needs */
  | { readonly kind: "loop"; readonly write: (k: LoopContext) => string; readonly scratch?: (k: LoopContext) => string };

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
  apply(op: string, values: readonly string[]): string;
}

/** An op's ONNX export: the name of one ONNX op taking the operands, or nodes built by hand. */
export type OnnxRule = string | ((o: OnnxContext) => string);

export interface OpDef {
  readonly name: string;
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
  /** how diagrams draw it in its circle: the textbook's ×, +, or a short name (default: the op's name) */
  readonly glyph?: string | ((attrs: Attrs) => string);
  /** how `gradc export --onnx` writes it (ops without one cannot be exported) */
  readonly onnx?: OnnxRule;
  /** domain of each input for gradient tests: positive only, away from kinks, … */
  readonly domain?: "any" | "positive" | "nonzero";
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
