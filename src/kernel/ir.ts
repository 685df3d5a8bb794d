/**
 * The kernel program: what a kernel computes, as typed trees that every printer reads
 * (TypeScript, JavaScript, and later WebAssembly) — never as code text. Expressions are
 * numbers, dims, locals, loads and operators; statements are declarations, stores,
 * loops and branches. Locals and buffers are objects with a wanted name (a hint): the
 * printer names them through the one resolver, so an op template can never collide
 * with a `.graph` name, a global or another template's local.
 */
import { dimFactors, type Dim, type DType, type Shape } from "../tensor/types.js";

/** A local variable or a scalar parameter: the printer gives it a name from its hint. */
export interface Local {
  readonly kind: "local";
  readonly hint: string;
}

/** A typed array a kernel reads or writes (a parameter of the kernel function). */
export interface Buf {
  readonly kind: "buf";
  readonly hint: string;
  readonly dtype: DType;
}

export type BinOp = "+" | "-" | "*" | "/" | "<" | "<=" | ">" | ">=" | "===" | "!==" | "&&" | "||";
/** Functions of JavaScript's Math the kernels call (printed `Math.exp(x)`; WebAssembly has its own). */
export type MathFn = "exp" | "log" | "sqrt" | "tanh" | "abs" | "sign" | "pow" | "max" | "min";

export type Expr =
  | { readonly k: "num"; readonly value: number }
  /** a `.graph` dim, known at run time (a parameter of the kernel) */
  | { readonly k: "dim"; readonly name: string }
  | { readonly k: "get"; readonly v: Local }
  | { readonly k: "load"; readonly buf: Buf; readonly index: Expr }
  | { readonly k: "bin"; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: "neg"; readonly a: Expr }
  | { readonly k: "math"; readonly fn: MathFn; readonly args: readonly Expr[] }
  | { readonly k: "select"; readonly cond: Expr; readonly a: Expr; readonly b: Expr }
  /** where a buffer starts in the WebAssembly memory, in bytes */
  | { readonly k: "byteOffset"; readonly buf: Buf };

export type AssignOp = "=" | "+=" | "-=";

export type Stmt =
  | { readonly k: "decl"; readonly mutable: boolean; readonly v: Local; readonly init: Expr }
  | { readonly k: "set"; readonly v: Local; readonly op: AssignOp; readonly value: Expr }
  | { readonly k: "store"; readonly buf: Buf; readonly index: Expr; readonly op: AssignOp; readonly value: Expr }
  /** `for (let v = init; cond; v += step)`; without init, v is declared before the loop */
  | { readonly k: "for"; readonly v: Local; readonly init?: Expr; readonly cond: Expr; readonly step: number; readonly body: readonly Stmt[] }
  | { readonly k: "if"; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else?: readonly Stmt[] }
  | { readonly k: "block"; readonly body: readonly Stmt[] }
  | { readonly k: "break" }
  | { readonly k: "continue" }
  /** every element of buf (count of them) set to value */
  | { readonly k: "fill"; readonly buf: Buf; readonly value: Expr; readonly count: Expr }
  /** a call of an exported WebAssembly kernel of the module */
  | { readonly k: "wasm"; readonly via: Local; readonly fn: string; readonly args: readonly Expr[] }
  /** a line for the reader (user text is escaped by the printer) */
  | { readonly k: "comment"; readonly text: string };

export const local = (hint: string): Local => ({ kind: "local", hint });
export const buffer = (hint: string, dtype: DType): Buf => ({ kind: "buf", hint, dtype });

// ---- expressions ------------------------------------------------------------------

export const num = (value: number): Expr => ({ k: "num", value });
export const dim = (name: string): Expr => ({ k: "dim", name });
export const get = (v: Local): Expr => ({ k: "get", v });
export const load = (buf: Buf, index: Expr): Expr => ({ k: "load", buf, index });
export const neg = (a: Expr): Expr => (a.k === "num" ? num(-a.value) : { k: "neg", a });
export const math = (fn: MathFn, ...args: Expr[]): Expr => ({ k: "math", fn, args });
export const select = (cond: Expr, a: Expr, b: Expr): Expr => ({ k: "select", cond, a, b });
export const bin = (op: BinOp, a: Expr, b: Expr): Expr => ({ k: "bin", op, a, b });
export const byteOffset = (buf: Buf): Expr => ({ k: "byteOffset", buf });

