/**
 * The TypeScript printer of the kernel program (and, with `flavor: "js"`, the same code
 * without its types). It is the only place that turns kernel-program trees into code:
 * it names every local and parameter through the resolver (a block's names may be
 * reused by its siblings, never shadowed inside it), and writes expressions by
 * precedence, with parentheses only where the tree needs them. The right operand of an
 * operator of equal precedence keeps its parentheses, so `a - (b - c)` and float sums
 * print in the order the tree adds them.
 */
import type { Buf, Expr, Local, Stmt } from "../kernel/ir.js";
import type { KernelParam, KernelProgram } from "./kernels.js";
import { ARRAY, commentText, prop, type Names } from "./names.js";

export type Flavor = "ts" | "js";

/** What a printed expression may refer to outside its function: dims, by their names in the module. */
export interface PrintEnv {
  readonly flavor: Flavor;
  readonly dims: ReadonlyMap<string, string>;
}

/** The names of one function's locals and buffers, scope by scope. */
export class Scope {
  private readonly bound = new Map<Local | Buf, string>();

  constructor(
    readonly names: Names,
    private readonly parent?: Scope,
  ) {}

  bind(x: Local | Buf): string {
    const name = this.names.name(x.hint);
    this.bound.set(x, name);
    return name;
  }

  /** a name given elsewhere (a module constant): the scope's names already avoid it */
  preset(x: Local | Buf, name: string): void {
    this.bound.set(x, name);
  }

  nameOf(x: Local | Buf): string {
    const name = this.bound.get(x) ?? this.parent?.lookup(x);
    if (name === undefined) throw new Error(`internal error: ${x.kind} ${x.hint} is used where it is not declared`);
    return name;
  }

  private lookup(x: Local | Buf): string | undefined {
    return this.bound.get(x) ?? this.parent?.lookup(x);
  }

  child(): Scope {
    return new Scope(this.names.child(), this);
  }
}

const PREC: Record<string, number> = { "||": 3, "&&": 4, "===": 8, "!==": 8, "<": 9, "<=": 9, ">": 9, ">=": 9, "+": 11, "-": 11, "*": 12, "/": 12 };
const UNARY = 14;
const POSTFIX = 18;

function precedence(e: Expr): number {
  switch (e.k) {
    case "num":
      return e.value < 0 || Object.is(e.value, -0) ? UNARY : POSTFIX;
    case "bin":
      return PREC[e.op]!;
    case "neg":
      return UNARY;
    case "select":
      return 2;
    default:
      return POSTFIX;
  }
}

function number(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return Object.is(v, -0) ? "-0" : String(v);
}

export class Printer {
  constructor(private readonly env: PrintEnv) {}

  dimName(name: string): string {
    const id = this.env.dims.get(name);
    if (id === undefined) throw new Error(`internal error: dim ${name} is not in the module`);
    return id;
  }

  expr(e: Expr, s: Scope): string {
    switch (e.k) {
      case "num":
        return number(e.value);
      case "dim":
        return this.dimName(e.name);
      case "get":
        return s.nameOf(e.v);
      case "load":
        return `${s.nameOf(e.buf)}[${this.expr(e.index, s)}]${this.env.flavor === "ts" ? "!" : ""}`;
      case "byteOffset":
        return `${s.nameOf(e.buf)}.byteOffset`;
      case "neg": {
        const a = e.a;
        const wrap = precedence(a) <= UNARY && a.k !== "load";
        return `-${wrap ? `(${this.expr(a, s)})` : this.expr(a, s)}`;
      }
      case "math":
        return `Math.${e.fn}(${e.args.map((a) => this.expr(a, s)).join(", ")})`;
      case "select":
        return `${this.operand(e.cond, 2, true, s)} ? ${this.operand(e.a, 2, true, s)} : ${this.operand(e.b, 2, true, s)}`;
      case "bin": {
        const p = PREC[e.op]!;
        return `${this.operand(e.a, p, false, s, e.op)} ${e.op} ${this.operand(e.b, p, true, s, e.op)}`;
      }
    }
  }

  /** An operand of an operator of precedence p: parenthesized when the tree needs it, or when it reads better. */
  private operand(e: Expr, p: number, right: boolean, s: Scope, op?: string): string {
    const q = precedence(e);
    const logicalMix = e.k === "bin" && op !== undefined && (op === "&&" || op === "||") && (e.op === "&&" || e.op === "||") && e.op !== op;
    const negative = e.k === "num" && q === UNARY && p > 2;
    const wrap = q < p || (right && q === p) || logicalMix || negative || (p === 2 && q === 2);
    const text = this.expr(e, s);
    return wrap ? `(${text})` : text;
  }

