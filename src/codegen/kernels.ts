/**
 * Kernel bodies. Each kernel becomes one function over typed arrays: a loop nest whose
 * body computes the fused nodes as `const` temporaries (SSA form, so operands are
 * always atoms and no precedence can go wrong) and stores the last one. Matmuls
 * accumulate in a float64 scratch row before their epilogue stores, so float32
 * kernels round once per element, like the interpreter's float64 oracle rounded.
 */
import type { Node } from "../graph/ir.js";
import type { Kernel, Mode } from "../optimize/fuse.js";
import { opDef, type LoopContext } from "../ops/index.js";
import { scalarRuleOf } from "../ops/userfn.js";
import { reducedAxes } from "../ops/reduce.js";
import { broadcastIndex, index, indent, loops, product } from "./loops.js";
import type { DType } from "../graph/types.js";
import { matmulCode } from "./matmul.js";
import type { SimdMatmul } from "./simd.js";
import type { Names } from "./names.js";

/** What kernels need to know about the module around them. */
export interface KernelEnv {
  readonly modes: ReadonlyMap<number, Mode>;
  /** the readable name of a node's value (its .graph name, or one made up) */
  label(n: Node): string;
  /** code for a dim (an identifier or a number) */
  dim(d: number | string): string;
  /** the module-level name of a tensor constant */
  constant(n: Node): string;
  /** the node whose array holds n's elements (through reshapes and folded transposes) */
  home(n: Node): Node;
  /** the module's scope: a kernel's names are a child of it, so they shadow no module name, dim or global */
  readonly scope: Names;
  /** the dtype a node's array is stored in */
  readonly dtypeOf: (n: Node) => DType;
  /** with --simd: registers a WebAssembly matmul and returns its export's name */
  readonly simd?: (m: Omit<SimdMatmul, "name">, label: string) => string;
}

export interface WasmOperand {
  readonly node: Node;
  readonly transposed: boolean;
}

export interface KernelCode {
  /** the dims (their .graph names) its code reads: passed to it as numbers */
  readonly dims: ReadonlySet<string>;
  /** the arrays the kernel reads and writes, in parameter order */
  readonly arrays: readonly { readonly name: string; readonly node: Node; readonly scalar: boolean }[];
  readonly body: string;
  readonly usesScratch: boolean;
  /** float64 scratch elements it needs, as code */
  readonly scratch: string;
  /** int32 scratch elements it needs (matmuls' lists of non-zeros), as code */
  readonly intScratch: string;
  /** the WebAssembly matmul's result elements, when it has an epilogue to read them ("0": none) */
  readonly simdOut: string;
  /** whether it calls the workspace's WebAssembly kernels */
  readonly simd: boolean;
  /** the arrays a WebAssembly kernel reads: they must live in its memory (a transposed one, as its transpose) */
  readonly wasmOperands: readonly WasmOperand[];
}

const SCRATCH = "scratch";

/**
 * The locals and parameters that kernel templates (here, codegen/matmul.ts and the op
 * table's loop kernels) write by name. The module's scope reserves them, so no dim,
 * array or constant ever takes one.
 */
export const KERNEL_LOCALS: readonly string[] = [
  ...["i", "j", "o", "p", "q", "r", "a", "c", "at", "nz", "row", "acc", "total", "scale", "rowMax", "expSum", "lse", "label", "best", "base", "src", "value", "isFirst", "v", "dense"],
  ...[SCRATCH, "iscratch", "simd", "simdOut"],
  ...Array.from({ length: 8 }, (_, t) => [`c${t}`, `i${t}`]).flat(),
];

export function kernelBody(k: Kernel, env: KernelEnv): KernelCode {
  return new KernelWriter(k, env).write();
}

class KernelWriter {
  /** names the kernel templates use for their own locals: an array never takes one */
  private readonly names: Names;
  private readonly arrays = new Map<number, { name: string; node: Node; scalar: boolean }>();
  private scratchSize = "0";
  private intScratchSize = "0";
  private simdOutSize = "0";
  private wasmOperands: WasmOperand[] = [];
  private readonly outName: string;

  constructor(
    private readonly k: Kernel,
    private readonly env: KernelEnv,
  ) {
    this.names = env.scope.child(KERNEL_LOCALS);
    this.outName = this.array(k.out);
  }

