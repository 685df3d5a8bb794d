/**
 * AST → typed IR. Statements are lowered in order, so names are visible after their
 * definition; every mistake is a located error. `differentiate` (autodiff/) then
 * expands the `grad(L, X)` nodes and adds the gradient nodes that `loss` and
 * `grad … wrt` statements ask for.
 */
import { checkTensorSize } from "./limits.js";
import type { Span } from "../diagnostics/index.js";
import * as errors from "../diagnostics/errors.js";
import { suggest } from "../diagnostics/suggest.js";
import { builtins, opDef } from "../ops/index.js";
import type { Expr, Ident, Init, Program, Stmt, TypeExpr } from "../dsl/ast.js";
import { Builder } from "./builder.js";
import { isOp, type GradDecl, type Graph, type InitSpec, type InputDecl, type Named, type Node, type ParamDecl } from "./ir.js";
import { literalTensor, literalValue } from "./literal.js";
import { ExprLowerer, fnScalar, type Entity } from "./lower-expr.js";
import { filled, type Tensor } from "../tensor/tensor.js";
import { DTYPES, formatShape, formatType, type Dim, type DType } from "../tensor/types.js";

export function buildGraph(program: Program, text: string): Graph {
  return new Lowering(program, text).run();
}

class Lowering {
  private readonly b = new Builder();
  private readonly exprs = new ExprLowerer(this.b, (name) => this.definedAt.get(name));
  /** where each name is defined in the file, for "used before it is defined" */
  private readonly definedAt = new Map<string, number>();
  private readonly scope = new Map<string, Entity>();
  private readonly dims: string[] = [];
  private readonly inputs: InputDecl[] = [];
  private readonly params: ParamDecl[] = [];
  private readonly outputs: Named[] = [];
  private readonly names: Named[] = [];
  private readonly losses: Named[] = [];
  private readonly grads: GradDecl[] = [];
  /** i32 defaults, checked against the class count of the loss or onehot they feed once the graph is built */
  private readonly labelDefaults = new Map<string, { value: Tensor; at: Expr }>();

  constructor(
    private readonly program: Program,
    private readonly text: string,
  ) {}

  run(): Graph {
    for (const s of this.program.stmts) {
      const names = s.kind === "dim" ? s.names : "name" in s && s.kind !== "loss" ? [s.name] : [];
      for (const n of names) if (!this.definedAt.has(n.name)) this.definedAt.set(n.name, n.span.line);
    }
    for (const s of this.program.stmts) this.b.at(s.span, () => this.statement(s));
    for (const d of this.inputs) {
      const label = this.labelDefaults.get(d.name);
      const classes = label && labelClassCount(this.b.nodes, d.node);
      if (label && typeof classes === "number") checkClassIndices(d.name, label.value.data, classes, label.at.span);
    }
    return {
      file: this.program.file,
      text: this.text,
      dims: this.dims,
      inputs: this.inputs,
      params: this.params,
      outputs: this.outputs,
      names: this.names,
      losses: this.losses,
      grads: this.grads,
      nodes: this.b.nodes,
      gradOf: this.b.gradOf,
    };
  }

  private statement(s: Stmt): void {
    switch (s.kind) {
      case "dim":
        for (const d of s.names) this.define(d, { kind: "dim", span: d.span }), this.dims.push(d.name);
        return;
      case "input":
        return this.input(s);
      case "param":
        return this.param(s);
      case "const": {
        const node = this.b.constant(literalTensor(s.value, `the value of const ${s.name.name}`));
        this.define(s.name, { kind: "node", node, decl: "const", span: s.name.span });
        return;
      }
      case "assign": {
        const node = this.exprs.lower(s.value, this.scope);
        this.define(s.name, { kind: "node", node, decl: "node", span: s.name.span });
        this.names.push({ name: s.name.name, node });
        return;
      }
      case "fn": {
        const seen = new Set<string>();
        for (const p of s.params) {
          if (seen.has(p.name)) errors.duplicateParameter(p.span, { name: p.name });
          seen.add(p.name);
        }
        // check the body now, so mistakes point at the definition, not at a call (or at nothing, if it is never called)
        checkFnBody(s.body, new Set(s.params.map((p) => p.name)), this.scope, s.name.name, (n) => this.definedAt.get(n));
        const fn = { kind: "fn", params: s.params, body: s.body, scope: new Map(this.scope), span: s.name.span } as const;
        this.define(s.name, fn);
        fnScalar(fn);
        return;
      }
      case "output":
        for (const n of s.names) {
          if (this.outputs.some((o) => o.name === n.name)) errors.duplicateOutput(n.span, { name: n.name });
          this.outputs.push({ name: n.name, node: this.node(n, "output") });
        }
        return;
      case "loss": {
        if (this.losses.some((l) => l.name === s.name.name)) errors.duplicateLoss(s.name.span, { name: s.name.name });
        const node = this.node(s.name, "loss");
        if (node.type.shape.length !== 0) errors.lossNotScalar(s.name.span, { name: s.name.name, type: formatType(node.type) });
        this.losses.push({ name: s.name.name, node });
        for (const p of this.params) this.grads.push({ of: s.name.name, wrt: p.name, ofNode: node, wrtNode: p.node, span: s.name.span });
        return;
      }
      case "grad": {
        const of = this.node(s.of, "grad");
        if (of.type.shape.length !== 0) errors.gradNotScalar(s.of.span, { name: s.of.name, type: formatType(of.type) });
        for (const w of s.wrt) {
          if (this.grads.some((g) => g.of === s.of.name && g.wrt === w.name)) errors.duplicateGrad(w.span, { of: s.of.name, wrt: w.name });
          const node = this.node(w, "wrt");
          if (node.type.dtype === "i32") errors.gradWrtInteger(w.span, { name: w.name });
          this.grads.push({ of: s.of.name, wrt: w.name, ofNode: of, wrtNode: node, span: w.span });
        }
      }
    }
  }

