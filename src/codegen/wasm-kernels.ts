/**
 * The WebAssembly side of a `--simd` module, gathered as its kernels are written: the SIMD
 * matmuls (simd.ts) registered as kernels are lowered, then every kernel program printed as
 * a function of the same module (print-wasm.ts), and the inputs, params and constants the
 * kernels read in the kernels' memory.
 */
import { isExternal, type Node } from "../graph/ir.js";
import * as K from "../kernel/ir.js";
import type { EmittedKernel } from "./module.js";
import { asciiName, Names } from "./names.js";
import { MATH_IMPORTS, printWasmKernel } from "./print-wasm.js";
import { LIST_BYTES, nonzerosKernel, simdMatmul, type SimdMatmul } from "./simd.js";
import type { WasmFunction, WasmImport } from "./wasm.js";

/**
 * An input or param that a WebAssembly kernel reads: read in place when the caller's array
 * already lives in the kernels' memory, else copied into the workspace's buffer `name`
 * (always copied, transposed, when a kernel reads its transpose).
 */
export interface Mirror {
  readonly node: Node;
  readonly transposed: boolean;
  /** the workspace's buffer */
  readonly name: string;
  /** the runners' local naming the array the kernels read (the caller's, or the buffer) */
  readonly local: string;
}

/** The list of a node's non-zeros that SIMD matmuls read: a workspace buffer, and the kernel that writes it. */
export interface NonZeroList {
  readonly node: Node;
  readonly buf: K.Buf;
  /** the nonzeros kernel's export */
  readonly fn: string;
  /** its rows, and its row length */
  readonly rows: K.Expr;
  readonly K: number;
}

/** The WebAssembly kernels a --simd module registers as its kernels are written. */
export class WasmKernels {
  readonly functions: WasmFunction[] = [];
  readonly lists: NonZeroList[] = [];
  /** bytes at the start of the memory for the instance's swizzle table */
  listBytes = 0;
  private readonly names = new Names(["memory"]);

  add(m: Omit<SimdMatmul, "name">, base: string): string {
    // their names stay ASCII: they are WAT `$names` in the listing; only other kernels call them
    const name = this.names.name(`${m.kind}_${asciiName(base)}`);
    this.functions.push({ ...simdMatmul({ ...m, name }), exported: false });
    this.listBytes = LIST_BYTES;
    return name;
  }

  /** The list of the non-zeros of `node` (stored [rows, K]), registered with its kernel on first use. */
  list(node: Node, label: string, width: number): NonZeroList {
    const known = this.lists.find((l) => l.node === node);
    if (known) return known;
    const fn = this.names.name(`nonzeros_${asciiName(label)}`);
    this.functions.push(nonzerosKernel(fn, width, `the non-zeros of ${label}, listed by rows`));
    this.listBytes = LIST_BYTES;
    const list = { node, buf: K.buffer(`${label}_nonzeros`, "i32"), fn, rows: K.dimExpr(node.type.shape[0]!), K: width };
    this.lists.push(list);
    return list;
  }

  /** The inputs and params a WebAssembly kernel reads: copied (or transposed) into its memory before the kernels run. */
  mirrors(kernels: readonly EmittedKernel[], name: (n: Node, transposed: boolean) => string, local: (n: Node) => string): Mirror[] {
    const external = kernels.flatMap((k) => k.program.wasmOperands).filter((o) => isExternal(o.node));
    const unique = new Map(external.map((o) => [`${o.node.id}${o.transposed ? "T" : ""}`, o]));
    return [...unique.values()].map((o) => {
      const buffer = name(o.node, o.transposed);
      return { ...o, name: buffer, local: o.transposed ? `ws.${buffer}` : local(o.node) };
    });
  }

  /**
   * Every kernel program printed as a function of the module, exported under the kernel's
   * name (its `$id` the name's ASCII form); the module constants each reads, in the order
   * it is passed them; the Math functions they import.
   */
  printKernels(kernels: readonly EmittedKernel[], constants: readonly { readonly buf: K.Buf; readonly name: string }[]): { functions: WasmFunction[]; imports: WasmImport[]; constantsOf: Map<string, string[]> } {
    const byBuf = new Map(constants.map((c) => [c.buf, c.name]));
    const imports = new Set<keyof typeof MATH_IMPORTS>();
    const constantsOf = new Map<string, string[]>();
    const printed = kernels.map((k) => {
      const w = printWasmKernel(k, `$${this.names.name(asciiName(k.name))}`, new Set(byBuf.keys()));
      w.imports.forEach((f) => imports.add(f));
      constantsOf.set(k.name, w.constants.map((b) => byBuf.get(b)!));
      return w.fn;
    });
    // the matmuls first: listed before the kernels that call them
    return { functions: [...this.functions, ...printed], imports: [...imports].sort().map((f) => MATH_IMPORTS[f]), constantsOf };
  }
}