  write(): KernelCode {
    const body = this.k.kind === "map" ? this.map() : this.k.kind === "reduce" ? this.reduce() : this.k.kind === "matmul" ? this.matmul() : this.loop();
    // inputs first, the output last: affine_relu_h(x, W1, b1, h)
    const arrays = [...this.arrays.values()].sort((a, b) => Number(a.node === this.k.out) - Number(b.node === this.k.out));
    return {
      dims: this.dims,
      arrays,
      body,
      usesScratch: this.scratchSize !== "0",
      scratch: this.scratchSize,
      intScratch: this.intScratchSize,
      simd: this.wasmOperands.length > 0,
      simdOut: this.simdOutSize,
      wasmOperands: this.wasmOperands,
    };
  }

  /** the dims this kernel's code reads, as their .graph names */
  private readonly dims = new Set<string>();

  private dim(d: number | string): string {
    if (typeof d === "string") for (const part of d.split("*")) this.dims.add(part);
    return this.env.dim(d);
  }

  private shape(n: Node): string[] {
    return n.type.shape.map((d) => this.dim(d));
  }

  /** The parameter name of the array holding n (n itself, or its home). */
  private array(n: Node): string {
    const home = this.env.home(n);
    const mode = this.env.modes.get(home.id)!.kind;
    if (mode === "constant") return this.env.constant(home);
    let entry = this.arrays.get(home.id);
    if (!entry) {
      // a scalar input or param is passed as a number, everything else as an array
      const scalar = mode === "external" && home.type.shape.length === 0;
      entry = { name: this.names.name(this.env.label(home)), node: home, scalar };
      this.arrays.set(home.id, entry);
    }
    return entry.name;
  }

  /** Code for the value of a leaf `n` read at `vars` of a loop over `out`. */
  private load(n: Node, out: readonly string[], vars: readonly string[]): string {
    const mode = this.env.modes.get(n.id)!.kind;
    if (mode === "literal") {
      const v = n.value!.data[0]!;
      return Number.isFinite(v) ? (v < 0 || Object.is(v, -0) ? `(${v === 0 ? "-0" : v})` : String(v)) : v > 0 ? "Infinity" : v < 0 ? "(-Infinity)" : "NaN";
    }
    if (mode === "dims") return atom(this.numel(n));
    if (n.type.shape.length === 0) {
      const name = this.array(n);
      return this.arrays.get(this.env.home(n).id)?.scalar ? name : `${name}[0]`;
    }
    // in a flat loop every array operand has the loop's shape: read it at the flat index
    const flat = vars.length > 0 && vars.every((v) => v === vars[0]) && vars.length > 1;
    return `${this.array(n)}[${flat ? vars[0] : broadcastIndex(this.shape(n), out, vars)}]`;
  }

  private numel(n: Node): string {
    const x = n.inputs[0]!;
    const axes = reducedAxes(x.type, n.attrs, { fail: (m) => { throw new Error(`internal error: ${m}`); } });
    return product(axes.map((a) => this.dim(x.type.shape[a]!)));
  }

  /** The statements computing the tree's nodes at one point; returns them and the out value. */
  private body(nodes: readonly Node[], out: readonly string[], vars: readonly string[], given: Map<number, string>): { code: string[]; value: string } {
    const code: string[] = [];
    const value = new Map(given);
    const read = (n: Node) => value.get(n.id) ?? this.load(n, out, vars);
    let last = "";
    for (const n of nodes) {
      if (value.has(n.id)) continue;
      const def = opDef(n.op);
      const rule = scalarRuleOf(def, n.attrs);
      // an alias (reshape) copied into a buffer of its own is the identity on its one element
      const expr = def.kernel?.kind === "alias" ? read(n.inputs[0]!) : rule?.emit(...n.inputs.map(read));
      if (expr === undefined) throw new Error(`internal error: ${n.op} in an elementwise kernel`);
      if (n === nodes[nodes.length - 1]) {
        last = expr;
        break;
      }
      const name = this.names.name(this.env.label(n) === `t${n.id}` ? n.op : this.env.label(n));
      code.push(`const ${name} = ${expr};`);
      value.set(n.id, name);
    }
    return { code, value: last };
  }

  private flat(nodes: readonly Node[], out: readonly string[]): boolean {
    const inTree = new Set(nodes.map((n) => n.id));
    return nodes.every((n) =>
      n.inputs.every((i) => inTree.has(i.id) || i.type.shape.length === 0 || this.shape(i).join() === out.join()),
    );
  }

