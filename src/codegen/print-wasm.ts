/**
 * The WebAssembly printer of the kernel program, for `--simd` modules: each kernel becomes
 * a function of one WebAssembly module over the workspace's memory, so a step runs no
 * TypeScript loop. It reads the same trees as the TypeScript printer and keeps JavaScript's
 * arithmetic: values are float64 (loaded from float32 and rounded back where stored, as
 * typed arrays do), indices and counts int32, and JavaScript's Math functions that
 * WebAssembly lacks (exp, log, tanh, pow) are Math's own, imported — so a kernel computes
 * the same bits as the TypeScript printer's (a test compares them).
 *
 * Types are inferred: a load is int32 from an Int32Array and float64 otherwise, a dim or a
 * buffer's offset int32, `/`, `-x` and Math float64, a comparison a 0/1 int32; a local takes
 * the widest type of all it is given, and a number literal the type its place wants.
 * `c ? a : b` is a branch-free select unless an arm loads or calls (both arms would run).
 */
import * as K from "../kernel/ir.js";
import { containsContinue, hasEffects, visit } from "../kernel/walk.js";
import type { KernelProgram } from "./kernels.js";
import { asciiName } from "./names.js";
import type { Instr, ValType, WasmFunction, WasmImport } from "./wasm.js";

type T = "i32" | "f64";
/** "lit": an integer literal, whose type is its place's */
type Ty = T | "lit";

/** Math's functions WebAssembly has no instruction for: imported from JavaScript's Math (the same bits). */
const IMPORTED = ["exp", "log", "tanh", "pow"] as const;
type Imported = (typeof IMPORTED)[number];
const mathImport = (fn: Imported): WasmImport => ({ module: "Math", name: fn, id: `$Math_${fn}`, params: fn === "pow" ? ["f64", "f64"] : ["f64"], result: "f64" });
export const MATH_IMPORTS: Readonly<Record<Imported, WasmImport>> = { exp: mathImport("exp"), log: mathImport("log"), tanh: mathImport("tanh"), pow: mathImport("pow") };

const SIZE: Record<string, number> = { f32: 4, f64: 8, i32: 4 };
const LOAD: Record<string, string> = { f32: "f32.load", f64: "f64.load", i32: "i32.load" };
const STORE: Record<string, string> = { f32: "f32.store", f64: "f64.store", i32: "i32.store" };

const join = (a: Ty, b: Ty): Ty => (a === "lit" ? b : b === "lit" ? a : a === "f64" || b === "f64" ? "f64" : "i32");
const isInt32 = (v: number) => Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 2 ** 31;

export interface WasmKernel {
  readonly fn: WasmFunction;
  /** module constants it reads: passed after the program's own parameters, in this order */
  readonly constants: readonly K.Buf[];
  /** Math functions it calls */
  readonly imports: ReadonlySet<Imported>;
}

/**
 * A kernel program as a WebAssembly function named `name` (its export) with the `$id` `id`.
 * Arrays, scratch and dims are int32 parameters (byte offsets and sizes), scalar inputs
 * float64; `constants` are the module's constant arrays, passed by offset where they are read.
 */
export function printWasmKernel(k: { readonly name: string; readonly doc: string; readonly program: KernelProgram }, id: string, constants: ReadonlySet<K.Buf>): WasmKernel {
  return new FunctionPrinter(k.program, constants).print(k.name, id, k.doc);
}

class FunctionPrinter {
  private readonly ids = new Map<K.Local | K.Buf | string, string>();
  private readonly taken = new Set<string>();
  private readonly params: [string, ValType][] = [];
  private readonly locals: [string, ValType][] = [];
  private readonly types = new Map<K.Local, Ty>();
  private readonly numbers = new Set<K.Local>();
  private readonly imports = new Set<Imported>();
  private readonly loops: { brk: string; cont: string }[] = [];
  private readonly used: K.Buf[] = [];
  private labels = 0;
  private temp?: string;
  private inferred = false;

  constructor(
    private readonly program: KernelProgram,
    private readonly constants: ReadonlySet<K.Buf>,
  ) {}

  print(name: string, id: string, doc: string): WasmKernel {
    for (const a of this.program.params) {
      if (a.kind === "simd") continue;
      if (a.kind === "dim") this.param(`dim:${a.name}`, a.name, "i32");
      else if (a.kind === "number") {
        this.param(a.v, a.v.hint, "f64");
        this.numbers.add(a.v);
      } else this.param(a.buf, a.buf.hint, "i32");
    }
    this.collect(this.program.body);
    for (const c of this.used) this.param(c, c.hint, "i32");
    this.infer(this.program.body);
    this.inferred = true;
    const body = this.stmts(this.program.body);
    return { fn: { name, id, doc, params: this.params, locals: this.locals, body }, constants: this.used, imports: this.imports };
  }

