/**
 * Lowers expressions to IR nodes: operators, built-in calls (bound by the op table's
 * signatures), user functions (kept as one `fn` node when their body is elementwise, small
 * and has a formula for every op — mathjs derives it when a gradient asks — else inlined)
 * and `grad(L, X)`, a `grad` node that differentiation replaces by the backward nodes.
 */
import type { Span } from "../diagnostics/index.js";
import * as errors from "../diagnostics/errors.js";
import type { Arg, Expr, Ident } from "../dsl/ast.js";
import { formatType } from "../tensor/types.js";
import { builtins, ops, type AttrSpec, type Builtin } from "../ops/index.js";
import { MAX_FORMULA_OPS, userFn, type ScalarExpr, type UserFn } from "../ops/userfn.js";
import type { Builder } from "./builder.js";
import type { AttrValue, Node } from "./ir.js";
import { literalTensor, literalValue } from "./literal.js";
import { suggest } from "../diagnostics/suggest.js";

export type Entity =
  | { kind: "node"; node: Node; decl: "input" | "param" | "const" | "node"; span: Span }
  | { kind: "dim"; span: Span }
  | { kind: "fn"; params: Ident[]; body: Expr; scope: ReadonlyMap<string, Entity>; span: Span };

const BINARY = { "+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow", "@": "matmul" } as const;
const MAX_LOWER_DEPTH = 2000;
/** user function calls inside calls: each level is a dozen stack frames of lowering (600 overflowed Node's stack) */
export const MAX_CALL_DEPTH = 256;

export class ExprLowerer {
  private depth = 0;
  private callDepth = 0;
  /** grad() calls lowered so far */
  private gradCalls = 0;
  /** user function calls already lowered, by function and argument nodes */
  private readonly calls = new WeakMap<object, Map<string, Node>>();
  private readonly derived = new WeakMap<object, UserFn | undefined>();

  constructor(
    private readonly b: Builder,
    /** the line a name is defined on, anywhere in the file: "used before it is defined" */
    private readonly definedAt: (name: string) => number | undefined = () => undefined,
  ) {}

  lower(e: Expr, scope: ReadonlyMap<string, Entity>): Node {
    if (++this.depth > MAX_LOWER_DEPTH) errors.expressionTooLong(e.span, { max: MAX_LOWER_DEPTH });
    try {
      return this.b.at(e.span, () => this.lowerInner(e, scope));
    } finally {
      this.depth--;
    }
  }

  private lowerInner(e: Expr, scope: ReadonlyMap<string, Entity>): Node {
    switch (e.kind) {
      case "num":
        return this.b.constant(e.value);
      case "array":
        return this.b.constant(literalTensor(e, "an array in an expression"));
      case "name":
        return this.value(e.name, e.span, scope);
      case "unary": {
        const v = literalValue(e);
        if (typeof v === "number") return this.b.constant(v);
        return this.b.op("neg", [this.lower(e.arg, scope)]);
      }
      case "binary":
        return this.binaryChain(e, scope);
      case "transpose":
        return this.b.op("transpose", [this.lower(e.arg, scope)], {}, e.span);
      case "call":
        return this.call(e, scope);
    }
  }

  /**
   * A left-associative chain (a + b + c + …) is lowered bottom-up in a loop, so a
   * chain of any length needs no stack; right operands nest at most the parser's depth.
   */
  private binaryChain(e: Extract<Expr, { kind: "binary" }>, scope: ReadonlyMap<string, Entity>): Node {
    const spine: Extract<Expr, { kind: "binary" }>[] = [];
    let left: Expr = e;
    while (left.kind === "binary") {
      spine.push(left);
      left = left.left;
    }
    let acc = this.lower(left, scope);
    for (let i = spine.length - 1; i >= 0; i--) {
      const op = spine[i]!;
      const right = this.lower(op.right, scope);
      acc = this.b.op(BINARY[op.op], [acc, right], {}, op.span);
    }
    return acc;
  }

  private value(name: string, span: Span, scope: ReadonlyMap<string, Entity>): Node {
    const ent = scope.get(name);
    if (!ent) {
      if (builtins.has(name)) errors.functionNotCalled(span, { name });
      const later = this.definedAt(name);
      if (later !== undefined && later >= span.line) errors.usedBeforeDefined(span, { name, line: later });
      errors.unknownName(span, { name, hint: suggest(name, [...scope.keys()]) });
    }
    if (ent.kind === "dim") errors.dimNotAValue(span, { name });
    if (ent.kind === "fn") errors.functionNotCalled(span, { name });
    return ent.node;
  }