  /** Statements, each on its lines, indented by `depth` levels of two spaces. */
  stmts(list: readonly Stmt[], s: Scope, depth = 0): string[] {
    const out: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const st = list[i]!;
      // consecutive `let`s of numbers share one line: let c0 = 0, c1 = 0, …
      if (st.k === "decl" && st.mutable && st.init.k === "num") {
        const group: Extract<Stmt, { k: "decl" }>[] = [st];
        while (i + 1 < list.length) {
          const next = list[i + 1]!;
          if (next.k !== "decl" || !next.mutable || next.init.k !== "num") break;
          group.push(next);
          i++;
        }
        out.push(pad(depth) + `let ${group.map((d) => `${s.bind(d.v)} = ${this.expr(d.init, s)}`).join(", ")};`);
        continue;
      }
      out.push(...this.stmt(st, s, depth));
    }
    return out;
  }

  private simple(st: Stmt, s: Scope): string | undefined {
    switch (st.k) {
      case "set":
        return `${s.nameOf(st.v)}${this.assign(st.op, st.value, s)};`;
      case "store": {
        const target = `${s.nameOf(st.buf)}[${this.expr(st.index, s)}]${st.op !== "=" && this.env.flavor === "ts" ? "!" : ""}`;
        return `${target}${this.assign(st.op, st.value, s)};`;
      }
      case "break":
        return "break;";
      case "continue":
        return "continue;";
      case "fill":
        return `${s.nameOf(st.buf)}.fill(${this.expr(st.value, s)});`;
      case "wasm":
        return `${prop(s.nameOf(st.via), st.fn)}(${st.args.map((a) => this.expr(a, s)).join(", ")});`;
      default:
        return undefined;
    }
  }

  /** A statement that fits one line: a simple one, or an `if` without else around one. */
  private oneLine(st: Stmt, s: Scope): string | undefined {
    if (st.k !== "if") return this.simple(st, s);
    if (st.else || st.then.length !== 1) return undefined;
    const then = this.simple(st.then[0]!, s.child());
    return then === undefined ? undefined : `if (${this.expr(st.cond, s)}) ${then}`;
  }

  private assign(op: string, value: Expr, s: Scope): string {
    if (op !== "=" && value.k === "num" && value.value === 1) return op === "+=" ? "++" : "--";
    return ` ${op} ${this.expr(value, s)}`;
  }

  private stmt(st: Stmt, s: Scope, depth: number): string[] {
    const at = pad(depth);
    const simple = this.simple(st, s);
    if (simple !== undefined) return [at + simple];
    switch (st.k) {
      case "decl": {
        const init = this.expr(st.init, s);
        return [`${at}${st.mutable ? "let" : "const"} ${s.bind(st.v)} = ${init};`];
      }
      case "comment":
        return [`${at}// ${commentText(st.text)}`];
      case "block":
        return [`${at}{`, ...this.stmts(st.body, s.child(), depth + 1), `${at}}`];
      case "if": {
        const cond = this.expr(st.cond, s);
        const one = this.oneLine(st, s);
        if (one !== undefined) return [at + one];
        const head = [`${at}if (${cond}) {`, ...this.stmts(st.then, s.child(), depth + 1)];
        return st.else ? [...head, `${at}} else {`, ...this.stmts(st.else, s.child(), depth + 1), `${at}}`] : [...head, `${at}}`];
      }
      case "for": {
        const inner = s.child();
        const v = st.init ? inner.bind(st.v) : s.nameOf(st.v);
        const init = st.init ? `let ${v} = ${this.expr(st.init, s)}` : "";
        const step = st.step === 1 ? `${v}++` : `${v} += ${st.step}`;
        const head = `${at}for (${init}; ${this.expr(st.cond, inner)}; ${step})`;
        const body = inner.child();
        const one = st.body.length === 1 ? this.oneLine(st.body[0]!, body) : undefined;
        if (one !== undefined) return [`${head} ${one}`];
        return [`${head} {`, ...this.stmts(st.body, body, depth + 1), `${at}}`];
      }
      default:
        throw new Error(`internal error: statement ${st.k}`);
    }
  }
}

const pad = (depth: number): string => "  ".repeat(depth);

/** The parameter types of a kernel function, as TypeScript writes them. */
function paramType(a: KernelParam): string {
  switch (a.kind) {
    case "array":
      return ARRAY[a.buf.dtype];
    case "scratch":
    case "iscratch":
    case "simdOut":
      return ARRAY[a.buf.dtype];
    case "simd":
      return "SimdKernels";
    default:
      return "number";
  }
}

/**
 * A kernel function: its doc comment (the `.graph` lines it fuses), its signature and
 * its body. Its parameters and locals are named in a scope under `module` (the module's
 * names, dims and constants), constants by their module names.
 */
export function printKernel(
  k: { readonly name: string; readonly doc: string; readonly program: KernelProgram },
  module: Names,
  constants: readonly { readonly buf: Buf; readonly name: string }[],
  printer: Printer,
  flavor: Flavor = "ts",
): string {
  const scope = new Scope(module.child());
  for (const c of constants) scope.preset(c.buf, c.name);
  const params = k.program.params.map((a) => {
    const name = a.kind === "dim" ? printer.dimName(a.name) : "buf" in a ? scope.bind(a.buf) : scope.bind(a.v);
    return flavor === "ts" ? `${name}: ${paramType(a)}` : name;
  });
  const doc = ["/**", ...k.doc.split("\n").map((l) => (l.length > 0 ? ` * ${l}` : " *")), " */"];
  return [...doc, `function ${k.name}(${params.join(", ")})${flavor === "ts" ? ": void" : ""} {`, ...printer.stmts(k.program.body, scope, 1), "}"].join("\n");
}
