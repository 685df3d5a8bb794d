/**
 * Lowering to the kernel program. Each kernel becomes one function over typed arrays: a
 * loop nest whose body computes the fused nodes as `const` temporaries (SSA form) and
 * stores the last one. Matmuls accumulate in a float64 scratch row before their epilogue
 * stores, so float32 kernels round once per element, like the interpreter's float64
 * oracle rounded. Everything here builds kernel-program trees (kernel/ir.ts); the
 * printers turn them into code.
 */
import type { Node } from "../graph/ir.js";
import { sameShape, type DType } from "../tensor/types.js";
import * as K from "../kernel/ir.js";
import type { Kernel, Mode } from "../optimize/fuse.js";
import { opDef, type LoopContext } from "../ops/index.js";
import { reducedAxes } from "../ops/reduce.js";
import { scalarRuleOf } from "../ops/userfn.js";
import type { SimdChoice } from "./backend.js";
import { matmulProgram } from "./matmul.js";
import type { SimdMatmul } from "./simd.js";

/** What kernels need to know about the module around them. */
export interface KernelEnv {
  readonly modes: ReadonlyMap<number, Mode>;
  /** the readable name of a node's value (its .graph name, or one made up) */
  label(n: Node): string;
  /** the module-level array of a tensor constant */
  constant(n: Node): K.Buf;
  /** the node whose array holds n's elements (through reshapes and folded transposes) */
  home(n: Node): Node;
  /** the dtype a node's array is stored in */
  readonly dtypeOf: (n: Node) => DType;
  /** the back end's choice for this kernel's matmul (planned by backend.ts): WebAssembly, or undefined */
  simdOf(k: Kernel): SimdChoice | undefined;
  /** registers a WebAssembly matmul and returns its export's name */
  readonly simd: (m: Omit<SimdMatmul, "name">, label: string) => string;
  /** every kernel runs in WebAssembly (`--simd`): every array it reads lives in the kernels' memory */
  readonly wasm: boolean;
  /** the list of a node's non-zeros, when SIMD matmuls read it: the workspace's buffer, and the kernel that writes it */
  listOf(n: Node): { readonly buf: K.Buf; readonly fn: string } | undefined;
}

export interface WasmOperand {
  readonly node: Node;
  readonly transposed: boolean;
}

/** A kernel function's parameter, in order: what the runner passes for it. */
export type KernelParam =
  | { readonly kind: "array"; readonly buf: K.Buf; readonly node: Node }
  /** a scalar input or param, passed as a number */
  | { readonly kind: "number"; readonly v: K.Local; readonly node: Node }
  | { readonly kind: "scratch" | "iscratch" | "simdOut"; readonly buf: K.Buf }
  | { readonly kind: "simd"; readonly v: K.Local }
  /** the list of a node's non-zeros (simd.ts), a workspace buffer */
  | { readonly kind: "nonzeros"; readonly buf: K.Buf; readonly node: Node }
  | { readonly kind: "dim"; readonly name: string };

export interface KernelProgram {
  readonly params: readonly KernelParam[];
  readonly body: readonly K.Stmt[];
  /** float64 scratch elements it needs (0: none) */
  readonly scratch: K.Expr;
  /** int32 scratch elements it needs (matmuls' lists of non-zeros) */
  readonly intScratch: K.Expr;
  /** the WebAssembly matmul's result elements, when it has an epilogue to read them */
  readonly simdOut: K.Expr;
  /** the arrays a WebAssembly kernel reads: they must live in its memory (a transposed one, as its transpose) */
  readonly wasmOperands: readonly WasmOperand[];
}

const none = K.num(0);
const isZero = (e: K.Expr): boolean => e.k === "num" && e.value === 0;

/** A value given to an epilogue: read at the loop's flat index. */
type Given = ReadonlyMap<number, (at: K.Expr) => K.Expr>;

export function lowerKernel(k: Kernel, env: KernelEnv, graphDims: readonly string[]): KernelProgram {
  return new KernelWriter(k, env).write(graphDims);
}

class KernelWriter {
  private readonly arrays = new Map<number, { buf: K.Buf; node: Node } | { v: K.Local; node: Node }>();
  private scratchSize: K.Expr = none;
  private intScratchSize: K.Expr = none;
  private simdOutSize: K.Expr = none;
  private wasmOperands: WasmOperand[] = [];
  private readonly lists = new Map<Node, K.Buf>();
  private readonly scratch = K.buffer("scratch", "f64");
  private readonly iscratch = K.buffer("iscratch", "i32");
  private readonly simdOut = K.buffer("simdOut", "f32");
  private readonly simdKernels = K.local("simd");
  private readonly out: K.Buf;