const isNum = (e: Expr, v?: number): e is { k: "num"; value: number } => e.k === "num" && (v === undefined || Object.is(e.value, v));

/**
 * Integer arithmetic on indices and sizes, folded as it is built: numbers combine,
 * `x + 0` and `x * 1` vanish, `(x + 2) + 3` is `x + 5`, `(x * 2) * 3` is `x * 6`. Indices
 * and sizes are exact integers, so folding never changes a value. Value arithmetic uses
 * `bin`, which is never reassociated: float sums depend on their order.
 */
export function add(a: Expr, b: Expr): Expr {
  if (isNum(a) && isNum(b)) return num(a.value + b.value);
  if (isNum(a, 0)) return b;
  if (isNum(b, 0)) return a;
  if (isNum(a)) return add(b, a);
  if (isNum(b) && a.k === "bin" && a.op === "+" && isNum(a.b)) return add(a.a, num(a.b.value + b.value));
  // a constant term goes last: i * 50 + j + 1 rather than 1 + i * 50 + j
  if (b.k === "bin" && b.op === "+" && isNum(b.b)) return add(add(a, b.a), b.b);
  return bin("+", a, b);
}

export function mul(a: Expr, b: Expr): Expr {
  if (isNum(a) && isNum(b)) return num(a.value * b.value);
  if (isNum(a, 1)) return b;
  if (isNum(b, 1)) return a;
  if (isNum(a, 0) || isNum(b, 0)) return num(0);
  if (isNum(a)) return mul(b, a);
  if (isNum(b) && a.k === "bin" && a.op === "*" && isNum(a.b)) return mul(a.a, num(a.b.value * b.value));
  if (b.k === "bin" && b.op === "*" && isNum(b.b)) return mul(mul(a, b.a), b.b);
  return bin("*", a, b);
}

export const sub = (a: Expr, b: Expr): Expr => (isNum(b) ? add(a, num(-b.value)) : bin("-", a, b));

/** The product of sizes, folded: [N, 784] → N * 784; [] → 1. */
export const product = (xs: readonly Expr[]): Expr => xs.reduce<Expr>((acc, x) => mul(acc, x), num(1));

/** The largest of sizes: folded to a number when all are numbers, repeated ones once. */
export function maxOf(xs: readonly Expr[]): Expr {
  const nums = xs.filter((x) => isNum(x)).map((x) => (x as { value: number }).value);
  const rest = dedupe(xs.filter((x) => !isNum(x)));
  const n = nums.length > 0 ? [num(Math.max(...nums))] : [];
  const all = rest.length > 0 && nums.length > 0 && Math.max(...nums) === 0 ? rest : [...rest, ...n];
  if (all.length === 0) return num(0);
  return all.length === 1 ? all[0]! : math("max", ...all);
}

function dedupe(xs: readonly Expr[]): Expr[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const key = JSON.stringify(x);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Structural equality of expressions (locals and buffers by identity). */
export function sameExpr(a: Expr, b: Expr): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "num": return Object.is(a.value, (b as typeof a).value);
    case "dim": return a.name === (b as typeof a).name;
    case "get": return a.v === (b as typeof a).v;
    case "byteOffset": return a.buf === (b as typeof a).buf;
    case "load": return a.buf === (b as typeof a).buf && sameExpr(a.index, (b as typeof a).index);
    case "neg": return sameExpr(a.a, (b as typeof a).a);
    case "bin": return a.op === (b as typeof a).op && sameExpr(a.a, (b as typeof a).a) && sameExpr(a.b, (b as typeof a).b);
    case "select": return sameExpr(a.cond, (b as typeof a).cond) && sameExpr(a.a, (b as typeof a).a) && sameExpr(a.b, (b as typeof a).b);
    case "math": return a.fn === (b as typeof a).fn && a.args.length === (b as typeof a).args.length && a.args.every((x, i) => sameExpr(x, (b as typeof a).args[i]!));
  }
}