  // ---- names ---------------------------------------------------------------------

  private fresh(hint: string): string {
    const base = `$${asciiName(hint) || "v"}`;
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  private param(key: K.Local | K.Buf | string, hint: string, t: ValType): void {
    const id = this.fresh(hint);
    this.ids.set(key, id);
    this.params.push([id, t]);
  }

  private idOf(key: K.Local | K.Buf | string): string {
    const id = this.ids.get(key);
    if (id === undefined) throw new Error(`internal error: ${typeof key === "string" ? key : `${key.kind} ${key.hint}`} is used where it is not declared`);
    return id;
  }

  /** A wasm local for a kernel-program local, made at its first declaration. */
  private localOf(v: K.Local): string {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.fresh(v.hint);
      this.ids.set(v, id);
      this.locals.push([id, this.typeOfLocal(v)]);
    }
    return id;
  }

  /** A scratch local of the function (`+=` stores keep their address in it). */
  private scratchLocal(): string {
    if (!this.temp) {
      this.temp = this.fresh("at");
      this.locals.push([this.temp, "i32"]);
    }
    return this.temp;
  }

  // ---- types ---------------------------------------------------------------------

  /** The module constants the body reads: they become parameters. */
  private collect(list: readonly K.Stmt[]): void {
    const seen = (b: K.Buf) => {
      if (this.constants.has(b) && !this.used.includes(b)) this.used.push(b);
    };
    visit(list, (e) => {
      if (e.k === "load" || e.k === "byteOffset") seen(e.buf);
    }, (s) => {
      if (s.k === "store" || s.k === "fill") seen(s.buf);
    });
  }

  /** Each local's type: the widest of what it is given, to a fixed point (`total += x` widens with x). */
  private infer(list: readonly K.Stmt[]): void {
    for (let changed = true; changed; ) {
      changed = false;
      const give = (v: K.Local, t: Ty) => {
        const now = this.types.get(v) ?? "lit";
        const next = join(now, t);
        if (next !== now) {
          this.types.set(v, next);
          changed = true;
        }
      };
      visit(list, () => undefined, (s) => {
        if (s.k === "decl") give(s.v, this.typeOf(s.init));
        else if (s.k === "set") give(s.v, s.op === "=" ? this.typeOf(s.value) : join(this.typeOf(K.get(s.v)), this.typeOf(s.value)));
        else if (s.k === "for" && s.init) give(s.v, this.typeOf(s.init));
      });
    }
  }

  private typeOfLocal(v: K.Local): T {
    if (this.numbers.has(v)) return "f64";
    const t = this.types.get(v) ?? "lit";
    return t === "lit" ? "i32" : t;
  }

  private typeOf(e: K.Expr): Ty {
    switch (e.k) {
      case "num":
        return isInt32(e.value) ? "lit" : "f64";
      case "dim":
      case "byteOffset":
        return "i32";
      case "get":
        // while types are inferred a local given only integer literals may still widen; then it is int32
        return this.numbers.has(e.v) ? "f64" : this.inferred ? this.typeOfLocal(e.v) : (this.types.get(e.v) ?? "lit");
      case "load":
        return e.buf.dtype === "i32" ? "i32" : "f64";
      case "bin":
        if (e.op === "+" || e.op === "-" || e.op === "*") return join(this.typeOf(e.a), this.typeOf(e.b));
        return e.op === "/" ? "f64" : "i32";
      case "neg":
      case "math":
        return "f64";
      case "select":
        return join(this.typeOf(e.a), this.typeOf(e.b));
    }
  }

  // ---- expressions -----------------------------------------------------------------

  private convert(code: Instr, from: T, to: T): Instr {
    if (from === to) return code;
    return from === "i32" ? ["f64.convert_i32_s", code] : ["i32.trunc_sat_f64_s", code];
  }

  /** e as a value of type `want`. */
  private expr(e: K.Expr, want: T): Instr {
    const own = this.typeOf(e);
    const t: T = own === "lit" ? want : own;
    return this.convert(this.exprAs(e, t), t, want);
  }