  private define(id: Ident, e: Entity): void {
    const old = this.scope.get(id.name);
    if (old) errors.alreadyDefined(id.span, { name: id.name, line: old.span.line });
    this.scope.set(id.name, e);
  }

  private node(id: Ident, what: string): Node {
    const e = this.scope.get(id.name);
    if (!e) {
      const later = this.definedAt.get(id.name);
      if (later !== undefined) errors.usedBeforeDefined(id.span, { name: id.name, line: later });
      errors.unknownNameIn(id.span, { name: id.name, where: what, hint: suggest(id.name, [...this.scope].filter(([, v]) => v.kind === "node").map(([k]) => k)) });
    }
    if (e.kind !== "node") errors.notAValue(id.span, { name: id.name, kind: e.kind === "dim" ? "dim" : "function" });
    return e.node;
  }

  private type(t: TypeExpr | undefined, fallback?: Tensor): { dtype: DType; shape: Dim[] } {
    if (!t) return { dtype: "f64", shape: fallback ? [...fallback.shape] : [] };
    const dtype = t.dtype.name as DType;
    if (!DTYPES.includes(dtype)) errors.unknownDtype(t.dtype.span, { dtype: t.dtype.name });
    const shape = (t.shape?.dims ?? []).map((d): Dim => {
      if ("value" in d) {
        if (!Number.isInteger(d.value) || d.value < 0) errors.badDimension(d.span, { value: d.value });
        return d.value;
      }
      const e = this.scope.get(d.name);
      if (e?.kind !== "dim") errors.undeclaredDim(d.span, { name: d.name });
      return d.name;
    });
    return { dtype, shape };
  }

  private input(s: Extract<Stmt, { kind: "input" }>): void {
    let value = s.value && literalTensor(s.value, `the default of input ${s.name.name}`);
    const { dtype, shape } = this.type(s.type, value);
    // a scalar default fills a tensor, as it does for a param: now for a static shape, when
    // the dims are bound (run, check) for a symbolic one
    if (value && value.shape.length === 0 && shape.length > 0) {
      checkTensorSize(shape, `input ${s.name.name}`, s.type?.span ?? s.name.span);
      if (shape.every((d) => typeof d === "number")) value = filled(shape as number[], value.data[0]!);
    }
    if (value) this.checkValue(value, dtype, value.shape.length === 0 ? [] : shape, s.value!, `input ${s.name.name}`);
    if (value && dtype === "i32") this.labelDefaults.set(s.name.name, { value, at: s.value! });
    const node = this.b.leaf("input", s.name.name, dtype, shape, s.name.span);
    this.define(s.name, { kind: "node", node, decl: "input", span: s.name.span });
    this.inputs.push({ name: s.name.name, node, default: value });
  }

  private param(s: Extract<Stmt, { kind: "param" }>): void {
    const untyped = !s.type && s.init.kind === "value" ? literalTensor(s.init.value, `the value of param ${s.name.name}`) : undefined;
    const { dtype, shape } = this.type(s.type, untyped);
    // before a scalar value is filled into the whole shape
    checkTensorSize(shape, `param ${s.name.name}`, s.type?.span ?? s.name.span);
    if (dtype === "i32") errors.integerParam(s.type!.dtype.span);
    const init = this.init(s.init, dtype, shape, s.name.name);
    const node = this.b.leaf("param", s.name.name, dtype, shape, s.name.span);
    this.define(s.name, { kind: "node", node, decl: "param", span: s.name.span });
    this.params.push({ name: s.name.name, node, init });
  }