  private map(given = new Map<number, string>(), nodes = this.k.nodes): string {
    const out = this.shape(this.k.out);
    if (this.flat(nodes, out)) {
      const vars = out.map(() => "i");
      const { code, value } = this.body(nodes, out, vars, withIndex(given, "i"));
      const loop = [...code, `${this.outName}[i] = ${value};`].join("\n");
      return out.length === 0 ? bare(loop, "0") : `for (let i = 0; i < ${product(out)}; i++) {\n${indent(loop)}\n}`;
    }
    return ["let o = 0;", loops(out, (vars) => {
      const { code, value } = this.body(nodes, out, vars, withIndex(given, "o"));
      return [...code, `${this.outName}[o] = ${value};`, "o++;"].join("\n");
    })].join("\n");
  }

  private reduce(): string {
    const node = this.k.out;
    const spec = opDef(node.op).kernel;
    if (spec?.kind !== "reduce") throw new Error("internal error: not a reduction");
    const x = node.inputs[0]!;
    const shape = this.shape(x);
    const prologue = this.k.nodes.filter((n) => n !== node);
    const axes = reducedAxes(x.type, node.attrs, { fail: (m) => { throw new Error(`internal error: ${m}`); } });
    const valueAt = (vars: readonly string[]) => {
      if (prologue.length === 0) return { code: [] as string[], value: this.load(x, shape, vars) };
      return this.body(prologue, shape, vars, new Map());
    };
    if (axes.length === shape.length) {
      const flat = this.flat(prologue, shape);
      const inner = (vars: readonly string[]) => {
        const { code, value } = valueAt(vars);
        return [...code, `total = ${spec.combine("total", value)};`].join("\n");
      };
      const loop = flat && shape.length > 0 ? `for (let i = 0; i < ${product(shape)}; i++) {\n${indent(inner(shape.map(() => "i")))}\n}` : loops(shape, inner);
      return [`let total = ${spec.init};`, loop, `${this.outName}[0] = total;`].join("\n");
    }
    const kept = shape.filter((_, i) => !axes.includes(i));
    const size = product(kept);
    this.scratchSize = size;
    return [
      `for (let o = 0; o < ${size}; o++) ${SCRATCH}[o] = ${spec.init};`,
      loops(shape, (vars) => {
        const { code, value } = valueAt(vars);
        const o = index(kept, vars.filter((_, i) => !axes.includes(i)));
        return [...code, `${SCRATCH}[${o}] = ${spec.combine(`${SCRATCH}[${o}]`, value)};`].join("\n");
      }),
      `for (let o = 0; o < ${size}; o++) ${this.outName}[o] = ${SCRATCH}[o];`,
    ].join("\n");
  }

  /** C = A @ B into the float64 scratch, then the epilogue (or a copy) into the output. */
  private matmul(): string {
    const mm = this.k.matmul ?? this.k.out;
    const [a, b] = mm.inputs as [Node, Node];
    const operand = (n: Node) => {
      const folded = this.env.modes.get(n.id)!.kind === "folded";
      return { name: this.array(folded ? n.inputs[0]! : n), transposed: folded };
    };
    const A = operand(a);
    const B = operand(b);
    const ash = this.shape(a);
    const bsh = this.shape(b);
    const M = ash.length === 2 ? ash[0]! : "1";
    const K = ash[ash.length - 1]!;
    const N = bsh.length === 2 ? bsh[1]! : "1";
    const simd = this.simdMatmul(mm, A, B, M, K, N);
    if (simd) return simd;
    const mm_ = matmulCode({ a: A.name, b: B.name, aTransposed: A.transposed, bTransposed: B.transposed, M, K, N, scratch: SCRATCH, iscratch: "iscratch" });
    this.scratchSize = mm_.size;
    this.intScratchSize = mm_.intSize;
    const epilogue = this.k.matmul
      ? this.map(new Map([[mm.id, `${SCRATCH}[#]`]]), this.k.nodes.filter((n) => n !== mm))
      : `for (let i = 0; i < ${product([M, N])}; i++) ${this.outName}[i] = ${SCRATCH}[i];`;
    return [mm_.code, epilogue].join("\n");
  }