  /** e computed in its own type t. */
  private exprAs(e: K.Expr, t: T): Instr {
    switch (e.k) {
      case "num":
        return t === "i32" ? ["i32.const", e.value] : ["f64.const", e.value];
      case "dim":
        return ["local.get", this.idOf(`dim:${e.name}`)];
      case "byteOffset":
        return ["local.get", this.idOf(e.buf)];
      case "get":
        return ["local.get", this.numbers.has(e.v) ? this.idOf(e.v) : this.localOf(e.v)];
      case "load": {
        const [address, offset] = this.address(e.buf, e.index);
        const op = LOAD[e.buf.dtype]!;
        const loaded: Instr = offset > 0 ? [op, { offset }, address] : [op, address];
        return e.buf.dtype === "f32" ? ["f64.promote_f32", loaded] : loaded;
      }
      case "neg":
        return ["f64.neg", this.expr(e.a, "f64")];
      case "math":
        return this.math(e.fn, e.args);
      case "select":
        return this.choose(this.cond(e.cond), e.a, e.b, t);
      case "bin":
        return this.bin(e, t);
    }
  }

  private bin(e: Extract<K.Expr, { k: "bin" }>, t: T): Instr {
    const arith: Record<string, string> = { "+": "add", "-": "sub", "*": "mul", "/": "div" };
    if (arith[e.op]) return [`${t}.${arith[e.op]}`, this.expr(e.a, t), this.expr(e.b, t)];
    if (e.op === "&&") return hasEffects(e.b) ? ["if", { result: "i32" }, this.cond(e.a), ["then", this.cond(e.b)], ["else", ["i32.const", 0]]] : ["i32.and", this.cond(e.a), this.cond(e.b)];
    if (e.op === "||") return hasEffects(e.b) ? ["if", { result: "i32" }, this.cond(e.a), ["then", ["i32.const", 1]], ["else", this.cond(e.b)]] : ["i32.or", this.cond(e.a), this.cond(e.b)];
    const both = join(this.typeOf(e.a), this.typeOf(e.b));
    const u: T = both === "lit" ? "i32" : both;
    const compare: Record<string, [string, string]> = { "<": ["lt_s", "lt"], "<=": ["le_s", "le"], ">": ["gt_s", "gt"], ">=": ["ge_s", "ge"], "===": ["eq", "eq"], "!==": ["ne", "ne"] };
    const [i, f] = compare[e.op]!;
    return [`${u}.${u === "i32" ? i : f}`, this.expr(e.a, u), this.expr(e.b, u)];
  }

  /** A condition as 0 or 1: JavaScript's truthiness of a number is "not 0 and not NaN". */
  private cond(e: K.Expr): Instr {
    const t = this.typeOf(e);
    if (t !== "f64") return this.expr(e, "i32");
    const v = this.fresh("truth");
    this.locals.push([v, "f64"]);
    return ["i32.and", ["f64.ne", ["local.tee", v, this.expr(e, "f64")], ["f64.const", 0]], ["f64.eq", ["local.get", v], ["local.get", v]]];
  }

  /** c ? a : b, as a select of both values, or a branch when an arm loads or calls. */
  private choose(c: Instr, a: K.Expr, b: K.Expr, t: T): Instr {
    if (hasEffects(a) || hasEffects(b)) return ["if", { result: t }, c, ["then", this.expr(a, t)], ["else", this.expr(b, t)]];
    return ["select", this.expr(a, t), this.expr(b, t), c];
  }

  private math(fn: K.MathFn, args: readonly K.Expr[]): Instr {
    const xs = args.map((a) => this.expr(a, "f64"));
    switch (fn) {
      case "sqrt":
      case "abs":
        return [`f64.${fn}`, xs[0]!];
      case "max":
      case "min":
        // Math.max(a, b, c) = max(max(a, b), c): NaN anywhere is NaN, and +0 > −0, as f64.max
        return xs.slice(1).reduce<Instr>((acc, x) => [`f64.${fn}`, acc, x], xs[0]!);
      case "sign": {
        // Math.sign: 1, −1, or x itself (±0 and NaN)
        const v = this.fresh("sign");
        this.locals.push([v, "f64"]);
        const x: Instr = ["local.get", v];
        // operands run in order: x is kept in the local where it is first read, then read again
        return ["select", ["f64.const", 1], ["select", ["f64.const", -1], ["local.tee", v, xs[0]!], ["f64.lt", x, ["f64.const", 0]]], ["f64.gt", x, ["f64.const", 0]]];
      }
      default:
        this.imports.add(fn);
        return ["call", MATH_IMPORTS[fn].id, ...xs];
    }
  }

  /** The address of buf[index]: the buffer's offset plus the index's bytes, a constant part as the access's offset. */
  private address(buf: K.Buf, index: K.Expr): [Instr, number] {
    const size = SIZE[buf.dtype]!;
    const base: Instr = ["local.get", this.idOf(buf)];
    let rest: K.Expr | undefined = index;
    let constant = 0;
    if (index.k === "num" && isInt32(index.value) && index.value >= 0) [rest, constant] = [undefined, index.value];
    else if (index.k === "bin" && index.op === "+" && index.b.k === "num" && isInt32(index.b.value) && index.b.value >= 0 && this.typeOf(index.a) !== "f64") [rest, constant] = [index.a, index.b.value];
    if (!rest) return [base, constant * size];
    return [["i32.add", base, ["i32.shl", this.expr(rest, "i32"), ["i32.const", Math.log2(size)]]], constant * size];
  }