  private init(init: Init, dtype: DType, shape: Dim[], name: string): InitSpec {
    if (init.kind === "value") {
      const v = literalTensor(init.value, `the value of param ${name}`);
      if (v.shape.length === 0 && shape.every((d) => typeof d === "number")) return { kind: "value", value: filled(shape as number[], v.data[0]!) };
      if (v.shape.length === 0) return { kind: "value", value: v };
      this.checkValue(v, dtype, shape, init.value, `param ${name}`);
      return { kind: "value", value: v };
    }
    const args = init.args.map((a) => {
      const v = literalValue(a);
      if (typeof v !== "number") errors.initializerArgsNotNumbers(a.span);
      return v;
    });
    const want = (n: number, usage: string) => {
      if (args.length !== n) errors.initializerArity(init.span, { fn: init.fn.name, n, usage });
    };
    switch (init.fn.name) {
      case "zeros":
      case "ones":
      case "he":
      case "xavier":
        want(0, init.fn.name);
        return { kind: init.fn.name };
      case "normal":
        want(2, "normal(mean, std)");
        return { kind: "normal", mean: args[0]!, std: args[1]! };
      case "uniform":
        want(2, "uniform(low, high)");
        return { kind: "uniform", low: args[0]!, high: args[1]! };
      default:
        errors.unknownInitializer(init.fn.span, { name: init.fn.name });
    }
  }

  private checkValue(v: Tensor, dtype: DType, shape: readonly Dim[], at: Expr, what: string): void {
    const fits = v.shape.length === shape.length && shape.every((d, i) => typeof d !== "number" || d === v.shape[i]);
    if (!fits) errors.valueShapeMismatch(at.span, { what, type: formatType({ dtype, shape }), shape: formatShape(v.shape) });
    if (dtype === "i32" && !v.data.every(Number.isInteger)) errors.valueNotIntegers(at.span, { what });
    const wide = dtype === "i32" ? v.data.find((x) => x < -(2 ** 31) || x > 2 ** 31 - 1) : undefined;
    if (wide !== undefined) errors.valueOutsideInt32(at.span, { what, value: wide });
  }
}

/**
 * The class count of an i32 input that feeds an op's class-index operand (OpDef.classIndices:
 * softmax_cross_entropy's labels, onehot's); undefined if it feeds none.
 */
export function labelClassCount(nodes: readonly Node[], input: Node): Dim | undefined {
  for (const n of nodes) {
    const ci = isOp(n) ? opDef(n.op).classIndices : undefined;
    if (ci && n.inputs[ci.input] === input) return ci.classes(n);
  }
  return undefined;
}

/** Class indices must name a class: 5 with 3 classes gave L = NaN in silence. */
export function checkClassIndices(name: string, data: ArrayLike<number>, classes: number, span?: Span): void {
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x >= 0 && x < classes) continue;
    errors.classIndexOutOfRange(span, { name, index: x, element: data.length > 1 ? i : -1, classes });
  }
}

/** The names a fn body uses must be its parameters, names defined before it, or functions (built-in or user). */
function checkFnBody(e: Expr, params: ReadonlySet<string>, scope: ReadonlyMap<string, Entity>, fn: string, definedAt: (name: string) => number | undefined): void {
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case "name": {
        if (params.has(x.name)) return;
        const ent = scope.get(x.name);
        if (ent?.kind === "node") return;
        if (ent?.kind === "dim") errors.dimNotAValue(x.span, { name: x.name });
        const later = definedAt(x.name);
        // a fn sees the names defined before it, as every statement does
        if (later !== undefined && later >= x.span.line) errors.usedBeforeDefinedInFn(x.span, { name: x.name, line: later, fn });
        const names = [...params, ...[...scope].filter(([, v]) => v.kind === "node").map(([k]) => k)];
        errors.unknownNameInFn(x.span, { name: x.name, fn, hint: suggest(x.name, names) });
        return;
      }
      case "call": {
        if (x.callee !== "grad" && !builtins.has(x.callee) && scope.get(x.callee)?.kind !== "fn") {
          const later = definedAt(x.callee);
          if (later !== undefined && later >= x.span.line && x.callee !== fn) errors.functionUsedBeforeDefinedInFn(x.calleeSpan, { name: x.callee, line: later, fn });
          const names = [...builtins.keys(), ...[...scope].filter(([, v]) => v.kind === "fn").map(([k]) => k)];
          if (x.callee === fn) errors.fnCallsItself(x.calleeSpan, { name: fn });
          errors.unknownFunction(x.calleeSpan, { name: x.callee, hint: suggest(x.callee, names) });
        }
        for (const a of x.args) walk(a.value);
        return;
      }
      case "array":
        return x.items.forEach(walk);
      case "unary":
      case "transpose":
        return walk(x.arg);
      case "binary":
        walk(x.left);
        return walk(x.right);
      case "num":
        return;
    }
  };
  walk(e);
}