  constructor(
    private readonly k: Kernel,
    private readonly env: KernelEnv,
  ) {
    this.out = this.array(k.out);
  }

  write(graphDims: readonly string[]): KernelProgram {
    const computed = this.k.kind === "map" ? this.map() : this.k.kind === "reduce" ? this.reduce() : this.k.kind === "matmul" ? this.matmul() : this.loop();
    const body = [...computed, ...this.listOut()];
    // inputs first, the output last: affine_relu_h(x, W1, b1, h)
    const entries = [...this.arrays.values()].sort((a, b) => Number(a.node === this.k.out) - Number(b.node === this.k.out));
    const used = K.dimsIn(body);
    // a kernel printed as WebAssembly reads every input and param array in its memory (matmul operands as planned)
    if (this.env.wasm) {
      for (const e of entries) {
        if ("buf" in e && this.mode(e.node) === "external" && !this.wasmOperands.some((o) => o.node === e.node)) this.wasmOperands.push({ node: e.node, transposed: false });
      }
    }
    const params: KernelParam[] = [
      ...entries.map((e): KernelParam => ("buf" in e ? { kind: "array", buf: e.buf, node: e.node } : { kind: "number", v: e.v, node: e.node })),
      ...(isZero(this.scratchSize) ? [] : [{ kind: "scratch", buf: this.scratch } as const]),
      ...(isZero(this.intScratchSize) ? [] : [{ kind: "iscratch", buf: this.iscratch } as const]),
      ...(this.env.simdOf(this.k) ? [{ kind: "simd", v: this.simdKernels } as const] : []),
      ...(isZero(this.simdOutSize) ? [] : [{ kind: "simdOut", buf: this.simdOut } as const]),
      ...[...this.lists].map(([node, buf]) => ({ kind: "nonzeros", buf, node }) as const),
      ...graphDims.filter((d) => used.has(d)).map((name) => ({ kind: "dim", name }) as const),
    ];
    return { params, body, scratch: this.scratchSize, intScratch: this.intScratchSize, simdOut: this.simdOutSize, wasmOperands: this.wasmOperands };
  }

  /** The list of a node's non-zeros, a parameter of this kernel. */
  private list(n: Node): { buf: K.Buf; fn: string } {
    const l = this.env.listOf(n);
    if (!l) throw new Error(`internal error: no list of the non-zeros of ${this.env.label(n)}`);
    this.lists.set(n, l.buf);
    return l;
  }

  /** After the kernel made its output: its non-zeros listed, when SIMD matmuls read them. */
  private listOut(): K.Stmt[] {
    const out = this.k.out;
    if (!this.env.listOf(out) || this.mode(out) !== "buffer") return [];
    const { buf, fn } = this.list(out);
    const [rows] = this.shape(out);
    return [K.comment(`the non-zeros of ${this.env.label(out)}, listed for the matmuls that read it`), { k: "wasm", via: this.simdKernels, fn, args: [K.byteOffset(this.out), K.byteOffset(buf), rows!] }];
  }

  private shape(n: Node): K.Expr[] {
    return K.shapeExpr(n.type.shape);
  }

  private mode(n: Node): Mode["kind"] {
    return this.env.modes.get(n.id)!.kind;
  }

  /** The array holding n (n itself, or its home): a parameter of the kernel, or a module constant. */
  private array(n: Node): K.Buf {
    const home = this.env.home(n);
    if (this.mode(home) === "constant") return this.env.constant(home);
    const entry = this.arrays.get(home.id);
    if (entry && "buf" in entry) return entry.buf;
    if (entry) throw new Error(`internal error: ${this.env.label(home)} is a number, not an array`);
    const buf = K.buffer(this.env.label(home), this.env.dtypeOf(home));
    this.arrays.set(home.id, { buf, node: home });
    return buf;
  }

  /** A scalar's value: a number parameter (scalar input or param) or element 0 of its array. */
  private scalar(n: Node): K.Expr {
    const home = this.env.home(n);
    if (this.mode(home) === "external" && home.type.shape.length === 0) {
      let entry = this.arrays.get(home.id);
      if (!entry) {
        entry = { v: K.local(this.env.label(home)), node: home };
        this.arrays.set(home.id, entry);
      }
      if ("v" in entry) return K.get(entry.v);
    }
    return K.load(this.array(n), K.num(0));
  }