  private call(e: Extract<Expr, { kind: "call" }>, scope: ReadonlyMap<string, Entity>): Node {
    const user = scope.get(e.callee);
    if (user?.kind === "fn") return this.userCall(e, user, scope);
    if (e.callee === "grad") return this.gradCall(e, scope);
    const fn = builtins.get(e.callee);
    if (!fn) {
      const later = this.definedAt(e.callee);
      if (later !== undefined && later >= e.span.line) errors.functionUsedBeforeDefined(e.calleeSpan, { name: e.callee, line: later });
      const names = [...builtins.keys(), "grad", ...[...scope].filter(([, v]) => v.kind === "fn").map(([k]) => k)];
      errors.unknownFunction(e.calleeSpan, { name: e.callee, hint: suggest(e.callee, names) });
    }
    const { inputs, attrs } = bindArgs(fn, e, scope);
    const nodes = inputs.map((a) => this.lower(a, scope));
    if (fn.composite) return fn.composite.expand(this.b, nodes, attrs, { fail: (entry, args) => entry(e.span, args) });
    return this.b.op(fn.op!.name, nodes, attrs, e.span);
  }

  private gradCall(e: Extract<Expr, { kind: "call" }>, scope: ReadonlyMap<string, Entity>): Node {
    if (e.args.length !== 2 || e.args.some((a) => a.name)) {
      errors.gradArity(e.span);
    }
    const [l, x] = e.args.map((a) => this.lower(a.value, scope)) as [Node, Node];
    if (x.type.dtype === "i32") errors.gradOfIntegerValue(e.args[1]!.value.span);
    if (l.type.shape.length !== 0) errors.gradientOfNonScalar(e.args[0]!.value.span, { type: formatType(l.type) });
    // autodiff/differentiate.ts replaces it by the backward nodes, in place (the same ids as if built here)
    return this.b.op("grad", [l, x], { call: this.gradCalls++ }, e.span);
  }

  private userCall(e: Extract<Expr, { kind: "call" }>, fn: Extract<Entity, { kind: "fn" }>, scope: ReadonlyMap<string, Entity>): Node {
    if (e.args.some((a) => a.name)) errors.positionalOnly(e.args.find((a) => a.name)!.nameSpan!, { fn: e.callee });
    if (e.args.length !== fn.params.length) {
      errors.fnArity(e.span, { fn: e.callee, n: fn.params.length, got: e.args.length });
    }
    const args = e.args.map((a) => this.lower(a.value, scope));
    // a call of the same function on the same nodes is the same node: lowered once, so nested calls stay linear
    const key = args.map((a) => a.id).join(",");
    const calls = this.calls.get(fn) ?? new Map<string, Node>();
    this.calls.set(fn, calls);
    const known = calls.get(key);
    if (known) return known;
    // one UserFn per function: its derivative, which does not depend on the arguments, is derived once
    if (!this.derived.has(fn)) {
      const body = fnScalar(fn);
      this.derived.set(fn, body && userFn(e.callee, fn.params.map((p) => p.name), body));
    }
    const kept = this.derived.get(fn);
    let node: Node;
    if (kept) node = this.b.op("fn", args, { fn: kept }, e.span);
    else {
      // not elementwise, too large for a formula, or an op without a formula (relu): inline the body
      const inner = new Map(fn.scope);
      fn.params.forEach((p, i) => inner.set(p.name, { kind: "node", node: args[i]!, decl: "node", span: p.span }));
      if (++this.callDepth > MAX_CALL_DEPTH) errors.callsTooDeep(e.span, { fn: e.callee, max: MAX_CALL_DEPTH });
      try {
        node = this.lower(fn.body, inner);
      } finally {
        this.callDepth--;
      }
    }
    calls.set(key, node);
    return node;
  }
}

const scalars = new WeakMap<FnEntity, ScalarExpr | undefined>();
type FnEntity = Extract<Entity, { kind: "fn" }>;

/**
 * A user function's body as a scalar expression, computed once per function. lower.ts asks
 * it as each `fn` is defined, so a body's calls find their callee's already made: a chain
 * of functions each calling the one before is a loop over definitions, not a recursion
 * as deep as the chain.
 */
export function fnScalar(fn: FnEntity): ScalarExpr | undefined {
  if (!scalars.has(fn)) scalars.set(fn, scalarBody(fn.body, fn.params.map((p) => p.name), fn.scope));
  return scalars.get(fn);
}