  /**
   * With --simd, a matmul of f32 arrays whose column counts are known at compile time
   * calls a WebAssembly kernel (codegen/simd.ts): into the output when nothing follows,
   * else into `simdOut`, which the epilogue then reads.
   */
  private simdMatmul(mm: Node, A: { name: string; transposed: boolean }, B: { name: string; transposed: boolean }, M: string, K: string, N: string): string | undefined {
    const [a, b] = mm.inputs as [Node, Node];
    const homes = [a, b].map((n) => this.env.home(this.env.modes.get(n.id)!.kind === "folded" ? n.inputs[0]! : n));
    const f32 = [...homes, mm].every((n) => this.env.dtypeOf(n) === "f32") && homes.every((n) => this.env.modes.get(n.id)!.kind !== "constant");
    if (!this.env.simd || !f32 || a.type.shape.length !== 2 || b.type.shape.length !== 2) return undefined;
    // a transposed B (dS · W2ᵀ) is read from a transposed copy: only for an input or param of static shape, read nowhere else here
    const bHome = homes[1]!;
    const copyable = (bHome.op === "input" || bHome.op === "param") && bHome.type.shape.every((d) => typeof d === "number");
    if (B.transposed && (!copyable || this.k.nodes.some((n) => n !== mm && n.inputs.some((i) => this.env.home(i) === bHome)))) return undefined;
    // rows: C[M, N] = A[M, K] · B, K static; scatter: C[M, N] = A[K, M]ᵀ · B, M static
    const inner = Number(A.transposed ? M : K);
    const cols = Number(N);
    if (!Number.isInteger(inner) || !Number.isInteger(cols) || cols < 4) return undefined;
    const kind = A.transposed ? "scatter" : "rows";
    const name = this.env.simd({ kind, K: inner, N: cols, doc: `${kind}: ${this.env.label(mm)} = ${A.transposed ? `${A.name}ᵀ` : A.name} @ ${B.name}${B.transposed ? "ᵀ" : ""}` }, this.env.label(this.k.out));
    this.wasmOperands = [{ node: homes[0]!, transposed: false }, { node: bHome, transposed: B.transposed }];
    const epilogue = this.k.matmul !== undefined;
    const target = epilogue ? "simdOut" : this.outName;
    if (epilogue) this.simdOutSize = product([M, N]);
    const call = `simd.${name}(${A.name}.byteOffset, ${B.name}.byteOffset, ${target}.byteOffset, ${A.transposed ? K : M});`;
    const what = `${A.transposed ? `${A.name}ᵀ` : A.name} @ ${B.transposed ? `${B.name}ᵀ (${B.name} is its transposed copy)` : B.name}`;
    const comment = `// C = ${what} in WebAssembly SIMD (${name} in the listing above): f32x4 lanes, the zeros of ${A.name} skipped`;
    if (!epilogue) return [comment, call].join("\n");
    return [comment, call, this.map(new Map([[mm.id, "simdOut[#]"]]), this.k.nodes.filter((n) => n !== mm))].join("\n");
  }

  private loop(): string {
    const n = this.k.out;
    const spec = opDef(n.op).kernel;
    if (spec?.kind !== "loop") throw new Error(`internal error: ${n.op} has no loop kernel`);
    const ins = n.inputs.map((i) => (i.type.shape.length === 0 ? this.load(i, [], []) : this.array(i)));
    const ctx: LoopContext = {
      out: this.outName,
      ins,
      inTypes: n.inputs.map((i) => i.type),
      inShapes: n.inputs.map((i) => this.shape(i)),
      outShape: this.shape(n),
      attrs: n.attrs,
      scratch: SCRATCH,
      loops: (shape, body) => loops(shape, body),
      index: (shape, vars) => index(shape, vars),
      at: (i, vars) => (n.inputs[i]!.type.shape.length === 0 ? ins[i]! : `${ins[i]}[${index(this.shape(n.inputs[i]!), vars)}]`),
    };
    if (spec.scratch) this.scratchSize = spec.scratch(ctx);
    return spec.write(ctx);
  }
}

/** Values given as `scratch[#]` read at the loop's flat index. */
function withIndex(given: ReadonlyMap<number, string>, at: string): Map<number, string> {
  return new Map([...given].map(([k, v]) => [k, v.replace("#", at)]));
}

/** A loop body for a single element (a scalar kernel): the index is 0. */
function bare(code: string, at: string): string {
  return code.replace(/\[i\]/g, `[${at}]`);
}

function atom(code: string): string {
  return /^[\p{L}\p{Nd}_$.]+$/u.test(code) ? code : `(${code})`;
}