  /** The value of a leaf `n` read at `vars` of a loop over `out` (`flat`: every operand has the loop's shape). */
  private read(n: Node, out: readonly K.Expr[], vars: readonly K.Expr[], flat: boolean): K.Expr {
    const mode = this.mode(n);
    if (mode === "literal") return K.num(n.value!.data[0]!);
    if (mode === "dims") return this.numel(n);
    if (n.type.shape.length === 0) return this.scalar(n);
    return K.load(this.array(n), flat ? vars[0]! : K.broadcastIndex(this.shape(n), out, vars));
  }

  private numel(n: Node): K.Expr {
    const x = n.inputs[0]!;
    const axes = reducedAxes(x.type, n.attrs, { fail: (m) => { throw new Error(`internal error: ${m}`); } });
    return K.product(axes.map((a) => K.dimExpr(x.type.shape[a]!)));
  }

  /** The statements computing the tree's nodes at one point; returns them and the last node's value. */
  private body(nodes: readonly Node[], out: readonly K.Expr[], vars: readonly K.Expr[], flat: boolean, given: Map<number, K.Expr>): { code: K.Stmt[]; value: K.Expr } {
    const code: K.Stmt[] = [];
    const value = new Map(given);
    const read = (n: Node) => value.get(n.id) ?? this.read(n, out, vars, flat);
    for (const n of nodes) {
      if (value.has(n.id)) continue;
      const def = opDef(n.op);
      const rule = scalarRuleOf(def, n.attrs);
      // an alias (reshape) copied into a buffer of its own is the identity on its one element
      const expr = def.kernel?.kind === "alias" ? read(n.inputs[0]!) : rule?.emit(...n.inputs.map(read));
      if (expr === undefined) throw new Error(`internal error: ${n.op} in an elementwise kernel`);
      if (n === nodes[nodes.length - 1]) return { code, value: expr };
      const v = K.local(this.env.label(n) === `t${n.id}` ? n.op : this.env.label(n));
      code.push(K.decl(v, expr));
      value.set(n.id, K.get(v));
    }
    throw new Error("internal error: an empty kernel");
  }

  private isFlat(nodes: readonly Node[], out: Node): boolean {
    const inTree = new Set(nodes.map((n) => n.id));
    return nodes.every((n) => n.inputs.every((i) => inTree.has(i.id) || i.type.shape.length === 0 || sameShape(i.type.shape, out.type.shape)));
  }

  private map(given: Given = new Map(), nodes = this.k.nodes): K.Stmt[] {
    const out = this.shape(this.k.out);
    const at = (index: K.Expr) => new Map([...given].map(([id, f]) => [id, f(index)]));
    if (out.length === 0) {
      const { code, value } = this.body(nodes, out, [], true, at(K.num(0)));
      return [...code, K.store(this.out, K.num(0), value)];
    }
    if (this.isFlat(nodes, this.k.out)) {
      return [K.loop("i", K.product(out), (i) => {
        const { code, value } = this.body(nodes, out, out.map(() => i), true, at(i));
        return [...code, K.store(this.out, i, value)];
      })];
    }
    const o = K.local("o");
    return [K.declLet(o, K.num(0)), ...K.loops(out, (vars) => {
      const { code, value } = this.body(nodes, out, vars, false, at(K.get(o)));
      return [...code, K.store(this.out, K.get(o), value), K.set(o, K.num(1), "+=")];
    })];
  }

  private reduce(): K.Stmt[] {
    const node = this.k.out;
    const spec = opDef(node.op).kernel;
    if (spec?.kind !== "reduce") throw new Error("internal error: not a reduction");
    const x = node.inputs[0]!;
    const shape = this.shape(x);
    const prologue = this.k.nodes.filter((n) => n !== node);
    const axes = reducedAxes(x.type, node.attrs, { fail: (m) => { throw new Error(`internal error: ${m}`); } });
    const flat = axes.length === shape.length && this.isFlat(prologue, x) && shape.length > 0;
    const valueAt = (vars: readonly K.Expr[]) => {
      if (prologue.length === 0) return { code: [] as K.Stmt[], value: this.read(x, shape, vars, flat) };
      return this.body(prologue, shape, vars, flat, new Map());
    };
    if (axes.length === shape.length) {
      const total = K.local("total");
      const inner = (vars: readonly K.Expr[]) => {
        const { code, value } = valueAt(vars);
        return [...code, K.set(total, spec.combine(K.get(total), value))];
      };
      const loop = flat ? [K.loop("i", K.product(shape), (i) => inner(shape.map(() => i)))] : K.loops(shape, inner);
      return [K.declLet(total, K.num(spec.init)), ...loop, K.store(this.out, K.num(0), K.get(total))];
    }
    const kept = shape.filter((_, i) => !axes.includes(i));
    const size = K.product(kept);
    this.scratchSize = size;
    const s = this.scratch;
    return [
      K.loop("o", size, (o) => [K.store(s, o, K.num(spec.init))]),
      ...K.loops(shape, (vars) => {
        const { code, value } = valueAt(vars);
        const o = K.index(kept, vars.filter((_, i) => !axes.includes(i)));
        return [...code, K.store(s, o, spec.combine(K.load(s, o), value))];
      }),
      K.loop("o", size, (o) => [K.store(this.out, o, K.load(s, o))]),
    ];
  }