  // ---- statements ----------------------------------------------------------------

  private stmts(list: readonly K.Stmt[]): Instr[] {
    return list.flatMap((s) => this.stmt(s));
  }

  private stmt(s: K.Stmt): Instr[] {
    switch (s.k) {
      case "decl":
        return [["local.set", this.localOf(s.v), this.expr(s.init, this.typeOfLocal(s.v))]];
      case "set": {
        const t = this.typeOfLocal(s.v);
        const value = this.expr(s.value, t);
        const id = this.localOf(s.v);
        return [["local.set", id, s.op === "=" ? value : [`${t}.${s.op === "+=" ? "add" : "sub"}`, ["local.get", id], value]]];
      }
      case "store":
        return this.store(s.buf, s.index, s.value, s.op);
      case "for":
        return this.forLoop(s);
      case "if":
        return [["if", this.cond(s.cond), ["then", ...this.stmts(s.then)], ...(s.else ? [["else", ...this.stmts(s.else)] as Instr] : [])]];
      case "block":
        return this.stmts(s.body);
      case "break":
      case "continue": {
        const loop = this.loops[this.loops.length - 1];
        if (!loop) throw new Error(`internal error: ${s.k} outside a loop`);
        return [["br", s.k === "break" ? loop.brk : loop.cont]];
      }
      case "fill":
        return this.fill(s.buf, s.value, s.count);
      case "wasm":
        return [["call", `$${s.fn}`, ...s.args.map((a) => this.expr(a, "i32"))]];
      case "comment":
        return [["comment", s.text]];
    }
  }

  private store(buf: K.Buf, index: K.Expr, value: K.Expr, op: K.AssignOp): Instr[] {
    const t: T = buf.dtype === "i32" ? "i32" : "f64";
    const [address, offset] = this.address(buf, index);
    const access = (code: string, ...operands: Instr[]): Instr => (offset > 0 ? [code, { offset }, ...operands] : [code, ...operands]);
    const rounded = (v: Instr): Instr => (buf.dtype === "f32" ? ["f32.demote_f64", v] : v);
    if (op === "=") return [access(STORE[buf.dtype]!, address, rounded(this.expr(value, t)))];
    // buf[i] += v reads and writes one address: kept in a local, computed once
    const a = this.scratchLocal();
    const loaded = access(LOAD[buf.dtype]!, ["local.get", a]);
    const current: Instr = buf.dtype === "f32" ? ["f64.promote_f32", loaded] : loaded;
    const next: Instr = [`${t}.${op === "+=" ? "add" : "sub"}`, current, this.expr(value, t)];
    return [["local.set", a, address], access(STORE[buf.dtype]!, ["local.get", a], rounded(next))];
  }

  private forLoop(s: Extract<K.Stmt, { k: "for" }>): Instr[] {
    const n = ++this.labels;
    const labels = { brk: `$done${n}`, cont: `$next${n}` };
    const v = this.localOf(s.v);
    const t = this.typeOfLocal(s.v);
    this.loops.push(labels);
    const body = this.stmts(s.body);
    this.loops.pop();
    const continues = containsContinue(s.body);
    const step: Instr = ["local.set", v, [`${t}.add`, ["local.get", v], t === "i32" ? ["i32.const", s.step] : ["f64.const", s.step]]];
    return [
      ...(s.init ? [["local.set", v, this.expr(s.init, t)] as Instr] : []),
      ["block", labels.brk, ["loop", `$loop${n}`,
        ["br_if", labels.brk, ["i32.eqz", this.cond(s.cond)]],
        ...(continues ? [["block", labels.cont, ...body] as Instr] : body),
        step,
        ["br", `$loop${n}`]]],
    ];
  }

  /** buf[0 … count) = value: memory.fill for +0, else a loop of stores. */
  private fill(buf: K.Buf, value: K.Expr, count: K.Expr): Instr[] {
    if (value.k === "num" && Object.is(value.value, 0)) {
      return [["memory.fill", ["local.get", this.idOf(buf)], ["i32.const", 0], this.expr(K.mul(count, K.num(SIZE[buf.dtype]!)), "i32")]];
    }
    return this.stmts([K.loop("i", count, (i) => [K.store(buf, i, value)])]);
  }
}