/** The body of an elementwise user function as a scalar expression; undefined if it is not elementwise. */
export function scalarBody(body: Expr, params: readonly string[], scope: ReadonlyMap<string, Entity>): ScalarExpr | undefined {
  const walk = (e: Expr): ScalarExpr | undefined => {
    switch (e.kind) {
      case "num":
        return { kind: "num", value: e.value };
      case "name": {
        const i = params.indexOf(e.name);
        return i >= 0 ? { kind: "var", index: i } : undefined;
      }
      case "unary": {
        const a = walk(e.arg);
        return a && { kind: "op", op: "neg", args: [a] };
      }
      case "binary": {
        if (e.op === "@") return undefined;
        const l = walk(e.left);
        const r = walk(e.right);
        return l && r && { kind: "op", op: BINARY[e.op], args: [l, r] };
      }
      case "call": {
        const args = e.args.map((a) => (a.name ? undefined : walk(a.value)));
        if (args.some((a) => a === undefined)) return undefined;
        const list = args as ScalarExpr[];
        const user = scope.get(e.callee);
        if (user?.kind === "fn") {
          if (user.params.length !== list.length) return undefined;
          const inner = fnScalar(user);
          const expanded = inner && substitute(inner, list);
          // a body that grows past the formula limit when its calls are expanded is inlined as nodes instead
          return expanded && scalarSize(expanded) <= MAX_FORMULA_OPS ? expanded : undefined;
        }
        const op = builtins.get(e.callee)?.op;
        const ok = op && ops.get(op.name)?.traits.elementwise && op.inputs.length === list.length && Object.keys(op.attrs).length === 0;
        return ok ? { kind: "op", op: op.name, args: list } : undefined;
      }
      default:
        return undefined;
    }
  };
  return walk(body);
}

/** Operations in a scalar expression, shared subexpressions counted each time (as a formula writes them). */
function scalarSize(e: ScalarExpr): number {
  return e.kind === "op" ? 1 + e.args.reduce((s, a) => s + scalarSize(a), 0) : 0;
}

function substitute(e: ScalarExpr, args: readonly ScalarExpr[]): ScalarExpr {
  if (e.kind === "var") return args[e.index]!;
  if (e.kind === "num") return e;
  return { kind: "op", op: e.op, args: e.args.map((a) => substitute(a, args)) };
}

/** Binds a call's arguments to a built-in's operands and compile-time attributes. */
function bindArgs(fn: Builtin, e: Extract<Expr, { kind: "call" }>, scope: ReadonlyMap<string, Entity>) {
  const params = [...fn.inputs, ...Object.keys(fn.attrs)];
  const given = new Map<string, Arg>();
  let positional = 0;
  for (const a of e.args) {
    const name = a.name ?? params[positional++];
    if (name === undefined) errors.tooManyArguments(a.value.span, { fn: fn.name, n: params.length, params });
    if (!params.includes(name)) errors.noSuchArgument(a.nameSpan!, { fn: fn.name, name, params });
    if (given.has(name)) errors.argumentGivenTwice(a.nameSpan ?? a.value.span, { fn: fn.name, name });
    given.set(name, a);
  }
  const inputs = fn.inputs.map((name) => {
    const a = given.get(name);
    if (!a) errors.missingArgument(e.span, { fn: fn.name, name, params });
    return a.value;
  });
  const attrs: Record<string, AttrValue> = {};
  for (const [name, spec] of Object.entries(fn.attrs)) {
    const a = given.get(name);
    if (a) attrs[name] = attrValue(fn.name, name, spec, a.value, scope);
    else if (spec.default !== undefined) attrs[name] = spec.default;
    else errors.missingArgument(e.span, { fn: fn.name, name, params });
  }
  return { inputs, attrs };
}

function attrValue(fn: string, name: string, spec: AttrSpec, e: Expr, scope: ReadonlyMap<string, Entity>): AttrValue {
  const bad = (want: string): never => errors.badAttribute(e.span, { fn, name, want });
  const v = literalValue(e);
  switch (spec.kind) {
    case "bool":
      if (e.kind === "name" && (e.name === "true" || e.name === "false")) return e.name === "true";
      return bad("true or false");
    case "int":
    case "axis":
      return typeof v === "number" && Number.isInteger(v) ? v : bad("an integer");
    case "axes":
      if (typeof v === "number" && Number.isInteger(v)) return [v];
      if (Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x))) return v as number[];
      return bad("an integer or a list of integers");
    case "shape": {
      if (e.kind !== "array") return bad("a shape such as [N, 10]");
      return e.items.map((item) => {
        const n = literalValue(item);
        if (typeof n === "number" && Number.isInteger(n) && n >= -1) return n;
        if (item.kind === "name" && scope.get(item.name)?.kind === "dim") return item.name;
        return bad("a shape of integers and declared dims, such as [N, 10]");
      });
    }
    case "fn":
      return bad("a function");
  }
}