/** The dims an expression or statement list reads (their .graph names). */
export function dimsIn(node: Expr | readonly Stmt[], out = new Set<string>()): Set<string> {
  const visit = (e: Expr | Stmt): void => {
    for (const [key, value] of Object.entries(e)) {
      if (key === "k") continue;
      if (Array.isArray(value)) for (const x of value) if (typeof x === "object" && x && "k" in x) visit(x as Expr | Stmt);
      if (typeof value === "object" && value !== null && "k" in value) visit(value as Expr | Stmt);
    }
    if (e.k === "dim") out.add(e.name);
  };
  if (Array.isArray(node)) for (const s of node as readonly Stmt[]) visit(s);
  else visit(node as Expr);
  return out;
}

// ---- statements -----------------------------------------------------------------

export const decl = (v: Local, init: Expr): Stmt => ({ k: "decl", mutable: false, v, init });
export const declLet = (v: Local, init: Expr): Stmt => ({ k: "decl", mutable: true, v, init });
export const set = (v: Local, value: Expr, op: AssignOp = "="): Stmt => ({ k: "set", v, op, value });
export const store = (buf: Buf, index: Expr, value: Expr, op: AssignOp = "="): Stmt => ({ k: "store", buf, index, op, value });
export const comment = (text: string): Stmt => ({ k: "comment", text });
export const iff = (cond: Expr, then: readonly Stmt[], otherwise?: readonly Stmt[]): Stmt => ({ k: "if", cond, then, ...(otherwise ? { else: otherwise } : {}) });

/** `for (let v = from; v < to; v++) body(v)`, its variable made here. */
export function loop(hint: string, to: Expr, body: (v: Expr) => readonly Stmt[], from: Expr = num(0)): Stmt {
  const v = local(hint);
  return { k: "for", v, init: from, cond: bin("<", get(v), to), step: 1, body: body(get(v)) };
}

/**
 * Nested loops over `shape`, one variable per axis (i for one axis; i0, i1, … for more);
 * over a scalar the body runs once, in a block of its own.
 */
export function loops(shape: readonly Expr[], body: (vars: readonly Expr[]) => readonly Stmt[], prefix = "i"): Stmt[] {
  const vars = shape.map((_, k) => local(shape.length === 1 ? prefix : `${prefix}${k}`));
  let code: readonly Stmt[] = body(vars.map(get));
  if (shape.length === 0) return [{ k: "block", body: code }];
  for (let k = shape.length - 1; k >= 0; k--) {
    code = [{ k: "for", v: vars[k]!, init: num(0), cond: bin("<", get(vars[k]!), shape[k]!), step: 1, body: code }];
  }
  return [...code];
}

/** Strides of a row-major shape: [N, 50] → [50, 1]. */
export function strides(shape: readonly Expr[]): Expr[] {
  const out = new Array<Expr>(shape.length);
  let acc: Expr = num(1);
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc = mul(shape[i]!, acc);
  }
  return out;
}

/** Row-major flat index of `vars` (one per axis; undefined skips the axis, as do axes of size 1). */
export function index(shape: readonly Expr[], vars: readonly (Expr | undefined)[]): Expr {
  const st = strides(shape);
  return shape.reduce<Expr>((acc, d, i) => {
    const v = vars[i];
    return v === undefined || isNum(d, 1) ? acc : add(acc, mul(v, st[i]!));
  }, num(0));
}

/** Index of a value of shape `shape` read, with broadcasting, at `vars` of shape `out`. */
export function broadcastIndex(shape: readonly Expr[], out: readonly Expr[], vars: readonly Expr[]): Expr {
  const lead = out.length - shape.length;
  return index(shape, shape.map((d, i) => (isNum(d, 1) && !isNum(out[lead + i]!, 1) ? undefined : vars[lead + i])));
}

/** A dim of the graph's types as a size expression: 784, N, or N * 3 for the product `N*3`. */
export function dimExpr(d: Dim): Expr {
  const f = dimFactors(d);
  return mul(product(f.names.map(dim)), num(f.numeric));
}

export const shapeExpr = (s: Shape): Expr[] => s.map(dimExpr);