  /** C = A @ B into the float64 scratch (or in WebAssembly), then the epilogue (or a copy) into the output. */
  private matmul(): K.Stmt[] {
    const mm = this.k.matmul ?? this.k.out;
    const [a, b] = mm.inputs as [Node, Node];
    const operand = (n: Node) => {
      const transposed = this.mode(n) === "folded";
      const home = transposed ? n.inputs[0]! : n;
      return { buf: this.array(home), label: this.env.label(this.env.home(home)), transposed };
    };
    const A = operand(a);
    const B = operand(b);
    const ash = this.shape(a);
    const bsh = this.shape(b);
    const M = ash.length === 2 ? ash[0]! : K.num(1);
    const Kd = ash[ash.length - 1]!;
    const N = bsh.length === 2 ? bsh[1]! : K.num(1);
    const epilogue = (from: K.Buf) => this.map(new Map([[mm.id, (at: K.Expr) => K.load(from, at)]]), this.k.nodes.filter((n) => n !== mm));
    const choice = this.env.simdOf(this.k);
    if (choice) {
      // its doc names the operands and the kernel that calls it, whose doc quotes the .graph lines
      const product = `${A.transposed ? `${A.label}ᵀ` : A.label} @ ${B.label}${B.transposed ? "ᵀ" : ""}`;
      const name = this.env.simd({ kind: choice.kind, K: choice.K, N: choice.N, doc: `${choice.kind}: ${product}, for the kernel that computes ${this.env.label(this.k.out)}` }, this.env.label(this.k.out));
      this.wasmOperands = choice.operands;
      const target = this.k.matmul ? this.simdOut : this.out;
      if (this.k.matmul) this.simdOutSize = K.mul(M, N);
      const list = this.list(choice.list);
      const call: K.Stmt = { k: "wasm", via: this.simdKernels, fn: name, args: [K.byteOffset(A.buf), K.byteOffset(B.buf), K.byteOffset(target), A.transposed ? Kd : M, K.byteOffset(list.buf)] };
      const aText = A.transposed ? `${A.label}ᵀ` : A.label;
      const bText = B.transposed ? `${B.label}ᵀ, from its transposed copy` : B.label;
      const comment = K.comment(`C = ${aText} @ ${bText} in WebAssembly SIMD (${name} in the listing above): f32x4 lanes, over the listed non-zeros of ${A.label}`);
      return this.k.matmul ? [comment, call, ...epilogue(this.simdOut)] : [comment, call];
    }
    const mmp = matmulProgram({ a: A.buf, b: B.buf, aLabel: A.label, bLabel: B.label, aTransposed: A.transposed, bTransposed: B.transposed, M, K: Kd, N, scratch: this.scratch, iscratch: this.iscratch });
    this.scratchSize = mmp.size;
    this.intScratchSize = mmp.intSize;
    const after = this.k.matmul ? epilogue(this.scratch) : [K.loop("i", K.mul(M, N), (i) => [K.store(this.out, i, K.load(this.scratch, i))])];
    return [...mmp.body, ...after];
  }

  private loop(): K.Stmt[] {
    const n = this.k.out;
    const spec = opDef(n.op).kernel;
    if (spec?.kind !== "loop") throw new Error(`internal error: ${n.op} has no loop kernel`);
    const scalar = (i: number) => n.inputs[i]!.type.shape.length === 0;
    const ctx: LoopContext = {
      out: this.out,
      buf: (i) => this.array(n.inputs[i]!),
      value: (i) => this.read(n.inputs[i]!, [], [], true),
      inTypes: n.inputs.map((i) => i.type),
      inShapes: n.inputs.map((i) => this.shape(i)),
      outShape: this.shape(n),
      attrs: n.attrs,
      scratch: this.scratch,
      at: (i, vars) => (scalar(i) ? ctx.value(i) : K.load(ctx.buf(i), K.index(this.shape(n.inputs[i]!), vars))),
    };
    if (spec.scratch) this.scratchSize = spec.scratch(ctx);
    return [...spec.write(ctx)];
  }
}
